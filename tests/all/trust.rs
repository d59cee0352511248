//! Trust: hfaudit is safe to point at any tree. No output holds a full token whatever bytes
//! surround it; hostile files cost bounded time and memory; paths lead where the user looks;
//! nothing from the tree reaches a terminal unescaped.

use std::path::Path;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::common::{
    assert_no_token, fake_body, fake_tokens, fixture, hfaudit, json_report, write,
};

/// Every value `--format` takes, read from its definition: a format added later is covered by
/// every test that asks for all of them, without anyone remembering to list it.
pub fn every_format() -> Vec<String> {
    use clap::ValueEnum;
    let formats: Vec<String> = hfaudit::report::Format::value_variants()
        .iter()
        .filter_map(ValueEnum::to_possible_value)
        .map(|v| v.get_name().to_owned())
        .collect();
    assert!(formats.len() >= 5, "{formats:?}");
    formats
}

/// Every output a scan can write: each format (colour on and off), a baseline, `-o FILE`.
fn every_output(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut outs = Vec::new();
    for format in every_format() {
        let format = format.as_str();
        for color in ["never", "always"] {
            let out = hfaudit()
                .current_dir(dir)
                .args([
                    "scan",
                    "--no-progress",
                    "--format",
                    format,
                    "--color",
                    color,
                ])
                .args(extra)
                .output()
                .unwrap();
            let what = format!("{format} (colour {color})");
            outs.push((
                what.clone(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ));
            outs.push((what, String::from_utf8_lossy(&out.stderr).into_owned()));
        }
    }
    let out = hfaudit()
        .current_dir(dir)
        .arg("baseline")
        .args(extra)
        .output()
        .unwrap();
    outs.push((
        "baseline".into(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ));
    let report = tempfile::NamedTempFile::new().unwrap();
    let out = hfaudit()
        .current_dir(dir)
        .args(["scan", "--format", "human", "--color", "always", "-o"])
        .arg(report.path())
        .args(extra)
        .output()
        .unwrap();
    outs.push((
        "-o stderr".into(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));
    outs.push((
        "-o file".into(),
        String::from_utf8_lossy(&std::fs::read(report.path()).unwrap()).into_owned(),
    ));
    outs
}

/// Random bytes of every value around tokens (Latin-1, GBK and Shift-JIS lead bytes right
/// before `hf_`, NULs, escapes, control characters), tokens in file and folder names: no
/// output in any format holds a token.
#[test]
fn no_output_holds_a_token_whatever_bytes_surround_it() {
    for seed in 0..3u64 {
        let mut rng = StdRng::seed_from_u64(100 + seed);
        let dir = tempfile::tempdir().unwrap();
        let mut tokens = Vec::new();
        for file in 0..12 {
            let mut data = Vec::new();
            for _ in 0..rng.gen_range(1..5) {
                for _ in 0..rng.gen_range(0..8) {
                    data.push(rng.gen::<u8>());
                }
                // A lead byte of a multi-byte sequence, one to three bytes before the prefix.
                data.push(rng.gen_range(0xC0..=0xF7));
                for _ in 0..rng.gen_range(0..3) {
                    data.push(b"=\"' "[rng.gen_range(0..4)]);
                }
                let prefix = if rng.gen_bool(0.2) { "api_org_" } else { "hf_" };
                let t = format!("{prefix}{}", fake_body(&mut rng));
                data.extend_from_slice(t.as_bytes());
                tokens.push(t);
                if rng.gen_bool(0.5) {
                    data.push(b'\n');
                }
            }
            let name = if file % 2 == 0 { "notes.txt" } else { "cfg.py" };
            write(dir.path(), &format!("d{file}/{name}"), &data);
        }
        // Names that are tokens: a file, and a folder holding a file with one more.
        let named = fake_tokens(200 + seed, 3);
        write(dir.path(), &format!("{}.py", named[0]), "x = 1\n");
        write(
            dir.path(),
            &format!("{}/app.py", named[1]),
            format!("T = \"{}\"\n", named[2]),
        );
        tokens.extend(named);
        for (what, text) in every_output(dir.path(), &[]) {
            assert_no_token(&text, &tokens, &format!("seed {seed}: {what}"));
        }
    }
}

/// The binary fixtures are real files: a `.pyc` (the token, then marshal's `N`), a SQLite
/// database (the token, then the next column's text) and a shared library whose symbol names
/// look like tokens. Exactly the three planted tokens are found.
#[test]
fn real_binary_files_tokens_glued_to_their_neighbours() {
    let dir = fixture("binary");
    let r = json_report(dir.path(), &[]);
    let mut got: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["token"]["fingerprint"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let expected = std::fs::read_to_string(dir.path().join("fingerprints.txt")).unwrap();
    let expected: Vec<&str> = expected.lines().collect();
    let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["cache.sqlite", "libsym.so", "settings.pyc"]);
    let mut fps: Vec<&str> = got.iter().map(|(_, f)| f.as_str()).collect();
    fps.sort_unstable();
    let mut want = expected.clone();
    want.sort_unstable();
    assert_eq!(fps, want);
}

fn finding_paths(r: &Value) -> Vec<String> {
    let mut v: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

/// `hfaudit scan src` reports `src/app.py` (a path CI can open), in every format; SARIF URIs
/// are percent-encoded and relative to the repository root, also from a subfolder.
#[test]
fn paths_are_printed_as_the_user_named_them() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(31, 2);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "src/app.py", format!("T = '{}'\n", t[0]));
    write(
        dir.path(),
        "src/my dir/100% x.py",
        format!("T = '{}'\n", t[1]),
    );
    let r = json_report(dir.path(), &["src"]);
    assert_eq!(finding_paths(&r), ["src/app.py", "src/my dir/100% x.py"]);
    let human = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "src"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("--> src/app.py:1:6"));
    let github = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "src", "--format", "github"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&github.stdout).contains("file=src/app.py,"));
    // From inside `src`, paths are relative to it, SARIF's to the repository root.
    let src = dir.path().join("src");
    let r = json_report(&src, &[]);
    assert_eq!(finding_paths(&r), ["app.py", "my dir/100% x.py"]);
    let out = hfaudit()
        .current_dir(&src)
        .args(["scan", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let mut uris: Vec<String> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(loc["uriBaseId"], "%SRCROOT%");
            loc["uri"].as_str().unwrap().to_owned()
        })
        .collect();
    uris.sort();
    assert_eq!(uris, ["src/app.py", "src/my%20dir/100%25%20x.py"]);
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_sarif_notifications() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.py", "x = 1\n");
    std::os::unix::fs::symlink("does-not-exist.py", dir.path().join("gone.py")).unwrap();
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--follow", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let note = &inv["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert!(note["message"]["text"]
        .as_str()
        .unwrap()
        .contains("gone.py"));
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "gone.py"
    );
}

