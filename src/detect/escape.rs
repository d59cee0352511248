//! Backslash escapes: `\u0068f_…` as JSON and JavaScript write text, `\x68\x66\x5f…` as Python
//! and C write bytes, whole or only for the `_` (`hf\u005f…`).

use super::{hex_byte, unescape_run, Decoded, Encoding, Escape, Map};

/// `h` escaped (every character escaped), or `hf` then an escaped `_` (either case).
pub(super) fn anchors() -> Vec<(Vec<u8>, u8)> {
    [&b"\\u0068"[..], b"hf\\u005", b"\\x68", b"hf\\x5"]
        .iter()
        .map(|a| (a.to_vec(), 0))
        .collect()
}

/// The run of escaped and plain token characters from `at`, decoded.
pub(super) fn decode(data: &[u8], at: usize) -> Decoded {
    let hex_seen = std::cell::Cell::new(false);
    let (bytes, starts) = unescape_run(data, at, |rest| match rest {
        [b'\\', b'u', ..] if rest.len() >= 6 => {
            match (hex_byte(&rest[2..4]), hex_byte(&rest[4..6])) {
                (Some(0), Some(b)) => Escape::Byte(b, 6),
                _ => Escape::End,
            }
        }
        [b'\\', b'x', ..] if rest.len() >= 4 => match hex_byte(&rest[2..4]) {
            Some(b) => {
                hex_seen.set(true);
                Escape::Byte(b, 4)
            }
            None => Escape::End,
        },
        _ => Escape::Plain,
    });
    Decoded {
        bytes,
        map: Map::Table(starts),
        encoding: if hex_seen.get() {
            Encoding::HexEscape
        } else {
            Encoding::UnicodeEscape
        },
    }
}

/// Encoded bytes a token needs after its anchor (six for each character, at most).
pub(super) const SPAN: usize = 6 * 45;
