//! Verify (opt-in): what the Hub says each token is (DESIGN §7).
//!
//! Owns the endpoint rules (`https://`, or `http://` to loopback only), the HTTP client
//! (`GET {endpoint}/api/whoami-v2`, each unique token once, a few at a time, timeouts, bounded
//! retries on 429/5xx, no redirects, capped bodies) and the parsing of the answer into a
//! [`Verification`]. Runs after the walk, never inside it.
//!
//! It must not print, and a raw token must reach nothing but the `Authorization` header of a
//! request to the configured endpoint: every string that comes back (from the Hub or from an
//! error) is scrubbed of the token before it is kept.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::access::Entity;
use crate::http::{self, Attempt, Client, Deadline, Endpoint, Policy};
use crate::output::{escape, plural, redacted};
use crate::secret::{Fingerprint, Secret};

/// The Hub's answer for one token (DESIGN §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 200: the token works.
    Valid,
    /// 401: revoked or never valid.
    Invalid,
    /// 403: the token exists but may not call whoami: not "valid".
    Forbidden,
    /// Anything else, or no answer.
    Unknown,
    /// `--verify` was not asked for.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Forbidden => "forbidden",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }

    /// The Hub gave a definite answer about the token.
    pub fn is_answer(self) -> bool {
        matches!(self, Status::Valid | Status::Invalid | Status::Forbidden)
    }
}

/// What verification learned about one token. Never holds the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub status: Status,
    /// `read`, `write`, `god` or `fineGrained`; `None` for OAuth tokens and failures.
    pub role: Option<String>,
    pub token_name: Option<String>,
    pub owner: Option<String>,
    /// Fine-grained permissions: `global` ones and each `scoped[].permissions`, deduplicated.
    pub permissions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orgs: Vec<String>,
    /// A fine-grained token's `scoped` entries: each entity (`{"type", "name"}`) and the
    /// permissions on it. Absent for other tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoped: Option<Vec<crate::access::Scoped>>,
    /// A fine-grained token's `global` permissions. Absent for other tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<Vec<String>>,
    /// The account's role in each organisation (`roleInOrg`), where whoami-v2 gives it.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub org_roles: std::collections::BTreeMap<String, String>,
    /// Why the status is what it is (an HTTP status, a network error), for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Verification {
    pub fn skipped() -> Self {
        Verification {
            status: Status::Skipped,
            role: None,
            token_name: None,
            owner: None,
            permissions: Vec::new(),
            orgs: Vec::new(),
            scoped: None,
            global: None,
            org_roles: std::collections::BTreeMap::new(),
            detail: None,
        }
    }

    pub fn with_status(status: Status) -> Self {
        Verification {
            status,
            ..Verification::skipped()
        }
    }

    fn with_detail(status: Status, detail: impl Into<String>) -> Self {
        Verification {
            detail: Some(detail.into()),
            ..Verification::with_status(status)
        }
    }

    /// Permissions that can change something (HF010): see [`is_read_only_permission`].
    pub fn changing_permissions(&self) -> Vec<String> {
        self.permissions
            .iter()
            .filter(|p| !is_read_only_permission(p))
            .cloned()
            .collect()
    }
}

/// Permissions that cannot change anything: reads, and calling inference (which the Hub names
/// `…write` because it spends the owner's credits, not because it changes a repository).
pub fn is_read_only_permission(permission: &str) -> bool {
    permission.rsplit('.').next() == Some("read")
        || matches!(
            permission,
            "inference.serverless.write" | "inference.endpoints.infer.write"
        )
}

/// What verifying a set of tokens produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub verifications: HashMap<Fingerprint, Verification>,
    /// Lines for people: the endpoint asked, what could not be verified and why.
    pub notes: Vec<String>,
}

impl Outcome {
    /// Tokens the Hub gave a definite answer about (valid, invalid or forbidden).
    pub fn answered(&self) -> usize {
        self.verifications
            .values()
            .filter(|v| v.status.is_answer())
            .count()
    }
}

/// Most tokens one run asks the Hub about: a tree or a Hub answer that holds 100,000 distinct
/// tokens would otherwise be 100,000 requests. Past it, tokens are `unknown`, with a note.
pub const MAX_VERIFIED: usize = 1000;

