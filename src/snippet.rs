//! What a finding shows of its line: the snippet (trimmed, every token redacted, encoded tokens
//! masked), the line and column (counted once per buffer), and an `hfaudit:allow` marker on
//! the line or the line above (lines are logical: a notebook cell's `\n` escape ends one).

use memchr::{memchr, memchr_iter, memrchr};

use crate::allow::{parse_allow, Allow};
use crate::context;
use crate::detect::{Candidate, MAX_TOKEN_LEN};

/// Snippets longer than this are cut around the token (minified files have 10 MB lines).
const SNIPPET_WIDTH: usize = 160;

/// Characters in UTF-8 text (bytes that do not continue a character), as columns count them.
pub fn char_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64
}

/// Where each occurrence is, computed incrementally: occurrences come in offset order, so each
/// file is walked once for lines and columns, however many tokens a line holds.
#[derive(Default)]
pub struct Cursor {
    pos: usize,
    /// Newlines before `pos`.
    line: u64,
    line_start: usize,
    /// Characters from `line_start` to `pos`.
    col: u64,
}

impl Cursor {
    /// (1-based line, byte offset of the line's start, 1-based column in characters).
    pub fn at(&mut self, data: &[u8], offset: usize) -> (u64, usize, u64) {
        if offset < self.pos {
            *self = Cursor::default();
        }
        let seg = &data[self.pos..offset];
        match memrchr(b'\n', seg) {
            Some(i) => {
                self.line += memchr_iter(b'\n', seg).count() as u64;
                self.line_start = self.pos + i + 1;
                self.col = char_count(&data[self.line_start..offset]);
            }
            None => self.col += char_count(seg),
        }
        self.pos = offset;
        (self.line + 1, self.line_start, self.col + 1)
    }
}

/// Bytes looked at around a token for its snippet and allow markers.
pub const WINDOW: usize = 4096;

/// An `hfaudit:allow` marker on the token's line or the line above. Lines here are logical: a
/// `\n` escape inside a string (a notebook's JSON, where a whole cell can sit on one physical
/// line) ends one too, so a marker in one cell never reaches into another.
pub fn allow_near(data: &[u8], start: usize, end: usize, json: bool) -> Option<Allow> {
    let lo = start.saturating_sub(WINDOW);
    let hi = (end + WINDOW).min(data.len());
    let this_start = logical_line_start(data, lo, start, json);
    let this_end = logical_line_end(data, end, hi, json);
    if let Some(a) = parse_allow(&data[this_start..this_end]) {
        return Some(a);
    }
    // The line above ends just before this one's start (at a newline or a `\n` escape).
    let prev_end =
        if this_start >= 2 && data[this_start - 2] == b'\\' && data[this_start - 1] == b'n' {
            this_start - 2
        } else if this_start > 0 && data[this_start - 1] == b'\n' {
            this_start - 1
        } else {
            // A JSON bracket opened this line: nothing above it belongs to the same cell.
            return None;
        };
    let prev_end = if prev_end > 0 && data[prev_end - 1] == b'\r' {
        prev_end - 1
    } else {
        prev_end
    };
    let mut prev_start = logical_line_start(data, lo.min(prev_end), prev_end, json);
    // In pretty-printed notebook JSON the line above ends `…\n",`: what follows its `\n`
    // escape is punctuation, not a line; the text before the escape is.
    let punctuation = |b: &[u8]| {
        b.iter()
            .all(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b','))
    };
    if punctuation(&data[prev_start..prev_end]) && prev_start >= 2 && data[prev_start - 2] == b'\\'
    {
        let end = prev_start - 2;
        prev_start = logical_line_start(data, lo.min(end), end, json);
        return parse_allow(&data[prev_start..end]);
    }
    parse_allow(&data[prev_start..prev_end])
}

/// Ends a logical line: a newline, and in notebook JSON also the brackets around a cell's
/// list of lines and its objects (so a marker stays inside its own cell).
fn breaks_line(b: u8, json: bool) -> bool {
    b == b'\n' || (json && matches!(b, b'[' | b']' | b'{' | b'}'))
}

