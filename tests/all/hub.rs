//! The Hub as a source: `hfaudit scan hf://…` against a loopback server that answers like the
//! Hub (its JSON shapes as huggingface_hub reads them), plus a second loopback port standing in
//! for the CDN that LFS downloads are redirected to. No test touches the real Hub.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command as Std;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::common::{fake_tokens, hfaudit};
use crate::mock::{Request, Response, Server};

pub(crate) fn ok(v: &Value) -> Response {
    Response::new(200).body(v.to_string())
}

pub(crate) fn bytes(b: impl Into<Vec<u8>>) -> Response {
    Response::new(200).body(b)
}

pub(crate) fn status(code: u16) -> Response {
    Response::new(code).body("{}")
}

pub(crate) fn with(r: Response, k: &str, v: &str) -> Response {
    r.header(k, v)
}

type Routes = HashMap<String, Vec<Response>>;

/// A loopback HTTP server: each route answers its replies in turn (the last one repeats);
/// anything else is a file under `files` (git's dumb protocol), else 404.
pub(crate) struct Mock {
    server: Server,
    routes: Arc<Mutex<Routes>>,
}

impl Mock {
    pub(crate) fn start(files: Option<(String, PathBuf)>) -> Mock {
        let routes: Arc<Mutex<Routes>> = Arc::default();
        let r = routes.clone();
        let server = Server::start(move |request| answer(request, &r, files.as_ref()));
        Mock { server, routes }
    }

    pub(crate) fn url(&self) -> String {
        self.server.url()
    }

    pub(crate) fn route(&self, target: &str, replies: Vec<Response>) {
        self.routes.lock().unwrap().insert(target.into(), replies);
    }

    pub(crate) fn server_clear(&self) {
        self.server.clear();
    }

    pub(crate) fn seen(&self) -> Vec<Request> {
        self.server.requests()
    }

    pub(crate) fn count(&self, target: &str) -> usize {
        self.seen().iter().filter(|s| s.target == target).count()
    }
}

fn answer(
    request: &Request,
    routes: &Mutex<Routes>,
    files: Option<&(String, PathBuf)>,
) -> Response {
    let target = &request.target;
    let reply = {
        let mut r = routes.lock().unwrap();
        match r.get_mut(target) {
            Some(list) if list.len() > 1 => Some(list.remove(0)),
            Some(list) => list.first().cloned(),
            None => None,
        }
    };
    let reply = reply.or_else(|| {
        let (prefix, dir) = files?;
        let rel = target.split('?').next()?.strip_prefix(prefix.as_str())?;
        std::fs::read(dir.join(rel.trim_start_matches('/')))
            .ok()
            .map(bytes)
    });
    reply.unwrap_or_else(|| status(404))
}

fn file(path: &str, oid: &str, size: usize) -> Value {
    json!({"type": "file", "oid": oid, "size": size, "path": path})
}

fn lfs(path: &str, sha: &str, size: u64) -> Value {
    json!({"type": "file", "oid": "p", "size": 134, "path": path,
           "lfs": {"oid": sha, "size": size, "pointerSize": 134}})
}

const TREE: &str = "?recursive=true&expand=false";

/// An organisation `acme`: a Space with everything, a model behind a 429, a private model and
/// a dataset whose Hub answers 500. Returns the Hub, the CDN and the planted tokens.
fn acme(tok: &[String]) -> (Mock, Mock) {
    let hub = Mock::start(None);
    let cdn = Mock::start(None);
    let h = hub.url();
    hub.route(
        "/api/models?author=acme",
        vec![with(
            ok(&json!([{"id": "acme/model"}])),
            "Link",
            &format!("<{h}/api/models?author=acme&cursor=2>; rel=\"next\""),
        )],
    );
    hub.route(
        "/api/models?author=acme&cursor=2",
        vec![ok(&json!([{"id": "acme/private"}]))],
    );
    hub.route(
        "/api/datasets?author=acme",
        vec![ok(&json!([{"id": "acme/broken"}]))],
    );
    hub.route(
        "/api/spaces?author=acme",
        vec![ok(&json!([{"id": "acme/demo"}]))],
    );
    // The Space: two pages of tree, a small LFS file on the CDN, a 5 GB one.
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![with(
            ok(&json!([
                file("app.py", "a1", 40),
                file("README.md", "r1", 20)
            ])),
            "Link",
            &format!("</api/spaces/acme/demo/tree/main{TREE}&cursor=p2>; rel=\"next\""),
        )],
    );
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}&cursor=p2"),
        vec![ok(&json!([
            {"type": "directory", "oid": "d", "size": 0, "path": "models"},
            lfs("training_args.bin", "s1", 300),
            lfs("models/big.safetensors", "s2", 5 << 30),
        ]))],
    );
    hub.route(
        "/spaces/acme/demo/resolve/main/app.py",
        vec![bytes(format!(
            "import os\nclient = InferenceClient(token=\"{}\")\n",
            tok[0]
        ))],
    );
    hub.route(
        "/spaces/acme/demo/resolve/main/README.md",
        vec![bytes("---\nsdk: gradio\n---\n")],
    );
    hub.route(
        "/spaces/acme/demo/resolve/main/training_args.bin",
        vec![with(
            status(302),
            "Location",
            &format!("{}/repos/s1?X-Signature=abc", cdn.url()),
        )],
    );
    let mut pickled = b"\x80\x04\x95hub_token\x94\x8c\x22".to_vec();
    pickled.extend_from_slice(tok[1].as_bytes());
    pickled.extend_from_slice(b"\x94\x00\x00");
    cdn.route("/repos/s1?X-Signature=abc", vec![bytes(pickled)]);
    hub.route(
        "/api/spaces/acme/demo/refs?include_prs=1",
        vec![ok(
            &json!({"branches": [{"name": "main", "ref": "refs/heads/main"}],
            "tags": [], "converts": [],
            "pullRequests": [{"name": "1", "ref": "refs/pr/1", "targetCommit": "c"}]}),
        )],
    );
    hub.route(
        &format!("/api/spaces/acme/demo/tree/refs%2Fpr%2F1{TREE}"),
        vec![ok(&json!([
            file("app.py", "a1", 40),
            file("fix.py", "f1", 40)
        ]))],
    );
    hub.route(
        "/spaces/acme/demo/resolve/refs%2Fpr%2F1/fix.py",
        vec![bytes(format!("HF_TOKEN = \"{}\"\n", tok[2]))],
    );
    hub.route(
        "/api/spaces/acme/demo/discussions?p=0",
        vec![ok(
            &json!({"discussions": [{"num": 1, "title": "hi"}], "count": 2, "start": 0}),
        )],
    );
    hub.route(
        "/api/spaces/acme/demo/discussions?p=1",
        vec![ok(
            &json!({"discussions": [{"num": 7, "title": "help"}], "count": 2, "start": 1}),
        )],
    );
    hub.route(
        "/api/spaces/acme/demo/discussions/1",
        vec![ok(&json!({"title": "hi", "events": [
            {"type": "comment", "data": {"latest": {"raw": "nice space"}}}]}))],
    );
    hub.route(
        "/api/spaces/acme/demo/discussions/7",
        vec![ok(&json!({"title": "help", "events": [
            {"type": "status-change", "data": {"status": "open"}},
            {"type": "comment", "data": {"latest": {"raw": format!("it fails with\nmy token {}", tok[3])}}}]}))],
    );
    hub.route(
        "/api/spaces/acme/demo/variables",
        vec![ok(
            &json!({"HF_TOKEN": {"value": tok[4], "description": "for the API"},
                         "THEME": {"value": "dark"}}),
        )],
    );
    // The model: a 429 first, then its tree.
    hub.route(
        &format!("/api/models/acme/model/tree/main{TREE}"),
        vec![
            with(status(429), "RateLimit", "\"api\";r=0;t=1"),
            ok(&json!([file("config.json", "c1", 10)])),
        ],
    );
    hub.route(
        "/acme/model/resolve/main/config.json",
        vec![bytes("{\"a\": 1}")],
    );
    hub.route(
        "/api/models/acme/model/refs?include_prs=1",
        vec![ok(&json!({"branches": [], "pullRequests": []}))],
    );
    hub.route(
        "/api/models/acme/model/discussions?p=0",
        vec![ok(&json!({"discussions": [], "count": 0, "start": 0}))],
    );
    // The private model: 401 (a test with a token replaces this route).
    hub.route(
        &format!("/api/models/acme/private/tree/main{TREE}"),
        vec![status(401)],
    );
    hub.route(
        &format!("/api/datasets/acme/broken/tree/main{TREE}"),
        vec![status(500)],
    );
    (hub, cdn)
}

