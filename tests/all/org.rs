//! Organisation-scale Hub audits against a loopback Hub that serves the API and each repository
//! over git's dumb HTTP protocol (a bare repository after `git update-server-info`, served as
//! static files; a test pushes to it between runs): files through git, LFS files through
//! `resolve`, every branch and tag, `--state` (an unchanged repository is not read again),
//! `--shard K/N` and `hfaudit merge`, storage buckets. No test touches the real Hub.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::common::{fake_tokens, hfaudit};
use crate::hub::{bytes, git, ok, run_json, status, with, Mock};
use crate::mock::Request;

/// What a request to the Hub was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Api,
    Resolve,
    Git,
}

fn class(r: &Request) -> Class {
    if r.target.starts_with("/api/") {
        Class::Api
    } else if r.target.contains("/resolve/") {
        Class::Resolve
    } else {
        Class::Git
    }
}

fn count(hub: &Mock, c: Class) -> usize {
    hub.seen().iter().filter(|r| class(r) == c).count()
}

/// Git objects read (not the ref listing): what a content read costs over dumb HTTP.
fn objects(hub: &Mock) -> Vec<String> {
    hub.seen()
        .into_iter()
        .filter(|r| r.target.contains("/objects/"))
        .map(|r| r.target)
        .collect()
}

/// A repository of the organisation: its working copy (for later pushes) and the bare
/// repository served.
struct Served {
    work: PathBuf,
    bare: PathBuf,
}

