//! `--verify` and `whoami` against a mock Hub of our own on 127.0.0.1: no test touches the real
//! Hub. The mock answers by the token in the `Authorization` header and records every request,
//! so the tests can check what was asked, how often, and of whom.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{json, Value};

use crate::common::{
    assert_no_token, download, fake_tokens, hfaudit_offline as hfaudit, run, write, Run,
};
use crate::mock::{Response, Server};

// ---------------------------------------------------------------------------------------------
// The mock Hub

/// How the mock answers one token.
#[derive(Clone)]
enum Reply {
    /// 200 with this JSON.
    Ok(Value),
    /// Any status, extra headers, a body.
    Status(u16, Vec<(String, String)>, String),
    /// 429 with `Retry-After: 1` the first time, then 200 with this JSON.
    RateLimitedOnce(Value),
    /// 200 with this JSON, after a pause.
    Slow(Duration, Value),
    /// 200 with a body of this many bytes (Content-Length says so).
    Oversized(usize),
    /// 302 to this URL.
    Redirect(String),
    /// 200 with this JSON, sent one byte per interval (Content-Length says the whole length).
    Trickle(Duration, Value),
    /// 429 with this `Retry-After`, every time.
    RetryAfter(String),
}

/// A mock Hub on a loopback address: `GET /api/whoami-v2` answers by the token in the
/// `Authorization` header (401 for a token it does not know), anything else 404. It stops when
/// dropped.
struct MockHub(Server);

impl std::ops::Deref for MockHub {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.0
    }
}

impl MockHub {
    fn start(replies: HashMap<String, Reply>) -> Self {
        Self::start_on(IpAddr::V4(Ipv4Addr::LOCALHOST), replies)
    }

    fn start_on(ip: IpAddr, replies: HashMap<String, Reply>) -> Self {
        // Requests so far by authorization: `RateLimitedOnce` is limited only on the first.
        let seen: Mutex<HashMap<Option<String>, usize>> = Mutex::default();
        MockHub(Server::start_on(ip, move |request| {
            let first = {
                let mut seen = seen.lock().unwrap();
                let n = seen
                    .entry(request.authorization().map(str::to_owned))
                    .or_default();
                *n += 1;
                *n == 1
            };
            let reply = if request.target == "/api/whoami-v2" {
                let token = request.bearer().unwrap_or_default();
                replies.get(token).cloned().unwrap_or_else(|| {
                    Reply::Status(
                        401,
                        vec![(
                            "X-Error-Message".into(),
                            "Invalid credentials in Authorization header".into(),
                        )],
                        r#"{"error":"Invalid credentials in Authorization header"}"#.into(),
                    )
                })
            } else {
                Reply::Status(404, vec![], "{}".into())
            };
            answer(reply, first).header("Content-Type", "application/json")
        }))
    }

    /// Requests that carried `token`.
    fn asked(&self, token: &str) -> usize {
        let want = format!("Bearer {token}");
        self.requests()
            .iter()
            .filter(|r| r.authorization() == Some(want.as_str()))
            .count()
    }
}

/// What the mock sends for `reply`; `first`: the first request with this authorization.
fn answer(reply: Reply, first: bool) -> Response {
    let json = |v: &Value| Response::new(200).body(v.to_string());
    let rate_limited = |after: &str| {
        Response::new(429)
            .header("Retry-After", after)
            .body(r#"{"error":"rate limited"}"#)
    };
    match reply {
        Reply::RateLimitedOnce(_) if first => rate_limited("1"),
        Reply::Ok(v) | Reply::RateLimitedOnce(v) => json(&v),
        Reply::Status(status, headers, body) => Response {
            headers,
            ..Response::new(status).body(body)
        },
        Reply::Slow(pause, v) => {
            std::thread::sleep(pause);
            json(&v)
        }
        Reply::Oversized(n) => Response::new(200).body(format!("\"{}\"", "x".repeat(n - 2))),
        Reply::Redirect(to) => Response::new(302).header("Location", &to),
        Reply::RetryAfter(after) => rate_limited(&after),
        Reply::Trickle(pause, v) => json(&v).trickle(pause),
    }
}

/// A whoami-v2 answer for a user access token.
fn user_token(role: &str, name: &str) -> Value {
    json!({
        "type": "user",
        "id": "1",
        "name": "alice",
        "fullname": "Alice",
        "orgs": [{"type": "org", "name": "acme"}],
        "auth": {"type": "access_token", "accessToken": {
            "displayName": name, "role": role, "createdAt": "2024-01-01T00:00:00.000Z"
        }}
    })
}

fn fine_grained(name: &str, global: &[&str], scoped: &[&[&str]]) -> Value {
    let scoped: Vec<Value> = scoped
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"entity": {"type": "model", "name": format!("acme/m{i}")}, "permissions": p}))
        .collect();
    json!({
        "type": "user",
        "name": "alice",
        "orgs": [],
        "auth": {"type": "access_token", "accessToken": {
            "displayName": name, "role": "fineGrained",
            "fineGrained": {"canReadGatedRepos": false, "global": global, "scoped": scoped}
        }}
    })
}

fn oauth_answer() -> Value {
    json!({"type": "user", "name": "alice", "orgs": [],
           "auth": {"type": "oauth", "expiresAt": "2030-01-01T00:00:00.000Z"}})
}

fn scan_verify(dir: &Path, endpoint: &str, format: &str) -> Run {
    run(hfaudit().current_dir(dir).args([
        "scan",
        "--no-config",
        "--verify",
        "--endpoint",
        endpoint,
        "--format",
        format,
    ]))
}

/// The findings of a JSON report for one rule, by path.
fn rule_paths(report: &Value, rule: &str) -> Vec<String> {
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    paths
}

/// The verification shown with the first finding at `path`.
fn verification_at<'a>(report: &'a Value, path: &str) -> &'a Value {
    &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding at {path}"))["verification"]
}

// ---------------------------------------------------------------------------------------------
// scan --verify

/// Every kind of answer the Hub gives, one token each, in a tree where each token's use is read.
struct Scenario {
    dir: tempfile::TempDir,
    hub: MockHub,
    redirect_target: MockHub,
    t: HashMap<&'static str, String>,
}

const CASES: &[&str] = &[
    "write",
    "god",
    "invalid",
    "generic",
    "colab",
    "fine",
    "oauth",
    "forbidden",
    "retry",
    "broken",
    "big",
    "redirect",
    "echo200",
    "echo401",
];

