//! `hfaudit scan` end to end: the fixture repository in every format, exit codes, the walk's
//! edge cases and bad input. Reads like the bug reports it prevents.

use std::time::Duration;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{
    assert_no_token, fake_tokens, fixture, hfaudit, json_report, tokens_in_tree, write,
};

/// Replaces what changes from run to run (timings) so snapshots are stable.
fn stable(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = match line.find(" in ").zip(line.find(" ms")) {
            Some((a, b)) if a < b && line[a + 4..b].bytes().all(|c| c.is_ascii_digit()) => {
                format!("{} in [ms] ms{}", &line[..a], &line[b + 3..])
            }
            _ => line.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn findings(report: &Value) -> Vec<(String, String, Value)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].clone(),
            )
        })
        .collect()
}

/// `hfaudit scan ARGS` on a copy of the basic fixture: it has findings, so exit 1; its stdout.
fn scan_basic(args: &[&str]) -> Vec<u8> {
    let dir = fixture("basic");
    let out = hfaudit()
        .current_dir(dir.path())
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    out.stdout
}

#[test]
fn basic_fixture_human_snapshot() {
    let out = scan_basic(&["--color", "never"]);
    insta::assert_snapshot!("basic_human", stable(&String::from_utf8(out).unwrap()));
}

#[test]
fn basic_fixture_json_snapshot() {
    let dir = fixture("basic");
    let report = json_report(dir.path(), &[]);
    insta::assert_json_snapshot!("basic_json", report, {".summary.duration_ms" => "[ms]"});
}

#[test]
fn basic_fixture_sarif_snapshot_and_schema_types() {
    let stdout = scan_basic(&["--format", "sarif"]);
    // Typed structs of a well-kept SARIF crate: the document must deserialize into them.
    let typed: serde_sarif::sarif::Sarif =
        serde_json::from_slice(&stdout).expect("valid SARIF 2.1.0");
    assert_eq!(typed.version, serde_json::json!("2.1.0"));
    let run = &typed.runs[0];
    assert_eq!(
        run.tool.driver.rules.as_ref().unwrap().len(),
        hfaudit::rules::RULE_FILES.len()
    );
    let results = run.results.as_ref().unwrap();
    assert!(results.iter().all(|r| r
        .partial_fingerprints
        .as_ref()
        .is_some_and(|p| p.contains_key("hfaudit/v1"))));
    let value: Value = serde_json::from_slice(&stdout).unwrap();
    insta::assert_json_snapshot!("basic_sarif", value["runs"][0]["results"]);
}

#[test]
fn basic_fixture_github_snapshot() {
    let text = String::from_utf8(scan_basic(&["--format", "github"])).unwrap();
    assert!(text.lines().all(|l| l.starts_with("::error ")
        || l.starts_with("::warning ")
        || l.starts_with("::notice ")));
    insta::assert_snapshot!("basic_github", text);
}

#[test]
fn no_output_format_ever_holds_a_full_token() {
    let dir = fixture("basic");
    let tokens = tokens_in_tree(dir.path());
    assert!(tokens.len() >= 8, "fixture has tokens: {}", tokens.len());
    for format in ["human", "json", "sarif", "github"] {
        for color in ["never", "always"] {
            let out = hfaudit()
                .current_dir(dir.path())
                .args(["scan", "--format", format, "--color", color])
                .output()
                .unwrap();
            assert_no_token(&String::from_utf8_lossy(&out.stdout), &tokens, format);
            assert_no_token(&String::from_utf8_lossy(&out.stderr), &tokens, format);
        }
    }
    let out = hfaudit()
        .current_dir(dir.path())
        .arg("baseline")
        .output()
        .unwrap();
    assert_no_token(&String::from_utf8_lossy(&out.stdout), &tokens, "baseline");
}

