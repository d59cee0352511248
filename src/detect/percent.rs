//! Percent-encoding: `hf%5F…` (or every character, `%68%66%5F…`) as URLs write a token.

use super::{hex_byte, unescape_run, Decoded, Encoding, Escape, Map};

/// `h` encoded (every character encoded), or `hf` then an encoded `_` (either case).
pub(super) fn anchors() -> Vec<(Vec<u8>, u8)> {
    [&b"%68"[..], b"hf%5"]
        .iter()
        .map(|a| (a.to_vec(), 0))
        .collect()
}

/// The run of encoded and plain token characters from `at`, decoded.
pub(super) fn decode(data: &[u8], at: usize) -> Decoded {
    let (bytes, starts) = unescape_run(data, at, |rest| match rest {
        [b'%', ..] if rest.len() >= 3 => match hex_byte(&rest[1..3]) {
            Some(b) => Escape::Byte(b, 3),
            None => Escape::End,
        },
        _ => Escape::Plain,
    });
    Decoded {
        bytes,
        map: Map::Table(starts),
        encoding: Encoding::Percent,
    }
}
