//! The practice rules (HF013–HF015) end to end: what the CLI reports for a tree of Dockerfiles,
//! compose files, workflows, scripts and Python, and how suppression and baselines apply.

use serde_json::Value;

use crate::common::{hfaudit, json_report, write};

/// (rule, path, line, variable) of every finding.
fn practice_findings(report: &Value) -> Vec<(String, String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["token"].is_null())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["context"]["env_var"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Dockerfile",
        "FROM python:3.12\nARG HF_TOKEN\nRUN python fetch.py\n",
    );
    write(
        root,
        "deploy/Dockerfile",
        "FROM python:3.12\nARG HF_HOME=/data\nRUN --mount=type=secret,id=HF_TOKEN,env=HF_TOKEN python fetch.py\n",
    );
    write(
        root,
        "compose.yaml",
        "services:\n  app:\n    build:\n      args:\n        - HUGGING_FACE_HUB_TOKEN\n    environment:\n      - HF_TOKEN\n",
    );
    write(
        root,
        ".github/workflows/publish.yml",
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python push.py\n        env:\n          HF_TOKEN: ${{ secrets.HF_WRITE }}\n",
    );
    write(
        root,
        "push.py",
        "import os\nfrom huggingface_hub import upload_folder, login\nlogin(token=os.environ[\"HF_TOKEN\"])\nupload_folder(repo_id=\"acme/m\", folder_path=\"out\")\nprint(\"HF_TOKEN is set\")\n",
    );
    write(
        root,
        "debug.py",
        "import os\ntoken = os.getenv(\"HF_TOKEN\")\nprint(token)\n# hfaudit:allow HF015\nprint(token)\n",
    );
    write(
        root,
        "run.sh",
        "#!/bin/sh\necho \"HF_TOKEN is set\"\necho \"$HF_TOKEN\" | hf auth login --token-stdin\necho $HF_TOKEN\n",
    );
    write(
        root,
        "README.md",
        "Run `docker build --build-arg HF_TOKEN=... .` (don't).\n",
    );
    dir
}

#[test]
fn practice_rules_fire_where_the_habit_is_and_nowhere_else() {
    let dir = tree();
    let report = json_report(dir.path(), &["--no-config"]);
    let got = practice_findings(&report);
    let want = [
        (".github/workflows/publish.yml", "HF014", 7, "HF_TOKEN"),
        ("Dockerfile", "HF013", 2, "HF_TOKEN"),
        ("compose.yaml", "HF013", 5, "HUGGING_FACE_HUB_TOKEN"),
        ("debug.py", "HF015", 3, "HF_TOKEN"),
        ("run.sh", "HF015", 4, "HF_TOKEN"),
    ];
    let want: Vec<(String, String, u64, String)> = want
        .iter()
        .map(|(p, r, l, v)| ((*r).to_owned(), (*p).to_owned(), *l, (*v).to_owned()))
        .collect();
    assert_eq!(got, want);
    let f = &report["findings"][0];
    assert_eq!(f["context"]["usage"], "token_variable");
    assert_eq!(f["context"]["need"], "write", "push.py uploads");
    assert_eq!(report["summary"]["suppressed"], 1, "the inline marker");

    // A baseline hides them by (rule, variable, path); a new habit still shows.
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["baseline", "--no-config"])
        .output()
        .unwrap();
    write(dir.path(), "baseline.json", &out.stdout);
    write(
        dir.path(),
        "more.sh",
        "#!/bin/sh\nset -x\ncurl -H \"Authorization: Bearer $HF_TOKEN\" x\n",
    );
    let report = json_report(dir.path(), &["--no-config", "--baseline", "baseline.json"]);
    let got = practice_findings(&report);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("HF015", "more.sh"));

    // Disabled in config, a rule says nothing.
    write(
        dir.path(),
        ".hfaudit.toml",
        "disable = [\"HF013\", \"HF014\", \"HF015\"]\n",
    );
    let report = json_report(dir.path(), &[]);
    assert!(practice_findings(&report).is_empty());
}

#[test]
fn practice_findings_show_the_variable_in_every_format() {
    let dir = tree();
    for format in ["human", "sarif", "github"] {
        let out = hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--no-config", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}: {text}");
        assert!(text.contains("HF013"), "{format}: {text}");
        assert!(text.contains("variable HF_TOKEN"), "{format}: {text}");
    }
}