#[test]
fn basic_fixture_rules_and_contexts() {
    let dir = fixture("basic");
    let report = json_report(dir.path(), &[]);
    let got = findings(&report);
    let has = |rule: &str, path: &str| got.iter().any(|(r, p, _)| r == rule && p == path);
    assert!(has("HF001", "app.py"));
    assert!(has("HF001", ".env"), "dotfiles are scanned");
    assert!(
        has("HF001", ".github/workflows/train.yml"),
        "hidden folders are scanned"
    );
    assert!(
        has("HF003", ".github/workflows/train.yml"),
        "shared between CI and source"
    );
    assert!(has("HF004", "notebooks/explore.ipynb"));
    assert!(has("HF005", "deploy/push.sh"));
    assert!(has("HF009", "legacy.py"));
    assert!(has("HF001", "data/cache.bin"), "binary files are scanned");
    assert!(
        !got.iter().any(|(_, p, _)| p == "README.md"),
        "placeholders never fire"
    );
    assert!(
        !got.iter().any(|(_, p, _)| p == "docs/setup.md"),
        "hfaudit:allow suppresses"
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    let f = report["findings"].as_array().unwrap();
    let bin = f.iter().find(|f| f["path"] == "data/cache.bin").unwrap();
    assert_eq!(bin["line"], Value::Null);
    assert_eq!(bin["offset"], 6);
    let shared = f.iter().find(|f| f["rule"] == "HF003").unwrap();
    assert_eq!(shared["locations"].as_array().unwrap().len(), 2);
    assert_eq!(
        f.iter().filter(|f| f["rule"] == "HF003").count(),
        1,
        "one HF003 per shared token"
    );
    let nb = f.iter().find(|f| f["rule"] == "HF004").unwrap();
    assert_eq!(
        nb["context"]["notebook_cell"],
        serde_json::json!({"index": 3, "part": "output"})
    );
    let env = f.iter().find(|f| f["path"] == ".env").unwrap();
    assert_eq!(env["context"]["platform"], "env_file");
    assert_eq!(env["context"]["usage"], "env_assignment");
    assert_eq!(
        env["context"]["need"], "read",
        "scripts/download.py reads HF_TOKEN and only downloads"
    );
    let app = f.iter().find(|f| f["path"] == "app.py").unwrap();
    assert_eq!(app["context"]["need"], "write", "app.py pushes to the Hub");
    assert_eq!(app["context"]["usage"], "login_call");
    assert!(
        has("HF015", "notebooks/explore.ipynb"),
        "the notebook prints os.environ['HF_TOKEN']"
    );
    // Practice findings (HF013–HF015) are about a variable: no token.
    for f in f.iter().filter(|f| !f["token"].is_null()) {
        let fp = f["token"]["fingerprint"].as_str().unwrap();
        assert_eq!(fp.len(), 16);
        assert!(f["token"]["redacted"].as_str().unwrap().contains('…'));
    }
    // Findings are sorted, so output never depends on thread timing.
    let keys: Vec<(String, u64)> = f
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn output_is_deterministic_across_thread_counts() {
    let dir = fixture("basic");
    let strip = |mut v: Value| {
        v["summary"]["duration_ms"] = Value::Null;
        v
    };
    let one = strip(json_report(dir.path(), &["-j", "1"]));
    let many = strip(json_report(dir.path(), &["-j", "8"]));
    assert_eq!(one, many);
}

#[test]
fn exit_codes_follow_fail_on() {
    let code = |dir: &std::path::Path, args: &[&str]| {
        hfaudit()
            .current_dir(dir)
            .arg("scan")
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    let dir = fixture("basic");
    assert_eq!(code(dir.path(), &[]), Some(1));
    assert_eq!(code(dir.path(), &["--fail-on", "never"]), Some(0));
    let clean = tempfile::tempdir().unwrap();
    write(
        clean.path(),
        "app.py",
        "from huggingface_hub import hf_hub_download\n",
    );
    hfaudit()
        .current_dir(clean.path())
        .arg("scan")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
    // Only a warning (legacy org token): fails at --fail-on warning, passes at error.
    let warn = tempfile::tempdir().unwrap();
    let body = &fake_tokens(9, 1)[0][3..];
    write(warn.path(), "x.py", format!("T = 'api_org_{body}'\n"));
    assert_eq!(code(warn.path(), &[]), Some(1));
    assert_eq!(code(warn.path(), &["--fail-on", "error"]), Some(0));
    assert_eq!(code(warn.path(), &["--path-that-does-not-exist"]), Some(2));
    hfaudit()
        .current_dir(warn.path())
        .args(["scan", "missing-folder"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "cannot read missing-folder: no such file or folder",
        ));
}

#[test]
fn output_file_and_colour() {
    let dir = fixture("basic");
    let out = dir.path().join("report.json");
    hfaudit()
        .current_dir(dir.path())
        .args(["scan", "-f", "json", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["version"], 1);
    let coloured = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\u{1b}["));
    let plain = hfaudit()
        .current_dir(dir.path())
        .arg("scan")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains("\u{1b}["),
        "no colour on a pipe / with NO_COLOR"
    );
}

#[test]
fn gitignore_is_respected_and_no_ignore_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(11, 2);
    write(dir.path(), ".gitignore", "ignored/\n");
    write(dir.path(), "ignored/secret.py", format!("T = '{}'\n", t[0]));
    write(dir.path(), "kept.py", format!("T = '{}'\n", t[1]));
    write(
        dir.path(),
        ".git/config",
        format!("url = https://u:{}@huggingface.co/x\n", t[0]),
    );
    let paths = |extra: &[&str]| {
        let r = json_report(dir.path(), extra);
        let mut p: Vec<String> = findings(&r).into_iter().map(|(_, p, _)| p).collect();
        p.dedup();
        p
    };
    assert_eq!(paths(&[]), vec!["kept.py"]);
    assert_eq!(
        paths(&["--no-ignore"]),
        vec!["ignored/secret.py", "kept.py"],
        ".git/ is never walked"
    );
}

#[test]
fn explicit_files_and_several_roots() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(12, 2);
    write(dir.path(), "a/one.py", format!("T = '{}'\n", t[0]));
    write(dir.path(), "b/two.py", format!("T = '{}'\n", t[1]));
    let r = json_report(dir.path(), &["a/one.py", "b"]);
    let paths: Vec<String> = findings(&r).into_iter().map(|(_, p, _)| p).collect();
    assert_eq!(paths, vec!["a/one.py", "b/two.py"]);
}

#[test]
fn tokens_hide_everywhere_and_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(13, 8);
    // CRLF, no trailing newline, invalid UTF-8 around the token, backticks, a JSON escape.
    write(
        dir.path(),
        "crlf.py",
        format!("a = 1\r\nT = \"{}\"\r\n", t[0]),
    );
    write(dir.path(), "last.sh", format!("export HF_TOKEN={}", t[1]));
    let mut bad = b"\xff\xfe broken \xc3( ".to_vec();
    bad.extend_from_slice(t[2].as_bytes());
    bad.extend_from_slice(b" \xff\n");
    write(dir.path(), "latin1.txt", bad);
    write(dir.path(), "doc.md", format!("Use `{}` here\n", t[3]));
    write(
        dir.path(),
        "escaped.json",
        format!("{{\"log\": \"line one\\n{}\\n\"}}\n", t[4]),
    );
    // A 6 MB minified one-line file with a token in the middle.
    let mut big = "var a=1;".repeat(400_000);
    big.push_str(&format!(
        "fetch(u,{{headers:{{Authorization:`Bearer {}`}}}});",
        t[5]
    ));
    big.push_str(&"var b=2;".repeat(400_000));
    write(dir.path(), "static/vendor.min.js", &big);
    write(dir.path(), "empty.py", "");
    write(dir.path(), "bom.py", format!("\u{feff}T = '{}'\n", t[6]));
    let r = json_report(dir.path(), &[]);
    let f = r["findings"].as_array().unwrap();
    let at = |path: &str| {
        f.iter()
            .find(|x| x["path"] == path)
            .unwrap_or_else(|| panic!("missed {path}"))
    };
    assert_eq!(
        (
            at("crlf.py")["line"].as_u64(),
            at("crlf.py")["column"].as_u64()
        ),
        (Some(2), Some(6))
    );
    assert_eq!(at("last.sh")["line"], 1);
    assert_eq!(at("latin1.txt")["line"], 1);
    assert_eq!(at("doc.md")["context"]["platform"], "docs");
    assert_eq!(at("escaped.json")["line"], 1);
    let min = at("static/vendor.min.js");
    assert_eq!(min["line"], 1);
    assert_eq!(min["column"].as_u64(), Some(3_200_000 + 40 + 1));
    assert_eq!(
        at("bom.py")["column"],
        6,
        "a byte-order mark is not a column"
    );
    assert_eq!(r["summary"]["files_scanned"], 8);
    assert!(r["errors"].as_array().unwrap().is_empty());
}

#[test]
fn big_files_are_streamed_and_the_size_limit_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(14, 3);
    // 70 MB: larger than the whole-file limit, so it is read in chunks; tokens near the start,
    // in the middle and at the very end (no newline after it).
    let line = "2026-11-30 12:00:00 INFO request ok status=200 path=/api/models\n";
    let mut log = String::with_capacity(71 << 20);
    log.push_str(&format!("boot HF_TOKEN={}\n", t[0]));
    while log.len() < 35 << 20 {
        log.push_str(line);
    }
    log.push_str(&format!("retry with {}\n", t[1]));
    while log.len() < 70 << 20 {
        log.push_str(line);
    }
    log.push_str(&t[2]);
    write(dir.path(), "logs/server.log", &log);
    let expected_lines: Vec<u64> = t
        .iter()
        .map(|tok| {
            let at = log.find(tok.as_str()).unwrap();
            log[..at].bytes().filter(|b| *b == b'\n').count() as u64 + 1
        })
        .collect();
    let r = json_report(dir.path(), &[]);
    let lines: Vec<u64> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, expected_lines);
    // Over the limit: skipped, counted, named in the human report; never dropped silently.
    let r = json_report(dir.path(), &["--max-filesize", "10M"]);
    assert_eq!(r["summary"]["files_skipped"], 1);
    assert!(r["findings"].as_array().unwrap().is_empty());
    hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--max-filesize", "10M"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("skipped logs/server.log"));
    hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--max-filesize", "ten"])
        .assert()
        .code(2);
}