/// A `.hfaudit.toml` above the repository (say in a shared, world-writable folder) does not
/// apply; the repository's own does, and the report names it.
#[test]
fn config_discovery_stops_at_the_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), ".hfaudit.toml", "disable = [\"HF001\"]\n");
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let t = fake_tokens(32, 1);
    write(&repo, "sub/app.py", format!("T = '{}'\n", t[0]));
    let r = json_report(&repo.join("sub"), &[]);
    assert_eq!(
        r["findings"].as_array().unwrap().len(),
        1,
        "outer config ignored"
    );
    assert_eq!(r["summary"]["config"], Value::Null);
    write(
        &repo,
        "pyproject.toml",
        "[tool.hfaudit]\nexclude = [\"sub/\"]\n",
    );
    let r = json_report(&repo, &[]);
    assert_eq!(r["findings"].as_array().unwrap().len(), 0);
    let named = r["summary"]["config"].as_str().unwrap();
    assert!(named.ends_with("pyproject.toml"), "{named}");
    let human = hfaudit().current_dir(&repo).arg("scan").output().unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("note: config ") && text.contains("pyproject.toml"),
        "{text}"
    );
}

/// Configs, baselines and ignore files that are devices, FIFOs or endless: a clear error (or,
/// for ignore files, a folder scanned without them), quickly, never a hang or an abort.
#[cfg(unix)]
#[test]
fn hostile_side_files_are_bounded() {
    let fifo = |p: &Path| {
        let ok = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo");
    };
    let deadline = Duration::from_secs(30);
    for target in ["/dev/zero", "/proc/self/pagemap", "FIFO"] {
        let dir = tempfile::tempdir().unwrap();
        let t = fake_tokens(33, 1);
        write(dir.path(), "app.py", format!("T = '{}'\n", t[0]));
        let link = |name: &str| {
            let p = dir.path().join(name);
            if target == "FIFO" {
                fifo(&p);
            } else {
                std::os::unix::fs::symlink(target, &p).unwrap();
            }
        };
        link(".hfaudit.toml");
        let out = hfaudit()
            .current_dir(dir.path())
            .arg("scan")
            .timeout(deadline)
            .output()
            .unwrap();
        // A FIFO is a clear error; a link is not read at all (a note says so) and the scan
        // goes on with the defaults, finding the token.
        let want = if target == "FIFO" { 2 } else { 1 };
        assert_eq!(out.status.code(), Some(want), "{target} as config");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(".hfaudit.toml"), "{target}: {text}");
        std::fs::remove_file(dir.path().join(".hfaudit.toml")).unwrap();
        for flag in ["--config", "--baseline"] {
            let out = hfaudit()
                .current_dir(dir.path())
                .args(["scan", flag, target])
                .timeout(deadline)
                .output()
                .unwrap();
            if target != "FIFO" {
                assert_eq!(out.status.code(), Some(2), "{target} as {flag}");
            }
        }
        // Ignore files: never read; the folder is scanned without them, and the report says so.
        link(".gitignore");
        write(dir.path(), "sub/b.py", format!("T = '{}'\n", t[0]));
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("sub/.ignore")).unwrap();
        let out = hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--format", "json"])
            .timeout(deadline)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{target} as .gitignore");
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(finding_paths(&r), ["app.py", "sub/b.py"], "{target}");
        // The root's ignore file is in trouble: nothing is read for ignore rules at all.
        let ignored: Vec<&str> = r["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("ignore file not read")
            })
            .map(|s| s["path"].as_str().unwrap())
            .collect();
        assert_eq!(ignored, [".gitignore"], "{target}");
    }
}