pub(crate) fn run_json(args: &[&str], env: &[(&str, &str)]) -> (Value, String, String, i32) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = hfaudit();
    cmd.env("HF_HOME", home.path())
        .env_remove("HF_TOKEN_PATH")
        .env("CI", "1")
        .current_dir(home.path())
        .args(["scan", "--format", "json", "--no-config"])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (v, stdout, stderr, out.status.code().unwrap_or(-1))
}

pub(crate) fn finding<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding at {path}: {report:#}"))
}

#[test]
fn hub_scans_an_organisation_files_lfs_prs_discussions_and_variables() {
    let tok = fake_tokens(1010, 6);
    let (hub, cdn) = acme(&tok);
    let (report, stdout, stderr, code) = run_json(&["hf://acme", "--endpoint", &hub.url()], &[]);
    // Errors (the private model, the broken dataset) make it 2; the scan went on.
    assert_eq!(code, 2, "{stderr}");

    let app = finding(&report, "hf://spaces/acme/demo/app.py");
    assert_eq!(app["rule"], "HF001");
    assert_eq!(app["line"], 2);
    assert_eq!(
        app["context"]["platform"], "server",
        "a Space's code runs on a server"
    );
    assert_eq!(
        app["source"],
        json!({"kind": "hub", "repo": "spaces/acme/demo", "revision": "main", "item": "file",
               "url": format!("{}/spaces/acme/demo/blob/main/app.py", hub.url())})
    );
    let bin = finding(&report, "hf://spaces/acme/demo/training_args.bin");
    assert_eq!(bin["rule"], "HF001");
    let pr = finding(&report, "hf://spaces/acme/demo@refs%2Fpr%2F1/fix.py");
    assert_eq!(pr["source"]["revision"], "refs/pr/1");
    let disc = finding(&report, "hf://spaces/acme/demo/discussions/7");
    assert_eq!(disc["line"], 4);
    assert_eq!(disc["source"]["item"], "discussion");
    let var = finding(&report, "hf://spaces/acme/demo/variables/HF_TOKEN");
    assert_eq!(var["rule"], "HF012");
    assert_eq!(var["severity"], "error");
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        5,
        "{report:#}"
    );

    // The 5 GB file: skipped and counted, never requested.
    let skipped = report["skipped"].as_array().unwrap();
    assert!(skipped
        .iter()
        .any(|s| s["path"] == "hf://spaces/acme/demo/models/big.safetensors"));
    assert!(hub
        .seen()
        .iter()
        .all(|s| !s.target.contains("big.safetensors")));
    // Per-repo errors, the scan went on.
    let errors = report["errors"].to_string();
    assert!(
        errors.contains("hf://acme/private") && errors.contains("HTTP 401"),
        "{errors}"
    );
    assert!(errors.contains("without a token"), "{errors}");
    assert!(errors.contains("hf://datasets/acme/broken") && errors.contains("HTTP 500"));
    assert!(stderr.contains("public repositories only"), "{stderr}");
    assert!(stderr.contains("rate-limited 1 request"), "{stderr}");
    // This Hub serves no git: its repositories were read one request a file, and said so.
    assert!(
        stderr.contains("could not be read through git")
            && stderr.contains("read one request each"),
        "{stderr}"
    );

    // Every page of every list; each blob once (app.py is shared by main and the PR).
    assert_eq!(hub.count("/api/models?author=acme&cursor=2"), 1);
    assert_eq!(
        hub.count(&format!("/api/spaces/acme/demo/tree/main{TREE}&cursor=p2")),
        1
    );
    assert_eq!(hub.count("/api/spaces/acme/demo/discussions?p=1"), 1);
    assert_eq!(hub.count("/spaces/acme/demo/resolve/main/app.py"), 1);
    assert_eq!(
        hub.count("/spaces/acme/demo/resolve/refs%2Fpr%2F1/app.py"),
        0
    );
    assert_eq!(
        hub.count(&format!("/api/models/acme/model/tree/main{TREE}")),
        2
    );
    assert_eq!(cdn.count("/repos/s1?X-Signature=abc"), 1);
    // 500 is retried a bounded number of times.
    let broken = hub.count(&format!("/api/datasets/acme/broken/tree/main{TREE}"));
    assert!((2..=4).contains(&broken), "{broken}");
    // Without a token, nothing carries Authorization.
    assert!(hub.seen().iter().all(|s| s.authorization().is_none()));
    for t in &tok {
        assert!(!stdout.contains(t.as_str()) && !stderr.contains(t.as_str()));
    }
}

