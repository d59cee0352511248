//! Habits in git modes (issue 18): `--staged` and `--since`/`--range` judge the practice rules
//! (HF013–HF015) on the lines each change adds, the file as it is after the change giving the
//! context. A line is added when its text (surrounding whitespace aside) is not among the
//! previous version's lines — the parent's file, the file a rename came from, or for a merge
//! each parent's: compared by text, not by position, so a line moved or re-indented adds
//! nothing, and the comparison is linear. When the new version holds a line more often than
//! every old one, its last occurrences are the added ones.
//!
//! Pass one already found each file version's habits, at the path it was listed at first, and
//! kept them, with the version's lines, for the few versions that have any ([`Kept`]). Here the
//! versions a selected change replaced are read again for their lines unless kept too (and its
//! new version when it was listed first at another path), and the habits on added lines go to
//! the fold with the change's commit.
//! `--history` judges no habit (see `docs/modes.md`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, BufReader, Read};

use super::blobs::{read_blobs, Blob, Feeder};
use super::history::Listed;
use super::{Context, GitError, Seen, Verdict};
use crate::fold;
use crate::inspect::{BlobScan, Inspected};
use crate::model::{FileFacts, ScanOutput};
use crate::practice::{self, PracticeHit};

/// A file version's habits as pass one found them at the path it was listed at first, and its
/// line hashes (see [`line_hashes`]): kept for the versions that have any.
pub(super) struct Kept {
    facts: Box<FileFacts>,
    lines: Vec<u64>,
}

/// Takes a version's habits out of what pass one found in `data`, if it has any.
pub(super) fn keep(found: &mut Inspected, data: &[u8]) -> Option<Box<Kept>> {
    let facts = found
        .own
        .as_mut()?
        .facts
        .take_if(|f| !f.practices.is_empty())?;
    Some(Box::new(Kept {
        facts,
        lines: line_hashes(data),
    }))
}

/// The changes to judge: the new version differs from every old one, a file at
/// the change's path can have habits, and the version has some there — known from pass one
/// when it was listed first at a path read the same way, else to be found there again.
/// `first(blob)` gives the path a blob was listed at first and whether it has habits there.
fn select<'a>(listed: &Listed, first: &dyn Fn(u32) -> Option<(&'a str, bool)>) -> Vec<usize> {
    let mut out = Vec::new();
    for (k, change) in listed.changes.iter().enumerate() {
        if change.old.contains(&change.new) {
            continue; // nothing added (a rename without changes)
        }
        let Some((path, habits)) = first(change.new) else {
            continue;
        };
        // Most versions were listed first at their own path: then pass one knows.
        if path == &*change.path {
            if habits {
                out.push(k);
            }
            continue;
        }
        let Some(reading) = practice::reading(&change.path) else {
            continue;
        };
        if habits || practice::reading(path) != Some(reading) {
            out.push(k);
        }
    }
    out
}

/// A line's hash: its text without surrounding whitespace (a `\r` included).
fn line_hash(line: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    line.trim_ascii().hash(&mut h);
    h.finish()
}

/// Each line's hash, by line index (lines as the practice rules count them: split at `\n`).
fn line_hashes(data: &[u8]) -> Vec<u64> {
    data.split(|b| *b == b'\n').map(line_hash).collect()
}

/// [`line_hashes`], sorted, of a version read from a stream (never held whole).
fn stream_hashes(body: &mut dyn Read) -> std::io::Result<Vec<u64>> {
    let mut reader = BufReader::with_capacity(1 << 16, body);
    let mut line = Vec::new();
    let mut out = Vec::new();
    // Whether the text so far ends with `\n`: then an empty line follows (as `split` gives).
    let mut ended = true;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        ended = line.ends_with(b"\n");
        out.push(line_hash(line.strip_suffix(b"\n").unwrap_or(&line)));
    }
    if ended {
        out.push(line_hash(b""));
    }
    out.sort_unstable();
    Ok(out)
}

/// The hits on lines the new version adds. `new` holds the new version's line hashes by line
/// index, `olds` each old version's, sorted.
fn on_added_lines(hits: Vec<PracticeHit>, new: &[u64], olds: &[&[u64]]) -> Vec<PracticeHit> {
    let count = |sorted: &[u64], h: u64| {
        sorted.partition_point(|x| *x <= h) - sorted.partition_point(|x| *x < h)
    };
    // Where each hit line's text is in the new version, found in one pass.
    let mut at: HashMap<u64, Vec<usize>> = hits
        .iter()
        .filter_map(|h| new.get((h.line as usize).checked_sub(1)?))
        .map(|h| (*h, Vec::new()))
        .collect();
    for (i, h) in new.iter().enumerate() {
        if let Some(lines) = at.get_mut(h) {
            lines.push(i);
        }
    }
    hits.into_iter()
        .filter(|hit| {
            let i = (hit.line as usize).saturating_sub(1);
            let Some(h) = new.get(i) else {
                return true; // not a line of the text as split here: kept, to be safe
            };
            let before = olds.iter().map(|o| count(o, *h)).max().unwrap_or(0);
            let lines = &at[h];
            lines[before.min(lines.len())..].contains(&i)
        })
        .collect()
}

