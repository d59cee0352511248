//! The layers of the pipeline, held: a module may use only modules below it, so import circles
//! cannot come back. The list is the pipeline's picture, bottom first; `src/lib.rs` documents
//! the same. A new module must be placed in it (the test fails until it is).

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::repo_root;

/// Bottom first. Each module may use the ones before it, never one after it.
const LAYERS: &[&str] = &[
    // Plain data and the one text exit.
    "secret", "repo", "output", "files", "scratch", "allow", "access", "rules", "config",
    // Pure functions over bytes: context, detection, the practice habits.
    "context", "detect", "practice",
    // What flows between stages, and where bytes came from.
    "model", "origin", "state",
    // One blob: snippets, decompression in front of the matcher, the inspector.
    "snippet", "archive", "inspect",
    // The one HTTP client, and what the Hub says of a token.
    "http", "verify", // Judging, and the compiled parts of a run.
    "judge", "engine", "plan", // The one fold, then what consumes findings.
    "fold", "whoami", "report", "suppress", "revoke",
    // Sources: they enumerate blobs and hand them to the inspector and the fold.
    "git", "hub", "source", // The pipeline, and the edge.
    "pipeline", "merge", "dist", "cli", // The fuzz targets' way in to private readers.
    "fuzzing",
];

/// The crate module a source file belongs to (`src/git/blobs.rs` → `git`).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// The `crate::x` modules a file's non-test code names.
fn uses(text: &str) -> Vec<String> {
    let code = text.split("\n#[cfg(test)]").next().unwrap_or(text);
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
        rest = after;
    }
    // `use crate::{a, b}` lists several at once.
    for group in code.split("use crate::{").skip(1) {
        let inner = group.split('}').next().unwrap_or_default();
        for part in inner.split(',') {
            let name: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() && !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_above_it() {
    let src = repo_root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_path_buf();
        let Some(module) = module_of(&rel) else {
            continue;
        };
        let Some(&mine) = rank.get(module.as_str()) else {
            problems.push(format!(
                "{}: module `{module}` is not in LAYERS",
                rel.display()
            ));
            continue;
        };
        seen += 1;
        let text = std::fs::read_to_string(&file).unwrap();
        for used in uses(&text) {
            if used == module {
                continue;
            }
            match rank.get(used.as_str()) {
                Some(&theirs) if theirs < mine => {}
                Some(_) => problems.push(format!(
                    "{}: `{module}` uses `{used}`, which is not below it",
                    rel.display()
                )),
                None => problems.push(format!(
                    "{}: uses `crate::{used}`, which is not in LAYERS",
                    rel.display()
                )),
            }
        }
    }
    assert!(seen > 40, "only {seen} source files read");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `src/lib.rs` lists the same layers, in the same order, for people.
#[test]
fn lib_rs_documents_the_layers() {
    let lib = std::fs::read_to_string(repo_root().join("src/lib.rs")).unwrap();
    let mut at = 0;
    for m in LAYERS {
        let needle = format!("`{m}`");
        let found = lib[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("src/lib.rs does not list `{m}` after the one before it"));
        at += found + needle.len();
    }
}
