//! Git modes (`--staged`, `--since`, `--range`, `--history`), `install-hook` and the pre-commit
//! glue, run end to end on temporary repositories built with the git CLI. Git is isolated from
//! the machine's config, and every commit gets a fixed, increasing date.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{self, fake_tokens};

/// A temporary repository driven through the git CLI (shared with `git_habits`).
pub(crate) struct Repo {
    dir: tempfile::TempDir,
    commits: u32,
}

/// Makes `cmd` independent of the machine's git config and of any git environment the test
/// itself may run in (a hook sets `GIT_DIR`, `GIT_INDEX_FILE`, …).
fn isolate(cmd: &mut Command) {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_PREFIX",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.invalid");
}

impl Repo {
    pub(crate) fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temp dir"),
            commits: 0,
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git_output(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.current_dir(self.path()).args(args);
        isolate(&mut cmd);
        // Dates go up by an hour per commit, so "oldest" is well defined.
        let date = format!("2024-01-01T{:02}:00:00Z", self.commits % 24);
        cmd.env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        cmd.output().expect("git runs")
    }

    /// Runs git and returns its trimmed standard output; panics when it fails.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub(crate) fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        common::write(self.path(), rel, content);
    }

    pub(crate) fn add(&self, rel: &str) {
        self.git(&["add", "--", rel]);
    }

    /// Writes, stages and commits one file; returns the commit id.
    pub(crate) fn commit_file(
        &mut self,
        rel: &str,
        content: impl AsRef<[u8]>,
        message: &str,
    ) -> String {
        self.write(rel, content);
        self.add(rel);
        self.commit(message)
    }

    /// Commits what is staged; returns the commit id.
    pub(crate) fn commit(&mut self, message: &str) -> String {
        self.commits += 1;
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// `hfaudit ARGS` in the repository, isolated like git.
    fn hfaudit(&self, args: &[&str]) -> Output {
        hfaudit_in(self.path())
            .args(args)
            .output()
            .expect("hfaudit runs")
    }

    /// `hfaudit scan --format json ARGS`: the report and the exit code.
    pub(crate) fn scan(&self, args: &[&str]) -> (Value, i32) {
        let mut all = vec!["scan", "--format", "json", "--no-progress"];
        all.extend_from_slice(args);
        let out = self.hfaudit(&all);
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "hfaudit {all:?}: not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (report, out.status.code().unwrap_or(-1))
    }
}

/// The binary under test, run in `dir` with the environment of `common::hfaudit` and git
/// isolated.
fn hfaudit_in(dir: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hfaudit"));
    cmd.current_dir(dir)
        .env_remove("HF_ENDPOINT")
        .env_remove("HF_TOKEN")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    isolate(&mut cmd);
    cmd
}

