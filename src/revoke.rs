//! Revoke (opt-in): ask the Hub to invalidate the tokens a scan found leaked (issue 13, DESIGN
//! §10).
//!
//! Owns which tokens may be sent (leaked ones only: never a public test token, a token the Hub
//! already called invalid, nor one that is suppressed or baselined), how they are shown before
//! they go (redacted, with fingerprint and places), and the request: `POST
//! {endpoint}/api/credentials/revoke` with `{"credentials": [...]}`, no authentication, one
//! request per batch, through verification's HTTP client (same endpoint rule, https rule,
//! deadlines and retries). The Hub answers 202 whatever the tokens were, so nothing can be
//! learned about a token this way, and it e-mails each owner.
//!
//! It must not print (the CLI asks and shows), and a raw token reaches nothing but the body of
//! that request.

use std::collections::{BTreeMap, HashSet};

use reqwest::header::ACCEPT;

use crate::http::{self, Attempt, Client, Endpoint, Policy};
use crate::judge::{Finding, Revocation};
use crate::model::Occurrence;
use crate::secret::{Fingerprint, Secret};
use crate::verify::{self, Status};

/// The path tokens are posted to, below the endpoint.
pub const REVOKE_PATH: &str = "api/credentials/revoke";

/// Tokens per request: a large leak is sent in a few requests, not one huge body.
pub const BATCH: usize = 100;

/// Rules whose findings mean "this token leaked here".
const LEAK_RULES: &[&str] = &["HF001", "HF004", "HF005", "HF009"];

/// A token that would be sent, and where it leaked.
#[derive(Debug)]
pub struct Revocable<'a> {
    pub secret: &'a Secret,
    /// `path:line:column` (or `path (byte N)`) of each leak finding, in report order.
    pub places: Vec<String>,
}

/// The leaked tokens of a report, in the order of their first finding. Only tokens with a leak
/// finding that is still reported count: suppressed and baselined findings are gone from
/// `findings` already, public test tokens are HF011 (not a leak rule), and a token the Hub
/// called invalid (`--verify`) is skipped, since it no longer works.
pub fn candidates<'a>(findings: &[Finding], occurrences: &'a [Occurrence]) -> Vec<Revocable<'a>> {
    let mut secrets: BTreeMap<Fingerprint, &'a Secret> = BTreeMap::new();
    // A token remembered from an earlier run (`--state`) has no text to send.
    for occ in occurrences.iter().filter(|o| !o.secret.is_remembered()) {
        secrets
            .entry(occ.secret.fingerprint())
            .or_insert(&occ.secret);
    }
    let mut out: Vec<Revocable<'a>> = Vec::new();
    for f in findings {
        let Some(token) = &f.token else { continue };
        if !LEAK_RULES.contains(&f.rule.as_str()) || f.verification.status == Status::Invalid {
            continue;
        }
        let Some(secret) = secrets.get(&token.fingerprint).copied() else {
            continue;
        };
        let place = match (f.line, f.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path),
            _ => format!("{} (byte {})", f.path, f.offset),
        };
        match out
            .iter_mut()
            .find(|c| c.secret.fingerprint() == token.fingerprint)
        {
            Some(c) => c.places.push(place),
            None => out.push(Revocable {
                secret,
                places: vec![place],
            }),
        }
    }
    out
}

