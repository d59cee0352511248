//! `--revoke` against a revoke endpoint of our own on 127.0.0.1 that records every request and
//! its body: what is posted, how often, and what never is. No test touches the real Hub.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{
    assert_no_token, download, fake_tokens, hfaudit_offline as hfaudit, run, write,
};
use crate::mock::{Request, Response, Server};

/// A loopback Hub: `POST /api/credentials/revoke` answers `revoke_status` (202 by default);
/// `GET /api/whoami-v2` answers 200 for the tokens in `valid`, 401 for the rest.
struct RevokeHub(Server);

impl RevokeHub {
    fn start(revoke_status: u16, valid: Vec<String>) -> Self {
        RevokeHub(Server::start(move |request| {
            let answer = match (request.method.as_str(), request.target.as_str()) {
                ("POST", "/api/credentials/revoke") => Response::new(revoke_status),
                ("GET", "/api/whoami-v2") => {
                    let token = request.bearer().unwrap_or_default();
                    if valid.iter().any(|v| v == token) {
                        let doc = json!({"type": "user", "name": "alice", "auth": {"type": "access_token",
                            "accessToken": {"displayName": "laptop", "role": "read"}}});
                        Response::new(200).body(doc.to_string())
                    } else {
                        Response::new(401).body(r#"{"error":"Invalid credentials"}"#)
                    }
                }
                _ => Response::new(404),
            };
            answer.header("Content-Type", "application/json")
        }))
    }

    fn url(&self) -> String {
        self.0.url()
    }

    fn seen(&self) -> Vec<Request> {
        self.0.requests()
    }

    fn clear(&self) {
        self.0.clear();
    }

    fn posts(&self) -> Vec<Request> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == "POST")
            .collect()
    }

    /// Every token posted, in order, over all requests.
    fn posted_tokens(&self) -> Vec<String> {
        self.posts()
            .iter()
            .flat_map(|s| {
                let v: Value = serde_json::from_slice(&s.body).expect("a JSON body");
                v["credentials"]
                    .as_array()
                    .expect("a credentials array")
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// The `revocation` of each finding, by path.
fn revocations(report: &Value) -> Vec<(String, Value)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f.get("revocation").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

#[test]
fn revoke_posts_each_leaked_token_once_and_never_a_suppressed_or_baselined_one() {
    let t = fake_tokens(70, 4);
    let hub = RevokeHub::start(202, vec![]);
    let dir = tempfile::tempdir().unwrap();
    // t0 leaked twice, t1 once; t2 allowed inline; t3 in the baseline.
    write(dir.path(), "a.py", download(&t[0]));
    write(dir.path(), "b.py", download(&t[0]));
    write(dir.path(), "c.py", download(&t[1]));
    write(
        dir.path(),
        "d.py",
        format!("# hfaudit:allow a test fixture\nTOKEN = \"{}\"\n", t[2]),
    );
    write(dir.path(), "e.py", download(&t[3]));
    let baseline = json!({"version": 1, "entries": [
        {"rule": "HF001", "fingerprint": hfaudit::secret::Fingerprint::of(&t[3]).to_string(), "path": "e.py"}
    ]});
    write(dir.path(), "baseline.json", baseline.to_string());
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--baseline",
        "baseline.json",
        "--revoke",
        "--yes",
        "--endpoint",
        &hub.url(),
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let posts = hub.posts();
    assert_eq!(posts.len(), 1, "one POST for a small batch: {posts:?}");
    assert_eq!(posts[0].target, "/api/credentials/revoke");
    assert_eq!(
        posts[0].authorization(),
        None,
        "the endpoint needs no login"
    );
    let posted: BTreeSet<String> = hub.posted_tokens().into_iter().collect();
    assert_eq!(hub.posted_tokens().len(), 2, "each token once");
    assert_eq!(posted, BTreeSet::from([t[0].clone(), t[1].clone()]));
    assert_eq!(hub.seen().len(), 1, "nothing else is asked");

    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let marks = revocations(&report);
    for path in ["a.py", "b.py", "c.py"] {
        assert!(
            marks
                .iter()
                .any(|(p, r)| p == path && r == &json!("requested")),
            "{path}: {marks:?}"
        );
    }
    assert!(marks.iter().all(|(p, _)| p != "d.py" && p != "e.py"));
    assert!(
        out.stderr
            .contains("--revoke asked the Hub to revoke 2 tokens (POST"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("stay in git history"), "{}", out.stderr);
    for text in [&out.stdout, &out.stderr] {
        assert_no_token(text, &t, "revoke output");
    }

    // The human report says so on the finding.
    hub.clear();
    let human = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--baseline",
        "baseline.json",
        "--revoke",
        "--yes",
        "--endpoint",
        &hub.url(),
    ]));
    assert!(
        human.stdout.contains("= revocation requested"),
        "{}",
        human.stdout
    );
    assert_no_token(&human.stdout, &t, "human");
    assert_no_token(&human.stderr, &t, "human stderr");
}

#[test]
fn nothing_is_posted_without_revoke_and_yes() {
    let t = fake_tokens(71, 1);
    let hub = RevokeHub::start(202, vec![t[0].clone()]);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&t[0]));
    let scan = |extra: &[&str]| {
        run(hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--no-config"])
            .args(extra))
    };
    let plain = scan(&[]);
    assert_eq!(plain.code, 1);
    assert!(
        plain.stdout.contains("`hfaudit scan --revoke`"),
        "the closing advice names --revoke: {}",
        plain.stdout
    );
    scan(&["--verify", "--endpoint", &hub.url()]);
    // Standard input is not a terminal here, and there is no --yes: refused before the scan.
    let refused = scan(&["--revoke", "--endpoint", &hub.url()]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("add --yes"), "{}", refused.stderr);
    let dry = scan(&["--revoke", "--dry-run", "--endpoint", &hub.url()]);
    assert_eq!(dry.code, 1, "{}", dry.stderr);
    let redacted = format!("{}…{}", &t[0][..7], &t[0][t[0].len() - 4..]);
    assert!(
        dry.stderr.contains(&format!(
            "POST {}/api/credentials/revoke\n{{\"credentials\":[\"{redacted}\"]}}",
            hub.url()
        )),
        "{}",
        dry.stderr
    );
    assert!(!dry.stdout.contains("revocation requested"));
    for out in [&plain, &refused, &dry] {
        assert_no_token(&out.stdout, &t, "stdout");
        assert_no_token(&out.stderr, &t, "stderr");
    }
    assert!(hub.posts().is_empty(), "{:?}", hub.posts());
    assert_eq!(hub.seen().len(), 1, "only --verify asked (whoami)");
}

