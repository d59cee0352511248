//! Suppress: the baseline file. (Inline markers and config are applied while judging.)
//!
//! A baseline lists findings a team has accepted, keyed by (rule, fingerprint, path) so that a
//! finding stays hidden when its line moves, and reappears when the token spreads to a new file.
//! The path is relative to the repository's root, whatever the spelling of the scan's path
//! (`hfaudit baseline .`, then `hfaudit scan /abs/repo` or `hfaudit scan repo`): a baseline
//! that stops matching would let `--revoke --yes` revoke a token the team had accepted.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::judge::Finding;
use crate::report::Roots;

/// The key of a report path: repository-relative for a local file, as it is for the Hub.
fn key(path: &str, roots: &Roots) -> String {
    if path.starts_with("hf://") {
        return path.to_owned();
    }
    roots.repo_relative(path).unwrap_or_else(|| path.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub rule: String,
    pub fingerprint: String,
    pub path: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

/// The largest baseline read (a million entries is about 150 MB; more is not a baseline).
const MAX_BASELINE_SIZE: u64 = 256 << 20;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("baseline {} is not an hfaudit baseline: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl Baseline {
    /// A baseline that hides exactly `findings`.
    pub fn from_findings(findings: &[Finding], roots: &Roots) -> Self {
        let entries: BTreeSet<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                rule: f.rule.clone(),
                fingerprint: f.fingerprint().to_string(),
                path: key(&f.path, roots),
            })
            .collect();
        Baseline {
            version: 1,
            entries: entries.into_iter().collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let data = crate::files::read_regular_file(path, MAX_BASELINE_SIZE).map_err(|source| {
            BaselineError::Read {
                path: path.into(),
                source,
            }
        })?;
        Baseline::parse(path, &data)
    }

    /// Reads a baseline's bytes (`path` names it in errors).
    pub fn parse(path: &Path, data: &[u8]) -> Result<Self, BaselineError> {
        let text = String::from_utf8_lossy(data);
        let b: Baseline = serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
            path: path.into(),
            message: e.to_string(),
        })?;
        if b.version != 1 {
            return Err(BaselineError::Invalid {
                path: path.into(),
                message: format!("unsupported version {}", b.version),
            });
        }
        Ok(b)
    }

    /// Removes the findings the baseline lists. Returns (kept, suppressed, stale entries). An
    /// entry is stale when no finding matches it: one written twice (two branches' baselines
    /// merged) or one for another place of a finding already hidden still matches.
    /// One map look-up per location: linear in findings plus entries.
    pub fn apply(&self, findings: Vec<Finding>, roots: &Roots) -> (Vec<Finding>, usize, usize) {
        // Each distinct entry once, by the index of its first spelling.
        let mut index: HashMap<(&str, &str, &str), usize> = HashMap::new();
        let first: Vec<usize> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let k = (e.rule.as_str(), e.fingerprint.as_str(), e.path.as_str());
                *index.entry(k).or_insert(i)
            })
            .collect();
        let mut used = vec![false; self.entries.len()];
        let mut kept = Vec::with_capacity(findings.len());
        let mut suppressed = 0;
        for f in findings {
            let fp = f.fingerprint().to_string();
            let mut hit = false;
            for l in &f.locations {
                let path = key(&l.path, roots);
                if let Some(&i) = index.get(&(f.rule.as_str(), fp.as_str(), path.as_str())) {
                    used[i] = true;
                    hit = true;
                }
            }
            if hit {
                suppressed += 1;
            } else {
                kept.push(f);
            }
        }
        let stale = first.iter().filter(|&&i| !used[i]).count();
        (kept, suppressed, stale)
    }
}
