//! Scans of real (scratch) repositories with lowered read limits: the paths a big repository
//! takes, on small blobs.

use super::*;
use std::process::Command;

/// Runs git in `dir`, isolated from the machine's config; panics when it fails.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A fake token (built here, never stored): `hf_` and 34 letters and digits.
fn token(i: usize) -> String {
    format!("hf_{i:0>4}aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bCd")
}

/// A text that puts tokens before, across and after many 4 KB chunk boundaries, on long
/// lines and after multi-byte characters (as the tree scan's streaming test does).
fn big_text(first: usize) -> String {
    let mut text = String::new();
    let mut i = first;
    while text.len() < 40 << 10 {
        text.push_str(&"é".repeat(i % 7));
        text.push_str(&"z".repeat((i * 37) % 211));
        text.push(' ');
        text.push_str(&token(i));
        text.push_str(if i.is_multiple_of(5) { "\n" } else { " " });
        i += 1;
    }
    text
}

type Key = (String, Option<u64>, Option<u64>, u64, Fingerprint);

fn keys(out: &ScanOutput) -> Vec<Key> {
    out.occurrences
        .iter()
        .map(|o| {
            (
                o.path.clone(),
                o.line,
                o.column,
                o.offset,
                o.secret.fingerprint(),
            )
        })
        .collect()
}

fn run(dir: &Path, engine: &Engine, mode: Mode, limits: Limits) -> ScanOutput {
    let opts = Options {
        mode,
        pathspecs: Vec::new(),
        max_filesize: None,
        threads: 2,
    };
    scan_in(
        dir,
        &opts,
        engine,
        &Progress::default(),
        limits,
        &local_origin,
    )
    .unwrap()
}

/// Blobs over the streaming threshold come out exactly as whole reads give them (lines,
/// columns, offsets, commits), in every mode; a budget smaller than one blob still lets
/// every blob through, one at a time.
#[test]
fn streamed_blobs_match_whole_reads() {
    let engine = Engine::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let big = big_text(0);
    std::fs::write(root.join("big.log"), &big).unwrap();
    for n in 0..6 {
        let small = format!("x = {n}\nt = \"{}\"\n", token(9000 + n));
        std::fs::write(root.join(format!("small{n}.py")), small).unwrap();
    }
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "one"]);
    let mut grown = big.clone();
    grown.push_str(&big_text(5000));
    std::fs::write(root.join("big.log"), &grown).unwrap();
    git(root, &["add", "big.log"]);

    let streaming = Limits {
        stream_over: 16 << 10,
        chunk: 4096,
        budget: 1,
    };
    let whole = Limits::default();
    for mode in [Mode::Staged, Mode::History] {
        let a = run(root, &engine, mode.clone(), whole);
        let b = run(root, &engine, mode.clone(), streaming);
        assert!(
            a.occurrences.len() > 20,
            "{mode:?}: {}",
            a.occurrences.len()
        );
        assert_eq!(keys(&a), keys(&b), "{mode:?}");
        assert_eq!(
            (a.files_scanned, a.bytes_scanned, a.errors.len()),
            (b.files_scanned, b.bytes_scanned, b.errors.len()),
            "{mode:?}"
        );
    }
    // The staged change reports only what it adds, at the lines of the staged file.
    let staged = run(root, &engine, Mode::Staged, streaming);
    let mut added = engine
        .inspector()
        .inspect(local_origin("big.log", None), grown.as_bytes())
        .own
        .unwrap()
        .occurrences;
    added.retain(|o| o.offset >= big.len() as u64);
    let want: Vec<(Option<u64>, u64)> = added.iter().map(|o| (o.line, o.offset)).collect();
    let got: Vec<(Option<u64>, u64)> = staged
        .occurrences
        .iter()
        .map(|o| (o.line, o.offset))
        .collect();
    assert_eq!(got, want);
    assert!(got.iter().all(|(line, _)| line.unwrap() > 1));
}
