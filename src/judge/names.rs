//! HF007 and HF008: what a token's name says about where it is used.

use crate::context::Platform;

/// Names that say nothing about where a token is used (HF007), compared case-insensitively
/// after trimming digits, spaces and punctuation.
const GENERIC_NAMES: &[&str] = &[
    "token",
    "test",
    "testing",
    "mytoken",
    "my token",
    "new",
    "new token",
    "newtoken",
    "hf",
    "hf token",
    "hftoken",
    "huggingface",
    "hugging face",
    "default",
    "main",
    "temp",
    "tmp",
    "key",
    "api",
    "api key",
    "apikey",
    "access",
    "access token",
    "read",
    "write",
    "read token",
    "write token",
    "personal",
    "mine",
    "asdf",
    "foo",
    "bar",
    "demo",
    "first",
    "second",
    "work",
    "general",
    "all",
    "x",
    "a",
    "t",
    "",
];

/// Words in a token name that tie it to one platform (HF008).
const PLATFORM_WORDS: &[(&str, &[Platform])] = &[
    ("colab", &[Platform::Notebook]),
    ("notebook", &[Platform::Notebook]),
    ("jupyter", &[Platform::Notebook]),
    ("kaggle", &[Platform::Notebook]),
    ("github", &[Platform::Ci]),
    ("actions", &[Platform::Ci]),
    ("gitlab", &[Platform::Ci]),
    ("ci", &[Platform::Ci]),
    ("circleci", &[Platform::Ci]),
    ("jenkins", &[Platform::Ci]),
    ("server", &[Platform::Server]),
    ("prod", &[Platform::Server]),
    ("production", &[Platform::Server]),
    ("docker", &[Platform::Server]),
    ("kubernetes", &[Platform::Server]),
    ("k8s", &[Platform::Server]),
    ("space", &[Platform::Server]),
    ("endpoint", &[Platform::Server]),
    (
        "laptop",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
    (
        "local",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
    (
        "desktop",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
    (
        "macbook",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
];

/// HF007: a name that says nothing about where the token is used.
pub fn is_generic_name(name: Option<&str>) -> bool {
    let Some(name) = name else { return false };
    let norm: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphabetic() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    GENERIC_NAMES.contains(&norm.as_str())
        || GENERIC_NAMES.contains(&norm.replace(' ', "").as_str())
}

fn name_words(name: &str) -> Vec<String> {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// HF008: the name names platforms, and the token occurs on one it does not name. Only places
/// that say where they run count (a notebook, CI, a server, a machine's env file): source code,
/// docs and other files may run on the named platform, so they are no evidence of a copy.
pub fn name_platform_mismatch(name: Option<&str>, platforms: &[Platform]) -> bool {
    let Some(name) = name else { return false };
    let words = name_words(name);
    let named: Vec<Platform> = PLATFORM_WORDS
        .iter()
        .filter(|(w, _)| words.iter().any(|x| x == w))
        .flat_map(|(_, ps)| ps.iter().copied())
        .collect();
    if named.is_empty() {
        return false;
    }
    platforms.iter().any(|p| {
        !named.contains(p)
            && matches!(
                p,
                Platform::Notebook | Platform::Ci | Platform::Server | Platform::EnvFile
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_names() {
        for n in [
            "token",
            "Test",
            "my token",
            "New",
            "hf-token",
            "token2",
            "  TOKEN  ",
        ] {
            assert!(is_generic_name(Some(n)), "{n}");
        }
        for n in [
            "colab-eval",
            "github-actions-train",
            "laptop",
            "prod inference server",
        ] {
            assert!(!is_generic_name(Some(n)), "{n}");
        }
        assert!(!is_generic_name(None));
    }

    #[test]
    fn platform_mismatch() {
        assert!(name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::Ci]
        ));
        assert!(!name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::Notebook]
        ));
        assert!(!name_platform_mismatch(Some("eval"), &[Platform::Ci]));
        assert!(name_platform_mismatch(
            Some("github-actions"),
            &[Platform::Ci, Platform::Server]
        ));
        assert!(name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::EnvFile]
        ));
        assert!(name_platform_mismatch(Some("laptop"), &[Platform::Server]));
        // Code may run on the platform its token is named after.
        assert!(!name_platform_mismatch(
            Some("eval-server"),
            &[Platform::Source]
        ));
        assert!(!name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::Source, Platform::Docs]
        ));
    }
}
