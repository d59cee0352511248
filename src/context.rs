//! Context of a token occurrence: where it lives (platform), how it is used (usage), and what the
//! code around it must do on the Hub (need), as DESIGN §4 defines them.
//!
//! Everything here is a pure function over a path string or a file's bytes: no file system, no
//! network, no knowledge of the token itself beyond its byte range. Inputs are untrusted, so every
//! function is linear (or bounded per call), never recurses, and never panics — on invalid UTF-8,
//! truncated JSON, or a 10 MB single-line file alike.

use std::collections::BTreeSet;

use aho_corasick::AhoCorasick;
use memchr::memmem;
use serde::{Deserialize, Serialize};

/// Where a file runs, judged from its path (DESIGN §4). The Hub advises one token per platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Notebook,
    Ci,
    Server,
    EnvFile,
    Source,
    Docs,
    Other,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Notebook => "notebook",
            Platform::Ci => "ci",
            Platform::Server => "server",
            Platform::EnvFile => "env_file",
            Platform::Source => "source",
            Platform::Docs => "docs",
            Platform::Other => "other",
        }
    }
}

/// How the token text is used on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    LoginCall,
    TokenArgument,
    BearerHeader,
    UrlCredential,
    EnvAssignment,
    Literal,
    /// No literal: a practice rule (HF013–HF015) about a token variable (`context.env_var`).
    TokenVariable,
}

impl Usage {
    pub fn as_str(self) -> &'static str {
        match self {
            Usage::LoginCall => "login_call",
            Usage::TokenArgument => "token_argument",
            Usage::BearerHeader => "bearer_header",
            Usage::UrlCredential => "url_credential",
            Usage::EnvAssignment => "env_assignment",
            Usage::Literal => "literal",
            Usage::TokenVariable => "token_variable",
        }
    }
}

/// What the code in scope must be able to do with the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Read,
    Write,
    Unknown,
}

impl Need {
    pub fn as_str(self) -> &'static str {
        match self {
            Need::Read => "read",
            Need::Write => "write",
            Need::Unknown => "unknown",
        }
    }

    /// The need of two scopes together: write beats read beats unknown.
    #[must_use]
    pub fn combine(self, other: Need) -> Need {
        match (self, other) {
            (Need::Write, _) | (_, Need::Write) => Need::Write,
            (Need::Read, _) | (_, Need::Read) => Need::Read,
            _ => Need::Unknown,
        }
    }
}

/// Which part of a notebook cell holds an occurrence: code someone wrote, or output a run printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellPart {
    Source,
    Output,
}

/// A notebook location: the 0-based cell index and the part of the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct NotebookCell {
    pub index: usize,
    pub part: CellPart,
}

// ---------------------------------------------------------------------------------------------
// Platform
// ---------------------------------------------------------------------------------------------

/// The platform of a file from its relative `/`-separated path. Precedence: notebook, ci,
/// env_file, server, docs, source, other.
pub fn platform_of(path: &str) -> Platform {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let Some(name) = parts.pop() else {
        return Platform::Other;
    };
    let dirs = parts;
    let ext = extension(name);

    if ext == Some("ipynb") {
        Platform::Notebook
    } else if is_ci(&dirs, name) {
        Platform::Ci
    } else if is_env_file(name) {
        Platform::EnvFile
    } else if is_server(&dirs, name, ext) {
        Platform::Server
    } else if is_docs(name, ext) {
        Platform::Docs
    } else if is_source(name, ext) {
        Platform::Source
    } else {
        Platform::Other
    }
}

/// The text after the last dot of a file name; a leading dot (`.env`) does not start one.
fn extension(name: &str) -> Option<&str> {
    match name.rfind('.') {
        Some(p) if p > 0 && p + 1 < name.len() => Some(&name[p + 1..]),
        _ => None,
    }
}

/// Whether `word` is one of the space-separated words of `list` (keeps long lists readable).
fn listed(list: &str, word: &str) -> bool {
    list.split_ascii_whitespace().any(|w| w == word)
}

fn is_ci(dirs: &[&str], name: &str) -> bool {
    const NAMES: &str = ".gitlab-ci.yml .gitlab-ci.yaml azure-pipelines.yml azure-pipelines.yaml \
        .travis.yml .travis.yaml bitbucket-pipelines.yml bitbucket-pipelines.yaml .drone.yml \
        .drone.yaml cloudbuild.yaml cloudbuild.yml appveyor.yml .appveyor.yml";
    const DIRS: &str = ".gitlab-ci .circleci .buildkite .azure-pipelines";
    listed(NAMES, name)
        || name.starts_with("jenkinsfile")
        || dirs.iter().any(|d| listed(DIRS, d))
        || dirs.windows(2).any(|w| {
            // Workflows and the composite actions they run; `.gitlab/ci/` holds GitLab includes.
            matches!(
                (w[0], w[1]),
                (".github", "workflows" | "actions") | (".gitlab", "ci")
            )
        })
}

fn is_env_file(name: &str) -> bool {
    // Shell start-up files and `.netrc` are a local machine's settings too.
    const NAMES: &str = ".envrc .bashrc .bash_profile .profile .zshrc .zshenv .netrc";
    let dot_env = name
        .strip_prefix(".env")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']));
    dot_env || extension(name) == Some("env") || listed(NAMES, name)
}

fn is_server(dirs: &[&str], name: &str, ext: Option<&str>) -> bool {
    const DIRS: &str = "deploy deployment deployments server k8s kubernetes helm charts";
    const NAMES: &str = "procfile fly.toml render.yaml heroku.yml skaffold.yaml \
        kustomization.yaml kustomization.yml";
    let yaml = matches!(ext, Some("yml" | "yaml"));
    name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || (yaml && (name.starts_with("docker-compose") || name.starts_with("compose.")))
        || ext == Some("service")
        || listed(NAMES, name)
        || dirs.iter().any(|d| listed(DIRS, d))
}

fn is_docs(name: &str, ext: Option<&str>) -> bool {
    const EXTS: &str = "md mdx markdown rst adoc asciidoc txt";
    // Extension-less top-level prose files (`README`, `CHANGELOG`) are docs as well.
    const NAMES: &str =
        "readme changelog contributing authors notice history news install license copying";
    // Plain-text inputs to tools are not prose.
    let tool_input = name.starts_with("requirements")
        || name.starts_with("constraints")
        || name == "cmakelists.txt";
    !tool_input && (ext.is_some_and(|e| listed(EXTS, e)) || listed(NAMES, name))
}

fn is_source(name: &str, ext: Option<&str>) -> bool {
    // Code, then configuration that code reads (a token there is used by code, not by CI).
    const EXTS: &str = "py pyi pyw pyx js ts jsx tsx mjs cjs vue svelte sh bash zsh fish rb go \
        rs java kt kts scala groovy gradle c cc cpp cxx h hh hpp cs php swift dart r jl lua pl \
        pm ps1 psm1 bat cmd sql tf hcl nix ex exs \
        yaml yml toml json jsonc json5 ini cfg conf properties txt";
    const NAMES: &str = "makefile justfile rakefile gemfile vagrantfile";
    ext.is_some_and(|e| listed(EXTS, e)) || listed(NAMES, name)
}

// ---------------------------------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------------------------------

/// How far usage detection looks on either side of a token: keeps a 10 MB one-line file cheap.
const WINDOW: usize = 400;

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
fn escaped_at(data: &[u8], pos: usize) -> bool {
    let run = data[..pos]
        .iter()
        .rev()
        .take(64)
        .take_while(|&&b| b == b'\\')
        .count();
    run % 2 == 1
}