/// A new version read again at a change's path: its facts (with the habits found there) and
/// its line hashes; `None` when it has no habit there.
type Reread = Option<(Box<FileFacts>, Vec<u64>)>;

/// What reading a version again gave.
enum Got {
    New(Reread),
    /// An old version's line hashes, sorted.
    Old(Vec<u64>),
}

impl Context<'_> {
    /// Judges the habits each change adds (see the module's documentation) and hands them to
    /// the fold, each under the origin of its change's commit.
    pub(super) fn habits(
        &self,
        listed: &Listed,
        seen: &[Verdict],
        out: &mut ScanOutput,
    ) -> Result<(), GitError> {
        let first = |blob: u32| match &seen[blob as usize] {
            (path, _, Seen::Scanned(_, _, kept)) => Some((&**path, kept.is_some())),
            _ => None,
        };
        let selected = select(listed, &first);
        if selected.is_empty() {
            return Ok(());
        }
        // What pass one kept of a change's new version, when it was listed first at its path.
        let kept = |k: usize| {
            let change = &listed.changes[k];
            match &seen[change.new as usize] {
                (path, _, Seen::Scanned(_, _, Some(kept))) if **path == *change.path => Some(kept),
                _ => None,
            }
        };
        // The lines of a version pass one kept: an old version that has habits too (most often
        // the version just before) needs no second read.
        let kept_lines = |blob: u32| match &seen[blob as usize] {
            (_, _, Seen::Scanned(_, _, Some(kept))) => Some(&kept.lines),
            _ => None,
        };
        // The versions to read again, each once, by its index in the requests: new versions
        // listed first elsewhere (at a change's path), and the versions changes replaced.
        let mut news: HashMap<(u32, &str), usize> = HashMap::new();
        let mut olds: HashMap<u32, usize> = HashMap::new();
        let mut requests: Vec<(u32, Option<&str>)> = Vec::new();
        for &k in &selected {
            let change = &listed.changes[k];
            if kept(k).is_none() {
                news.entry((change.new, &change.path)).or_insert_with(|| {
                    requests.push((change.new, Some(&change.path)));
                    requests.len() - 1
                });
            }
            for &o in change.old.iter().filter(|o| kept_lines(**o).is_none()) {
                olds.entry(o).or_insert_with(|| {
                    requests.push((o, None));
                    requests.len() - 1
                });
            }
        }
        let got = if requests.is_empty() {
            Vec::new()
        } else {
            self.read_again(listed, &requests)?.1
        };
        for &k in &selected {
            let change = &listed.changes[k];
            let (facts, lines) = match kept(k) {
                Some(kept) => (&kept.facts, &kept.lines),
                None => match &got[news[&(change.new, &*change.path)]] {
                    Got::New(Some((facts, lines))) => (facts, lines),
                    _ => continue,
                },
            };
            let before: Vec<Cow<[u64]>> = change
                .old
                .iter()
                .map(|o| match kept_lines(*o) {
                    Some(lines) => {
                        let mut sorted = lines.clone();
                        sorted.sort_unstable();
                        Cow::Owned(sorted)
                    }
                    None => match &got[olds[o]] {
                        Got::Old(hashes) => Cow::Borrowed(hashes.as_slice()),
                        Got::New(_) => Cow::Borrowed(&[][..]),
                    },
                })
                .collect();
            let before: Vec<&[u64]> = before.iter().map(|b| &**b).collect();
            let added = on_added_lines(facts.practices.clone(), lines, &before);
            if added.is_empty() {
                continue;
            }
            let commit = change.commit.map(|c| listed.commits[c as usize].clone());
            let mut facts = facts.clone();
            facts.practices = added;
            fold::add(
                out,
                BlobScan {
                    origin: (self.origin)(&change.path, commit),
                    occurrences: Vec::new(),
                    facts: Some(facts),
                    space: false,
                },
            );
        }
        Ok(())
    }

    /// Reads versions again: a new version (with the path to inspect it at) for its habits
    /// and lines, an old one (`None`) for its lines.
    fn read_again(
        &self,
        listed: &Listed,
        requests: &[(u32, Option<&str>)],
    ) -> Result<((), Vec<Got>), GitError> {
        let inspector = self.engine.inspector();
        read_blobs(
            &self.repo.git,
            1,
            None,
            self.limits,
            |feeder: &mut Feeder<Option<&str>>| {
                for (blob, path) in requests {
                    feeder.request(&listed.oids[*blob as usize].to_hex(), 0, *path)?;
                }
                Ok(())
            },
            |path, blob| match (path, blob) {
                (Some(path), Blob::Data(data)) => {
                    let facts = inspector
                        .inspect((self.origin)(path, None), &data)
                        .own
                        .and_then(|s| s.facts)
                        .filter(|f| !f.practices.is_empty());
                    Got::New(facts.map(|f| (f, line_hashes(&data))))
                }
                // Habits are not looked for in a version too big to read whole.
                (Some(_), _) => Got::New(None),
                (None, Blob::Data(data)) => {
                    let mut hashes = line_hashes(&data);
                    hashes.sort_unstable();
                    Got::Old(hashes)
                }
                // A read error fails the run (the blob reader reports it).
                (None, Blob::Stream(body, _)) => Got::Old(stream_hashes(body).unwrap_or_default()),
                (None, _) => Got::Old(Vec::new()),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::env_names;
    use std::sync::Arc;

    use super::super::history::{Change, Oid};

    fn hits(path: &str, text: &str) -> Vec<PracticeHit> {
        practice::find(
            path,
            crate::context::platform_of(path),
            text.as_bytes(),
            &env_names(&[]),
        )
    }

    fn added(path: &str, new: &str, olds: &[&str]) -> Vec<u64> {
        let olds: Vec<Vec<u64>> = olds
            .iter()
            .map(|o| {
                let mut h = line_hashes(o.as_bytes());
                h.sort_unstable();
                h
            })
            .collect();
        let olds: Vec<&[u64]> = olds.iter().map(Vec::as_slice).collect();
        on_added_lines(hits(path, new), &line_hashes(new.as_bytes()), &olds)
            .iter()
            .map(|h| h.line)
            .collect()
    }

    #[test]
    fn only_habits_on_added_lines_count() {
        let old = "import os\nprint(os.environ['HF_TOKEN'])\n";
        // Already there, edited elsewhere, moved, re-indented: nothing added.
        assert!(added("a.py", old, &[old]).is_empty());
        assert!(added("a.py", &format!("# edited\n{old}x = 1\n"), &[old]).is_empty());
        let moved = "print(os.environ['HF_TOKEN'])\nimport os\n";
        assert!(added("a.py", moved, &[old]).is_empty());
        let indented = "import os\nif True:\n    print(os.environ['HF_TOKEN'])\n";
        assert!(added("a.py", indented, &[old]).is_empty());
        // A new line, a new file, a second copy of a line (the last one counts as added).
        let more = format!("{old}print(os.environ['HF_TOKEN'])\n");
        assert_eq!(added("a.py", &more, &[old]), [3]);
        assert_eq!(added("a.py", old, &[]), [2]);
        let changed = "import os\nprint('t', os.environ['HF_TOKEN'])\n";
        assert_eq!(added("a.py", changed, &[old]), [2]);
        // A merge adds what no parent had.
        let other = "import os\n";
        assert!(added("a.py", old, &[other, old]).is_empty());
        assert_eq!(added("a.py", old, &[other, other]), [2]);
    }

    #[test]
    fn streamed_versions_hash_as_whole_ones() {
        for text in ["", "a", "a\n", "a\r\nb\n\n  c", "\n\n"] {
            let mut whole = line_hashes(text.as_bytes());
            whole.sort_unstable();
            let streamed = stream_hashes(&mut text.as_bytes()).unwrap();
            assert_eq!(streamed, whole, "{text:?}");
        }
    }

    #[test]
    fn changes_worth_reading_again() {
        let oid = |n: u8| Oid::parse(&format!("{n:02x}").repeat(20)).unwrap();
        let change = |path: &str, new: u32, old: &[u32]| Change {
            commit: Some(0),
            path: Arc::from(path),
            new,
            old: old.into(),
        };
        let listed = Listed {
            commits: Vec::new(),
            changes: vec![
                change("app.py", 1, &[0]),       // habits at its first path
                change("app.py", 0, &[]),        // none
                change("README.md", 2, &[]),     // no habits can be there
                change("new.py", 1, &[1]),       // a rename without changes
                change("Dockerfile", 3, &[]),    // first listed at a path read otherwise
                change("docs/usage.md", 1, &[]), // nor here
            ],
            oids: (0..4).map(oid).collect(),
        };
        let first = |blob: u32| match blob {
            0 => Some(("app.py", false)),
            1 => Some(("app.py", true)),
            2 => Some(("README.md", false)),
            3 => Some(("notes.txt", false)),
            _ => None,
        };
        assert_eq!(select(&listed, &first), [0, 4]);
    }
}