#[cfg(unix)]
#[test]
fn fifos_and_symlink_loops_never_hang() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(15, 1);
    write(dir.path(), "real/app.py", format!("T = '{}'\n", t[0]));
    let fifo = dir.path().join("real/pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("..", dir.path().join("real/loop")).unwrap();
    std::os::unix::fs::symlink("app.py", dir.path().join("real/alias.py")).unwrap();
    for extra in [&[][..], &["--follow"][..]] {
        let out = hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--format", "json"])
            .args(extra)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        let skipped = r["skipped"].as_array().unwrap();
        assert!(
            skipped.iter().any(|s| s["path"] == "real/pipe"),
            "{extra:?}: {skipped:?}"
        );
        assert!(r["errors"].as_array().unwrap().is_empty());
        let found = r["findings"].as_array().unwrap().len();
        if extra.is_empty() {
            assert_eq!(found, 1, "links are not followed by default");
        } else {
            assert!(
                skipped.iter().any(|s| s["reason"] == "symlink loop"),
                "{skipped:?}"
            );
            assert!(found >= 2, "--follow scans the alias too");
        }
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_error_but_the_scan_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(16, 1);
    write(dir.path(), "ok.py", format!("T = '{}'\n", t[0]));
    // A dangling link under --follow cannot be read (this works as root, unlike chmod 000).
    std::os::unix::fs::symlink("does-not-exist.py", dir.path().join("gone.py")).unwrap();
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--follow", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["findings"].as_array().unwrap().len(),
        1,
        "the rest of the tree is still scanned"
    );
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "gone.py");
    if !is_root() {
        write(dir.path(), "locked.py", "x\n");
        let locked = dir.path().join("locked.py");
        std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000))
            .unwrap();
        hfaudit()
            .current_dir(dir.path())
            .arg("scan")
            .assert()
            .code(2)
            .stdout(predicate::str::contains("cannot read locked.py"));
    }
}