/// (path, line, commit id) of every finding.
fn found(report: &Value) -> Vec<(String, Option<u64>, Option<String>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64(),
                f["commit"]["id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The fingerprints of the findings, to tell tokens apart without printing them.
fn fingerprints(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["token"]["fingerprint"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

fn fingerprint_of(token: &str) -> String {
    hfaudit::secret::Fingerprint::of(token).to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn staged_scans_the_index_not_the_work_tree() {
    let t = fake_tokens(501, 3);
    let mut repo = Repo::new();
    repo.write("lib.py", "x = 1\n");
    repo.add("lib.py");
    repo.commit_file("app.py", "print('hello')\n", "init");
    // Staged, then removed from the work tree: the commit would still carry it.
    repo.write("app.py", format!("print('hello')\ntoken = \"{}\"\n", t[0]));
    repo.add("app.py");
    repo.write("app.py", "print('hello')\n");
    // An unstaged change to a tracked file, and an untracked file: neither is being committed.
    repo.write("lib.py", format!("x = 1\nkey = \"{}\"\n", t[1]));
    repo.write("notes/untracked.txt", format!("{}\n", t[2]));

    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(found(&report), vec![("app.py".into(), Some(2), None)]);
    assert_eq!(fingerprints(&report), vec![fingerprint_of(&t[0])]);
    assert_eq!(report["findings"][0]["commit"], Value::Null);
    // The tree scan sees the work tree instead: lib.py and the untracked file, not app.py.
    let (tree, _) = repo.scan(&[]);
    let mut paths: Vec<String> = found(&tree).into_iter().map(|f| f.0).collect();
    paths.sort();
    assert_eq!(paths, vec!["lib.py", "notes/untracked.txt"]);
    let out = repo.hfaudit(&["scan", "--staged", "--format", "json"]);
    common::assert_no_token(&String::from_utf8_lossy(&out.stdout), &t, "staged JSON");
}

/// A hook (`git commit -a`, a partial commit) stages into another index and names it with
/// `GIT_INDEX_FILE`: in the user's repository, `--staged` reads the index the hook names.
#[test]
fn staged_reads_the_index_git_index_file_names() {
    let t = fake_tokens(507, 1);
    let mut repo = Repo::new();
    repo.commit_file("app.py", "print('hello')\n", "init");
    repo.write("app.py", format!("token = \"{}\"\n", t[0]));
    let other = repo.path().join(".git/other-index");
    std::fs::copy(repo.path().join(".git/index"), &other).unwrap();
    let mut add = Command::new("git");
    add.current_dir(repo.path()).args(["add", "app.py"]);
    isolate(&mut add);
    assert!(add
        .env("GIT_INDEX_FILE", &other)
        .status()
        .unwrap()
        .success());
    // The usual index has nothing staged; the one the hook names has the token.
    let (plain, code) = repo.scan(&["--staged"]);
    assert_eq!((found(&plain), code), (vec![], 0));
    let out = hfaudit_in(repo.path())
        .args(["scan", "--staged", "--format", "json", "--no-progress"])
        .env("GIT_INDEX_FILE", &other)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found(&report), vec![("app.py".into(), Some(1), None)]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn staged_reports_only_tokens_the_commit_adds() {
    let t = fake_tokens(502, 2);
    let mut repo = Repo::new();
    repo.commit_file(
        "cfg.py",
        format!("a = 1\nTOKEN = \"{}\"\n", t[0]),
        "old leak",
    );
    // Editing other lines, and the token's own line, does not report the old token again.
    repo.write(
        "cfg.py",
        format!("a = 2\nTOKEN = \"{}\"  # old\nb = 3\n", t[0]),
    );
    repo.add("cfg.py");
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!((found(&report), code), (vec![], 0), "{report:#}");
    // A new token is reported at its line in the staged file.
    repo.write(
        "cfg.py",
        format!(
            "a = 2\nTOKEN = \"{}\"\nb = 3\nc = 4\nOTHER = \"{}\"\n",
            t[0], t[1]
        ),
    );
    repo.add("cfg.py");
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(found(&report), vec![("cfg.py".into(), Some(5), None)]);
    assert_eq!(fingerprints(&report), vec![fingerprint_of(&t[1])]);
}

#[test]
fn empty_repository() {
    let t = fake_tokens(503, 1);
    let repo = Repo::new();
    for mode in [&["--staged"][..], &["--history"]] {
        let (report, code) = repo.scan(mode);
        assert_eq!((found(&report), code), (vec![], 0), "{mode:?}: {report:#}");
    }
    // Before the first commit, everything staged is new.
    repo.write("first.env", format!("HF_TOKEN={}\n", t[0]));
    repo.add("first.env");
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(found(&report), vec![("first.env".into(), Some(1), None)]);
    let (report, code) = repo.scan(&["--history"]);
    assert_eq!((found(&report), code), (vec![], 0));
    let out = repo.hfaudit(&["scan", "--since", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn history_finds_a_deleted_token_and_names_its_commit() {
    let t = fake_tokens(504, 1);
    let mut repo = Repo::new();
    repo.commit_file("README.md", "# demo\n", "init");
    let added = repo.commit_file(
        "train.py",
        format!("import os\n\nlogin(token=\"{}\")\n", t[0]),
        "train",
    );
    repo.commit_file("train.py", "import os\n\nlogin()\n", "remove the token");
    repo.commit_file("README.md", "# demo\nmore\n", "docs");

    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![("train.py".into(), Some(3), Some(added.clone()))]
    );
    let commit = &report["findings"][0]["commit"];
    assert_eq!(commit["author"], "Ada Tester <ada@example.invalid>");
    assert_eq!(commit["date"], "2024-01-01T02:00:00Z");
    assert_eq!(report["findings"][0]["context"]["usage"], "login_call");
    // Neither the tree nor the (empty) index holds it any more.
    assert_eq!(found(&repo.scan(&[]).0), vec![]);
    assert_eq!(found(&repo.scan(&["--staged"]).0), vec![]);
    // The human report names the commit too, and no format prints the token.
    let human = repo.hfaudit(&["scan", "--history", "--color", "never"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains(&format!("commit {added}")), "{text}");
    common::assert_no_token(&text, &t, "human history report");
    let sarif = repo.hfaudit(&["scan", "--history", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["commit"]["id"], added.as_str());
    common::assert_no_token(&sarif.to_string(), &t, "SARIF history report");
}

#[test]
fn history_attributes_a_token_to_the_oldest_commit_that_added_it() {
    let t = fake_tokens(505, 1);
    let mut repo = Repo::new();
    let first = repo.commit_file("a.py", format!("x = \"{}\"\n", t[0]), "add");
    repo.commit_file("a.py", "x = None\n", "remove");
    repo.commit_file(
        "a.py",
        format!("# again\n\ny = \"{}\"\n", t[0]),
        "add again",
    );
    let (report, _) = repo.scan(&["--history"]);
    // Once per (path, token), at the line the oldest version had.
    assert_eq!(found(&report), vec![("a.py".into(), Some(1), Some(first))]);
    // The same token in another path is another finding, with its own commit.
    let other = repo.commit_file("b.py", format!("z = \"{}\"\n", t[0]), "copy");
    let (report, _) = repo.scan(&["--history"]);
    let got = found(&report);
    let got: Vec<_> = got.iter().filter(|f| f.0 == "b.py").collect();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].2.as_deref(), Some(other.as_str()));
}

#[test]
fn ranges_exclude_older_commits() {
    let t = fake_tokens(506, 3);
    let mut repo = Repo::new();
    let c1 = repo.commit_file("one.py", format!("a = \"{}\"\n", t[0]), "one");
    let c2 = repo.commit_file("two.py", format!("b = \"{}\"\n", t[1]), "two");
    let c3 = repo.commit_file("three.py", format!("c = \"{}\"\n", t[2]), "three");

    let (report, code) = repo.scan(&["--range", &format!("{c1}..HEAD")]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![
            ("three.py".into(), Some(1), Some(c3.clone())),
            ("two.py".into(), Some(1), Some(c2.clone())),
        ]
    );
    let (report, _) = repo.scan(&["--since", &c2]);
    assert_eq!(found(&report), vec![("three.py".into(), Some(1), Some(c3))]);
    let (report, _) = repo.scan(&["--range", &format!("{c1}..{c2}")]);
    assert_eq!(found(&report), vec![("two.py".into(), Some(1), Some(c2))]);
    let (report, code) = repo.scan(&["--since", "HEAD"]);
    assert_eq!((found(&report), code), (vec![], 0));
    // A token that existed before the range is not reported when the range edits its file.
    repo.commit_file("one.py", format!("a = \"{}\"\nb = 2\n", t[0]), "edit");
    let (report, _) = repo.scan(&["--since", "HEAD~1"]);
    assert_eq!(found(&report), vec![]);
}

#[test]
fn bad_revisions_and_no_repository_exit_2() {
    let mut repo = Repo::new();
    repo.commit_file("a.txt", "a\n", "init");
    for args in [
        &["scan", "--since", "no-such-branch"][..],
        &["scan", "--range", "HEAD~5..HEAD"],
        &["scan", "--range", "main"],
        &["scan", "--range=--output=x..HEAD"],
    ] {
        let out = repo.hfaudit(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = repo.hfaudit(&["scan", "--since", "no-such-branch"]);
    assert!(
        stderr(&out).contains("bad revision \"no-such-branch\""),
        "{}",
        stderr(&out)
    );

    let outside = tempfile::tempdir().unwrap();
    for args in [
        &["scan", "--staged"][..],
        &["scan", "--history"],
        &["install-hook"],
    ] {
        let mut cmd = hfaudit_in(outside.path());
        cmd.args(args)
            .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap());
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("not inside a git repository"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn merge_commits() {
    let t = fake_tokens(507, 3);
    let mut repo = Repo::new();
    repo.commit_file("base.txt", "base\n", "init");
    let before = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let on_branch = repo.commit_file("feature.py", format!("f = \"{}\"\n", t[0]), "feature");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("main.txt", "main\n", "main work");
    repo.commits += 1;
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "feature"]);
    let merge = repo.git(&["rev-parse", "HEAD"]);

    // The branch commit introduced the token, not the merge; a range over the merge finds it.
    let (report, _) = repo.scan(&["--history"]);
    assert_eq!(
        found(&report),
        vec![("feature.py".into(), Some(1), Some(on_branch.clone()))]
    );
    let (report, _) = repo.scan(&["--since", &before]);
    assert_eq!(
        found(&report),
        vec![("feature.py".into(), Some(1), Some(on_branch.clone()))]
    );

    // A token written while resolving a conflict belongs to the merge commit.
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.commit_file("conflict.txt", "side\n", "side");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("conflict.txt", "main\n", "main");
    let out = repo.git_output(&["merge", "-q", "side"]);
    assert!(!out.status.success(), "the merge must conflict");
    repo.write("conflict.txt", format!("resolved = \"{}\"\n", t[1]));
    repo.add("conflict.txt");
    let evil = repo.commit("merge side");
    let (report, _) = repo.scan(&["--history"]);
    assert!(
        found(&report).contains(&("conflict.txt".into(), Some(1), Some(evil.clone()))),
        "{:?}",
        found(&report)
    );
    let (report, _) = repo.scan(&["--since", &merge]);
    assert_eq!(
        found(&report),
        vec![("conflict.txt".into(), Some(1), Some(evil))]
    );
}

#[test]
fn renamed_files_are_not_reported_again() {
    let t = fake_tokens(508, 2);
    let mut repo = Repo::new();
    let body = format!(
        "import os\n\nTOKEN = \"{}\"\n\ndef main():\n    pass\n",
        t[0]
    );
    let added = repo.commit_file("old name.py", &body, "add");
    std::fs::create_dir(repo.path().join("src")).unwrap();
    repo.git(&["mv", "old name.py", "src/new name.py"]);
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!((found(&report), code), (vec![], 0), "{report:#}");
    repo.commit("rename");
    let (report, _) = repo.scan(&["--since", "HEAD~1"]);
    assert_eq!(found(&report), vec![]);
    let (report, _) = repo.scan(&["--history"]);
    assert_eq!(
        found(&report),
        vec![("old name.py".into(), Some(3), Some(added))]
    );
    // A rename that also adds a token reports only the new one, at the new path.
    repo.git(&["mv", "src/new name.py", "renamed.py"]);
    repo.write("renamed.py", format!("{body}OTHER = \"{}\"\n", t[1]));
    repo.add("renamed.py");
    let (report, _) = repo.scan(&["--staged"]);
    assert_eq!(found(&report), vec![("renamed.py".into(), Some(7), None)]);
    assert_eq!(fingerprints(&report), vec![fingerprint_of(&t[1])]);
}

#[test]
fn binary_blobs_are_scanned() {
    let t = fake_tokens(509, 2);
    let blob = |token: &str, extra: &[u8]| {
        let mut data = b"\x00\x01\x02PICKLE\x00".to_vec();
        data.extend_from_slice(extra);
        data.extend_from_slice(token.as_bytes());
        data.extend_from_slice(b"\x00\xff\xfe");
        data
    };
    let mut repo = Repo::new();
    repo.write("model.pkl", blob(&t[0], b""));
    repo.add("model.pkl");
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(found(&report), vec![("model.pkl".into(), None, None)]);
    assert_eq!(report["findings"][0]["offset"], 10);
    let added = repo.commit("weights");
    // Changed bytes, same token: not new. A token the HEAD version lacks: new.
    repo.write("model.pkl", blob(&t[0], b"more bytes\x00"));
    repo.add("model.pkl");
    assert_eq!(found(&repo.scan(&["--staged"]).0), vec![]);
    repo.write("model.pkl", [blob(&t[0], b""), blob(&t[1], b"")].concat());
    repo.add("model.pkl");
    let (report, _) = repo.scan(&["--staged"]);
    assert_eq!(fingerprints(&report), vec![fingerprint_of(&t[1])]);
    let (report, _) = repo.scan(&["--history"]);
    assert_eq!(
        found(&report),
        vec![("model.pkl".into(), None, Some(added))]
    );
}

#[test]
fn suppression_config_and_baseline_apply_to_git_modes() {
    let t = fake_tokens(510, 4);
    let mut repo = Repo::new();
    repo.write(".hfaudit.toml", "exclude = [\"fixtures/\"]\n");
    repo.write("fixtures/sample.py", format!("t = \"{}\"\n", t[0]));
    repo.write("allowed.py", format!("t = \"{}\"  # hfaudit:allow\n", t[1]));
    repo.write("known.py", format!("t = \"{}\"\n", t[2]));
    repo.git(&["add", "."]);
    repo.commit("setup");
    repo.commit_file("new.py", format!("t = \"{}\"\n", t[3]), "new");

    let (report, _) = repo.scan(&["--history"]);
    assert_eq!(
        found(&report).into_iter().map(|f| f.0).collect::<Vec<_>>(),
        vec!["known.py", "new.py"]
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    // A baseline written from the history hides what it lists in a range scan.
    let out = repo.hfaudit(&["baseline", "--range", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(repo.path().join("baseline.json"), &out.stdout).unwrap();
    let (report, code) = repo.scan(&["--history", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report).into_iter().map(|f| f.0).collect::<Vec<_>>(),
        vec!["known.py"]
    );
    assert_eq!(report["summary"]["suppressed"], 2);
}

#[test]
fn odd_paths_and_pathspecs() {
    let t = fake_tokens(511, 2);
    let mut repo = Repo::new();
    let odd = "dir with space/new\nline [x]*.py";
    repo.write(odd, format!("t = \"{}\"\n", t[0]));
    repo.write("other/ok.py", format!("t = \"{}\"\n", t[1]));
    repo.git(&["add", "."]);
    let (report, _) = repo.scan(&["--staged"]);
    assert_eq!(
        found(&report).into_iter().map(|f| f.0).collect::<Vec<_>>(),
        vec![odd.to_owned(), "other/ok.py".to_owned()]
    );
    // Paths limit a git mode, literally (no globbing), relative to the current folder.
    let (report, _) = repo.scan(&["--staged", "other"]);
    assert_eq!(found(&report).len(), 1);
    let (report, _) = repo.scan(&["--staged", "dir with space/*"]);
    assert_eq!(found(&report).len(), 0);
    let c = repo.commit("odd");
    let mut cmd = hfaudit_in(&repo.path().join("other"));
    cmd.args([
        "scan",
        "--history",
        "--format",
        "json",
        "--",
        "../dir with space",
    ]);
    let report: Value = serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
    assert_eq!(found(&report), vec![(odd.to_owned(), Some(1), Some(c))]);
}

#[test]
fn history_of_a_bare_mirror() {
    let t = fake_tokens(514, 1);
    let mut repo = Repo::new();
    let added = repo.commit_file("a.py", format!("t = \"{}\"\n", t[0]), "add");
    repo.commit_file("a.py", "t = None\n", "remove");
    let mirror = tempfile::tempdir().unwrap();
    let dest = mirror.path().join("m.git");
    repo.git(&["clone", "-q", "--mirror", ".", dest.to_str().unwrap()]);
    let out = hfaudit_in(&dest)
        .args(["scan", "--history", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found(&report), vec![("a.py".into(), Some(1), Some(added))]);
    // Nothing is staged in a repository without a working tree: a clear error.
    let out = hfaudit_in(&dest)
        .args(["scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bare repository"), "{}", stderr(&out));
}

/// The hook file `install-hook` wrote, whose commands run the hfaudit under test.
fn hook_path(repo: &Repo, hooks: &str) -> PathBuf {
    repo.path().join(hooks).join("pre-commit")
}

#[test]
fn installed_hook_blocks_a_commit_that_adds_a_token() {
    let t = fake_tokens(512, 1);
    let mut repo = Repo::new();
    repo.commit_file("app.py", "print('hi')\n", "init");
    let out = repo.hfaudit(&["install-hook"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hook = hook_path(&repo, ".git/hooks");
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.contains("scan --staged"), "{script}");

    repo.write("app.py", format!("print('hi')\nlogin(\"{}\")\n", t[0]));
    repo.add("app.py");
    let out = repo.git_output(&["commit", "-m", "leak"]);
    assert!(!out.status.success(), "the hook let a token through");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(said.contains("HF001"), "{said}");
    common::assert_no_token(&said, &t, "hook output");
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "1");

    // A clean commit goes through, including `commit -a` (git's temporary index).
    repo.write("app.py", "print('hi')\nlogin()\n");
    let out = repo.git_output(&["commit", "-a", "-m", "clean"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "2");
    repo.write("app.py", format!("print('hi')\nlogin(\"{}\")\n", t[0]));
    let out = repo.git_output(&["commit", "-a", "-m", "leak again"]);
    assert!(!out.status.success(), "commit -a let a token through");
}

#[test]
fn install_hook_honours_hooks_path_and_refuses_to_overwrite() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", "my hooks"]);
    let out = repo.hfaudit(&["install-hook"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hook = hook_path(&repo, "my hooks");
    assert!(hook.is_file());
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "the hook is executable");
    }

    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let out = repo.hfaudit(&["install-hook"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    let out = repo.hfaudit(&["install-hook", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&hook).unwrap().contains("hfaudit"));
}

/// A `core.hooksPath` outside the repository (a folder shared by every repository that names
/// it): refused without `--force`, and with it written with a warning.
#[test]
fn install_hook_asks_for_force_outside_the_repository() {
    let repo = Repo::new();
    let shared = tempfile::tempdir().unwrap();
    let hooks = shared.path().join("global-hooks");
    repo.git(&["config", "core.hooksPath", hooks.to_str().unwrap()]);
    let out = repo.hfaudit(&["install-hook"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("outside this repository"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(
        !hooks.join("pre-commit").exists(),
        "written without --force"
    );
    let out = repo.hfaudit(&["install-hook", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning:"), "{}", stderr(&out));
    assert!(hooks.join("pre-commit").is_file());
    // Inside the repository (relative or absolute), no question is asked.
    let inside = repo.path().join(".githooks");
    repo.git(&["config", "core.hooksPath", inside.to_str().unwrap()]);
    let out = repo.hfaudit(&["install-hook"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning:"), "{}", stderr(&out));
}

#[test]
fn pre_commit_framework_manifest() {
    let text = std::fs::read_to_string(common::repo_root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml at the repository root");
    for needle in ["- id: hfaudit", "entry: hfaudit scan", "language: rust"] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    // The framework passes the staged files' names: the tree scanner takes file paths.
    let t = fake_tokens(513, 1);
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "a b.py", format!("t = \"{}\"\n", t[0]));
    common::write(dir.path(), "clean.py", "x = 1\n");
    let out = common::hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "a b.py", "clean.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found(&report), vec![("a b.py".into(), Some(1), None)]);
}

#[test]
fn git_modes_infer_need_from_the_files_that_read_the_variable() {
    let t = fake_tokens(560, 1);
    let mut repo = Repo::new();
    repo.commit_file(
        "download.py",
        "import os\nfrom huggingface_hub import hf_hub_download\nhf_hub_download('acme/m', 'config.json', token=os.environ['HF_TOKEN'])\n",
        "reader",
    );
    repo.write(".env", format!("HF_TOKEN={}\n", t[0]));
    repo.add(".env");
    let need = |report: &Value| report["findings"][0]["context"]["need"].clone();
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(need(&report), "read", "{report:#}");
    repo.commit("leak");
    let (report, _) = repo.scan(&["--history"]);
    assert_eq!(need(&report), "read");
}

#[test]
fn the_users_git_config_does_not_change_what_is_found() {
    let t = fake_tokens(561, 2);
    let mut repo = Repo::new();
    // A token in the root commit, and one in a file outside the folder we run from.
    let root = repo.commit_file("app.py", format!("login(token=\"{}\")\n", t[0]), "root");
    repo.commit_file("sub/x.py", "x = 1\n", "sub");
    repo.commit_file("other/y.py", format!("T = \"{}\"\n", t[1]), "other");
    repo.git(&["config", "log.showRoot", "false"]);
    repo.git(&["config", "diff.relative", "true"]);
    let out = hfaudit_in(&repo.path().join("sub"))
        .args(["scan", "--history", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = found(&report);
    assert!(
        got.contains(&("app.py".into(), Some(1), Some(root))),
        "{got:?}"
    );
    assert!(got.iter().any(|(p, _, _)| p == "other/y.py"), "{got:?}");
}

/// A scratch repository whose own config names a program: the marker script, which records
/// that it ran. Built the same way for every setting; partial clones get a promisor remote.
struct Hostile {
    repo: Repo,
    /// Keeps the marker script and hooks alive.
    _home: tempfile::TempDir,
    marker: PathBuf,
    /// Tokens: [0] committed in the last commit, [1] staged.
    tokens: Vec<String>,
    /// A blob the partial clone lacks (the first version of notes.txt).
    missing: Option<String>,
}

/// How a setting reaches git: plain config, config plus a diff/filter attribute, or config of
/// a partial clone whose promisor remote has this URL (a missing object would be fetched).
#[derive(Clone, Copy)]
enum Via {
    Config,
    Attributes,
    Promisor(&'static str),
}

/// Answers every HTTP request with 401, so git asks for credentials. Returns its port.
fn unauthorized_server() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\
                  Content-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    port
}

impl Hostile {
    /// `settings` go into the repository's `.git/config`; `MARK` in a value is the marker
    /// script, `HOOKS` a folder of hooks that all run it, `PORT` the 401 server's port.
    fn new(seed: u64, via: Via, settings: &[(&str, &str)]) -> Hostile {
        let home = tempfile::tempdir().unwrap();
        let mark = home.path().join("mark");
        let marker = home.path().join("MARKER");
        std::fs::write(
            &mark,
            format!(
                "#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n",
                marker.display()
            ),
        )
        .unwrap();
        let hooks = home.path().join("hooks");
        std::fs::create_dir(&hooks).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let exec = std::fs::Permissions::from_mode(0o755);
            std::fs::set_permissions(&mark, exec.clone()).unwrap();
            // Every hook git has, but pre-commit (install-hook writes that one).
            for name in [
                "post-index-change",
                "reference-transaction",
                "post-checkout",
                "post-commit",
                "post-merge",
                "post-rewrite",
                "pre-auto-gc",
                "fsmonitor-watchman",
                "push-to-checkout",
                "sendemail-validate",
            ] {
                std::fs::copy(&mark, hooks.join(name)).unwrap();
                std::fs::set_permissions(hooks.join(name), exec.clone()).unwrap();
            }
        }
        let tokens = fake_tokens(seed, 2);
        let mut source = Repo::new();
        source.commit_file("notes.txt", "v1\n", "one");
        source.write("notes.txt", "v2\n");
        source.add("notes.txt");
        source.commit_file("deploy.env", format!("HF_TOKEN={}\n", tokens[0]), "two");
        let (repo, missing) = match via {
            Via::Promisor(_) => {
                source.git(&["config", "uploadpack.allowFilter", "true"]);
                let clone = Repo {
                    dir: tempfile::tempdir().unwrap(),
                    commits: source.commits,
                };
                let url = format!("file://{}", source.path().display());
                let dest = clone.path().to_str().unwrap().to_owned();
                source.git(&["clone", "-q", "--filter=blob:none", &url, &dest]);
                let missing = clone.git(&["rev-parse", "HEAD~1:notes.txt"]);
                // The clone has the checkout's blobs, not the older one.
                let out = clone.git(&["rev-list", "--objects", "--missing=print", "--all"]);
                assert!(out.contains(&format!("?{missing}")), "{out}");
                (clone, Some(missing))
            }
            _ => (source, None),
        };
        repo.write(".env", format!("HF_TOKEN={}\n", tokens[1]));
        repo.add(".env");
        let needs_server = matches!(via, Via::Promisor(url) if url.contains("PORT"));
        let port = if needs_server {
            unauthorized_server().to_string()
        } else {
            String::new()
        };
        let fill = |v: &str| {
            v.replace("MARK", mark.to_str().unwrap())
                .replace("HOOKS", hooks.to_str().unwrap())
                .replace("PORT", &port)
        };
        if let Via::Promisor(url) = via {
            repo.git(&["config", "remote.origin.url", &fill(url)]);
        }
        if let Via::Attributes = via {
            repo.write(".git/info/attributes", "* filter=evil diff=evil\n");
        }
        for (key, value) in settings {
            repo.git(&["config", key, &fill(value)]);
        }
        Hostile {
            repo,
            _home: home,
            marker,
            tokens,
            missing,
        }
    }

    fn ran(&self) -> Option<String> {
        std::fs::read_to_string(&self.marker).ok()
    }
}

/// A setting to try: what it is, how it reaches git, the config, and a plain git command that
/// runs the program (to show the setting is live).
type Case<'a> = (
    &'a str,
    Via,
    &'a [(&'a str, &'a str)],
    Option<&'a [&'a str]>,
);

/// Gives HEAD a (fake) PGP signature, so `git log` with log.showSignature runs gpg.program.
fn sign_head(repo: &Repo) {
    let text = repo.git(&["cat-file", "commit", "HEAD"]);
    let (headers, message) = text.split_once("\n\n").unwrap();
    let signed = format!(
        "{headers}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\n{message}\n"
    );
    let path = repo.path().join(".git/signed-commit");
    std::fs::write(&path, signed).unwrap();
    let id = repo.git(&["hash-object", "-t", "commit", "-w", path.to_str().unwrap()]);
    repo.git(&["update-ref", "HEAD", &id]);
}

/// Every git mode, and install-hook, in a repository whose config names a program for git to
/// run: the program never runs, and the scan still finds what it should. Where plain git can
/// be made to run it, the test shows it does (so the setting is live, and the test not
/// vacuous).
#[test]
fn no_program_named_by_the_scanned_repository_runs() {
    let cases: &[Case] = &[
        (
            "core.fsmonitor",
            Via::Config,
            &[("core.fsmonitor", "MARK")],
            Some(&["status"]),
        ),
        (
            "core.hooksPath",
            Via::Config,
            &[("core.hooksPath", "HOOKS")],
            Some(&["commit", "-q", "--allow-empty", "-m", "x"]),
        ),
        (
            "filter clean/smudge",
            Via::Attributes,
            &[
                ("filter.evil.clean", "MARK"),
                ("filter.evil.smudge", "MARK"),
            ],
            Some(&["diff"]),
        ),
        (
            "filter process",
            Via::Attributes,
            &[("filter.evil.process", "MARK")],
            Some(&["diff"]),
        ),
        (
            "diff textconv",
            Via::Attributes,
            &[("diff.evil.textconv", "MARK")],
            Some(&["diff"]),
        ),
        (
            "diff driver command",
            Via::Attributes,
            &[("diff.evil.command", "MARK")],
            Some(&["diff"]),
        ),
        (
            "diff.external",
            Via::Config,
            &[("diff.external", "MARK")],
            Some(&["diff"]),
        ),
        (
            // Pagers run only on a terminal: no plain-git check here.
            "core.pager, pager.<cmd>",
            Via::Config,
            &[
                ("core.pager", "MARK"),
                ("pager.log", "MARK"),
                ("pager.diff-index", "MARK"),
                ("pager.cat-file", "MARK"),
            ],
            None,
        ),
        (
            "gpg.program",
            Via::Config,
            &[("log.showSignature", "true"), ("gpg.program", "MARK")],
            Some(&["log", "-1"]),
        ),
        (
            "ext:: promisor remote",
            Via::Promisor("ext::MARK"),
            &[
                ("protocol.ext.allow", "always"),
                ("protocol.allow", "always"),
            ],
            Some(&["cat-file", "-p", "MISSING"]),
        ),
        (
            // packObjectsHook is ignored in a repository's own config by git itself.
            "remote.<name>.uploadpack",
            Via::Promisor("file:///nonexistent/source"),
            &[
                ("remote.origin.uploadpack", "MARK"),
                ("uploadpack.packObjectsHook", "MARK"),
            ],
            Some(&["cat-file", "-p", "MISSING"]),
        ),
        (
            "core.sshCommand",
            Via::Promisor("ssh://example.invalid/repo.git"),
            &[("core.sshCommand", "MARK")],
            Some(&["cat-file", "-p", "MISSING"]),
        ),
        (
            "core.gitProxy",
            Via::Promisor("git://example.invalid/repo.git"),
            &[("core.gitProxy", "MARK")],
            Some(&["cat-file", "-p", "MISSING"]),
        ),
        (
            "credential.helper",
            Via::Promisor("http://127.0.0.1:PORT/repo.git"),
            &[("credential.helper", "MARK")],
            Some(&["cat-file", "-p", "MISSING"]),
        ),
        (
            "core.askPass",
            Via::Promisor("http://127.0.0.1:PORT/repo.git"),
            &[("core.askPass", "MARK")],
            Some(&["cat-file", "-p", "MISSING"]),
        ),
    ];
    // Every case runs; the failures are listed together.
    let mut failures = Vec::new();
    let mut check = |ok: bool, what: &str, detail: String| {
        if !ok {
            failures.push(format!("{what}: {detail}"));
        }
    };
    for (i, (what, via, settings, live)) in cases.iter().enumerate() {
        let h = Hostile::new(600 + i as u64, *via, settings);
        if *what == "gpg.program" {
            sign_head(&h.repo);
        }
        let partial = h.missing.is_some();
        let modes: [(&[&str], &String); 4] = [
            (&["--staged"], &h.tokens[1]),
            (&["--since", "HEAD~1"], &h.tokens[0]),
            (&["--range", "HEAD~1..HEAD"], &h.tokens[0]),
            (&["--history"], &h.tokens[0]),
        ];
        for (mode, token) in modes {
            let mut args = vec!["scan", "--format", "json", "--no-progress"];
            args.extend_from_slice(mode);
            let out = h.repo.hfaudit(&args);
            let code = out.status.code().unwrap_or(-1);
            let report: Value =
                serde_json::from_slice(&out.stdout).unwrap_or_else(|_| Value::from(stderr(&out)));
            check(
                h.ran().is_none(),
                what,
                format!("{mode:?} ran the repository's program"),
            );
            check(
                report["findings"].is_array()
                    && fingerprints(&report).contains(&fingerprint_of(token)),
                what,
                format!("{mode:?} missed the token: {report:#}"),
            );
            // A partial clone lacks the older notes.txt: an error, never a fetch.
            let expected = if partial && mode[0] != "--staged" {
                2
            } else {
                1
            };
            check(
                code == expected,
                what,
                format!("{mode:?} exit {code}: {report:#}"),
            );
            let _ = std::fs::remove_file(&h.marker);
        }
        // `--force`: a hooks folder outside the repository is written only when asked.
        let out = h.repo.hfaudit(&["install-hook", "--force"]);
        check(
            out.status.code() == Some(0),
            what,
            format!("install-hook: {}", stderr(&out)),
        );
        check(
            h.ran().is_none(),
            what,
            "install-hook ran the repository's program".to_owned(),
        );
        let _ = std::fs::remove_file(&h.marker);
        if let Some(missing) = &h.missing {
            let out = h.repo.git_output(&["cat-file", "-e", missing]);
            check(
                !out.status.success(),
                what,
                "the missing blob was fetched".to_owned(),
            );
        }

        // Plain git does run it.
        if let Some(live) = live {
            h.repo.write("notes.txt", "changed in the work tree\n");
            let missing = h.missing.clone().unwrap_or_default();
            let args: Vec<&str> = live
                .iter()
                .map(|a| if *a == "MISSING" { missing.as_str() } else { a })
                .collect();
            let _ = h.repo.git_output(&args);
            check(
                h.ran().is_some(),
                what,
                format!("`git {args:?}` did not run it: the case is vacuous"),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Deletes a loose object, as a damaged (or hand-trimmed) repository lacks it.
fn delete_object(repo: &Repo, oid: &str) {
    let path = repo
        .path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..]);
    std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn a_missing_object_is_an_error_for_that_object_not_the_end_of_the_run() {
    let t = fake_tokens(520, 2);
    let mut repo = Repo::new();
    let first = repo.commit_file("a.py", "x = 1\n", "one");
    repo.commit_file("a.py", "x = 2\n", "two");
    let leak = repo.commit_file("b.py", format!("t = \"{}\"\n", t[0]), "leak");
    delete_object(&repo, &repo.git(&["rev-parse", "HEAD~2:a.py"]));

    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(found(&report), vec![("b.py".into(), Some(1), Some(leak))]);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["path"], "a.py");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("missing"), "{message}");
    assert!(message.contains(&first), "names the commit: {message}");

    // Rename detection needs the blobs of a changed, renamed file: git stops on a missing
    // one. The scan goes on with exact renames, says so, and reports the object.
    let mut repo = Repo::new();
    repo.commit_file("c.py", "a = 1\nb = 2\nc = 3\nd = 4\n", "one");
    repo.git(&["mv", "c.py", "d.py"]);
    repo.write("d.py", "a = 1\nb = 2\nc = 3\nd = 5\n");
    repo.add("d.py");
    repo.commit("rename");
    let leak = repo.commit_file("e.py", format!("t = \"{}\"\n", t[1]), "leak");
    delete_object(&repo, &repo.git(&["rev-parse", "HEAD~2:c.py"]));
    let out = repo.hfaudit(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found(&report), vec![("e.py".into(), Some(1), Some(leak))]);
    assert_eq!(report["errors"][0]["path"], "c.py", "{report:#}");
    assert!(
        stderr(&out).contains("note: git could not read a file version"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn history_in_a_shallow_clone_says_it_is_cut_off() {
    let t = fake_tokens(521, 1);
    let mut source = Repo::new();
    source.commit_file("a.py", format!("t = \"{}\"\n", t[0]), "leak");
    source.commit_file("b.py", "x = 1\n", "two");
    let head = source.commit_file("c.py", "y = 1\n", "three");
    let clone = Repo {
        dir: tempfile::tempdir().unwrap(),
        commits: source.commits,
    };
    let url = format!("file://{}", source.path().display());
    source.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        clone.path().to_str().unwrap(),
    ]);

    // The token's commit is beyond the cut-off: the oldest commit there is takes the blame.
    let out = clone.hfaudit(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found(&report), vec![("a.py".into(), Some(1), Some(head))]);
    assert!(
        stderr(&out).contains("note: this is a shallow clone"),
        "{}",
        stderr(&out)
    );
    let human = clone.hfaudit(&["scan", "--history", "--color", "never"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("note: this is a shallow clone"), "{text}");
    // Nothing to say for the index, for a range that stays clear of the cut-off, nor for a
    // full clone.
    source.commit_file("d.py", "z = 1\n", "four");
    clone.git(&["pull", "-q", "--ff-only"]);
    let range = clone.hfaudit(&["scan", "--since", "HEAD~1", "--color", "never"]);
    let text = String::from_utf8_lossy(&range.stdout);
    assert!(
        text.contains("no findings") && !text.contains("shallow"),
        "{text}"
    );
    let range = clone.hfaudit(&["scan", "--since", "HEAD~1", "--format", "json"]);
    assert!(!stderr(&range).contains("shallow"), "{}", stderr(&range));
    let staged = clone.hfaudit(&["scan", "--staged", "--color", "never"]);
    assert!(!String::from_utf8_lossy(&staged.stdout).contains("shallow"));
    let full = source.hfaudit(&["scan", "--history", "--color", "never"]);
    assert!(!String::from_utf8_lossy(&full.stdout).contains("shallow"));
}

/// `install-hook` (and `uninstall-hook`) in `repo`, with what it printed.
fn hook_cmd(repo: &Repo, args: &[&str]) -> (Option<i32>, String) {
    let out = repo.hfaudit(args);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    (out.status.code(), said)
}

#[test]
fn install_hook_twice_is_a_no_op_and_uninstall_removes_only_ours() {
    let repo = Repo::new();
    let hook = hook_path(&repo, ".git/hooks");
    let (code, said) = hook_cmd(&repo, &["uninstall-hook"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("nothing to remove"), "{said}");

    let (code, said) = hook_cmd(&repo, &["install-hook"]);
    assert_eq!(code, Some(0), "{said}");
    let script = std::fs::read_to_string(&hook).unwrap();
    let (code, said) = hook_cmd(&repo, &["install-hook"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("already"), "{said}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), script);
    // Ours, for another binary (an older install): rewritten without --force.
    std::fs::write(&hook, script.replace("exec ", "exec  ")).unwrap();
    let (code, said) = hook_cmd(&repo, &["install-hook"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("updated"), "{said}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), script);

    let (code, said) = hook_cmd(&repo, &["uninstall-hook"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(hook.symlink_metadata().is_err(), "the hook is gone");

    // Someone else's hook stays, whatever is asked.
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let (code, said) = hook_cmd(&repo, &["uninstall-hook"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("not written by hfaudit"), "{said}");
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
}

#[test]
fn install_hook_force_keeps_a_backup_and_uninstall_restores_it() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    let hook = hooks.join("pre-commit");
    let backup = hooks.join("pre-commit.hfaudit-backup");
    let theirs = "#!/bin/sh\necho mine\n";
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(&hook, theirs).unwrap();

    let (code, said) = hook_cmd(&repo, &["install-hook", "--force"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("pre-commit.hfaudit-backup"), "{said}");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), theirs);
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("scan --staged"));
    // Again: ours is there, the backup is kept as it is.
    let (code, said) = hook_cmd(&repo, &["install-hook", "--force"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("already"), "{said}");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), theirs);

    let (code, said) = hook_cmd(&repo, &["uninstall-hook"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), theirs);
    assert!(backup.symlink_metadata().is_err(), "the backup went back");

    // A backup already there is never overwritten.
    std::fs::write(&backup, "#!/bin/sh\necho older\n").unwrap();
    let (code, said) = hook_cmd(&repo, &["install-hook", "--force"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("already exists"), "{said}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), theirs);
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        "#!/bin/sh\necho older\n"
    );
}

#[cfg(unix)]
#[test]
fn install_hook_force_replaces_a_symlinked_hook_never_its_target() {
    let repo = Repo::new();
    let shared = tempfile::tempdir().unwrap();
    let target = shared.path().join("team-hook.sh");
    let theirs = "#!/bin/sh\necho team\n";
    std::fs::write(&target, theirs).unwrap();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("pre-commit");
    std::os::unix::fs::symlink(&target, &hook).unwrap();

    let (code, said) = hook_cmd(&repo, &["install-hook"]);
    assert_eq!(code, Some(2), "{said}");
    let (code, said) = hook_cmd(&repo, &["install-hook", "--force"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), theirs);
    assert!(hook.symlink_metadata().unwrap().file_type().is_file());
    let backup = hooks.join("pre-commit.hfaudit-backup");
    assert_eq!(std::fs::read_link(&backup).unwrap(), target);

    // A link to our own script is not ours to remove either: only the file we wrote.
    let (code, said) = hook_cmd(&repo, &["uninstall-hook"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(std::fs::read_link(&hook).unwrap(), target);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), theirs);
    let (code, said) = hook_cmd(&repo, &["uninstall-hook"]);
    assert_eq!(code, Some(2), "{said}");
    assert_eq!(std::fs::read_link(&hook).unwrap(), target);
}

#[test]
fn history_reads_what_commits_hold_not_their_replacements() {
    let t = fake_tokens(522, 1);
    let mut repo = Repo::new();
    let leak = repo.commit_file("a.py", format!("t = \"{}\"\n", t[0]), "leak");
    // `git replace` makes git show a clean file in place of the leaking one, everywhere.
    let leaking = repo.git(&["rev-parse", "HEAD:a.py"]);
    repo.write("clean.txt", "t = None\n");
    let clean = repo.git(&["hash-object", "-w", "clean.txt"]);
    std::fs::remove_file(repo.path().join("clean.txt")).unwrap();
    repo.git(&["replace", &leaking, &clean]);
    assert_eq!(repo.git(&["show", "HEAD:a.py"]), "t = None");

    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(found(&report), vec![("a.py".into(), Some(1), Some(leak))]);
}
