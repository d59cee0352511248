//! Detect: find Hugging Face tokens in a byte buffer.
//!
//! A pure function over bytes: no file system, no allocation per byte, no regex per rule. One
//! Aho-Corasick pass (SIMD "Teddy" for a handful of literals) finds every token prefix and every
//! mention of a token-holding environment variable; only at a prefix do we look at boundaries,
//! length and placeholder shape. What a match *means* (platform, usage) is `context`'s job.

use std::borrow::Cow;

use aho_corasick::packed::{Config as PackedConfig, MatchKind, Searcher};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::Serialize;

use crate::secret::{Secret, TokenKind};

/// Standard base64, for building the anchors.
const BASE64: GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Length of the body after `hf_` / `api_org_` in user and legacy org tokens.
pub const BODY_LEN: usize = 34;
/// The longest token we report, so chunked readers know how much to overlap.
pub const MAX_TOKEN_LEN: usize = 2048;

/// How a token was written when it was not plain text; a chain lists the outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Encoding {
    #[serde(rename = "base64")]
    Base64,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// UTF-16 inside a binary file: a fragment does not tell its byte order.
    #[serde(rename = "utf-16")]
    Utf16,
    /// `\u0068f_…` as JSON and JavaScript write it.
    #[serde(rename = "unicode-escape")]
    UnicodeEscape,
    /// `\x68\x66\x5f…` as Python and C write bytes.
    #[serde(rename = "hex-escape")]
    HexEscape,
    /// `hf%5F…` as URLs write it.
    #[serde(rename = "percent")]
    Percent,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Utf16 => "utf-16",
            Encoding::UnicodeEscape => "unicode-escape",
            Encoding::HexEscape => "hex-escape",
            Encoding::Percent => "percent",
        }
    }
}

/// A token found in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Byte offset of the token's first byte (or of its encoded form) in the scanned buffer.
    pub offset: usize,
    /// Bytes it takes in the scanned buffer: the token's length, or its encoded form's.
    pub len: usize,
    pub secret: Secret,
    /// The decodings that revealed it, outermost first; empty for plain text.
    pub decoded: Vec<Encoding>,
}

/// What one buffer holds.
#[derive(Debug, Default)]
pub struct Scanned {
    pub candidates: Vec<Candidate>,
    /// The buffer names a token-holding environment variable (see [`Detector::new`]); the file may
    /// read a token from the environment, which matters for need inference.
    pub mentions_env: bool,
}

/// What a literal of the automaton stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    Plain(TokenKind),
    Env,
    /// The base64 of a prefix; the number is how many characters of its group of four come
    /// before the anchor, which puts the decoding grid without looking for the run's start.
    Base64(u8),
    Utf16,
    Escaped,
}

/// The compiled detector: build once, share across threads.
#[derive(Debug, Clone)]
pub struct Detector {
    /// Teddy (SIMD) when the CPU has it: one pass over the bytes for every literal.
    packed: Option<Searcher>,
    /// The portable automaton, for CPUs without the SIMD Teddy needs.
    matcher: AhoCorasick,
    /// What each literal (by pattern id) stands for.
    kinds: Vec<Pattern>,
    /// The token variable names, compared where an [`ENV_HEADS`] literal matched.
    names: Vec<Vec<u8>>,
}

/// The heads most token variable names start with.
const ENV_HEADS: [&str; 2] = ["HF_", "HUGGING"];

/// The order of the built-in literals in the automaton. Teddy sorts literals into 8 buckets by
/// their place in the list (`7 - id % 8`, or the bucket of an earlier literal whose first
/// three bytes have the same low nybbles) and matches nybbles, not bytes: a bucket holding
/// `h…` and `%…` also fires on every `e…` and `(…`, and each such candidate is verified
/// against the bucket's literals. This order puts literals that share nybbles together. It was
/// found by a search over orders that counted the candidates on trigram counts of code and of
/// base64 (the bench corpus, the crates.io sources, Python's standard library, and notebooks of
/// base64 images counted twice; `examples/teddy_order.rs` redoes it): per MB of code 220 to
/// 1,040 candidates instead of 900 to 4,350, per MB of the notebooks 1,150 instead of 6,570.
/// On the bench corpus that took the token search from 1.42x to 1.19x the time of Teddy over
/// ripgrep's two literals. Only speed depends on it; `teddy_order_lists_every_literal` keeps
/// it complete.
pub const TEDDY_ORDER: [&[u8]; 21] = [
    b"HF_",
    b"h\0f\0_\0",
    b"hf_",
    b"aGZf",
    b"hmX",
    b"x1MDA2O",
    b"YXBpX29yZ1",
    b"\\u0068",
    b"XHUwMDY4",
    b"a\0p\0i\0_\0o\0r\0g\0_\0",
    b"HUGGING",
    b"api_org_",
    b"cdTAwNj",
    b"%68",
    b"\\x68",
    b"FwaV9vcmdf",
    b"hf\\u005",
    b"oZl",
    b"hcGlfb3JnX",
    b"hf\\x5",
    b"hf%5",
];

/// The literals of the standard detector, in no particular order: for tuning [`TEDDY_ORDER`]
/// (`examples/teddy_order.rs`) and its test.
pub fn built_in_literals() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![b"hf_".to_vec(), b"api_org_".to_vec()];
    out.extend(ENV_HEADS.iter().map(|h| h.as_bytes().to_vec()));
    out.extend(encoded_anchors().into_iter().map(|(l, _)| l));
    out
}

/// How deep decodings nest (base64 of JSON with `\u` escapes is two).
const MAX_DEPTH: usize = 2;