#[test]
fn hub_sends_the_token_to_the_endpoint_only_never_to_the_cdn() {
    let tok = fake_tokens(1011, 6);
    let (hub, cdn) = acme(&tok);
    let mine = fake_tokens(77, 1).remove(0);
    hub.route(
        &format!("/api/models/acme/private/tree/main{TREE}"),
        vec![ok(&json!([file("secret.py", "x9", 40)]))],
    );
    hub.route(
        "/acme/private/resolve/main/secret.py",
        vec![bytes(format!("t = \"{}\"\n", tok[5]))],
    );
    let (report, stdout, stderr, _) = run_json(
        &[
            "hf://spaces/acme/demo",
            "hf://acme/private",
            "--endpoint",
            &hub.url(),
        ],
        &[("HF_TOKEN", &mine)],
    );
    finding(&report, "hf://acme/private/secret.py");
    let bearer = format!("Bearer {mine}");
    assert!(hub
        .seen()
        .iter()
        .all(|s| s.authorization() == Some(bearer.as_str())));
    assert_eq!(cdn.seen().len(), 1);
    assert!(
        cdn.seen().iter().all(|s| s.authorization().is_none()),
        "the CDN saw a token"
    );
    assert!(!stderr.contains("public repositories only"));
    for t in tok.iter().chain([&mine]) {
        assert!(!stdout.contains(t.as_str()) && !stderr.contains(t.as_str()));
    }
}

#[test]
fn hub_flags_turn_off_prs_discussions_variables_and_lfs() {
    let tok = fake_tokens(1012, 6);
    let (hub, cdn) = acme(&tok);
    let (report, _, stderr, code) = run_json(
        &[
            "hf://spaces/acme/demo",
            "--endpoint",
            &hub.url(),
            "--no-pull-requests",
            "--no-discussions",
            "--no-variables",
            "--lfs-max-size",
            "100",
        ],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["hf://spaces/acme/demo/app.py"]);
    assert!(
        cdn.seen().is_empty(),
        "an LFS file over the limit was requested"
    );
    // (git asks `info/refs` before this Hub, which serves no git, is read file by file.)
    let api_refs = |s: &Request| s.target.starts_with("/api/") && s.target.contains("/refs");
    assert!(hub.seen().iter().all(|s| !api_refs(s)
        && !s.target.contains("discussions")
        && !s.target.contains("variables")));
    assert_eq!(report["summary"]["files_skipped"], 2);
    // --verify asks the same endpoint about Hub findings as about local ones.
    hub.route(
        "/api/whoami-v2",
        vec![ok(&json!({"type": "user", "name": "acme-bot", "orgs": [],
            "auth": {"type": "access_token",
                     "accessToken": {"displayName": "space", "role": "write"}}}))],
    );
    let (verified, _, _, _) = run_json(
        &[
            "hf://spaces/acme/demo",
            "--endpoint",
            &hub.url(),
            "--verify",
            "--no-pull-requests",
        ],
        &[],
    );
    let app = finding(&verified, "hf://spaces/acme/demo/app.py");
    assert_eq!(app["verification"]["status"], "valid", "{verified:#}");
    assert_eq!(
        hub.count("/api/whoami-v2"),
        4,
        "each token found asked once"
    );
}