/// A hostile nested ignore file may not hide what its folder holds, nor the rest of the tree.
#[cfg(unix)]
#[test]
fn a_hostile_nested_ignore_file_hides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(34, 2);
    write(dir.path(), ".gitignore", "*.log\n");
    write(dir.path(), "skip.log", format!("{}\n", t[0]));
    write(dir.path(), "deep/x/app.py", format!("T = '{}'\n", t[1]));
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("deep/.gitignore")).unwrap();
    let r = json_report(dir.path(), &[]);
    // The troubled folder is scanned without ignore rules, and the report names the file.
    assert!(finding_paths(&r).contains(&"deep/x/app.py".to_owned()));
    let skipped: Vec<&str> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["deep/.gitignore"]);
}

/// Files git tracks are scanned even when an ignore file lists them (`git add -f`).
#[test]
fn tracked_files_are_scanned_even_when_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    let t = fake_tokens(35, 2);
    git(&["init", "-q"]);
    write(dir.path(), ".gitignore", "secrets/\n*.env\n");
    write(dir.path(), "secrets/prod.py", format!("T = '{}'\n", t[0]));
    write(dir.path(), "local.env", format!("HF_TOKEN={}\n", t[1]));
    git(&["add", "-f", "secrets/prod.py", ".gitignore"]);
    let r = json_report(dir.path(), &[]);
    assert_eq!(
        finding_paths(&r),
        ["secrets/prod.py"],
        "tracked: scanned; untracked and ignored: not"
    );
    let r = json_report(dir.path(), &["secrets"]);
    assert_eq!(finding_paths(&r), ["secrets/prod.py"]);
}

