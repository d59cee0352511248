//! Usage: how a token is used on its line (login call, argument, header, URL, assignment),
//! looking at most a bounded window around it.

use super::{memmem, Usage};

/// How far usage detection looks on either side of a token: keeps a 10 MB one-line file cheap.
pub(super) const WINDOW: usize = 400;

/// How the token at `data[offset..offset + len]` is used, judged from its line; for an
/// `EnvAssignment` also the variable's name.
///
/// A JSON `\n` escape counts as a line break and `\"` as a quote, so notebook sources read like
/// the code they hold. Precedence: URL credential, bearer header, env assignment (the variable
/// name directly before the token is the most specific evidence), login call, token argument.
pub fn usage_at(data: &[u8], offset: usize, len: usize) -> (Usage, Option<String>) {
    let start = offset.min(data.len());
    let end = start.saturating_add(len).min(data.len());
    let line_from = line_start(data, start);
    let line_to = line_end(data, end);
    let left = unescape_quotes(&data[line_from..start]);
    let right = unescape_quotes(&data[end..line_to]);

    if is_url_credential(&left, &right) {
        return (Usage::UrlCredential, None);
    }
    if is_bearer(&left) {
        return (Usage::BearerHeader, None);
    }
    if let Some(name) = env_assignment(&left).or_else(|| k8s_env_value(data, line_from, &left)) {
        return (Usage::EnvAssignment, Some(name));
    }
    if has_login(&left) || has_login(&right) {
        return (Usage::LoginCall, None);
    }
    if is_token_argument(&left) {
        return (Usage::TokenArgument, None);
    }
    (Usage::Literal, None)
}

/// Whether the backslash run ending just before `pos` has odd length (so `data[pos]` is escaped).
/// A JSON `\n` escape, which ends a notebook source line. Built once: `memmem::find` would
/// build a searcher on every call, and these run at every token and every call name.
pub(crate) static ESCAPED_NEWLINE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\\n"));
pub(crate) static ESCAPED_NEWLINE_REV: std::sync::LazyLock<memchr::memmem::FinderRev<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::FinderRev::new(b"\\n"));

pub(super) fn escaped_at(data: &[u8], pos: usize) -> bool {
    let run = data[..pos]
        .iter()
        .rev()
        .take(64)
        .take_while(|&&b| b == b'\\')
        .count();
    run % 2 == 1
}

pub(super) fn line_start(data: &[u8], pos: usize) -> usize {
    let floor = pos.saturating_sub(WINDOW);
    let mut i = pos;
    while i > floor {
        let b = data[i - 1];
        if b == b'\n' || b == b'\r' {
            return i;
        }
        if b == b'n' && i >= 2 && data[i - 2] == b'\\' && escaped_at(data, i - 1) {
            return i;
        }
        i -= 1;
    }
    floor
}

pub(super) fn line_end(data: &[u8], pos: usize) -> usize {
    let ceil = pos.saturating_add(WINDOW).min(data.len());
    let mut backslashes = 0usize;
    for (i, &b) in data.iter().enumerate().take(ceil).skip(pos) {
        match b {
            b'\n' | b'\r' => return i,
            b'n' if backslashes % 2 == 1 => return i - 1,
            b'\\' => {
                backslashes += 1;
                continue;
            }
            _ => {}
        }
        backslashes = 0;
    }
    ceil
}

/// Drops the backslashes of `\"` and `\'` so JSON-escaped code looks like code.
pub(super) fn unescape_quotes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let run_end = bytes[i..]
                .iter()
                .position(|&b| b != b'\\')
                .map_or(bytes.len(), |p| i + p);
            if run_end < bytes.len() && matches!(bytes[run_end], b'"' | b'\'') {
                i = run_end;
                continue;
            }
            out.extend_from_slice(&bytes[i..run_end]);
            i = run_end;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn trim_end(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &s[..n]
}

pub(super) fn trim_start(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    &s[n..]
}

