//! The reports document themselves: every field a JSON report holds is listed in docs/json.md,
//! every SARIF `properties` key in docs/formats.md, and every field listed there shows up in a
//! report here. The runs use as many fields as runs can: a fixture tree (a notebook, a binary
//! file, a practice rule), base64, a config, a skipped file, a Space on a mock Hub (a file and a
//! variable) next to a repository that is gone (an error), `--verify` and `--revoke` against the
//! same mock, and a git history (commits).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::{
    assert_no_token, fake_tokens, fixture, hfaudit_offline as hfaudit, repo_root, run,
    tokens_in_tree, write,
};
use crate::mock::{Response, Server};

/// Fields whose value is a map with keys of the data's choosing (rule ids): one field.
const MAPS: &[&str] = &["summary.by_rule", "findings[].verification.org_roles"];

/// The field paths a page documents: the first cell of each table row, as `a.b[].c`.
fn documented(page: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo_root().join("docs").join(page)).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// Every field path in `v`: `a.b`, and `a[].b` for the objects of an array.
fn field_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if !MAPS.contains(&path.as_str()) {
                    field_paths(child, &path, out);
                }
                out.insert(path);
            }
        }
        Value::Array(items) => {
            for item in items {
                field_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// A Hub with one Space (`acme/demo`: a file that writes with a token, a variable holding
/// another) whose whoami answers the first token as a fine-grained one and refuses the rest,
/// and whose revoke endpoint accepts.
fn hub(file_token: String, variable_token: String) -> Server {
    Server::start(move |r| {
        let ok = |v: Value| Response::new(200).body(v.to_string());
        let reply = match (r.method.as_str(), r.target.as_str()) {
            ("GET", "/api/spaces/acme/demo/tree/main?recursive=true&expand=false") => ok(json!([
                {"type": "file", "oid": "a1", "size": 90, "path": "app.py"}
            ])),
            ("GET", "/spaces/acme/demo/resolve/main/app.py") => Response::new(200).body(format!(
                "from huggingface_hub import HfApi\nHfApi(token=\"{file_token}\").upload_file()\n"
            )),
            // With its commit, so that `--state` can tell the Space is unchanged.
            ("GET", "/api/spaces/acme/demo/refs?include_prs=1") => ok(json!({
                "branches": [{"name": "main", "ref": "refs/heads/main",
                              "targetCommit": "0123456789abcdef0123456789abcdef01234567"}],
                "pullRequests": []
            })),
            ("GET", "/api/spaces/acme/demo/discussions?p=0") => {
                ok(json!({"discussions": [], "count": 0, "start": 0}))
            }
            ("GET", "/api/spaces/acme/demo/variables") => {
                ok(json!({"HF_TOKEN": {"value": variable_token}}))
            }
            ("GET", "/api/whoami-v2") if r.bearer() == Some(file_token.as_str()) => ok(json!({
                "type": "user", "name": "alice",
                "orgs": [{"type": "org", "name": "acme", "roleInOrg": "write"}],
                "auth": {"type": "access_token", "accessToken": {
                    "displayName": "space", "role": "fineGrained",
                    "fineGrained": {"global": ["inference.serverless.write"],
                                    "scoped": [{"entity": {"type": "user", "name": "alice"},
                                                "permissions": ["repo.write"]}]}}}
            })),
            ("GET", "/api/whoami-v2") => Response::new(401)
                .header(
                    "X-Error-Message",
                    "Invalid credentials in Authorization header",
                )
                .body(r#"{"error":"Invalid credentials in Authorization header"}"#),
            ("POST", "/api/credentials/revoke") => Response::new(202),
            _ => Response::new(404).body("{}"),
        };
        reply.header("Content-Type", "application/json")
    })
}

/// A repository whose history adds a token and deletes it again.
fn history(token: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada Tester")
            .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
            .env("GIT_COMMITTER_NAME", "Ada Tester")
            .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    write(dir.path(), "train.py", format!("TOKEN = \"{token}\"\n"));
    git(&["add", "train.py"]);
    git(&["commit", "-q", "--no-verify", "-m", "train"]);
    write(dir.path(), "train.py", "TOKEN = None\n");
    git(&["commit", "-q", "--no-verify", "-am", "oops"]);
    dir
}

/// The fixture tree with a base64-encoded token, a config and a file over `--max-filesize`.
fn tree(token: &str) -> tempfile::TempDir {
    let dir = fixture("basic");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("HF_TOKEN={token}"));
    write(
        dir.path(),
        "k8s/secret.yaml",
        format!("kind: Secret\ndata:\n  env: {encoded}\n"),
    );
    write(
        dir.path(),
        ".hfaudit.toml",
        "[severity]\nHF003 = \"error\"\n",
    );
    write(dir.path(), "logs/big.log", "x".repeat(100_000));
    // A token file copied into an image (HF013 about a file: `context.token_file`).
    write(
        dir.path(),
        "image/Dockerfile",
        "FROM python:3.12\nCOPY hf_token /hf_token\nRUN cat /hf_token | xargs hf auth login --token\n",
    );
    dir
}

/// `hfaudit scan ARGS` in `dir`, with the report parsed; checks that no token leaked.
fn report(dir: &Path, args: &[&str], tokens: &[String]) -> (Value, i32) {
    // No token of this machine's Hugging Face set-up reaches the mock Hub.
    let home = tempfile::tempdir().unwrap();
    let out = run(hfaudit()
        .current_dir(dir)
        .env("HF_HOME", home.path())
        .arg("scan")
        .args(args));
    assert_no_token(&out.stdout, tokens, "the report");
    assert_no_token(&out.stderr, tokens, "standard error");
    let value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", out.stdout, out.stderr));
    (value, out.code)
}

#[test]
fn docs_json_lists_every_field_of_the_report_and_nothing_more() {
    let t = fake_tokens(2121, 3);
    let dir = tree(&t[0]);
    let hub = hub(t[1].clone(), t[2].clone());
    let mut tokens = tokens_in_tree(dir.path());
    tokens.extend(t.iter().cloned());
    let (full, code) = report(
        dir.path(),
        &[
            "--format",
            "json",
            "--max-filesize",
            "64K",
            "--verify",
            "--revoke",
            "--yes",
            "--endpoint",
            &hub.url(),
            ".",
            "hf://spaces/acme/demo",
            "hf://datasets/acme/gone",
        ],
        &tokens,
    );
    // The dataset that is gone is an error: exit 2, the rest reported.
    assert_eq!(code, 2, "{full:#}");
    let old = fake_tokens(2122, 1);
    let repo = history(&old[0]);
    let (git, code) = report(repo.path(), &["--history", "--format", "json"], &old);
    assert_eq!(code, 1, "{git:#}");

    // A second run with `--state`: the Space's findings come from the state (`from_state`).
    let state = tempfile::tempdir().unwrap();
    let state_file = state.path().join("state.json");
    let again = |what: &str| {
        let (v, code) = report(
            dir.path(),
            &[
                "--format",
                "json",
                "--endpoint",
                &hub.url(),
                "--state",
                state_file.to_str().unwrap(),
                "hf://spaces/acme/demo",
            ],
            &tokens,
        );
        assert_eq!(code, 1, "{what}: {v:#}");
        v
    };
    again("the first run with --state");
    let remembered = again("the second");
    assert!(
        remembered["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["from_state"] == true),
        "{remembered:#}"
    );

    let mut seen = BTreeSet::new();
    field_paths(&full, "", &mut seen);
    field_paths(&git, "", &mut seen);
    field_paths(&remembered, "", &mut seen);
    let listed = documented("json.md");
    let undocumented: Vec<_> = seen.difference(&listed).collect();
    assert!(
        undocumented.is_empty(),
        "fields of the JSON report that docs/json.md does not list: {undocumented:?}"
    );
    // And the page lists nothing these reports lack: each field listed is one a run can give.
    let unseen: Vec<_> = listed.difference(&seen).collect();
    assert!(
        unseen.is_empty(),
        "fields docs/json.md lists that no report here holds: {unseen:?}"
    );
    // The runs did what they are here for.
    let findings = full["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["revocation"] == "requested"));
    assert!(findings
        .iter()
        .any(|f| f["verification"]["orgs"] == json!(["acme"])));
    assert!(findings.iter().any(|f| f["source"]["item"] == "variable"));
    assert!(findings
        .iter()
        .any(|f| f["context"]["decoded"] == json!(["base64"])));
    assert_eq!(
        git["findings"][0]["commit"]["author"],
        "Ada Tester <ada@example.invalid>"
    );
}

#[test]
fn docs_formats_lists_every_sarif_property() {
    let t = fake_tokens(2123, 1);
    let dir = tree(&t[0]);
    let mut tokens = tokens_in_tree(dir.path());
    tokens.extend(t.iter().cloned());
    let (tree_sarif, _) = report(dir.path(), &["--format", "sarif"], &tokens);
    let old = fake_tokens(2124, 1);
    let repo = history(&old[0]);
    let (git_sarif, _) = report(repo.path(), &["--history", "--format", "sarif"], &old);

    let mut seen = BTreeSet::new();
    for sarif in [&tree_sarif, &git_sarif] {
        let run = &sarif["runs"][0];
        for (kind, items) in [
            ("results", &run["results"]),
            ("tool.driver.rules", &run["tool"]["driver"]["rules"]),
        ] {
            for item in items.as_array().unwrap() {
                for key in item["properties"].as_object().unwrap().keys() {
                    seen.insert(format!("runs[].{kind}[].properties.{key}"));
                }
            }
        }
    }
    assert!(
        seen.contains("runs[].results[].properties.commit"),
        "{seen:?}"
    );
    let listed: BTreeSet<_> = documented("formats.md")
        .into_iter()
        .filter(|p| p.contains(".properties."))
        .collect();
    let undocumented: Vec<_> = seen.difference(&listed).collect();
    assert!(
        undocumented.is_empty(),
        "SARIF properties that docs/formats.md does not list: {undocumented:?}"
    );
    let unseen: Vec<_> = listed.difference(&seen).collect();
    assert!(
        unseen.is_empty(),
        "SARIF properties docs/formats.md lists that no report here holds: {unseen:?}"
    );
}