fn logical_line_start(data: &[u8], lo: usize, at: usize, json: bool) -> usize {
    let window = &data[lo..at];
    let byte = window
        .iter()
        .rposition(|b| breaks_line(*b, json))
        .map(|p| lo + p + 1);
    let esc = context::ESCAPED_NEWLINE_REV
        .rfind(window)
        .map(|p| lo + p + 2);
    byte.max(esc).unwrap_or(lo)
}

fn logical_line_end(data: &[u8], at: usize, hi: usize, json: bool) -> usize {
    let window = &data[at..hi];
    let byte = window
        .iter()
        .position(|b| breaks_line(*b, json))
        .map(|p| at + p);
    let esc = context::ESCAPED_NEWLINE.find(window).map(|p| at + p);
    match (byte, esc) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(hi),
    }
}

/// An encoded token's place in a buffer and what a snippet shows instead: the redactor of
/// `output` cannot recognise base64 or UTF-16, so the snippet never holds the encoded bytes.
pub struct Mask {
    start: usize,
    end: usize,
    label: String,
}

pub fn masks(candidates: &[Candidate]) -> Vec<Mask> {
    candidates
        .iter()
        .filter(|c| !c.decoded.is_empty())
        .map(|c| {
            let chain: Vec<&str> = c.decoded.iter().map(|e| e.as_str()).collect();
            Mask {
                start: c.offset,
                end: c.offset + c.len,
                label: format!("[{} {}]", chain.join(" "), c.secret.redacted()),
            }
        })
        .collect()
}

/// The line `range` of `data`, trimmed to a readable width around `at` (a buffer offset),
/// encoded tokens replaced by their masks, every token-like run redacted.
pub fn snippet(data: &[u8], range: std::ops::Range<usize>, at: usize, masks: &[Mask]) -> String {
    let mut line = Vec::with_capacity(range.len());
    let mut at_in_line = at - range.start;
    let mut pos = range.start;
    // Every mask that touches the line, clamped to it; overlapping masks (two tokens in one
    // base64 run) are covered as one, so no encoded byte between them shows.
    for m in masks
        .iter()
        .filter(|m| m.end > range.start && m.start < range.end)
    {
        let start = m.start.max(pos).max(range.start);
        let end = m.end.min(range.end);
        if end <= pos {
            continue;
        }
        line.extend_from_slice(&data[pos..start]);
        if start < at {
            let hidden = end.min(at) - start;
            at_in_line = at_in_line + m.label.len() - hidden;
        }
        if start == m.start || pos == range.start {
            line.extend_from_slice(m.label.as_bytes());
        }
        pos = end;
    }
    line.extend_from_slice(&data[pos..range.end]);
    snippet_of_line(&line, at_in_line.min(line.len()))
}

/// The line, trimmed to a readable width around `at`, with every token-like run redacted.
fn snippet_of_line(line: &[u8], at: usize) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let (mut from, mut to) = if line.len() <= SNIPPET_WIDTH {
        (0, line.len())
    } else {
        let from = at.saturating_sub(SNIPPET_WIDTH / 3);
        (from, (from + SNIPPET_WIDTH).min(line.len()))
    };
    // Never cut inside a word: a cut token would escape redaction (its tail has no prefix;
    // its head is too short to look like one). Widen to the whole word instead.
    let token_char = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let mut budget = MAX_TOKEN_LEN;
    while from > 0 && budget > 0 && token_char(&line[from - 1]) {
        from -= 1;
        budget -= 1;
    }
    if from > 0 && token_char(&line[from - 1]) {
        // A word longer than the budget: drop what is left of it rather than show its tail
        // (`f_` + a body, with the `h` cut off, would escape the redactor).
        while from < at && token_char(&line[from]) {
            from += 1;
        }
    }
    budget = MAX_TOKEN_LEN;
    while to < line.len() && budget > 0 && token_char(&line[to]) {
        to += 1;
        budget -= 1;
    }
    if to < line.len() && token_char(&line[to]) {
        while to > from && token_char(&line[to - 1]) {
            to -= 1;
        }
    }
    let redacted = crate::output::redact_lossy(&line[from..to]);
    let mut text = crate::output::escape(redacted.trim()).into_owned();
    if from > 0 {
        text.insert(0, '…');
    }
    if to < line.len() {
        text.push('…');
    }
    text
}

