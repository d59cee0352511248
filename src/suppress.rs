//! Suppress: the baseline file. (Inline markers and config are applied while judging.)
//!
//! A baseline lists findings a team has accepted, keyed by (rule, fingerprint, path) so that a
//! finding stays hidden when its line moves, and reappears when the token spreads to a new file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::judge::Finding;

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

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("baseline {path} is not an hfaudit baseline: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Baseline {
    /// A baseline that hides exactly `findings`.
    pub fn from_findings(findings: &[Finding]) -> Self {
        let entries: BTreeSet<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                rule: f.rule.clone(),
                fingerprint: f.fingerprint().to_string(),
                path: f.path.clone(),
            })
            .collect();
        Baseline {
            version: 1,
            entries: entries.into_iter().collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.into(),
            source,
        })?;
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

    /// Removes the findings the baseline lists. Returns (kept, suppressed, stale entries).
    pub fn apply(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize, usize) {
        let mut used = vec![false; self.entries.len()];
        let mut kept = Vec::with_capacity(findings.len());
        let mut suppressed = 0;
        for f in findings {
            let fp = f.fingerprint().to_string();
            let hit = self.entries.iter().position(|e| {
                e.rule == f.rule
                    && e.fingerprint == fp
                    && f.locations.iter().any(|l| l.path == e.path)
            });
            if let Some(i) = hit {
                used[i] = true;
                suppressed += 1;
            } else {
                kept.push(f);
            }
        }
        let stale = used.iter().filter(|u| !**u).count();
        (kept, suppressed, stale)
    }
}
