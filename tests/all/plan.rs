//! `hfaudit plan`: the tokens a tree needs, per platform, from its Hub calls (no network).
//! `fixtures/plan` has one file per call form: literal, keyword, constant, f-string,
//! `repo_type` datasets and Spaces, CLI lines in shell and workflows, git remotes, a notebook,
//! a Dockerfile, huggingface.js; and what is no call (a README, comments, local paths).

use serde_json::Value;

use crate::common::{assert_no_token, fake_tokens, fixture, hfaudit, run, write};

fn plan(dir: &std::path::Path, format: &str) -> crate::common::Run {
    run(hfaudit()
        .current_dir(dir)
        .args(["plan", "--no-config", "--format", format, "."]))
}

#[test]
fn plan_json_snapshot() {
    let dir = fixture("plan");
    let out = plan(dir.path(), "json");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value: Value = out.json();
    // The project's name is the temporary folder's (`.tmpAbC123`): not part of the contract.
    let mut value = value;
    for t in value["tokens"].as_array_mut().unwrap() {
        let name = t["name"].as_str().unwrap().to_owned();
        let (project, rest) = name.split_once('-').unwrap();
        assert!(project.starts_with("tmp"), "{name}");
        t["name"] = Value::String(format!("PROJECT-{rest}"));
    }
    insta::assert_json_snapshot!("plan_json", value);
}

#[test]
fn plan_names_what_is_not_a_call_nowhere() {
    let dir = fixture("plan");
    let out = plan(dir.path(), "json");
    for absent in [
        "from-the-readme",
        "readme-link",
        "acme/doc",
        "commented-out",
        "not-a-call",
        "checkpoints",
        "acme/prose",
        "\"csv\"",
    ] {
        assert!(!out.stdout.contains(absent), "{absent} in {}", out.stdout);
    }
}

#[test]
fn plan_human_and_markdown() {
    let dir = fixture("plan");
    let human = plan(dir.path(), "human");
    assert_eq!(human.code, 0);
    for want in [
        "4 tokens, one per platform",
        "https://huggingface.co/settings/tokens/new?tokenType=fineGrained",
        "For ci: a fine-grained token named",
        "space acme/demo: Read access to contents of this repo; Write access to contents/settings of this repo",
        ".github/workflows/sync.yml:11  hf upload (write): `${{vars.TARGET}}` is a workflow expression",
        "tools/dyn.py:5  upload_folder (write): `f\"{org}/{name}\"` is an f-string",
        "Make calls to Inference Providers (inference.serverless.write)",
        "Leave every other permission unticked.",
    ] {
        assert!(human.stdout.contains(want), "{want}\n{}", human.stdout);
    }
    let md = plan(dir.path(), "markdown");
    assert_eq!(md.code, 0);
    assert!(md.stdout.starts_with("### hfaudit plan"), "{}", md.stdout);
    assert!(
        md.stdout
            .contains("| space acme/demo | repo.content.read, repo.write |"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("<details>"), "{}", md.stdout);
}

#[test]
fn plan_of_a_tree_without_hub_calls_needs_no_token() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.py", "print('hello')\n");
    let out = plan(dir.path(), "json");
    assert_eq!(out.code, 0);
    assert_eq!(out.json(), serde_json::json!({"version": 1, "tokens": []}));
    let out = plan(dir.path(), "human");
    assert!(out.stdout.contains("no token is needed"), "{}", out.stdout);
}

#[test]
fn plan_prints_no_token_in_any_format() {
    let t = fake_tokens(2000, 2);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "push.py",
        format!(
            "from huggingface_hub import upload_folder\nupload_folder(repo_id=f\"{{org}}/{}\", folder_path=\"o\")\n",
            t[0]
        ),
    );
    write(
        dir.path(),
        "deploy.sh",
        format!(
            "git push https://user:{}@huggingface.co/spaces/acme/s main\nhf upload $X{} .\n",
            t[1], t[0]
        ),
    );
    for format in ["human", "json", "markdown"] {
        let out = plan(dir.path(), format);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("acme/s"), "{format}: {}", out.stdout);
        assert_no_token(&out.stdout, &t, format);
        assert_no_token(&out.stderr, &t, format);
    }
}

#[test]
fn plan_of_a_space_knows_its_own_repository() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "README.md",
        "---\ntitle: Demo\nsdk: gradio\n---\n",
    );
    write(
        dir.path(),
        ".git/config",
        "[remote \"origin\"]\n\turl = https://huggingface.co/spaces/acme/demo\n",
    );
    write(
        dir.path(),
        "app.py",
        "import os\nfrom huggingface_hub import HfApi\nHfApi().restart_space(repo_id=os.environ[\"SPACE_ID\"])\n",
    );
    let out = plan(dir.path(), "json");
    let t = &out.json()["tokens"][0];
    assert_eq!(t["platform"], "server", "{}", out.stdout);
    assert_eq!(
        t["scoped"],
        serde_json::json!([{"entity": {"type": "space", "name": "acme/demo"},
                            "permissions": ["repo.content.read", "repo.write"]}])
    );
    assert_eq!(t["unresolved"], serde_json::json!([]));
}

#[test]
fn plan_of_a_missing_path_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(hfaudit()
        .current_dir(dir.path())
        .args(["plan", "--no-config", "nope"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("nope: no such file or folder"),
        "{}",
        out.stderr
    );
}