fn scenario(seed: u64) -> Scenario {
    let tokens = fake_tokens(seed, CASES.len());
    let t: HashMap<&'static str, String> = CASES.iter().copied().zip(tokens).collect();
    // The redirect goes to another loopback address; nothing may ever reach it.
    let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let other = if TcpListener::bind((other, 0)).is_ok() {
        other
    } else {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    };
    let redirect_target = MockHub::start_on(other, HashMap::new());
    let replies: HashMap<String, Reply> = [
        ("write", Reply::Ok(user_token("write", "laptop"))),
        ("god", Reply::Ok(user_token("god", "laptop"))),
        (
            "invalid",
            Reply::Status(
                401,
                vec![(
                    "X-Error-Message".into(),
                    "Invalid credentials in Authorization header".into(),
                )],
                "{}".into(),
            ),
        ),
        ("generic", Reply::Ok(user_token("read", "token"))),
        ("colab", Reply::Ok(user_token("read", "Colab Notebook"))),
        (
            "fine",
            Reply::Ok(fine_grained(
                "eval-server",
                &["inference.serverless.write"],
                &[&["repo.content.read", "repo.write"], &["repo.content.read"]],
            )),
        ),
        ("oauth", Reply::Ok(oauth_answer())),
        ("forbidden", Reply::Status(403, vec![], "{}".into())),
        (
            "retry",
            Reply::RateLimitedOnce(user_token("read", "retry-laptop")),
        ),
        ("broken", Reply::Status(500, vec![], "oops".into())),
        ("big", Reply::Oversized(2 << 20)),
        (
            "redirect",
            Reply::Redirect(format!("http://{}/api/whoami-v2", redirect_target.addr())),
        ),
        // A hostile endpoint echoing the token: it must still never be printed.
        (
            "echo200",
            Reply::Ok(user_token("read", &format!("copy of {}", t["echo200"]))),
        ),
        (
            "echo401",
            Reply::Status(
                401,
                vec![(
                    "X-Error-Message".into(),
                    format!("bad token {}", t["echo401"]),
                )],
                "{}".into(),
            ),
        ),
    ]
    .into_iter()
    .map(|(k, r)| (t[k].clone(), r))
    .collect();
    let hub = MockHub::start(replies);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The write token twice in one file and once in another: still asked once.
    write(
        root,
        "scripts/download.py",
        format!("{}# again: {}\n", download(&t["write"]), t["write"]),
    );
    write(root, "scripts/fetch.py", download(&t["write"]));
    write(root, "scripts/admin.py", download(&t["god"]));
    write(root, "old.py", format!("TOKEN = \"{}\"\n", t["invalid"]));
    write(
        root,
        "eval.py",
        format!(
            "snapshot_download(\"org/model\", token=\"{}\")\n",
            t["generic"]
        ),
    );
    write(
        root,
        ".github/workflows/eval.yml",
        format!("env:\n  HF_TOKEN: {}\n", t["colab"]),
    );
    write(
        root,
        "serve.py",
        format!(
            "model = AutoModel.from_pretrained(\"org/m\", token=\"{}\")\n",
            t["fine"]
        ),
    );
    write(root, "oauth_app.py", download(&t["oauth"]));
    write(root, "restricted.py", download(&t["forbidden"]));
    write(root, "retry.py", download(&t["retry"]));
    write(root, "broken.py", download(&t["broken"]));
    write(root, "big.py", download(&t["big"]));
    write(root, "moved.py", download(&t["redirect"]));
    write(root, "echo200.py", download(&t["echo200"]));
    write(root, "echo401.py", download(&t["echo401"]));
    Scenario {
        dir,
        hub,
        redirect_target,
        t,
    }
}

#[test]
fn verify_judges_each_hub_answer_and_asks_each_token_once() {
    let s = scenario(41);
    let started = Instant::now();
    let out = scan_verify(s.dir.path(), &s.hub.url(), "json");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    let report = out.json();

    // Each unique token once; the rate-limited one once more; the 500 one three times in all.
    for case in CASES {
        let want = match *case {
            "retry" => 2,
            "broken" => 3,
            _ => 1,
        };
        assert_eq!(s.hub.asked(&s.t[case]), want, "{case}");
    }
    let requests = s.hub.requests();
    assert_eq!(requests.len(), CASES.len() + 1 + 2);
    for r in &requests {
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/api/whoami-v2");
        assert_eq!(r.header("host"), Some(s.hub.addr().to_string().as_str()));
    }
    assert!(
        s.redirect_target.requests().is_empty(),
        "a redirect was followed"
    );

    // Rules.
    assert_eq!(
        rule_paths(&report, "HF002"),
        ["scripts/admin.py", "scripts/download.py"]
    );
    assert_eq!(rule_paths(&report, "HF006"), ["echo401.py", "old.py"]);
    assert_eq!(rule_paths(&report, "HF007"), ["eval.py"]);
    assert_eq!(rule_paths(&report, "HF008"), [".github/workflows/eval.yml"]);
    assert_eq!(rule_paths(&report, "HF010"), ["serve.py"]);
    let hf010 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "HF010")
        .unwrap();
    assert!(hf010["message"].as_str().unwrap().contains("repo.write"));
    assert!(!hf010["message"].as_str().unwrap().contains("inference"));

    // Verification blocks.
    let v = verification_at(&report, "scripts/download.py");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["role"], "write");
    assert_eq!(v["token_name"], "laptop");
    assert_eq!(v["owner"], "alice");
    assert_eq!(v["orgs"], json!(["acme"]));
    let v = verification_at(&report, "old.py");
    assert_eq!(v["status"], "invalid");
    assert_eq!(v["detail"], "Invalid credentials in Authorization header");
    let v = verification_at(&report, "serve.py");
    assert_eq!(v["role"], "fineGrained");
    assert_eq!(
        v["permissions"],
        json!([
            "inference.serverless.write",
            "repo.content.read",
            "repo.write"
        ])
    );
    let v = verification_at(&report, "oauth_app.py");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["role"], Value::Null);
    assert_eq!(v["token_name"], Value::Null);
    assert_eq!(
        verification_at(&report, "restricted.py")["status"],
        "forbidden"
    );
    let v = verification_at(&report, "retry.py");
    assert_eq!(
        (v["status"].as_str(), v["role"].as_str()),
        (Some("valid"), Some("read"))
    );
    for path in ["broken.py", "big.py", "moved.py"] {
        let v = verification_at(&report, path);
        assert_eq!(v["status"], "unknown", "{path}");
        assert!(v["detail"].is_string(), "{path}");
    }
    assert!(verification_at(&report, "broken.py")["detail"]
        .as_str()
        .unwrap()
        .contains("500"));
    assert!(verification_at(&report, "moved.py")["detail"]
        .as_str()
        .unwrap()
        .contains("redirect"));
    // OAuth, forbidden, rate-limited-then-read: no role rule.
    for path in ["oauth_app.py", "restricted.py", "retry.py"] {
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path)
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["HF001"], "{path}");
    }
    // Every token but the three left unknown got an answer.
    assert_eq!(report["summary"]["verified_tokens"], CASES.len() - 3);
    assert_eq!(report["summary"]["skipped_checks"], 0);
    assert!(
        out.stderr.contains("could not verify 3 of 14 tokens"),
        "{}",
        out.stderr
    );
}

