//! `hfaudit install-hook` and `uninstall-hook`: write (or remove) a plain git pre-commit hook
//! that runs `hfaudit scan --staged`. It finds the hooks folder the way git does
//! (`core.hooksPath` included), never replaces a hook it did not get permission to replace,
//! never writes through a symbolic link, keeps a replaced hook as a backup, and only ever
//! removes a hook it wrote itself.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::process::{first_lines, output, Git, GitError};

/// The hook's file name in the hooks folder.
pub const HOOK_NAME: &str = "pre-commit";

/// Where `--force` keeps the hook it replaced, next to it; `uninstall-hook` puts it back.
pub const BACKUP_NAME: &str = "pre-commit.hfaudit-backup";

/// The line that marks a hook as hfaudit's: only such a hook is left alone as already
/// installed, rewritten without `--force`, or removed by `uninstall-hook`.
const MARKER: &str = "# Installed by `hfaudit install-hook`";

/// A hook is a short script: anything bigger is not ours, and is not read whole.
const MAX_HOOK_SIZE: u64 = 64 << 10;

/// What `install_hook` did, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub path: PathBuf,
    pub done: Installed,
    /// The hooks folder lies outside the repository (a `core.hooksPath` shared by other
    /// repositories): written there only with `--force`, and said so.
    pub outside: bool,
}

/// What `install_hook` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// There was no hook: ours is there now.
    New,
    /// Ours was there already, as it would be written: nothing changed.
    AlreadyThere,
    /// Ours was there, for another hfaudit binary or an older version: rewritten.
    Updated,
    /// Someone else's hook was there (`--force`): kept as `backup`, ours written.
    Replaced { backup: PathBuf },
}

/// What `uninstall_hook` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uninstalled {
    /// Our hook is gone, and there was no backup.
    Removed,
    /// Our hook is gone and the hook it had replaced is back.
    Restored,
    /// There was no pre-commit hook at all.
    NoHook,
}

/// The hooks folder of the repository around `dir`, as git resolves it.
fn hooks_dir(dir: &Path) -> Result<PathBuf, GitError> {
    let git = Git::new(dir);
    // The one git that must see the repository's own core.hooksPath; rev-parse runs nothing.
    let out = output(git.command_seeing_hooks_path(["rev-parse", "--git-path", "hooks"]))?;
    if !out.status.success() {
        return Err(GitError::NotARepo {
            dir: dir.to_path_buf(),
            message: first_lines(&out.stderr, out.status.code()),
        });
    }
    let hooks = String::from_utf8_lossy(&out.stdout).trim_end().to_owned();
    // git prints it relative to the folder it ran in.
    Ok(dir.join(hooks))
}

