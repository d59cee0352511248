//! The practice rules (HF013–HF015) in git modes: `--staged` and `--since`/`--range` report the
//! habits a change adds, judged on the lines it adds with the file after the change as context;
//! a habit already there, an edit elsewhere in the file, a moved line and `--history` report
//! nothing (issue 18, "every path").

use serde_json::Value;

use crate::common::fake_tokens;
use crate::git::Repo;

/// (rule, path, line, commit id) of every practice finding.
fn habits(report: &Value) -> Vec<(String, String, u64, Option<String>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["token"].is_null())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["commit"]["id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The lines of a finding's `locations`.
fn location_lines(finding: &Value) -> Vec<u64> {
    finding["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect()
}

const DOCKERFILE: &str = "FROM python:3.12\nARG HF_TOKEN\nRUN python fetch.py\n";
const APP: &str = "import os\n\nprint(os.environ[\"HF_TOKEN\"])\n";
const WORKFLOW: &str = "on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: hf upload acme/model ./out
        env:
          HF_TOKEN: ${{ secrets.HF_WRITE }}
";
const WORKFLOW_PATH: &str = ".github/workflows/publish.yml";

/// A repository whose first commit holds a README only.
fn repo() -> Repo {
    let mut repo = Repo::new();
    repo.commit_file("README.md", "# demo\n", "start");
    repo
}

/// Writes and stages the three habits: an image build argument, a print, a write secret.
fn stage_habits(repo: &Repo) {
    for (path, text) in [
        ("Dockerfile", DOCKERFILE),
        ("app.py", APP),
        (WORKFLOW_PATH, WORKFLOW),
    ] {
        repo.write(path, text);
        repo.add(path);
    }
}

fn want(commit: Option<&str>) -> Vec<(String, String, u64, Option<String>)> {
    let c = commit.map(str::to_owned);
    vec![
        ("HF014".into(), WORKFLOW_PATH.into(), 9, c.clone()),
        ("HF013".into(), "Dockerfile".into(), 2, c.clone()),
        ("HF015".into(), "app.py".into(), 3, c),
    ]
}

#[test]
fn added_habits_are_reported_staged_and_in_ranges() {
    let mut repo = repo();
    // Two of the files are there already, without their habit (their versions are read again
    // for their lines).
    repo.commit_file("app.py", "import os\n", "app");
    repo.commit_file("Dockerfile", "FROM python:3.12\n", "image");
    stage_habits(&repo);
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(habits(&report), want(None), "{report:#}");
    assert_eq!(
        code, 1,
        "HF013 and HF015 are warnings: --fail-on warning fails"
    );
    let id = repo.commit("habits");
    for args in [
        &["--since", "HEAD~1"][..],
        &["--range", "HEAD~1..HEAD"],
        &["--range", "HEAD~1.."],
    ] {
        let (report, _) = repo.scan(args);
        assert_eq!(habits(&report), want(Some(&id)), "{args:?}: {report:#}");
    }
    let hf014 = &repo.scan(&["--since", "HEAD~1"]).0["findings"][0];
    assert!(
        hf014["message"].as_str().unwrap().contains("`hf upload`"),
        "{hf014:#}"
    );
    // `--history` judges tokens only; the tree judges the files as they are.
    let (report, _) = repo.scan(&["--history"]);
    assert!(habits(&report).is_empty(), "{report:#}");
    let (report, _) = repo.scan(&["."]);
    assert_eq!(habits(&report).len(), 3, "{report:#}");
}

#[test]
fn habits_already_there_and_moved_lines_are_not_reported() {
    let mut repo = repo();
    stage_habits(&repo);
    repo.commit("habits");
    // An edit elsewhere in each file.
    let edits = [
        ("Dockerfile", format!("{DOCKERFILE}RUN echo done\n")),
        ("app.py", format!("# a comment\n{APP}x = 1\n")),
        (WORKFLOW_PATH, WORKFLOW.replace("on: push", "on: [push]")),
    ];
    for (path, text) in &edits {
        repo.write(path, text);
        repo.add(path);
    }
    let (report, _) = repo.scan(&["--staged"]);
    assert!(habits(&report).is_empty(), "{report:#}");
    repo.commit("edits");
    let (report, _) = repo.scan(&["--since", "HEAD~1"]);
    assert!(habits(&report).is_empty(), "{report:#}");
    // Lines moved (and re-indented): moving a habit is not adding one.
    repo.write(
        "Dockerfile",
        "FROM python:3.12\nRUN echo done\nARG HF_TOKEN\nRUN python fetch.py\n",
    );
    repo.write(
        "app.py",
        "import os\n\nif True:\n    print(os.environ[\"HF_TOKEN\"])\n",
    );
    repo.add("Dockerfile");
    repo.add("app.py");
    repo.commit("moves");
    let (report, _) = repo.scan(&["--since", "HEAD~1"]);
    assert!(habits(&report).is_empty(), "{report:#}");
    // Over the whole range, each habit is reported once, by the commit that added it.
    let (report, _) = repo.scan(&["--since", "HEAD~3"]);
    assert_eq!(habits(&report).len(), 3, "{report:#}");
}

#[test]
fn locations_list_only_the_added_lines() {
    let mut repo = repo();
    repo.commit_file("run.sh", "echo $HF_TOKEN\nls\n", "one print");
    repo.write("run.sh", "echo $HF_TOKEN\nls\necho \"token: $HF_TOKEN\"\n");
    repo.add("run.sh");
    let (report, _) = repo.scan(&["--staged"]);
    let found = &report["findings"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(location_lines(&found[0]), [3]);
    // The tree groups both lines into the one habit.
    repo.commit("two prints");
    let (report, _) = repo.scan(&["run.sh"]);
    assert_eq!(location_lines(&report["findings"][0]), [1, 3], "{report:#}");
}

#[test]
fn a_token_added_to_a_file_with_an_old_habit_reports_the_token_only() {
    let t = fake_tokens(1801, 1);
    let mut repo = repo();
    repo.commit_file("app.py", APP, "a print");
    repo.write("app.py", format!("{APP}DEFAULT = \"{}\"\n", t[0]));
    repo.add("app.py");
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["HF001"], "{report:#}");
}

#[test]
fn a_staged_workflow_is_judged_with_the_scripts_of_the_checkout() {
    let mut repo = repo();
    repo.commit_file(
        "scripts/push.py",
        "from huggingface_hub import upload_folder\nupload_folder(repo_id=\"acme/m\", folder_path=\"out\")\n",
        "push script",
    );
    repo.commit_file("scripts/check.py", "print('ok')\n", "check script");
    let workflow = |script: &str| {
        format!(
            "jobs:\n  j:\n    steps:\n      - run: python scripts/{script}\n        env:\n          HF_TOKEN: ${{{{ secrets.HUB }}}}\n"
        )
    };
    repo.write(WORKFLOW_PATH, workflow("check.py"));
    repo.add(WORKFLOW_PATH);
    let (report, _) = repo.scan(&["--staged"]);
    assert!(
        habits(&report).is_empty(),
        "a step that does not write: {report:#}"
    );
    repo.write(WORKFLOW_PATH, workflow("push.py"));
    repo.add(WORKFLOW_PATH);
    let (report, _) = repo.scan(&["--staged"]);
    assert_eq!(
        habits(&report),
        [("HF014".into(), WORKFLOW_PATH.into(), 6, None)],
        "{report:#}"
    );
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("scripts/push.py"), "{message}");
}

#[test]
fn a_habit_removed_long_ago_is_not_reported_by_history() {
    let mut repo = repo();
    repo.commit_file("app.py", APP, "a print");
    repo.commit_file("app.py", "import os\n", "no print");
    let (report, _) = repo.scan(&["--history"]);
    assert!(habits(&report).is_empty(), "{report:#}");
    // A range over the commit that added it does report it.
    let (report, _) = repo.scan(&["--range", "HEAD~2..HEAD~1"]);
    assert_eq!(habits(&report).len(), 1, "{report:#}");
}

#[test]
fn the_same_content_at_several_paths_is_judged_at_each() {
    let repo = repo();
    // Git lists `a.py` first: there the line is no habit; at `run.sh` and `tools/run.sh` it is.
    for path in ["a.py", "run.sh", "tools/run.sh"] {
        repo.write(path, "echo $HF_TOKEN\n");
        repo.add(path);
    }
    let (report, _) = repo.scan(&["--staged"]);
    let got: Vec<(String, String)> = habits(&report)
        .into_iter()
        .map(|(rule, path, _, _)| (rule, path))
        .collect();
    assert_eq!(
        got,
        [
            ("HF015".to_owned(), "run.sh".to_owned()),
            ("HF015".to_owned(), "tools/run.sh".to_owned())
        ],
        "{report:#}"
    );
}

#[test]
fn a_habit_made_by_changing_another_line_is_left_to_the_tree_scan() {
    let mut repo = repo();
    // `ARG HF_TOKEN` beside a secret mount of the same name is no habit; removing the mount
    // makes it one, but adds no line with it: a git mode says nothing, the tree scan does.
    repo.commit_file(
        "Dockerfile",
        "FROM python:3.12\nARG HF_TOKEN\nRUN --mount=type=secret,id=HF_TOKEN python fetch.py\n",
        "mounted",
    );
    repo.write(
        "Dockerfile",
        "FROM python:3.12\nARG HF_TOKEN\nRUN python fetch.py\n",
    );
    repo.add("Dockerfile");
    let (report, _) = repo.scan(&["--staged"]);
    assert!(habits(&report).is_empty(), "{report:#}");
    let (report, _) = repo.scan(&["Dockerfile"]);
    assert_eq!(habits(&report).len(), 1, "{report:#}");
}
