//! The plain data that flows between stages: what was found where, and what went wrong.

use serde::{Deserialize, Serialize};

use crate::allow::Allow;
use crate::context::{Calls, NotebookCell, Platform, Usage};
use crate::secret::Secret;

/// The commit a git-mode occurrence was introduced by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub date: String,
}

/// One place a token occurs.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// Relative to the scan root, `/` separators.
    pub path: String,
    /// 1-based; `None` for binary files, which are located by `offset`.
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub offset: u64,
    pub secret: Secret,
    /// The decodings that revealed the token (base64, UTF-16, escapes), outermost first.
    pub decoded: Vec<crate::detect::Encoding>,
    /// The source line with every token in it redacted, trimmed to a readable width.
    pub snippet: Option<String>,
    pub platform: Platform,
    pub usage: Usage,
    /// For `env_assignment`: the variable the token is assigned to.
    pub env_var: Option<String>,
    pub notebook_cell: Option<NotebookCell>,
    pub allow: Option<Allow>,
    pub commit: Option<CommitInfo>,
    /// Where on the Hub it was read, for the Hub source; `None` for local files and git.
    pub source: Option<Source>,
    /// Read in an earlier run and taken from the state file (`--state`), not read again.
    pub from_state: bool,
}

/// What a Hub occurrence is part of: a file, a discussion or a Space variable (HF012).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HubItem {
    File,
    Discussion,
    Variable,
}

/// Where on the Hub an occurrence was read (DESIGN §9): JSON `source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Always `hub` for now: the seam for later remote sources.
    pub kind: &'static str,
    /// `spaces/acme/demo`, `datasets/acme/data` or `acme/model`.
    pub repo: String,
    /// The revision read: `main` (the default branch), `refs/pr/1`, or a commit with `--history`.
    pub revision: String,
    pub item: HubItem,
    /// A page a person can open.
    pub url: String,
}

/// What a file does with the Hub, for need inference: only kept for files that hold a token or
/// mention a token variable.
#[derive(Debug, Clone)]
pub struct FileFacts {
    pub path: String,
    pub platform: Platform,
    pub calls: Calls,
    /// Token-holding environment variables this file reads.
    pub env_reads: Vec<String>,
    /// Habits that cause leaks (HF013–HF015), found in this file; in `--staged` and
    /// `--since`/`--range`, only those on the lines a change added.
    pub practices: Vec<crate::practice::PracticeHit>,
    /// The file's calls to the Hub and the repositories they name (the need map), for files
    /// with a write call: what HF016 compares with the token's reach. Empty otherwise.
    pub hub_uses: Vec<crate::context::HubUse>,
    /// The commit whose change added those lines (git modes; `None` when staged or not git).
    pub commit: Option<CommitInfo>,
    /// Taken from the state file (`--state`), not read again.
    pub from_state: bool,
}

/// A [`Source`] read back (a state file, a report to merge): `kind` is `hub`, the only one.
impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Plain {
            kind: String,
            repo: String,
            revision: String,
            item: HubItem,
            url: String,
        }
        let p = Plain::deserialize(d)?;
        if p.kind != "hub" {
            return Err(serde::de::Error::custom(format!(
                "unknown source kind {:?}",
                p.kind
            )));
        }
        Ok(Source {
            kind: "hub",
            repo: p.repo,
            revision: p.revision,
            item: p.item,
            url: p.url,
        })
    }
}

/// A file that was not scanned, and why (too big, a loop, not a regular file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// A file or path that could not be read; the scan goes on and exits 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanError {
    pub path: String,
    pub message: String,
}

/// Everything the read stages produce, before judging.
#[derive(Debug, Default)]
pub struct ScanOutput {
    pub occurrences: Vec<Occurrence>,
    pub facts: Vec<FileFacts>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<ScanError>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Every file the tree walk read (on disk, report path): the second look reads some of
    /// them again for token variables with unusual names (see `source::second_look`).
    pub scanned: Vec<(std::path::PathBuf, std::sync::Arc<str>)>,
    /// Folders (report paths, `""` for the top) whose `README.md` makes them a Space.
    pub spaces: Vec<String>,
    /// Lines for people about what the scan could not see (e.g. a shallow clone's history).
    pub notes: Vec<String>,
}

impl ScanOutput {
    pub fn merge(&mut self, other: ScanOutput) {
        self.occurrences.extend(other.occurrences);
        self.facts.extend(other.facts);
        self.skipped.extend(other.skipped);
        self.errors.extend(other.errors);
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.scanned.extend(other.scanned);
        self.spaces.extend(other.spaces);
        self.notes.extend(other.notes);
    }

    /// Sorts everything so output never depends on thread timing.
    pub fn sort(&mut self) {
        self.occurrences.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.offset).cmp(&(&b.path, b.line, b.column, b.offset))
        });
        self.facts.sort_by(|a, b| a.path.cmp(&b.path));
        self.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        self.errors.sort_by(|a, b| a.path.cmp(&b.path));
    }
}
