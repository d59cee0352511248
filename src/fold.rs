//! The fold: the one place where what a blob gave is recorded into the run's output. Every
//! source (the tree, standard input, git, the Hub) hands its inspected blobs here, so a count,
//! an archive's notes, the commit that introduced a token, where on the Hub it was read and
//! what a Space's code means are decided once, for all of them.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::context::Platform;
use crate::inspect::{BlobScan, Inspected, ListLimit};
use crate::model::{ScanError, ScanOutput, Skipped};

/// Live counters for the progress indicator, shared by every source and thread.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    /// Hub repositories whose listings have been read (the Hub source only).
    pub repos: AtomicU64,
    /// Hub repositories to read, once the owners are listed.
    pub repos_total: AtomicU64,
}

/// Records everything one blob gave: one file of `inspected.bytes`, its archive's notes, and
/// each plain blob's occurrences and facts.
pub fn record(out: &mut ScanOutput, progress: &Progress, mut inspected: Inspected) {
    progressed(progress, inspected.bytes);
    for scan in inspected.take_scans() {
        add(out, scan);
    }
    count(out, inspected.bytes, inspected.skipped, inspected.errors);
}

/// One more blob of `bytes` read, for the progress indicator.
pub fn progressed(progress: &Progress, bytes: u64) {
    progress.files.fetch_add(1, Ordering::Relaxed);
    progress.bytes.fetch_add(bytes, Ordering::Relaxed);
}

/// Counts one blob read and keeps its archive's notes (a limit hit, damage). Git's first pass
/// counts every blob here (having shown it in [`progressed`] as it came), and hands over
/// occurrences with [`add`] only for what a change introduced.
pub fn count(out: &mut ScanOutput, bytes: u64, skipped: Vec<Skipped>, errors: Vec<ScanError>) {
    out.files_scanned += 1;
    out.bytes_scanned += bytes;
    out.skipped.extend(skipped);
    out.errors.extend(errors);
}

/// A plain blob's occurrences and facts, marked with what its origin says: the commit that
/// introduced them, where on the Hub they were read, and a Hub Space's code being a server's.
pub fn add(out: &mut ScanOutput, scan: BlobScan) {
    let BlobScan {
        origin,
        occurrences,
        facts,
        space,
    } = scan;
    let server = origin.in_hub_space();
    let commit = origin.commit();
    let hub = origin.hub_place();
    for mut occ in occurrences {
        occ.commit = commit.cloned();
        occ.source = hub.cloned();
        if server && occ.platform == Platform::Source {
            occ.platform = Platform::Server;
        }
        out.occurrences.push(occ);
    }
    if let Some(mut f) = facts {
        f.commit = commit.cloned();
        if server && f.platform == Platform::Source {
            f.platform = Platform::Server;
        }
        // A Space's code that writes to "its own Space" (`SPACE_ID`) writes to this one.
        if let Some(space) = hub
            .filter(|_| server)
            .and_then(|p| p.repo.strip_prefix("spaces/"))
        {
            crate::context::repos::resolve_own_space(&mut f.hub_uses, space);
        }
        out.facts.push(*f);
    }
    if space && hub.is_none() {
        let path = origin.path();
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        out.spaces.push(dir.to_owned());
    }
}

/// After every source: a Space's code (the folder of a `README.md` whose front matter names
/// an `sdk:`) runs on the Hub's servers, so its tokens get a server's advice (Space secrets);
/// occurrences the listing limit left out are reported as skipped; everything is sorted so
/// output never depends on thread timing.
pub fn finish(out: &mut ScanOutput, listing: &ListLimit) {
    if !out.spaces.is_empty() {
        let spaces = std::mem::take(&mut out.spaces);
        let inside = |path: &str| {
            spaces.iter().any(|dir| {
                dir.is_empty()
                    || path
                        .strip_prefix(dir.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        };
        for occ in &mut out.occurrences {
            if occ.platform == Platform::Source && occ.source.is_none() && inside(&occ.path) {
                occ.platform = Platform::Server;
            }
        }
        for f in &mut out.facts {
            if f.platform == Platform::Source && inside(&f.path) {
                f.platform = Platform::Server;
            }
        }
        out.spaces = spaces;
    }
    out.skipped.extend(listing.skipped());
    out.sort();
}
