//! The Hub's answers: tree listings, owner listings, refs, discussion pages and threads,
//! Space variables, Link headers, and whoami. Never a panic; what they give is bounded by the
//! answer; a listed path never makes a request outside its repository's `resolve/`; a whoami
//! answer never keeps the token it was asked about, nor a character a terminal acts on.
//!
//! The first byte picks the reader; the rest is the answer.

#![no_main]

use hfaudit::hub::target::is_repo_id;
use hfaudit::hub::Kind;
use hfaudit::secret::{Secret, TokenKind};
use libfuzzer_sys::fuzz_target;

const REPO: &str = "acme/demo";

fn kind(b: u8) -> Kind {
    Kind::ALL[usize::from(b) % Kind::ALL.len()]
}

/// A token's worth of letters and digits after `hf_` in the answer, if any (an answer that
/// echoes the token it was asked about); else a fixed fake one.
fn asked_about(body: &[u8]) -> Secret {
    for at in memchr::memmem::find_iter(body, b"hf_") {
        let rest = &body[at + 3..];
        if rest.len() >= 34 && rest[..34].iter().all(u8::is_ascii_alphanumeric) {
            let text = std::str::from_utf8(&body[at..at + 37]).expect("ASCII");
            return Secret::new(text, TokenKind::UserAccessToken);
        }
    }
    // Built at run time: no token-shaped literal in the source.
    let body: String = (0..34u8).map(|i| char::from(b'A' + (i * 7) % 26)).collect();
    Secret::new(&format!("hf_{body}"), TokenKind::UserAccessToken)
}

fn is_commit(c: &str) -> bool {
    c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit())
}

fn tree(pick: u8, body: &[u8]) {
    let kind = kind(pick >> 4);
    let revision = (pick & 0x08 != 0).then_some("refs/pr/1");
    let Ok((files, refused)) = hfaudit::fuzzing::hub_tree(kind, REPO, revision, body) else {
        return;
    };
    let places: usize = files.iter().map(|(_, shown)| shown.len()).sum();
    assert!(
        places + refused <= body.len() / 2,
        "more entries than the answer holds"
    );
    let endpoint = url::Url::parse("https://hub.invalid/").expect("a URL");
    let resolve = format!("/{}{REPO}/resolve/", kind.prefix());
    for (rel, shown) in &files {
        let url = endpoint
            .join(rel)
            .expect("a request path joins the endpoint");
        assert_eq!(url.host_str(), Some("hub.invalid"), "{rel}");
        // Dot segments are resolved by the join: what is left must still be a file there.
        assert!(url.path().starts_with(&resolve), "{rel} leaves {resolve}");
        assert!(url.query().is_none() && url.fragment().is_none(), "{rel}");
        assert!(!shown.is_empty(), "{rel} is shown nowhere");
        assert!(shown.iter().all(|p| p.starts_with("hf://")), "{shown:?}");
    }
}

fn owner(pick: u8, body: &[u8]) {
    if let Ok(repos) = hfaudit::fuzzing::hub_owner(kind(pick >> 4), body) {
        assert!(repos.len() <= body.len() / 8);
        for (r, listed) in repos {
            assert!(is_repo_id(&r.id), "{:?}", r.id);
            assert!(!r.id.split('/').any(|s| s == "." || s == ".."));
            if let Some(c) = listed {
                assert!(is_commit(&c), "{c:?}");
            }
        }
    }
}

