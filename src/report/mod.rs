//! Report: the one seam through which anything is printed. Every format renders the same
//! `Report`; nothing else in the crate writes to stdout.

mod github;
mod human;
pub mod json;
mod markdown;
pub mod plan;
mod sarif;
pub mod whoami;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::judge::Finding;
use crate::model::{ScanError, Skipped};
use crate::rules::{RuleSet, Severity};

/// Output formats of `hfaudit scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable, coloured on a terminal.
    Human,
    /// One JSON document (the stable report contract).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// A Markdown table of findings, for a CI job summary.
    Markdown,
}

/// Counts for the summary line and JSON `summary`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_skipped: u64,
    pub findings: u64,
    pub by_rule: BTreeMap<String, u64>,
    pub suppressed: u64,
    pub duration_ms: u64,
    /// (rule, token) checks not run because they need `--verify`.
    pub skipped_checks: u64,
    pub skipped_rules: Vec<String>,
    /// Baseline entries that matched nothing (the token is gone: clean the baseline).
    pub stale_baseline: u64,
    /// Tokens the Hub gave a definite answer about with `--verify` (valid, invalid, forbidden).
    pub verified_tokens: u64,
    /// The config file that applied (`.hfaudit.toml`, `pyproject.toml`, `--config`), if any.
    pub config: Option<String>,
}

/// Where report paths lead. Paths are printed as the user named them (relative to the current
/// folder, or absolute); SARIF wants them relative to the repository's root.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    /// The absolute folder that relative report paths start from; `None` when they are already
    /// repository-relative (git modes).
    pub base: Option<PathBuf>,
    /// The absolute root of the repository (the folder holding `.git`), if there is one.
    pub repo: Option<PathBuf>,
}

impl Roots {
    /// `path` relative to the repository root, `/`-separated; `None` when it lies outside.
    pub fn repo_relative(&self, path: &str) -> Option<String> {
        let Some(base) = &self.base else {
            return Some(path.to_owned());
        };
        let abs = lexical(&base.join(path));
        let rel = abs.strip_prefix(self.repo.as_ref()?).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    /// The absolute path of a report path, when it can be known.
    pub fn absolute(&self, path: &str) -> Option<PathBuf> {
        Some(lexical(&self.base.as_ref()?.join(path)))
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system (the file may be gone: git modes).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Everything a report shows.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub errors: &'a [ScanError],
    pub skipped: &'a [Skipped],
    pub summary: Summary,
    pub rules: &'a RuleSet,
    /// A line for people about verification (e.g. the Hub was unreachable).
    pub notes: Vec<String>,
    pub roots: Roots,
    /// Every token and its places, for the JSON report's `tokens` (see `state`).
    pub tokens: &'a [crate::state::TokenRecord],
    /// `--quiet`: the findings and the unreadable files only; nothing at all when clean.
    pub quiet: bool,
    /// `--verbose`: every finding's help in full, not once per text.
    pub verbose: bool,
}

impl Report<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// `3 findings (2 errors, 1 warning)`, or `0 findings, 94 files could not be read`: a report's
/// gist in one line (for `-o FILE`, which leaves the terminal otherwise silent).
pub fn gist(report: &Report<'_>) -> String {
    let n = report.findings.len();
    let mut text = format!("{n} finding{}", if n == 1 { "" } else { "s" });
    let parts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ]
    .iter()
    .filter_map(|(sev, word)| {
        let k = report.count(*sev);
        (k > 0).then(|| {
            format!(
                "{k} {word}{}",
                if k == 1 || *word == "info" { "" } else { "s" }
            )
        })
    })
    .collect();
    if !parts.is_empty() {
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    let e = report.errors.len();
    if e > 0 {
        text.push_str(&format!(
            ", {e} file{} could not be read",
            if e == 1 { "" } else { "s" }
        ));
    }
    text
}

/// Renders `report` in `format`. `color` only matters for the human format.
pub fn render(format: Format, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
        Format::Markdown => markdown::render(report, out),
    }
}
