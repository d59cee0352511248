//! `hfaudit install-hook`: write a plain git pre-commit hook that runs `hfaudit scan --staged`.
//! It finds the hooks folder the way git does (`core.hooksPath` included) and never replaces a
//! hook it did not get permission to replace.

use std::path::{Path, PathBuf};

use super::process::{first_lines, output, Git, GitError};

/// The hook's file name in the hooks folder.
pub const HOOK_NAME: &str = "pre-commit";

/// Writes the pre-commit hook of the repository around `dir` and returns its path. `exe` is
/// the hfaudit binary the hook should run (it falls back to `hfaudit` on PATH when that file is
/// gone, e.g. after an upgrade moved it).
pub fn install_hook(dir: &Path, exe: Option<&Path>, force: bool) -> Result<PathBuf, GitError> {
    let git = Git::new(dir);
    let out = output(git.command(["rev-parse", "--git-path", "hooks"]))?;
    if !out.status.success() {
        return Err(GitError::NotARepo {
            dir: dir.to_path_buf(),
            message: first_lines(&out.stderr, out.status.code()),
        });
    }
    let hooks = String::from_utf8_lossy(&out.stdout).trim_end().to_owned();
    // git prints it relative to the folder it ran in.
    let hooks = dir.join(hooks);
    let path = hooks.join(HOOK_NAME);
    if path.symlink_metadata().is_ok() && !force {
        return Err(GitError::HookExists { path });
    }
    let write_err = |source| GitError::HookWrite {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&hooks).map_err(write_err)?;
    std::fs::write(&path, script(exe)).map_err(write_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(write_err)?;
    }
    Ok(path)
}

/// The hook: POSIX sh, so it runs wherever git runs hooks (Git for Windows ships sh).
fn script(exe: Option<&Path>) -> String {
    let exe = exe.map_or_else(
        || "hfaudit".to_owned(),
        |p| p.to_string_lossy().into_owned(),
    );
    format!(
        r#"#!/bin/sh
# Installed by `hfaudit install-hook`: stops a commit that adds a Hugging Face token.
# Skip it once with `git commit --no-verify`; remove this file to uninstall.
hfaudit={exe}
if [ ! -x "$hfaudit" ]; then
    hfaudit=$(command -v hfaudit) || {{
        echo "hfaudit pre-commit hook: hfaudit not found; install it, or commit with --no-verify" >&2
        exit 1
    }}
fi
exec "$hfaudit" scan --staged
"#,
        exe = shell_quote(&exe)
    )
}

/// Single-quotes `text` for sh.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
        let s = script(Some(Path::new("/opt/x y/hfaudit")));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains("hfaudit='/opt/x y/hfaudit'\n"));
        assert!(s.contains("exec \"$hfaudit\" scan --staged\n"));
    }
}
