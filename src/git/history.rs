//! History: which change introduced which token where. A change (a staged file, or a file a
//! commit touches) introduces a token at a path when the new version holds it and no previous
//! version does; the oldest such change wins. Pure: listings and fingerprints in, the file
//! versions to report (and under which commit) out.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::inspect::BlobScan;
use crate::model::{CommitInfo, Occurrence};
use crate::origin::Origin;
use crate::secret::Fingerprint;

/// One file version a change produced: the blob at `path`, and the versions it replaced.
/// Kept small: a long history has millions.
pub(super) struct Change {
    /// Index into `Listed::commits`; `None` for the staged change.
    pub(super) commit: Option<u32>,
    /// Shared by every change to the same path.
    pub(super) path: Arc<str>,
    /// Blob indexes.
    pub(super) new: u32,
    pub(super) old: Box<[u32]>,
}

/// What listing the changes yields: commits, changes and the unique blobs they refer to.
#[derive(Default)]
pub(super) struct Listed {
    pub(super) commits: Vec<CommitInfo>,
    pub(super) changes: Vec<Change>,
    /// Object id of each blob, by blob index.
    pub(super) oids: Vec<Oid>,
}

impl Listed {
    /// Where a file version belongs, for an error about it: the (newest) commit that made it,
    /// else one whose parent had it; the index for a staged scan.
    pub(super) fn whose(&self, blob: u32) -> String {
        let change = self
            .changes
            .iter()
            .find(|c| c.new == blob)
            .or_else(|| self.changes.iter().find(|c| c.old.contains(&blob)));
        match change.and_then(|c| c.commit) {
            Some(c) => format!("the version in commit {}", self.commits[c as usize].id),
            None => "the version staged or in HEAD".to_owned(),
        }
    }
}

/// An object id (SHA-1 or SHA-256), stored as bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Oid {
    len: u8,
    bytes: [u8; 32],
}

impl Oid {
    pub(super) fn parse(hex: &str) -> Option<Oid> {
        let digits = hex.as_bytes();
        if !digits.len().is_multiple_of(2) || digits.len() > 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in digits.chunks(2).enumerate() {
            let text = std::str::from_utf8(pair).ok()?;
            bytes[i] = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Oid {
            len: (digits.len() / 2) as u8,
            bytes,
        })
    }

    pub(super) fn to_hex(self) -> String {
        self.bytes[..usize::from(self.len)]
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                s.push(char::from(HEX[usize::from(b >> 4)]));
                s.push(char::from(HEX[usize::from(b & 15)]));
                s
            })
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The tokens to report in one file version, each with the commit (index) that introduced it.
pub(super) type Introduced = Vec<(Fingerprint, Option<u32>)>;

/// What pass two must report: in one blob at one path, the tokens introduced there.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Wanted {
    pub(super) oid: String,
    pub(super) path: String,
    pub(super) tokens: Introduced,
}

/// What pass two keeps of a file version: the occurrences of the tokens it introduced, each
/// under the origin of the commit that introduced it, and (when it introduced any) the facts,
/// for need inference. Their habits are left out: a change is judged on the habits of the
/// lines it adds (`habits`), not of the whole file.
pub(super) fn introduced(
    scans: impl Iterator<Item = BlobScan>,
    tokens: &[(Fingerprint, Option<u32>)],
    root: &dyn Fn(Option<u32>) -> Origin,
) -> Vec<BlobScan> {
    let commit_of = |occ: &Occurrence| {
        let fp = occ.secret.fingerprint();
        tokens.iter().find(|(f, _)| *f == fp).map(|(_, c)| *c)
    };
    let scans: Vec<BlobScan> = scans.collect();
    let any = scans
        .iter()
        .flat_map(|s| &s.occurrences)
        .any(|o| commit_of(o).is_some());
    let mut out = Vec::new();
    for scan in scans {
        let mut by_commit: BTreeMap<Option<u32>, Vec<Occurrence>> = BTreeMap::new();
        for occ in scan.occurrences {
            if let Some(c) = commit_of(&occ) {
                by_commit.entry(c).or_default().push(occ);
            }
        }
        let mut facts = if any {
            scan.facts.map(|mut f| {
                f.practices.clear();
                f
            })
        } else {
            None
        };
        if by_commit.is_empty() && facts.is_some() {
            by_commit.insert(None, Vec::new());
        }
        for (c, occurrences) in by_commit {
            out.push(BlobScan {
                origin: scan.origin.rebased(root(c)),
                occurrences,
                facts: facts.take(),
                space: false,
            });
        }
    }
    out
}

