//! `hfaudit merge REPORT.json…`: the JSON reports of several runs (the shards of a Hub audit,
//! `--shard K/N`) as one report. Findings are deduplicated as one run gives them, and HF003 (one
//! token on two platforms) is judged again over every report's `tokens`, with this run's rules
//! and config: a token read in a notebook by one shard and in a CI file by another is one HF003.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::context::Need;
use crate::engine::Engine;
use crate::judge::Finding;
use crate::model::{ScanError, ScanOutput, Skipped};
use crate::report::json::Parsed;
use crate::report::Summary;
use crate::secret::Fingerprint;
use crate::state::TokenRecord;
use crate::verify::Status;

/// The rule judged across reports.
const SHARED: &str = "HF003";

/// Several reports as one.
pub struct Merged {
    pub findings: Vec<Finding>,
    pub tokens: Vec<TokenRecord>,
    pub errors: Vec<ScanError>,
    pub skipped: Vec<Skipped>,
    pub summary: Summary,
    pub notes: Vec<String>,
}

/// What identifies a finding across reports: the same rule, place and subject.
type Key = (String, String, Option<u64>, Option<u64>, u64, Fingerprint);

/// One place of one token.
type PlaceKey = (Fingerprint, String, Option<u64>, Option<u64>, u64);

fn key(f: &Finding) -> Key {
    (
        f.rule.clone(),
        f.path.clone(),
        f.line,
        f.column,
        f.offset,
        f.fingerprint(),
    )
}

/// Merges `parts` (in the order given) and judges HF003 across them with `engine`.
pub fn merge(parts: Vec<Parsed>, engine: &Engine) -> Merged {
    let all_listed = parts.iter().all(|p| p.tokens.is_some());
    let mut notes = Vec::new();
    if !all_listed {
        notes.push(
            "a report lists no `tokens` (written by an older hfaudit): HF003 was not judged \
             across reports, each report's own HF003 findings are kept"
                .to_owned(),
        );
    }
    let mut seen: HashSet<Key> = HashSet::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut tokens: BTreeMap<Fingerprint, TokenRecord> = BTreeMap::new();
    let mut places: HashSet<PlaceKey> = HashSet::new();
    let mut errors: Vec<ScanError> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut summary = Summary::default();
    for part in parts {
        for f in part.findings {
            if all_listed && f.rule == SHARED {
                continue; // judged again below, across all reports
            }
            if seen.insert(key(&f)) {
                findings.push(f);
            }
        }
        for t in part.tokens.into_iter().flatten() {
            let entry = tokens
                .entry(t.fingerprint.clone())
                .or_insert_with(|| TokenRecord {
                    occurrences: Vec::new(),
                    ..t.clone()
                });
            for p in t.occurrences {
                if places.insert((
                    t.fingerprint.clone(),
                    p.path.clone(),
                    p.line,
                    p.column,
                    p.offset,
                )) {
                    entry.occurrences.push(p);
                }
            }
        }
        for e in part.errors {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
        for s in part.skipped {
            if !skipped.contains(&s) {
                skipped.push(s);
            }
        }
        add(&mut summary, &part.summary);
    }
    let tokens: Vec<TokenRecord> = tokens
        .into_values()
        .map(|mut t| {
            t.occurrences.sort_by(|a, b| {
                (&a.path, a.line, a.column, a.offset).cmp(&(&b.path, b.line, b.column, b.offset))
            });
            t
        })
        .collect();
    if all_listed {
        findings.extend(shared(&tokens, &findings, engine));
    }
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.offset, &a.rule)
            .cmp(&(&b.path, b.line, b.column, b.offset, &b.rule))
    });
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    summary.findings = findings.len() as u64;
    summary.by_rule = BTreeMap::new();
    for f in &findings {
        *summary.by_rule.entry(f.rule.clone()).or_insert(0) += 1;
    }
    summary.files_skipped = skipped.len() as u64;
    Merged {
        findings,
        tokens,
        errors,
        skipped,
        summary,
        notes,
    }
}

/// HF003 over every report's tokens, judged as one run judges it; each finding's need and
/// verification are what the reports said of its token.
fn shared(tokens: &[TokenRecord], findings: &[Finding], engine: &Engine) -> Vec<Finding> {
    let mut output = ScanOutput::default();
    for t in tokens {
        t.occurrences(false, &mut output.occurrences);
    }
    let mut known: HashMap<Fingerprint, (Need, Option<&crate::verify::Verification>)> =
        HashMap::new();
    for f in findings {
        let Some(t) = &f.token else { continue };
        let entry = known
            .entry(t.fingerprint.clone())
            .or_insert((Need::Unknown, None));
        entry.0 = match (entry.0, f.context.need) {
            (Need::Write, _) | (_, Need::Write) => Need::Write,
            (Need::Read, _) | (_, Need::Read) => Need::Read,
            _ => Need::Unknown,
        };
        if entry.1.is_none() && f.verification.status != Status::Skipped {
            entry.1 = Some(&f.verification);
        }
    }
    engine
        .judge(&output, None)
        .findings
        .into_iter()
        .filter(|f| f.rule == SHARED)
        .map(|mut f| {
            if let Some((need, verification)) =
                f.token.as_ref().and_then(|t| known.get(&t.fingerprint))
            {
                f.context.need = *need;
                if let Some(v) = verification {
                    f.verification = (*v).clone();
                }
            }
            f
        })
        .collect()
}

/// Adds one report's counts (durations: the longest).
fn add(sum: &mut Summary, part: &Summary) {
    sum.files_scanned += part.files_scanned;
    sum.bytes_scanned += part.bytes_scanned;
    sum.suppressed += part.suppressed;
    sum.duration_ms = sum.duration_ms.max(part.duration_ms);
    sum.skipped_checks += part.skipped_checks;
    for r in &part.skipped_rules {
        if !sum.skipped_rules.contains(r) {
            sum.skipped_rules.push(r.clone());
        }
    }
    sum.stale_baseline += part.stale_baseline;
    sum.verified_tokens += part.verified_tokens;
    if sum.config.is_none() {
        sum.config.clone_from(&part.config);
    }
}