fn refs(body: &[u8]) {
    let Ok([branches, tags, prs]) = hfaudit::fuzzing::hub_refs(body) else {
        return;
    };
    for (name, reference, commit) in branches.iter().chain(&tags).chain(&prs) {
        // A name becomes a URL segment and a display.
        assert!(!name.is_empty() && !name.starts_with('-'), "{name:?}");
        assert!(
            !name.split('/').any(|s| s.is_empty() || s == "." || s == ".."),
            "{name:?}"
        );
        assert!(!name.contains(['\\', '%']), "{name:?}");
        assert!(!reference.is_empty());
        if let Some(c) = commit {
            assert!(is_commit(c), "{c:?}");
        }
    }
    for (name, reference, _) in &branches {
        assert_eq!(*reference, format!("refs/heads/{name}"));
    }
    for (name, reference, _) in &tags {
        assert_eq!(*reference, format!("refs/tags/{name}"));
    }
    // Pull requests: `refs/pr/` and digits, in number order, each once.
    let mut last: Option<u64> = None;
    for (_, reference, _) in &prs {
        let n = reference
            .strip_prefix("refs/pr/")
            .expect("a pull request ref");
        assert!(
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
            "{reference:?}"
        );
        let n: u64 = n.parse().unwrap_or(u64::MAX);
        assert!(last.is_none_or(|l| l < n), "{reference:?} out of order or twice");
        last = Some(n);
    }
}

fn discussion_page(body: &[u8]) {
    let Ok((listed, last)) = hfaudit::fuzzing::hub_discussion_page(body) else {
        return;
    };
    assert!(listed.len() <= body.len() / 8);
    for (_, digest) in &listed {
        assert!(
            digest.len() == 64 && digest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{digest:?}"
        );
    }
    // The server's own numbers: a page at or past `count` is the last, whatever `start` is.
    let v: serde_json::Value = serde_json::from_slice(body).expect("read once already");
    let count = v.get("count").and_then(serde_json::Value::as_u64).unwrap_or(0);
    let start = v.get("start").and_then(serde_json::Value::as_u64).unwrap_or(0);
    if start >= count {
        assert!(last, "start {start} of {count} is not the last page");
    }
    if listed.is_empty() && v["discussions"].as_array().is_some_and(Vec::is_empty) {
        assert!(last, "an empty page is the last");
    }
}

fn discussion(body: &[u8]) {
    if let Ok(text) = hfaudit::fuzzing::hub_discussion(body) {
        // Strings of the answer, a blank line apart: never more than the answer.
        assert!(
            text.len() <= body.len(),
            "{} bytes from {}",
            text.len(),
            body.len()
        );
    }
}

fn variables(body: &[u8]) {
    if let Ok(vars) = hfaudit::fuzzing::hub_variables(body) {
        let total: usize = vars.iter().map(|(_, t)| t.len()).sum();
        assert!(total <= 2 * body.len(), "{total} bytes from {}", body.len());
        for (name, text) in &vars {
            assert!(text.starts_with(&format!("{name}=")));
        }
    }
}

fn link(body: &[u8]) {
    let header = String::from_utf8_lossy(body);
    if let Some(next) = hfaudit::fuzzing::next_link(&header) {
        assert!(header.contains(&format!("<{next}>")));
    }
}

fn whoami(body: &[u8]) {
    let secret = asked_about(body);
    let Ok(v) = hfaudit::fuzzing::whoami(body, &secret) else {
        return;
    };
    let full = secret.expose();
    let token_body = &full[3..];
    let texts = v
        .role
        .iter()
        .chain(&v.token_name)
        .chain(&v.owner)
        .chain(&v.permissions)
        .chain(&v.orgs)
        .chain(&v.detail);
    for t in texts {
        assert!(!t.contains(token_body), "the token kept in a whoami answer");
        // 200 characters, each escaped to at most 10 (`\u{10ffff}`), and an ellipsis.
        assert!(
            t.chars().count() <= 10 * 201,
            "{} characters",
            t.chars().count()
        );
        assert!(
            !t.chars()
                .any(|c| c != '\t' && hfaudit::output::is_invisible(c)),
            "{t:?} keeps a character a terminal acts on"
        );
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&pick, body)) = input.split_first() else {
        return;
    };
    match pick % 8 {
        0 => tree(pick, body),
        1 => owner(pick, body),
        2 => refs(body),
        3 => discussion_page(body),
        4 => discussion(body),
        5 => variables(body),
        6 => link(body),
        _ => whoami(body),
    }
});