/// (rule, path, line, locations' lines, message) of every practice finding.
fn practice_detail(report: &Value) -> Vec<(String, String, u64, Vec<u64>, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["token"].is_null())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["locations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["line"].as_u64().unwrap())
                    .collect(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Issue 18: HF014 judges each step a secret reaches by its own lines and the scripts it runs.
/// Must not fire: a read secret (its name says so) given to `pytest`, `make test`, `tox`; a
/// secret given to a step whose script only downloads; tests beside a workflow that uploads
/// and an example script that pushes with the same variable. Must fire, once per workflow and
/// secret with every hand-over line: `hf upload`, a script that calls `upload_file` (after
/// `cd`), a workflow-level secret whose script names no token variable (`push_to_hub`), a
/// login stored in `~/.netrc` and a later `git push` to a Space remote, `hf cp` to a bucket in a
/// job without OIDC beside one that publishes to PyPI with OIDC, a secret given as an argument
/// to a script that commits (not the Slack one beside it), a secret exported into `HF_TOKEN`.
#[test]
fn ci_secrets_are_judged_by_the_steps_they_reach() {
    let dir = crate::common::fixture("practice");
    // Scanned from above the repository: the workflow's scripts resolve under `ci/`.
    let report = json_report(dir.path(), &["--no-config", "ci"]);
    let got = practice_detail(&report);
    let summary: Vec<(&str, &str, u64, Vec<u64>)> = got
        .iter()
        .map(|(r, p, l, ls, _)| (r.as_str(), p.as_str(), *l, ls.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            ("HF014", "ci/.github/workflows/bench.yml", 15, vec![15]),
            ("HF014", "ci/.github/workflows/cards.yml", 6, vec![6]),
            ("HF014", "ci/.github/workflows/demos.yml", 18, vec![18]),
            ("HF014", "ci/.github/workflows/demos.yml", 21, vec![21]),
            ("HF014", "ci/.github/workflows/mirror.yml", 15, vec![15, 11]),
            ("HF014", "ci/.github/workflows/release.yml", 17, vec![17]),
            ("HF014", "ci/.github/workflows/space.yml", 10, vec![10]),
        ],
        "{got:#?}"
    );
    let messages: Vec<&str> = got.iter().map(|g| g.4.as_str()).collect();
    for (i, want) in [
        "step `Push results to the Hub` of job `bench` writes to the Hub: `python push_results.py` at line 17 runs benchmarks/push_results.py, which calls `upload_file`",
        "`python utils/push_cards.py` at line 13 runs utils/push_cards.py, which calls `push_to_hub`",
        "secrets.ACME_SPACES_DEPLOY_TOKEN to a command line, and step `Upload demos to Spaces` of job `demos` writes to the Hub: `python scripts/upload_demos.py demos acme/pr-demos ${{ secrets.ACME_SPACES_DEPLO…` at line 16 runs scripts/upload_demos.py, which calls `create_commit`",
        "secrets.ACME_NEURON to HF_TOKEN, and step `Export models` of job `demos` writes to the Hub: `python tools/export_models.py` at line 22 runs tools/export_models.py, which calls `upload_folder`",
        "step `Mirror examples` of job `mirror` writes to the Hub: `hf upload` at line 13",
        "step `Archive release notes` of job `notes` writes to the Hub: `hf cp` at line 20",
        "step `Deploy` of job `deploy` writes to the Hub: `git push` at line 18",
    ]
    .iter()
    .enumerate()
    {
        assert!(messages[i].contains(want), "{}\nwant: {want}", messages[i]);
    }
    assert!(
        messages[0].contains("secrets.ACME_BOT_TOKEN"),
        "{}",
        messages[0]
    );
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["context"]["need"], "write");
        // The variable the secret is handed to; on a command line, the secret's own name.
        let var = f["context"]["env_var"].as_str().unwrap();
        assert!(
            var == "HF_TOKEN" || var == "ACME_SPACES_DEPLOY_TOKEN",
            "{var}"
        );
    }

    // The same tree scanned from its own root gives the same findings, at their own paths.
    let inside = json_report(&dir.path().join("ci"), &["--no-config"]);
    assert_eq!(practice_detail(&inside).len(), 7);

    // One marker on any hand-over line silences the (workflow, secret) finding.
    let mirror = dir.path().join("ci/.github/workflows/mirror.yml");
    let text = std::fs::read_to_string(&mirror).unwrap();
    write(
        dir.path(),
        "ci/.github/workflows/mirror.yml",
        text.replace(
            "          HF_TOKEN: ${{ secrets.ACME_MIRROR_TOKEN }}\n      - name: Mirror",
            "          HF_TOKEN: ${{ secrets.ACME_MIRROR_TOKEN }} # hfaudit:allow HF014\n      - name: Mirror",
        ),
    );
    let report = json_report(dir.path(), &["--no-config", "ci"]);
    assert_eq!(practice_detail(&report).len(), 6);
    assert_eq!(report["summary"]["suppressed"], 1);
}