/// `-` reads standard input; a FIFO named on the command line is read, not skipped.
#[cfg(unix)]
#[test]
fn standard_input_and_named_fifos_are_read() {
    let t = fake_tokens(36, 2);
    let dir = tempfile::tempdir().unwrap();
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "-", "--format", "json"])
        .write_stdin(format!("login(token=\"{}\")\n", t[0]))
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding_paths(&r), ["<stdin>"]);
    assert_eq!(r["findings"][0]["line"], 1);
    let fifo = dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let writer = {
        let fifo = fifo.clone();
        let text = format!("x\nT = '{}'\n", t[1]);
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "pipe", "--format", "json"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding_paths(&r), ["pipe"]);
    assert_eq!(r["findings"][0]["line"], 2);
}

/// File names with escape sequences, bidi overrides and newlines reach the terminal escaped.
#[cfg(unix)]
#[test]
fn names_are_escaped_before_a_terminal_sees_them() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(37, 1);
    for name in ["evil\x1b[2J.py", "a\u{202e}yp.b", "two\nlines.py"] {
        write(dir.path(), name, format!("T = '{}'\n", t[0]));
    }
    for format in ["human", "github"] {
        let out = hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains('\x1b'), "{format}: raw escape");
        assert!(!text.contains('\u{202e}'), "{format}: raw bidi override");
        assert!(!text.contains("two\nlines"), "{format}: raw newline");
        assert!(text.contains("evil\\x1b[2J.py"), "{format}: {text}");
        assert!(text.contains("a\\u{202e}yp.b"), "{format}");
    }
}

/// `--color auto` (the default) colours a terminal, and only a terminal: run under a
/// pseudo-terminal with `script(1)`.
#[cfg(unix)]
#[test]
fn auto_colour_turns_on_for_a_terminal() {
    let script = std::process::Command::new("script")
        .arg("--version")
        .output();
    assert!(
        script.is_ok_and(|o| o.status.success()),
        "script(1) from util-linux is needed"
    );
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(38, 1);
    write(dir.path(), "app.py", format!("T = '{}'\n", t[0]));
    let bin = assert_cmd::cargo::cargo_bin("hfaudit");
    let run = |no_color: bool| {
        let mut cmd = std::process::Command::new("script");
        cmd.current_dir(dir.path())
            .args(["-qec"])
            .arg(format!("{} scan --no-progress", bin.display()))
            .arg("/dev/null")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CI")
            .env("TERM", "xterm");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = run(false);
    assert!(coloured.contains("leaked-token"), "{coloured}");
    assert!(coloured.contains("\x1b["), "a terminal gets colour");
    let plain = run(true);
    assert!(plain.contains("leaked-token"));
    assert!(!plain.contains("\x1b["), "NO_COLOR is honoured");
    // A pipe gets none.
    let piped = hfaudit()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .arg("scan")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&piped.stdout).contains('\x1b'));
}

#[test]
fn output_file_is_announced_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(39, 1);
    write(dir.path(), "app.py", format!("T = '{}'\n", t[0]));
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "-o", "report.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hfaudit: report written to report.json: 1 finding (1 error)"),
        "{err}"
    );
}

#[test]
fn thread_count_is_bounded() {
    hfaudit()
        .args(["scan", "-j", "100000"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("256"));
}

/// The hostile tree as a whole, under a 1 GiB address-space limit: ignore files and a config
/// pointing at endless devices, a FIFO, a symlink loop, a malformed notebook, a long line of
/// token-like text. The scan finishes, finds the one token, and stays within the limit.
#[cfg(unix)]
#[test]
fn a_hostile_tree_is_scanned_within_a_memory_limit() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let t = fake_tokens(40, 1);
    write(root, "app.py", format!("T = '{}'\n", t[0]));
    symlink("/dev/zero", root.join(".gitignore")).unwrap();
    write(root, "a/b/x.txt", "x\n");
    symlink("/proc/self/pagemap", root.join("a/.ignore")).unwrap();
    symlink("..", root.join("a/b/loop")).unwrap();
    symlink("/dev/zero", root.join("a/zero.py")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(root.join("a/pipe.py"))
        .status()
        .unwrap()
        .success());
    write(root, "nb.ipynb", "{\"cells\": [{\"outputs\": [\"hf_\"");
    write(root, "long.txt", "hf_abc ".repeat(2 << 20));
    let bin = assert_cmd::cargo::cargo_bin("hfaudit");
    for follow in ["", "--follow"] {
        let out = std::process::Command::new("sh")
            .current_dir(root)
            .arg("-c")
            .arg(format!(
                "ulimit -v 1048576 && exec {} scan --no-progress --format json {follow}",
                bin.display()
            ))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(finding_paths(&r), ["app.py"], "{follow}");
        // Followed, the link to /proc/self/pagemap is a file that cannot be read: exit 2.
        let want = if follow.is_empty() { 1 } else { 2 };
        assert_eq!(out.status.code(), Some(want), "{follow}: {}", r["errors"]);
    }
}

