//! Base64 (standard and URL-safe, padded or not, wrapped at 64 or 76 columns): the anchors are
//! the characters the bytes of `hf_`, `api_org_` and `\u0068` alone decide, at each of the
//! three alignments; the anchor fixes the decoding grid, so only a window around it is read.

use std::borrow::Cow;

use ::base64::alphabet;
use ::base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ::base64::Engine as _;

use super::{Decoded, Encoding, Map};

/// Standard base64, for building the anchors.
const BASE64: GeneralPurpose = ::base64::engine::general_purpose::STANDARD;

/// The base64 of `hf_`, `api_org_` and of the escaped form a JSON inside base64 may hold, at
/// each alignment: the characters whose six bits all come from the prefix. The number is how
/// many characters of the group of four come before the anchor.
pub(super) fn anchors() -> Vec<(Vec<u8>, u8)> {
    let mut out: Vec<(Vec<u8>, u8)> = Vec::new();
    for prefix in [&b"hf_"[..], b"api_org_", b"\\u0068"] {
        for shift in 0..3usize {
            let mut raw = vec![0u8; shift];
            raw.extend_from_slice(prefix);
            raw.extend_from_slice(&[0, 0, 0]);
            let enc = BASE64.encode(&raw);
            let first = (8 * shift).div_ceil(6);
            let last = (8 * (shift + prefix.len())) / 6;
            let anchor = enc.as_bytes()[first..last].to_vec();
            if !out.iter().any(|(a, _)| *a == anchor) {
                out.push((anchor, first as u8));
            }
        }
    }
    out
}

/// The window around an anchor at `at`, `lead` characters into its group, decoded.
pub(super) fn decode(data: &[u8], at: usize, lead: u8) -> Option<Decoded> {
    let (bytes, map) = base64_window(data, at, usize::from(lead))?;
    Some(Decoded {
        bytes,
        map,
        encoding: Encoding::Base64,
    })
}

/// Encoded bytes a token (and its escaped form inside base64) needs after its anchor.
pub(super) const SPAN: usize = BASE64_WINDOW / 2;

/// The windows decoded so far, by their place on the grid (offset mod 4): (start, end).
#[derive(Default)]
pub(super) struct Windows([(usize, usize); 4]);

impl Windows {
    /// Whether an anchor at `at` lies in a window already decoded on its grid, with one group
    /// before it decoded too (the byte left of the token was seen).
    pub(super) fn covers(&self, at: usize, lead: u8) -> bool {
        at.checked_sub(usize::from(lead)).is_some_and(|group| {
            let (start, end) = self.0[group % 4];
            end > 0 && group >= start + 4 && group + SPAN <= end
        })
    }

    pub(super) fn add(&mut self, at: usize, lead: u8, reach: usize) {
        let group = at - usize::from(lead);
        let start = if group >= 4 { group - 4 } else { group };
        // The window began one group early when it could; either way on this grid.
        self.0[group % 4] = (start.min(group), reach);
    }
}

/// Base64 engines that take either padding and ignore stray trailing bits: the window is cut
/// out of a longer run.
const B64_CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const B64_STD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, B64_CONFIG);
const B64_URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, B64_CONFIG);

/// A token in base64 takes at least this many characters (`hf_` + 34 is 37 bytes).
const MIN_BASE64_RUN: usize = 48;
/// Characters decoded around an anchor: a token and its neighbours, whatever the alignment,
/// also when the decoded text holds it escaped (six bytes a character).
const BASE64_WINDOW: usize = 4 * 200;