#[test]
fn verify_never_prints_a_token_in_any_format() {
    let s = scenario(42);
    let tokens: Vec<String> = s.t.values().cloned().collect();
    for format in ["human", "json", "sarif", "github"] {
        s.hub.clear();
        let out = scan_verify(s.dir.path(), &s.hub.url(), format);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            !s.hub.requests().is_empty(),
            "{format}: the mock was not asked"
        );
        for (what, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert_no_token(text, &tokens, &format!("{format} {what}"));
            // (SARIF carries HF005's docs, which mention `Bearer $HF_TOKEN`.)
            assert!(
                !text.contains("Bearer hf_"),
                "{format} {what} shows an Authorization header"
            );
        }
    }
    assert!(s.redirect_target.requests().is_empty());
}

#[test]
fn verify_human_report_shows_role_name_and_scopes() {
    let s = scenario(43);
    let out = scan_verify(s.dir.path(), &s.hub.url(), "human");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let text = &out.stdout;
    assert!(
        text.contains("hub: valid · role write · name \"laptop\" · owner alice"),
        "{text}"
    );
    assert!(
        text.contains("role fineGrained · name \"eval-server\" · owner alice · scopes inference.serverless.write, repo.content.read, repo.write"),
        "{text}"
    );
    assert!(
        text.contains("hub: invalid (Invalid credentials in Authorization header)"),
        "{text}"
    );
    assert!(text.contains("hub: forbidden"), "{text}");
    assert!(
        text.contains("note: could not verify 3 of 14 tokens"),
        "{text}"
    );
    assert!(!text.contains("need --verify"), "{text}");
    // The echoed token is shown redacted.
    let echo = &s.t["echo200"];
    assert!(
        text.contains(&format!("name \"copy of {}…", &echo[..7])),
        "{text}"
    );
}

#[test]
fn verify_times_out_on_a_slow_hub() {
    let [token]: [String; 1] = fake_tokens(44, 1).try_into().unwrap();
    let hub = MockHub::start(HashMap::from([(
        token.clone(),
        Reply::Slow(Duration::from_secs(4), user_token("read", "laptop")),
    )]));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&token));
    let started = Instant::now();
    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HFAUDIT_VERIFY_TIMEOUT_MS", "300")
        .args([
            "scan",
            "--no-config",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            &hub.url(),
        ]));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    let v = verification_at(&report, "a.py");
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["detail"], "no answer within 300 ms");
    assert_eq!(hub.asked(&token), 1, "a timeout is not retried");
}

#[test]
fn verify_stops_a_trickling_body_at_the_request_deadline() {
    // A body that trickles in once held a token for 152 s: each read was quicker than the
    // timeout, so a per-read timeout never fired. The deadline covers the whole request. (This
    // body is about 200 bytes, four a second: 50 s without the deadline.)
    let [token]: [String; 1] = fake_tokens(60, 1).try_into().unwrap();
    let hub = MockHub::start(HashMap::from([(
        token.clone(),
        Reply::Trickle(Duration::from_millis(250), user_token("read", "laptop")),
    )]));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&token));
    let started = Instant::now();
    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HFAUDIT_VERIFY_TIMEOUT_MS", "1000")
        .timeout(Duration::from_secs(120))
        .args([
            "scan",
            "--no-config",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            &hub.url(),
        ]));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    let v = verification_at(&report, "a.py");
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["detail"], "no answer within 1000 ms");
    assert_eq!(hub.asked(&token), 1);
}