#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
fn malformed_notebook_is_scanned_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(17, 1);
    write(
        dir.path(),
        "broken.ipynb",
        format!(
            "{{\"cells\": [{{\"source\": [\"login(token=\\\"{}\\\")\"",
            t[0]
        ),
    );
    let r = json_report(dir.path(), &[]);
    let f = &r["findings"][0];
    assert_eq!(f["rule"], "HF001");
    assert_eq!(f["context"]["platform"], "notebook");
    assert_eq!(f["context"]["notebook_cell"], Value::Null);
}

#[test]
fn config_file_excludes_disables_overrides_and_allows() {
    let dir = fixture("basic");
    let report = json_report(dir.path(), &[]);
    let env_fp = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == ".env")
        .unwrap()["token"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    write(
        dir.path(),
        ".hfaudit.toml",
        format!(
            "exclude = [\"deploy/\", \"*.bin\"]\ndisable = [\"HF009\"]\nallow-fingerprints = [\"{env_fp}\"]\n\n[severity]\nHF003 = \"error\"\n"
        ),
    );
    let r = json_report(dir.path(), &[]);
    let got = findings(&r);
    assert!(
        !got.iter()
            .any(|(_, p, _)| p.starts_with("deploy/") || p == "data/cache.bin"),
        "{got:?}"
    );
    assert!(!got.iter().any(|(r, _, _)| r == "HF009"));
    assert!(!got.iter().any(|(_, p, _)| p == ".env"));
    let hf003 = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "HF003")
        .unwrap();
    assert_eq!(hf003["severity"], "error");
    // The same through [tool.hfaudit] in pyproject.toml, found upward from a subfolder.
    std::fs::remove_file(dir.path().join(".hfaudit.toml")).unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.hfaudit]\ndisable = [\"HF009\"]\n",
    );
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "-f", "json", "."])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!findings(&r).iter().any(|(r, _, _)| r == "HF009"));
    assert!(findings(&r).iter().any(|(r, _, _)| r == "HF005"));
}

