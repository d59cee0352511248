//! The pipeline: read every source (the fold and the second look happen there), then verify,
//! judge, apply the baseline, revoke, and count. The CLI parses arguments, builds a
//! [`Request`], calls [`run`] and prints what comes back; it holds none of these steps.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use crate::engine::Engine;
use crate::fold::Progress;
use crate::http::Policy;
use crate::judge::Finding;
use crate::model::ScanOutput;
use crate::report::{Roots, Summary};
use crate::revoke::{self, Revocable};
use crate::secret::{Fingerprint, Secret};
use crate::source::{self, Source, SourceError};
use crate::suppress::Baseline;
use crate::verify::{self, Verification};

/// What to run: the sources, and the steps after reading that were asked for.
pub struct Request {
    pub sources: Vec<Source>,
    /// `--verify`: ask the Hub what each token is.
    pub verify: Option<Policy>,
    /// `--revoke`: ask the Hub to revoke every leaked token.
    pub revoke: Option<Policy>,
    pub baseline: Option<Baseline>,
    /// Where report paths lead (baselines are keyed on repository-relative paths).
    pub roots: Roots,
}

/// What the caller says about the tokens `--revoke` would send (it asks a person, prints a
/// dry run, or says yes for `--yes`).
pub enum Decision {
    Send,
    /// Nothing is sent; the note says why.
    Hold(String),
}

/// What a run produced, for the report.
pub struct Outcome {
    pub output: ScanOutput,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Lines for people: the config's, the sources', verification's and revocation's.
    pub notes: Vec<String>,
    /// A revocation request failed: the run exits 2.
    pub revoke_failed: bool,
}

/// Something that stops the run before its report.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(
        "--revoke: the baseline has {0} stale {entries} (matching nothing in this scan), so it \
         may not be hiding what it was written for (a moved file, a token gone); nothing was \
         sent. Write the baseline again (`hfaudit baseline`), or drop --baseline",
        entries = if *.0 == 1 { "entry" } else { "entries" }
    )]
    StaleBaseline(u64),
    #[error("--revoke: {0}")]
    Confirm(#[source] std::io::Error),
}

