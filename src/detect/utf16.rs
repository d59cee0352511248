//! UTF-16: fragments inside binary files (`h\0f\0_\0`, found through their anchors here), and
//! whole UTF-16 text files (a byte-order mark, or the zero bytes ASCII leaves), which are read
//! transcoded so their tokens get lines, columns and context like any text's.

use memchr::memchr;

use super::{Decoded, Encoding, Map};

/// `h\0f\0_\0` and `a\0p\0i\0_\0o\0r\0g\0_\0`: little-endian, and big-endian too from their
/// second byte on (ASCII in UTF-16 alternates zero and non-zero bytes either way).
pub(super) fn anchors() -> Vec<(Vec<u8>, u8)> {
    [&b"hf_"[..], b"api_org_"]
        .iter()
        .map(|prefix| (prefix.iter().flat_map(|&b| [b, 0]).collect(), 0))
        .collect()
}

/// The ASCII characters around an anchor at `at`, from one character before it (for the left
/// boundary).
pub(super) fn decode(data: &[u8], at: usize) -> Decoded {
    let (bytes, starts) = utf16_ascii(data, at.saturating_sub(2));
    Decoded {
        bytes,
        map: Map::Table(starts),
        encoding: Encoding::Utf16,
    }
}

/// Encoded bytes a token needs after its anchor.
pub(super) const SPAN: usize = 2 * 100;

/// ASCII characters of UTF-16 (little-endian pairs) from `from`: each decoded byte's offset is
/// kept. Stops at the first character that is not ASCII, or after [`super::MAX_DECODED`].
fn utf16_ascii(data: &[u8], from: usize) -> (Vec<u8>, Vec<usize>) {
    let mut bytes = Vec::new();
    let mut starts = Vec::new();
    let mut at = from;
    while at + 1 < data.len() && bytes.len() < super::MAX_DECODED {
        let (lo, hi) = (data[at], data[at + 1]);
        if hi != 0 || lo == 0 || !lo.is_ascii() {
            // A boundary: keep it as a space so the token's left/right checks see one.
            if !bytes.is_empty() {
                break;
            }
            bytes.push(b' ');
        } else {
            bytes.push(lo);
        }
        starts.push(at);
        at += 2;
    }
    starts.push(at);
    (bytes, starts)
}

/// UTF-16 text: the zero bytes ASCII characters leave in every other byte of the first 4 KiB
/// (at least half of them after a byte-order mark, nearly all without one: `\xFF\xFE` alone
/// also starts Latin-1 text and binaries). Returns (little-endian, length of the mark).
/// UTF-16 that is not mostly ASCII is still searched through the UTF-16 anchors of `scan`.
pub fn text(data: &[u8]) -> Option<(bool, usize)> {
    let bom = if data.starts_with(b"\xFF\xFE") {
        Some(true)
    } else if data.starts_with(b"\xFE\xFF") {
        Some(false)
    } else {
        None
    };
    let skip = if bom.is_some() { 2 } else { 0 };
    let probe = &data[skip..];
    let probe = &probe[..probe.len().min(4096) & !1];
    // Every file comes here: one SIMD look for a zero byte settles nearly all of them.
    if probe.len() < 16 || memchr(0, probe).is_none() {
        return None;
    }
    let pairs = probe.len() / 2;
    let even_zero = probe.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = probe.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    // Share of zero bytes among the high bytes (at least), and among the low ones (at most).
    let (most, rare) = if bom.is_some() { (2, 10) } else { (10, 50) };
    let mostly = |n: usize, pairs: usize| {
        if bom.is_some() {
            n * most >= pairs
        } else {
            n * most >= pairs * 9
        }
    };
    let rarely = |n: usize, pairs: usize| n * rare <= pairs;
    let le = mostly(odd_zero, pairs) && rarely(even_zero, pairs);
    let be = mostly(even_zero, pairs) && rarely(odd_zero, pairs);
    match (bom, le, be) {
        (Some(true), true, _) | (None, true, false) => Some((true, skip)),
        (Some(false), _, true) | (None, false, true) => Some((false, skip)),
        _ => None,
    }
}

/// A UTF-16 text (`text` said which byte order, and how long its mark is) transcoded to UTF-8,
/// and the map back: the byte offset in `data` of a byte offset in the text.
pub struct Transcoded {
    pub text: String,
    pub encoding: Encoding,
    bom: usize,
}

impl Transcoded {
    pub fn new(data: &[u8], le: bool, bom: usize) -> Self {
        let units: Vec<u16> = data[bom..]
            .chunks_exact(2)
            .map(|p| {
                if le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            })
            .collect();
        Transcoded {
            text: String::from_utf16_lossy(&units),
            encoding: if le {
                Encoding::Utf16Le
            } else {
                Encoding::Utf16Be
            },
            bom,
        }
    }

    /// The offset in the UTF-16 bytes of the text's byte `offset`.
    pub fn offset(&self, offset: usize) -> u64 {
        let before = self.text.get(..offset).unwrap_or_default();
        let units_before: usize = before.chars().map(char::len_utf16).sum();
        (self.bom + 2 * units_before) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole files: with a mark, without one, and not UTF-16 at all.
    #[test]
    fn whole_utf16_texts_are_told_apart() {
        let le: Vec<u8> = "HF_TOKEN=x\nmore text here\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(text(&le), Some((true, 0)));
        let mut marked = vec![0xFE, 0xFF];
        marked.extend(
            "some text for a UTF-16 file"
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        );
        assert_eq!(text(&marked), Some((false, 2)));
        assert_eq!(text(b"plain ASCII text, long enough to look at"), None);
        let t = Transcoded::new(&marked, false, 2);
        assert!(t.text.starts_with("some text"));
        assert_eq!(t.offset(5), 2 + 10);
    }
}