#[test]
fn verify_stops_at_the_run_deadline_and_says_which_tokens_were_not_asked() {
    let t = fake_tokens(61, 10);
    let hub = MockHub::start(
        t.iter()
            .map(|k| {
                (
                    k.clone(),
                    Reply::Slow(Duration::from_secs(5), user_token("read", "laptop")),
                )
            })
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    for (i, k) in t.iter().enumerate() {
        write(dir.path(), &format!("a{i}.py"), download(k));
    }
    let started = Instant::now();
    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HFAUDIT_VERIFY_DEADLINE_MS", "1000")
        .timeout(Duration::from_secs(60))
        .args([
            "scan",
            "--no-config",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            &hub.url(),
        ]));
    let took = started.elapsed();
    // Before the deadline, two rounds of 5 s answers took 10 s.
    assert!(took < Duration::from_secs(4), "took {took:?}");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    let mut cut = 0;
    let mut not_asked = 0;
    for i in 0..t.len() {
        let v = verification_at(&report, &format!("a{i}.py"));
        assert_eq!(v["status"], "unknown", "{v}");
        match v["detail"].as_str().unwrap() {
            "no answer before the run's deadline of 1 s" => cut += 1,
            "not asked: the run's deadline of 1 s passed" => not_asked += 1,
            other => panic!("a{i}.py: {other}"),
        }
    }
    assert!(
        cut >= 1 && not_asked >= 2,
        "{cut} cut, {not_asked} not asked"
    );
    assert_eq!(hub.requests().len(), cut, "no request after the deadline");
    assert!(
        out.stderr
            .contains("note: could not verify any of the 10 tokens"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("not asked"), "{}", out.stderr);
    assert_no_token(&out.stderr, &t, "stderr");
}

/// A tree of 1,005 distinct tokens is 1,000 requests: the rest are `unknown`, and a note says
/// how many and why.
#[test]
fn verify_asks_about_at_most_a_thousand_tokens_a_run() {
    let t = fake_tokens(71, 1005);
    let hub = MockHub::start(HashMap::new());
    let dir = tempfile::tempdir().unwrap();
    let body = t
        .iter()
        .map(|k| format!("T = \"{k}\""))
        .collect::<Vec<_>>()
        .join("\n");
    write(dir.path(), "many.py", body);
    let out = scan_verify(dir.path(), &hub.url(), "json");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(hub.requests().len(), 1000);
    let report = out.json();
    // Each token's verification (a token has more than one finding: HF001, HF006).
    let mut by_token: HashMap<String, String> = HashMap::new();
    for f in report["findings"].as_array().unwrap() {
        let v = &f["verification"];
        let what = format!("{} {}", v["status"], v["detail"].as_str().unwrap_or(""));
        by_token.insert(f["token"]["fingerprint"].as_str().unwrap().to_owned(), what);
    }
    assert_eq!(by_token.len(), 1005);
    let mut statuses: HashMap<String, usize> = HashMap::new();
    for what in by_token.into_values() {
        *statuses.entry(what).or_default() += 1;
    }
    let not_asked = statuses
        .iter()
        .filter(|(k, _)| k.contains("not asked: --verify asks about the first 1000 tokens"))
        .map(|(_, n)| *n)
        .sum::<usize>();
    let invalid = statuses
        .iter()
        .filter(|(k, _)| k.starts_with("\"invalid\""))
        .map(|(_, n)| *n)
        .sum::<usize>();
    assert_eq!((not_asked, invalid), (5, 1000), "{statuses:?}");
    assert!(
        out.stderr.contains("about 1000 tokens (1000 answered)")
            && out.stderr.contains("could not verify 5 of 1005 tokens"),
        "{}",
        out.stderr
    );
    assert_no_token(&out.stderr, &t, "stderr");
    assert_no_token(&out.stdout, &t, "stdout");
}

#[test]
fn verify_survives_a_huge_retry_after() {
    // 2^64 - 1 seconds used to overflow the clock (a panic, exit 101); 2^64 and beyond saturate.
    let t = fake_tokens(62, 3);
    let afters = [
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999999999",
    ];
    let hub = MockHub::start(
        t.iter()
            .zip(afters)
            .map(|(k, a)| (k.clone(), Reply::RetryAfter(a.to_owned())))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    for (i, k) in t.iter().enumerate() {
        write(dir.path(), &format!("a{i}.py"), download(k));
    }
    let started = Instant::now();
    let out = run(hfaudit()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(60))
        .args([
            "scan",
            "--no-config",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            &hub.url(),
        ]));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    for (i, k) in t.iter().enumerate() {
        let v = verification_at(&report, &format!("a{i}.py"));
        assert_eq!(v["status"], "unknown");
        let detail = v["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("HTTP 429; retrying after") && detail.contains("retry budget"),
            "{detail}"
        );
        assert_eq!(hub.asked(k), 1, "no retry when the Hub asks for a day");
    }
}

#[test]
fn verify_a_200_that_is_not_a_whoami_answer_is_unknown_and_names_the_endpoint() {
    let t = fake_tokens(63, 4);
    let hub = MockHub::start(HashMap::from([
        (
            t[0].clone(),
            Reply::Status(
                200,
                vec![],
                "<!doctype html><title>Captive portal</title>".into(),
            ),
        ),
        (t[1].clone(), Reply::Status(200, vec![], "{}".into())),
        (
            t[2].clone(),
            Reply::Status(200, vec![], r#"{"name": 5, "auth": {}}"#.into()),
        ),
        (t[3].clone(), Reply::Ok(user_token("read", "laptop"))),
    ]));
    let dir = tempfile::tempdir().unwrap();
    for (i, k) in t.iter().enumerate() {
        write(dir.path(), &format!("a{i}.py"), download(k));
    }
    let out = scan_verify(dir.path(), &hub.url(), "json");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    for i in 0..3 {
        let v = verification_at(&report, &format!("a{i}.py"));
        assert_eq!(v["status"], "unknown", "a{i}.py: {v}");
        assert_eq!(v["role"], Value::Null);
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .starts_with("unexpected answer: not"),
            "{v}"
        );
    }
    assert_eq!(verification_at(&report, "a3.py")["status"], "valid");
    assert_eq!(report["summary"]["verified_tokens"], 1);
    let asked = format!(
        "note: --verify asked {}/api/whoami-v2 about 4 tokens (1 answered)",
        hub.url()
    );
    assert!(out.stderr.contains(&asked), "{}", out.stderr);

    let out = scan_verify(dir.path(), &hub.url(), "human");
    assert!(out.stdout.contains(&asked), "{}", out.stdout);
}

#[test]
fn verify_escapes_control_bidi_and_zero_width_characters_from_the_hub() {
    let [token]: [String; 1] = fake_tokens(64, 1).try_into().unwrap();
    let answer = json!({
        "type": "user",
        "name": "mallory\u{1b}[2J",
        "orgs": [{"name": "ac\u{200b}me"}],
        "auth": {"type": "access_token", "accessToken": {
            "displayName": "lap\u{202e}pot\n= help: all is fine",
            "role": "fineGrained",
            "fineGrained": {"global": ["repo.\u{2066}write"], "scoped": []}
        }}
    });
    let hub = MockHub::start(HashMap::from([(token.clone(), Reply::Ok(answer))]));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&token));
    let out = scan_verify(dir.path(), &hub.url(), "human");
    assert_eq!(out.code, 1, "{}", out.stderr);
    for bad in ['\u{1b}', '\u{202e}', '\u{200b}', '\u{2066}'] {
        assert!(!out.stdout.contains(bad), "{:?} in {}", bad, out.stdout);
    }
    assert!(
        out.stdout
            .contains(r#"name "lap\u{202e}pot\n= help: all is fine" · owner mallory\x1b[2J · scopes repo.\u{2066}write"#),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.lines().any(|l| l.starts_with("= help: all")),
        "a newline from the Hub forged a report line: {}",
        out.stdout
    );
    let report = scan_verify(dir.path(), &hub.url(), "json").json();
    let v = verification_at(&report, "a.py");
    assert_eq!(v["owner"], r"mallory\x1b[2J");
    assert_eq!(v["orgs"], json!([r"ac\u{200b}me"]));
}