/// Runs the pipeline. `decide` is asked before any token is sent for revocation.
pub fn run(
    engine: &Engine,
    request: &Request,
    progress: &Progress,
    started: Instant,
    decide: &mut dyn FnMut(&[Revocable<'_>]) -> std::io::Result<Decision>,
) -> Result<Outcome, PipelineError> {
    let output = source::read(&request.sources, engine, progress)?;
    let (verifications, verify_notes) = verify(request.verify.as_ref(), engine, &output);
    let mut notes = engine.config.notes.clone();
    notes.extend(output.notes.iter().cloned());
    notes.extend(verify_notes);
    let judged = engine.judge(&output, verifications.as_ref());
    let mut findings = judged.findings;
    let mut suppressed = judged.suppressed as u64;
    let mut stale = 0u64;
    if let Some(b) = &request.baseline {
        let (kept, hidden, unused) = b.apply(findings, &request.roots);
        findings = kept;
        suppressed += hidden as u64;
        stale = unused as u64;
    }
    let mut revoke_failed = false;
    if let Some(policy) = &request.revoke {
        if stale > 0 {
            return Err(PipelineError::StaleBaseline(stale));
        }
        revoke_failed = revoke(policy, &output, &mut findings, &mut notes, decide)?;
    }
    let mut by_rule = BTreeMap::new();
    for f in &findings {
        *by_rule.entry(f.rule.clone()).or_insert(0u64) += 1;
    }
    let summary = Summary {
        files_scanned: output.files_scanned,
        bytes_scanned: output.bytes_scanned,
        files_skipped: output.skipped.len() as u64,
        findings: findings.len() as u64,
        by_rule,
        suppressed,
        duration_ms: started.elapsed().as_millis() as u64,
        skipped_checks: judged.skipped_checks as u64,
        skipped_rules: judged.skipped_rules,
        stale_baseline: stale,
        verified_tokens: verifications.as_ref().map_or(0, |v| {
            v.values().filter(|v| v.status.is_answer()).count() as u64
        }),
        config: engine
            .config
            .source
            .as_ref()
            .map(|p| p.display().to_string()),
    };
    Ok(Outcome {
        output,
        findings,
        summary,
        notes,
        revoke_failed,
    })
}

/// What `--verify` learned, per token.
type Verifications = HashMap<Fingerprint, Verification>;

/// Asks the Hub about each unique token when `--verify` is given. Returns the answers and
/// notes for people (e.g. the Hub was unreachable); never fails, so a scan offline still ends
/// with the exit code of its findings. Public test tokens and tokens the config allows are not
/// sent.
fn verify(
    policy: Option<&Policy>,
    engine: &Engine,
    output: &ScanOutput,
) -> (Option<Verifications>, Vec<String>) {
    let Some(policy) = policy else {
        return (None, Vec::new());
    };
    let secrets: Vec<&Secret> = output
        .occurrences
        .iter()
        .map(|o| &o.secret)
        .filter(|s| !s.is_remembered())
        .filter(|s| {
            let fp = s.fingerprint();
            !engine.public_tokens.contains(&fp) && !engine.config.allow_fingerprints.contains(&fp)
        })
        .collect();
    let outcome = verify::verify_tokens(&secrets, policy);
    let mut notes = outcome.notes;
    notes.extend(remembered_note("--verify", "verified", output));
    (Some(outcome.verifications), notes)
}

/// The tokens known only from the state file (`--state`): never sent anywhere, so a note
/// says how many `step` left out.
fn remembered_note(flag: &str, done: &str, output: &ScanOutput) -> Option<String> {
    let fresh: std::collections::HashSet<Fingerprint> = output
        .occurrences
        .iter()
        .filter(|o| !o.secret.is_remembered())
        .map(|o| o.secret.fingerprint())
        .collect();
    let mut only: Vec<Fingerprint> = output
        .occurrences
        .iter()
        .filter(|o| o.secret.is_remembered())
        .map(|o| o.secret.fingerprint())
        .filter(|fp| !fresh.contains(fp))
        .collect();
    only.sort_unstable();
    only.dedup();
    (!only.is_empty()).then(|| {
        format!(
            "{flag}: {} token{} taken from the state file (--state, repositories unchanged \
             since the last run) {} not sent: only tokens read in this run are {done} (a run \
             without --state reads and {done2} them all)",
            only.len(),
            crate::output::plural(only.len()),
            if only.len() == 1 { "was" } else { "were" },
            done2 = if done == "verified" {
                "verifies"
            } else {
                "revokes"
            },
        )
    })
}

/// `--revoke`: the leaked tokens, the caller's decision, then one request for them all, and
/// their findings marked. `Ok(true)` when a request failed.
fn revoke(
    policy: &Policy,
    output: &ScanOutput,
    findings: &mut [Finding],
    notes: &mut Vec<String>,
    decide: &mut dyn FnMut(&[Revocable<'_>]) -> std::io::Result<Decision>,
) -> Result<bool, PipelineError> {
    let candidates = revoke::candidates(findings, &output.occurrences);
    notes.extend(remembered_note("--revoke", "revoked", output));
    if candidates.is_empty() {
        notes.push("--revoke: no leaked token to revoke".to_owned());
        return Ok(false);
    }
    match decide(&candidates).map_err(PipelineError::Confirm)? {
        Decision::Hold(note) => {
            notes.push(note);
            Ok(false)
        }
        Decision::Send => {
            let secrets: Vec<&Secret> = candidates.iter().map(|c| c.secret).collect();
            let outcome = revoke::revoke(&secrets, policy);
            revoke::mark(findings, &outcome.requested);
            notes.extend(outcome.notes);
            Ok(outcome.failed)
        }
    }
}
