//! `hfaudit whoami`: the user's own tokens, audited against the Hub's advice.
//!
//! Finds the active token (`HF_TOKEN`, else the token file) and the named tokens that
//! `hf auth login` keeps in `stored_tokens`, asks the Hub about each unique one once (through
//! `verify`), and says what advice applies. It reads the environment and two files; it prints
//! nothing (that is `report::whoami`), and a token lives only inside a `Secret`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::http;
use crate::judge::{is_generic_name, TokenInfo};
use crate::rules::{RuleSet, Severity};
use crate::secret::{Secret, TokenKind};
use crate::verify::{self, Status, Verification};

/// Where the tokens of this machine are, as `huggingface_hub` looks for them.
#[derive(Debug)]
pub struct Places {
    /// `HF_TOKEN` (or the older `HUGGING_FACE_HUB_TOKEN`) and its value, when set and not empty.
    pub env_token: Option<(&'static str, Secret)>,
    /// `$HF_TOKEN_PATH`, else `$HF_HOME/token`.
    pub token_file: PathBuf,
    /// `$HF_HOME/stored_tokens`.
    pub stored_tokens: PathBuf,
}

impl Places {
    /// From the process environment.
    pub fn from_env() -> Self {
        Places::resolve(|name| std::env::var(name).ok())
    }

    /// From any environment: `get(name)` is a variable's value. `HF_HOME` defaults to
    /// `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`.
    pub fn resolve(get: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let env_token = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]
            .into_iter()
            .find_map(|name| set(name).map(|v| (name, secret_of(v.trim()))));
        let hf_home = set("HF_HOME").map_or_else(
            || {
                let cache = set("XDG_CACHE_HOME").map_or_else(
                    || {
                        set("HOME")
                            .or_else(|| set("USERPROFILE"))
                            .map_or_else(|| PathBuf::from("."), PathBuf::from)
                            .join(".cache")
                    },
                    PathBuf::from,
                );
                cache.join("huggingface")
            },
            PathBuf::from,
        );
        Places {
            env_token,
            token_file: set("HF_TOKEN_PATH").map_or_else(|| hf_home.join("token"), PathBuf::from),
            stored_tokens: hf_home.join("stored_tokens"),
        }
    }
}

/// A token of this machine and everywhere it was found.
#[derive(Debug)]
pub struct Owned {
    pub secret: Secret,
    /// `HF_TOKEN`, `token file PATH`, `stored_tokens [NAME]`.
    pub sources: Vec<String>,
    /// The token `huggingface_hub` would use.
    pub active: bool,
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Found {
    /// Active first, then the token file's, then `stored_tokens` in file order; one per token.
    pub tokens: Vec<Owned>,
    /// Files that exist but could not be read.
    pub problems: Vec<String>,
}

impl Found {
    fn add(&mut self, secret: Secret, source: String, active: bool) {
        let fp = secret.fingerprint();
        if let Some(t) = self
            .tokens
            .iter_mut()
            .find(|t| t.secret.fingerprint() == fp)
        {
            t.sources.push(source);
            t.active |= active;
        } else {
            self.tokens.push(Owned {
                secret,
                sources: vec![source],
                active,
            });
        }
    }
}

/// The kind of a token from its prefix; anything else counts as a user access token.
pub fn secret_of(text: &str) -> Secret {
    let kind = [
        TokenKind::OauthToken,
        TokenKind::CiToken,
        TokenKind::OrgApiToken,
    ]
    .into_iter()
    .find(|k| text.starts_with(k.prefix()))
    .unwrap_or(TokenKind::UserAccessToken);
    Secret::new(text, kind)
}

/// The largest token file read: a token is under 100 bytes.
const MAX_TOKEN_FILE: u64 = 64 << 10;
/// The largest `stored_tokens` read: a few hundred tokens.
const MAX_STORED_TOKENS: u64 = 1 << 20;

/// `path` for a message: invisible characters escaped (the path comes from the environment).
fn shown(path: &Path) -> String {
    crate::output::escape(&path.display().to_string()).into_owned()
}

/// Reads `path` if it is a regular file of at most `max` bytes; a missing file is `Ok(None)`.
/// A FIFO, a device (`/dev/zero`), a folder or an endless pseudo-file (`/proc/self/pagemap`,
/// which claims to be a regular file of size 0) is a problem named with its path, never a hang
/// or a read of everything: the file is opened without blocking, checked with `fstat`, and read
/// only up to `max`.
fn read_optional(path: &Path, max: u64) -> Result<Option<String>, String> {
    match crate::files::read_regular_file(path, max) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(format!(
            "cannot read {}: it holds more than {} KiB, too much for a token file",
            shown(path),
            max >> 10
        )),
        Err(e) => Err(format!("cannot read {}: {e}", shown(path))),
    }
}

