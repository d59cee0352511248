//! A token at a prefix: its boundaries, its length, and whether its body is random enough to
//! be one (placeholders, words, sequences and digests are not).

use super::Candidate;
use crate::secret::{Secret, TokenKind};

/// Length of the body after `hf_` / `api_org_` in user and legacy org tokens.
pub const BODY_LEN: usize = 34;
/// The longest token we report, so chunked readers know how much to overlap.
pub const MAX_TOKEN_LEN: usize = 2048;

pub(super) fn is_word(b: u8) -> bool {
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
pub(super) fn token_at(data: &[u8], start: usize, kind: TokenKind) -> Option<Candidate> {
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
    use super::super::testing::{det, found, Fake, ALNUM, LETTERS};
    use super::*;

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
}