#[test]
fn hub_targets_mix_with_local_paths_and_refuse_bad_names() {
    let tok = fake_tokens(1013, 6);
    let (hub, _cdn) = acme(&tok);
    hub.route(
        "/spaces/acme/demo/resolve/refs%2Fpr%2F1/app.py",
        vec![bytes(format!("token = \"{}\"\n", tok[0]))],
    );
    let dir = tempfile::tempdir().unwrap();
    let local_token = fake_tokens(1014, 1).remove(0);
    std::fs::write(
        dir.path().join("local.py"),
        format!("T = \"{local_token}\"\n"),
    )
    .unwrap();
    let local = dir.path().join("local.py");
    let (report, _, _, _) = run_json(
        &[
            local.to_str().unwrap(),
            "hf://spaces/acme/demo@refs%2Fpr%2F1",
            "--endpoint",
            &hub.url(),
        ],
        &[],
    );
    let paths: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(paths.iter().any(|p| p.ends_with("local.py")), "{paths:?}");
    assert!(paths.contains(&"hf://spaces/acme/demo@refs%2Fpr%2F1/fix.py".to_owned()));
    assert!(paths.contains(&"hf://spaces/acme/demo@refs%2Fpr%2F1/app.py".to_owned()));

    // The human report names the page to open; SARIF an hf: URI that decodes to the path.
    let human = hfaudit()
        .env("HF_HOME", dir.path())
        .args(["scan", "--no-config", "hf://spaces/acme/demo@refs%2Fpr%2F1"])
        .args(["--endpoint", &hub.url()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    let page = format!(
        "on the Hub: {}/spaces/acme/demo/blob/refs%2Fpr%2F1/fix.py#L1",
        hub.url()
    );
    assert!(text.contains(&page), "{text}");
    let sarif = hfaudit()
        .env("HF_HOME", dir.path())
        .args([
            "scan",
            "--no-config",
            "-f",
            "sarif",
            "hf://spaces/acme/demo@refs%2Fpr%2F1",
        ])
        .args(["--endpoint", &hub.url()])
        .output()
        .unwrap();
    let sarif = String::from_utf8_lossy(&sarif.stdout);
    assert!(
        sarif.contains("\"hf://spaces/acme/demo%40refs%252Fpr%252F1/fix.py\""),
        "{sarif}"
    );

    hfaudit()
        .args(["scan", "hf://acme/../etc"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a Hub name"));
    hfaudit()
        .args(["scan", "hf://acme/x", "--endpoint", "http://example.com"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("refused"));
    // A `.` or `..` revision segment would rewrite the API path: refused before any request.
    let before = hub.seen().len();
    for bad in [
        "hf://acme/m@..",
        "hf://acme/m@%2e%2e",
        "hf://acme/m@refs/../x",
    ] {
        hfaudit()
            .args(["scan", bad, "--endpoint", &hub.url()])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("path segment"));
    }
    assert_eq!(hub.seen().len(), before, "a request was sent");
}

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let st = Std::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@e",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// A bare repository ready for git's dumb HTTP protocol, whose history added `token` to
/// `app.py` and then removed it. Returns the folder holding it and the repository.
fn served_history(token: &str) -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().unwrap();
    git(work.path(), &["init", "-q"]);
    std::fs::write(work.path().join("app.py"), format!("T = \"{token}\"\n")).unwrap();
    git(work.path(), &["add", "."]);
    git(work.path(), &["commit", "-q", "-m", "add"]);
    std::fs::write(work.path().join("app.py"), "T = os.environ['HF_TOKEN']\n").unwrap();
    git(work.path(), &["commit", "-q", "-am", "remove"]);
    let served = tempfile::tempdir().unwrap();
    let bare = served.path().join("demo.git");
    git(
        served.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.path().to_str().unwrap(),
            "demo.git",
        ],
    );
    git(&bare, &["update-server-info"]);
    (served, bare)
}

/// The arguments of a `--history` scan of `hf://spaces/acme/demo` and nothing else.
fn history_args(endpoint: &str) -> Vec<String> {
    [
        "hf://spaces/acme/demo",
        "--history",
        "--endpoint",
        endpoint,
        "--no-pull-requests",
        "--no-discussions",
        "--no-variables",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// A Hub whose git server redirects `info/refs` to another origin: git re-bases the remote on
/// a redirect and would send the user's token there with every later request. The clone must
/// follow no redirect, and the other origin must never see the token.
#[test]
fn hub_history_clone_follows_no_redirect_to_another_host() {
    let tok = fake_tokens(1016, 1);
    let (_served, bare) = served_history(&tok[0]);
    let other = Mock::start(Some(("/spaces/acme/demo".into(), bare)));
    let hub = Mock::start(None);
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    let refs = "/spaces/acme/demo/info/refs?service=git-upload-pack";
    hub.route(
        refs,
        vec![with(
            Response::new(302),
            "Location",
            &format!("{}{refs}", other.url()),
        )],
    );
    let mine = fake_tokens(79, 1).remove(0);
    let args = history_args(&hub.url());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (report, stdout, stderr, code) = run_json(&args, &[("HF_TOKEN", &mine)]);
    assert_eq!(code, 2, "{stderr}\n{report:#}");
    assert!(
        report["errors"].to_string().contains("--history"),
        "{report:#}"
    );
    assert!(
        other.seen().iter().all(|s| s.authorization().is_none()),
        "the token went to the host a redirect named"
    );
    assert!(other.seen().is_empty(), "the redirect was followed");
    // The endpoint itself was asked, with the token.
    let bearer = format!("Bearer {mine}");
    assert!(hub
        .seen()
        .iter()
        .any(|s| s.target == refs && s.authorization() == Some(bearer.as_str())));
    assert!(!stdout.contains(&mine[3..]) && !stderr.contains(&mine[3..]));
}

/// A git server answers the token it was sent back in its error (`fatal: remote error: …`),
/// spelled several ways (percent-encoded, escaped, its body alone, backwards, split): neither
/// the report nor a note shows it, for the one fetch of a repository and for `--history`; and
/// the Hub API's `X-Error-Message` the same.
#[test]
fn a_server_that_echoes_the_token_never_gets_it_printed() {
    let mine = fake_tokens(83, 1).remove(0);
    let body = &mine[3..];
    let backwards: String = body.chars().rev().collect();
    let split = format!("{} {} {}", &body[..11], &body[11..22], &body[22..]);
    let echo = format!("a hf%5F{body} b hf\\x5f{body} c {body} d {backwards} e {split}");
    let pkt = |line: &str| format!("{:04x}{line}", line.len() + 4);
    let advert = format!(
        "{}0000{}",
        pkt("# service=git-upload-pack\n"),
        pkt(&format!("ERR {echo}"))
    );
    let hub = Mock::start(None);
    let refs = "/spaces/acme/demo/info/refs?service=git-upload-pack";
    hub.route(
        refs,
        vec![with(
            Response::new(200).body(advert),
            "Content-Type",
            "application/x-git-upload-pack-advertisement",
        )],
    );
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![with(
            status(403),
            "X-Error-Message",
            &format!("no access for {echo}"),
        )],
    );
    for history in [false, true] {
        let mut args = history_args(&hub.url());
        if !history {
            args.retain(|a| a != "--history");
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (report, stdout, stderr, _) = run_json(&args, &[("HF_TOKEN", &mine)]);
        let all = format!("{stdout}{stderr}{report}");
        assert!(
            all.contains("git fetch failed") && (!history || all.contains("git clone failed")),
            "git's failure is shown: {all}"
        );
        let folded: String = all
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        for piece in [&body[..12], &body[12..24], &body[22..], &backwards[..12]] {
            assert!(
                !folded.contains(&piece.to_lowercase()),
                "history {history}: {piece} in {all}"
            );
        }
        assert!(all.contains("withheld"), "{all}");
    }
}

/// Git's dumb protocol can name other hosts for objects (`objects/info/http-alternates`);
/// git treats them as redirects, so they are not followed either.
#[test]
fn hub_history_clone_follows_no_http_alternates() {
    let tok = fake_tokens(1017, 1);
    let (_served, bare) = served_history(&tok[0]);
    let other = Mock::start(Some(("/spaces/acme/demo".into(), bare.clone())));
    // The Hub's copy has the refs but no object: each one is "at" the other host.
    let hollow = tempfile::tempdir().unwrap();
    let copy = hollow.path().join("demo.git");
    let st = Std::new("cp")
        .args(["-r", bare.to_str().unwrap(), copy.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    let objects = copy.join("objects");
    for entry in std::fs::read_dir(&objects).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n != "info") {
            std::fs::remove_dir_all(&path).unwrap();
        }
    }
    std::fs::write(
        objects.join("info/http-alternates"),
        format!("{}/spaces/acme/demo/objects\n", other.url()),
    )
    .unwrap();
    let hub = Mock::start(Some(("/spaces/acme/demo".into(), copy)));
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    let mine = fake_tokens(80, 1).remove(0);
    let args = history_args(&hub.url());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (report, _, stderr, _) = run_json(&args, &[("HF_TOKEN", &mine)]);
    assert!(
        other.seen().iter().all(|s| s.authorization().is_none()),
        "the token went to an alternate's host: {stderr}\n{report:#}"
    );
}

#[test]
fn hub_history_clones_over_dumb_http_and_finds_deleted_tokens() {
    let tok = fake_tokens(1015, 1);
    let (_served, bare) = served_history(&tok[0]);
    let hub = Mock::start(Some(("/spaces/acme/demo".into(), bare.clone())));
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    let (report, _, stderr, code) = run_json(
        &[
            "hf://spaces/acme/demo",
            "--history",
            "--endpoint",
            &hub.url(),
            "--no-pull-requests",
            "--no-discussions",
            "--no-variables",
        ],
        &[],
    );
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let f = finding(&report, "hf://spaces/acme/demo/app.py");
    assert!(f["commit"]["id"].as_str().is_some_and(|c| c.len() == 40));
    assert_eq!(f["source"]["revision"], f["commit"]["id"]);
    assert!(hub.seen().iter().any(|s| s.target.contains("info/refs")));
}

/// Every git hook runs with `GIT_DIR` (and often `GIT_INDEX_FILE`) set: the clone and the
/// scan of the clone must read the Hub's history, never the repository those name.
#[test]
fn hub_history_ignores_git_variables_naming_another_repository() {
    let tok = fake_tokens(1018, 2);
    let (_served, bare) = served_history(&tok[0]);
    let hub = Mock::start(Some(("/spaces/acme/demo".into(), bare)));
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    // The user's repository, with a token committed and another one staged.
    let local = tempfile::tempdir().unwrap();
    git(local.path(), &["init", "-q"]);
    std::fs::write(
        local.path().join("local.py"),
        format!("T = \"{}\"\n", tok[1]),
    )
    .unwrap();
    git(local.path(), &["add", "."]);
    git(local.path(), &["commit", "-q", "-m", "local"]);
    let dot_git = local.path().join(".git");
    let index = dot_git.join("index");
    let args = history_args(&hub.url());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (report, _, stderr, code) = run_json(
        &args,
        &[
            ("GIT_DIR", dot_git.to_str().unwrap()),
            ("GIT_INDEX_FILE", index.to_str().unwrap()),
            ("GIT_WORK_TREE", local.path().to_str().unwrap()),
        ],
    );
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["hf://spaces/acme/demo/app.py"], "{report:#}");
    assert_eq!(report["errors"], json!([]), "{report:#}");
    assert!(hub.seen().iter().any(|s| s.target.contains("info/refs")));
}

/// [`served_history`] with its objects in one pack (as the Hub serves them): returns the
/// folder, the repository and the pack's path under the repository's URL.
fn served_pack(token: &str) -> (tempfile::TempDir, PathBuf, String) {
    let (served, bare) = served_history(token);
    git(&bare, &["repack", "-a", "-d", "-q"]);
    git(&bare, &["update-server-info"]);
    let pack = std::fs::read_dir(bare.join("objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| Path::new(n).extension().is_some_and(|e| e == "pack"))
        .expect("a pack");
    (
        served,
        bare,
        format!("/spaces/acme/demo/objects/pack/{pack}"),
    )
}

/// A Hub for `hf://spaces/acme/demo` whose git files are `bare`'s, but for `routes`.
fn git_hub(bare: PathBuf, routes: Vec<(String, Response)>) -> Mock {
    let hub = Mock::start(Some(("/spaces/acme/demo".into(), bare)));
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    for (target, reply) in routes {
        hub.route(&target, vec![reply]);
    }
    hub
}

/// `hfaudit scan --format json` of hf://spaces/acme/demo with --history, with `TMPDIR` set to
/// `tmp` and `env`, bounded by a minute: the report, standard error and the exit code.
fn run_history(
    hub: &Mock,
    tmp: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Value, String, i32) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = hfaudit();
    cmd.env("HF_HOME", home.path())
        .env_remove("HF_TOKEN_PATH")
        .env("CI", "1")
        .env("TMPDIR", tmp)
        .current_dir(home.path())
        .args(["scan", "--format", "json", "--no-config"])
        .args(history_args(&hub.url()))
        .args(extra)
        .timeout(std::time::Duration::from_secs(60));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (v, stderr, out.status.code().unwrap_or(-1))
}

/// The `hfaudit-hub-*` folders left in `tmp`.
fn clones_left(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("hfaudit-hub-"))
        .collect()
}

/// The one error of a report, for the repository.
fn history_error(report: &Value) -> String {
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["path"], "hf://spaces/acme/demo");
    errors[0]["message"].as_str().unwrap().to_owned()
}

/// A git server that drips (a byte a second): the clone gives up at git's low-speed limit
/// (its time shortened here) with an error for the repository, and its folder is removed.
#[test]
fn hub_history_clone_gives_up_on_a_server_that_drips() {
    let tok = fake_tokens(1019, 1);
    let (_served, bare) = served_history(&tok[0]);
    let refs = std::fs::read(bare.join("info/refs")).unwrap();
    let hub = git_hub(
        bare,
        vec![(
            "/spaces/acme/demo/info/refs?service=git-upload-pack".into(),
            bytes(refs).trickle(std::time::Duration::from_secs(1)),
        )],
    );
    let tmp = tempfile::tempdir().unwrap();
    let (report, stderr, code) = run_history(
        &hub,
        tmp.path(),
        &[],
        &[("HFAUDIT_HISTORY_LOW_SPEED_TIME", "1")],
    );
    assert_eq!(code, 2, "{stderr}\n{report:#}");
    let message = history_error(&report);
    assert!(
        message.starts_with("--history: git clone failed") && message.contains("too slow"),
        "{message}"
    );
    assert_eq!(clones_left(tmp.path()), Vec::<String>::new());
}

/// A git server whose pack never ends: the clone is stopped when its folder passes
/// --history-max-size, long before the server is done, and the folder is removed.
#[test]
fn hub_history_clone_stops_at_its_size_limit() {
    let tok = fake_tokens(1020, 1);
    let (_served, bare, pack) = served_pack(&tok[0]);
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let endless = crate::mock::Endless {
        chunk: 64 << 10,
        pause: std::time::Duration::from_millis(2),
        sent: sent.clone(),
    };
    let hub = git_hub(bare, vec![(pack, Response::new(200).endless(endless))]);
    let tmp = tempfile::tempdir().unwrap();
    let (report, stderr, code) = run_history(&hub, tmp.path(), &["--history-max-size", "1M"], &[]);
    assert_eq!(code, 2, "{stderr}\n{report:#}");
    let message = history_error(&report);
    assert!(
        message.contains("grew past --history-max-size (1048576 bytes)"),
        "{message}"
    );
    let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        (1 << 20..64 << 20).contains(&sent),
        "{sent} bytes sent before the clone was stopped"
    );
    assert_eq!(clones_left(tmp.path()), Vec::<String>::new());
}

/// A git server that sends fast enough for the low-speed limit but never ends: the clone is
/// stopped at its wall-clock deadline (shortened here), and the folder is removed.
#[test]
fn hub_history_clone_stops_at_its_deadline() {
    let tok = fake_tokens(1021, 1);
    let (_served, bare, pack) = served_pack(&tok[0]);
    let endless = crate::mock::Endless {
        chunk: 4 << 10,
        pause: std::time::Duration::from_millis(50),
        sent: Arc::default(),
    };
    let hub = git_hub(bare, vec![(pack, Response::new(200).endless(endless))]);
    let tmp = tempfile::tempdir().unwrap();
    let (report, stderr, code) = run_history(
        &hub,
        tmp.path(),
        &[],
        &[("HFAUDIT_HISTORY_TIMEOUT_MS", "1500")],
    );
    assert_eq!(code, 2, "{stderr}\n{report:#}");
    let message = history_error(&report);
    assert!(
        message.contains("the clone was still running after 1.5 s; stopped and removed"),
        "{message}"
    );
    assert_eq!(clones_left(tmp.path()), Vec::<String>::new());
}

/// SIGTERM or SIGINT while the clone writes: the temporary folder is removed, and the run
/// exits 143 or 130 (128 + the signal).
#[cfg(unix)]
#[test]
fn hub_history_clone_folder_is_removed_on_sigterm_and_sigint() {
    let tok = fake_tokens(1022, 1);
    let (_served, bare, pack) = served_pack(&tok[0]);
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let endless = crate::mock::Endless {
            chunk: 4 << 10,
            pause: std::time::Duration::from_millis(20),
            sent: sent.clone(),
        };
        let hub = git_hub(
            bare.clone(),
            vec![(pack.clone(), Response::new(200).endless(endless))],
        );
        let tmp = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        let child = Std::new(assert_cmd::cargo::cargo_bin("hfaudit"))
            .env_remove("HF_ENDPOINT")
            .env_remove("HF_TOKEN")
            .env_remove("HF_TOKEN_PATH")
            .env("HF_HOME", home.path())
            .env("TMPDIR", tmp.path())
            .current_dir(home.path())
            .args(["scan", "--format", "json", "--no-config"])
            .args(history_args(&hub.url()))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Until git is writing the pack into the clone's folder (a minute at most).
        let started = std::time::Instant::now();
        while sent.load(std::sync::atomic::Ordering::Relaxed) < 16 << 10 {
            assert!(started.elapsed().as_secs() < 60, "the clone never started");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(clones_left(tmp.path()).len(), 1);
        let pid = child.id().to_string();
        let kill = Std::new("kill")
            .args([format!("-{signal}"), pid])
            .status()
            .unwrap();
        assert!(kill.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "SIG{signal}: {:?}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(clones_left(tmp.path()), Vec::<String>::new(), "SIG{signal}");
    }
}

#[test]
fn hub_refuses_a_next_page_on_another_host() {
    let hub = Mock::start(None);
    let other = Mock::start(None);
    hub.route(
        "/api/spaces?author=evil",
        vec![with(
            ok(&json!([{"id": "evil/one"}])),
            "Link",
            &format!(
                "<{}/api/spaces?author=evil&cursor=2>; rel=\"next\"",
                other.url()
            ),
        )],
    );
    let mine = fake_tokens(78, 1).remove(0);
    let (report, _, stderr, code) = run_json(
        &["hf://spaces/evil", "--endpoint", &hub.url()],
        &[("HF_TOKEN", &mine)],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        report["errors"].to_string().contains("another host"),
        "{report:#}"
    );
    assert!(
        other.seen().is_empty(),
        "the token's request went to another host"
    );
}

/// Tokens held in names the Hub chose (a repository, a file, a Space variable) and in an
/// error it sent: no format prints one, whatever it escapes (Markdown turned `hf_` into
/// `hf\_` before redaction once).
#[test]
fn hub_names_that_hold_tokens_are_redacted_in_every_format() {
    let tok = fake_tokens(1018, 6);
    let hub = Mock::start(None);
    let repo = format!("acme/{}", tok[0]);
    hub.route("/api/models?author=acme", vec![ok(&json!([{"id": repo}]))]);
    hub.route(
        &format!("/api/models/{repo}/tree/main{TREE}"),
        vec![ok(&json!([file(&format!("x_{}.py", tok[1]), "a1", 40)]))],
    );
    hub.route(
        &format!("/{repo}/resolve/main/x_{}.py", tok[1]),
        vec![bytes(format!("login(token=\"{}\")\n", tok[2]))],
    );
    hub.route(
        "/api/spaces?author=acme",
        vec![ok(&json!([{"id": "acme/demo"}]))],
    );
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    hub.route(
        "/api/spaces/acme/demo/variables",
        vec![ok(&json!({ tok[3].clone(): {"value": tok[4]} }))],
    );
    hub.route("/api/datasets?author=acme", vec![ok(&json!([]))]);
    hub.route(
        &format!("/api/datasets/acme/broken/tree/main{TREE}"),
        vec![with(
            status(404),
            "x-error-message",
            &format!("no such thing as {}", tok[5]),
        )],
    );
    for format in crate::trust::every_format() {
        let home = tempfile::tempdir().unwrap();
        let out = hfaudit()
            .env("HF_HOME", home.path())
            .env("CI", "1")
            .current_dir(home.path())
            .args(["scan", "hf://acme", "hf://datasets/acme/broken"])
            .args(["--no-config", "--no-discussions"])
            .args(["--endpoint", &hub.url(), "--format", &format])
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("acme"), "{format}: {text}");
        crate::common::assert_no_token(&text, &tok, &format!("--format {format}"));
    }
}

/// A hostile Hub (issue 17, items 4, 6 and 9): a listing page over the JSON cap, next-page
/// links in a cycle, a discussions count that never ends, a file bigger than its listing says,
/// a 429 that asks to wait a day. Each is cut, with an error or a note, and the scan ends.
#[test]
fn a_hostile_hub_is_read_within_bounds() {
    let tok = fake_tokens(1019, 2);
    let hub = Mock::start(None);
    let h = hub.url();
    // Spaces of `evil`: page A → page B → page A.
    let a = "/api/spaces?author=evil";
    let b = "/api/spaces?author=evil&cursor=b";
    hub.route(
        a,
        vec![with(
            ok(&json!([{"id": "evil/one"}])),
            "Link",
            &format!("<{h}{b}>; rel=\"next\""),
        )],
    );
    hub.route(
        b,
        vec![with(
            ok(&json!([{"id": "evil/two"}])),
            "Link",
            &format!("<{h}{a}>; rel=\"next\""),
        )],
    );
    hub.route("/api/models?author=evil", vec![ok(&json!([]))]);
    hub.route("/api/datasets?author=evil", vec![ok(&json!([]))]);
    // evil/one: a tree page of 9 MiB (the cap is 8).
    let big: Vec<Value> = (0..200_000)
        .map(|i| file(&format!("f{i:06}-{}.txt", "x".repeat(20)), "o", 1))
        .collect();
    hub.route(
        &format!("/api/spaces/evil/one/tree/main{TREE}"),
        vec![ok(&Value::Array(big))],
    );
    // evil/two: a file listed as 10 bytes that is 1 MiB, then discussions that never end.
    hub.route(
        &format!("/api/spaces/evil/two/tree/main{TREE}"),
        vec![ok(&json!([file("app.py", "a2", 10)]))],
    );
    let mut liar = format!("T = \"{}\"\n", tok[0]).into_bytes();
    liar.resize(1 << 20, b'#');
    hub.route("/spaces/evil/two/resolve/main/app.py", vec![bytes(liar)]);
    for p in 0..4 {
        hub.route(
            &format!("/api/spaces/evil/two/discussions?p={p}"),
            vec![ok(&json!({"count": 1_000_000_000u64, "start": p,
                              "discussions": [{"num": 1}]}))],
        );
    }
    hub.route(
        "/api/spaces/evil/two/discussions/1",
        vec![ok(&json!({"title": "hello", "events": []}))],
    );
    // A private model that answers 429 and asks to wait a day.
    hub.route(
        &format!("/api/models/evil/slow/tree/main{TREE}"),
        vec![with(status(429), "Retry-After", "86400")],
    );
    let (report, stdout, stderr, code) = run_json(
        &[
            "hf://spaces/evil",
            "hf://evil/slow",
            "--endpoint",
            &h,
            "--no-pull-requests",
            "--no-variables",
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}\n{report:#}");
    let errors = report["errors"].to_string();
    assert!(
        errors.contains("hf://spaces/evil/one") && errors.contains("larger than 8 MiB"),
        "{errors}"
    );
    // The cycle ends: each page once.
    assert_eq!(hub.count(a), 1);
    assert_eq!(hub.count(b), 1);
    // The lying file: skipped, not read to its end.
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("hf://spaces/evil/two/app.py") && skipped.contains("listed 10 bytes"),
        "{skipped}"
    );
    // Discussions: a page with nothing new ends the list, whatever `count` says.
    let pages = hub
        .seen()
        .iter()
        .filter(|r| r.target.starts_with("/api/spaces/evil/two/discussions?p="))
        .count();
    assert_eq!(pages, 2, "{:?}", hub.seen());
    // The 429 asking for a day: given up at once, and the note says so (it waited nothing).
    assert!(errors.contains("hf://evil/slow"), "{errors}");
    assert!(stderr.contains("gave up on 1 request at once"), "{stderr}");
    assert!(!stderr.contains("waited 86400"), "{stderr}");
    crate::common::assert_no_token(&format!("{stdout}{stderr}"), &tok, "hostile hub");
}

/// Big answers from the Hub cost bounded memory: a listing whose pages (each under the 8 MiB
/// cap) never end is cut at 64 MiB with a note, an empty page ends a list, and a file over
/// 64 MiB streams through the matcher, its tokens found across chunk boundaries, a liar still
/// skipped.
#[test]
fn big_hub_answers_are_cut_or_streamed() {
    let tok = fake_tokens(1027, 3);
    let hub = Mock::start(None);
    let h = hub.url();
    // acme/junk: tree pages of 7 MiB each (one entry and a long field), next link after next.
    let junk = "J".repeat(7 << 20);
    for p in 0..12 {
        let path = format!("/api/models/acme/junk/tree/main{TREE}&cursor={p}");
        let page = ok(&json!([{"type": "file", "oid": format!("j{p}"), "size": 1,
                               "path": format!("j{p}.txt"), "junk": junk}]));
        let next = format!(
            "<{h}/api/models/acme/junk/tree/main{TREE}&cursor={}>; rel=\"next\"",
            p + 1
        );
        hub.route(&path, vec![with(page, "Link", &next)]);
        hub.route(
            &format!("/acme/junk/resolve/main/j{p}.txt"),
            vec![bytes(b"x".to_vec())],
        );
    }
    hub.route(
        &format!("/api/models/acme/junk/tree/main{TREE}"),
        vec![with(
            ok(&json!([file("first.txt", "f", 1)])),
            "Link",
            &format!("<{h}/api/models/acme/junk/tree/main{TREE}&cursor=0>; rel=\"next\""),
        )],
    );
    hub.route(
        "/acme/junk/resolve/main/first.txt",
        vec![bytes(b"x".to_vec())],
    );
    // acme/empty: an empty page whose next link goes on: the list ends there.
    hub.route(
        &format!("/api/models/acme/empty/tree/main{TREE}"),
        vec![with(
            ok(&json!([])),
            "Link",
            &format!("<{h}/api/models/acme/empty/tree/main{TREE}&cursor=1>; rel=\"next\""),
        )],
    );
    // acme/big: an 80 MiB file, a token across the first chunk's end (16 MiB) and one at its
    // end; a file listed at 70 MiB that sends 71.
    let size = 80usize << 20;
    let mut big = vec![b'#'; size];
    let line = |t: &str| format!("\nT = \"{t}\"\n").into_bytes();
    let at = (16 << 20) - 20;
    big[at..at + line(&tok[0]).len()].copy_from_slice(&line(&tok[0]));
    let end = size - line(&tok[1]).len();
    big[end..].copy_from_slice(&line(&tok[1]));
    let mut liar = vec![b'#'; 71 << 20];
    liar[..line(&tok[2]).len()].copy_from_slice(&line(&tok[2]));
    hub.route(
        &format!("/api/models/acme/big/tree/main{TREE}"),
        vec![ok(&json!([
            file("weights.bin", "w1", size),
            file("liar.bin", "l1", 70 << 20)
        ]))],
    );
    hub.route("/acme/big/resolve/main/weights.bin", vec![bytes(big)]);
    hub.route("/acme/big/resolve/main/liar.bin", vec![bytes(liar)]);
    let (report, stdout, stderr, _) = run_json(
        &[
            "hf://acme/junk",
            "hf://acme/empty",
            "hf://acme/big",
            "--endpoint",
            &h,
            "--no-pull-requests",
            "--no-discussions",
        ],
        &[],
    );
    // The listing: cut once its pages passed 64 MiB (ten pages of 7), said in a note.
    let pages = hub
        .seen()
        .iter()
        .filter(|r| r.target.contains("/api/models/acme/junk/tree/main"))
        .count();
    assert_eq!(pages, 11, "the first page and ten of 7 MiB");
    assert!(
        stderr.contains(
            "hf://acme/junk: files at main: the listing passed 64 MiB: the first 11 were read"
        ),
        "{stderr}"
    );
    let empty: Vec<String> = hub
        .seen()
        .iter()
        .map(|r| r.target.clone())
        .filter(|t| t.contains("/api/models/acme/empty/tree/main"))
        .collect();
    assert_eq!(empty.len(), 1, "{empty:?}");
    // The big file: both tokens, at their lines.
    let found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["locations"].as_array().unwrap().clone())
        .map(|l| {
            (
                l["path"].as_str().unwrap().to_owned(),
                l["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        found.contains(&("hf://acme/big/weights.bin".into(), 2)),
        "{found:?}"
    );
    assert!(
        found.contains(&("hf://acme/big/weights.bin".into(), 4)),
        "{found:?}"
    );
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("hf://acme/big/liar.bin") && skipped.contains("sent more than"),
        "{skipped}"
    );
    assert!(
        !found.iter().any(|(p, _)| p.ends_with("liar.bin")),
        "{found:?}"
    );
    crate::common::assert_no_token(&format!("{stdout}{stderr}"), &tok, "big answers");
}

/// A next-page link that cannot be read is an error for that repository, not a quiet end of
/// its file list.
#[test]
fn a_next_link_that_cannot_be_read_is_an_error() {
    let hub = Mock::start(None);
    hub.route(
        &format!("/api/models/acme/m/tree/main{TREE}"),
        vec![with(
            ok(&json!([file("a.txt", "a", 1)])),
            "Link",
            "<file://127.0.0.1:9/x>; rel=\"next\"",
        )],
    );
    let (report, _, stderr, code) = run_json(
        &[
            "hf://acme/m",
            "--endpoint",
            &hub.url(),
            "--no-pull-requests",
            "--no-discussions",
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        report["errors"]
            .to_string()
            .contains("the next page's link cannot be read; not followed"),
        "{report:#}"
    );
}

/// Past the deadline the discussions left are one error, not one a thread.
#[test]
fn discussions_left_at_the_deadline_are_one_error() {
    let hub = Mock::start(None);
    hub.route(
        &format!("/api/models/acme/m/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    let list: Vec<Value> = (1..=200).map(|n| json!({"num": n})).collect();
    hub.route(
        "/api/models/acme/m/discussions?p=0",
        vec![ok(&json!({"count": 200, "start": 0, "discussions": list}))],
    );
    for n in 1..=200 {
        hub.route(
            &format!("/api/models/acme/m/discussions/{n}"),
            vec![Response::new(200)
                .body(json!({"title": "t", "events": []}).to_string() + &" ".repeat(10))
                .trickle(std::time::Duration::from_millis(100))],
        );
    }
    let (report, _, stderr, code) = run_json(
        &[
            "hf://acme/m",
            "--endpoint",
            &hub.url(),
            "--no-pull-requests",
            "--hub-deadline",
            "2s",
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    let errors = report["errors"].as_array().unwrap();
    assert!(errors.len() < 20, "{} errors", errors.len());
    assert!(
        report["errors"]
            .to_string()
            .contains("of 200 discussions not read: the Hub scan's deadline passed"),
        "{report:#}"
    );
}

/// A Space answering 1,500 variables: the first 1,000 are read, and a note says so.
#[test]
fn space_variables_are_read_up_to_a_thousand() {
    let tok = fake_tokens(1031, 1);
    let hub = Mock::start(None);
    hub.route(
        &format!("/api/spaces/acme/vars/tree/main{TREE}"),
        vec![ok(&json!([]))],
    );
    let mut vars = serde_json::Map::new();
    for i in 0..1500 {
        vars.insert(format!("V{i:04}"), json!({"value": "x"}));
    }
    vars.insert("V0000".into(), json!({"value": tok[0]}));
    hub.route(
        "/api/spaces/acme/vars/variables",
        vec![ok(&Value::Object(vars))],
    );
    let (report, stdout, stderr, _) = run_json(
        &[
            "hf://spaces/acme/vars",
            "--endpoint",
            &hub.url(),
            "--no-pull-requests",
            "--no-discussions",
        ],
        &[],
    );
    assert!(
        stderr.contains("hf://spaces/acme/vars: 1500 variables listed: the first 1000 were read"),
        "{stderr}"
    );
    assert!(
        report["findings"].to_string().contains("variables/V0000"),
        "{report:#}"
    );
    crate::common::assert_no_token(&format!("{stdout}{stderr}"), &tok, "variables");
}

/// `--history` after the deadline: the clone is not started (it had a deadline of its own,
/// and ran that long past the scan's).
#[test]
fn no_history_clone_starts_past_the_hub_deadline() {
    let hub = Mock::start(None);
    hub.route(
        &format!("/api/spaces/acme/demo/tree/main{TREE}"),
        vec![Response::new(200)
            .body(json!([]).to_string() + &" ".repeat(40))
            .trickle(std::time::Duration::from_millis(100))],
    );
    let mut args = history_args(&hub.url());
    args.extend(["--hub-deadline".to_owned(), "2s".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (report, _, stderr, code) = run_json(&args, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        report["errors"]
            .to_string()
            .contains("--history: not cloned: the Hub scan's deadline of 2 s passed"),
        "{report:#}"
    );
    // At most the one fetch of the files (git); no clone after it.
    let refs = hub
        .seen()
        .iter()
        .filter(|r| r.target.contains("info/refs"))
        .count();
    assert!(refs <= 1, "{:?}", hub.seen());
}

/// `--hub-deadline`: past it nothing more is asked, and a note says what was not read.
#[test]
fn the_hub_scan_has_a_deadline() {
    let hub = Mock::start(None);
    // More repositories than requests in flight (8): some are never started.
    let repos: Vec<Value> = (0..20)
        .map(|i| json!({"id": format!("slow/r{i}")}))
        .collect();
    hub.route("/api/models?author=slow", vec![ok(&Value::Array(repos))]);
    hub.route("/api/datasets?author=slow", vec![ok(&json!([]))]);
    hub.route("/api/spaces?author=slow", vec![ok(&json!([]))]);
    for i in 0..20 {
        // Each tree answer trickles for about 3 s.
        hub.route(
            &format!("/api/models/slow/r{i}/tree/main{TREE}"),
            vec![Response::new(200)
                .body(json!([]).to_string() + &" ".repeat(30))
                .trickle(std::time::Duration::from_millis(100))],
        );
    }
    let (report, _, stderr, _) = run_json(
        &[
            "hf://slow",
            "--endpoint",
            &hub.url(),
            "--hub-deadline",
            "2s",
            "--no-pull-requests",
            "--no-discussions",
        ],
        &[],
    );
    assert!(
        stderr.contains("the Hub scan's deadline of 2 s passed")
            && stderr.contains("were not read (raise it with --hub-deadline)"),
        "{stderr}\n{report:#}"
    );
    let asked = hub
        .seen()
        .iter()
        .filter(|r| r.target.contains("/tree/main"))
        .count();
    assert!(asked < 20, "{asked} trees asked past the deadline");
}
