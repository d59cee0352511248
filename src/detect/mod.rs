//! Detect: find Hugging Face tokens in a byte buffer.
//!
//! A pure function over bytes: no file system, no allocation per byte, no regex per rule. One
//! Aho-Corasick pass (SIMD "Teddy" for a handful of literals) finds every token prefix, every
//! mention of a token-holding environment variable and every anchor of an encoded token; only
//! at a hit do we look further. What a match *means* (platform, usage) is `context`'s job.
//!
//! `token` reads a token at a prefix (boundaries, length, placeholders). Each other file is one
//! decoder (`base64`, `utf16`, `escape`, `percent`): it declares its anchors, decodes the
//! neighbourhood of one, and maps decoded offsets back; decoded text is scanned again here, so
//! adding a decoder touches no other decoder, only the dispatch in [`Decoder`].

mod base64;
mod escape;
mod percent;
mod token;
pub mod utf16;

use aho_corasick::packed::{Config as PackedConfig, MatchKind, Searcher};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};

use serde::{Deserialize, Serialize};

use crate::secret::{Secret, TokenKind};

use token::token_at;
pub use token::{is_binary, is_placeholder, BODY_LEN, MAX_TOKEN_LEN};

/// How a token was written when it was not plain text; a chain lists the outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// An anchor of `Decoder`, with the decoder's own number for it (for base64: how many
    /// characters of its group of four come before the anchor).
    Encoded(Decoder, u8),
}

/// The ways a token can be written other than plainly, one file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    Base64,
    Utf16,
    Escape,
    Percent,
}

impl Decoder {
    const ALL: [Decoder; 4] = [
        Decoder::Base64,
        Decoder::Utf16,
        Decoder::Escape,
        Decoder::Percent,
    ];

    /// The literals that announce this encoding, each with its number.
    fn anchors(self) -> Vec<(Vec<u8>, u8)> {
        match self {
            Decoder::Base64 => base64::anchors(),
            Decoder::Utf16 => utf16::anchors(),
            Decoder::Escape => escape::anchors(),
            Decoder::Percent => percent::anchors(),
        }
    }

    /// The neighbourhood of an anchor at `at`, decoded.
    fn decode(self, data: &[u8], at: usize, lead: u8) -> Option<Decoded> {
        match self {
            Decoder::Base64 => base64::decode(data, at, lead),
            Decoder::Utf16 => Some(utf16::decode(data, at)),
            Decoder::Escape => Some(escape::decode(data, at)),
            Decoder::Percent => Some(percent::decode(data, at)),
        }
    }

    /// Encoded bytes a token needs after its anchor: an anchor closer than this to the end of
    /// a window already decoded is decoded again.
    fn span(self) -> usize {
        match self {
            Decoder::Base64 => base64::SPAN,
            Decoder::Utf16 => utf16::SPAN,
            Decoder::Escape | Decoder::Percent => escape::SPAN,
        }
    }
}