/// Asks the Hub about each unique token once (the first [`MAX_VERIFIED`]), `opts.concurrency`
/// at a time, within the run's deadline. Never fails: a token the Hub could not be asked about
/// is `unknown`, and a note says why.
pub fn verify_tokens(secrets: &[&Secret], opts: &Policy) -> Outcome {
    let mut seen = HashSet::new();
    let mut unique: Vec<&Secret> = secrets
        .iter()
        .copied()
        .filter(|s| seen.insert(s.fingerprint()))
        .collect();
    let url = opts.endpoint.whoami_url();
    let mut outcome = Outcome::default();
    for s in unique.split_off(unique.len().min(MAX_VERIFIED)) {
        outcome.verifications.insert(
            s.fingerprint(),
            Verification::with_detail(
                Status::Unknown,
                format!("not asked: --verify asks about the first {MAX_VERIFIED} tokens of a run"),
            ),
        );
    }
    if unique.is_empty() {
        outcome.notes.push(format!(
            "--verify: no token to ask {} about",
            redacted(url.as_str())
        ));
        return outcome;
    }
    let http = match Client::new(opts) {
        Ok(c) => c,
        Err(err) => {
            let detail = format!("cannot set up the HTTP client: {}", http::error_text(&err));
            for s in &unique {
                outcome.verifications.insert(
                    s.fingerprint(),
                    Verification::with_detail(Status::Unknown, detail.clone()),
                );
            }
            outcome.notes.push(format!(
                "{} token{} not verified: {detail}",
                unique.len(),
                plural(unique.len())
            ));
            return outcome;
        }
    };
    let next = AtomicUsize::new(0);
    let results = Mutex::new(HashMap::with_capacity(unique.len()));
    let workers = opts.concurrency.clamp(1, unique.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(secret) = unique.get(i) else { break };
                let v = check(&http, &url, secret);
                results
                    .lock()
                    .expect("no worker panics while holding the lock")
                    .insert(secret.fingerprint(), v);
            });
        }
    });
    outcome
        .verifications
        .extend(results.into_inner().expect("workers are done"));
    outcome.notes.push(format!(
        "--verify asked {} about {} token{} ({} answered)",
        redacted(url.as_str()),
        unique.len(),
        plural(unique.len()),
        outcome.answered()
    ));
    outcome
        .notes
        .extend(notes(&outcome.verifications, &opts.endpoint));
    outcome
}

/// One note for the tokens left `unknown`, with their distinct reasons.
fn notes(verifications: &HashMap<Fingerprint, Verification>, endpoint: &Endpoint) -> Vec<String> {
    let total = verifications.len();
    let mut reasons: Vec<&str> = verifications
        .values()
        .filter(|v| v.status == Status::Unknown)
        .filter_map(|v| v.detail.as_deref())
        .collect();
    let unknown = verifications
        .values()
        .filter(|v| v.status == Status::Unknown)
        .count();
    if unknown == 0 {
        return Vec::new();
    }
    reasons.sort_unstable();
    reasons.dedup();
    let shown: Vec<&str> = reasons.iter().take(3).copied().collect();
    let more = if reasons.len() > shown.len() {
        format!("; and {} more", reasons.len() - shown.len())
    } else {
        String::new()
    };
    let what = if unknown == total {
        format!("could not verify any of the {total} token{}", plural(total))
    } else {
        format!("could not verify {unknown} of {total} tokens")
    };
    vec![format!(
        "{what} with {endpoint} ({}{more}); rules that need the Hub's answer were not checked for {}",
        shown.join("; "),
        if unknown == 1 { "it" } else { "them" }
    )]
}

/// Asks about one token: one GET, retried on 429 and 5xx within the bounds of `http`.
fn check(http: &Client<'_>, url: &Url, secret: &Secret) -> Verification {
    let Ok(mut auth) = HeaderValue::from_str(&format!("Bearer {}", secret.expose())) else {
        return Verification::with_detail(
            Status::Unknown,
            "the token holds characters that cannot be sent in a header",
        );
    };
    auth.set_sensitive(true);
    let v = http
        .call(
            |client| {
                client
                    .get(url.clone())
                    .header(AUTHORIZATION, auth.clone())
                    .header(ACCEPT, "application/json")
            },
            |response, deadline| whoami_answer(http, response, deadline),
        )
        .unwrap_or_else(|detail| Verification::with_detail(Status::Unknown, detail));
    scrub(v, secret)
}