/// From the attacker review: each of these once broke a promise.
#[cfg(unix)]
#[test]
fn review_findings_stay_fixed() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let t = fake_tokens(60, 4);
    // `-o` never writes through a committed symbolic link.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "victim", "#!/bin/sh\necho tool\n");
    std::os::unix::fs::symlink(dir.path().join("victim"), dir.path().join("hfaudit.json")).unwrap();
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "-o", "hfaudit.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("victim")).unwrap(),
        "#!/bin/sh\necho tool\n"
    );
    // clap's own errors echo arguments: redacted too.
    for args in [
        vec!["whoami", t[0].as_str()],
        vec!["scan", "-j", t[0].as_str()],
        vec![t[0].as_str()],
    ] {
        let out = hfaudit().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let text = String::from_utf8_lossy(&out.stderr);
        assert_no_token(&text, &t[..1], "a usage error");
    }
    // A run of token characters longer than anything held back: `hf_` + dashes + a token.
    let sneaky = format!("hf_{}{}{}", "a".repeat(16), "-".repeat(5000), t[1]);
    let out = hfaudit()
        .args(["scan", "--since", &sneaky])
        .output()
        .unwrap();
    assert_no_token(
        &String::from_utf8_lossy(&out.stderr),
        &t[1..2],
        "an echoed revision",
    );
    // Two tokens in one base64 run; a practice finding on a line with an encoded token; a
    // word longer than the snippet budget ending in a token.
    let dir = tempfile::tempdir().unwrap();
    let both = b64(&format!("{} {}", t[2], t[3]));
    write(dir.path(), "k8s.yaml", format!("data:\n  pair: {both}\n"));
    write(
        dir.path(),
        "run.sh",
        format!("echo $HF_TOKEN # {}\n", b64(&t[2])),
    );
    write(
        dir.path(),
        "long.txt",
        format!("{}{} x\n", "z".repeat(3000), t[3]),
    );
    let encoded: Vec<String> = vec![both.clone(), b64(&t[2])];
    for format in ["human", "json", "sarif", "github"] {
        let out = hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_no_token(&text, &t, format);
        for e in &encoded {
            assert!(
                !text.contains(&e[8..40]),
                "{format} shows base64 of a token"
            );
        }
    }
    // A FIFO for .git/HEAD (an unpacked tarball) does not hang the tree scan; a linked config
    // is not read.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(dir.path().join(".git/HEAD"))
        .status()
        .unwrap()
        .success());
    write(dir.path(), "app.py", format!("T = '{}'\n", t[0]));
    write(
        dir.path(),
        "secret.txt",
        "machine example.com password hunter2\n",
    );
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        dir.path().join(".hfaudit.toml"),
    )
    .unwrap();
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "json"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("hunter2"));
    assert!(err.contains("not a regular file"), "{err}");
    assert!(err.contains("symbolic link: not read as a config"), "{err}");
}

/// A write that fails at the final flush (a full disk) is an error, exit 2, for every command
/// that prints: the buffered writer must not swallow it when it is dropped.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_error_for_every_command() {
    let dir = fixture("basic");
    for args in [
        &["rules"][..],
        &["rules", "--markdown"],
        &["rule", "HF001"],
        &["baseline", "--no-config"],
        &["scan", "--no-config"],
        &["scan", "--no-config", "-f", "json"],
        &["completions", "bash"],
        &["man"],
        &["--help"],
        &["--version"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("hfaudit"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("HF_TOKEN")
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("No space left"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
