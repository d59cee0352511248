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
