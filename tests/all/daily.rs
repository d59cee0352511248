//! Daily use (issue 21): what annoys on the hundredth run. Quiet runs, colour the way CI
//! systems ask for it, one missing path among several, one help text per rule, a summary that
//! says what an exit 2 means, `fail-on` in the config, rule selection, a baseline that refuses
//! options meaning nothing to it, logs that are not documentation.

use serde_json::Value;

use crate::common::{fake_tokens, hfaudit, write};

/// `hfaudit ARGS` in `dir`: exit code, stdout, stderr.
fn run_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = hfaudit();
    cmd.current_dir(dir).env("CI", "1").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn leaky_tree(seed: u64) -> tempfile::TempDir {
    let t = fake_tokens(seed, 3);
    let dir = tempfile::tempdir().unwrap();
    for (i, tok) in t.iter().enumerate() {
        write(
            dir.path(),
            &format!("app{i}.py"),
            format!("login(token=\"{tok}\")\n"),
        );
    }
    write(dir.path(), "clean/ok.py", "print('hello')\n");
    dir
}

#[test]
fn quiet_prints_nothing_on_success_and_only_findings_otherwise() {
    let dir = leaky_tree(2101);
    let (code, out, err) = run_in(
        &dir.path().join("clean"),
        &["scan", "-q", "--no-config"],
        &[],
    );
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let (code, out, err) = run_in(dir.path(), &["scan", "--quiet", "--no-config"], &[]);
    assert_eq!(code, 1);
    assert!(out.contains("error[HF001]"), "{out}");
    for noise in ["advice:", "note:", " findings (", "files ("] {
        assert!(
            !out.contains(noise) && !err.contains(noise),
            "{noise}: {out}{err}"
        );
    }
    // A machine format stays whole; its notes on standard error go.
    let (_, out, err) = run_in(
        dir.path(),
        &["scan", "-q", "--no-config", "-f", "json"],
        &[],
    );
    assert!(serde_json::from_str::<Value>(&out).is_ok());
    assert!(err.is_empty(), "{err}");
}

#[test]
fn force_color_and_no_color() {
    let dir = leaky_tree(2102);
    let args = ["scan", "--no-config"];
    // The tests' environment sets NO_COLOR; FORCE_COLOR outranks it, as CLICOLOR_FORCE does.
    let (_, out, _) = run_in(dir.path(), &args, &[("FORCE_COLOR", "1")]);
    assert!(out.contains("\u{1b}["), "no colour with FORCE_COLOR: {out}");
    let (_, out, _) = run_in(
        dir.path(),
        &["scan", "--no-config", "--no-color"],
        &[("FORCE_COLOR", "1")],
    );
    assert!(!out.contains("\u{1b}["), "colour with --no-color");
    let (_, out, _) = run_in(dir.path(), &args, &[("FORCE_COLOR", "")]);
    assert!(
        !out.contains("\u{1b}["),
        "an empty FORCE_COLOR forces nothing"
    );
}

#[test]
fn a_missing_path_is_an_error_of_its_own_and_the_others_are_scanned() {
    let dir = leaky_tree(2103);
    let (code, out, _) = run_in(
        dir.path(),
        &[
            "scan",
            "--no-config",
            "-f",
            "json",
            "app0.py",
            "nope.py",
            "app1.py",
        ],
        &[],
    );
    assert_eq!(code, 2);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        2,
        "{report:#}"
    );
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "nope.py");
    assert_eq!(errors[0]["message"], "no such file or folder");
    // Only missing paths: an error for each, no scan of the current folder instead.
    let (code, out, _) = run_in(
        dir.path(),
        &["scan", "--no-config", "-f", "json", "x", "y"],
        &[],
    );
    assert_eq!(code, 2);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["errors"].as_array().unwrap().len(), 2);
    assert!(report["findings"].as_array().unwrap().is_empty());
}

#[test]
fn each_help_text_is_printed_once() {
    let dir = leaky_tree(2104);
    let (_, out, _) = run_in(dir.path(), &["scan", "--no-config"], &[]);
    assert_eq!(
        out.matches("= help: Read the token from the environment")
            .count(),
        1,
        "{out}"
    );
    assert_eq!(
        out.matches("= help: as above for HF001 (`hfaudit rule HF001`)")
            .count(),
        2
    );
    let (_, out, _) = run_in(dir.path(), &["scan", "--no-config", "--verbose"], &[]);
    assert_eq!(
        out.matches("= help: Read the token from the environment")
            .count(),
        3
    );
}