fn line_start(data: &[u8], pos: usize) -> usize {
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

fn line_end(data: &[u8], pos: usize) -> usize {
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
fn unescape_quotes(bytes: &[u8]) -> Vec<u8> {
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

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn trim_end(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &s[..n]
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    &s[n..]
}

/// Splits a trailing identifier off `s`: `(rest, ident)`.
fn split_ident_end(s: &[u8]) -> (&[u8], &[u8]) {
    let p = s.iter().rposition(|&b| !is_ident(b)).map_or(0, |p| p + 1);
    (&s[..p], &s[p..])
}

fn strip_quote_end(s: &[u8]) -> Option<&[u8]> {
    match s.last() {
        Some(b'"' | b'\'' | b'`') => Some(&s[..s.len() - 1]),
        _ => None,
    }
}

/// `HF_TOKEN`, `API_KEY2`: an environment-style name. One letter (`T = "hf_…"`) is a plain
/// constant, not a variable anyone reads from the environment.
fn is_upper_snake(s: &[u8]) -> bool {
    s.len() >= 2
        && !s[0].is_ascii_digit()
        && s.iter().any(u8::is_ascii_uppercase)
        && s.iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn is_identifier(s: &[u8]) -> bool {
    !s.is_empty() && !s[0].is_ascii_digit() && s.iter().all(|&b| is_ident(b))
}

fn ends_with_ci(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn text(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// Bytes that end a URL when scanning out from a token.
fn is_url_stop(b: u8) -> bool {
    b.is_ascii_whitespace() || b"\"'`<>()[]{},|\\".contains(&b)
}

fn is_url_credential(left: &[u8], right: &[u8]) -> bool {
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

fn is_bearer(left: &[u8]) -> bool {
    let trimmed = trim_end(left);
    if trimmed.len() == left.len() || !ends_with_ci(trimmed, b"bearer") {
        return false;
    }
    let before = &trimmed[..trimmed.len() - b"bearer".len()];
    before.last().is_none_or(|&b| !is_ident(b))
}

/// The word (run of non-space bytes) at the end of `s`, without leading quotes.
fn last_word(s: &[u8]) -> &[u8] {
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
fn is_env_keyword(word: &[u8]) -> bool {
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
fn value_prefix(left: &[u8]) -> &[u8] {
    let l = strip_quote_end(left).unwrap_or(left);
    trim_end(l)
}

/// `=` that assigns (not `==`, `!=`, `<=`, `>=`, `:=`, …).
fn strip_assign(l: &[u8]) -> Option<&[u8]> {
    let rest = l.strip_suffix(b"=")?;
    match rest.last() {
        Some(b'=' | b'!' | b'<' | b'>' | b':' | b'+' | b'-' | b'*' | b'/' | b'%') => None,
        _ => Some(trim_end(rest)),
    }
}

fn env_assignment(left: &[u8]) -> Option<String> {
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
fn k8s_env_value(data: &[u8], line_from: usize, left: &[u8]) -> Option<String> {
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

fn has_login(s: &[u8]) -> bool {
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
fn is_token_key(key: &[u8]) -> bool {
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

fn is_token_argument(left: &[u8]) -> bool {
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

// ---------------------------------------------------------------------------------------------
// Notebooks
// ---------------------------------------------------------------------------------------------

/// Deeper nesting than this is not a notebook anyone wrote; refusing it bounds the stack.
const MAX_JSON_DEPTH: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Worksheets,
    Worksheet,
    Cells,
    Cell(usize),
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Cells,
    Worksheets,
    Source,
    Outputs,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    KeyOrClose,
    Key,
    Colon,
    Value,
    ValueOrClose,
    CommaOrClose,
}

struct Frame {
    object: bool,
    role: Role,
    key: Key,
    expect: Expect,
}

/// Maps byte offsets of an `.ipynb` file to the cell (and part) holding them.
///
/// A hand-rolled structural scan (not serde) because byte ranges matter: one linear pass with an
/// explicit stack records where each cell's `source` (nbformat 3: `input`) and `outputs` values
/// start and end. Returns `None` when the file is not well-formed JSON with an object on top, so
/// the caller treats it as plain text.
pub fn notebook_cells(data: &[u8], offsets: &[usize]) -> Option<Vec<Option<NotebookCell>>> {
    let ranges = cell_ranges(data)?;
    Some(
        offsets
            .iter()
            .map(|&off| {
                let idx = ranges.partition_point(|r| r.0 <= off);
                let (start, end, cell) = *ranges.get(idx.checked_sub(1)?)?;
                (start <= off && off < end).then_some(cell)
            })
            .collect(),
    )
}

/// Sorted, non-overlapping `(start, end_exclusive, cell)` ranges of cell sources and outputs.
fn cell_ranges(data: &[u8]) -> Option<Vec<(usize, usize, NotebookCell)>> {
    let n = data.len();
    let mut i = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut ranges = Vec::new();
    // (start of the captured value, its cell, stack depth of its container)
    let mut capture: Option<(usize, NotebookCell, usize)> = None;
    let mut next_cell = 0usize;
    let mut done = false;

    loop {
        while i < n && matches!(data[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if i >= n {
            break;
        }
        if done {
            return None;
        }
        let b = data[i];
        let expect = stack.last().map(|f| f.expect);
        match expect {
            Some(Expect::KeyOrClose) if b == b'}' => {
                close(&mut stack, &mut capture, &mut ranges, i, &mut done);
                i += 1;
            }
            Some(Expect::ValueOrClose) if b == b']' => {
                close(&mut stack, &mut capture, &mut ranges, i, &mut done);
                i += 1;
            }
            Some(Expect::KeyOrClose | Expect::Key) => {
                if b != b'"' {
                    return None;
                }
                let end = scan_string(data, i)?;
                let key = match &data[i + 1..end - 1] {
                    b"cells" => Key::Cells,
                    b"worksheets" => Key::Worksheets,
                    b"source" | b"input" => Key::Source,
                    b"outputs" => Key::Outputs,
                    _ => Key::Other,
                };
                let frame = stack.last_mut()?;
                frame.key = key;
                frame.expect = Expect::Colon;
                i = end;
            }
            Some(Expect::Colon) => {
                if b != b':' {
                    return None;
                }
                stack.last_mut()?.expect = Expect::Value;
                i += 1;
            }
            Some(Expect::CommaOrClose) => {
                let frame = stack.last_mut()?;
                match (b, frame.object) {
                    (b',', true) => frame.expect = Expect::Key,
                    (b',', false) => frame.expect = Expect::Value,
                    (b'}', true) | (b']', false) => {
                        close(&mut stack, &mut capture, &mut ranges, i, &mut done);
                    }
                    _ => return None,
                }
                i += 1;
            }
            None | Some(Expect::Value | Expect::ValueOrClose) => {
                let parent = stack.last().map(|f| (f.role, f.key));
                let (role, part) = child_role(parent, b, &mut next_cell);
                match b {
                    b'{' | b'[' => {
                        if stack.len() >= MAX_JSON_DEPTH {
                            return None;
                        }
                        let object = b == b'{';
                        stack.push(Frame {
                            object,
                            role,
                            key: Key::Other,
                            expect: if object {
                                Expect::KeyOrClose
                            } else {
                                Expect::ValueOrClose
                            },
                        });
                        if let Some(cell) = part {
                            capture = Some((i, cell, stack.len()));
                        }
                        i += 1;
                    }
                    _ => {
                        if stack.is_empty() {
                            // A notebook's top level is an object.
                            return None;
                        }
                        let end = scan_scalar(data, i)?;
                        if let Some(cell) = part {
                            ranges.push((i, end, cell));
                        }
                        i = end;
                        value_done(&mut stack, &mut done);
                    }
                }
                if stack.first().is_some_and(|f| f.role != Role::Root) {
                    return None;
                }
            }
        }
    }
    done.then_some(ranges)
}

/// The role of a value starting with byte `b` inside a container, and the cell part it holds.
fn child_role(
    parent: Option<(Role, Key)>,
    b: u8,
    next_cell: &mut usize,
) -> (Role, Option<NotebookCell>) {
    let role = match (parent, b) {
        (None, b'{') => Role::Root,
        (Some((Role::Root | Role::Worksheet, Key::Cells)), b'[') => Role::Cells,
        (Some((Role::Root, Key::Worksheets)), b'[') => Role::Worksheets,
        (Some((Role::Worksheets, _)), b'{') => Role::Worksheet,
        (Some((Role::Cells, _)), _) => {
            let index = *next_cell;
            *next_cell += 1;
            if b == b'{' {
                Role::Cell(index)
            } else {
                Role::Other
            }
        }
        (Some((Role::Cell(index), Key::Source)), _) => {
            let part = CellPart::Source;
            return (Role::Other, Some(NotebookCell { index, part }));
        }
        (Some((Role::Cell(index), Key::Outputs)), _) => {
            let part = CellPart::Output;
            return (Role::Other, Some(NotebookCell { index, part }));
        }
        _ => Role::Other,
    };
    (role, None)
}

fn close(
    stack: &mut Vec<Frame>,
    capture: &mut Option<(usize, NotebookCell, usize)>,
    ranges: &mut Vec<(usize, usize, NotebookCell)>,
    i: usize,
    done: &mut bool,
) {
    if let Some((start, cell, depth)) = *capture {
        if depth == stack.len() {
            ranges.push((start, i + 1, cell));
            *capture = None;
        }
    }
    stack.pop();
    value_done(stack, done);
}

fn value_done(stack: &mut [Frame], done: &mut bool) {
    match stack.last_mut() {
        Some(frame) => frame.expect = Expect::CommaOrClose,
        None => *done = true,
    }
}

/// End (exclusive) of the JSON string starting at `data[i] == b'"'`.
fn scan_string(data: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let p = memchr::memchr2(b'"', b'\\', data.get(j..)?)?;
        if data[j + p] == b'"' {
            return Some(j + p + 1);
        }
        j += p + 2;
    }
}

/// End (exclusive) of the string, number or literal starting at `data[i]`.
fn scan_scalar(data: &[u8], i: usize) -> Option<usize> {
    match data[i] {
        b'"' => scan_string(data, i),
        b'-' | b'0'..=b'9' => {
            let len = data[i..]
                .iter()
                .take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                .count();
            Some(i + len)
        }
        _ => [&b"true"[..], b"false", b"null"]
            .iter()
            .find(|lit| data[i..].starts_with(lit))
            .map(|lit| i + lit.len()),
    }
}

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

const BUILTIN_CALLS: &str = include_str!("../data/calls.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CallsFile {
    read: Vec<String>,
    write: Vec<String>,
    #[serde(default)]
    conditional: Vec<Conditional>,
}

/// A call that counts only when the same file also mentions one of `requires` (a Hub host).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conditional {
    name: String,
    need: Need,
    requires: Vec<String>,
}

#[derive(Debug, Clone)]
struct Pattern {
    name: String,
    write: bool,
    requires: Vec<String>,
}

/// The read and write call names, compiled into one matcher so a file is scanned in one pass.
#[derive(Debug, Clone)]
pub struct CallLists {
    read: Vec<String>,
    write: Vec<String>,
    conditional: Vec<Conditional>,
    patterns: Vec<Pattern>,
    matcher: AhoCorasick,
}

impl CallLists {
    /// The lists in `data/calls.toml`, embedded in the binary.
    pub fn builtin() -> Self {
        let file: CallsFile =
            toml::from_str(BUILTIN_CALLS).expect("data/calls.toml is valid (tested)");
        Self::build(file.read, file.write, file.conditional)
    }

    /// Plain lists without conditional calls.
    pub fn new(read: Vec<String>, write: Vec<String>) -> Self {
        Self::build(read, write, Vec::new())
    }

    /// Adds the user's call names (config `extra read/write call names`) and rebuilds the matcher.
    pub fn extend<S: AsRef<str>>(&mut self, extra_read: &[S], extra_write: &[S]) {
        let mut read = std::mem::take(&mut self.read);
        let mut write = std::mem::take(&mut self.write);
        read.extend(extra_read.iter().map(|s| s.as_ref().to_owned()));
        write.extend(extra_write.iter().map(|s| s.as_ref().to_owned()));
        *self = Self::build(read, write, std::mem::take(&mut self.conditional));
    }

    /// Unconditional read call names.
    pub fn read(&self) -> &[String] {
        &self.read
    }

    /// Unconditional write call names.
    pub fn write(&self) -> &[String] {
        &self.write
    }

    fn build(read: Vec<String>, write: Vec<String>, conditional: Vec<Conditional>) -> Self {
        let mut seen = BTreeSet::new();
        let mut patterns = Vec::new();
        let plain = write
            .iter()
            .map(|n| (n, true, &[][..]))
            .chain(read.iter().map(|n| (n, false, &[][..])));
        let cond = conditional
            .iter()
            .map(|c| (&c.name, c.need == Need::Write, c.requires.as_slice()));
        // Write first: a name listed as both counts as a write.
        for (name, write, requires) in plain.chain(cond) {
            if name.is_empty() || !seen.insert(name.clone()) {
                continue;
            }
            patterns.push(Pattern {
                name: name.clone(),
                write,
                requires: requires.to_vec(),
            });
        }
        let matcher = AhoCorasick::new(patterns.iter().map(|p| p.name.as_bytes()))
            .expect("call name lists are small enough for aho-corasick");
        CallLists {
            read,
            write,
            conditional,
            patterns,
            matcher,
        }
    }
}

/// The call names found in a scope, deduplicated and sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Calls {
    pub reads: Vec<String>,
    pub writes: Vec<String>,
}

impl Calls {
    /// Write if any write call is in scope, read if only reads are, unknown otherwise.
    pub fn need(&self) -> Need {
        if !self.writes.is_empty() {
            Need::Write
        } else if !self.reads.is_empty() {
            Need::Read
        } else {
            Need::Unknown
        }
    }

    /// Adds the calls of another file in the same scope.
    pub fn merge(&mut self, other: &Calls) {
        for (mine, theirs) in [
            (&mut self.reads, &other.reads),
            (&mut self.writes, &other.writes),
        ] {
            let set: BTreeSet<String> = mine.drain(..).chain(theirs.iter().cloned()).collect();
            mine.extend(set);
        }
    }
}

/// Which read and write calls appear in `data`, in one pass of the matcher.
pub fn calls_in(data: &[u8], lists: &CallLists) -> Calls {
    let mut reads = BTreeSet::new();
    let mut writes = BTreeSet::new();
    let mut hosts: Vec<(&str, bool)> = Vec::new();
    for m in lists.matcher.find_overlapping_iter(data) {
        let pattern = &lists.patterns[m.pattern().as_usize()];
        let name = pattern.name.as_bytes();
        let (start, end) = (m.start(), m.end());
        if is_ident(name[0]) && start > 0 && is_ident(data[start - 1]) {
            continue;
        }
        if is_ident(name[name.len() - 1]) && data.get(end).is_some_and(|&b| is_ident(b)) {
            continue;
        }
        if switched_off(&data[end..]) || in_line_comment(data, start) {
            continue;
        }
        let set = if pattern.write {
            &mut writes
        } else {
            &mut reads
        };
        if set.contains(&pattern.name) {
            continue;
        }
        let host_ok = pattern.requires.is_empty()
            || pattern.requires.iter().any(|host| {
                if let Some(&(_, found)) = hosts.iter().find(|(h, _)| *h == host.as_str()) {
                    return found;
                }
                let found = memmem::find(data, host.as_bytes()).is_some();
                hosts.push((host.as_str(), found));
                found
            });
        if host_ok {
            set.insert(pattern.name.clone());
        }
    }
    Calls {
        reads: reads.into_iter().collect(),
        writes: writes.into_iter().collect(),
    }
}

/// Whether `at` sits on a whole-line comment (`# …`, `// …`, `/* … */` continuation,
/// `<!-- …`), also as a notebook source line (`"# …\n",`). Only whole lines: a `#` in the
/// middle of a line may be inside a string, and a call missed there would hide a write.
fn in_line_comment(data: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(400);
    let start = data[from..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(from, |p| from + p + 1);
    let mut line = trim_start(&data[start..at]);
    // A notebook's source lines are JSON strings, and a `\n` escape starts a new one.
    if let Some(p) = memmem::rfind(line, b"\\n") {
        line = &line[p + 2..];
    }
    // …and each is an element of a JSON list: `"source": ["# …` or `, "# …`.
    let element = (0..line.len())
        .rev()
        .find(|&i| line[i] == b'"' && matches!(trim_end(&line[..i]).last(), Some(b'[' | b',')));
    let line = match element {
        Some(i) => &line[i + 1..],
        None => trim_start(line.strip_prefix(b"\"").unwrap_or(line)),
    };
    // Not `--`: a continued shell command's next line starts `--push-to-hub`.
    [&b"#"[..], b"//", b"* ", b"<!--", b"REM "]
        .iter()
        .any(|c| line.starts_with(c))
}

/// Whether the text after a call name sets it to an off value: `=False`, `": false`, `: bool = False`.
fn switched_off(after: &[u8]) -> bool {
    let after = &after[..after.len().min(64)];
    let skip_quotes = |s: &[u8]| -> usize {
        s.iter()
            .take_while(|b| matches!(b, b'"' | b'\'' | b'\\'))
            .count()
    };
    let mut s = &after[skip_quotes(after)..];
    s = trim_start_inline(s);
    match s.first() {
        Some(b'=') if s.get(1) != Some(&b'=') => s = &s[1..],
        Some(b':') => {
            s = trim_start_inline(&s[1..]);
            // An annotated parameter default: `push_to_hub: bool = False`.
            let ident = s.iter().take_while(|&&b| is_ident(b)).count();
            let rest = trim_start_inline(&s[ident..]);
            if ident > 0 && rest.first() == Some(&b'=') && rest.get(1) != Some(&b'=') {
                s = &rest[1..];
            }
        }
        _ => return false,
    }
    s = trim_start_inline(s);
    s = &s[skip_quotes(s)..];
    let word = s.iter().take_while(|&&b| is_ident(b)).count();
    matches!(
        &s[..word],
        b"False" | b"false" | b"FALSE" | b"0" | b"None" | b"null" | b"no" | b"off"
    )
}

/// Skips spaces and tabs (not newlines: a value on the next line is something else).
fn trim_start_inline(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    &s[n..]
}

// ---------------------------------------------------------------------------------------------
// Environment variables
// ---------------------------------------------------------------------------------------------

/// Environment variables that hold a Hugging Face token by convention (huggingface_hub, LangChain,
/// LlamaIndex, community code).
pub const STANDARD_TOKEN_VARS: &[&str] = &[
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HUGGINGFACEHUB_API_TOKEN",
    "HUGGINGFACE_TOKEN",
    "HUGGINGFACE_HUB_TOKEN",
    "HF_API_TOKEN",
    "HF_HUB_TOKEN",
    "HUGGINGFACE_API_KEY",
    "HF_API_KEY",
];

/// Which of `names` this file reads (not merely assigns), in the order given.
///
/// These files join a token's scope when the token is assigned to such a variable elsewhere.
pub fn env_reads(data: &[u8], names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let nb = name.as_bytes();
        if nb.is_empty() || out.iter().any(|o| o == name) {
            continue;
        }
        let found = memmem::find_iter(data, nb).any(|p| {
            let before = &data[p.saturating_sub(WINDOW.min(96))..p];
            let after_start = p + nb.len();
            let after = &data[after_start..data.len().min(after_start + 96)];
            let bounded = before.last().is_none_or(|&b| !is_ident(b))
                && after.first().is_none_or(|&b| !is_ident(b));
            bounded && is_env_read(data, p, before, after)
        });
        if found {
            out.push((*name).to_owned());
        }
    }
    out
}

/// Assignment right after a reference (`= value`, not `==`): a write, not a read.
fn assigned_after(after: &[u8]) -> bool {
    let s = trim_start_inline(after);
    s.first() == Some(&b'=') && s.get(1) != Some(&b'=')
}

fn is_env_read(data: &[u8], pos: usize, before: &[u8], after: &[u8]) -> bool {
    // `$X`, `${X}`, `$(X)`, `%X%`, `$env:X`, `${{ secrets.X }}`, `${{ env.X }}`, `process.env.X`.
    let sigil = before.ends_with(b"$")
        || before.ends_with(b"${")
        || before.ends_with(b"$(")
        || (before.ends_with(b"%") && after.first() == Some(&b'%'))
        || ends_with_ci(before, b"$env:")
        || before.ends_with(b"secrets.")
        || before.ends_with(b"env.");
    if sigil {
        return !assigned_after(after);
    }

    // Quoted name as a subscript or call argument: `os.environ["X"]`, `os.getenv("X")`, …
    let quote_len = before
        .iter()
        .rev()
        .take_while(|b| matches!(b, b'"' | b'\'' | b'\\'))
        .count();
    if quote_len > 0
        && before[before.len() - quote_len..]
            .iter()
            .any(|&b| b != b'\\')
    {
        let outer = trim_end(&before[..before.len() - quote_len]);
        if let Some(obj) = outer.strip_suffix(b"[") {
            let obj = trim_end(obj);
            let env_object = [&b"environ"[..], b"env", b"ENV", b"secrets"]
                .iter()
                .any(|k| obj.ends_with(k));
            if env_object {
                let close = after
                    .iter()
                    .take_while(|b| matches!(b, b'"' | b'\'' | b'\\'))
                    .count();
                let rest = &after[close..];
                return rest.first() == Some(&b']') && !assigned_after(&rest[1..]);
            }
        }
        if let Some(call) = outer.strip_suffix(b"(") {
            let (_, func) = split_ident_end(trim_end(call));
            return matches!(
                func,
                b"get"
                    | b"getenv"
                    | b"Getenv"
                    | b"LookupEnv"
                    | b"var"
                    | b"var_os"
                    | b"fetch"
                    | b"get_secret"
                    | b"env"
            );
        }
    }

    // `X: ${{ … }}` in a workflow: the step gets the variable from the CI's secret store.
    let mapped = trim_start_inline(after)
        .strip_prefix(b":")
        .map(trim_start_inline)
        .is_some_and(|v| {
            let v = &v[v.iter().take_while(|b| matches!(b, b'"' | b'\'')).count()..];
            v.starts_with(b"${{")
        });
    if mapped {
        return true;
    }

    // Pass-through from the host: compose `- X`, `docker run -e X`, Dockerfile `ARG X`.
    let line_from = line_start(data, pos);
    let head = trim_start(&data[line_from..pos]);
    let tail_end = after
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(after.len());
    let tail = trim_end(&after[..tail_end]);
    let pass_through_head = matches!(head, b"- " | b"ARG " | b"arg ")
        || head.ends_with(b" -e ")
        || head.ends_with(b" --env ");
    pass_through_head && (tail.is_empty() || tail[0].is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake token built at run time: `hf_` + 34 alphanumerics, never a literal in the source.
    fn tok() -> String {
        format!("hf_{}", "aB3".repeat(11) + "x")
    }

    /// Replaces `§` in a template with the fake token; returns the text and the token's offset.
    fn place(template: &str) -> (String, usize) {
        let t = tok();
        let off = template.find('§').expect("template has §");
        (template.replacen('§', &t, 1), off)
    }

    fn usage(template: &str) -> (Usage, Option<String>) {
        let (text, off) = place(template);
        usage_at(text.as_bytes(), off, tok().len())
    }

    #[test]
    fn platform_table() {
        use Platform::*;
        let cases = [
            ("nb/train.ipynb", Notebook),
            ("X.IPYNB", Notebook),
            (".github/workflows/x.yml", Ci),
            ("sub/.github/workflows/release.yaml", Ci),
            (".github/actions/setup/action.yml", Ci),
            (".gitlab-ci.yml", Ci),
            (".gitlab-ci/build.yml", Ci),
            (".circleci/config.yml", Ci),
            ("Jenkinsfile", Ci),
            ("azure-pipelines.yml", Ci),
            (".travis.yml", Ci),
            ("bitbucket-pipelines.yml", Ci),
            (".buildkite/pipeline.yml", Ci),
            (".drone.yml", Ci),
            ("cloudbuild.yaml", Ci),
            (".env", EnvFile),
            (".env.local", EnvFile),
            ("config/prod.env", EnvFile),
            (".envrc", EnvFile),
            ("deploy/.env", EnvFile),
            ("Dockerfile", Server),
            ("docker/Dockerfile.gpu", Server),
            ("api.dockerfile", Server),
            ("docker-compose.yml", Server),
            ("docker-compose.prod.yaml", Server),
            ("compose.yaml", Server),
            ("Procfile", Server),
            ("etc/app.service", Server),
            ("deploy/values.yaml", Server),
            ("deployments/run.sh", Server),
            ("src/server/main.py", Server),
            ("k8s/secret.yaml", Server),
            ("kubernetes/x.yml", Server),
            ("helm/chart/values.yaml", Server),
            ("charts/app/templates/d.yaml", Server),
            ("docs/x.md", Docs),
            ("guide.MDX", Docs),
            ("index.rst", Docs),
            ("a.adoc", Docs),
            ("notes.txt", Docs),
            ("README", Docs),
            ("a.PY", Source),
            ("src/index.ts", Source),
            ("run.sh", Source),
            ("config.yaml", Source),
            ("settings.json", Source),
            ("setup.cfg", Source),
            ("requirements.txt", Source),
            ("Makefile", Source),
            ("app.py", Source),
            ("model.bin", Other),
            ("LICENSE-MIT.pdf", Other),
            ("weird", Other),
            ("", Other),
            ("/", Other),
        ];
        let mut failures = Vec::new();
        for (path, want) in cases {
            let got = platform_of(path);
            if got != want {
                failures.push(format!("{path}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn platform_precedence() {
        // notebook > ci > env_file > server > docs > source
        assert_eq!(platform_of("deploy/x.ipynb"), Platform::Notebook);
        assert_eq!(
            platform_of(".github/workflows/nb.ipynb"),
            Platform::Notebook
        );
        assert_eq!(platform_of(".circleci/deploy/x.yml"), Platform::Ci);
        assert_eq!(platform_of("server/.env"), Platform::EnvFile);
        assert_eq!(platform_of("deploy/README.md"), Platform::Server);
        assert_eq!(platform_of("docs/conf.py"), Platform::Source);
        assert_eq!(Platform::EnvFile.as_str(), "env_file");
    }

    #[test]
    fn usage_table() {
        use Usage::*;
        let env = |n: &str| (EnvAssignment, Some(n.to_owned()));
        let cases: Vec<(&str, (Usage, Option<String>))> = vec![
            // URL credentials
            (
                "git remote add origin https://user:§@huggingface.co/x",
                (UrlCredential, None),
            ),
            (
                "url = \"https://§@huggingface.co/spaces/a/b\"",
                (UrlCredential, None),
            ),
            (
                "git clone https://oauth:§@hf.co/datasets/x.git",
                (UrlCredential, None),
            ),
            (
                "curl https://example.com/api?token=§",
                (UrlCredential, None),
            ),
            (
                "u = f\"https://x/y?a=1&access_token=§\"",
                (UrlCredential, None),
            ),
            // bearer
            ("-H \"Authorization: Bearer §\"", (BearerHeader, None)),
            (
                "headers = {\"Authorization\": \"bearer §\"}",
                (BearerHeader, None),
            ),
            // login
            ("login(token=\"§\")", (LoginCall, None)),
            ("huggingface_hub.login(\"§\")", (LoginCall, None)),
            ("notebook_login(§)", (LoginCall, None)),
            ("interpreter_login(token='§')", (LoginCall, None)),
            ("!huggingface-cli login --token §", (LoginCall, None)),
            ("hf auth login --token §", (LoginCall, None)),
            (
                "run: hf login --token § --add-to-git-credential",
                (LoginCall, None),
            ),
            // env assignments
            ("HF_TOKEN=§", env("HF_TOKEN")),
            ("HF_TOKEN=\"§\"", env("HF_TOKEN")),
            ("export HF_TOKEN=§", env("HF_TOKEN")),
            ("export hf_home_token='§'", env("hf_home_token")),
            ("ENV HF_TOKEN=§", env("HF_TOKEN")),
            (
                "ENV HUGGING_FACE_HUB_TOKEN §",
                env("HUGGING_FACE_HUB_TOKEN"),
            ),
            ("ARG HF_TOKEN=§", env("HF_TOKEN")),
            ("os.environ[\"HF_TOKEN\"] = \"§\"", env("HF_TOKEN")),
            ("os.environ['HF_TOKEN']='§'", env("HF_TOKEN")),
            (
                "os.environ.setdefault(\"HF_TOKEN\", \"§\")",
                env("HF_TOKEN"),
            ),
            ("process.env.HF_TOKEN = \"§\";", env("HF_TOKEN")),
            ("%env HF_TOKEN=§", env("HF_TOKEN")),
            ("    HF_TOKEN: \"§\"", env("HF_TOKEN")),
            (
                "  HUGGINGFACEHUB_API_TOKEN: §",
                env("HUGGINGFACEHUB_API_TOKEN"),
            ),
            ("      - HF_TOKEN=§", env("HF_TOKEN")),
            ("docker run -e HF_TOKEN=§ img", env("HF_TOKEN")),
            ("$env:HF_TOKEN = \"§\"", env("HF_TOKEN")),
            ("HF_TOKEN=§ huggingface-cli login", env("HF_TOKEN")),
            ("- name: HF_TOKEN\n  value: \"§\"", env("HF_TOKEN")),
            // token arguments
            (
                "hf_hub_download(\"a/b\", \"c\", token=\"§\")",
                (TokenArgument, None),
            ),
            (
                "from_pretrained(m, use_auth_token=\"§\")",
                (TokenArgument, None),
            ),
            ("TrainingArguments(hub_token='§')", (TokenArgument, None)),
            ("InferenceClient(api_key=\"§\")", (TokenArgument, None)),
            ("cfg(hf_token = \"§\")", (TokenArgument, None)),
            ("{\"access_token\": \"§\"}", (TokenArgument, None)),
            ("{\"token\": \"§\"}", (TokenArgument, None)),
            ("  token: §", (TokenArgument, None)),
            ("hf download a/b --token §", (TokenArgument, None)),
            ("hf upload a/b . --token=§", (TokenArgument, None)),
            // literals
            ("§", (Literal, None)),
            ("print(\"§\")", (Literal, None)),
            ("if token == \"§\":", (Literal, None)),
            ("tokens = [\"§\"]", (Literal, None)),
            ("my_login(\"§\")", (Literal, None)),
            ("https://huggingface.co/§/x", (Literal, None)),
            ("self.HF_TOKEN = \"§\"", (TokenArgument, None)),
            ("self.secret = \"§\"", (Literal, None)),
            ("  value: §", (Literal, None)),
            // notebook JSON-escaped source lines (list form)
            ("    \"login(token=\\\"§\\\")\\n\",", (LoginCall, None)),
            (
                "    \"os.environ[\\\"HF_TOKEN\\\"] = \\\"§\\\"\\n\",",
                env("HF_TOKEN"),
            ),
            (
                "    \"api = HfApi(token=\\\"§\\\")\\n\",",
                (TokenArgument, None),
            ),
            ("    \"%env HF_TOKEN=§\\n\",", env("HF_TOKEN")),
            (
                "    \"headers = {\\\"Authorization\\\": \\\"Bearer §\\\"}\"",
                (BearerHeader, None),
            ),
            // single-string form: the `\n` escape ends the previous line
            (
                "\"source\": \"from huggingface_hub import login\\nlogin(\\\"§\\\")\"",
                (LoginCall, None),
            ),
            ("\"source\": \"login()\\nx = \\\"§\\\"\"", (Literal, None)),
            ("\"text\": \"Token is valid\\n§\\n\"", (Literal, None)),
            // CRLF
            ("login(\r\n    token=\"§\"\r\n)", (TokenArgument, None)),
        ];
        let mut failures = Vec::new();
        for (template, want) in cases {
            let got = usage(template);
            if got != want {
                failures.push(format!("{template:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn usage_is_bounded_on_huge_lines() {
        // Login call far away on the same (minified) line is out of the window: literal.
        let t = tok();
        let mut data = b"login(".to_vec();
        data.extend(std::iter::repeat_n(b'x', 1 << 20));
        data.push(b' ');
        let off = data.len();
        data.extend_from_slice(t.as_bytes());
        data.extend(std::iter::repeat_n(b'y', 1 << 20));
        assert_eq!(usage_at(&data, off, t.len()), (Usage::Literal, None));
        // Out-of-range offsets and lengths do not panic.
        let _ = usage_at(&data, data.len() + 10, 40);
        let _ = usage_at(&data, 5, usize::MAX);
        let _ = usage_at(b"", 0, 0);
    }

    fn notebook_json(source_cell: &str, output_text: &str, single_string: bool) -> String {
        let source = if single_string {
            serde_json::Value::String(source_cell.to_owned())
        } else {
            serde_json::Value::Array(
                source_cell
                    .split_inclusive('\n')
                    .map(|l| serde_json::Value::String(l.to_owned()))
                    .collect(),
            )
        };
        let output = if single_string {
            serde_json::Value::String(output_text.to_owned())
        } else {
            serde_json::Value::Array(vec![serde_json::Value::String(output_text.to_owned())])
        };
        let nb = serde_json::json!({
            "cells": [
                {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "Some text"]},
                {"cell_type": "code", "execution_count": 1, "metadata": {"tags": []},
                 "source": source, "outputs": []},
                {"cell_type": "code", "execution_count": 2, "metadata": {},
                 "source": ["whoami()"],
                 "outputs": [{"name": "stdout", "output_type": "stream", "text": output}]},
            ],
            "metadata": {"kernelspec": {"name": "python3", "note": "META"}},
            "nbformat": 4,
            "nbformat_minor": 5
        });
        serde_json::to_string_pretty(&nb).unwrap()
    }

    #[test]
    fn notebook_source_and_output() {
        let t = tok();
        for single in [false, true] {
            let src = format!("import os\nlogin(token=\"{t}\")\nprint(1)\n");
            let out = format!("Logged in\n{t}\n");
            let text = notebook_json(&src, &out, single);
            let data = text.as_bytes();
            let hits: Vec<usize> = memmem::find_iter(data, t.as_bytes()).collect();
            assert_eq!(hits.len(), 2, "{text}");
            let meta = text.find("META").unwrap();
            let title = text.find("# Title").unwrap();
            let cells = notebook_cells(data, &[hits[0], hits[1], meta, 0, title, data.len() + 5])
                .expect("valid notebook");
            assert_eq!(
                cells,
                vec![
                    Some(NotebookCell {
                        index: 1,
                        part: CellPart::Source
                    }),
                    Some(NotebookCell {
                        index: 2,
                        part: CellPart::Output
                    }),
                    None,
                    None,
                    Some(NotebookCell {
                        index: 0,
                        part: CellPart::Source
                    }),
                    None,
                ],
                "single_string={single}"
            );
            // The output token follows a `\n` escape: a literal, not the login call above it.
            assert_eq!(usage_at(data, hits[1], t.len()).0, Usage::Literal);
            assert_eq!(usage_at(data, hits[0], t.len()).0, Usage::LoginCall);
        }
    }

    #[test]
    fn notebook_compact_and_nbformat3() {
        let t = tok();
        let compact = format!(
            "\u{feff}{{\"cells\":[{{\"cell_type\":\"code\",\"source\":\"x=\\\"{t}\\\"\",\"outputs\":[{{\"data\":{{\"text/plain\":[\"'{t}'\"]}}}}]}}],\"metadata\":{{}}}}"
        );
        let data = compact.as_bytes();
        let hits: Vec<usize> = memmem::find_iter(data, t.as_bytes()).collect();
        let cells = notebook_cells(data, &hits).expect("valid");
        assert_eq!(
            cells,
            vec![
                Some(NotebookCell {
                    index: 0,
                    part: CellPart::Source
                }),
                Some(NotebookCell {
                    index: 0,
                    part: CellPart::Output
                }),
            ]
        );

        let v3 = format!(
            r#"{{"worksheets": [{{"cells": [{{"cell_type": "markdown", "source": "hi"}}, {{"cell_type": "code", "input": ["tok = '{t}'"], "outputs": []}}]}}], "nbformat": 3}}"#
        );
        let off = v3.find(&t).unwrap();
        assert_eq!(
            notebook_cells(v3.as_bytes(), &[off]),
            Some(vec![Some(NotebookCell {
                index: 1,
                part: CellPart::Source
            })])
        );
    }

    #[test]
    fn notebook_malformed_is_none() {
        let t = tok();
        let good = notebook_json(&format!("x = '{t}'\n"), "out", false);
        let cases: Vec<String> = vec![
            good[..good.len() / 2].to_owned(),
            good[..good.len() - 1].to_owned(),
            format!("{good} trailing"),
            good.replacen(':', "", 1),
            good.replacen(',', ",,", 1),
            "[1, 2, 3]".to_owned(),
            "\"just a string\"".to_owned(),
            String::new(),
            "{\"cells\": [{\"source\": \"unterminated}]}".to_owned(),
            "{\"a\": tru}".to_owned(),
            "{\"a\" 1}".to_owned(),
            "{\"a\": 1]".to_owned(),
            "[".repeat(MAX_JSON_DEPTH + 10),
            format!("{{\"a\":{}1{}}}", "[".repeat(5000), "]".repeat(5000)),
        ];
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(notebook_cells(case.as_bytes(), &[0, 3]), None, "case {i}");
        }
        assert!(notebook_cells(good.as_bytes(), &[0]).is_some());
        // Valid JSON object without cells: every offset is outside a cell.
        assert_eq!(
            notebook_cells(b"{\"metadata\": {}}", &[2]),
            Some(vec![None])
        );
    }

    #[test]
    fn call_lists_builtin_parse() {
        // Every DESIGN §4 name is listed, and `calls_in` finds it on a line of its own.
        const READ: &str = "from_pretrained|hf_hub_download|snapshot_download|load_dataset|\
            InferenceClient|AsyncInferenceClient|model_info|dataset_info|space_info|list_models|\
            list_datasets|list_repo_files|file_exists|repo_exists|whoami|hf download|\
            huggingface-cli download|api-inference.huggingface.co|router.huggingface.co|pipeline(";
        const WRITE: &str = "push_to_hub|upload_file|upload_folder|upload_large_folder|\
            create_repo|delete_repo|delete_file|delete_files|delete_folder|create_commit|\
            create_branch|create_tag|update_repo_settings|update_repo_visibility|move_repo|\
            add_space_secret|add_space_variable|create_discussion|create_pull_request|run_job|\
            hf upload|huggingface-cli upload|huggingface-cli repo create|hf repo create|\
            --push-to-hub|--push_to_hub|push_to_hub=True";
        let lists = CallLists::builtin();
        for name in READ.split('|') {
            assert!(
                lists.read().iter().any(|n| n == name),
                "read list lacks {name}"
            );
            let found = calls_in(format!("x = {name} y\n").as_bytes(), &lists);
            assert!(found.reads.iter().any(|n| n == name), "{name}: {found:?}");
            assert_eq!(found.need(), Need::Read, "{name}");
        }
        for name in WRITE.split('|') {
            assert!(
                lists.write().iter().any(|n| n == name),
                "write list lacks {name}"
            );
            let found = calls_in(format!("x = {name} y\n").as_bytes(), &lists);
            assert!(found.writes.iter().any(|n| n == name), "{name}: {found:?}");
        }
    }

    fn calls(text: &str) -> Calls {
        calls_in(text.as_bytes(), &CallLists::builtin())
    }

    #[test]
    fn calls_table() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let cases: Vec<(&str, Vec<String>, Vec<String>, Need)> = vec![
            (
                "m = AutoModel.from_pretrained('a/b')",
                s(&["from_pretrained"]),
                s(&[]),
                Need::Read,
            ),
            (
                "from_pretrained(x)\nmodel.push_to_hub('a/b')",
                s(&["from_pretrained"]),
                s(&["push_to_hub"]),
                Need::Write,
            ),
            (
                "args = TrainingArguments(out, push_to_hub=True)",
                s(&[]),
                s(&["push_to_hub", "push_to_hub=True"]),
                Need::Write,
            ),
            (
                "args = TrainingArguments(out, push_to_hub=False)",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            (
                "args = TrainingArguments(out, push_to_hub = False)",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            ("{\"push_to_hub\": false}", s(&[]), s(&[]), Need::Unknown),
            ("push_to_hub: false", s(&[]), s(&[]), Need::Unknown),
            (
                "def train(push_to_hub: bool = False):",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            (
                "python train.py --push_to_hub",
                s(&[]),
                s(&["--push_to_hub", "push_to_hub"]),
                Need::Write,
            ),
            ("my_upload_file_helper(x)", s(&[]), s(&[]), Need::Unknown),
            ("upload_files_later()", s(&[]), s(&[]), Need::Unknown),
            (
                "api.upload_file(path_or_fileobj=f)",
                s(&[]),
                s(&["upload_file"]),
                Need::Write,
            ),
            (
                "api.delete_files(x)",
                s(&[]),
                s(&["delete_files"]),
                Need::Write,
            ),
            (
                "p = pipeline('text-generation')",
                s(&["pipeline("]),
                s(&[]),
                Need::Read,
            ),
            ("p = my_pipeline('x')", s(&[]), s(&[]), Need::Unknown),
            (
                "hf upload me/model .",
                s(&[]),
                s(&["hf upload"]),
                Need::Write,
            ),
            (
                "hf download me/model",
                s(&["hf download"]),
                s(&[]),
                Need::Read,
            ),
            ("git push origin main", s(&[]), s(&[]), Need::Unknown),
            (
                "git remote add hub https://huggingface.co/spaces/a/b\ngit push hub main",
                s(&[]),
                s(&["git push"]),
                Need::Write,
            ),
            (
                "git clone https://github.com/a/b",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            (
                "git clone https://huggingface.co/a/b",
                s(&["git clone"]),
                s(&[]),
                Need::Read,
            ),
            (
                "requests.post('https://router.huggingface.co/v1/chat')",
                s(&["router.huggingface.co"]),
                s(&[]),
                Need::Read,
            ),
            (
                "whoami()\nwhoami()\nload_dataset('x')",
                s(&["load_dataset", "whoami"]),
                s(&[]),
                Need::Read,
            ),
            ("nothing here", s(&[]), s(&[]), Need::Unknown),
        ];
        let mut failures = Vec::new();
        for (text, reads, writes, need) in cases {
            let got = calls(text);
            let want = Calls { reads, writes };
            if got != want || got.need() != need {
                failures.push(format!(
                    "{text:?}: got {got:?} ({:?}), want {want:?} ({need:?})",
                    got.need()
                ));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn call_lists_extend_and_merge() {
        let mut lists = CallLists::builtin();
        lists.extend(&["fetch_weights"], &["publish_model", ""]);
        let got = calls_in(b"fetch_weights()\npublish_model()", &lists);
        assert_eq!(got.reads, vec!["fetch_weights".to_owned()]);
        assert_eq!(got.writes, vec!["publish_model".to_owned()]);
        // Conditional calls survive a rebuild.
        let got = calls_in(b"git push https://huggingface.co/x", &lists);
        assert_eq!(got.writes, vec!["git push".to_owned()]);

        let mut a = calls("whoami()");
        a.merge(&calls("upload_file(x)\nload_dataset(y)"));
        assert_eq!(
            a.reads,
            vec!["load_dataset".to_owned(), "whoami".to_owned()]
        );
        assert_eq!(a.need(), Need::Write);
    }

    #[test]
    fn need_combine() {
        use Need::*;
        for (a, b, want) in [
            (Read, Write, Write),
            (Write, Unknown, Write),
            (Unknown, Read, Read),
            (Read, Read, Read),
            (Unknown, Unknown, Unknown),
        ] {
            assert_eq!(a.combine(b), want);
            assert_eq!(b.combine(a), want);
        }
        assert_eq!(Need::Unknown.as_str(), "unknown");
    }

    #[test]
    fn env_reads_table() {
        let reads = [
            "token = os.environ[\"HF_TOKEN\"]",
            "token = os.environ['HF_TOKEN']",
            "token = os.environ.get(\"HF_TOKEN\")",
            "token = os.getenv('HF_TOKEN', None)",
            "char *t = getenv(\"HF_TOKEN\");",
            "t := os.Getenv(\"HF_TOKEN\")",
            "  HF_TOKEN: ${{ secrets.HF_TOKEN }}",
            "run: echo ${{ env.HF_TOKEN }}",
            "  HF_TOKEN: ${{ secrets.HUB_WRITE }}",
            "huggingface-cli login --token $HF_TOKEN",
            "curl -H \"Authorization: Bearer ${HF_TOKEN}\"",
            "const t = process.env.HF_TOKEN;",
            "const t = process.env[\"HF_TOKEN\"];",
            "t = ENV[\"HF_TOKEN\"]",
            "t = ENV.fetch(\"HF_TOKEN\")",
            "let t = std::env::var(\"HF_TOKEN\")?;",
            "from google.colab import userdata\nt = userdata.get('HF_TOKEN')",
            "    \"token = os.environ[\\\"HF_TOKEN\\\"]\\n\",",
            "if os.environ[\"HF_TOKEN\"] == x:",
            "environment:\n  - HF_TOKEN\n",
            "docker run -e HF_TOKEN img",
            "ARG HF_TOKEN\n",
            "$t = $env:HF_TOKEN",
            "\tcurl -H \"Authorization: Bearer $(HF_TOKEN)\" $(URL)",
            "set T=%HF_TOKEN%",
        ];
        let not_reads = [
            "HF_TOKEN=hf_abc",
            "export HF_TOKEN=hf_abc",
            "os.environ[\"HF_TOKEN\"] = \"x\"",
            "process.env.HF_TOKEN = \"x\";",
            "  HF_TOKEN: plain",
            "MY_HF_TOKEN_X = os.getenv(\"OTHER\")",
            "# HF_TOKEN is documented here",
            "print(\"HF_TOKEN\")",
            "- HF_TOKEN=abc",
            "$env:HF_TOKEN = \"x\"",
        ];
        let mut failures = Vec::new();
        for text in reads {
            let got = env_reads(text.as_bytes(), STANDARD_TOKEN_VARS);
            if got != vec!["HF_TOKEN".to_owned()] {
                failures.push(format!("must read: {text:?}: {got:?}"));
            }
        }
        for text in not_reads {
            let got = env_reads(text.as_bytes(), STANDARD_TOKEN_VARS);
            if !got.is_empty() {
                failures.push(format!("must not read: {text:?}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");

        let both = b"a = os.getenv('HF_API_KEY')\nb = $HF_TOKEN";
        assert_eq!(
            env_reads(both, &["HF_TOKEN", "HF_API_KEY", "", "HF_TOKEN"]),
            vec!["HF_TOKEN".to_owned(), "HF_API_KEY".to_owned()]
        );
    }

    #[test]
    fn serializes_snake_case() {
        let cell = NotebookCell {
            index: 3,
            part: CellPart::Output,
        };
        assert_eq!(
            serde_json::to_string(&cell).unwrap(),
            r#"{"index":3,"part":"output"}"#
        );
        assert_eq!(
            serde_json::to_string(&Platform::EnvFile).unwrap(),
            "\"env_file\""
        );
        assert_eq!(
            serde_json::to_string(&Usage::UrlCredential).unwrap(),
            "\"url_credential\""
        );
        assert_eq!(serde_json::to_string(&Need::Write).unwrap(), "\"write\"");
    }

    /// xorshift64*: deterministic pseudo-random bytes without a crate.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        // Biased toward bytes that steer the parsers, plus raw noise.
        const ALPHABET: &[u8] = b"{}[]\":,\\n \r\t=$'`@/?&#.-_hfHFTOKENloginenvsecrets()0123456789";
        let lists = CallLists::builtin();
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let nb = notebook_json("x = 1\nlogin(token=\"hf_zzz\")\n", "out\n", false).into_bytes();
        for round in 0..3000 {
            let len = (rng.next() % 600) as usize;
            let mut data: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rng.next();
                    if r.is_multiple_of(3) {
                        (r >> 8) as u8
                    } else {
                        ALPHABET[((r >> 8) % ALPHABET.len() as u64) as usize]
                    }
                })
                .collect();
            if round % 4 == 0 {
                // Mutate a real notebook: truncate and flip bytes.
                data = nb[..(rng.next() as usize % (nb.len() + 1))].to_vec();
                for _ in 0..(rng.next() % 4) {
                    if !data.is_empty() {
                        let i = rng.next() as usize % data.len();
                        data[i] = ALPHABET[rng.next() as usize % ALPHABET.len()];
                    }
                }
            }
            let offsets: Vec<usize> = (0..8).map(|_| rng.next() as usize % (len + 20)).collect();
            for &off in &offsets {
                let _ = usage_at(&data, off, (rng.next() % 50) as usize);
            }
            let _ = notebook_cells(&data, &offsets);
            let _ = calls_in(&data, &lists);
            let _ = env_reads(&data, STANDARD_TOKEN_VARS);
            let _ = platform_of(&String::from_utf8_lossy(&data));
        }
    }

    #[test]
    fn calls_in_whole_line_comments_do_not_count() {
        let lists = CallLists::builtin();
        let need = |text: &str| calls_in(text.as_bytes(), &lists).need();
        assert_eq!(
            need("# never call push_to_hub here\nhf_hub_download('a', 'b')\n"),
            Need::Read
        );
        assert_eq!(
            need("  // TODO: upload_file later\nconst m = await fetch(x)\n"),
            Need::Unknown
        );
        assert_eq!(
            need("\"source\": [\"# push_to_hub is disabled\\n\", \"snapshot_download('a')\"]"),
            Need::Read
        );
        assert_eq!(
            need("model.push_to_hub('a')  # publish\n"),
            Need::Write,
            "code before a comment counts"
        );
        assert_eq!(
            need("url = 'https://x/#frag'; api.upload_file(path_or_fileobj=f)\n"),
            Need::Write
        );
        assert_eq!(
            need("python train.py \\\n  --push-to-hub\n"),
            Need::Write,
            "a continued command"
        );
    }

    #[test]
    fn makefile_assignments() {
        assert_eq!(usage("HF_TOKEN := §").1.as_deref(), Some("HF_TOKEN"));
        assert_eq!(usage("export HF_TOKEN ?= §").1.as_deref(), Some("HF_TOKEN"));
        assert_eq!(
            usage("    token := \"§\"").1,
            None,
            "Go's := on an ordinary name"
        );
    }

    #[test]
    fn one_letter_constants_are_not_environment_variables() {
        assert_eq!(usage("T = \"§\""), (Usage::Literal, None));
        assert_eq!(usage("TK = \"§\"").1.as_deref(), Some("TK"));
    }
}
