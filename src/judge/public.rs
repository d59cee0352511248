//! HF011: tokens the Hub's own test suites and scanners' documentation publish, by
//! fingerprint, each with what it is (`data/public-test-tokens.toml`).

use std::collections::HashSet;

use crate::secret::{Fingerprint, TokenKind};

const PUBLIC_TEST_TOKENS: &str = include_str!("../../data/public-test-tokens.toml");

/// One entry of `data/public-test-tokens.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicToken {
    pub fingerprint: String,
    /// Where the token is published, for people who check the entry.
    pub source: String,
    /// What the token is, for HF011's message.
    pub note: String,
}

/// The entries of `data/public-test-tokens.toml`, parsed once.
pub fn public_token_entries() -> &'static [PublicToken] {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        token: Vec<PublicToken>,
    }
    static ENTRIES: std::sync::LazyLock<Vec<PublicToken>> = std::sync::LazyLock::new(|| {
        let file: File = toml::from_str(PUBLIC_TEST_TOKENS)
            .expect("data/public-test-tokens.toml is checked by a test");
        file.token
    });
    &ENTRIES
}

/// The built-in public token fingerprints (HF011).
pub fn public_test_tokens() -> HashSet<Fingerprint> {
    public_token_entries()
        .iter()
        .filter_map(|e| Fingerprint::parse(&e.fingerprint))
        .collect()
}

/// What HF011 says of a public token: its entry's note, and for a legacy organization token
/// HF009's fact too (HF011 wins, and the kind is worth knowing).
pub(super) fn public_note(fp: &Fingerprint, kind: TokenKind) -> String {
    let note = public_token_entries()
        .iter()
        .find(|e| e.fingerprint == fp.as_str())
        .map_or(
            "a token published on purpose (a test suite's, or a scanner's example)",
            |e| e.note.as_str(),
        );
    if kind == TokenKind::OrgApiToken {
        format!(
            "{note}; it is a legacy organization API token, a kind the Hub removed in 2024 (HF009)"
        )
    } else {
        note.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_token_list_parses() {
        let set = public_test_tokens();
        assert_eq!(
            set.len(),
            public_token_entries().len(),
            "no bad or repeated entry"
        );
        // Checked in public sources (issues 13 and 18): datasets' CI token, gradio's api_org_
        // key, the blog's TruffleHog demo, Kingfisher's two examples, Trivy #6823's token.
        for fp in [
            "8402086a0212922e",
            "f6d0239c5fd0dca9",
            "948e2ecc6e254e15",
            "4ac12ef8818eb2e4",
            "afe476afff82c708",
            "dea42dc407d629e2",
        ] {
            assert!(set.contains(&Fingerprint::parse(fp).unwrap()), "{fp}");
        }
        for e in public_token_entries() {
            assert!(
                !e.source.is_empty() && !e.note.is_empty(),
                "{}",
                e.fingerprint
            );
        }
    }

    #[test]
    fn each_public_token_says_what_it_is() {
        let gradio = Fingerprint::parse("f6d0239c5fd0dca9").unwrap();
        let note = public_note(&gradio, TokenKind::OrgApiToken);
        assert!(note.contains("production Hub"), "{note}");
        assert!(
            note.contains("HF009"),
            "the legacy kind stays visible: {note}"
        );
        let ci = Fingerprint::parse("5de261506c0ff857").unwrap();
        let note = public_note(&ci, TokenKind::UserAccessToken);
        assert!(note.contains("hub-ci") && !note.contains("HF009"), "{note}");
        let trivy = Fingerprint::parse("dea42dc407d629e2").unwrap();
        assert!(public_note(&trivy, TokenKind::UserAccessToken).contains("revoked"));
    }
}