#[test]
fn verify_withholds_an_answer_that_spells_the_token_in_pieces_in_every_format() {
    let [token]: [String; 1] = fake_tokens(65, 1).try_into().unwrap();
    let body = &token[3..];
    // The first half as the owner, the second as the token's name, lower case and with a
    // zero-width space every six characters in an organisation's name.
    let spaced: Vec<String> = body
        .to_lowercase()
        .as_bytes()
        .chunks(6)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let answer = json!({
        "type": "user",
        "name": &body[..17],
        "orgs": [{"name": spaced.join("\u{200b}")}, {"name": "acme"}],
        "auth": {"type": "access_token", "accessToken": {
            "displayName": &body[17..],
            "role": "write"
        }}
    });
    let hub = MockHub::start(HashMap::from([(token.clone(), Reply::Ok(answer))]));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&token));
    let folded = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let halves = [
        folded(&body[..12]),
        folded(&body[12..24]),
        folded(&body[22..]),
    ];
    for name in crate::trust::every_format() {
        let out = scan_verify(dir.path(), &hub.url(), &name);
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        let printed = folded(&format!("{}{}", out.stdout, out.stderr));
        for part in &halves {
            assert!(
                !printed.contains(part.as_str()),
                "{name} spells the token: {}",
                out.stdout
            );
        }
        if name == "human" || name == "json" {
            assert!(out.stdout.contains("withheld"), "{name}: {}", out.stdout);
        }
    }
    let report = scan_verify(dir.path(), &hub.url(), "json").json();
    let v = verification_at(&report, "a.py");
    assert_eq!(v["role"], "write", "the rest of the answer is kept");
    assert_eq!(v["orgs"][1], "acme");
}

#[test]
fn verify_refuses_non_loopback_http_before_any_connection() {
    let [token]: [String; 1] = fake_tokens(45, 1).try_into().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&token));
    for endpoint in [
        "http://huggingface.co",
        "http://10.1.2.3:8080",
        "ftp://127.0.0.1",
        "https://user:pw@huggingface.co",
    ] {
        let started = Instant::now();
        let out = run(hfaudit().current_dir(dir.path()).args([
            "scan",
            "--no-config",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            endpoint,
        ]));
        assert_eq!(out.code, 2, "{endpoint}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{endpoint}: the scan ran");
        assert!(out.stderr.contains("refused"), "{endpoint}: {}", out.stderr);
        assert!(!out.stderr.contains("pw@"), "{}", out.stderr);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // HF_ENDPOINT is held to the same rules.
    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HF_ENDPOINT", "http://192.168.1.1")
        .args(["scan", "--no-config", "--verify"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("http://192.168.1.1"), "{}", out.stderr);
    // …but only when --verify asks for it.
    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HF_ENDPOINT", "http://192.168.1.1")
        .args(["scan", "--no-config"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    // --endpoint also serves hf:// targets, so it no longer needs --verify; it is still checked.
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--endpoint",
        "https://huggingface.co",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--endpoint",
        "http://192.168.1.1",
    ]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("refused"), "{}", out.stderr);
}

#[test]
fn verify_accepts_localhost_and_honours_hf_endpoint_and_endpoint_beats_it() {
    let [token]: [String; 1] = fake_tokens(46, 1).try_into().unwrap();
    let replies = || HashMap::from([(token.clone(), Reply::Ok(user_token("read", "laptop")))]);
    let (env_hub, flag_hub) = (MockHub::start(replies()), MockHub::start(replies()));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&token));

    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HF_ENDPOINT", env_hub.url())
        .args(["scan", "--no-config", "--verify", "--format", "json"]));
    assert_eq!(verification_at(&out.json(), "a.py")["status"], "valid");
    assert_eq!((env_hub.asked(&token), flag_hub.asked(&token)), (1, 0));

    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HF_ENDPOINT", env_hub.url())
        .args([
            "scan",
            "--no-config",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            &flag_hub.url(),
        ]));
    assert_eq!(verification_at(&out.json(), "a.py")["status"], "valid");
    assert_eq!((env_hub.asked(&token), flag_hub.asked(&token)), (1, 1));

    // A non-loopback HF_ENDPOINT does not matter when --endpoint overrides it.
    let local = format!("http://localhost:{}/", flag_hub.addr().port());
    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HF_ENDPOINT", "http://192.168.1.1")
        .args([
            "scan",
            "--no-config",
            "--verify",
            "--format",
            "json",
            "--endpoint",
            &local,
        ]));
    assert_eq!(
        verification_at(&out.json(), "a.py")["status"],
        "valid",
        "{}",
        out.stderr
    );
    assert_eq!(flag_hub.asked(&token), 2);
    let last = flag_hub.requests().pop().unwrap();
    assert_eq!(
        last.header("host"),
        Some(format!("localhost:{}", flag_hub.addr().port()).as_str())
    );
}

#[test]
fn verify_with_an_unreachable_hub_reports_unknown_and_exits_by_findings() {
    let [token]: [String; 1] = fake_tokens(47, 1).try_into().unwrap();
    // A port that was just free: nothing listens there.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let endpoint = format!("http://{closed}");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&token));

    let out = scan_verify(dir.path(), &endpoint, "json");
    assert_eq!(out.code, 1, "HF001 is an error: {}", out.stderr);
    let report = out.json();
    let v = verification_at(&report, "a.py");
    assert_eq!(v["status"], "unknown");
    assert!(
        v["detail"].as_str().unwrap().starts_with("cannot connect"),
        "{v}"
    );
    assert_eq!(report["summary"]["verified_tokens"], 0);
    assert!(
        out.stderr
            .contains("note: could not verify any of the 1 token"),
        "{}",
        out.stderr
    );

    let out = scan_verify(dir.path(), &endpoint, "human");
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains(&format!(
            "note: could not verify any of the 1 token with {endpoint}"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("hub: unknown (cannot connect"),
        "{}",
        out.stdout
    );

    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--no-config",
        "--verify",
        "--endpoint",
        &endpoint,
        "--fail-on",
        "never",
    ]));
    assert_eq!(out.code, 0);
}