/// Splits a trailing identifier off `s`: `(rest, ident)`.
pub(super) fn split_ident_end(s: &[u8]) -> (&[u8], &[u8]) {
    let p = s.iter().rposition(|&b| !is_ident(b)).map_or(0, |p| p + 1);
    (&s[..p], &s[p..])
}

pub(super) fn strip_quote_end(s: &[u8]) -> Option<&[u8]> {
    match s.last() {
        Some(b'"' | b'\'' | b'`') => Some(&s[..s.len() - 1]),
        _ => None,
    }
}

/// `HF_TOKEN`, `API_KEY2`: an environment-style name. One letter (`T = "hf_…"`) is a plain
/// constant, not a variable anyone reads from the environment.
pub(super) fn is_upper_snake(s: &[u8]) -> bool {
    s.len() >= 2
        && !s[0].is_ascii_digit()
        && s.iter().any(u8::is_ascii_uppercase)
        && s.iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

pub(super) fn is_identifier(s: &[u8]) -> bool {
    !s.is_empty() && !s[0].is_ascii_digit() && s.iter().all(|&b| is_ident(b))
}

pub(super) fn ends_with_ci(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

pub(super) fn text(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// Bytes that end a URL when scanning out from a token.
pub(super) fn is_url_stop(b: u8) -> bool {
    b.is_ascii_whitespace() || b"\"'`<>()[]{},|\\".contains(&b)
}

pub(super) fn is_url_credential(left: &[u8], right: &[u8]) -> bool {
    let word_start = left
        .iter()
        .rposition(|&b| is_url_stop(b))
        .map_or(0, |p| p + 1);
    let word = &left[word_start..];

    // `scheme://[user:]TOKEN[:pass]@host`: the token sits in the authority's user info.
    if let Some(p) = memmem::rfind(word, b"://") {
        let authority = &word[p + 3..];
        if !authority
            .iter()
            .any(|b| matches!(b, b'/' | b'?' | b'#' | b'@'))
        {
            let tail = right
                .iter()
                .position(|&b| is_url_stop(b) || matches!(b, b'/' | b'?' | b'#'))
                .unwrap_or(right.len());
            if right[..tail].contains(&b'@') {
                return true;
            }
        }
    }

    // `…?token=TOKEN` or `…&access_token=TOKEN`: a query value.
    if let Some(rest) = word.strip_suffix(b"=") {
        let name_start = rest
            .iter()
            .rposition(|&b| !(is_ident(b) || b == b'-' || b == b'.'))
            .map_or(0, |p| p + 1);
        if name_start > 0 && name_start < rest.len() {
            let sep = rest[name_start - 1];
            let doubled = name_start >= 2 && rest[name_start - 2] == b'&';
            if sep == b'?' || (sep == b'&' && !doubled) {
                return true;
            }
        }
    }
    false
}

pub(super) fn is_bearer(left: &[u8]) -> bool {
    let trimmed = trim_end(left);
    if trimmed.len() == left.len() || !ends_with_ci(trimmed, b"bearer") {
        return false;
    }
    let before = &trimmed[..trimmed.len() - b"bearer".len()];
    before.last().is_none_or(|&b| !is_ident(b))
}

/// The word (run of non-space bytes) at the end of `s`, without leading quotes.
pub(super) fn last_word(s: &[u8]) -> &[u8] {
    let s = trim_end(s);
    let p = s
        .iter()
        .rposition(u8::is_ascii_whitespace)
        .map_or(0, |p| p + 1);
    let w = &s[p..];
    let q = w
        .iter()
        .position(|b| !matches!(b, b'"' | b'\'' | b'!'))
        .unwrap_or(w.len());
    &w[q..]
}

/// Keywords after which `NAME=value` / `NAME value` sets an environment (or build) variable.
pub(super) fn is_env_keyword(word: &[u8]) -> bool {
    [
        &b"env"[..],
        b"%env",
        b"export",
        b"arg",
        b"setenv",
        b"set",
        b"setx",
    ]
    .iter()
    .any(|k| word.eq_ignore_ascii_case(k))
}

/// The left side of a token, with its opening quote (if any) and trailing spaces removed.
pub(super) fn value_prefix(left: &[u8]) -> &[u8] {
    let l = strip_quote_end(left).unwrap_or(left);
    trim_end(l)
}

/// `=` that assigns (not `==`, `!=`, `<=`, `>=`, `:=`, …).
pub(super) fn strip_assign(l: &[u8]) -> Option<&[u8]> {
    let rest = l.strip_suffix(b"=")?;
    match rest.last() {
        Some(b'=' | b'!' | b'<' | b'>' | b':' | b'+' | b'-' | b'*' | b'/' | b'%') => None,
        _ => Some(trim_end(rest)),
    }
}

pub(super) fn env_assignment(left: &[u8]) -> Option<String> {
    let l = value_prefix(left);

    // Makefile `NAME := tok`, `NAME ?= tok`, `export NAME := tok`: an environment-style name
    // that starts the line (so Go's and Python's `:=` on ordinary names do not count).
    if let Some(rest) = l.strip_suffix(b":=").or_else(|| l.strip_suffix(b"?=")) {
        let (before, name) = split_ident_end(trim_end(rest));
        let lead = trim_end(trim_start(before));
        let starts = lead.is_empty() || lead == b"export" || lead == b"override";
        return (starts && is_upper_snake(name)).then(|| text(name));
    }

    if let Some(rest) = strip_assign(l) {
        // os.environ["NAME"] = tok, process.env["NAME"] = tok, ENV["NAME"] = tok
        if let Some(inner) = rest.strip_suffix(b"]") {
            let inner = trim_end(inner);
            let inner = strip_quote_end(inner)?;
            let (before, name) = split_ident_end(inner);
            let before = strip_quote_end(before)?;
            let before = trim_end(before.strip_suffix(b"[")?);
            let env_object = [&b"environ"[..], b"env", b"ENV"]
                .iter()
                .any(|k| before.ends_with(k));
            return (env_object && is_identifier(name)).then(|| text(name));
        }
        let (before, name) = split_ident_end(rest);
        if !is_identifier(name) {
            return None;
        }
        if before.ends_with(b"process.env.") || ends_with_ci(before, b"$env:") {
            return Some(text(name));
        }
        if matches!(before.last(), Some(b'.' | b'$')) {
            return None;
        }
        if is_upper_snake(name) || is_env_keyword(last_word(before)) {
            return Some(text(name));
        }
        return None;
    }

    // YAML / JSON mapping: `NAME: tok`, `"NAME": "tok"` with an UPPER_SNAKE name.
    if let Some(rest) = l.strip_suffix(b":") {
        if rest.ends_with(b":") {
            return None;
        }
        let rest = trim_end(rest);
        let (rest, quoted) = match strip_quote_end(rest) {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let (before, name) = split_ident_end(rest);
        let before = if quoted {
            strip_quote_end(before)?
        } else {
            before
        };
        if is_upper_snake(name) && !matches!(before.last(), Some(b'.' | b'$')) {
            return Some(text(name));
        }
        return None;
    }

    // os.environ.setdefault("NAME", tok), os.putenv, monkeypatch.setenv, std::env::set_var
    if let Some(rest) = l.strip_suffix(b",") {
        let rest = strip_quote_end(trim_end(rest))?;
        let (before, name) = split_ident_end(rest);
        let before = trim_end(strip_quote_end(before)?);
        let before = trim_end(before.strip_suffix(b"(")?);
        let (object, func) = split_ident_end(before);
        let ok = match func {
            b"setdefault" => object.ends_with(b"environ."),
            b"putenv" | b"setenv" | b"set_var" | b"store" => true,
            _ => false,
        };
        return (ok && is_identifier(name)).then(|| text(name));
    }

    // Dockerfile `ENV NAME tok`, IPython `%env NAME tok`, csh `setenv NAME tok`.
    let before_value = strip_quote_end(left).unwrap_or(left);
    if before_value.last().is_some_and(u8::is_ascii_whitespace) {
        let (before, name) = split_ident_end(l);
        if is_identifier(name) && before.last().is_some_and(u8::is_ascii_whitespace) {
            let word = last_word(before);
            let keyword = [&b"env"[..], b"%env", b"setenv"]
                .iter()
                .any(|k| word.eq_ignore_ascii_case(k));
            if keyword {
                return Some(text(name));
            }
        }
    }
    None
}

/// Kubernetes-style `- name: HF_TOKEN` followed by `value: tok` on the next line.
pub(super) fn k8s_env_value(data: &[u8], line_from: usize, left: &[u8]) -> Option<String> {
    let l = value_prefix(left);
    let key = trim_start(l.strip_suffix(b":")?);
    let key = key.strip_prefix(b"- ").map_or(key, trim_start);
    if key != b"value" || line_from == 0 || data[line_from - 1] != b'\n' {
        return None;
    }
    let prev_end = line_from - 1;
    let prev_end = if prev_end > 0 && data[prev_end - 1] == b'\r' {
        prev_end - 1
    } else {
        prev_end
    };
    let prev_start = line_start(data, prev_end);
    let prev = trim_end(trim_start(&data[prev_start..prev_end]));
    let prev = prev.strip_prefix(b"-").map_or(prev, trim_start);
    let name = trim_start(prev.strip_prefix(b"name:")?);
    let name = name
        .strip_prefix(b"\"")
        .and_then(|n| n.strip_suffix(b"\""))
        .or_else(|| name.strip_prefix(b"'").and_then(|n| n.strip_suffix(b"'")))
        .unwrap_or(name);
    is_upper_snake(name).then(|| text(name))
}

pub(super) fn has_login(s: &[u8]) -> bool {
    let call = memmem::find_iter(s, b"login(").any(|p| {
        let (_, ident) = split_ident_end(&s[..p + 5]);
        matches!(ident, b"login" | b"notebook_login" | b"interpreter_login")
    });
    call || [&b"huggingface-cli login"[..], b"hf auth login", b"hf login"]
        .iter()
        .any(|pat| {
            memmem::find_iter(s, pat).any(|p| {
                let before_ok = p == 0 || !(is_ident(s[p - 1]) || s[p - 1] == b'-');
                let after = p + pat.len();
                let after_ok = after >= s.len() || !is_ident(s[after]);
                before_ok && after_ok
            })
        })
}

/// Whether a key or flag name names a token: `token`, `use_auth_token`, `hub_token`, `api_key`…
pub(super) fn is_token_key(key: &[u8]) -> bool {
    const KEYS: &[&[u8]] = &[
        b"token",
        b"use_auth_token",
        b"hub_token",
        b"api_key",
        b"apikey",
        b"hf_token",
        b"access_token",
        b"auth_token",
        b"api_token",
    ];
    let key: Vec<u8> = key
        .iter()
        .skip_while(|&&b| b == b'-')
        .map(|b| {
            if *b == b'-' {
                b'_'
            } else {
                b.to_ascii_lowercase()
            }
        })
        .collect();
    KEYS.contains(&key.as_slice()) || key.ends_with(b"_token") || key.ends_with(b"_api_key")
}

pub(super) fn is_token_argument(left: &[u8]) -> bool {
    let l = value_prefix(left);
    let key_part = strip_assign(l).or_else(|| {
        let rest = l.strip_suffix(b":")?;
        (!rest.ends_with(b":")).then(|| trim_end(rest))
    });
    if let Some(rest) = key_part {
        let rest = strip_quote_end(rest).unwrap_or(rest);
        let p = rest
            .iter()
            .rposition(|&b| !(is_ident(b) || b == b'-'))
            .map_or(0, |p| p + 1);
        return is_token_key(&rest[p..]);
    }
    // A command-line flag followed by the token: `--token hf_…`.
    let before_value = strip_quote_end(left).unwrap_or(left);
    if before_value.last().is_some_and(u8::is_ascii_whitespace) {
        let word = last_word(l);
        return word.starts_with(b"--") && is_token_key(word);
    }
    false
}
