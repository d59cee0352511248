//! The one exit for text: every byte hfaudit prints (reports, errors, notes, whoami, baselines)
//! passes through [`Redacting`] on its way to a terminal or a file, and every string that came
//! from outside (paths, Hub answers, git's words) is escaped with [`escape`] before a person's
//! terminal sees it.
//!
//! Redaction works on bytes, never on decoded text: a token is found wherever `hf_`/`api_org_`
//! starts, whatever byte precedes it (a Latin-1 `é`, half a UTF-8 sequence, a NUL), so no
//! encoding can walk a redactor past a token. It is deliberately greedier than the detector:
//! anything that could be a token is shortened, placeholders included.

use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input};

/// Token prefixes, longest first so `hf_oauth_…` is read as one token, not `hf_` + `oauth`.
const PREFIXES: [&[u8]; 2] = [b"api_org_", b"hf_"];
/// A body with a run of this many letters and digits may hide a token's worth of secret.
const MIN_SECRET_RUN: usize = 16;

fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The bytes of a token-like run starting at a prefix: `(prefix length, body length)`, when the
/// body holds a run of at least [`MIN_SECRET_RUN`] letters and digits.
fn secret_at(data: &[u8], at: usize) -> Option<(usize, usize)> {
    let prefix = PREFIXES.iter().find(|p| data[at..].starts_with(p))?;
    let body = &data[at + prefix.len()..];
    // Dots only join the three segments of a JWT (`hf_jwt_…`); elsewhere a dot ends the run,
    // so `hf_….txt` keeps its extension readable.
    let jwt = body.starts_with(b"jwt_");
    // The whole run, however long: resuming inside it could start after a prefix and print
    // the body that follows (`hf_` + 4,000 dashes + a token).
    let len = body
        .iter()
        .take_while(|b| token_char(**b) && (jwt || **b != b'.'))
        .count();
    let mut run = 0;
    let mut longest = 0;
    for &b in &body[..len] {
        run = if b.is_ascii_alphanumeric() {
            run + 1
        } else {
            0
        };
        longest = longest.max(run);
    }
    (longest >= MIN_SECRET_RUN).then_some((prefix.len(), len))
}

/// `hf_AbCd…WxYz` for a token-like run: the prefix and four characters at each end of its
/// body (never more than a third of it).
fn shorten(prefix: &[u8], body: &[u8], out: &mut Vec<u8>) {
    let show = (body.len() / 3).min(4);
    out.extend_from_slice(prefix);
    out.extend_from_slice(&body[..show]);
    out.extend_from_slice("…".as_bytes());
    out.extend_from_slice(&body[body.len() - show..]);
}

