//! The one type that holds a raw token.
//!
//! `Secret` has no `Serialize`, and its `Debug` and `Display` print the redacted form, so a token
//! cannot leak through a report, a log line or a panic message by accident. The only way to the
//! raw text is [`Secret::expose`], which the verifier uses to build its `Authorization` header.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of Hugging Face credential a match is (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// `hf_` + 34 alphanumerics: a user access token.
    UserAccessToken,
    /// `api_org_` + 34 alphanumerics: a legacy organization API token.
    OrgApiToken,
    /// `hf_oauth_…`: an OAuth access token.
    OauthToken,
    /// `hf_jwt_…`: a short-lived signed token (CI, Spaces).
    CiToken,
}

impl TokenKind {
    /// The literal prefix of this kind of token.
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::UserAccessToken => "hf_",
            TokenKind::OrgApiToken => "api_org_",
            TokenKind::OauthToken => "hf_oauth_",
            TokenKind::CiToken => "hf_jwt_",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::UserAccessToken => "user_access_token",
            TokenKind::OrgApiToken => "org_api_token",
            TokenKind::OauthToken => "oauth_token",
            TokenKind::CiToken => "ci_token",
        }
    }
}

/// The first 16 hex digits of the SHA-256 of a token's exact text: stable, and safe to print.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn of(text: &str) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        let mut hex = String::with_capacity(16);
        for byte in &digest[..8] {
            use fmt::Write;
            let _ = write!(hex, "{byte:02x}");
        }
        Fingerprint(hex)
    }

    /// Accepts 16 lower-case hex digits (as written in config and baseline files).
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Fingerprint(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    /// Only 16 lower-case hex digits: a fingerprint read back (a state file, a report) is
    /// checked as one written in a config.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Fingerprint::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("a fingerprint is 16 lower-case hex digits"))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A raw token. Never serialised; printed only redacted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret {
    text: Box<str>,
    kind: TokenKind,
    /// A token remembered from an earlier run (`--state`, `hfaudit merge`): its fingerprint and
    /// redacted form only, never its text.
    memory: Option<Box<(Fingerprint, Box<str>)>>,
}

/// What text from a server that spells the token in pieces is replaced with.
pub const WITHHELD: &str = "[withheld: it spells part of the token]";

/// How many of the token's four-character pieces make a text "spell" it: a real answer holds
/// none by chance (about one in ten million for a few hundred characters).
pub const SPELLED: usize = 3;

/// `text` with an underscore written as an escape (`%5F`, `\x5f`, `\u005f`) written plainly:
/// a server's message that spells a token `hf%5F…` then meets the redaction of `hf_…` runs
/// (such a message is for people; nothing reads the escapes).
pub fn plain_underscores(text: &str) -> String {
    if !text.contains(['%', '\\']) {
        return text.to_owned();
    }
    let mut out = text.to_owned();
    for escaped in ["%5F", "%5f", "\\x5f", "\\x5F", "\\u005f", "\\u005F"] {
        out = out.replace(escaped, "_");
    }
    out
}

/// A text's letters and digits in lower case: what a reader sees once the separators,
/// invisible characters, escapes' punctuation and case a server could put into a token are gone.
fn folded(text: &str) -> Vec<u8> {
    text.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .collect()
}

/// The four-character pieces of a token's body, folded, forwards and backwards: what a server
/// that was sent the token could spell it back with (split across fields or lines, lower case,
/// backwards, zero-width spaces or dashes between).
pub struct Pieces<'s> {
    secret: &'s Secret,
    set: std::collections::HashSet<[u8; 4]>,
}

impl Pieces<'_> {
    /// The pieces `text` holds, once the token itself and its body (which the redacted form
    /// replaces) are taken out.
    pub fn in_text(&self, text: &str) -> std::collections::HashSet<[u8; 4]> {
        if self.set.is_empty() {
            return std::collections::HashSet::new();
        }
        let text = match self.secret.body() {
            Some(body) => text.replace(self.secret.expose(), "").replace(body, ""),
            None => text.to_owned(),
        };
        folded(&text)
            .windows(4)
            .map(|w| [w[0], w[1], w[2], w[3]])
            .filter(|w| self.set.contains(w))
            .collect()
    }
}

impl Secret {
    /// The token without its prefix, when it has one and a body of 8 or more characters.
    fn body(&self) -> Option<&str> {
        self.text
            .get(self.kind.prefix().len()..)
            .filter(|b| b.len() >= 8 && self.text.starts_with(self.kind.prefix()))
    }