#[test]
fn bad_config_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    // Writes the config, runs a scan, expects exit 2, returns stderr with the folder masked.
    let fails_with = |config: &str| {
        write(dir.path(), ".hfaudit.toml", config);
        let out = hfaudit()
            .current_dir(dir.path())
            .arg("scan")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{config}");
        String::from_utf8(out.stderr)
            .unwrap()
            .replace(&dir.path().display().to_string(), "[dir]")
    };
    insta::assert_snapshot!(
        "bad_config_unknown_key",
        fails_with("exclude = [\"x\"]\n\ndisabel = [\"HF001\"]\n")
    );
    insta::assert_snapshot!(
        "bad_config_unknown_rule",
        fails_with("disable = [\"HF001\", \"HF123\"]\n")
    );
    assert!(fails_with("[severity]\nHF001 = \"fatal\"\n").contains("line 2"));
}

#[test]
fn baseline_round_trip_hides_known_findings_and_counts_stale_entries() {
    let dir = fixture("basic");
    let out = hfaudit()
        .current_dir(dir.path())
        .arg("baseline")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(dir.path().join(".hfaudit-baseline.json"), &out.stdout).unwrap();
    let before = json_report(dir.path(), &[]);
    let n = before["findings"].as_array().unwrap().len();
    let r = json_report(dir.path(), &["--baseline", ".hfaudit-baseline.json"]);
    assert!(r["findings"].as_array().unwrap().is_empty());
    assert_eq!(r["summary"]["suppressed"].as_u64().unwrap(), n as u64 + 1);
    hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--baseline", ".hfaudit-baseline.json"])
        .assert()
        .code(0);
    // Moving a line keeps it hidden; a new token in a new file is reported.
    let app = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    std::fs::write(dir.path().join("app.py"), format!("\n\n# moved\n{app}")).unwrap();
    let t = fake_tokens(18, 1);
    write(dir.path(), "new.py", format!("T = '{}'\n", t[0]));
    std::fs::remove_file(dir.path().join("legacy.py")).unwrap();
    let r = json_report(dir.path(), &["--baseline", ".hfaudit-baseline.json"]);
    let got = findings(&r);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "new.py");
    assert_eq!(
        r["summary"]["stale_baseline"], 1,
        "legacy.py's entry is stale"
    );
    write(dir.path(), "bad-baseline.json", "{\"version\": 1}");
    hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--baseline", "bad-baseline.json"])
        .assert()
        .code(2);
}

#[test]
fn clean_ml_project_has_no_finding() {
    let dir = fixture("clean");
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--fail-on", "info"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let r = json_report(dir.path(), &[]);
    assert!(r["findings"].as_array().unwrap().is_empty());
    assert_eq!(
        r["summary"]["files_scanned"], 8,
        "dotfiles and hidden folders are read"
    );
}