/// Every token-like run in `data` shortened to its redacted form; all other bytes kept as
/// they are. Borrowed when there is nothing to redact (the common case).
pub fn redact_bytes(data: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = next_prefix(data, from) {
        match secret_at(data, at) {
            Some((plen, blen)) => {
                let buf = out.get_or_insert_with(|| Vec::with_capacity(data.len()));
                buf.extend_from_slice(&data[copied..at]);
                shorten(
                    &data[at..at + plen],
                    &data[at + plen..at + plen + blen],
                    buf,
                );
                copied = at + plen + blen;
                from = copied;
            }
            None => from = at + 1,
        }
    }
    match out {
        None => Cow::Borrowed(data),
        Some(mut buf) => {
            buf.extend_from_slice(&data[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// The first byte at or after `from` where a prefix starts.
fn next_prefix(data: &[u8], from: usize) -> Option<usize> {
    // One pass for both prefixes, built once (a `memmem::find` a prefix a call would build two
    // searchers every time and look for the rarer prefix to the end of `data` again and again).
    static PREFIXES: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::new(["hf_", "api_org_"]).expect("two short literals always build")
    });
    if from > data.len() {
        return None;
    }
    PREFIXES
        .find(Input::new(data).span(from..data.len()))
        .map(|m| m.start())
}

/// [`redact_bytes`] of possibly invalid UTF-8, decoded for display (bad bytes become U+FFFD
/// only after redaction, so decoding can never hide a token from it).
pub fn redact_lossy(data: &[u8]) -> String {
    String::from_utf8_lossy(&redact_bytes(data)).into_owned()
}

/// [`redact_str`], owned: for text about to be kept (an error, a note).
pub fn redacted(text: &str) -> String {
    redact_str(text).into_owned()
}

/// `""` or `"s"`: the plural of a count's noun.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// [`redact_bytes`] of text.
pub fn redact_str(text: &str) -> Cow<'_, str> {
    match redact_bytes(text.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        // Only ASCII runs were replaced by ASCII plus `…`: still UTF-8.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// Characters a terminal acts on or hides: C0/C1 controls (escape sequences, carriage return,
/// backspace, newlines; a tab is let through), and [`is_invisible`] ones.
fn is_unsafe(c: char) -> bool {
    c != '\t' && is_invisible(c)
}

/// Characters that change what a terminal shows rather than showing themselves: C0 and C1
/// controls (ESC starts colour and cursor sequences; a newline forges a report line), bidi
/// marks, overrides and isolates (they reorder what follows: `evil.py` shown as `ypl.live`),
/// and zero-width characters, separators and the BOM (they hide text or make two names look
/// alike). The one list for reports and for Hub answers alike.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// A string from outside (a path, a Hub answer, git's message) made safe for one line of a
/// terminal: tokens redacted, then unsafe characters turned into visible escapes (`\n`,
/// `\x1b`, `\u{202e}`).
pub fn escape(text: &str) -> Cow<'_, str> {
    escaped(text, |t| escape_but(t, None))
}

/// [`escape`] that keeps line breaks: for multi-line messages (a config file's parse error
/// quotes the offending line under its caret).
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escaped(text, |t| escape_but(t, Some('\n')))
}

/// The one way text from outside reaches a format's escaper: redacted first, then escaped.
/// An escaper changes bytes (Markdown turns `hf_` into `hf\_`), after which neither this
/// redactor nor the writer's could recognise a token: so every escaper, of every format,
/// is called through here, and sees only redacted text.
pub fn escaped(text: &str, escaper: impl FnOnce(&str) -> Cow<'_, str>) -> Cow<'_, str> {
    match redact_str(text) {
        Cow::Borrowed(t) => match escaper(t) {
            Cow::Borrowed(_) => Cow::Borrowed(t),
            Cow::Owned(o) => Cow::Owned(o),
        },
        Cow::Owned(t) => Cow::Owned(escaper(&t).into_owned()),
    }
}

fn escape_but(text: &str, keep: Option<char>) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && Some(c) != keep) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if Some(c) == keep => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A writer that redacts every token-like run before the bytes reach `inner`. It holds back
/// only what could still grow into a token (the text after the last byte that cannot belong to
/// one), so a report streams, and a token split across two `write` calls is still caught.
pub struct Redacting<W: Write> {
    inner: W,
    pending: Vec<u8>,
    /// A run of token characters longer than [`MAX_PENDING`] is being dropped: its start was
    /// written as `…`, and the rest of it goes nowhere.
    eliding: bool,
}

/// Held back at most; past this, even a run of token characters is let through (redacted as far
/// as it goes), so memory stays bounded whatever is written.
const MAX_PENDING: usize = 64 << 10;

impl<W: Write> Redacting<W> {
    pub fn new(inner: W) -> Self {
        Redacting {
            inner,
            pending: Vec::new(),
            eliding: false,
        }
    }

    /// Writes out everything up to a safe cut: after the last byte that no token contains. A
    /// run of token characters that outgrows [`MAX_PENDING`] is never cut in two (its second
    /// half would start after the prefix and escape): it is dropped whole, shown as `…`.
    fn drain(&mut self, all: bool) -> io::Result<()> {
        if self.eliding {
            let run = self.pending.iter().take_while(|b| token_char(**b)).count();
            self.pending.drain(..run);
            if self.pending.is_empty() {
                return Ok(());
            }
            self.eliding = false;
        }
        let cut = if all {
            self.pending.len()
        } else {
            match self.pending.iter().rposition(|b| !token_char(*b)) {
                Some(p) => p + 1,
                None => 0,
            }
        };
        if cut > 0 {
            self.inner.write_all(&redact_bytes(&self.pending[..cut]))?;
            self.pending.drain(..cut);
        }
        if self.pending.len() > MAX_PENDING {
            // All of it one run of token characters: a secret may be anywhere in it.
            self.inner.write_all("…".as_bytes())?;
            self.pending.clear();
            self.eliding = true;
        }
        Ok(())
    }
}

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.drain(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.drain(true)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Redacting<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memchr::memmem;

    /// A deterministic byte source (xorshift): no token literal is stored in this file.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn token(&mut self) -> Vec<u8> {
            const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            let prefix: &[u8] = if self.next().is_multiple_of(4) {
                b"api_org_"
            } else {
                b"hf_"
            };
            let mut t = prefix.to_vec();
            t.extend((0..34).map(|_| ALNUM[(self.next() % 62) as usize]));
            t
        }
    }

    fn body(token: &[u8]) -> &[u8] {
        let p = if token.starts_with(b"hf_") { 3 } else { 8 };
        &token[p..]
    }

    /// Random bytes of every value around tokens, written through the writer in random pieces:
    /// no 12-character slice of any token's body survives.
    #[test]
    fn no_token_survives_any_surrounding_bytes() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let mut data = Vec::new();
            let mut tokens = Vec::new();
            for _ in 0..=(rng.next() % 4) {
                for _ in 0..(rng.next() % 6) {
                    data.push((rng.next() % 256) as u8);
                }
                // Bytes that start multi-byte UTF-8 sequences right before the prefix.
                if rng.next().is_multiple_of(2) {
                    data.push(0xC0 + (rng.next() % 56) as u8);
                }
                let t = rng.token();
                data.extend_from_slice(&t);
                tokens.push(t);
            }
            let mut out = Redacting::new(Vec::new());
            let mut at = 0;
            while at < data.len() {
                let n = 1 + (rng.next() % 7) as usize;
                let end = (at + n).min(data.len());
                out.write_all(&data[at..end]).unwrap();
                at = end;
            }
            out.flush().unwrap();
            let written = std::mem::take(&mut out.inner);
            for t in &tokens {
                let b = body(t);
                for w in b.windows(12) {
                    assert!(
                        memmem::find(&written, w).is_none(),
                        "round {round}: a token leaked through the writer"
                    );
                }
                assert!(memmem::find(&redact_bytes(&data), &b[..12]).is_none());
                assert!(!redact_lossy(&data).contains(std::str::from_utf8(&b[10..22]).unwrap()));
            }
        }
    }

    /// Long runs of token characters: the secret after 4,000 dashes, and a run longer than
    /// the writer holds back, written in small pieces.
    #[test]
    fn long_runs_never_let_a_token_through() {
        let t = format!("hf_{}", "Zq8Wm3Lp5Tn7Rb2Vc4Xd6Yf9Gh1Jk0Ns2Q");
        let tricky = format!("hf_{}{}{t}", "a".repeat(16), "-".repeat(4077));
        assert!(!redact_lossy(tricky.as_bytes()).contains(&t[3..20]));
        for filler in [b'-', b'a'] {
            let mut data = b"x hf_abcdefghijklmnopqrs".to_vec();
            data.extend(std::iter::repeat_n(filler, 3 * MAX_PENDING));
            data.extend_from_slice(t.as_bytes());
            data.extend_from_slice(b" end\n");
            let mut out = Redacting::new(Vec::new());
            for piece in data.chunks(1000) {
                out.write_all(piece).unwrap();
            }
            out.flush().unwrap();
            let written = String::from_utf8_lossy(&out.inner).into_owned();
            assert!(!written.contains(&t[3..20]), "{}", written.len());
            assert!(
                written.ends_with(" end\n"),
                "the writer goes on after the run"
            );
        }
    }

    #[test]
    fn redaction_keeps_what_is_not_a_token() {
        let plain = "from huggingface_hub import hf_hub_download  # hf_token, hf_***";
        assert!(matches!(redact_str(plain), Cow::Borrowed(_)));
        let t = format!("hf_{}", "Zq8Wm3Lp5Tn7Rb2Vc4Xd6Yf9Gh1Jk0Ns2Q");
        let text = format!("cl\u{e9}={t}; path/{t}.txt");
        assert_eq!(
            redact_str(&text),
            "cl\u{e9}=hf_Zq8W…Ns2Q; path/hf_Zq8W…Ns2Q.txt"
        );
        // Latin-1: a lone 0xE9 byte right before the prefix.
        let mut latin = b"cl\xe9=".to_vec();
        latin.extend_from_slice(t.as_bytes());
        assert_eq!(redact_lossy(&latin), "cl\u{fffd}=hf_Zq8W…Ns2Q");
        // Redacted output is stable: redacting it again changes nothing.
        let once = redact_str(&text).into_owned();
        assert_eq!(redact_str(&once), once);
    }

    /// Bidi overrides and isolates reorder what follows; zero-width characters hide text; C1
    /// controls act like C0 ones: each shows as its escape. Other text is kept as it is.
    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(escape("plain name"), "plain name");
        assert_eq!(escape("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
        assert_eq!(
            escape("\u{200b}\u{feff}\u{2028}\u{85}"),
            "\\u{200b}\\u{feff}\\u{2028}\\x85"
        );
        assert_eq!(escape("café ✓ 名前"), "café ✓ 名前");
    }

    #[test]
    fn escapes_what_a_terminal_acts_on() {
        assert_eq!(escape("src/app.py"), "src/app.py");
        assert_eq!(
            escape("a\x1b[31mb\nc\u{202e}d\u{200b}e\tf"),
            "a\\x1b[31mb\\nc\\u{202e}d\\u{200b}e\tf"
        );
    }
}