#[test]
fn a_token_the_hub_called_invalid_is_not_revoked_again() {
    let t = fake_tokens(72, 2);
    // t0 is valid; t1 gets 401 from whoami.
    let hub = RevokeHub::start(202, vec![t[0].clone()]);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&t[0]));
    write(dir.path(), "b.py", download(&t[1]));
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--verify",
        "--revoke",
        "--yes",
        "--endpoint",
        &hub.url(),
        "-f",
        "json",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(hub.posted_tokens(), [t[0].clone()]);
}

#[test]
fn many_tokens_go_in_batches_each_once() {
    let t = fake_tokens(73, 150);
    let hub = RevokeHub::start(202, vec![]);
    let dir = tempfile::tempdir().unwrap();
    let text: String = t.iter().map(|k| download(k)).collect();
    write(dir.path(), "many.py", text);
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--revoke",
        "--yes",
        "--endpoint",
        &hub.url(),
        "-f",
        "json",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(hub.posts().len(), 2, "batches of 100");
    let posted = hub.posted_tokens();
    assert_eq!(posted.len(), 150);
    assert_eq!(
        posted.iter().collect::<BTreeSet<_>>(),
        t.iter().collect::<BTreeSet<_>>()
    );
    assert_no_token(&out.stderr, &t, "stderr");
}

#[test]
fn a_failed_revocation_is_an_error_and_marks_nothing() {
    let t = fake_tokens(74, 1);
    let hub = RevokeHub::start(500, vec![]);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&t[0]));
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--revoke",
        "--yes",
        "--endpoint",
        &hub.url(),
        "-f",
        "json",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(hub.posts().len(), 3, "5xx is retried, at most 3 attempts");
    assert!(
        out.stderr.contains("--revoke could not send 1 token"),
        "{}",
        out.stderr
    );
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(revocations(&report).iter().all(|(_, r)| r.is_null()));
    assert_no_token(&out.stderr, &t, "stderr");
}

