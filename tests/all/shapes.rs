//! Snapshots of what reports look like for every kind of origin (issue 19): archive members,
//! decoded tokens, git findings with their commits, Hub findings with their `source`, in the
//! JSON and human formats. The tokens are fake and fixed (made from a fixed seed), so the
//! snapshots are stable; what changes from run to run (timings, the mock's port) is replaced.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::common::{fake_tokens, fixture, hfaudit, write};
use crate::mock::{Response, Server};

/// Timings and a loopback endpoint replaced by stable marks.
fn stable(text: &str, endpoint: Option<&str>) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut line = match line.find(" in ").zip(line.find(" ms")) {
            Some((a, b)) if a < b && line[a + 4..b].bytes().all(|c| c.is_ascii_digit()) => {
                format!("{} in [ms] ms{}", &line[..a], &line[b + 3..])
            }
            _ => line.to_owned(),
        };
        if let Some(e) = endpoint {
            line = line.replace(e, "http://[hub]");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The JSON report and the human one of `hfaudit scan ARGS` in `dir`.
fn both(dir: &Path, args: &[&str], endpoint: Option<&str>) -> (Value, String) {
    let run = |format: &str| {
        let mut cmd = hfaudit();
        cmd.current_dir(dir)
            .env("CI", "1")
            .env("HF_HOME", dir.join(".no-hf-home"))
            .args(["scan", "--no-progress", "--no-config", "--format", format])
            .args(args);
        let out = cmd.output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let json = stable(&run("json"), endpoint);
    let mut report: Value = serde_json::from_str(&json).unwrap();
    report["summary"]["duration_ms"] = json!("[ms]");
    (report, stable(&run("human"), endpoint))
}

#[test]
fn archive_members_in_json_and_human() {
    let dir = fixture("archives");
    let (report, human) = both(dir.path(), &[], None);
    insta::assert_json_snapshot!("archives_json", report);
    insta::assert_snapshot!("archives_human", human);
}

#[test]
fn decoded_tokens_in_json_and_human() {
    let dir = fixture("decoded");
    let (report, human) = both(dir.path(), &[], None);
    insta::assert_json_snapshot!("decoded_json", report);
    insta::assert_snapshot!("decoded_human", human);
}

/// Runs git in `dir` with a fixed identity and date, so commit ids are the same every run.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
        .env("GIT_AUTHOR_DATE", "2024-01-01T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T10:00:00Z")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn git_findings_with_their_commits() {
    let t = fake_tokens(4401, 2);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "app.py",
        format!(
            "from huggingface_hub import login\nlogin(token=\"{}\")\n",
            t[0]
        ),
    );
    write(root, ".env", format!("HF_TOKEN={}\n", t[1]));
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "add the app"]);
    write(
        root,
        "app.py",
        "from huggingface_hub import login\nlogin()\n",
    );
    git(
        root,
        &["commit", "-q", "-am", "read the token from the environment"],
    );
    let (report, human) = both(root, &["--history"], None);
    insta::assert_json_snapshot!("git_history_json", report);
    insta::assert_snapshot!("git_history_human", human);
}

#[test]
fn hub_findings_with_their_source() {
    let t = fake_tokens(4402, 3);
    let answers = move |request: &crate::mock::Request| {
        let tree = "?recursive=true&expand=false";
        let ok = |v: Value| Response::new(200).body(v.to_string());
        match request.target.as_str() {
            x if x == format!("/api/spaces/acme/demo/tree/main{tree}") => ok(json!([
                {"type": "file", "oid": "a1", "size": 60, "path": "app.py"}
            ])),
            "/spaces/acme/demo/resolve/main/app.py" => {
                Response::new(200).body(format!("import os\nclient = Client(token=\"{}\")\n", t[0]))
            }
            "/api/spaces/acme/demo/discussions?p=0" => ok(json!({
                "discussions": [{"num": 3}], "count": 1, "start": 0
            })),
            "/api/spaces/acme/demo/discussions/3" => ok(json!({
                "title": "It does not work",
                "events": [{"data": {"latest": {"raw": format!("my token is {}", t[1])}}}]
            })),
            "/api/spaces/acme/demo/variables" => ok(json!({
                "HF_TOKEN": {"value": t[2], "description": "for the demo"}
            })),
            "/api/spaces/acme/demo/refs?include_prs=1" => ok(json!({"pullRequests": []})),
            _ => Response::new(404).body("{}"),
        }
    };
    let server = Server::start(answers);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let (report, human) = both(
        dir.path(),
        &["hf://spaces/acme/demo", "--endpoint", &url],
        Some(&url),
    );
    insta::assert_json_snapshot!("hub_json", report);
    insta::assert_snapshot!("hub_human", human);
}