/// The bytes a base64 run decodes to around an anchor at `at` that stands `lead` characters
/// into its group of four, and where they came from in `data`. The anchor fixes the grid, so
/// only a bounded window is read, however long the run (a notebook's image is megabytes of
/// base64 with an anchor-shaped triple every few hundred kilobytes). `None` when the run is
/// too short to hold a token.
fn base64_window(data: &[u8], at: usize, lead: usize) -> Option<(Vec<u8>, Map)> {
    let group = at.checked_sub(lead)?;
    // The cheap look first, where the next groups are on the anchor's line (nearly always).
    let near = data
        .get(group + 4..group + 12)
        .is_some_and(|n| n.iter().all(|b| is_b64(*b)));
    if near && !text_follows(data, group) {
        return None;
    }
    // One group before, when there is one, for the byte left of the token.
    let start = if group >= 4 && data[group - 4..group].iter().all(|b| is_b64(*b)) {
        group - 4
    } else {
        group
    };
    let (chars, positions) = base64_run(data, start, group);
    let (g, a) = (group - start, at - start);
    // Across a line break, the look at the next groups is made on the joined characters.
    if chars.len() < a || chars.len() - g < MIN_BASE64_RUN || (!near && !text_follows(&chars, g)) {
        return None;
    }
    let cut = chars.len() - chars.len() % 4;
    let window = if chars.len() % 4 == 1 {
        &chars[..cut]
    } else {
        &chars[..]
    };
    let url = window.iter().any(|b| matches!(b, b'-' | b'_'));
    let engine = if url { &B64_URL } else { &B64_STD };
    let bytes = engine.decode(window).ok()?;
    let map = match positions {
        None => Map::Base64 { start },
        // Decoded byte `k` begins in character `k / 3 * 4 + k % 3`.
        Some(pos) => {
            let mut starts: Vec<usize> = (0..bytes.len()).map(|k| pos[k / 3 * 4 + k % 3]).collect();
            starts.push(pos.last().map_or(start, |p| p + 1));
            Map::Table(starts)
        }
    };
    Some((bytes, map))
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Widths that wrapped base64 comes in: `base64` and MIME wrap at 76 columns, PEM at 64.
const WRAP_WIDTHS: [usize; 2] = [64, 76];

/// The run of base64 characters from `start`, at most [`BASE64_WINDOW`] of them. Wrapped
/// base64 goes on after a line break (and the next line's indentation) when the line it ends
/// is exactly a wrap width of base64 and ends on the grid of the group at `group`; then the
/// characters are copied together, with the offset in `data` of each (`None`: the run is one
/// piece of `data` from `start`, borrowed).
fn base64_run(data: &[u8], start: usize, group: usize) -> (Cow<'_, [u8]>, Option<Vec<usize>>) {
    let piece = |from: usize, room: usize| {
        from + data[from..(from + room).min(data.len())]
            .iter()
            .take_while(|b| is_b64(**b))
            .count()
    };
    let first_end = piece(start, BASE64_WINDOW);
    let one_piece = (Cow::Borrowed(&data[start..first_end]), None);
    if first_end - start >= BASE64_WINDOW || !matches!(data.get(first_end), Some(b'\r' | b'\n')) {
        return one_piece;
    }
    // Where the run begins on its line (looked for no further back than a line can be long).
    let mut line_start = start;
    while line_start > 0 && start - line_start <= 76 && is_b64(data[line_start - 1]) {
        line_start -= 1;
    }
    let (mut line_len, mut end) = (first_end - line_start, first_end);
    if !WRAP_WIDTHS.contains(&line_len) {
        return one_piece; // a line of another length: not wrapped base64
    }
    let mut chars = data[start..first_end].to_vec();
    let mut positions: Vec<usize> = (start..first_end).collect();
    while chars.len() < BASE64_WINDOW
        && WRAP_WIDTHS.contains(&line_len)
        && (chars.len() - (group - start)).is_multiple_of(4)
    {
        let mut next = end + usize::from(data.get(end) == Some(&b'\r'));
        if data.get(next) != Some(&b'\n') {
            break;
        }
        next += 1;
        while next < data.len() && matches!(data[next], b' ' | b'\t') && next - end < 20 {
            next += 1;
        }
        let next_end = piece(next, BASE64_WINDOW - chars.len());
        if next_end == next {
            break;
        }
        positions.extend(next..next_end);
        chars.extend_from_slice(&data[next..next_end]);
        (line_len, end) = (next_end - next, next_end);
    }
    if end == first_end {
        return one_piece;
    }
    (Cow::Owned(chars), Some(positions))
}

/// Whether the two base64 groups after the one at `group` decode to text. They lie inside the
/// prefix and body of any token that the anchor in `group` starts (`hf_` and 34 letters or
/// digits, or `api_org_`, or `\u0068` and the rest), so a real token always passes; random
/// base64 (a notebook's images) passes about once in 400 anchors, and is not decoded.
fn text_follows(data: &[u8], group: usize) -> bool {
    let Some(chars) = data.get(group + 4..group + 12) else {
        return false;
    };
    let mut bits = 0u64;
    for &c in chars {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return false,
        };
        bits = bits << 6 | u64::from(v);
    }
    (0..6).all(|i| {
        let byte = (bits >> (40 - 8 * i)) as u8;
        matches!(byte, b' '..=b'~' | b'\t' | b'\n' | b'\r')
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{det, found, found_decoded, Fake, ALNUM};
    use super::super::{encoded_anchors, Pattern};
    use super::*;

    #[test]
    fn base64_at_every_alignment_and_alphabet_is_found_where_it_is_written() {
        let mut fake = Fake::new(11);
        for i in 0..300 {
            let t = format!("hf_{}", fake.body(ALNUM));
            let o = format!("api_org_{}", fake.body(ALNUM));
            for (j, secret) in [&t, &o].into_iter().enumerate() {
                // `user:token` as Docker and git credential stores write it, shifted through
                // all three alignments, in both alphabets, padded or not.
                let head = ["", ":", "u:"][(i + j) % 3];
                let plain = format!("{head}{secret}\n");
                let std_enc = BASE64.encode(plain.as_bytes());
                let url_enc =
                    ::base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(plain.as_bytes());
                for enc in [&std_enc, &url_enc] {
                    let text = format!("auth: \"{enc}\"\n");
                    let got = found_decoded(text.as_bytes());
                    assert_eq!(got.len(), 1, "{i} {head:?}: {text}");
                    let (tok, chain, offset, len) = &got[0];
                    assert_eq!(tok, secret);
                    assert_eq!(chain, &[Encoding::Base64]);
                    // Placed on the encoded text, inside the quotes.
                    assert!(
                        *offset >= 7 && offset + len <= 8 + enc.len(),
                        "{offset} {len}"
                    );
                }
            }
        }
    }

    /// Base64 wrapped as `base64`, MIME and PEM write it (76 or 64 columns, LF or CRLF, maybe
    /// indented): a token across a line break is found, at the line where its encoded form
    /// starts, wherever the break falls in it. A single-line value above another line is not
    /// joined to it.
    #[test]
    fn wrapped_base64_is_read_across_line_breaks() {
        let mut fake = Fake::new(21);
        let mut missed = Vec::new();
        for (width, newline, indent) in [(76, "\n", ""), (64, "\r\n", ""), (76, "\n", "    ")] {
            for pad in 0..120 {
                let t = format!("hf_{}", fake.body(ALNUM));
                let env = format!("{}\nHF_TOKEN={t}\nOTHER=1\n", "X=".repeat(pad / 2 + 1));
                let encoded = BASE64.encode(env.as_bytes());
                let lines: Vec<String> = encoded
                    .as_bytes()
                    .chunks(width)
                    .map(|c| format!("{indent}{}", String::from_utf8_lossy(c)))
                    .collect();
                let text = format!("data: |{newline}{}{newline}", lines.join(newline));
                let got = det().scan(text.as_bytes()).candidates;
                if got.len() != 1 || got[0].secret.expose() != t {
                    missed.push((width, pad, got.len()));
                    continue;
                }
                // Reported where the encoded token starts: on the line holding its first group.
                let at = got[0].offset;
                let line = text[..at].matches('\n').count();
                let first_char = (env.find("hf_").unwrap() / 3) * 4;
                assert_eq!(line, 1 + first_char / width, "{width} {pad}");
            }
        }
        // Only an anchor cut by a line break is missed (its characters are not contiguous).
        assert!(
            missed.len() <= 360 / 10,
            "missed {} of 360: {missed:?}",
            missed.len()
        );
        // A one-line value followed by another base64 line: not joined, still found.
        let t = format!("hf_{}", fake.body(ALNUM));
        let one = BASE64.encode(t.as_bytes());
        let text = format!("a: {one}\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n");
        assert_eq!(found(&text), vec![t]);
    }

    /// Random base64 (images, hashes, keys of other services) and random binary bytes never
    /// decode into a finding.
    #[test]
    fn random_base64_and_binary_never_decode_into_a_finding() {
        let mut fake = Fake::new(14);
        let mut bytes = Vec::with_capacity(3 << 20);
        while bytes.len() < 3 << 20 {
            bytes.extend_from_slice(&fake.next().to_le_bytes());
        }
        let d = det();
        assert!(d.scan(&bytes).candidates.is_empty(), "binary");
        let b64 = BASE64.encode(&bytes);
        assert!(d.scan(b64.as_bytes()).candidates.is_empty(), "base64");
        let url = ::base64::engine::general_purpose::URL_SAFE.encode(&bytes[..1 << 20]);
        assert!(
            d.scan(url.as_bytes()).candidates.is_empty(),
            "url-safe base64"
        );
        // Anchors planted in noise: decoded, checked, rejected.
        let mut planted = b64.into_bytes();
        let base64_anchors = encoded_anchors()
            .into_iter()
            .filter(|(_, p)| matches!(p, Pattern::Encoded(super::super::Decoder::Base64, _)));
        for (i, anchor) in base64_anchors.enumerate() {
            let at = 1000 + i * 4099;
            planted[at..at + anchor.0.len()].copy_from_slice(&anchor.0);
        }
        assert!(d.scan(&planted).candidates.is_empty(), "planted anchors");
    }
}
