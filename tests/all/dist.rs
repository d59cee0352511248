//! What ships beside the binary: shell completions, man pages, and the Markdown job summary the
//! GitHub Action writes. The wheel, pre-commit hooks and workflows are checked by
//! `scripts/check-dist.sh` (it needs pip and a release build).

use std::io::Write;
use std::process::{Command, Stdio};

use predicates::prelude::*;

use crate::common::{assert_no_token, fake_tokens, fixture, hfaudit, tokens_in_tree, write};

fn stdout_of(args: &[&str]) -> String {
    let out = hfaudit().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `program args` with `input` on stdin; its output, failing the test if it fails.
fn pipe(program: &str, args: &[&str], input: &str) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?} failed: {text}");
    text
}

#[test]
fn bash_completion_is_valid_bash_and_knows_the_flags() {
    let script = stdout_of(&["completions", "bash"]);
    // `bash -n` parses without running: a syntax error fails here.
    pipe("bash", &["-n"], &script);
    for word in [
        "scan",
        "--staged",
        "--fail-on",
        "install-hook",
        "completions",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
    // Sourced in a real shell, it registers a completion for hfaudit.
    let registered = pipe(
        "bash",
        &["-c", "source /dev/stdin; complete -p hfaudit"],
        &script,
    );
    assert!(registered.contains("hfaudit"), "{registered}");
}

#[test]
fn other_shells_get_their_own_script() {
    let zsh = stdout_of(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef hfaudit"), "{}", &zsh[..40]);
    let fish = stdout_of(&["completions", "fish"]);
    assert!(fish.lines().any(|l| l.starts_with("complete -c hfaudit")));
    let ps = stdout_of(&["completions", "powershell"]);
    assert!(ps.contains("Register-ArgumentCompleter") && ps.contains("'hfaudit'"));
}

#[test]
fn unknown_shell_is_a_usage_error() {
    hfaudit()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"))
        .stderr(predicate::str::contains("bash"));
}

#[test]
fn man_page_is_roff_that_groff_accepts() {
    let page = stdout_of(&["man"]);
    let title = page.lines().find(|l| l.starts_with(".TH")).unwrap();
    assert!(
        title.starts_with(&format!(
            ".TH hfaudit 1  \"hfaudit {}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{title}"
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "man page lacks {section}");
    }
    // -ww: every warning; -z: no output. groff prints nothing for a well-formed page.
    let warnings = pipe("groff", &["-man", "-Tutf8", "-ww", "-z"], &page);
    assert_eq!(warnings, "", "groff warns about the man page");
    let text = pipe("groff", &["-man", "-Tutf8"], &page);
    assert!(text.contains("hfaudit"), "{text}");
}

#[test]
fn man_page_of_a_command_lists_its_flags() {
    let page = stdout_of(&["man", "scan"]);
    assert!(page.contains(".TH hfaudit\\-scan 1") || page.contains(".TH hfaudit-scan 1"));
    assert!(page.contains("staged") && page.contains("fail\\-on"));
    hfaudit()
        .args(["man", "frobnicate"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no command \"frobnicate\""));
}

/// `hfaudit scan --format markdown` on a copy of the basic fixture.
fn markdown_of(dir: &std::path::Path) -> (Option<i32>, String) {
    let out = hfaudit()
        .current_dir(dir)
        .args(["scan", "--format", "markdown"])
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn markdown_summary_of_the_basic_fixture() {
    let dir = fixture("basic");
    let (code, text) = markdown_of(dir.path());
    assert_eq!(code, Some(1), "findings still decide the exit code");
    assert_no_token(&text, &tokens_in_tree(dir.path()), "markdown");
    // Every table row has the header's five cells: nothing broke out of the table.
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
    let count: usize = text
        .strip_prefix("### hfaudit: ")
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the heading counts the findings");
    assert!(count >= 10, "{text}");
    assert_eq!(
        rows.len(),
        2 + count,
        "a row per finding under the header: {text}"
    );
    assert!(rows.iter().all(|r| r.matches(" | ").count() == 4), "{text}");
    insta::assert_snapshot!("basic_markdown", text);
}

#[test]
fn markdown_summary_when_clean() {
    let dir = fixture("clean");
    let (code, text) = markdown_of(dir.path());
    assert_eq!(code, Some(0));
    assert!(
        text.starts_with("### hfaudit: no Hugging Face token found\n"),
        "{text}"
    );
}

#[test]
fn markdown_escapes_what_the_repository_chose() {
    let dir = tempfile::tempdir().unwrap();
    let token = &fake_tokens(12, 1)[0];
    // A file name is the committer's choice: it must not add a column, a link or HTML.
    let name = "x|y <b>[a](b) `c`.py";
    write(dir.path(), name, format!("TOKEN = \"{token}\"\n"));
    let (code, text) = markdown_of(dir.path());
    assert_eq!(code, Some(1));
    let row = text
        .lines()
        .find(|l| l.starts_with("| error"))
        .expect("a row");
    assert_eq!(row.matches(" | ").count(), 4, "{row}");
    assert!(
        row.contains("x\\|y &lt;b&gt;\\[a\\](b) \\`c\\`.py:1:10"),
        "{row}"
    );
    assert_no_token(&text, std::slice::from_ref(token), "markdown");
}
