//! The detector and its decoders: never a panic, at most one token per 37 bytes, each where it
//! says it is and of its kind's shape; the portable automaton finds what Teddy finds, and the
//! decoding detector finds every plain token the plain one does. UTF-16 texts transcode with
//! offsets inside the file.

#![no_main]

use std::sync::LazyLock;

use hfaudit::context::STANDARD_TOKEN_VARS;
use hfaudit::detect::{utf16, Detector, BODY_LEN, MAX_TOKEN_LEN};
use hfaudit::secret::TokenKind;
use libfuzzer_sys::fuzz_target;

static DECODING: LazyLock<Detector> = LazyLock::new(|| Detector::new(STANDARD_TOKEN_VARS));
static PLAIN: LazyLock<Detector> =
    LazyLock::new(|| Detector::with_decoding(STANDARD_TOKEN_VARS, false));
static PORTABLE: LazyLock<Detector> =
    LazyLock::new(|| hfaudit::fuzzing::portable(Detector::new(STANDARD_TOKEN_VARS)));

/// The shortest token: `hf_` and 34 characters.
const SHORTEST: usize = 37;

fuzz_target!(|data: &[u8]| {
    let found = DECODING.scan(data);
    assert!(
        found.candidates.len() <= data.len() / SHORTEST,
        "{} tokens in {} bytes",
        found.candidates.len(),
        data.len()
    );
    for c in &found.candidates {
        let text = c.secret.expose();
        let kind = c.secret.kind();
        assert!(text.starts_with(kind.prefix()));
        assert!(text.len() <= MAX_TOKEN_LEN);
        assert!(c.offset + c.len <= data.len(), "a token past the end");
        assert!(
            c.len >= text.len(),
            "an encoded form shorter than its token"
        );
        assert!(c.decoded.len() <= 2, "decodings nest twice at most");
        if c.decoded.is_empty() {
            assert_eq!(&data[c.offset..c.offset + c.len], text.as_bytes());
        }
        if matches!(kind, TokenKind::UserAccessToken | TokenKind::OrgApiToken) {
            let body = &text[kind.prefix().len()..];
            assert_eq!(body.len(), BODY_LEN);
            assert!(body.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }
    let portable = PORTABLE.scan(data);
    assert_eq!(
        found.candidates, portable.candidates,
        "Teddy and the portable automaton"
    );
    assert_eq!(found.mentions_env, portable.mentions_env);
    let plain = PLAIN.scan(data);
    assert_eq!(found.mentions_env, plain.mentions_env);
    for c in &plain.candidates {
        assert!(
            found.candidates.contains(c),
            "a plain token at {} missed when decoding",
            c.offset
        );
    }
    if let Some((le, bom)) = utf16::text(data) {
        assert!(bom <= 2);
        let t = utf16::Transcoded::new(data, le, bom);
        let _ = DECODING.scan(t.text.as_bytes());
        // Offsets map into the file, in order (a sample: each costs a walk of the text).
        let step = (t.text.len() / 16).max(1);
        let mut last = 0;
        for at in (0..=t.text.len()).step_by(step) {
            if !t.text.is_char_boundary(at) {
                continue;
            }
            let o = t.offset(at) as usize;
            assert!(o <= data.len(), "offset {o} past {}", data.len());
            assert!(o >= last);
            last = o;
        }
    }
});