    /// See [`Pieces`].
    pub fn pieces(&self) -> Pieces<'_> {
        let set = match self.body() {
            Some(body) => {
                let forwards = folded(body);
                let backwards: Vec<u8> = forwards.iter().rev().copied().collect();
                forwards
                    .windows(4)
                    .chain(backwards.windows(4))
                    .map(|w| [w[0], w[1], w[2], w[3]])
                    .collect()
            }
            None => std::collections::HashSet::new(),
        };
        Pieces { secret: self, set }
    }

    /// Text from a server that was sent this token (an error message, git's `remote:` lines),
    /// as it may be shown: the token and its body become the redacted form, and a text that
    /// still spells [`SPELLED`] of its pieces is [`WITHHELD`] whole.
    pub fn unechoed(&self, text: &str) -> String {
        let text = &plain_underscores(text);
        if self.pieces().in_text(text).len() >= SPELLED {
            return WITHHELD.to_owned();
        }
        match self.body() {
            Some(body) => text
                .replace(self.expose(), &self.redacted())
                .replace(body, &self.redacted()),
            None => text.to_owned(),
        }
    }
}

impl Secret {
    pub fn new(text: &str, kind: TokenKind) -> Self {
        Secret {
            text: text.into(),
            kind,
            memory: None,
        }
    }

    /// A token known only by its fingerprint and redacted form (read in an earlier run): it
    /// is judged as any other, but it cannot be verified or revoked, having no text.
    pub fn remembered(kind: TokenKind, fingerprint: Fingerprint, redacted: &str) -> Self {
        Secret {
            text: "".into(),
            kind,
            memory: Some(Box::new((fingerprint, redacted.into()))),
        }
    }

    /// True for [`Secret::remembered`]: no text to send anywhere.
    pub fn is_remembered(&self) -> bool {
        self.memory.is_some()
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    pub fn fingerprint(&self) -> Fingerprint {
        match &self.memory {
            Some(m) => m.0.clone(),
            None => Fingerprint::of(&self.text),
        }
    }

    /// `hf_AbCd…WxYz`: the prefix, four characters of each end of the body, never more than a
    /// third of the body, so two different tokens stay distinguishable but unrecoverable.
    pub fn redacted(&self) -> String {
        match &self.memory {
            Some(m) => m.1.to_string(),
            None => redact(&self.text, self.kind.prefix()),
        }
    }

    /// The raw token. Only for the `Authorization` header of a verification request. Empty for
    /// a [`Secret::remembered`] token: callers leave those out first.
    pub fn expose(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Redacts any token-like text given its prefix; used for tokens and for source lines.
pub fn redact(text: &str, prefix: &str) -> String {
    let body = text.strip_prefix(prefix).unwrap_or(text);
    let show = (body.len() / 3).min(4);
    if body.len() < 12 || !body.is_ascii() {
        return format!("{prefix}…");
    }
    format!("{prefix}{}…{}", &body[..show], &body[body.len() - show..])
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({}, {})", self.redacted(), self.fingerprint())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unechoed_hides_the_token_whole_as_its_body_and_in_pieces() {
        let body = "Zq8Lm3Np5Rt7Vx9Bc2Df4Gh6Jk1Ws0AyEu";
        let s = Secret::new(&format!("hf_{body}"), TokenKind::UserAccessToken);
        let shown = s.redacted();
        assert_eq!(
            s.unechoed(&format!("bad {}", s.expose())),
            format!("bad {shown}")
        );
        assert_eq!(s.unechoed(&format!("hf%5F{body}")), shown);
        assert_eq!(
            s.unechoed(&format!("x hf\\x5f{body}")),
            format!("x {shown}")
        );
        // Another token, escaped: plain again, so the redaction of `hf_` runs meets it.
        let other = format!("hf%5f{}", "Ab1".repeat(12));
        let plain = crate::output::redacted(&plain_underscores(&other));
        assert!(!plain.contains(&"Ab1".repeat(12)[..12]), "{plain}");
        let backwards: String = body.chars().rev().collect();
        let spaced = format!("{} - {} - {}", &body[..12], &body[12..24], &body[24..]);
        for spelled in [backwards, spaced, body.to_lowercase()] {
            assert_eq!(s.unechoed(&format!("remote: {spelled}")), WITHHELD);
        }
        let honest = "fatal: unable to access 'https://huggingface.co/acme/m/': 403";
        assert_eq!(s.unechoed(honest), honest);
    }

    #[test]
    fn redaction_keeps_four_each_side() {
        // Split so the literal is not itself a token in this repository.
        let raw = format!("hf_{}", "Q7mZp2LkR9sT4vWx8yBn3cDf6gHj1KaLsP");
        let s = Secret::new(&raw, TokenKind::UserAccessToken);
        assert_eq!(s.redacted(), "hf_Q7mZ…aLsP");
        assert!(!format!("{s:?}").contains(&raw));
        assert!(!format!("{s}").contains(&raw[7..33]));
        let org = Secret::new(&format!("api_org_{}", &raw[3..]), TokenKind::OrgApiToken);
        assert_eq!(org.redacted(), "api_org_Q7mZ…aLsP");
    }

    #[test]
    fn fingerprint_is_sha256_prefix() {
        // sha256("abc") = ba7816bf8f01cfea...
        assert_eq!(Fingerprint::of("abc").as_str(), "ba7816bf8f01cfea");
        assert!(Fingerprint::parse("ba7816bf8f01cfea").is_some());
        assert!(Fingerprint::parse("BA7816BF8F01CFEA").is_none());
        assert!(Fingerprint::parse("ba7816").is_none());
    }
}