#[test]
fn verify_skips_allowed_tokens_and_scans_without_verify_ask_nothing() {
    let tokens = fake_tokens(48, 2);
    let hub = MockHub::start(
        tokens
            .iter()
            .map(|t| (t.clone(), Reply::Ok(user_token("write", "laptop"))))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", download(&tokens[0]));
    write(dir.path(), "b.py", download(&tokens[1]));

    // Without --verify, even with HF_ENDPOINT set, nothing is sent.
    let out = run(hfaudit()
        .current_dir(dir.path())
        .env("HF_ENDPOINT", hub.url())
        .args(["scan", "--no-config", "--format", "json"]));
    assert!(hub.requests().is_empty());
    let report = out.json();
    assert_eq!(report["summary"]["verified_tokens"], 0);
    assert!(report["summary"]["skipped_checks"].as_u64().unwrap() > 0);
    assert_eq!(verification_at(&report, "a.py")["status"], "skipped");

    // A token the config allows is not sent.
    let fp = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "b.py")
        .unwrap()["token"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    write(
        dir.path(),
        ".hfaudit.toml",
        format!("allow-fingerprints = [\"{fp}\"]\n"),
    );
    let out = run(hfaudit().current_dir(dir.path()).args([
        "scan",
        "--verify",
        "--format",
        "json",
        "--endpoint",
        &hub.url(),
    ]));
    let report = out.json();
    assert_eq!((hub.asked(&tokens[0]), hub.asked(&tokens[1])), (1, 0));
    assert_eq!(rule_paths(&report, "HF002"), ["a.py"]);
}

// ---------------------------------------------------------------------------------------------
// whoami

/// `hfaudit whoami` with HOME and HF_HOME in `home` (never the user's own).
fn whoami(home: &Path) -> Command {
    let mut cmd = hfaudit();
    cmd.env("HOME", home)
        .env("HF_HOME", home.join("hf"))
        .env_remove("USERPROFILE")
        .arg("whoami");
    cmd
}

#[test]
fn whoami_audits_hf_token() {
    let [token]: [String; 1] = fake_tokens(50, 1).try_into().unwrap();
    let hub = MockHub::start(HashMap::from([(
        token.clone(),
        Reply::Ok(user_token("write", "token")),
    )]));
    let home = tempfile::tempdir().unwrap();

    let out = run(whoami(home.path())
        .env("HF_TOKEN", &token)
        .args(["--endpoint", &hub.url()]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("active · HF_TOKEN"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("hub: valid · role write · name \"token\" · owner alice"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("warning[HF002]: write token: use a read token unless this machine pushes"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("info[HF007]"), "{}", out.stdout);
    assert_no_token(&out.stdout, std::slice::from_ref(&token), "whoami stdout");
    assert_no_token(&out.stderr, std::slice::from_ref(&token), "whoami stderr");

    let out = run(whoami(home.path())
        .env("HF_TOKEN", &token)
        .env("HF_ENDPOINT", hub.url())
        .args(["--format", "json"]));
    assert_eq!(out.code, 1);
    assert_no_token(&out.stdout, std::slice::from_ref(&token), "whoami json");
    let report = out.json();
    let entry = &report["tokens"][0];
    assert_eq!(entry["active"], true);
    assert_eq!(entry["sources"], json!(["HF_TOKEN"]));
    assert_eq!(entry["verification"]["role"], "write");
    assert_eq!(
        entry["token"]["redacted"],
        format!("{}…{}", &token[..7], &token[token.len() - 4..])
    );
    let rules: Vec<&str> = entry["advice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["HF002", "HF007"]);
    assert_eq!(hub.asked(&token), 2, "once per run");
}

#[test]
fn whoami_reads_the_token_file_and_stored_tokens() {
    let t = fake_tokens(51, 4);
    let hub = MockHub::start(HashMap::from([
        (t[0].clone(), Reply::Ok(user_token("read", "laptop-eval"))),
        (
            t[1].clone(),
            Reply::Status(
                401,
                vec![(
                    "X-Error-Message".into(),
                    "Invalid credentials in Authorization header".into(),
                )],
                "{}".into(),
            ),
        ),
        (
            t[2].clone(),
            Reply::Ok(fine_grained(
                "ci-train",
                &[],
                &[&["repo.content.read", "repo.write"]],
            )),
        ),
        (t[3].clone(), Reply::Ok(oauth_answer())),
    ]));
    let home = tempfile::tempdir().unwrap();
    write(home.path(), "hf/token", format!("{}\n", t[0]));
    write(
        home.path(),
        "hf/stored_tokens",
        format!(
            "[laptop-eval]\nhf_token = {}\n\n[old]\nhf_token = {}\n\n[ci train]\nhf_token = {}\n\n[app]\nhf_token = {}\n",
            t[0], t[1], t[2], t[3]
        ),
    );
    let out = run(whoami(home.path()).args(["--format", "json", "--endpoint", &hub.url()]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_no_token(&out.stdout, &t, "whoami json");
    let report = out.json();
    let entries = report["tokens"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let token_file = home.path().join("hf/token");
    assert_eq!(
        entries[0]["sources"],
        json!([
            format!("token file {}", token_file.display()),
            "stored_tokens [laptop-eval]"
        ])
    );
    assert_eq!(entries[0]["active"], true);
    assert_eq!(entries[0]["advice"], json!([]));
    assert_eq!(entries[1]["sources"], json!(["stored_tokens [old]"]));
    assert_eq!(entries[1]["active"], false);
    assert_eq!(entries[1]["verification"]["status"], "invalid");
    assert_eq!(entries[1]["advice"][0]["rule"], "HF006");
    assert_eq!(entries[1]["advice"][0]["severity"], "warning");
    assert_eq!(entries[2]["advice"][0]["rule"], "HF010");
    assert!(entries[2]["advice"][0]["message"]
        .as_str()
        .unwrap()
        .contains("repo.write"));
    assert_eq!(entries[3]["verification"]["status"], "valid");
    assert_eq!(entries[3]["verification"]["role"], Value::Null);
    assert_eq!(entries[3]["advice"], json!([]));
    for token in &t {
        assert_eq!(hub.asked(token), 1);
    }

    let out = run(whoami(home.path()).args(["--endpoint", &hub.url()]));
    assert_eq!(out.code, 1);
    assert_no_token(&out.stdout, &t, "whoami human");
    assert!(out.stdout.contains("stored_tokens [old]"), "{}", out.stdout);
    assert!(
        out.stdout.contains("ok: nothing to advise"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("4 tokens: 2 warnings"),
        "{}",
        out.stdout
    );
}

#[test]
fn whoami_with_a_well_scoped_token_exits_0() {
    let [token]: [String; 1] = fake_tokens(52, 1).try_into().unwrap();
    let hub = MockHub::start(HashMap::from([(
        token.clone(),
        Reply::Ok(user_token("read", "colab-eval")),
    )]));
    let home = tempfile::tempdir().unwrap();
    write(home.path(), "elsewhere/tok", &token);
    let out = run(whoami(home.path())
        .env("HF_TOKEN_PATH", home.path().join("elsewhere/tok"))
        .args(["--endpoint", &hub.url()]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("1 token: nothing to advise"),
        "{}",
        out.stdout
    );
    assert_eq!(hub.asked(&token), 1);
}

#[test]
fn whoami_flags_a_legacy_org_token() {
    let [token]: [String; 1] = fake_tokens(53, 1).try_into().unwrap();
    let org = format!("api_org_{}", &token[3..]);
    let hub = MockHub::start(HashMap::from([(
        org.clone(),
        Reply::Ok(user_token("write", "org")),
    )]));
    let home = tempfile::tempdir().unwrap();
    let out = run(whoami(home.path()).env("HF_TOKEN", &org).args([
        "--format",
        "json",
        "--endpoint",
        &hub.url(),
    ]));
    assert_eq!(out.code, 1);
    assert_no_token(&out.stdout, std::slice::from_ref(&org), "whoami json");
    let entry = &out.json()["tokens"][0];
    assert_eq!(entry["token"]["kind"], "org_api_token");
    assert_eq!(entry["advice"][0]["rule"], "HF009");
}

#[test]
fn whoami_without_a_token_or_with_a_bad_endpoint_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let out = run(&mut whoami(home.path()));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no Hugging Face token found"),
        "{}",
        out.stderr
    );

    let [token]: [String; 1] = fake_tokens(54, 1).try_into().unwrap();
    let out = run(whoami(home.path())
        .env("HF_TOKEN", &token)
        .args(["--endpoint", "http://huggingface.co"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("refused"), "{}", out.stderr);
    assert_no_token(&out.stderr, &[token], "whoami stderr");
}

#[test]
fn whoami_with_an_unreachable_hub_says_so() {
    let [token]: [String; 1] = fake_tokens(55, 1).try_into().unwrap();
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = run(whoami(home.path())
        .env("HF_TOKEN", &token)
        .args(["--endpoint", &format!("http://{closed}")]));
    // Nothing could be asked: no advice is no success (exit 2), and it says why.
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("could not reach http://")
            && out.stderr.contains("nothing can be advised"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("hub: unknown (cannot connect"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("note: could not verify any of the 1 token"),
        "{}",
        out.stdout
    );
}

/// Makes a FIFO with mkfifo(1) (the crate forbids `unsafe`, so no libc call here).
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

#[test]
fn whoami_refuses_token_files_that_are_not_regular_files() {
    // Each once exhausted memory (`/dev/zero`, `/proc/self/pagemap`) or hung (a FIFO).
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("token-fifo");
    mkfifo(&fifo);
    let zero = home.path().join("token-zero");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let folder = home.path().join("token-folder");
    std::fs::create_dir(&folder).unwrap();
    let big = home.path().join("token-big");
    std::fs::write(&big, "x".repeat(100 << 10)).unwrap();
    let mut cases = vec![
        (fifo, "a FIFO, not a regular file"),
        (zero, "a character device, not a regular file"),
        (folder, "a folder, not a regular file"),
        (big, "more than 64 KiB"),
    ];
    if Path::new("/proc/self/pagemap").exists() {
        // Linux refuses reads of it that are not 8-byte aligned; either way: an error, at once.
        cases.push(("/proc/self/pagemap".into(), ""));
    }
    for (path, why) in cases {
        let started = Instant::now();
        let out = run(whoami(home.path())
            .env("HF_TOKEN_PATH", &path)
            .args(["--endpoint", "http://127.0.0.1:9"])
            .timeout(Duration::from_secs(30)));
        assert!(started.elapsed() < Duration::from_secs(10), "{path:?}");
        assert_eq!(out.code, 2, "{path:?}: {}", out.stderr);
        let want = format!("cannot read {}: ", path.display());
        assert!(
            out.stderr.contains(&want) && out.stderr.contains(why),
            "{path:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("no Hugging Face token found"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn whoami_with_a_fifo_for_stored_tokens_still_audits_hf_token() {
    let [token]: [String; 1] = fake_tokens(65, 1).try_into().unwrap();
    let hub = MockHub::start(HashMap::from([(
        token.clone(),
        Reply::Ok(user_token("read", "laptop-eval")),
    )]));
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("hf")).unwrap();
    mkfifo(&home.path().join("hf/stored_tokens"));
    let out = run(whoami(home.path())
        .env("HF_TOKEN", &token)
        .args(["--endpoint", &hub.url()])
        .timeout(Duration::from_secs(30)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(&format!(
            "note: cannot read {}: it is a FIFO, not a regular file",
            home.path().join("hf/stored_tokens").display()
        )),
        "{}",
        out.stdout
    );
    assert_eq!(hub.asked(&token), 1);
}

#[test]
fn whoami_escapes_section_names_and_hub_answers() {
    let t = fake_tokens(66, 2);
    let hub = MockHub::start(HashMap::from([
        (t[0].clone(), Reply::Ok(user_token("read", "laptop-eval"))),
        (
            t[1].clone(),
            Reply::Ok(user_token("read", "ci\u{202e}lavE\u{1b}[8m\u{feff}")),
        ),
    ]));
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        "hf/stored_tokens",
        format!(
            "[work\u{1b}[31m\u{202e}laptop\u{2069}]\nhf_token = {}\n[ci\u{200b}]\nhf_token = {}\n",
            t[0], t[1]
        ),
    );
    for format in ["human", "json"] {
        let out = run(whoami(home.path()).args(["--endpoint", &hub.url(), "--format", format]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        for bad in ['\u{1b}', '\u{202e}', '\u{2069}', '\u{200b}', '\u{feff}'] {
            assert!(
                !out.stdout.contains(bad),
                "{format}: {bad:?} in {}",
                out.stdout
            );
        }
        assert_no_token(&out.stdout, &t, "whoami");
    }
    let out = run(whoami(home.path()).args(["--endpoint", &hub.url()]));
    for want in [
        r"stored_tokens [work\x1b[31m\u{202e}laptop\u{2069}]",
        r"stored_tokens [ci\u{200b}]",
        r#"name "ci\u{202e}lavE\x1b[8m\u{feff}""#,
    ] {
        assert!(out.stdout.contains(want), "{want}: {}", out.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// Least privilege down to the repository: the access map and HF016

/// A whoami-v2 answer for a fine-grained token with these scoped entries (type, name, perms).
fn scoped_token(name: &str, global: &[&str], scoped: &[(&str, &str, &[&str])]) -> Value {
    let scoped: Vec<Value> = scoped
        .iter()
        .enumerate()
        .map(|(i, (kind, entity, perms))| {
            json!({"entity": {"_id": format!("id{i}"), "type": kind, "name": entity},
                   "permissions": perms})
        })
        .collect();
    json!({
        "type": "user", "id": "1", "name": "alice",
        "orgs": [{"type": "org", "name": "acme", "roleInOrg": "write"}],
        "auth": {"type": "access_token", "accessToken": {
            "displayName": name, "role": "fineGrained",
            "fineGrained": {"canReadGatedRepos": false, "global": global, "scoped": scoped}
        }}
    })
}

/// A classic token whose user is in `acme` (write) and `lab` (read).
fn classic_token(role: &str) -> Value {
    json!({
        "type": "user", "id": "1", "name": "alice",
        "orgs": [{"type": "org", "name": "acme", "roleInOrg": "write"},
                 {"type": "org", "name": "lab", "roleInOrg": "read"}],
        "auth": {"type": "access_token", "accessToken": {"displayName": "laptop-push", "role": role}}
    })
}

fn finding_at<'a>(report: &'a Value, rule: &str, path: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["path"] == path)
}

#[test]
fn hf016_names_the_surplus_write_scope_and_is_silent_when_exact_or_unresolved() {
    let t = fake_tokens(1600, 6);
    let dir = tempfile::tempdir().unwrap();
    let push = |repo: &str, token: &str| {
        format!(
            "from huggingface_hub import HfApi\napi = HfApi(token=\"{token}\")\napi.upload_file(path_or_fileobj=\"w\", path_in_repo=\"w\", repo_id=\"{repo}\")\n"
        )
    };
    write(dir.path(), "surplus/push.py", push("acme/m2", &t[0]));
    write(dir.path(), "exact/push.py", push("acme/m3", &t[1]));
    write(
        dir.path(),
        "dyn/push.py",
        format!(
            "from huggingface_hub import upload_folder\nupload_folder(repo_id=args.repo, folder_path=\"o\", token=\"{}\")\n",
            t[2]
        ),
    );
    write(
        dir.path(),
        "classic/push.py",
        format!("model.push_to_hub(\"acme/m4\", token=\"{}\")\n", t[3]),
    );
    write(dir.path(), "readonly/push.py", push("acme/m5", &t[4]));
    write(
        dir.path(),
        "org/create.py",
        format!(
            "from huggingface_hub import create_repo\ncreate_repo(\"acme/new\", token=\"{}\")\n",
            t[5]
        ),
    );
    let rw: &[&str] = &["repo.content.read", "repo.write"];
    let replies: HashMap<String, Reply> = [
        (
            &t[0],
            scoped_token(
                "surplus",
                &["discussion.write"],
                &[
                    (
                        "user",
                        "alice",
                        &["repo.content.read", "inference.serverless.write"],
                    ),
                    ("org", "lab", &["repo.content.read"]),
                    ("model", "acme/m1", rw),
                    ("model", "acme/m2", rw),
                    ("dataset", "acme/d9", rw),
                ],
            ),
        ),
        (
            &t[1],
            scoped_token("exact", &[], &[("model", "acme/m3", rw)]),
        ),
        (&t[2], classic_token("write")),
        (&t[3], classic_token("write")),
        (&t[4], classic_token("read")),
        (
            &t[5],
            scoped_token("org-create", &[], &[("org", "acme", rw)]),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.clone(), Reply::Ok(v)))
    .collect();
    let hub = MockHub::start(replies);
    let out = scan_verify(dir.path(), &hub.url(), "json");
    let report = out.json();
    assert_no_token(&out.stdout, &t, "the JSON report");
    assert_eq!(
        rule_paths(&report, "HF016"),
        ["classic/push.py", "surplus/push.py"]
    );

    // The surplus is named, and so is what the code writes.
    let f = finding_at(&report, "HF016", "surplus/push.py").unwrap();
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        f["message"],
        "token can write to acme/m1 (and 1 more) but this code writes only to acme/m2"
    );
    assert!(f["help"].as_str().unwrap().contains("hfaudit plan"));
    let f = finding_at(&report, "HF016", "classic/push.py").unwrap();
    assert_eq!(
        f["message"],
        "token can write to every repository of alice (and 1 more) but this code writes only to acme/m4"
    );

    // The access map on the verification: user, org and repository entities, global, roles.
    let v = verification_at(&report, "surplus/push.py");
    assert_eq!(v["global"], json!(["discussion.write"]));
    let entities: Vec<(String, String)> = v["scoped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["entity"]["type"].as_str().unwrap().to_owned(),
                s["entity"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        entities,
        [
            ("user".to_owned(), "alice".to_owned()),
            ("org".into(), "lab".into()),
            ("model".into(), "acme/m1".into()),
            ("model".into(), "acme/m2".into()),
            ("dataset".into(), "acme/d9".into()),
        ]
    );
    assert_eq!(v["scoped"][2]["permissions"], json!(rw));
    assert!(v["scoped"][0].get("_id").is_none() && v["scoped"][0]["entity"].get("_id").is_none());
    let classic = verification_at(&report, "classic/push.py");
    assert!(classic.get("scoped").is_none() && classic.get("global").is_none());
    assert_eq!(
        classic["org_roles"],
        json!({"acme": "write", "lab": "read"})
    );

    // Silent on an exact scope, on a read token, on a namespace the code creates in.
    for path in ["exact/push.py", "readonly/push.py", "org/create.py"] {
        assert!(finding_at(&report, "HF016", path).is_none(), "{path}");
    }
    // Silent on an unresolved write, and the report says why.
    assert!(finding_at(&report, "HF016", "dyn/push.py").is_none());
    let leak = finding_at(&report, "HF001", "dyn/push.py").unwrap();
    assert_eq!(
        leak["context"]["unresolved_writes"],
        json!([{"path": "dyn/push.py", "line": 2, "call": "upload_folder",
                "why": "`args.repo` is not a literal"}])
    );
    // Only where HF016 was judged: not on the exact token's findings.
    let exact = finding_at(&report, "HF001", "exact/push.py").unwrap();
    assert!(exact["context"].get("unresolved_writes").is_none());
}

#[test]
fn hf016_needs_verify() {
    let t = fake_tokens(1601, 1);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "push.py",
        format!("model.push_to_hub(\"acme/m\", token=\"{}\")\n", t[0]),
    );
    let out =
        run(hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--no-config", "--format", "json"]));
    let report = out.json();
    assert!(rule_paths(&report, "HF016").is_empty());
    let skipped: Vec<&str> = report["summary"]["skipped_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(skipped.contains(&"HF016"), "{skipped:?}");
}