/// Finds the tokens of this machine (see [`Places`]).
pub fn discover(places: &Places) -> Found {
    let mut found = Found::default();
    if let Some((name, secret)) = &places.env_token {
        found.add(secret.clone(), (*name).to_owned(), true);
    }
    match read_optional(&places.token_file, MAX_TOKEN_FILE) {
        Ok(Some(text)) if !text.trim().is_empty() => found.add(
            secret_of(text.trim()),
            format!("token file {}", shown(&places.token_file)),
            places.env_token.is_none(),
        ),
        Ok(_) => {}
        Err(problem) => found.problems.push(problem),
    }
    match read_optional(&places.stored_tokens, MAX_STORED_TOKENS) {
        Ok(Some(text)) => {
            for (name, secret) in parse_stored_tokens(&text) {
                // A section name is the user's, but the file may not be: escape what a
                // terminal would act on.
                let name = crate::output::escape(&name).into_owned();
                found.add(secret, format!("stored_tokens [{name}]"), false);
            }
        }
        Ok(None) => {}
        Err(problem) => found.problems.push(problem),
    }
    found
}

/// `stored_tokens` is an INI file: a `[name]` section per token with `hf_token = …`.
pub fn parse_stored_tokens(text: &str) -> Vec<(String, Secret)> {
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            section = Some(name.trim().to_owned());
            continue;
        }
        let Some((key, value)) = t.split_once(['=', ':']) else {
            continue;
        };
        let value = value.trim();
        if let Some(name) = &section {
            if key.trim().eq_ignore_ascii_case("hf_token") && !value.is_empty() {
                out.push((name.clone(), secret_of(value)));
            }
        }
    }
    out
}

/// One piece of advice about one token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// The scan rule this advice comes from, if any.
    pub rule: Option<String>,
    pub severity: Severity,
    pub message: String,
    /// What to do, from the rule's fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// The advice that applies to a token of `kind` the Hub described as `v`. Unlike a scan, the
