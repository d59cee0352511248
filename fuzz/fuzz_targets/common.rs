//! What several targets check: whether any 16-character run of a token shows in some text.

#![allow(dead_code)]

use std::collections::HashSet;

use memchr::memmem;

/// The shortest run of a token that counts as showing it: the redacted form shows the prefix
/// and four characters of each end of the body, never 16 characters in a row.
pub const RUN: usize = 16;

/// Token prefixes, as the redactor knows them.
const PREFIXES: [&[u8]; 2] = [b"hf_", b"api_org_"];

fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Every `hf_` followed by 34 letters and digits in `data`: tokens by shape, whether or not the
/// detector takes them (glued to a word, a placeholder…).
pub fn token_shapes(data: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for at in memmem::find_iter(data, b"hf_") {
        let body = &data[at + 3..];
        if body.len() >= 34 && body[..34].iter().all(u8::is_ascii_alphanumeric) {
            out.push(String::from_utf8_lossy(&data[at..at + 37]).into_owned());
        }
    }
    out
}

/// `data` with every token-like run (a prefix and the token characters after it) blanked: what
/// a report may show of the input without showing a token.
pub fn blanked(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    for prefix in PREFIXES {
        for at in memmem::find_iter(data, prefix) {
            let len = prefix.len()
                + data[at + prefix.len()..]
                    .iter()
                    .take_while(|b| token_char(**b))
                    .count();
            out[at..at + len].fill(0xFF);
        }
    }
    out
}

/// The first [`RUN`]-byte run of any of `tokens` that `text` holds and none of `allowed` (the
/// inputs with their tokens blanked) does: a leak, unless the input held that run on its own.
pub fn leaked<'a>(
    tokens: impl IntoIterator<Item = &'a str>,
    text: &[u8],
    allowed: &[Vec<u8>],
) -> Option<String> {
    let runs: HashSet<&[u8]> = tokens
        .into_iter()
        .flat_map(|t| t.as_bytes().windows(RUN))
        .collect();
    if runs.is_empty() {
        return None;
    }
    text.windows(RUN)
        .filter(|w| runs.contains(w))
        .find(|w| !allowed.iter().any(|a| memmem::find(a, w).is_some()))
        .map(|w| String::from_utf8_lossy(w).into_owned())
}