impl Served {
    fn commit(&self, files: &[(&str, &str)], message: &str) {
        for (path, text) in files {
            let p = self.work.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        git(&self.work, &["add", "-A"]);
        git(&self.work, &["commit", "-q", "-m", message]);
    }

    /// Pushes `refspec` from the working copy and makes the bare repository servable again.
    fn push(&self, refspec: &str) {
        git(
            &self.work,
            &["push", "-q", "-f", self.bare.to_str().unwrap(), refspec],
        );
        git(&self.bare, &["update-server-info"]);
    }

    fn head(&self) -> String {
        let out = std::process::Command::new("git")
            .current_dir(&self.work)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

/// Makes `owner/name` under `root` with `files` on `main`.
fn served(root: &Path, scratch: &Path, id: &str, files: &[(&str, &str)]) -> Served {
    let work = scratch.join(id);
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q"]);
    let bare = root.join(id);
    std::fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare"]);
    let s = Served { work, bare };
    s.commit(files, "first");
    s.push("HEAD:refs/heads/main");
    s
}

/// The organisation's API: its model list (with each commit, for `expand=sha`), nothing of
/// the other kinds, no discussions.
fn api(hub: &Mock, owner: &str, repos: &[(&str, &Served)]) {
    let list: Vec<Value> = repos.iter().map(|(id, _)| json!({"id": id})).collect();
    let with_sha: Vec<Value> = repos
        .iter()
        .map(|(id, s)| json!({"id": id, "sha": s.head()}))
        .collect();
    hub.route(
        &format!("/api/models?author={owner}"),
        vec![ok(&json!(list))],
    );
    hub.route(
        &format!("/api/models?author={owner}&expand=sha"),
        vec![ok(&json!(with_sha))],
    );
    for kind in ["datasets", "spaces"] {
        for q in ["", "&expand=sha"] {
            hub.route(
                &format!("/api/{kind}?author={owner}{q}"),
                vec![ok(&json!([]))],
            );
        }
    }
    for (id, _) in repos {
        hub.route(
            &format!("/api/models/{id}/discussions?p=0"),
            vec![ok(&json!({"discussions": [], "count": 0, "start": 0}))],
        );
    }
}

fn py(token: &str) -> String {
    format!("from huggingface_hub import login\nlogin(token=\"{token}\")\n")
}

fn lfs_pointer(sha: &str, size: usize) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {size}\n")
}

/// (rule, path, line, fingerprint) of every finding: what two reports must agree on.
fn keys(report: &Value) -> BTreeSet<(String, String, Option<u64>, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64(),
                f["token"]["fingerprint"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn paths(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

/// An organisation `acme` of two models on a Hub that serves git: plain files, an LFS file
/// (its pointer in git, its bytes on the CDN), a pull request ref, a branch and a tag.
struct Acme {
    hub: Mock,
    cdn: Mock,
    _root: tempfile::TempDir,
    _scratch: tempfile::TempDir,
    _one: Served,
    two: Served,
    tok: Vec<String>,
}

fn acme(seed: u64) -> Acme {
    let tok = fake_tokens(seed, 8);
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let lfs_body = format!("checkpoint\nhub_token={}\n", tok[1]);
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let pointer = lfs_pointer(sha, lfs_body.len());
    let one = served(
        root.path(),
        scratch.path(),
        "acme/one",
        &[
            ("app.py", &py(&tok[0])),
            ("weights.bin", &pointer),
            ("README.md", "# one\n"),
        ],
    );
    // A pull request ref, a branch and a tag, each adding a token.
    git(&one.work, &["checkout", "-q", "-b", "pr"]);
    one.commit(&[("fix.py", &py(&tok[2]))], "pr");
    one.push("HEAD:refs/pr/1");
    git(&one.work, &["checkout", "-q", "-b", "dev", "main"]);
    one.commit(&[("dev.py", &py(&tok[3]))], "dev");
    one.push("HEAD:refs/heads/dev");
    git(&one.work, &["checkout", "-q", "-b", "release", "main"]);
    one.commit(&[("release.py", &py(&tok[4]))], "release");
    git(&one.work, &["tag", "v1"]);
    one.push("refs/tags/v1:refs/tags/v1");
    git(&one.work, &["checkout", "-q", "main"]);
    let two = served(
        root.path(),
        scratch.path(),
        "acme/two",
        &[("train.py", &py(&tok[5])), ("notes.txt", "nothing here\n")],
    );
    let hub = Mock::start(Some((String::new(), root.path().to_owned())));
    let cdn = Mock::start(None);
    api(&hub, "acme", &[("acme/one", &one), ("acme/two", &two)]);
    hub.route(
        &format!("/acme/one/resolve/{}/weights.bin", one.head()),
        vec![with(
            status(302),
            "Location",
            &format!("{}/xet/{sha}?sig=1", cdn.url()),
        )],
    );
    cdn.route(&format!("/xet/{sha}?sig=1"), vec![bytes(lfs_body)]);
    Acme {
        hub,
        cdn,
        _root: root,
        _scratch: scratch,
        _one: one,
        two,
        tok,
    }
}

#[test]
fn files_come_through_git_and_lfs_files_through_resolve() {
    let org = acme(2201);
    let (report, stdout, stderr, code) =
        run_json(&["hf://acme", "--endpoint", &org.hub.url()], &[]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let found = paths(&report);
    for p in [
        "hf://acme/one/app.py",
        "hf://acme/one/weights.bin",
        "hf://acme/one@refs%2Fpr%2F1/fix.py",
        "hf://acme/two/train.py",
    ] {
        assert!(found.contains(p), "{p} not found: {found:?}");
    }
    // Without --all-refs, the branch and the tag are not read.
    assert!(!found
        .iter()
        .any(|p| p.contains("dev.py") || p.contains("release.py")));
    // The files came through git: one download (the LFS file, then the CDN), no tree listing,
    // no refs API; the API was asked for the listing and the discussions only.
    assert_eq!(count(&org.hub, Class::Resolve), 1, "{:#?}", org.hub.seen());
    assert_eq!(org.cdn.seen().len(), 1);
    let api: Vec<String> = org
        .hub
        .seen()
        .into_iter()
        .filter(|r| class(r) == Class::Api)
        .map(|r| r.target)
        .collect();
    assert!(
        api.iter()
            .all(|t| t.contains("author=") || t.contains("/discussions")),
        "{api:?}"
    );
    assert_eq!(api.len(), 3 + 2, "{api:?}");
    assert!(count(&org.hub, Class::Git) > 0);
    assert!(
        stderr.contains("(5 API, 1 file download, 1 CDN)"),
        "{stderr}"
    );
    // The LFS file is read without the token at the CDN, and the report has no token.
    for t in &org.tok {
        assert!(!stdout.contains(&t[3..]) && !stderr.contains(&t[3..]));
    }

    // Run from a git hook (GIT_DIR names another repository): the fetch and the scan of the
    // fetched repository still read the Hub's, sandboxed.
    let other = tempfile::tempdir().unwrap();
    git(other.path(), &["init", "-q"]);
    let git_dir = other.path().join(".git");
    let (hooked, _, stderr, _) = run_json(
        &["hf://acme", "--endpoint", &org.hub.url()],
        &[
            ("GIT_DIR", git_dir.to_str().unwrap()),
            ("GIT_INDEX_FILE", git_dir.join("index").to_str().unwrap()),
        ],
    );
    assert_eq!(keys(&hooked), keys(&report), "{stderr}");
    assert!(
        !stderr.contains("could not be read through git"),
        "{stderr}"
    );

    // --all-refs: the branch and the tag too, each file version once.
    let (all, _, stderr, _) = run_json(
        &["hf://acme/one", "--all-refs", "--endpoint", &org.hub.url()],
        &[],
    );
    let found = paths(&all);
    assert!(
        found.contains("hf://acme/one@dev/dev.py"),
        "{found:?}\n{stderr}"
    );
    assert!(found.contains("hf://acme/one@v1/release.py"), "{found:?}");
    // app.py is on every branch: reported once, on the default branch.
    assert_eq!(
        found.iter().filter(|p| p.ends_with("/app.py")).count(),
        1,
        "{found:?}"
    );
    assert_eq!(
        all["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "hf://acme/one@dev/dev.py")
            .unwrap()["source"]["revision"],
        "dev"
    );
}

#[test]
fn per_file_reads_the_same_findings_with_a_request_a_file() {
    let org = acme(2202);
    let (by_git, _, _, _) = run_json(&["hf://acme/two", "--endpoint", &org.hub.url()], &[]);
    // The same repository listed by the API, each file through resolve.
    org.hub.route(
        "/api/models/acme/two/tree/main?recursive=true&expand=false",
        vec![ok(&json!([
            {"type": "file", "oid": "t1", "size": 60, "path": "train.py"},
            {"type": "file", "oid": "n1", "size": 13, "path": "notes.txt"}
        ]))],
    );
    org.hub.route(
        "/acme/two/resolve/main/train.py",
        vec![bytes(py(&org.tok[5]))],
    );
    org.hub.route(
        "/acme/two/resolve/main/notes.txt",
        vec![bytes("nothing here\n")],
    );
    org.hub.route(
        "/api/models/acme/two/refs?include_prs=1",
        vec![ok(&json!({"branches": [], "tags": [], "pullRequests": []}))],
    );
    let before = org.hub.seen().len();
    let (per_file, _, stderr, _) = run_json(
        &["hf://acme/two", "--per-file", "--endpoint", &org.hub.url()],
        &[],
    );
    assert_eq!(keys(&by_git), keys(&per_file), "{stderr}");
    let after: Vec<Request> = org.hub.seen().split_off(before);
    assert_eq!(
        after.iter().filter(|r| class(r) == Class::Resolve).count(),
        2
    );
    assert!(
        after.iter().all(|r| class(r) != Class::Git),
        "--per-file ran git"
    );
}

#[test]
fn an_incremental_run_reads_nothing_unchanged_and_finds_a_pushed_token() {
    let org = acme(2203);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("hub-state.json");
    let state_arg = state.to_str().unwrap();
    let args = [
        "hf://acme",
        "--endpoint",
        &org.hub.url(),
        "--state",
        state_arg,
    ];
    let (full, _, stderr, code) = run_json(&args, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no state at"), "{stderr}");
    // No token is written in the state, in any form but the redacted one.
    let text = std::fs::read_to_string(&state).unwrap();
    for t in &org.tok {
        assert!(!text.contains(&t[3..]), "a token is in the state file");
    }
    assert!(text.contains("\"hfaudit_state\":1"));

    // Nothing changed: the same report, nothing read but the listing, each repository's refs
    // (one git request) and discussions (one API request).
    org.hub.server_clear();
    org.cdn.server_clear();
    let (again, _, stderr, code) = run_json(&args, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(keys(&full), keys(&again));
    assert!(
        again["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["from_state"] == true),
        "{again:#}"
    );
    assert!(full["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("from_state").is_none()));
    assert_eq!(
        again["summary"]["files_scanned"],
        full["summary"]["files_scanned"]
    );
    assert!(objects(&org.hub).is_empty(), "{:?}", objects(&org.hub));
    assert_eq!(count(&org.hub, Class::Resolve), 0);
    assert!(org.cdn.seen().is_empty());
    assert!(
        count(&org.hub, Class::Api) <= 3 + 2,
        "{:#?}",
        org.hub.seen()
    );
    assert!(stderr.contains("2 of 2 repositories unchanged"), "{stderr}");

    // One push: only that repository is read again, and its new token is found.
    let pushed = fake_tokens(2213, 1).remove(0);
    org.two.commit(&[("new.py", &py(&pushed))], "push");
    org.two.push("HEAD:refs/heads/main");
    org.hub.server_clear();
    let (after, _, stderr, _) = run_json(&args, &[]);
    let found = paths(&after);
    assert!(
        found.contains("hf://acme/two/new.py"),
        "{found:?}\n{stderr}"
    );
    assert!(objects(&org.hub)
        .iter()
        .all(|t| t.starts_with("/acme/two/")));
    assert!(!objects(&org.hub).is_empty());
    let from_state = |p: &str| {
        after["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == p)
            .unwrap()
            .get("from_state")
            .cloned()
    };
    assert_eq!(from_state("hf://acme/one/app.py"), Some(json!(true)));
    assert_eq!(from_state("hf://acme/two/new.py"), None);
    assert!(stderr.contains("1 of 2 repositories unchanged"), "{stderr}");
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(!text.contains(&pushed[3..]));

    // --verify asks about the tokens read in this run only, and says so.
    org.hub.route(
        "/api/whoami-v2",
        vec![ok(&json!({"type": "user", "name": "acme-bot", "orgs": [],
            "auth": {"type": "access_token", "accessToken": {"displayName": "x", "role": "read"}}}))],
    );
    org.hub.server_clear();
    let (_, _, stderr, _) = run_json(
        &[
            "hf://acme",
            "--endpoint",
            &org.hub.url(),
            "--state",
            state_arg,
            "--verify",
        ],
        &[],
    );
    assert_eq!(org.hub.count("/api/whoami-v2"), 0, "{stderr}");
    assert!(
        stderr.contains("taken from the state file") && stderr.contains("not sent"),
        "{stderr}"
    );
}

#[test]
fn a_state_of_another_endpoint_or_a_damaged_one_is_refused() {
    let org = acme(2204);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let s = state.to_str().unwrap();
    let (_, _, stderr, code) = run_json(
        &["hf://acme/two", "--endpoint", &org.hub.url(), "--state", s],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    let written = std::fs::read_to_string(&state).unwrap();

    // Another endpoint: refused before any request.
    let other = Mock::start(None);
    let out = hfaudit()
        .env("CI", "1")
        .env("HF_HOME", dir.path())
        .args([
            "scan",
            "hf://acme/two",
            "--endpoint",
            &other.url(),
            "--state",
            s,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("describes") && err.contains("one state file per endpoint"),
        "{err}"
    );
    assert!(other.seen().is_empty());

    // Damaged: refused, and left as it is.
    for damaged in [
        &written[..written.len() / 2],
        "{\"version\": 1, \"findings\": []}",
    ] {
        std::fs::write(&state, damaged).unwrap();
        let out = hfaudit()
            .env("CI", "1")
            .env("HF_HOME", dir.path())
            .args([
                "scan",
                "hf://acme/two",
                "--endpoint",
                &org.hub.url(),
                "--state",
                s,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("damaged or not hfaudit's"), "{err}");
        assert_eq!(std::fs::read_to_string(&state).unwrap(), damaged);
    }

    // Written by another version: a full run, said so, and written anew.
    std::fs::write(&state, written.replace("\"tool\":\"", "\"tool\":\"0.0.0-")).unwrap();
    org.hub.server_clear();
    let (report, _, stderr, code) = run_json(
        &["hf://acme/two", "--endpoint", &org.hub.url(), "--state", s],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("written by hfaudit 0.0.0-"), "{stderr}");
    assert!(!objects(&org.hub).is_empty(), "not a full run");
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("from_state").is_none()));
    assert!(std::fs::read_to_string(&state)
        .unwrap()
        .contains(&format!("\"tool\":\"{}\"", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn shards_partition_the_repositories_and_merge_gives_the_full_run() {
    let tok = fake_tokens(2205, 8);
    let root = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    // Eight repositories; the shared token sits in a notebook of one and a CI file of another,
    // chosen in different parts of three.
    let names: Vec<String> = (0..8).map(|i| format!("acme/repo-{i}")).collect();
    let part = |id: &str| hfaudit::hub::part_of(id, 3);
    let a = names.iter().position(|n| part(n) == 1).unwrap();
    let b = names
        .iter()
        .position(|n| part(n) != part(&names[a]))
        .unwrap();
    let notebook = format!(
        "{{\"cells\": [{{\"cell_type\": \"code\", \"metadata\": {{}}, \"outputs\": [], \
         \"source\": [\"login(token=\\\"{}\\\")\"]}}], \"metadata\": {{}}, \"nbformat\": 4, \
         \"nbformat_minor\": 5}}",
        tok[7]
    );
    let ci = format!("env:\n  HF_TOKEN: {}\n", tok[7]);
    let mut repos = Vec::new();
    for (i, id) in names.iter().enumerate() {
        let own = py(&tok[i]);
        let mut files: Vec<(&str, &str)> = vec![("app.py", &own)];
        if i == a {
            files.push(("explore.ipynb", &notebook));
        }
        if i == b {
            files.push((".github/workflows/ci.yml", &ci));
        }
        repos.push(served(root.path(), scratch.path(), id, &files));
    }
    let hub = Mock::start(Some((String::new(), root.path().to_owned())));
    let listed: Vec<(&str, &Served)> = names.iter().map(String::as_str).zip(&repos).collect();
    api(&hub, "acme", &listed);

    let dir = tempfile::tempdir().unwrap();
    let (full, _, stderr, _) = run_json(&["hf://acme", "--endpoint", &hub.url()], &[]);
    assert!(
        full["errors"].as_array().unwrap().is_empty(),
        "{stderr}\n{full:#}"
    );
    let shared: Vec<&Value> = full["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "HF003")
        .collect();
    assert_eq!(shared.len(), 1, "{full:#}");
    let mut reports = Vec::new();
    let mut seen_repos = BTreeSet::new();
    for k in 1..=3 {
        let (part_report, stdout, stderr, _) = run_json(
            &[
                "hf://acme",
                "--endpoint",
                &hub.url(),
                "--shard",
                &format!("{k}/3"),
            ],
            &[],
        );
        assert!(stderr.contains(&format!("--shard {k}/3")), "{stderr}");
        // Each part has no HF003 of its own: the token's two places are in two parts.
        assert!(part_report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "HF003"));
        for p in paths(&part_report) {
            let repo = p
                .trim_start_matches("hf://")
                .split('/')
                .take(2)
                .collect::<Vec<_>>()
                .join("/");
            assert_eq!(part(&repo), k, "{repo} read by part {k}");
            seen_repos.insert(repo);
        }
        let path = dir.path().join(format!("part-{k}.json"));
        std::fs::write(&path, stdout).unwrap();
        reports.push(path);
    }
    assert_eq!(seen_repos.len(), names.len(), "the parts miss a repository");
    let merged = hfaudit()
        .current_dir(dir.path())
        .args(["merge", "--no-config", "--format", "json"])
        .args(&reports)
        .output()
        .unwrap();
    assert_eq!(
        merged.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(keys(&merged), keys(&full));
    assert_eq!(
        merged["summary"]["files_scanned"],
        full["summary"]["files_scanned"]
    );
    assert_eq!(merged["summary"]["by_rule"]["HF003"], 1);
    let one = merged["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "HF003")
        .unwrap();
    assert_eq!(one["message"], shared[0]["message"]);
    assert_eq!(one["locations"], shared[0]["locations"]);
    // Merged twice over (a part given twice): nothing counted twice.
    let twice = hfaudit()
        .current_dir(dir.path())
        .args(["merge", "--no-config", "--format", "json"])
        .args(&reports)
        .arg(&reports[0])
        .output()
        .unwrap();
    let twice: Value = serde_json::from_slice(&twice.stdout).unwrap();
    assert_eq!(keys(&twice), keys(&full));
    // Every format, from the same reports.
    for format in ["human", "sarif", "markdown", "github"] {
        let out = hfaudit()
            .current_dir(dir.path())
            .args(["merge", "--no-config", "--format", format])
            .args(&reports)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}: {text}");
        assert!(text.contains("HF003"), "{format}: {text}");
        for t in &tok {
            assert!(!text.contains(&t[3..]), "{format} printed a token");
        }
    }
    // Not a report: a clear error.
    std::fs::write(dir.path().join("bad.json"), "{\"hello\": 1}").unwrap();
    hfaudit()
        .current_dir(dir.path())
        .args(["merge", "bad.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an hfaudit JSON report"));
}

#[test]
fn buckets_are_read_and_an_unchanged_file_is_not_downloaded_again() {
    let tok = fake_tokens(2206, 3);
    let hub = Mock::start(None);
    let cdn = Mock::start(None);
    let logs = format!("step 1\nHF_TOKEN={}\n", tok[0]);
    let conf = format!("token: {}\n", tok[1]);
    let tree = |conf_hash: &str, conf_len: usize| {
        ok(&json!([
            {"type": "directory", "path": "runs"},
            {"type": "file", "path": "runs/log.txt", "size": logs.len(), "xetHash": "aa11"},
            {"type": "file", "path": "config.yaml", "size": conf_len, "xetHash": conf_hash},
            {"type": "file", "path": "big.bin", "size": 5u64 << 30, "xetHash": "cc33"}
        ]))
    };
    hub.route(
        "/api/buckets/acme/logs/tree?recursive=true",
        vec![tree("bb22", conf.len())],
    );
    for (path, body, key) in [
        ("runs/log.txt", &logs, "aa11"),
        ("config.yaml", &conf, "bb22"),
    ] {
        hub.route(
            &format!("/buckets/acme/logs/resolve/{path}"),
            vec![with(
                status(302),
                "Location",
                &format!("{}/xet/{key}", cdn.url()),
            )],
        );
        cdn.route(&format!("/xet/{key}"), vec![bytes(body.clone())]);
    }
    // Listed with the organisation when asked.
    hub.route(
        "/api/buckets/acme",
        vec![ok(&json!([{"id": "acme/logs", "private": false}]))],
    );
    for kind in ["models", "datasets", "spaces"] {
        hub.route(&format!("/api/{kind}?author=acme"), vec![ok(&json!([]))]);
        hub.route(
            &format!("/api/{kind}?author=acme&expand=sha"),
            vec![ok(&json!([]))],
        );
    }
    let (plain, _, _, _) = run_json(&["hf://acme", "--endpoint", &hub.url()], &[]);
    assert!(
        plain["findings"].as_array().unwrap().is_empty(),
        "buckets listed without --buckets"
    );
    assert_eq!(hub.count("/api/buckets/acme"), 0);

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let args = [
        "hf://acme",
        "--buckets",
        "--endpoint",
        &hub.url(),
        "--state",
        state.to_str().unwrap(),
    ];
    let (report, _, stderr, code) = run_json(&args, &[]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let found = paths(&report);
    assert_eq!(
        found,
        BTreeSet::from([
            "hf://buckets/acme/logs/config.yaml".to_owned(),
            "hf://buckets/acme/logs/runs/log.txt".to_owned()
        ])
    );
    let f = &report["findings"][0];
    assert_eq!(f["source"]["repo"], "buckets/acme/logs");
    assert!(report["skipped"].to_string().contains("big.bin"));
    assert_eq!(cdn.seen().len(), 2, "the 5 GB file was downloaded");
    assert!(
        hub.seen().iter().all(|r| !r.target.contains("info/refs")),
        "git asked of a bucket"
    );

    // One file changed (a new hash): only it is downloaded again.
    let conf2 = format!("token: {}\n", tok[2]);
    hub.route(
        "/api/buckets/acme/logs/tree?recursive=true",
        vec![tree("dd44", conf2.len())],
    );
    hub.route(
        "/buckets/acme/logs/resolve/config.yaml",
        vec![with(
            status(302),
            "Location",
            &format!("{}/xet/dd44", cdn.url()),
        )],
    );
    cdn.route("/xet/dd44", vec![bytes(conf2)]);
    cdn.server_clear();
    let (after, _, stderr, _) = run_json(&args, &[]);
    assert_eq!(
        cdn.seen()
            .iter()
            .map(|r| r.target.as_str())
            .collect::<Vec<_>>(),
        ["/xet/dd44"],
        "{stderr}"
    );
    let fps: BTreeSet<String> = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["token"]["redacted"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fps.len(), 2);
    // A bucket takes no revision.
    hfaudit()
        .args(["scan", "hf://buckets/acme/logs@main"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no revisions"));
}