/// need is unknown here: a write role is a warning ("unless this machine pushes"), not an error.
pub fn advise(kind: TokenKind, v: &Verification, rules: &RuleSet) -> Vec<Advice> {
    let help = |id: &str| {
        rules
            .get(id)
            .map(|r| r.fix.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let advice = |id: Option<&str>, severity, message: String| Advice {
        rule: id.map(str::to_owned),
        severity,
        message,
        help: id.and_then(help),
    };
    let mut out = Vec::new();
    if kind == TokenKind::OrgApiToken {
        out.push(advice(
            Some("HF009"),
            Severity::Warning,
            "legacy organization API token, a kind the Hub removed in 2024 (it no longer works): \
             remove it and use a fine-grained user access token"
                .to_owned(),
        ));
    }
    match v.status {
        Status::Invalid => out.push(advice(
            Some("HF006"),
            Severity::Warning,
            "the Hub rejects this token (revoked or never valid): remove it from this machine"
                .to_owned(),
        )),
        Status::Forbidden => out.push(advice(
            None,
            Severity::Info,
            "the Hub answered 403: the token exists but may not call whoami, so its role is unknown"
                .to_owned(),
        )),
        Status::Valid => {
            if let Some(role @ ("write" | "god")) = v.role.as_deref() {
                out.push(advice(
                    Some("HF002"),
                    Severity::Warning,
                    format!("{role} token: use a read token unless this machine pushes to the Hub"),
                ));
            }
            let changing = v.changing_permissions();
            if v.role.as_deref() == Some("fineGrained") && !changing.is_empty() {
                out.push(advice(
                    Some("HF010"),
                    Severity::Warning,
                    format!(
                        "fine-grained token that can change things ({}): keep only read \
                         permissions unless this machine pushes to the Hub",
                        changing.join(", ")
                    ),
                ));
            }
            if is_generic_name(v.token_name.as_deref()) {
                out.push(advice(
                    Some("HF007"),
                    Severity::Info,
                    format!(
                        "token named \"{}\": the name does not say which platform uses it",
                        v.token_name.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
        Status::Unknown | Status::Skipped => {}
    }
    out
}

/// One token of the audit, as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub token: TokenInfo,
    pub active: bool,
    pub sources: Vec<String>,
    pub verification: Verification,
    pub advice: Vec<Advice>,
}

/// The whole audit.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub endpoint: String,
    pub tokens: Vec<Entry>,
    pub notes: Vec<String>,
}

impl Audit {
    /// The most severe advice, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.tokens
            .iter()
            .flat_map(|e| e.advice.iter().map(|a| a.severity))
            .max()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.tokens
            .iter()
            .flat_map(|e| &e.advice)
            .filter(|a| a.severity == severity)
            .count()
    }
}

/// Verifies every found token once and gives each its advice.
pub fn audit(found: Found, opts: &http::Policy, rules: &RuleSet) -> Audit {
    let secrets: Vec<&Secret> = found.tokens.iter().map(|t| &t.secret).collect();
    let outcome = verify::verify_tokens(&secrets, opts);
    let mut verifications: HashMap<_, _> = outcome.verifications;
    let tokens = found
        .tokens
        .iter()
        .map(|t| {
            let fp = t.secret.fingerprint();
            let verification = verifications
                .remove(&fp)
                .unwrap_or_else(|| Verification::with_status(Status::Unknown));
            Entry {
                token: TokenInfo {
                    kind: t.secret.kind(),
                    redacted: t.secret.redacted(),
                    fingerprint: fp,
                },
                active: t.active,
                sources: t.sources.clone(),
                advice: advise(t.secret.kind(), &verification, rules),
                verification,
            }
        })
        .collect();
    let mut notes = found.problems;
    notes.extend(outcome.notes);
    Audit {
        endpoint: opts.endpoint.to_string(),
        tokens,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> String {
        // Split so no token-shaped literal lives in the repository.
        ["Ab3dEf5hIj7lMn9pQr", "1tUv2xYz4BcDe6GhJk"].concat()
    }

    #[test]
    fn stored_tokens_ini() {
        let text = format!(
            "# comment\n[laptop eval]\nhf_token = hf_{b}\n\n[ci]\nHF_TOKEN:hf_{b}x\nother = 1\n[empty]\nhf_token =\n",
            b = body()
        );
        let parsed = parse_stored_tokens(&text);
        let names: Vec<&str> = parsed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["laptop eval", "ci"]);
        assert_eq!(parsed[0].1.expose(), format!("hf_{}", body()));
        assert_eq!(parsed[1].1.expose(), format!("hf_{}x", body()));
    }

    #[test]
    fn token_files_are_read_only_when_regular_and_small() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        assert_eq!(read_optional(&path, 16), Ok(None));
        std::fs::write(&path, "hf_abc\n").unwrap();
        assert_eq!(read_optional(&path, 16), Ok(Some("hf_abc\n".to_owned())));
        std::fs::write(&path, "x".repeat(17)).unwrap();
        let err = read_optional(&path, 16).unwrap_err();
        assert!(err.contains("more than 0 KiB"), "{err}");
        let err = read_optional(dir.path(), 16).unwrap_err();
        assert!(err.ends_with("it is a folder, not a regular file"), "{err}");
        #[cfg(unix)]
        {
            let err = read_optional(Path::new("/dev/zero"), 16).unwrap_err();
            assert!(err.contains("a character device"), "{err}");
        }
    }

    #[test]
    fn kinds_from_prefix() {
        assert_eq!(secret_of("hf_abc").kind(), TokenKind::UserAccessToken);
        assert_eq!(secret_of("hf_oauth_abc").kind(), TokenKind::OauthToken);
        assert_eq!(secret_of("hf_jwt_abc").kind(), TokenKind::CiToken);
        assert_eq!(secret_of("api_org_abc").kind(), TokenKind::OrgApiToken);
    }

    #[test]
    fn places_follow_huggingface_hub() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let p = Places::resolve(env(&[("HOME", "/home/a")]));
        assert!(p.env_token.is_none());
        assert_eq!(p.token_file, Path::new("/home/a/.cache/huggingface/token"));
        assert_eq!(
            p.stored_tokens,
            Path::new("/home/a/.cache/huggingface/stored_tokens")
        );
        let p = Places::resolve(env(&[("HOME", "/home/a"), ("XDG_CACHE_HOME", "/c")]));
        assert_eq!(p.token_file, Path::new("/c/huggingface/token"));
        let p = Places::resolve(env(&[
            ("HF_HOME", "/hf"),
            ("HF_TOKEN_PATH", "/t/tok"),
            ("HF_TOKEN", " x "),
        ]));
        assert_eq!(p.token_file, Path::new("/t/tok"));
        assert_eq!(p.stored_tokens, Path::new("/hf/stored_tokens"));
        let (name, secret) = p.env_token.unwrap();
        assert_eq!((name, secret.expose()), ("HF_TOKEN", "x"));
        let p = Places::resolve(env(&[("HF_TOKEN", ""), ("HUGGING_FACE_HUB_TOKEN", "y")]));
        assert_eq!(p.env_token.unwrap().0, "HUGGING_FACE_HUB_TOKEN");
    }

    #[test]
    fn advice_table() {
        let rules = RuleSet::builtin().unwrap();
        let valid = |role: &str, name: &str, perms: &[&str]| Verification {
            role: Some(role.to_owned()),
            token_name: Some(name.to_owned()),
            permissions: perms.iter().map(|p| (*p).to_owned()).collect(),
            ..Verification::with_status(Status::Valid)
        };
        let ids = |kind, v: &Verification| -> Vec<Option<String>> {
            advise(kind, v, &rules)
                .into_iter()
                .map(|a| a.rule)
                .collect()
        };
        let user = TokenKind::UserAccessToken;
        assert!(ids(user, &valid("read", "colab-eval", &[])).is_empty());
        assert_eq!(
            ids(user, &valid("write", "laptop", &[])),
            [Some("HF002".into())]
        );
        assert_eq!(
            ids(user, &valid("god", "laptop", &[])),
            [Some("HF002".into())]
        );
        assert_eq!(
            ids(user, &valid("read", "token", &[])),
            [Some("HF007".into())]
        );
        assert_eq!(
            ids(
                user,
                &valid("fineGrained", "ci", &["repo.content.read", "repo.write"])
            ),
            [Some("HF010".into())]
        );
        assert!(ids(user, &valid("fineGrained", "ci", &["repo.content.read"])).is_empty());
        assert_eq!(
            ids(user, &Verification::with_status(Status::Invalid)),
            [Some("HF006".into())]
        );
        assert_eq!(
            ids(
                TokenKind::OrgApiToken,
                &Verification::with_status(Status::Unknown)
            ),
            [Some("HF009".into())]
        );
        let oauth = Verification::with_status(Status::Valid);
        assert!(ids(TokenKind::OauthToken, &oauth).is_empty());
        let a = advise(user, &valid("write", "token", &[]), &rules);
        assert_eq!(a[0].severity, Severity::Warning);
        assert_eq!(a[1].severity, Severity::Info);
        assert!(a[0].help.is_some());
    }
}