#[test]
fn revoke_refuses_a_plain_http_endpoint_that_is_not_loopback() {
    let t = fake_tokens(75, 1);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&t[0]));
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--revoke",
        "--yes",
        "--endpoint",
        "http://huggingface.co",
    ]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("refused"), "{}", out.stderr);
}

/// Runs `hfaudit ARGS` in `dir` inside a pseudo-terminal (script(1)), typing `answer`.
fn in_terminal(dir: &Path, args: &str, answer: &str) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let bin = assert_cmd::cargo::cargo_bin("hfaudit");
    let line = format!("{} {args}", bin.display());
    let out = std::process::Command::new(script)
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("HF_ENDPOINT")
        .env_remove("HF_TOKEN")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            // Typed after the prompt is up: script forwards it to the terminal.
            std::thread::sleep(Duration::from_millis(1500));
            child.stdin.take().unwrap().write_all(answer.as_bytes())?;
            child.wait_with_output()
        })
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn on_a_terminal_revoke_asks_and_only_a_yes_sends() {
    let t = fake_tokens(76, 1);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&t[0]));

    let hub = RevokeHub::start(202, vec![]);
    let args = format!(
        "scan --no-config --no-progress --revoke --endpoint {}",
        hub.url()
    );
    let Some(said_no) = in_terminal(dir.path(), &args, "n\n") else {
        eprintln!("script(1) is not installed: the pseudo-terminal test is skipped");
        return;
    };
    assert!(said_no.contains("Revoke 1 token? "), "{said_no}");
    assert!(
        said_no.contains("not confirmed, nothing was sent"),
        "{said_no}"
    );
    assert!(hub.posts().is_empty());

    let said_yes = in_terminal(dir.path(), &args, "y\n").unwrap();
    assert!(said_yes.contains("Revoke 1 token? "), "{said_yes}");
    assert!(said_yes.contains("revocation requested"), "{said_yes}");
    assert_eq!(hub.posted_tokens(), [t[0].clone()]);
    for text in [&said_no, &said_yes] {
        assert_no_token(text, &t, "terminal");
    }
}

/// A baseline written in a repository holds whatever the spelling of the scan's path: `.` in
/// the repository, its name from the folder above, its absolute path. And `--revoke` refuses
/// to send anything while a baseline entry matches nothing (it may not be hiding what the team
/// accepted).
#[test]
fn a_baseline_holds_for_every_spelling_and_a_stale_one_stops_revoke() {
    let t = fake_tokens(72, 2);
    let hub = RevokeHub::start(202, vec![]);
    let parent = tempfile::tempdir().unwrap();
    let repo = parent.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let st = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .unwrap();
    assert!(st.success());
    write(&repo, "src/a.py", download(&t[0]));
    let baseline = parent.path().join("baseline.json");
    let out = run(hfaudit()
        .current_dir(&repo)
        .args(["baseline", ".", "--no-config", "-o"])
        .arg(&baseline));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(text.contains("\"path\": \"src/a.py\""), "{text}");
    let abs = repo.display().to_string();
    for (dir, path) in [
        (repo.as_path(), "."),
        (parent.path(), "repo"),
        (parent.path(), abs.as_str()),
        (repo.as_path(), "src"),
    ] {
        let out = run(hfaudit()
            .current_dir(dir)
            .args([
                "scan",
                path,
                "--no-config",
                "--format",
                "json",
                "--baseline",
            ])
            .arg(&baseline));
        assert_eq!(out.code, 0, "{path}: {}", out.stdout);
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(report["summary"]["suppressed"], 1, "{path}");
        assert_eq!(report["summary"]["stale_baseline"], 0, "{path}");
    }
    // The baselined token is gone and another leaked: the entry is stale, nothing is sent.
    write(&repo, "src/a.py", download(&t[1]));
    let out = run(hfaudit()
        .current_dir(&repo)
        .args(["scan", "--no-config", "--revoke", "--yes", "--endpoint"])
        .arg(hub.url())
        .arg("--baseline")
        .arg(&baseline));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("the baseline has 1 stale entry"),
        "{}",
        out.stderr
    );
    assert!(hub.seen().is_empty(), "a token was sent");
    assert_no_token(&out.stderr, &t, "stale baseline");
}