/// What a decoder gives back: the bytes around an anchor, decoded, where each came from, and
/// the encoding to name in the finding's chain.
struct Decoded {
    bytes: Vec<u8>,
    map: Map,
    encoding: Encoding,
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
/// decoded: every decoder's anchors.
///
/// With the plain prefixes and the standard variable names they stay within 32 literals: more
/// would make the automaton switch to "fat" Teddy, which reads half as many bytes at a time.
fn encoded_anchors() -> Vec<(Vec<u8>, Pattern)> {
    Decoder::ALL
        .iter()
        .flat_map(|&d| {
            d.anchors()
                .into_iter()
                .map(move |(anchor, lead)| (anchor, Pattern::Encoded(d, lead)))
        })
        .collect()
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

    /// The same detector on the portable automaton only, as on a CPU without the SIMD Teddy
    /// needs: the fuzz targets compare the two (`fuzz/`).
    pub(crate) fn portable(mut self) -> Self {
        self.packed = None;
        self
    }

    /// Whether this detector decodes (base64, UTF-16, escapes); `--no-decode` turns it off.
    pub fn decodes(&self) -> bool {
        self.kinds.iter().any(|k| matches!(k, Pattern::Encoded(..)))
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
                Pattern::Encoded(decoder, lead) => {
                    if depth < MAX_DEPTH && !covered.covers(decoder, lead, start) {
                        if let Some(reach) = self.decode_at(data, start, decoder, lead, depth, out)
                        {
                            covered.add(decoder, lead, start, reach);
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
        decoder: Decoder,
        lead: u8,
        depth: usize,
        out: &mut Scanned,
    ) -> Option<usize> {
        let Decoded {
            bytes,
            map,
            encoding,
        } = decoder.decode(data, at, lead)?;
        let reach = map.range(0, bytes.len(), data.len()).1;
        let mut inner = Scanned::default();
        self.scan_into(&bytes, depth + 1, &mut inner);
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
    /// Base64 windows lie on a grid of four: kept per place on the grid.
    base64: base64::Windows,
    /// The furthest any window of each other decoder reached, by `Decoder` number.
    reach: [usize; Decoder::ALL.len()],
}

impl Covered {
    fn covers(&self, decoder: Decoder, lead: u8, at: usize) -> bool {
        match decoder {
            Decoder::Base64 => self.base64.covers(at, lead),
            other => at + other.span() <= self.reach[other as usize],
        }
    }

    fn add(&mut self, decoder: Decoder, lead: u8, at: usize, reach: usize) {
        match decoder {
            Decoder::Base64 => self.base64.add(at, lead, reach),
            other => {
                let r = &mut self.reach[other as usize];
                *r = (*r).max(reach);
            }
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

/// One escape at the start of some bytes, as an escape decoder reads it.
enum Escape {
    /// The byte it stands for, and its length.
    Byte(u8, usize),
    /// Not an escape: a plain character.
    Plain,
    /// An escape that spells no token character: the run ends.
    End,
}

/// Bytes decoded from an escaped run at most (a JWT can be long; tokens are 37–42 bytes).
const MAX_DECODED: usize = 512;

/// Decodes escapes mixed with plain characters from `at`, while they spell token characters;
/// `escape` reads one escape of the decoder's kind. A space stands before the decoded bytes,
/// so the token's left boundary holds. Each decoded byte's offset in `data` is kept.
fn unescape_run(data: &[u8], at: usize, escape: impl Fn(&[u8]) -> Escape) -> (Vec<u8>, Vec<usize>) {
    let mut bytes = vec![b' '];
    let mut starts = vec![at];
    let mut i = at;
    while i < data.len() && bytes.len() < MAX_DECODED {
        let (byte, used) = match escape(&data[i..]) {
            Escape::Byte(b, used) => (b, used),
            Escape::Plain => (data[i], 1),
            Escape::End => break,
        };
        if !(token::is_word(byte) || matches!(byte, b'-' | b'.')) {
            break;
        }
        bytes.push(byte);
        starts.push(i);
        i += used;
    }
    starts.push(i);
    (bytes, starts)
}

/// Two hex digits.
fn hex_byte(s: &[u8]) -> Option<u8> {
    let t = std::str::from_utf8(s.get(..2)?).ok()?;
    u8::from_str_radix(t, 16).ok()
}

#[cfg(test)]
pub(crate) mod testing {
    //! Fake token bodies for the detector's tests: generated, so no token literal is stored.
    use super::BODY_LEN;

    /// A deterministic generator of fake token bodies (xorshift).
    pub(crate) struct Fake(u64);
    impl Fake {
        pub(crate) fn new(seed: u64) -> Self {
            Fake(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        pub(crate) fn next(&mut self) -> u64 {
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
    pub(crate) const ALNUM: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    pub(crate) const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// The detector the tests use.
    pub(crate) fn det() -> super::Detector {
        super::Detector::new(&["HF_TOKEN"])
    }

    /// The tokens `det` finds in `text`.
    pub(crate) fn found(text: &str) -> Vec<String> {
        det()
            .scan(text.as_bytes())
            .candidates
            .iter()
            .map(|c| c.secret.expose().to_owned())
            .collect()
    }

    /// Each token found with its decoding chain, offset and length.
    pub(crate) fn found_decoded(text: &[u8]) -> Vec<(String, Vec<super::Encoding>, usize, usize)> {
        det()
            .scan(text)
            .candidates
            .into_iter()
            .map(|c| (c.secret.expose().to_owned(), c.decoded, c.offset, c.len))
            .collect()
    }

    /// Every byte of `text` written as `lead` and two hex digits.
    pub(crate) fn spell(text: &str, lead: &str, upper: bool) -> String {
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
}

#[cfg(test)]
mod tests {
    use super::testing::{det, found, found_decoded, spell, Fake, ALNUM};
    use super::*;
    use ::base64::Engine as _;

    const BASE64: ::base64::engine::GeneralPurpose = ::base64::engine::general_purpose::STANDARD;

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
}