/// The list people see before anything is sent: one line per token, redacted.
pub fn describe(candidates: &[Revocable<'_>]) -> String {
    let mut out = String::new();
    for c in candidates {
        let shown: Vec<String> = c
            .places
            .iter()
            .map(|p| crate::output::escape(p).into_owned())
            .collect();
        let more = if shown.len() > 5 {
            format!(" and {} more", shown.len() - 5)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {} (fingerprint {}) at {}{more}\n",
            c.secret.redacted(),
            c.secret.fingerprint(),
            shown.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    out
}

/// What `--revoke --dry-run` would send: the request, with every token redacted.
pub fn dry_run(candidates: &[Revocable<'_>], endpoint: &Endpoint) -> String {
    let url = revoke_url(endpoint);
    let mut out = String::new();
    for batch in candidates.chunks(BATCH) {
        let redacted: Vec<String> = batch.iter().map(|c| c.secret.redacted()).collect();
        let body = serde_json::json!({ "credentials": redacted });
        out.push_str(&format!("POST {url}\n{body}\n"));
    }
    out
}

/// `{endpoint}/api/credentials/revoke`.
pub fn revoke_url(endpoint: &Endpoint) -> reqwest::Url {
    endpoint.url(REVOKE_PATH)
}

/// What sending came to.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Tokens the Hub accepted a revocation request for.
    pub requested: HashSet<Fingerprint>,
    /// Lines for people: what was sent where, and what failed.
    pub notes: Vec<String>,
    /// Some batch could not be sent (the scan's exit code says so).
    pub failed: bool,
}

/// Sends the tokens, one `POST` per batch of [`BATCH`]. Never panics; a batch that fails is a
/// note, and its tokens are not marked.
pub fn revoke(secrets: &[&Secret], opts: &Policy) -> Outcome {
    let mut outcome = Outcome::default();
    let mut seen = HashSet::new();
    let unique: Vec<&Secret> = secrets
        .iter()
        .copied()
        .filter(|s| seen.insert(s.fingerprint()))
        .collect();
    if unique.is_empty() {
        return outcome;
    }
    let url = revoke_url(&opts.endpoint);
    let http = match Client::new(opts) {
        Ok(h) => h,
        Err(err) => {
            outcome.failed = true;
            outcome.notes.push(format!(
                "revocation not requested: cannot set up the HTTP client ({})",
                crate::output::redacted(&err.to_string())
            ));
            return outcome;
        }
    };
    let mut sent = 0usize;
    let mut failures = Vec::new();
    for batch in unique.chunks(BATCH) {
        let body = serde_json::json!({
            "credentials": batch.iter().map(|s| s.expose()).collect::<Vec<_>>()
        });
        let result = http.call(
            |client| {
                client
                    .post(url.clone())
                    .header(ACCEPT, "application/json")
                    .json(&body)
            },
            |response, _deadline| {
                if response.status().is_success() {
                    // 202 whatever the tokens were: there is nothing more to read.
                    return Attempt::Done(Ok(()));
                }
                match http::retry_or_fail(&response) {
                    Ok(retry) => retry,
                    Err(detail) => Attempt::Done(Err(detail)),
                }
            },
        );
        match result.and_then(|r| r) {
            Ok(()) => {
                sent += batch.len();
                outcome
                    .requested
                    .extend(batch.iter().map(|s| s.fingerprint()));
            }
            Err(detail) => {
                // Text from the network: scrub every token of the batch out of it.
                let detail = batch.iter().fold(detail, |d, s| verify::clean_text(&d, s));
                failures.push((batch.len(), detail));
            }
        }
    }
    let shown = crate::output::redacted(url.as_str());
    if sent > 0 {
        outcome.notes.push(format!(
            "--revoke asked the Hub to revoke {sent} token{} (POST {shown}); the Hub e-mails each \
             owner. Each owner must create a new token for every platform that used the old one, \
             with the least role it needs (https://huggingface.co/settings/tokens), and the tokens \
             stay in git history until it is rewritten (see {}/blob/main/docs/verify.md#after-revoking)",
            crate::output::plural(sent),
            env!("CARGO_PKG_REPOSITORY"),
        ));
    }
    for (n, detail) in failures {
        outcome.failed = true;
        outcome.notes.push(format!(
            "--revoke could not send {n} token{} to {shown}: {detail}; they were not revoked",
            crate::output::plural(n)
        ));
    }
    outcome
}

/// Marks the findings of every token the Hub accepted (`"revocation": "requested"`).
pub fn mark<S: std::hash::BuildHasher>(
    findings: &mut [Finding],
    requested: &HashSet<Fingerprint, S>,
) {
    for f in findings {
        if f.token
            .as_ref()
            .is_some_and(|t| requested.contains(&t.fingerprint))
        {
            f.revocation = Some(Revocation::Requested);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::model::ScanOutput;
    use crate::verify::Verification;
    use std::collections::HashMap;

    /// Fake token bodies, split so no token-shaped literal lives in the repository.
    fn token(n: u8) -> String {
        format!(
            "hf_{}{}yEu",
            "Zq8Lm3Np5Rt7Vx9Bc2Df4Gh6Jk1Ws0",
            (b'A' + n) as char
        )
    }

    /// `text` as the file `app.py`, through the inspector and the fold.
    fn scan(engine: &Engine, text: &str) -> ScanOutput {
        let mut output = ScanOutput::default();
        let found = engine.inspector().inspect(
            crate::origin::Origin::File("app.py".into()),
            text.as_bytes(),
        );
        crate::fold::record(&mut output, &crate::fold::Progress::default(), found);
        crate::fold::finish(&mut output, &engine.listing);
        output
    }

    #[test]
    fn only_leaked_live_tokens_are_candidates() {
        let mut engine = Engine::builtin().unwrap();
        let (leaked, public, allowed, invalid) = (token(0), token(1), token(2), token(3));
        engine.public_tokens.insert(Fingerprint::of(&public));
        let org = format!("api_org_{}", &leaked[3..]);
        let text = format!(
            "a = \"{leaked}\"\nb = \"{public}\"\n# hfaudit:allow\nc = \"{allowed}\"\nd = \"{invalid}\"\ne = \"{org}\"\nf = \"{leaked}\"\n"
        );
        let output = scan(&engine, &text);
        let mut verifications = HashMap::new();
        verifications.insert(
            Fingerprint::of(&invalid),
            Verification::with_status(Status::Invalid),
        );
        let judged = engine.judge(&output, Some(&verifications));
        let found = candidates(&judged.findings, &output.occurrences);
        let got: Vec<(String, Vec<String>)> = found
            .iter()
            .map(|c| (c.secret.expose().to_owned(), c.places.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    leaked.clone(),
                    vec!["app.py:1:6".to_owned(), "app.py:7:6".to_owned()]
                ),
                (org.clone(), vec!["app.py:6:6".to_owned()]),
            ]
        );
        let shown = describe(&found);
        assert!(!shown.contains(&leaked[3..]), "{shown}");
        assert!(shown.contains("at app.py:1:6, app.py:7:6"), "{shown}");
        let endpoint = Endpoint::parse("https://hub.example").unwrap();
        let dry = dry_run(&found, &endpoint);
        assert!(dry.starts_with("POST https://hub.example/api/credentials/revoke\n"));
        assert!(!dry.contains(&leaked[3..]), "{dry}");
    }

    #[test]
    fn marks_every_finding_of_a_requested_token() {
        let engine = Engine::builtin().unwrap();
        let (a, b) = (token(4), token(5));
        let text = format!("x = \"{a}\"\ny = \"{b}\"\n");
        let output = scan(&engine, &text);
        let mut findings = engine.judge(&output, None).findings;
        mark(&mut findings, &HashSet::from([Fingerprint::of(&a)]));
        let marked: Vec<bool> = findings.iter().map(|f| f.revocation.is_some()).collect();
        assert_eq!(marked, [true, false]);
    }
}