/// A practice finding's line may hold an encoded token too: its snippet is rebuilt with the
/// same masks as a token's.
pub fn mask_practice_snippets(
    hits: &mut [crate::practice::PracticeHit],
    data: &[u8],
    masks: &[Mask],
) {
    if masks.is_empty() {
        return;
    }
    for hit in hits {
        let at = (hit.offset as usize).min(data.len());
        let start = memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
        let end = memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
        if masks.iter().any(|m| m.end > start && m.start < end) {
            hit.snippet = snippet(data, start..end, at, masks);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_never_cut_a_neighbouring_token() {
        let a = format!("hf_{}", "Zq8Wm3Lp5Tn7Rb2Vc4Xd6Yf9Gh1Jk0Ns2Q");
        let b = format!("hf_{}", "Pw4Ex7Ty1Ui3Oa5Sd8Fg2Hj6Kl9Zx0Cv3B");
        let c = format!("hf_{}", "Mn5Bv8Cx1Za4Sd7Fg0Hj3Kl6Qw9Er2Ty5U");
        let line = format!(
            "{} {a}{} {b} {} {c}",
            "x".repeat(129),
            " ".repeat(33),
            "y".repeat(70)
        );
        for tok in [&a, &b, &c] {
            let at = line.find(tok.as_str()).unwrap();
            let shown = snippet_of_line(line.as_bytes(), at);
            for t in [&a, &b, &c] {
                assert!(
                    !shown.contains(&t[7..20]) && !shown.contains(&t[20..33]),
                    "{shown}"
                );
            }
        }
    }

    #[test]
    fn cursor_counts_lines_and_columns_once() {
        let data = "aé\nb c\nc\nd".as_bytes();
        let mut c = Cursor::default();
        assert_eq!(c.at(data, 0), (1, 0, 1));
        assert_eq!(c.at(data, 4), (2, 4, 1));
        assert_eq!(c.at(data, 6), (2, 4, 3));
        assert_eq!(c.at(data, 10), (4, 10, 1));
        assert_eq!(c.at(data, 8), (3, 8, 1), "going back restarts");
    }

    #[test]
    fn allow_markers_follow_logical_lines() {
        // The marker that applies to `TOKEN` in `text` (notebook JSON when `json`).
        let at = |text: &[u8], json: bool| {
            let pos = memchr::memmem::find(text, b"TOKEN").unwrap();
            allow_near(text, pos, pos + 5, json)
        };
        // One physical line, two cells: the marker in cell 1 must not reach cell 2's output.
        let nb = br##"{"cells":[{"source":["# hfaudit:allow\n","x = 1"]},{"outputs":[{"text":["TOKEN"]}]}]}"##;
        assert_eq!(at(nb, true), None);
        let nb = br##"{"source":["# hfaudit:allow\n","login(TOKEN)"]}"##;
        assert_eq!(
            at(nb, true),
            Some(Allow::All),
            "the line above, as an escape"
        );
        let text = b"# hfaudit:allow HF003\r\nT = TOKEN\n";
        assert_eq!(at(text, false), Some(Allow::Rules(vec!["HF003".into()])));
        let pretty = b"  \"source\": [\n   \"# hfaudit:allow\\n\",\n   \"login(TOKEN)\"\n  ]";
        assert_eq!(
            at(pretty, true),
            Some(Allow::All),
            "pretty-printed notebook"
        );
        let text = b"# hfaudit:allow\n\nT = TOKEN\n";
        assert_eq!(at(text, false), None, "two lines above is too far");
    }
}