/// Whether `hooks` lies outside the repository around `dir` (its work tree and its git folder):
/// a `core.hooksPath` such as `~/.git-hooks`, shared by every repository that names it.
fn outside_repository(dir: &Path, hooks: &Path) -> bool {
    let git = Git::new(dir);
    let Ok(out) = output(git.command([
        "rev-parse",
        "--path-format=absolute",
        "--git-common-dir",
        "--show-toplevel",
    ])) else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let inside: Vec<PathBuf> = text.lines().map(|l| lexical(Path::new(l))).collect();
    let hooks = lexical(&std::path::absolute(hooks).unwrap_or_else(|_| hooks.to_path_buf()));
    // Symbolic links resolved where the folders exist (`/tmp` → `/private/tmp`).
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let hooks_real = real(&hooks);
    !inside.is_empty()
        && !inside
            .iter()
            .any(|top| hooks.starts_with(top) || hooks_real.starts_with(real(top)))
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether `path` is a hook hfaudit wrote: a regular file (not a link to one) holding the
/// marker. Its text, when it is.
fn our_hook(path: &Path) -> Option<String> {
    let data = crate::files::read_small_file(path, MAX_HOOK_SIZE)?;
    let text = String::from_utf8(data).ok()?;
    text.lines().any(|l| l.starts_with(MARKER)).then_some(text)
}

/// Writes the pre-commit hook of the repository around `dir` and returns its path. `exe` is
/// the hfaudit binary the hook should run (it falls back to `hfaudit` on PATH when that file is
/// gone, e.g. after an upgrade moved it).
pub fn install_hook(dir: &Path, exe: Option<&Path>, force: bool) -> Result<Install, GitError> {
    let hooks = hooks_dir(dir)?;
    let outside = outside_repository(dir, &hooks);
    if outside && !force {
        return Err(GitError::HooksOutside { hooks });
    }
    let path = hooks.join(HOOK_NAME);
    let wanted = script(exe);
    let write_err = |source| GitError::HookWrite {
        path: path.clone(),
        source,
    };
    let outcome = if path.symlink_metadata().is_err() {
        Installed::New
    } else if let Some(text) = our_hook(&path) {
        if text == wanted {
            return Ok(Install {
                path,
                done: Installed::AlreadyThere,
                outside,
            });
        }
        Installed::Updated
    } else if !force {
        return Err(GitError::HookExists { path });
    } else {
        let backup = hooks.join(BACKUP_NAME);
        if backup.symlink_metadata().is_ok() {
            return Err(GitError::BackupExists { path: backup });
        }
        // A rename moves a symbolic link itself: its target is never touched.
        std::fs::rename(&path, &backup).map_err(write_err)?;
        Installed::Replaced { backup }
    };
    std::fs::create_dir_all(&hooks).map_err(write_err)?;
    replace_file(&path, &wanted).map_err(write_err)?;
    Ok(Install {
        path,
        done: outcome,
        outside,
    })
}

/// Removes the pre-commit hook of the repository around `dir` if hfaudit wrote it, and puts
/// back the hook it replaced. Returns the hook's path.
pub fn uninstall_hook(dir: &Path) -> Result<(PathBuf, Uninstalled), GitError> {
    let hooks = hooks_dir(dir)?;
    let path = hooks.join(HOOK_NAME);
    if path.symlink_metadata().is_err() {
        return Ok((path, Uninstalled::NoHook));
    }
    if our_hook(&path).is_none() {
        return Err(GitError::NotOurHook { path });
    }
    let write_err = |source| GitError::HookWrite {
        path: path.clone(),
        source,
    };
    let backup = hooks.join(BACKUP_NAME);
    if backup.symlink_metadata().is_ok() {
        // One rename: the old hook replaces ours, whatever it is (a link stays a link).
        std::fs::rename(&backup, &path).map_err(write_err)?;
        return Ok((path, Uninstalled::Restored));
    }
    std::fs::remove_file(&path).map_err(write_err)?;
    Ok((path, Uninstalled::Removed))
}

/// Writes `text` to a new file next to `path` and renames it over `path`: a link at `path` is
/// replaced, never followed, and a half-written hook never runs.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_file_name(format!("{HOOK_NAME}.hfaudit-new"));
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o755);
    }
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        #[cfg(unix)]
        {
            // The mode given to open is masked by the umask; a hook must be executable.
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// The hook: POSIX sh, so it runs wherever git runs hooks (Git for Windows ships sh).
fn script(exe: Option<&Path>) -> String {
    let exe = exe.map_or_else(
        || "hfaudit".to_owned(),
        |p| p.to_string_lossy().into_owned(),
    );
    format!(
        r#"#!/bin/sh
{MARKER}: stops a commit that adds a Hugging Face token.
# Skip it once with `git commit --no-verify`; remove it with `hfaudit uninstall-hook`.
hfaudit={exe}
if [ ! -x "$hfaudit" ]; then
    hfaudit=$(command -v hfaudit) || {{
        echo "hfaudit pre-commit hook: hfaudit not found; install it, or commit with --no-verify" >&2
        exit 1
    }}
fi
exec "$hfaudit" scan --staged --quiet
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
        assert!(s.contains("exec \"$hfaudit\" scan --staged --quiet\n"));
        // The first hooks hfaudit wrote carry the same marker line: they are ours too.
        assert!(s.lines().nth(1).unwrap().starts_with(MARKER));
    }
}