/// The literals that announce an encoded token, so that only the neighbourhood of a hit is
/// decoded: base64 of `hf_`/`api_org_` at each of the three alignments (the characters those
/// bytes alone decide), their UTF-16 forms, and escaped forms of `hf_`.
///
/// With the plain prefixes and the standard variable names they stay within 32 literals: more
/// would make the automaton switch to "fat" Teddy, which reads half as many bytes at a time.
fn encoded_anchors() -> Vec<(Vec<u8>, Pattern)> {
    let mut out: Vec<(Vec<u8>, Pattern)> = Vec::new();
    // Base64 of the plain prefixes, and of the escaped form a JSON inside base64 may hold.
    for prefix in [&b"hf_"[..], b"api_org_", b"\\u0068"] {
        for shift in 0..3usize {
            let mut raw = vec![0u8; shift];
            raw.extend_from_slice(prefix);
            raw.extend_from_slice(&[0, 0, 0]);
            let enc = BASE64.encode(&raw);
            // Characters whose six bits all come from the prefix.
            let first = (8 * shift).div_ceil(6);
            let last = (8 * (shift + prefix.len())) / 6;
            let anchor = enc.as_bytes()[first..last].to_vec();
            if !out.iter().any(|(a, _)| *a == anchor) {
                out.push((anchor, Pattern::Base64(first as u8)));
            }
        }
    }
    for prefix in [&b"hf_"[..], b"api_org_"] {
        // `h\0f\0_\0`: little-endian, and big-endian too from its second byte on (ASCII in
        // UTF-16 alternates zero and non-zero bytes either way).
        let le: Vec<u8> = prefix.iter().flat_map(|&b| [b, 0]).collect();
        out.push((le, Pattern::Utf16));
    }
    // `h` escaped (every character escaped), or `hf` then an escaped `_` (either case).
    for esc in [
        &b"\\u0068"[..],
        b"hf\\u005",
        b"\\x68",
        b"hf\\x5",
        b"%68",
        b"hf%5",
    ] {
        out.push((esc.to_vec(), Pattern::Escaped));
    }
    out
}

impl Detector {
    /// `env_names` are the environment variable names worth noticing (`HF_TOKEN`, …); `decode`
    /// also looks for tokens written in base64, UTF-16 and escapes.
    pub fn new(env_names: &[&str]) -> Self {
        Detector::with_decoding(env_names, true)
    }

    pub fn with_decoding(env_names: &[&str], decode: bool) -> Self {
        let mut literals: Vec<(Vec<u8>, Pattern)> = vec![
            (b"hf_".to_vec(), Pattern::Plain(TokenKind::UserAccessToken)),
            (b"api_org_".to_vec(), Pattern::Plain(TokenKind::OrgApiToken)),
        ];
        // Variable names share a few heads (`HF_`, `HUGGING`): one literal per head, and the
        // names are compared at a hit, so many names cost the automaton nothing.
        let mut names: Vec<Vec<u8>> = Vec::new();
        for name in env_names.iter().filter(|n| !n.is_empty()) {
            let head = ENV_HEADS
                .iter()
                .find(|h| name.starts_with(**h))
                .map_or(*name, |h| *h);
            if !literals.iter().any(|(l, _)| l == head.as_bytes()) {
                literals.push((head.as_bytes().to_vec(), Pattern::Env));
            }
            names.push(name.as_bytes().to_vec());
        }
        if decode {
            literals.extend(encoded_anchors());
        }
        // The tuned order first (see `TEDDY_ORDER`), then a configured variable's own head, as
        // before: after the plain prefixes, which win where both match (`hf_token`). No two
        // built-in literals can match at one place, so their order changes speed only.
        let rank = |l: &[u8]| {
            TEDDY_ORDER
                .iter()
                .position(|t| *t == l)
                .unwrap_or(usize::MAX)
        };
        literals.sort_by_key(|(l, _)| rank(l));
        let (patterns, kinds): (Vec<Vec<u8>>, Vec<Pattern>) = literals.into_iter().unzip();
        let matcher = AhoCorasickBuilder::new()
            .match_kind(AcMatchKind::LeftmostFirst)
            .build(&patterns)
            .expect("a few short literals always build");
        // The general automaton picks a "rare byte" prefilter for these literals, and `_` is not
        // rare in code; Teddy looks for all the literals at once, as ripgrep does.
        let packed = PackedConfig::new()
            .match_kind(MatchKind::LeftmostFirst)
            .builder()
            .extend(patterns.iter())
            .build();
        Detector {
            packed,
            matcher,
            kinds,
            names,
        }
    }

    /// Whether this detector decodes (base64, UTF-16, escapes); `--no-decode` turns it off.
    pub fn decodes(&self) -> bool {
        self.kinds
            .iter()
            .any(|k| !matches!(k, Pattern::Plain(_) | Pattern::Env))
    }

    /// Finds every token in `data`. Never panics, whatever the bytes.
    pub fn scan(&self, data: &[u8]) -> Scanned {
        let mut out = Scanned::default();
        self.scan_into(data, 0, &mut out);
        if out.candidates.iter().any(|c| !c.decoded.is_empty()) {
            // Two anchors can reveal one encoded token: keep each place once.
            out.candidates.sort_by_key(|c| c.offset);
            out.candidates
                .dedup_by(|a, b| a.offset == b.offset && a.secret == b.secret);
        }
        out
    }

    fn scan_into(&self, data: &[u8], depth: usize, out: &mut Scanned) {
        // What each decoding already covered: a later anchor whose token would lie inside it
        // is skipped, so a run of repeated anchors (`aGZfaGZf…`, `h\0f\0_\0…`) costs one
        // window a window, not one window an anchor.
        let mut covered = Covered::default();
        let mut on_match = |m_pattern: usize, start: usize, end: usize| {
            match self.kinds[m_pattern] {
                Pattern::Plain(kind) => {
                    if let Some(c) = token_at(data, start, kind) {
                        out.candidates.push(c);
                    }
                }
                Pattern::Env => {
                    if !out.mentions_env {
                        out.mentions_env = self.names.iter().any(|n| data[start..].starts_with(n));
                    }
                }
                encoded => {
                    if depth < MAX_DEPTH && !covered.covers(encoded, start) {
                        if let Some(reach) = self.decode_at(data, start, encoded, depth, out) {
                            covered.add(encoded, start, reach);
                        }
                    }
                    // An encoded anchor may overlap the start of a plain literal that the
                    // non-overlapping search then skips: look inside it (rare, and short).
                    Self::plain_inside(data, start + 1, end, out);
                }
            }
        };
        match &self.packed {
            Some(searcher) => searcher
                .find_iter(data)
                .for_each(|m| on_match(m.pattern().as_usize(), m.start(), m.end())),
            None => self
                .matcher
                .find_iter(data)
                .for_each(|m| on_match(m.pattern().as_usize(), m.start(), m.end())),
        }
    }