#[test]
fn need_follows_the_variable_into_the_files_that_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(19, 3);
    // Standard name, read by a script that pushes: write.
    write(dir.path(), ".env", format!("HF_TOKEN={}\n", t[0]));
    write(dir.path(), "publish.py", "import os\nfrom huggingface_hub import HfApi\nHfApi(token=os.environ[\"HF_TOKEN\"]).upload_folder(folder_path='out', repo_id='acme/m')\n");
    // An unusual name, read only by a script that downloads: read (found by the second pass).
    write(
        dir.path(),
        "deploy/.env.prod",
        format!("ACME_HUB_SECRET={}\n", t[1]),
    );
    write(dir.path(), "serve.py", "import os\nfrom transformers import pipeline\npipe = pipeline('text-classification', model='acme/m', token=os.getenv('ACME_HUB_SECRET'))\n");
    // Nobody reads it: unknown.
    write(
        dir.path(),
        "old.env",
        format!("UNUSED_TOKEN_VAR={}\n", t[2]),
    );
    let r = json_report(dir.path(), &[]);
    let need = |path: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["context"]["need"]
            .clone()
    };
    assert_eq!(need(".env"), "write");
    assert_eq!(need("deploy/.env.prod"), "read");
    assert_eq!(need("old.env"), "unknown");
    let env = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "deploy/.env.prod")
        .unwrap();
    assert_eq!(env["context"]["env_var"], "ACME_HUB_SECRET");
}

#[test]
fn inline_allow_works_in_any_comment_syntax_and_in_notebook_cells() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(20, 6);
    write(
        dir.path(),
        "a.py",
        format!("T = '{}'  # hfaudit:allow\n", t[0]),
    );
    write(
        dir.path(),
        "b.js",
        format!(
            "// hfaudit:allow HF001 test fixture\nconst t = '{}';\n",
            t[1]
        ),
    );
    write(
        dir.path(),
        "c.yml",
        format!("# hfaudit:allow HF003\nkey: {}\n", t[2]),
    );
    let nb = format!(
        "{{\"cells\": [{{\"cell_type\": \"code\", \"metadata\": {{}}, \"outputs\": [],\n \"source\": [\n  \"# hfaudit:allow\\n\",\n  \"login(token=\\\"{}\\\")\"\n ]}}], \"metadata\": {{}}, \"nbformat\": 4, \"nbformat_minor\": 5}}\n",
        t[3]
    );
    write(dir.path(), "d.ipynb", nb);
    let r = json_report(dir.path(), &[]);
    let got = findings(&r);
    assert_eq!(
        got.len(),
        1,
        "only c.yml's HF001 remains (its marker allows HF003 only): {got:?}"
    );
    assert_eq!(got[0].1, "c.yml");
    assert_eq!(r["summary"]["suppressed"], 3);
}

#[test]
fn config_extends_call_lists_and_variable_names() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(21, 2);
    write(
        dir.path(),
        "tool.py",
        format!(
            "client = Acme(token='{}')\nclient.publish_model('x')\n",
            t[0]
        ),
    );
    write(dir.path(), ".env", format!("ACME_SECRET={}\n", t[1]));
    write(
        dir.path(),
        "run.py",
        "import os\nfetch_weights(os.environ['ACME_SECRET'])\n",
    );
    let need = |r: &Value, path: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["context"]["need"]
            .clone()
    };
    let before = json_report(dir.path(), &[]);
    assert_eq!(need(&before, "tool.py"), "unknown");
    assert_eq!(need(&before, ".env"), "unknown");
    write(dir.path(), ".hfaudit.toml", "write-calls = [\"publish_model\"]\nread-calls = [\"fetch_weights\"]\nenv-vars = [\"ACME_SECRET\"]\n");
    let after = json_report(dir.path(), &[]);
    assert_eq!(need(&after, "tool.py"), "write");
    assert_eq!(need(&after, ".env"), "read");
}

#[test]
fn config_exclude_applies_to_files_named_on_the_command_line() {
    // The pre-commit framework passes file names: an excluded fixture must not block a commit.
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(22, 2);
    write(dir.path(), ".hfaudit.toml", "exclude = [\"fixtures/\"]\n");
    write(dir.path(), "fixtures/fake.py", format!("T = '{}'\n", t[0]));
    write(dir.path(), "app.py", format!("T = '{}'\n", t[1]));
    let r = json_report(dir.path(), &["fixtures/fake.py", "app.py"]);
    let paths: Vec<String> = findings(&r).into_iter().map(|(_, p, _)| p).collect();
    assert_eq!(paths, vec!["app.py"]);
    hfaudit()
        .current_dir(dir.path())
        .args(["scan", "fixtures/fake.py"])
        .assert()
        .code(0);
    // A folder named explicitly is scanned as asked.
    hfaudit()
        .current_dir(dir.path())
        .args(["scan", "fixtures"])
        .assert()
        .code(1);
}