/// Issue 18: HF015 reports the value, not a part of it, its length or a test of it; names
/// where a printed name's value comes from; catches an exec-form shell and a token written to
/// a file the workflow publishes; `set -x` only where its shell expands a token (also under
/// another name); and shows no need (that is about Hub access).
#[test]
fn printing_findings_are_the_token_itself() {
    let dir = crate::common::fixture("practice");
    let report = json_report(dir.path(), &["--no-config", "printing"]);
    let got = practice_detail(&report);
    let summary: Vec<(&str, &str, u64)> = got
        .iter()
        .map(|(r, p, l, _, _)| (r.as_str(), p.as_str(), *l))
        .collect();
    assert_eq!(
        summary,
        [
            ("HF015", "printing/.github/workflows/pages.yml", 10),
            ("HF015", "printing/.github/workflows/trace.yml", 21),
            ("HF015", "printing/Dockerfile", 3),
            ("HF015", "printing/show_token.py", 12),
        ],
        "check_env.py prints parts and tests only: {got:#?}"
    );
    assert_eq!(report["summary"]["suppressed"], 1, "the allowed print");
    assert_eq!(
        got[3].3,
        [12, 13],
        "one habit, its two lines; not the allowed one"
    );
    let shown = &report["findings"][3];
    assert_eq!(
        shown["context"]["env_var"], "token",
        "a variable name, never a phrase"
    );
    assert!(
        got[3]
            .4
            .starts_with("`token` (read by `get_token()`) is written"),
        "{}",
        got[3].4
    );
    assert!(shown["help"]
        .as_str()
        .unwrap()
        .contains("hfaudit:allow HF015"));
    assert!(
        got[1].4.contains("HFTOKEN") && got[1].4.contains("`set -x`"),
        "{}",
        got[1].4
    );
    assert!(
        got[0].4.contains("`peaceiris/actions-gh-pages` publishes"),
        "{}",
        got[0].4
    );
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--no-config", "printing"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("HF015") && !text.contains(" · need "),
        "{text}"
    );
}

/// Issue 18: a token file in an image (HF013): a workflow writes the secret to a file of the
/// build context and builds from it; a Dockerfile copies a token file and reads it (seen
/// though it names no token variable: a Dockerfile is always worth the look). Not when the
/// file is handed over as a build secret. Bake targets' `args`; the same habit on several
/// lines of a file is one finding.
#[test]
fn token_files_in_image_builds() {
    let dir = crate::common::fixture("practice");
    let report = json_report(dir.path(), &["--no-config", "image"]);
    let got = practice_detail(&report);
    let summary: Vec<(&str, &str, u64)> = got
        .iter()
        .map(|(r, p, l, _, _)| (r.as_str(), p.as_str(), *l))
        .collect();
    assert_eq!(
        summary,
        [
            ("HF013", "image/.github/workflows/image.yml", 11),
            ("HF013", "image/Dockerfile", 2),
            ("HF013", "image/docker-bake.hcl", 10),
            ("HF013", "image/docker/Dockerfile", 3),
            ("HF013", "image/multi/Dockerfile", 3),
        ],
        "{got:#?}"
    );
    // One habit of a file is one finding, every line in `locations`; a `--build-arg` in a
    // message is none.
    assert_eq!(got[1].3, [2]);
    assert_eq!(got[2].3, [10, 18]);
    assert_eq!(got[4].3, [3, 7]);
    assert!(got[0]
        .4
        .contains("written to `TOKEN_FILE` in the build context of `docker build` at line 13"));
    let file = &report["findings"][3];
    assert!(file["context"]["env_var"].is_null());
    assert_eq!(file["context"]["token_file"], ".hf_token");
    assert!(got[3]
        .4
        .starts_with("token file `.hf_token` reaches a container image build"));
}