/// Decides, for each (path, token), the change that introduced it — the oldest: `git log
/// --date-order` lists children before parents, so the last one listed — and groups the
/// answers by file version (blob and path) for pass two. A blob is read once per path it was
/// found at: the path decides the context, and a streamed blob can be read only once.
pub(super) fn attribute(listed: &Listed, tokens: &[&Vec<Fingerprint>]) -> Vec<Wanted> {
    let mut best: HashMap<(&str, &Fingerprint), &Change> = HashMap::new();
    for change in &listed.changes {
        for fp in tokens[change.new as usize] {
            let before = change
                .old
                .iter()
                .any(|o| tokens[*o as usize].binary_search(fp).is_ok());
            if before {
                continue;
            }
            best.entry((&*change.path, fp))
                .and_modify(|b| {
                    if change.commit > b.commit {
                        *b = change;
                    }
                })
                .or_insert(change);
        }
    }
    let mut by_version: BTreeMap<(u32, &str), Introduced> = BTreeMap::new();
    for ((path, fp), change) in best {
        by_version
            .entry((change.new, path))
            .or_default()
            .push((fp.clone(), change.commit));
    }
    by_version
        .into_iter()
        .map(|((blob, path), mut tokens)| {
            tokens.sort();
            Wanted {
                oid: listed.oids[blob as usize].to_hex(),
                path: path.to_owned(),
                tokens,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(n: u8) -> Fingerprint {
        Fingerprint::parse(&format!("{n:016x}")).unwrap()
    }

    fn oid(n: u8) -> Oid {
        Oid::parse(&format!("{n:02x}").repeat(20)).unwrap()
    }

    #[test]
    fn object_ids_round_trip() {
        for hex in ["0123456789abcdef0123456789abcdef01234567", &"fe".repeat(32)] {
            assert_eq!(Oid::parse(hex).unwrap().to_hex(), hex);
        }
        assert!(Oid::parse("xyz").is_none());
    }

    fn change(commit: Option<u32>, path: &str, new: u32, old: &[u32]) -> Change {
        Change {
            commit,
            path: Arc::from(path),
            new,
            old: old.into(),
        }
    }

    #[test]
    fn oldest_introduction_wins_and_kept_tokens_are_not_new() {
        // Log order (newest first): c0 re-adds T1 in a.py; c1 deletes it (no record);
        // c2 edits a.py keeping T1; c3 adds T1 to a.py.
        let listed = Listed {
            commits: vec![],
            changes: vec![
                change(Some(0), "a.py", 3, &[4]),
                change(Some(2), "a.py", 1, &[0]),
                change(Some(3), "a.py", 0, &[]),
            ],
            oids: (0..5u8).map(oid).collect(),
        };
        let t1 = vec![fp(1)];
        let none = Vec::new();
        let tokens = vec![&t1, &t1, &none, &t1, &none];
        let wanted = attribute(&listed, &tokens);
        assert_eq!(
            wanted,
            vec![Wanted {
                oid: oid(0).to_hex(),
                path: "a.py".to_owned(),
                tokens: vec![(fp(1), Some(3))]
            }]
        );
    }

    #[test]
    fn a_merge_introduces_only_what_no_parent_had() {
        let listed = Listed {
            commits: vec![],
            changes: vec![change(Some(0), "m.txt", 2, &[0, 1])],
            oids: (0..3u8).map(oid).collect(),
        };
        let (t1, t2) = (vec![fp(1)], vec![fp(2)]);
        let both = vec![fp(1), fp(2)];
        let wanted = attribute(&listed, &[&t1, &t2, &both]);
        assert!(wanted.is_empty());
        let three = vec![fp(1), fp(2), fp(3)];
        let wanted = attribute(&listed, &[&t1, &t2, &three]);
        assert_eq!(wanted[0].tokens, vec![(fp(3), Some(0))]);
    }
}