#[test]
fn anchored_excludes_work_from_the_default_path() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(23, 2);
    write(
        dir.path(),
        ".hfaudit.toml",
        "exclude = [\"tests/fixtures/\"]\n",
    );
    write(
        dir.path(),
        "tests/fixtures/f.py",
        format!("T = '{}'\n", t[0]),
    );
    write(dir.path(), "src/fixtures/f.py", format!("T = '{}'\n", t[1]));
    for args in [&[][..], &["."][..], &["./"][..]] {
        let r = json_report(dir.path(), args);
        let paths: Vec<String> = findings(&r).into_iter().map(|(_, p, _)| p).collect();
        assert_eq!(paths, vec!["src/fixtures/f.py"], "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_keeps_the_exit_code_of_the_findings() {
    // Far more output than a pipe buffers, so the writer really meets a closed pipe.
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = fake_tokens(24, 3000)
        .iter()
        .map(|t| format!("T = '{t}'"))
        .collect();
    write(dir.path(), "many.py", lines.join("\n"));
    let bin = assert_cmd::cargo::cargo_bin("hfaudit");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; NO_COLOR=1 '{}' scan | head -c 1 >/dev/null",
            bin.display()
        ))
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "findings, even though the reader left early"
    );
}

#[test]
fn a_space_runs_its_code_on_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(25, 1);
    write(
        dir.path(),
        "app.py",
        format!(
            "import gradio as gr\nclient = InferenceClient(token='{}')\n",
            t[0]
        ),
    );
    let platform =
        |dir: &std::path::Path| json_report(dir, &[])["findings"][0]["context"]["platform"].clone();
    assert_eq!(platform(dir.path()), "source");
    write(
        dir.path(),
        "README.md",
        "---\ntitle: Demo\nsdk: gradio\napp_file: app.py\n---\n\n# Demo\n",
    );
    assert_eq!(
        platform(dir.path()),
        "server",
        "a Space's README front matter names its sdk"
    );
    let help = json_report(dir.path(), &[])["findings"][0]["help"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(help.contains("Space secret"), "{help}");
}

/// Files around the first read's size (256 KiB: read without asking the size below it, asked
/// above it): a token at the very end, and one straddling the boundary, are found at their
/// lines, and `--max-filesize` holds for a small file as for a big one.
#[test]
fn files_around_the_first_read_are_read_whole() {
    const FIRST: usize = 256 << 10;
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(41, 8);
    let mut expect = Vec::new();
    for (i, size) in [FIRST - 1, FIRST, FIRST + 1, 3 * FIRST]
        .into_iter()
        .enumerate()
    {
        let (end_tok, mid_tok) = (&t[2 * i], &t[2 * i + 1]);
        // Lines of filler, a token (across the 256 KiB mark in the big file), filler, a token
        // ending the file.
        let mid = if size > 2 * FIRST {
            FIRST - 20
        } else {
            size / 2
        };
        let mut text = String::new();
        while text.len() < mid {
            text.push_str("x = 1 # filler\n");
        }
        text.truncate(mid);
        text.push_str(&format!("\nm = '{mid_tok}'\n"));
        let line_mid = text.matches('\n').count();
        while text.len() < size - end_tok.len() - 1 {
            text.push('y');
        }
        text.truncate(size - end_tok.len() - 1);
        text.push('\n');
        let line_end = text.matches('\n').count() + 1;
        text.push_str(end_tok);
        assert_eq!(text.len(), size);
        write(dir.path(), &format!("f{i}.txt"), &text);
        expect.push((format!("f{i}.txt"), line_mid as u64, mid_tok.clone()));
        expect.push((format!("f{i}.txt"), line_end as u64, end_tok.clone()));
    }
    let r = json_report(dir.path(), &[]);
    let mut got: Vec<(String, u64, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["token"]["redacted"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, u64, String)> = expect
        .iter()
        .map(|(p, l, tok)| {
            (
                p.clone(),
                *l,
                format!("{}…{}", &tok[..7], &tok[tok.len() - 4..]),
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
    // A limit below the smallest file skips all four, read or not before the size was known.
    let r = json_report(dir.path(), &["--max-filesize", "200K"]);
    assert_eq!(r["summary"]["files_skipped"], 4);
    assert!(r["findings"].as_array().unwrap().is_empty());
}
