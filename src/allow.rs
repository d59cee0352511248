//! Inline suppression: an `hfaudit:allow` marker on a finding's line or the line above.

/// An inline `hfaudit:allow` marker on the line of an occurrence or the line above.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Allow {
    /// `hfaudit:allow` alone: every rule.
    All,
    /// `hfaudit:allow HF003, HF001`.
    Rules(Vec<String>),
}

impl Allow {
    pub fn covers(&self, rule: &str) -> bool {
        match self {
            Allow::All => true,
            Allow::Rules(ids) => ids.iter().any(|id| id.eq_ignore_ascii_case(rule)),
        }
    }
}

/// Finds `hfaudit:allow` and the rule ids after it.
pub fn parse_allow(line: &[u8]) -> Option<Allow> {
    const MARK: &[u8] = b"hfaudit:allow";
    let at = memchr::memmem::find(line, MARK)?;
    let rest = &line[at + MARK.len()..];
    let mut ids = Vec::new();
    for word in rest.split(|b| b.is_ascii_whitespace() || *b == b',') {
        if word.is_empty() {
            continue;
        }
        let is_id = word.len() == 5
            && word[..2].eq_ignore_ascii_case(b"HF")
            && word[2..].iter().all(u8::is_ascii_digit);
        if !is_id {
            break;
        }
        ids.push(String::from_utf8_lossy(word).to_ascii_uppercase());
    }
    Some(if ids.is_empty() {
        Allow::All
    } else {
        Allow::Rules(ids)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_markers() {
        assert_eq!(parse_allow(b"x = 1  # hfaudit:allow"), Some(Allow::All));
        assert_eq!(
            parse_allow(b"// hfaudit:allow HF003, hf001 because"),
            Some(Allow::Rules(vec!["HF003".into(), "HF001".into()]))
        );
        assert_eq!(parse_allow(b"nothing here"), None);
    }
}