    /// Plain prefixes that start in `from..to` (inside an encoded anchor's match).
    fn plain_inside(data: &[u8], from: usize, to: usize, out: &mut Scanned) {
        for at in from..to.min(data.len()) {
            let kind = if data[at..].starts_with(b"hf_") {
                TokenKind::UserAccessToken
            } else if data[at..].starts_with(b"api_org_") {
                TokenKind::OrgApiToken
            } else {
                continue;
            };
            out.candidates.extend(token_at(data, at, kind));
        }
    }

    /// Decodes the neighbourhood of an encoded anchor at `at` and scans what it decodes to
    /// (which may be encoded again, up to [`MAX_DEPTH`]). Found tokens are placed at their
    /// encoded form in `data`. Returns where the decoded window ended in `data`.
    fn decode_at(
        &self,
        data: &[u8],
        at: usize,
        pattern: Pattern,
        depth: usize,
        out: &mut Scanned,
    ) -> Option<usize> {
        let (decoded, map, encoding) = match pattern {
            Pattern::Base64(lead) => {
                let (bytes, map) = base64_window(data, at, usize::from(lead))?;
                (bytes, map, Encoding::Base64)
            }
            Pattern::Utf16 => {
                // From one character before the anchor, for the left boundary.
                let (bytes, starts) = utf16_ascii(data, at.saturating_sub(2));
                (bytes, Map::Table(starts), Encoding::Utf16)
            }
            Pattern::Escaped => {
                let (bytes, starts, encoding) = unescape(data, at);
                (bytes, Map::Table(starts), encoding)
            }
            Pattern::Plain(_) | Pattern::Env => return None,
        };
        let reach = map.range(0, decoded.len(), data.len()).1;
        let mut inner = Scanned::default();
        self.scan_into(&decoded, depth + 1, &mut inner);
        for mut c in inner.candidates {
            let (start, end) = map.range(c.offset, c.offset + c.len, data.len());
            c.offset = start;
            c.len = end - start;
            c.decoded.insert(0, encoding);
            out.candidates.push(c);
        }
        Some(reach)
    }
}

/// How far each kind of decoding reached in a buffer, so that an anchor whose token would lie
/// wholly inside a window already decoded (and scanned) is not decoded again.
#[derive(Default)]
struct Covered {
    /// Base64 windows by their place on the grid (offset mod 4): (start, end).
    base64: [(usize, usize); 4],
    utf16: usize,
    escaped: usize,
}

/// Encoded bytes a token (and its escaped form inside base64) needs after its anchor.
const BASE64_SPAN: usize = BASE64_WINDOW / 2;
const UTF16_SPAN: usize = 2 * 100;
const ESCAPED_SPAN: usize = 6 * 45;

impl Covered {
    fn covers(&self, pattern: Pattern, at: usize) -> bool {
        match pattern {
            Pattern::Base64(lead) => at.checked_sub(usize::from(lead)).is_some_and(|group| {
                let (start, end) = self.base64[group % 4];
                // One group before it decoded too: the byte left of the token was seen.
                end > 0 && group >= start + 4 && group + BASE64_SPAN <= end
            }),
            Pattern::Utf16 => at + UTF16_SPAN <= self.utf16,
            Pattern::Escaped => at + ESCAPED_SPAN <= self.escaped,
            Pattern::Plain(_) | Pattern::Env => false,
        }
    }

    fn add(&mut self, pattern: Pattern, at: usize, reach: usize) {
        match pattern {
            Pattern::Base64(lead) => {
                let group = at - usize::from(lead);
                let start = if group >= 4 { group - 4 } else { group };
                // The window began one group early when it could; either way on this grid.
                self.base64[group % 4] = (start.min(group), reach);
            }
            Pattern::Utf16 => self.utf16 = self.utf16.max(reach),
            Pattern::Escaped => self.escaped = self.escaped.max(reach),
            Pattern::Plain(_) | Pattern::Env => {}
        }
    }
}

/// Where decoded bytes came from in the encoded buffer.
enum Map {
    /// A base64 window starting at `start`: four characters for every three bytes.
    Base64 { start: usize },
    /// The buffer offset of each decoded byte (plus one past the last).
    Table(Vec<usize>),
}