/// What the whoami endpoint's answer means (DESIGN §7).
fn whoami_answer(
    http: &Client<'_>,
    response: reqwest::blocking::Response,
    deadline: Deadline,
) -> Attempt<Verification> {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let done = |status, detail: String| Attempt::Done(Verification::with_detail(status, detail));
    match status {
        200 => match http.read_body(response, deadline) {
            Ok(body) => Attempt::Done(parse_whoami(&body).unwrap_or_else(|why| {
                Verification::with_detail(Status::Unknown, format!("unexpected answer: {why}"))
            })),
            Err(detail) => done(Status::Unknown, detail),
        },
        401 => done(
            Status::Invalid,
            header("x-error-message").unwrap_or_else(|| "HTTP 401".to_owned()),
        ),
        403 => done(
            Status::Forbidden,
            header("x-error-message").unwrap_or_else(|| "HTTP 403".to_owned()),
        ),
        _ => match http::retry_or_fail(&response) {
            Ok(retry) => retry,
            Err(detail) => done(Status::Unknown, detail),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing and scrubbing

/// Parses a 200 answer of `whoami-v2` (see [`crate::access::parse`]): an object with the
/// account's `name` and an `auth` object. OAuth tokens come without `auth.accessToken`: they are
/// valid with no role. Anything else is `Err` (the status is then `unknown`, never `valid`).
pub fn parse_whoami(body: &[u8]) -> Result<Verification, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
    let map = crate::access::parse(value)?;
    Ok(Verification {
        status: Status::Valid,
        role: map.role,
        token_name: map.token_name,
        owner: Some(map.owner),
        permissions: map.permissions,
        org_roles: map
            .orgs
            .iter()
            .filter_map(|o| Some((o.name.clone(), o.role.clone()?)))
            .collect(),
        orgs: map.orgs.into_iter().map(|o| o.name).collect(),
        scoped: map.scoped,
        global: map.global,
        detail: None,
    })
}

/// Longest text kept from an answer (a name, a header).
const MAX_TEXT: usize = 200;

/// Cleans every string that came back: the token (should an endpoint echo it) becomes its
/// redacted form, long text is cut, and control, bidi and zero-width characters are escaped
/// (see [`crate::output::escape`]) so no answer can act on a terminal.
pub(crate) fn scrub(v: Verification, secret: &Secret) -> Verification {
    // An answer that spells the token in pieces (split across fields, zero-width or other
    // characters between its letters, lower case, backwards) passes the replacement in
    // `clean_text`: when the answer holds three or more of the token's four-character pieces,
    // every field holding one is withheld. A real answer holds none by chance (about 1 in 10^7).
    let pieces = secret.pieces();
    let found: HashSet<[u8; 4]> = texts_of(&v).flat_map(|t| pieces.in_text(t)).collect();
    let spelled = found.len() >= crate::secret::SPELLED;
    let clean = |text: String| {
        if spelled && !pieces.in_text(&text).is_empty() {
            WITHHELD.to_owned()
        } else {
            clean_text(&text, secret)
        }
    };
    Verification {
        status: v.status,
        role: v.role.map(clean),
        token_name: v.token_name.map(clean),
        owner: v.owner.map(clean),
        permissions: v.permissions.into_iter().map(clean).collect(),
        orgs: v.orgs.into_iter().map(clean).collect(),
        scoped: v.scoped.map(|all| {
            all.into_iter()
                .map(|s| crate::access::Scoped {
                    entity: crate::access::Entity {
                        kind: clean(s.entity.kind),
                        name: clean(s.entity.name),
                    },
                    permissions: s.permissions.into_iter().map(clean).collect(),
                })
                .collect()
        }),
        global: v.global.map(|g| g.into_iter().map(clean).collect()),
        org_roles: v
            .org_roles
            .into_iter()
            .map(|(o, r)| (clean(o), clean(r)))
            .collect(),
        detail: v.detail.map(clean),
    }
}

pub use crate::secret::WITHHELD;

/// Every string of an answer.
fn texts_of(v: &Verification) -> impl Iterator<Item = &String> {
    let scoped = v.scoped.iter().flatten().flat_map(|s| {
        [&s.entity.kind, &s.entity.name]
            .into_iter()
            .chain(&s.permissions)
    });
    v.role
        .iter()
        .chain(&v.token_name)
        .chain(&v.owner)
        .chain(&v.permissions)
        .chain(&v.orgs)
        .chain(scoped)
        .chain(v.global.iter().flatten())
        .chain(v.org_roles.iter().flat_map(|(k, r)| [k, r]))
        .chain(&v.detail)
}

/// See [`scrub`].
pub fn clean_text(text: &str, secret: &Secret) -> String {
    // The whole token, its body alone (an echo may drop the prefix), or pieces of it.
    let text = if secret.is_empty() {
        text.to_owned()
    } else {
        secret.unechoed(text)
    };
    let text = redacted(&text);
    if text.chars().count() > MAX_TEXT {
        let cut: String = text.chars().take(MAX_TEXT).collect();
        format!("{}…", escape(&cut).into_owned())
    } else {
        escape(&text).into_owned()
    }
}

/// What a token can write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteReach {
    /// Nothing: a read token, or a fine-grained token without `repo.write`.
    Nothing,
    /// Every repository of these namespaces, and these repositories (`model:acme/m`).
    Some {
        namespaces: Vec<String>,
        repos: Vec<Entity>,
    },
    /// The Hub did not say (not verified, an OAuth token, an unknown role).
    Unknown,
}

/// Organisation roles that may write to (or create) the organisation's repositories.
const WRITE_ROLES: &[&str] = &["admin", "write", "contributor"];

/// What `v` can write to: a classic `write` token everything its user and the organisations
/// where the user may write own; a fine-grained token what its `repo.write` entries name.
pub fn write_reach(v: &Verification) -> WriteReach {
    if v.status != Status::Valid {
        return WriteReach::Unknown;
    }
    match v.role.as_deref() {
        Some("read") => WriteReach::Nothing,
        Some("write" | "god") => {
            let mut namespaces: Vec<String> = v.owner.iter().cloned().collect();
            for org in &v.orgs {
                let role = v.org_roles.get(org).map(String::as_str);
                // An organisation whose role whoami did not give counts: fail closed.
                if role.is_none_or(|r| WRITE_ROLES.contains(&r)) {
                    namespaces.push(org.clone());
                }
            }
            WriteReach::Some {
                namespaces,
                repos: Vec::new(),
            }
        }
        Some("fineGrained") => {
            let can_write = |perms: &[String]| perms.iter().any(|p| p == "repo.write");
            if v.global.as_deref().is_some_and(can_write) {
                // Not a shape the Hub uses today: a write on everything the user can reach.
                let mut namespaces: Vec<String> = v.owner.iter().cloned().collect();
                namespaces.extend(v.orgs.iter().cloned());
                return WriteReach::Some {
                    namespaces,
                    repos: Vec::new(),
                };
            }
            let mut namespaces = Vec::new();
            let mut repos = Vec::new();
            for s in v.scoped.iter().flatten() {
                if !can_write(&s.permissions) {
                    continue;
                }
                if s.entity.is_namespace() {
                    namespaces.push(s.entity.name.clone());
                } else {
                    repos.push(s.entity.clone());
                }
            }
            if namespaces.is_empty() && repos.is_empty() {
                WriteReach::Nothing
            } else {
                WriteReach::Some { namespaces, repos }
            }
        }
        _ => WriteReach::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Scoped;
    use crate::secret::TokenKind;
    use serde_json::json;

    fn body(v: &Value) -> Vec<u8> {
        serde_json::to_vec(v).unwrap()
    }

    fn user(access_token: &Value) -> Value {
        json!({
            "type": "user",
            "id": "1",
            "name": "alice",
            "fullname": "Alice",
            "orgs": [{"type": "org", "name": "acme"}, {"type": "org", "name": "lab"}],
            "auth": {"type": "access_token", "accessToken": access_token}
        })
    }

    #[test]
    fn parses_read_write_and_god_tokens() {
        for role in ["read", "write", "god"] {
            let v = parse_whoami(&body(&user(&json!({
                "displayName": "laptop-eval",
                "role": role,
                "createdAt": "2024-01-01T00:00:00.000Z"
            }))))
            .unwrap();
            assert_eq!(v.status, Status::Valid);
            assert_eq!(v.role.as_deref(), Some(role));
            assert_eq!(v.token_name.as_deref(), Some("laptop-eval"));
            assert_eq!(v.owner.as_deref(), Some("alice"));
            assert_eq!(v.orgs, ["acme", "lab"]);
            assert!(v.permissions.is_empty());
        }
    }

    #[test]
    fn parses_fine_grained_permissions_global_then_scoped_deduplicated() {
        let v = parse_whoami(&body(&user(&json!({
            "displayName": "eval-server",
            "role": "fineGrained",
            "fineGrained": {
                "canReadGatedRepos": true,
                "global": ["inference.serverless.write", "discussion.write"],
                "scoped": [
                    {"entity": {"type": "model", "name": "acme/m"},
                     "permissions": ["repo.content.read", "repo.write"]},
                    {"entity": {"type": "org", "name": "acme"},
                     "permissions": ["repo.content.read", "inference.serverless.write"]}
                ]
            }
        }))))
        .unwrap();
        assert_eq!(v.role.as_deref(), Some("fineGrained"));
        assert_eq!(
            v.permissions,
            [
                "inference.serverless.write",
                "discussion.write",
                "repo.content.read",
                "repo.write"
            ]
        );
        assert_eq!(v.changing_permissions(), ["discussion.write", "repo.write"]);
        // The access map: scoped entities and global permissions, serialised as whoami has them.
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(
            json["scoped"],
            json!([
                {"entity": {"type": "model", "name": "acme/m"},
                 "permissions": ["repo.content.read", "repo.write"]},
                {"entity": {"type": "org", "name": "acme"},
                 "permissions": ["repo.content.read", "inference.serverless.write"]}
            ])
        );
        assert_eq!(
            json["global"],
            json!(["inference.serverless.write", "discussion.write"])
        );
    }

    #[test]
    fn classic_tokens_have_no_scoped_or_global_and_org_roles_are_kept() {
        let mut doc = user(&json!({"displayName": "laptop", "role": "write"}));
        doc["orgs"] =
            json!([{"type": "org", "name": "acme", "roleInOrg": "admin"}, {"name": "lab"}]);
        let v = parse_whoami(&body(&doc)).unwrap();
        let json = serde_json::to_value(&v).unwrap();
        assert!(
            json.get("scoped").is_none() && json.get("global").is_none(),
            "{json}"
        );
        assert_eq!(json["org_roles"], json!({"acme": "admin"}));
        assert_eq!(v.orgs, ["acme", "lab"]);
    }

    #[test]
    fn oauth_answer_is_valid_without_role() {
        let v = parse_whoami(&body(&json!({
            "type": "user",
            "name": "alice",
            "orgs": [],
            "auth": {"type": "oauth", "expiresAt": "2030-01-01T00:00:00.000Z"}
        })))
        .unwrap();
        assert_eq!(v.status, Status::Valid);
        assert_eq!(v.role, None);
        assert_eq!(v.token_name, None);
        assert_eq!(v.owner.as_deref(), Some("alice"));
        assert!(v.orgs.is_empty());
    }

    #[test]
    fn tolerates_missing_optional_fields() {
        let v = parse_whoami(br#"{"name": "alice", "auth": {"accessToken": {"role": "read", "displayName": null, "fineGrained": {"scoped": [{"permissions": null}, {}]}}}}"#).unwrap();
        assert_eq!(v.status, Status::Valid);
        assert_eq!(v.role.as_deref(), Some("read"));
        assert_eq!(v.owner.as_deref(), Some("alice"));
        assert_eq!(v.token_name, None);
        assert!(v.orgs.is_empty());
        assert!(v.permissions.is_empty());
    }

    #[test]
    fn an_answer_that_is_not_a_whoami_document_is_refused() {
        for body in [
            &b"not json"[..],
            b"<!doctype html><html><body>Welcome</body></html>",
            b"[1, 2]",
            b"",
            b"null",
            b"{}",
            br#"{"name": "alice"}"#,
            br#"{"auth": {"type": "access_token"}}"#,
            br#"{"name": null, "auth": {}}"#,
            br#"{"name": 5, "auth": {}}"#,
            br#"{"name": "alice", "auth": "yes"}"#,
            br#"{"name": "alice", "auth": {"accessToken": {"role": 5}}}"#,
            br#"{"name": "alice", "auth": {"accessToken": {"displayName": "x"}}}"#,
            br#"{"name": "alice", "auth": {}, "orgs": [{"x": 1}, 3]}"#,
            br#"{"name": "alice", "auth": {"accessToken": {"role": "read", "fineGrained": {"global": "x"}}}}"#,
        ] {
            let text = String::from_utf8_lossy(body);
            assert!(parse_whoami(body).is_err(), "{text}");
        }
    }

    #[test]
    fn read_only_permissions() {
        for p in [
            "repo.content.read",
            "inference.serverless.write",
            "inference.endpoints.infer.write",
            "collection.read",
        ] {
            assert!(is_read_only_permission(p), "{p}");
        }
        for p in ["repo.write", "discussion.write", "something.new", "readme"] {
            assert!(!is_read_only_permission(p), "{p}");
        }
    }

    #[test]
    fn scrub_removes_an_echoed_token_and_control_characters() {
        let raw = format!("hf_{}", "Zq8Lm3Np5Rt7Vx9Bc2Df4Gh6Jk1Ws0AyEu");
        let secret = Secret::new(&raw, TokenKind::UserAccessToken);
        let v = Verification {
            token_name: Some(format!("name {raw}\u{1b}[31m")),
            detail: Some(format!("bad token {raw}")),
            ..Verification::with_status(Status::Invalid)
        };
        let v = scrub(v, &secret);
        let name = v.token_name.unwrap();
        assert!(!name.contains(&raw[3..]), "{name}");
        assert!(!name.contains('\u{1b}'));
        assert!(name.ends_with("\\x1b[31m"), "{name}");
        assert!(!v.detail.unwrap().contains(&raw[3..]));
        let echoed = clean_text(&format!("unknown token {}", &raw[3..]), &secret);
        assert!(
            !echoed.contains(&raw[3..]),
            "the body alone is scrubbed too: {echoed}"
        );
        let other = format!("api_org_{}", &raw[3..]);
        assert!(!redacted(&format!("x {other} y")).contains(&raw[3..]));
        assert_eq!(
            redacted("hf_hub_download hf_token"),
            "hf_hub_download hf_token"
        );
        assert_eq!(
            clean_text(&"x".repeat(500), &secret).chars().count(),
            MAX_TEXT + 1
        );
    }

    #[test]
    fn an_answer_that_spells_the_token_in_pieces_is_withheld() {
        let body = "Zq8Lm3Np5Rt7Vx9Bc2Df4Gh6Jk1Ws0AyEu";
        let secret = Secret::new(&format!("hf_{body}"), TokenKind::UserAccessToken);
        let answer = |owner: String, name: String, orgs: Vec<String>| Verification {
            owner: Some(owner),
            token_name: Some(name),
            orgs,
            role: Some("write".into()),
            ..Verification::with_status(Status::Valid)
        };
        let spaced: String = body
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i % 6 == 0).then_some('\u{200b}').into_iter().chain([c]))
            .collect();
        let hostile = [
            // Split in two fields.
            answer(body[..17].into(), body[17..].into(), vec![]),
            // Zero-width spaces every six characters.
            answer(spaced, "ci".into(), vec![]),
            // Lower case behind a soft hyphen.
            answer(
                "alice".into(),
                format!("hf\u{ad}_{}", body.to_lowercase()),
                vec![],
            ),
            // Backwards.
            answer(body.chars().rev().collect(), "ci".into(), vec![]),
            // Five-character pieces, one per organisation.
            answer(
                "alice".into(),
                "ci".into(),
                body.as_bytes()
                    .chunks(5)
                    .map(|c| String::from_utf8(c.to_vec()).unwrap())
                    .collect(),
            ),
        ];
        for v in hostile {
            let v = scrub(v, &secret);
            let printed = format!("{:?} {:?} {:?}", v.owner, v.token_name, v.orgs);
            assert!(printed.contains(WITHHELD), "{printed}");
            let folded = |t: &str| -> Vec<u8> {
                t.bytes()
                    .filter(u8::is_ascii_alphanumeric)
                    .map(|b| b.to_ascii_lowercase())
                    .collect()
            };
            let shown = folded(&printed);
            for w in folded(body).windows(6) {
                assert!(!shown.windows(6).any(|p| p == w), "{printed}");
            }
            assert_eq!(v.role.as_deref(), Some("write"), "the rest is kept");
        }
        // An honest answer keeps everything.
        let honest = scrub(
            Verification {
                permissions: vec![
                    "repo.content.read".into(),
                    "inference.serverless.write".into(),
                ],
                ..answer(
                    "alice-smith".into(),
                    "github-actions-ci".into(),
                    vec!["huggingface".into(), "acme-research".into()],
                )
            },
            &secret,
        );
        assert_eq!(honest.owner.as_deref(), Some("alice-smith"));
        assert_eq!(honest.token_name.as_deref(), Some("github-actions-ci"));
        assert_eq!(honest.orgs, ["huggingface", "acme-research"]);
    }

    #[test]
    fn nothing_to_verify_asks_nothing() {
        let opts = Policy::new(Endpoint::parse("http://127.0.0.1:9").unwrap());
        let out = verify_tokens(&[], &opts);
        assert!(out.verifications.is_empty());
        assert_eq!(
            out.notes,
            ["--verify: no token to ask http://127.0.0.1:9/api/whoami-v2 about"]
        );
    }

    #[test]
    fn network_errors_never_hold_the_token() {
        // A loopback port nothing listens on.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let opts = Policy::new(Endpoint::parse(&format!("http://{closed}")).unwrap());
        let client = Client::new(&opts).unwrap();
        let url = opts.endpoint.whoami_url();
        let raw = format!("hf_{}", "Pq7Rs9Tu1Vw3Xy5Za2Bc4De6Fg8Hi0JkLm");
        let secret = Secret::new(&raw, TokenKind::UserAccessToken);
        let mut auth = HeaderValue::from_str(&format!("Bearer {raw}")).unwrap();
        auth.set_sensitive(true);
        let err = client
            .inner
            .get(url.clone())
            .header(AUTHORIZATION, auth)
            .send()
            .unwrap_err();
        for text in [
            format!("{err}"),
            format!("{err:?}"),
            format!("{err:#?}"),
            http::error_text(&err),
        ] {
            assert!(!text.contains(&raw[3..]), "{text}");
            assert!(!text.contains("Bearer"), "{text}");
        }
        let v = check(&client, &url, &secret);
        assert_eq!(v.status, Status::Unknown);
        assert!(
            v.detail.as_deref().unwrap().starts_with("cannot connect"),
            "{v:?}"
        );
        assert!(!format!("{v:?}").contains(&raw[3..]));
    }

    fn verified(role: &str) -> Verification {
        Verification {
            role: Some(role.into()),
            owner: Some("alice".into()),
            orgs: vec!["acme".into(), "lab".into(), "old".into()],
            ..Verification::with_status(crate::verify::Status::Valid)
        }
    }

    #[test]
    fn write_reach_of_classic_tokens_follows_org_roles() {
        let mut v = verified("write");
        v.org_roles.insert("acme".into(), "admin".into());
        v.org_roles.insert("lab".into(), "read".into());
        assert_eq!(
            write_reach(&v),
            WriteReach::Some {
                namespaces: vec!["alice".into(), "acme".into(), "old".into()],
                repos: vec![]
            }
        );
        assert_eq!(write_reach(&verified("read")), WriteReach::Nothing);
        assert_eq!(
            write_reach(&Verification::skipped()),
            WriteReach::Unknown,
            "not verified"
        );
        let mut oauth = verified("x");
        oauth.role = None;
        assert_eq!(write_reach(&oauth), WriteReach::Unknown);
    }

    #[test]
    fn write_reach_of_fine_grained_tokens_is_their_repo_write_entries() {
        let grant = |kind: &str, name: &str, perms: &[&str]| Scoped {
            entity: Entity {
                kind: kind.into(),
                name: name.into(),
            },
            permissions: perms.iter().map(|p| (*p).to_owned()).collect(),
        };
        let mut v = verified("fineGrained");
        v.global = Some(vec!["inference.serverless.write".into()]);
        v.scoped = Some(vec![
            grant("model", "acme/m1", &["repo.content.read", "repo.write"]),
            grant("dataset", "acme/d", &["repo.content.read"]),
            grant("org", "lab", &["repo.write"]),
        ]);
        assert_eq!(
            write_reach(&v),
            WriteReach::Some {
                namespaces: vec!["lab".into()],
                repos: vec![Entity {
                    kind: "model".into(),
                    name: "acme/m1".into()
                }]
            }
        );
        v.scoped = Some(vec![grant("dataset", "acme/d", &["repo.content.read"])]);
        assert_eq!(write_reach(&v), WriteReach::Nothing);
    }
}