#[test]
fn the_summary_of_an_output_file_says_what_could_not_be_read() {
    let dir = leaky_tree(2105);
    let (code, _, err) = run_in(
        dir.path(),
        &[
            "scan",
            "--no-config",
            "-f",
            "json",
            "-o",
            "r.json",
            "app0.py",
            "gone.py",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "hfaudit: report written to r.json: 1 finding (1 error), 1 file could not be read"
        ),
        "{err}"
    );
    let (_, _, err) = run_in(
        dir.path(),
        &["scan", "--no-config", "-o", "r.txt", "clean", "gone.py"],
        &[],
    );
    assert!(
        err.contains("hfaudit: report written to r.txt: 0 findings, 1 file could not be read"),
        "{err}"
    );
}

#[test]
fn fail_on_in_the_config_and_rule_selection() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(2106, 1);
    // An HF011-free warning: a placeholder-free token in a notebook output is HF004 (error);
    // HF003 (shared across platforms) is a warning.
    write(dir.path(), "app.py", format!("login(token=\"{}\")\n", t[0]));
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        format!("env:\n  HF_TOKEN: {}\n", t[0]),
    );
    let (code, out, _) = run_in(dir.path(), &["scan", "-f", "json"], &[]);
    assert_eq!(code, 1);
    let rules = |out: &str| -> Vec<String> {
        let r: Value = serde_json::from_str(out).unwrap();
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(rules(&out).contains(&"HF003".to_owned()), "{out}");
    // Only HF003 (a warning), and `fail-on = "error"` in the config: exit 0.
    write(dir.path(), ".hfaudit.toml", "fail-on = \"error\"\n");
    let (code, out, _) = run_in(
        dir.path(),
        &["scan", "-f", "json", "--select", "HF003"],
        &[],
    );
    assert_eq!(rules(&out), ["HF003"]);
    assert_eq!(code, 0, "fail-on from the config");
    // The flag outranks the config.
    let (code, _, _) = run_in(
        dir.path(),
        &["scan", "--select", "hf003", "--fail-on", "warning"],
        &[],
    );
    assert_eq!(code, 1);
    let (_, out, _) = run_in(
        dir.path(),
        &["scan", "-f", "json", "--ignore", "HF003,HF001"],
        &[],
    );
    assert!(
        rules(&out).iter().all(|r| r != "HF003" && r != "HF001"),
        "{out}"
    );
    let (code, _, err) = run_in(dir.path(), &["scan", "--select", "HF999"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule id \"HF999\""), "{err}");
}

#[test]
fn baseline_refuses_options_that_mean_nothing_to_it() {
    let dir = leaky_tree(2107);
    for bad in [
        &["--format", "sarif"][..],
        &["--fail-on", "error"],
        &["--quiet"],
        &["--revoke", "--yes"],
    ] {
        let mut args = vec!["baseline", "--no-config"];
        args.extend_from_slice(bad);
        let (code, out, err) = run_in(dir.path(), &args, &[]);
        assert_eq!(code, 2, "{bad:?}");
        assert!(out.is_empty(), "{bad:?}: {out}");
        assert!(
            err.contains("`hfaudit baseline` does not take"),
            "{bad:?}: {err}"
        );
    }
    let (code, out, _) = run_in(
        dir.path(),
        &["baseline", "--no-config", "--select", "HF001"],
        &[],
    );
    assert_eq!(code, 0);
    assert!(out.contains("\"entries\""));
}

#[test]
fn a_log_is_not_documentation() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(2108, 2);
    write(
        dir.path(),
        "logs/train_log.txt",
        format!("step 10 loss 0.3 token={}\n", t[0]),
    );
    write(
        dir.path(),
        "docs/notes.txt",
        format!("use {} for the demo\n", t[1]),
    );
    let (_, out, _) = run_in(dir.path(), &["scan", "--no-config", "-f", "json"], &[]);
    let r: Value = serde_json::from_str(&out).unwrap();
    let platform = |path: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["context"]["platform"]
            .clone()
    };
    assert_eq!(platform("logs/train_log.txt"), "other");
    assert_eq!(platform("docs/notes.txt"), "docs");
}