impl Map {
    /// The encoded range of decoded bytes `from..to`.
    fn range(&self, from: usize, to: usize, len: usize) -> (usize, usize) {
        match self {
            Map::Base64 { start } => (
                (start + from / 3 * 4).min(len),
                (start + to.div_ceil(3) * 4).min(len),
            ),
            Map::Table(starts) => {
                let at = |i: usize| starts.get(i).copied().unwrap_or(len).min(len);
                (at(from), at(to))
            }
        }
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

/// ASCII characters of UTF-16 (little-endian pairs) from `from`: each decoded byte's offset is
/// kept. Stops at the first character that is not ASCII, or after [`MAX_DECODED`].
fn utf16_ascii(data: &[u8], from: usize) -> (Vec<u8>, Vec<usize>) {
    let mut bytes = Vec::new();
    let mut starts = Vec::new();
    let mut at = from;
    while at + 1 < data.len() && bytes.len() < MAX_DECODED {
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

/// Bytes decoded from an escaped run at most (a JWT can be long; tokens are 37–42 bytes).
const MAX_DECODED: usize = 512;

/// Decodes `\uXXXX`, `\xXX` and `%XX` escapes mixed with plain characters from `at`, while
/// they spell token characters. A space stands before, so the token's left boundary holds.
fn unescape(data: &[u8], at: usize) -> (Vec<u8>, Vec<usize>, Encoding) {
    let hex = |s: &[u8]| -> Option<u8> {
        let t = std::str::from_utf8(s).ok()?;
        u8::from_str_radix(t, 16).ok()
    };
    let mut bytes = vec![b' '];
    let mut starts = vec![at];
    let mut encoding = Encoding::Percent;
    let mut i = at;
    while i < data.len() && bytes.len() < MAX_DECODED {
        let rest = &data[i..];
        let (byte, used, enc) = if rest.len() >= 6 && rest[0] == b'\\' && rest[1] == b'u' {
            match (hex(&rest[2..4]), hex(&rest[4..6])) {
                (Some(0), Some(b)) => (b, 6, Some(Encoding::UnicodeEscape)),
                _ => break,
            }
        } else if rest.len() >= 4 && rest[0] == b'\\' && rest[1] == b'x' {
            match hex(&rest[2..4]) {
                Some(b) => (b, 4, Some(Encoding::HexEscape)),
                None => break,
            }
        } else if rest.len() >= 3 && rest[0] == b'%' {
            match hex(&rest[1..3]) {
                Some(b) => (b, 3, Some(Encoding::Percent)),
                None => break,
            }
        } else {
            (rest[0], 1, None)
        };
        if !(is_word(byte) || matches!(byte, b'-' | b'.')) {
            break;
        }
        if let Some(e) = enc {
            encoding = e;
        }
        bytes.push(byte);
        starts.push(i);
        i += used;
    }
    starts.push(i);
    (bytes, starts, encoding)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when the bytes before `start` end a word: start of data, a non-word byte, or an escape
/// sequence whose last byte happens to be a letter or digit (`\n`, `\t`, `\u0022`, `\x3d`,
/// `%3D`, an ANSI colour code such as IPython tracebacks write: `\u001b[38;5;124m`). In a
/// binary file (a NUL in its first bytes) values are packed back to back — SQLite rows, pickle
/// protocol 0 — so only a glued `_` counts there.
fn left_boundary(data: &[u8], start: usize) -> bool {
    if start == 0 || !is_word(data[start - 1]) {
        return true;
    }
    let before = &data[..start];
    let n = before.len();
    // `\n`, `\r`, `\t`, `\b`, `\f` as written inside JSON, Python or shell strings.
    if n >= 2
        && before[n - 2] == b'\\'
        && matches!(before[n - 1], b'n' | b'r' | b't' | b'b' | b'f' | b'e')
    {
        return true;
    }
    // `\u0022` (a JSON-escaped quote), `\x3d` / `\x00` (Python and JS byte escapes), and
    // `%3D` / `%22` (URL-encoded `=` / `"`).
    let hex_tail = |len: usize| before[n - len..].iter().all(u8::is_ascii_hexdigit);
    if n >= 6 && before[n - 6] == b'\\' && before[n - 5] == b'u' && hex_tail(4) {
        return true;
    }
    if n >= 4 && before[n - 4] == b'\\' && before[n - 3] == b'x' && hex_tail(2) {
        return true;
    }
    if n >= 3 && before[n - 3] == b'%' && hex_tail(2) {
        return true;
    }
    if before[n - 1] == b'm' && ends_with_ansi_sgr(&before[..n - 1]) {
        return true;
    }
    // Pickle protocol 0 (plain ASCII): a string value is a line starting with the opcode `V`.
    if before[n - 1] == b'V' && (n == 1 || before[n - 2] == b'\n') {
        return true;
    }
    before[n - 1] != b'_' && is_binary(data)
}

/// Bytes looked at for a NUL to call a buffer binary (as git and ripgrep do).
const BINARY_PROBE: usize = 8 << 10;

/// A NUL byte near the start means binary, as git and ripgrep decide.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_PROBE)]).is_some()
}

/// The longest run of letters and digits looked at after a token in binary content.
const GLUED_RUN: usize = 256;

/// `ESC[…` (raw, or written as `\u001b[`, `\x1b[`, `\033[`, `\e[`) followed by digits and `;`:
/// what precedes the final `m` of an ANSI colour code.
fn ends_with_ansi_sgr(before: &[u8]) -> bool {
    let params = before
        .iter()
        .rev()
        .take(24)
        .take_while(|b| b.is_ascii_digit() || **b == b';')
        .count();
    let Some(head) = before.len().checked_sub(params + 1) else {
        return false;
    };
    if before[head] != b'[' {
        return false;
    }
    let esc = &before[..head];
    esc.ends_with(b"\x1b")
        || [
            &b"\\u001b"[..],
            b"\\u001B",
            b"\\x1b",
            b"\\x1B",
            b"\\033",
            b"\\e",
        ]
        .iter()
        .any(|e| esc.ends_with(e))
}

fn alnum_run(data: &[u8], from: usize, max: usize) -> usize {
    data.get(from..)
        .unwrap_or_default()
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count()
}

/// Reads a token starting at `start` (where a prefix matched), or `None`.
fn token_at(data: &[u8], start: usize, kind: TokenKind) -> Option<Candidate> {
    if !left_boundary(data, start) {
        return None;
    }
    let rest = &data[start..];
    if kind == TokenKind::UserAccessToken {
        if rest.starts_with(b"hf_oauth_") {
            return special_token(data, start, TokenKind::OauthToken);
        }
        if rest.starts_with(b"hf_jwt_") {
            return special_token(data, start, TokenKind::CiToken);
        }
    }
    let body_start = start + kind.prefix().len();
    let run = alnum_run(data, body_start, GLUED_RUN);
    if run < BODY_LEN {
        return None;
    }
    let end = body_start + BODY_LEN;
    if run > BODY_LEN {
        // In text, a longer run is a longer word. In binary content values sit back to back
        // (a `.pyc`'s next marshal opcode, a SQLite row's next column): the length is fixed,
        // so the first 34 characters can still be a token, unless the whole run reads as an
        // identifier (a symbol name in a shared library).
        if !is_binary(data) || is_identifier(&data[body_start..body_start + run]) {
            return None;
        }
    } else if data.get(end) == Some(&b'_') {
        return None;
    }
    let body = &data[body_start..end];
    if is_placeholder(body) {
        return None;
    }
    let text = std::str::from_utf8(&data[start..end]).ok()?;
    Some(Candidate {
        offset: start,
        len: end - start,
        secret: Secret::new(text, kind),
        decoded: Vec::new(),
    })
}

/// OAuth (`hf_oauth_` + 30–64 alphanumerics) and CI (`hf_jwt_` + a JWT) tokens. Their lengths are
/// undocumented, so the shape is strict: precision before recall for these short-lived kinds.
fn special_token(data: &[u8], start: usize, kind: TokenKind) -> Option<Candidate> {
    let body_start = start + kind.prefix().len();
    let end = if kind == TokenKind::OauthToken {
        let run = alnum_run(data, body_start, 65);
        if !(30..=64).contains(&run) {
            return None;
        }
        let body = &data[body_start..body_start + run];
        let has_digit = body.iter().any(u8::is_ascii_digit);
        let has_upper = body.iter().any(u8::is_ascii_uppercase);
        let has_lower = body.iter().any(u8::is_ascii_lowercase);
        if !(has_digit && has_upper && has_lower) || is_placeholder(body) {
            return None;
        }
        body_start + run
    } else {
        // A JWT: three base64url segments, the header starting `eyJ` (`{"`).
        let jwt = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-';
        if !data.get(body_start..)?.starts_with(b"eyJ") {
            return None;
        }
        let mut pos = body_start;
        for segment in 0..3 {
            let len = data[pos..]
                .iter()
                .take(MAX_TOKEN_LEN)
                .take_while(|b| jwt(b))
                .count();
            if len < 10 {
                return None;
            }
            pos += len;
            if segment < 2 {
                if data.get(pos) != Some(&b'.') {
                    return None;
                }
                pos += 1;
            }
        }
        if pos - start > MAX_TOKEN_LEN {
            return None;
        }
        pos
    };
    if data.get(end).is_some_and(|&b| is_word(b) || b == b'-') {
        return None;
    }
    let text = std::str::from_utf8(&data[start..end]).ok()?;
    Some(Candidate {
        offset: start,
        len: end - start,
        secret: Secret::new(text, kind),
        decoded: Vec::new(),
    })
}

/// Words that placeholders are built from (`hf_YOURTOKENHERE…`, `hf_ExampleTokenReplaceMe…`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "token",
    "here",
    "example",
    "placeholder",
    "replace",
    "insert",
    "dummy",
    "sample",
    "secret",
    "redacted",
    "fake",
    "changeme",
    "xxxx",
    "huggingface",
    "access",
    "enter",
    "paste",
    "mytoken",
    "write",
    "read",
    "api",
    "key",
    "hf",
];

/// True for bodies that are not random: placeholders, sequences, words, low entropy.
///
/// A real token body is 34 characters drawn uniformly from 62 (or 52) symbols. Each test below
/// rejects shapes such a draw rarely takes: most far below one in a million, the loosest
/// (camel-case words, letters-only bodies) about one in 100,000. Real tokens pass and
/// documentation does not fire.
pub fn is_placeholder(body: &[u8]) -> bool {
    if body.len() < 8 {
        return true;
    }
    // Few distinct symbols: `xxxx…`, `abab…`, `0000…`. A random body has about 25.
    let mut seen = [false; 256];
    let mut distinct = 0usize;
    for &b in body {
        if !seen[b as usize] {
            seen[b as usize] = true;
            distinct += 1;
        }
    }
    if distinct * 34 < body.len() * 12 {
        return true;
    }
    // Hex digits of one case: a digest (`hf_` + 34 characters of a SHA), not a token. A
    // random body is all lower-case hex once in about 10^20.
    let hex = |lower: bool| {
        body.iter().all(|b| {
            b.is_ascii_digit()
                || if lower {
                    (b'a'..=b'f').contains(b)
                } else {
                    (b'A'..=b'F').contains(b)
                }
        })
    };
    if hex(true) || hex(false) {
        return true;
    }
    // Runs through the alphabet in any case, also interleaved with another run:
    // `ABCDEFGH…`, `aBcDeFgH…`, `0123456789…`, `zyxw…`, `a1b2c3d4…`.
    // Case-sensitive steps are rarer in random text (2 in 62) than case-blind ones (2 in 26),
    // so they need fewer to convince.
    let step = |a: u8, b: u8| b == a.wrapping_add(1) || a == b.wrapping_add(1);
    let exact = body.windows(2).filter(|w| step(w[0], w[1])).count();
    let lower: Vec<u8> = body.iter().map(u8::to_ascii_lowercase).collect();
    let steps = lower.windows(2).filter(|w| step(w[0], w[1])).count();
    let strided = lower.windows(3).filter(|w| step(w[0], w[2])).count();
    if exact * 4 >= body.len() || steps * 2 >= body.len() || strided * 2 >= body.len() {
        return true;
    }
    // Keyboard rows: `qwertyuiop…`, `asdfghjkl…`.
    if keyboard_letters(&lower) * 2 >= body.len() {
        return true;
    }
    // A single case, no digits: words in capitals or lower case; random bodies mix cases.
    let letters_only = body.iter().all(u8::is_ascii_alphabetic);
    if letters_only
        && (body.iter().all(u8::is_ascii_uppercase) || body.iter().all(u8::is_ascii_lowercase))
    {
        return true;
    }
    if placeholder_word_letters(body) * 34 >= body.len() * 9 {
        return true;
    }
    letters_only && is_camel_words(body)
}

/// How many letters of `lower` lie in runs of four or more keys along a keyboard row.
fn keyboard_letters(lower: &[u8]) -> usize {
    const ROWS: [&[u8]; 4] = [b"1234567890", b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let next_on_row = |a: u8, b: u8| {
        ROWS.iter()
            .any(|row| row.windows(2).any(|w| w[0] == a && w[1] == b))
    };
    let mut covered = 0;
    let mut run = 1;
    for w in lower.windows(2) {
        if next_on_row(w[0], w[1]) {
            run += 1;
        } else {
            if run >= 4 {
                covered += run;
            }
            run = 1;
        }
    }
    if run >= 4 {
        covered += run;
    }
    covered
}

/// How many letters of `body` are covered by placeholder words (case-insensitive, greedy).
fn placeholder_word_letters(body: &[u8]) -> usize {
    let lower: Vec<u8> = body.iter().map(u8::to_ascii_lowercase).collect();
    let mut covered = 0;
    let mut i = 0;
    while i < lower.len() {
        let hit = PLACEHOLDER_WORDS
            .iter()
            .filter(|w| w.len() >= 3 && lower[i..].starts_with(w.as_bytes()))
            .map(|w| w.len())
            .max();
        if let Some(len) = hit {
            covered += len;
            i += len;
        } else {
            i += 1;
        }
    }
    covered
}

/// `requiredCharacteristicTypesForDisplayMetadata`: letters only, in camel-case words of three
/// or more letters with vowels (the first word may start in lower case). A random body breaks
/// into words of one or two letters long before 34 characters.
fn is_identifier(run: &[u8]) -> bool {
    if !run.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let mut words = 0;
    let mut vowels = 0;
    let mut letters = 0;
    let mut i = 0;
    while i < run.len() {
        let mut j = i + 1;
        while j < run.len() && run[j].is_ascii_lowercase() {
            j += 1;
        }
        if j - i < 3 && j < run.len() {
            return false;
        }
        vowels += run[i..j]
            .iter()
            .filter(|b| {
                matches!(
                    b.to_ascii_lowercase(),
                    b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
                )
            })
            .count();
        letters += j - i;
        words += 1;
        i = j;
    }
    words >= 3 && vowels * 10 >= letters * 3
}

/// `DownloadTokenizerConfigFromCache`: capitalised words of three or more letters with vowels.
/// A uniformly random 34-letter body has this shape with probability below 1e-5.
fn is_camel_words(body: &[u8]) -> bool {
    if !body[0].is_ascii_uppercase() {
        return false;
    }
    let mut words = 0;
    let mut vowels = 0;
    let mut lower = 0;
    let mut i = 0;
    while i < body.len() {
        if !body[i].is_ascii_uppercase() {
            return false;
        }
        let mut j = i + 1;
        while j < body.len() && body[j].is_ascii_lowercase() {
            if matches!(body[j], b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
                vowels += 1;
            }
            lower += 1;
            j += 1;
        }
        // The last word may be cut by the 34-character length.
        if j - i < 3 && j < body.len() {
            return false;
        }
        words += 1;
        i = j;
    }
    words >= 3 && vowels * 10 >= lower * 3
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic generator of fake token bodies (xorshift), so no token literal is stored.
    pub(crate) struct Fake(u64);
    impl Fake {
        pub(crate) fn new(seed: u64) -> Self {
            Fake(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        pub(crate) fn body(&mut self, alphabet: &[u8]) -> String {
            (0..BODY_LEN)
                .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
                .collect()
        }
    }
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    fn det() -> Detector {
        Detector::new(&["HF_TOKEN"])
    }

    fn found(text: &str) -> Vec<String> {
        det()
            .scan(text.as_bytes())
            .candidates
            .iter()
            .map(|c| c.secret.expose().to_owned())
            .collect()
    }

    #[test]
    fn random_bodies_are_never_placeholders() {
        let mut fake = Fake::new(7);
        for i in 0..200_000 {
            let body = fake.body(if i % 2 == 0 { ALNUM } else { LETTERS });
            assert!(
                !is_placeholder(body.as_bytes()),
                "random body rejected: {i} {body}"
            );
        }
    }

    #[test]
    fn must_fire_in_every_context() {
        let mut fake = Fake::new(1);
        let t = format!("hf_{}", fake.body(ALNUM));
        let l = format!("hf_{}", fake.body(LETTERS));
        let o = format!("api_org_{}", fake.body(ALNUM));
        let cases = [
            format!("login(token=\"{t}\")"),
            format!("\"source\": [\"login(token=\\\"{t}\\\")\\n\"]"),
            format!("\"text\": \"done\\n{t}\\n\""),
            format!("git remote add hf https://user:{t}@huggingface.co/spaces/u/s"),
            format!("curl -H \"Authorization: Bearer {t}\" x"),
            format!("`{t}`"),
            format!("HF_TOKEN={t}\r\n"),
            t.clone(),
            format!("x = '{t}'"),
            format!("\"tok\\u0022{t}\\u0022\""),
            format!("https://h/?token%3D{t}"),
            format!(
                "{{\"tb\": \"\\u001b[38;5;124m\\\"\\u001b[39m\\u001b[38;5;124m{t}\\u001b[39m\"}}"
            ),
            format!("\u{1b}[1;31m{t}\u{1b}[0m"),
            format!("b'\\x00{t}'"),
            format!("\0\0{t}\0\0"),
        ];
        for case in &cases {
            assert_eq!(
                found(case),
                vec![t.clone()],
                "missed in {:?}",
                case.replace(&t, "<T>")
            );
        }
        assert_eq!(found(&format!("token: {l}")), vec![l.clone()]);
        assert_eq!(found(&format!("HfApi(token=\"{o}\")")), vec![o.clone()]);
    }

    #[test]
    fn must_not_fire() {
        let mut fake = Fake::new(2);
        let body = fake.body(LETTERS);
        let cases = [
            "from huggingface_hub import hf_hub_download, hf_hub_url".to_owned(),
            "hf_token = os.environ['HF_TOKEN']".to_owned(),
            "hf_oauth_scopes = ['openid']".to_owned(),
            "HF_TOKEN=hf_YOUR_TOKEN_HERE".to_owned(),
            format!("hf_{}", "x".repeat(34)),
            format!("hf_{}", "X".repeat(34)),
            format!("api_org_{}", "x".repeat(34)),
            "hf_***".to_owned(),
            "hf_...".to_owned(),
            "hf_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh".to_owned(),
            "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH".to_owned(),
            "def hf_DownloadTokenizerConfigFromCache(repo_id):".to_owned(),
            "hf_YourHuggingFaceAccessTokenHereXy".to_owned(),
            "hf_YOURHUGGINGFACETOKENHEREXXXXXXXX".to_owned(),
            format!("hf_{}", &body[..33]),
            format!("hf_{body}1"),
            format!("hf_{body}_x"),
            format!("xhf_{body}"),
            format!("9hf_{body}"),
            format!("my_hf_{body}"),
            format!("AbC9hf_{body}42Zz"),
            format!("hf_{}-{}", &body[..16], &body[16..33]),
            format!("hf_{}", "ab".repeat(17)),
            "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ12345678".to_owned(),
            "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh".to_owned(),
            "hf_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7".to_owned(),
            "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".to_owned(),
            format!("hf_{}", "abcdefghijklmnopq".repeat(2)),
            "hf_3f2a9c0d41b7e86f5a2c9d0e1b4f7a8c63".to_owned(),
            "hf_3F2A9C0D41B7E86F5A2C9D0E1B4F7A8C63".to_owned(),
        ];
        for case in &cases {
            assert!(found(case).is_empty(), "false alarm on {case:?}");
        }
    }

    #[test]
    fn binary_values_packed_back_to_back_are_found() {
        let mut fake = Fake::new(8);
        let t = format!("hf_{}", fake.body(ALNUM));
        // SQLite rows and pickle protocol 0 glue a value to whatever precedes it.
        for glued in [
            format!("\0\x02other key 1{t}\x07"),
            format!("\0hf_token{t}"),
            format!("\0(dp0\nVtoken\np1\nV{t}\n"),
        ] {
            assert_eq!(
                found(&glued),
                vec![t.clone()],
                "binary: {:?}",
                glued.replace(&t, "<T>")
            );
            // The same text without a NUL is text, where glued means part of another word.
            let text = glued.replace('\0', " ");
            if text.contains("\nV") {
                assert_eq!(
                    found(&text),
                    vec![t.clone()],
                    "pickle protocol 0 is plain text"
                );
            } else {
                assert!(
                    found(&text).is_empty(),
                    "text: {:?}",
                    text.replace(&t, "<T>")
                );
            }
        }
        assert!(
            found(&format!("\0my_{t}")).is_empty(),
            "an underscore still glues"
        );
    }

    #[test]
    fn binary_tokens_glued_to_a_following_value_are_found() {
        let mut fake = Fake::new(9);
        for i in 0..2000 {
            let t = format!("hf_{}", fake.body(if i % 2 == 0 { ALNUM } else { LETTERS }));
            // A `.pyc` marshal opcode, a SQLite column, more letters and digits.
            for next in ["N", "Z", "r4", "aXyz9", "Version2x"] {
                let data = format!("\0\x01Z%{t}{next}\0");
                assert_eq!(found(&data), vec![t.clone()], "{i}: {next}");
                let text = format!("x {t}{next} y");
                assert!(found(&text).is_empty(), "in text a longer run is a word");
            }
        }
        // Symbol names of compiled code are identifiers, not tokens.
        for sym in [
            "hf_requiredCharacteristicTypesForDisplayMetadata",
            "hf_initializeTokenizerConfigurationFromPretrained",
            "hf_RegisterModelClassesWithAutoConfigurationLoader",
        ] {
            assert!(found(&format!("\0\0{sym}\0")).is_empty(), "{sym}");
        }
        assert!(
            found(&format!("\0hf_{}_x", fake.body(ALNUM))).is_empty(),
            "an underscore still glues"
        );
    }

    /// Every byte of `text` written as `lead` and two hex digits.
    fn spell(text: &str, lead: &str, upper: bool) -> String {
        use std::fmt::Write;
        text.bytes().fold(String::new(), |mut out, b| {
            if upper {
                let _ = write!(out, "{lead}{b:02X}");
            } else {
                let _ = write!(out, "{lead}{b:02x}");
            }
            out
        })
    }

    fn found_decoded(text: &[u8]) -> Vec<(String, Vec<Encoding>, usize, usize)> {
        det()
            .scan(text)
            .candidates
            .into_iter()
            .map(|c| (c.secret.expose().to_owned(), c.decoded, c.offset, c.len))
            .collect()
    }

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
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(plain.as_bytes());
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

    #[test]
    fn base64_inside_a_long_run_and_nested_escapes() {
        let mut fake = Fake::new(12);
        let t = format!("hf_{}", fake.body(ALNUM));
        // An image-sized run with the token's bytes in the middle, at an odd byte offset.
        let mut bytes: Vec<u8> = (0..3001u32).map(|i| (i * 7 % 251) as u8).collect();
        bytes.extend_from_slice(t.as_bytes());
        bytes.extend((0..3000u32).map(|i| (i * 13 % 251) as u8));
        let text = format!("\"image/png\": \"{}\"", BASE64.encode(&bytes));
        assert_eq!(found(&text), vec![t.clone()]);
        // base64 of JSON whose token is written with `\u` escapes: two decodings.
        let escaped = spell(&t, "\\u00", false);
        let json = format!("{{\"token\": \"{escaped}\"}}");
        let got = found_decoded(format!("x = '{}'", BASE64.encode(json.as_bytes())).as_bytes());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, t);
        assert_eq!(got[0].1, [Encoding::Base64, Encoding::UnicodeEscape]);
    }

    #[test]
    fn utf16_and_escaped_forms_are_found() {
        let mut fake = Fake::new(13);
        let t = format!("hf_{}", fake.body(ALNUM));
        let le: Vec<u8> = format!("token={t};").bytes().flat_map(|b| [b, 0]).collect();
        let be: Vec<u8> = format!("token={t};").bytes().flat_map(|b| [0, b]).collect();
        for (bytes, enc) in [(le, Encoding::Utf16), (be, Encoding::Utf16)] {
            let mut data = b"\x7fELF\0\0junk".to_vec();
            let at = data.len();
            data.extend_from_slice(&bytes);
            let got = found_decoded(&data);
            assert_eq!(got.len(), 1, "{enc:?}");
            assert_eq!(
                (got[0].0.as_str(), got[0].1.as_slice()),
                (t.as_str(), &[enc][..])
            );
            assert_eq!(got[0].3, 2 * t.len(), "{enc:?}");
            assert!(
                got[0].2 >= at + 12 && got[0].2 <= at + 13,
                "{enc:?}: {}",
                got[0].2
            );
        }
        let u = spell(&t, "\\u00", true);
        let x = spell(&t, "\\x", false);
        let p = t.replace('_', "%5F");
        let hp = spell(&t, "%", true);
        for (text, enc, at) in [
            (format!("var k = \"{u}\";"), Encoding::UnicodeEscape, 9),
            (format!("k = b'{x}'"), Encoding::HexEscape, 6),
            (format!("https://h/x?token={p}&a=1"), Encoding::Percent, 18),
            (format!("u={hp}"), Encoding::Percent, 2),
        ] {
            let got = found_decoded(text.as_bytes());
            assert_eq!(got.len(), 1, "{text}");
            assert_eq!(got[0].0, t);
            assert_eq!(got[0].1, [enc]);
            assert_eq!(got[0].2, at, "{text}");
            assert_eq!(
                got[0].2 + got[0].3,
                text.len()
                    - text
                        .chars()
                        .rev()
                        .take_while(|c| !c.is_ascii_alphanumeric())
                        .count()
                    - if text.ends_with("&a=1") { 4 } else { 0 },
                "{text}"
            );
        }
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
        let url = base64::engine::general_purpose::URL_SAFE.encode(&bytes[..1 << 20]);
        assert!(
            d.scan(url.as_bytes()).candidates.is_empty(),
            "url-safe base64"
        );
        // Anchors planted in noise: decoded, checked, rejected.
        let mut planted = b64.into_bytes();
        let base64_anchors = encoded_anchors()
            .into_iter()
            .filter(|(_, p)| matches!(p, Pattern::Base64(_)));
        for (i, anchor) in base64_anchors.enumerate() {
            let at = 1000 + i * 4099;
            planted[at..at + anchor.0.len()].copy_from_slice(&anchor.0);
        }
        assert!(d.scan(&planted).candidates.is_empty(), "planted anchors");
    }

    /// Past 32 literals Teddy goes "fat" (half the bytes per step): the standard variable names
    /// and every anchor must fit.
    #[test]
    fn the_standard_detector_stays_slim() {
        let names: Vec<&str> = crate::context::STANDARD_TOKEN_VARS.to_vec();
        let d = Detector::new(&names);
        assert!(d.kinds.len() <= 32, "{} literals", d.kinds.len());
    }

    /// The tuned order (speed only) lists every built-in literal, and no built-in literal is a
    /// prefix of another, so that reordering them cannot change which one matches.
    #[test]
    fn teddy_order_lists_every_literal() {
        let mut built_in = built_in_literals();
        let mut listed: Vec<Vec<u8>> = TEDDY_ORDER.iter().map(|l| l.to_vec()).collect();
        for a in &built_in {
            for b in &built_in {
                assert!(a == b || !b.starts_with(a), "{a:?} is a prefix of {b:?}");
            }
        }
        built_in.sort();
        listed.sort();
        assert_eq!(built_in, listed);
        let names: Vec<&str> = crate::context::STANDARD_TOKEN_VARS.to_vec();
        assert_eq!(Detector::new(&names).kinds.len(), TEDDY_ORDER.len());
    }

    /// Runs of repeated anchors decode a window at a time, not one window an anchor: a few MB
    /// of them scan like any text (no finding; a regression shows as a test that crawls).
    #[test]
    fn repeated_anchors_decode_window_by_window() {
        let d = det();
        for unit in [&b"aGZf"[..], b"hmXhmX", b"h\0f\0_\0", b"\\u0068", b"hf%5F"] {
            let data = unit.repeat((2 << 20) / unit.len());
            assert!(d.scan(&data).candidates.is_empty());
        }
    }

    #[test]
    fn decoding_can_be_turned_off() {
        let mut fake = Fake::new(15);
        let t = format!("hf_{}", fake.body(ALNUM));
        let text = format!("a: {}", BASE64.encode(t.as_bytes()));
        assert_eq!(found(&text), vec![t]);
        let plain = Detector::with_decoding(&["HF_TOKEN"], false);
        assert!(plain.scan(text.as_bytes()).candidates.is_empty());
    }

    #[test]
    fn oauth_and_ci_tokens_are_conservative() {
        let mut fake = Fake::new(3);
        let oauth = format!("hf_oauth_{}", fake.body(ALNUM));
        let r = det().scan(format!("t = \"{oauth}\"").as_bytes());
        assert_eq!(r.candidates.len(), 1);
        assert_eq!(r.candidates[0].secret.kind(), TokenKind::OauthToken);
        // A made-up JWT, assembled so that this file holds no token-shaped text.
        let jwt = format!(
            "hf_jwt_{}",
            "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI2NGFiY2RlZiJ9.c2lnbmF0dXJlQUJDREVGR0g5ODc2"
        );
        let r = det().scan(jwt.as_bytes());
        assert_eq!(r.candidates.len(), 1);
        assert_eq!(r.candidates[0].secret.kind(), TokenKind::CiToken);
        assert!(found("hf_jwt_auth = True").is_empty());
        assert!(found("hf_oauth_info(request)").is_empty());
        assert!(found("hf_oauth_abcdefghijklmnopqrstuvwxyzabcdef").is_empty());
    }

    #[test]
    fn portable_automaton_finds_what_teddy_finds() {
        let teddy = det();
        let portable = Detector {
            packed: None,
            ..det()
        };
        let mut fake = Fake::new(6);
        let t = format!("hf_{}", fake.body(ALNUM));
        let o = format!("api_org_{}", fake.body(ALNUM));
        let text = format!(
            "a HF_TOKEN={t}\n\"x\": \"\\n{o}\" hf_hub_download xhf_{}",
            fake.body(ALNUM)
        );
        let (a, b) = (teddy.scan(text.as_bytes()), portable.scan(text.as_bytes()));
        assert_eq!(a.candidates, b.candidates);
        assert_eq!(a.candidates.len(), 2);
        assert!(a.mentions_env && b.mentions_env);
    }

    #[test]
    fn env_mentions_are_flagged() {
        assert!(det().scan(b"os.environ[\"HF_TOKEN\"]").mentions_env);
        assert!(!det().scan(b"print('hello')").mentions_env);
    }

    #[test]
    fn offsets_point_at_the_token() {
        let mut fake = Fake::new(4);
        let t = format!("hf_{}", fake.body(ALNUM));
        let text = format!("a\nb = \"{t}\" and {t}");
        let r = det().scan(text.as_bytes());
        assert_eq!(r.candidates.len(), 2);
        for c in &r.candidates {
            assert_eq!(&text[c.offset..c.offset + c.secret.len()], t);
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut fake = Fake::new(5);
        let d = det();
        let alphabet: Vec<u8> = (0u8..=255).collect();
        let mut buf = Vec::new();
        for round in 0..400 {
            buf.clear();
            let len = (fake.next() % 4096) as usize;
            for _ in 0..len {
                let b = alphabet[(fake.next() % 256) as usize];
                buf.push(b);
                // Seed the buffer with prefixes so the slow path runs too.
                if round % 2 == 0 && fake.next().is_multiple_of(64) {
                    buf.extend_from_slice(
                        [
                            &b"hf_"[..],
                            b"api_org_",
                            b"hf_oauth_",
                            b"hf_jwt_eyJ",
                            b"\\n",
                        ][(fake.next() % 5) as usize],
                    );
                }
            }
            let _ = d.scan(&buf);
            // Truncations at every length near the end exercise every bounds check.
            for cut in buf.len().saturating_sub(40)..buf.len() {
                let _ = d.scan(&buf[..cut]);
            }
        }
    }
}
