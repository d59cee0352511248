//! Practice: the habits that cause the next leak, found in a file's text (issue 13, DESIGN §10).
//!
//! HF013 a token variable reaching a container image build, HF014 a GitHub workflow handing a
//! stored Hub token secret to its steps (judged later, with the need of the steps), HF015 a
//! token variable written to output or logs. There is no token literal here: each hit names the
//! token *variable* (`HF_TOKEN` and the configured names).
//!
//! Pure and line-based, like `context`: bytes in, hits out, no file system. Lines longer than
//! [`MAX_LINE`] are skipped (minified files hold no build scripts), so every check stays linear.
//! Precision matters as much as recall: reading a variable to pass it to `login()` or a client
//! is the recommended practice and never a hit, nor is a name inside a plain string.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::allow::{parse_allow, Allow};
use crate::context::{CallLists, Platform, Words};

mod workflow;

pub use workflow::{Step, StepCall, StepScript};

/// Lines longer than this are not looked at.
const MAX_LINE: usize = 4096;
/// Snippets are cut to this many characters.
const SNIPPET_WIDTH: usize = 160;

/// The rules whose habits this module finds.
pub const RULES: [&str; 3] = ["HF013", "HF014", "HF015"];

/// One habit found on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeHit {
    /// `HF013`, `HF014` or `HF015`.
    pub rule: &'static str,
    /// The token variable concerned (for HF014, the variable the secret is handed to); empty
    /// for a token file (`token_file`).
    pub variable: String,
    /// What was found, for the message: "`ARG` in a Dockerfile", "`echo`", ….
    pub detail: String,
    /// 1-based.
    pub line: u64,
    pub column: u64,
    pub offset: u64,
    /// The line, redacted and trimmed.
    pub snippet: String,
    /// An `hfaudit:allow` marker on the line or the line above.
    pub allow: Option<Allow>,
    /// HF014: the stored secret handed over (`HF_WRITE_TOKEN`).
    pub secret: Option<String>,
    /// HF014: the steps that get the secret, each with what it does with the Hub; the judge
    /// reads the scripts they run from the other files' facts.
    pub steps: Vec<Arc<Step>>,
    /// HF014: the secret is written right into a command (`--token ${{ secrets.X }}`), not
    /// handed to a variable.
    pub on_command_line: bool,
    /// HF015: where the printed name's value comes from when the name is not a token variable
    /// ("read by `get_token()`", with `variable` the name printed).
    pub origin: Option<String>,
    /// HF013: a token *file* copied into an image (`hf_token`), rather than a variable.
    pub token_file: Option<String>,
}

/// What kind of file this is, for the checks that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dockerfile,
    Compose,
    /// `docker-bake.hcl`: Buildx Bake targets, whose `args` are build arguments.
    Bake,
    Workflow,
    Python,
    Notebook,
    JavaScript,
    /// Shell scripts, Makefiles, CI configuration: files whose lines are commands.
    Shell,
}

fn kind_of(path: &str, platform: Platform, data: &[u8]) -> Option<Kind> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    if platform == Platform::Docs {
        // Documentation shows commands; it does not run them.
        return None;
    }
    if name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
    {
        return Some(Kind::Dockerfile);
    }
    if name.starts_with("docker-bake") && ext == Some("hcl") {
        return Some(Kind::Bake);
    }
    let yaml = matches!(ext, Some("yml" | "yaml"));
    if yaml && (name.starts_with("docker-compose") || name.starts_with("compose")) {
        return Some(Kind::Compose);
    }
    if yaml && lower.contains(".github/workflows/") {
        return Some(Kind::Workflow);
    }
    let shebang = data.starts_with(b"#!")
        && data[..data.len().min(64)]
            .split(|b| *b == b'\n')
            .next()
            .is_some_and(|l| l.ends_with(b"sh") || l.windows(3).any(|w| w == b"sh "));
    match ext {
        Some("py" | "pyw") => Some(Kind::Python),
        Some("ipynb") => Some(Kind::Notebook),
        Some("js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "jsx" | "tsx") => Some(Kind::JavaScript),
        Some("sh" | "bash" | "zsh" | "ksh" | "mk") => Some(Kind::Shell),
        _ if matches!(
            name,
            "makefile" | "gnumakefile" | "justfile" | "jenkinsfile" | ".envrc"
        ) =>
        {
            Some(Kind::Shell)
        }
        // CI configuration is commands; other code and data (Rust, TOML, JSON, …) are not,
        // whatever their strings say.
        _ if platform == Platform::Ci || (ext.is_none() && shebang) => Some(Kind::Shell),
        _ => None,
    }
}

/// One line of the file: its text (JSON-unescaped quotes in notebooks) and where it starts.
struct Line<'a> {
    number: u64,
    offset: usize,
    raw: &'a [u8],
    /// Borrowed from the file unless it had to change (invalid UTF-8, a notebook's escapes).
    text: Cow<'a, str>,
    /// Bytes of `raw` before `text` starts (a notebook's indentation and opening quote).
    shift: usize,
    /// Whether a token variable's name (or `get_token`) is on the line. Most checks need one
    /// there, so most lines of a file are passed over without running a regex.
    mentions: bool,
}

/// The file's lines. `mentions` holds the sorted offsets where a token variable's name starts.
fn lines<'a>(data: &'a [u8], notebook: bool, mentions: &[usize]) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    // Checked once for the whole file: then every line is a slice of it, not a copy.
    let whole = std::str::from_utf8(data).ok();
    let mut offset = 0;
    let mut next_mention = mentions.iter().copied().peekable();
    loop {
        let end = memchr::memchr(b'\n', &data[offset..]).map_or(data.len(), |p| offset + p);
        let raw = &data[offset..end];
        let raw_line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut shift = 0;
        let text = if raw_line.len() > MAX_LINE {
            Cow::Borrowed("")
        } else {
            let t = match whole {
                Some(w) => Cow::Borrowed(&w[offset..offset + raw_line.len()]),
                None => String::from_utf8_lossy(raw_line),
            };
            if notebook {
                // A source line of a cell: `    "print(x)\n",` → `print(x)",`.
                let bare = t.trim_start().trim_start_matches('"');
                shift = t.len() - bare.len();
                Cow::Owned(bare.replace("\\\"", "\"").replace("\\n", ""))
            } else {
                t
            }
        };
        let mut here = false;
        while let Some(&at) = next_mention.peek() {
            if at >= end {
                break;
            }
            here |= at >= offset;
            next_mention.next();
        }
        out.push(Line {
            number: out.len() as u64 + 1,
            offset,
            raw: raw_line,
            text,
            shift,
            mentions: here,
        });
        if end == data.len() {
            break;
        }
        offset = end + 1;
    }
    out
}

/// Sorted offsets in `data` where a token variable's name (or `get_token`) starts.
fn mention_offsets(data: &[u8], names: &Words) -> Vec<usize> {
    static GET_TOKEN_WORD: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new("get_token"));
    let mut out: Vec<usize> = names.find_all(data).map(|(at, _)| at).collect();
    out.extend(GET_TOKEN_WORD.find_iter(data));
    out.sort_unstable();
    out
}

/// Collects hits for one file.
struct Hits<'a> {
    lines: &'a [Line<'a>],
    out: Vec<PracticeHit>,
}

impl Hits<'_> {
    /// Records a hit, unless the rule already has one on this line; returns it so the caller
    /// can add what only its rule knows.
    fn push(
        &mut self,
        rule: &'static str,
        i: usize,
        column: usize,
        variable: &str,
        detail: &str,
    ) -> Option<&mut PracticeHit> {
        // One hit a rule and line; HF014 one a secret (a line may hand over two).
        if self.out.iter().any(|h| {
            h.rule == rule
                && h.line == self.lines[i].number
                && (rule != "HF014" || h.detail == detail)
        }) {
            return None;
        }
        let line = &self.lines[i];
        let column = column + line.shift;
        let mut snippet: String =
            crate::output::escape(crate::output::redact_lossy(line.raw).trim()).into_owned();
        if snippet.chars().count() > SNIPPET_WIDTH {
            snippet = snippet.chars().take(SNIPPET_WIDTH).collect::<String>() + "…";
        }
        let allow = parse_allow(line.raw).or_else(|| {
            i.checked_sub(1)
                .and_then(|p| parse_allow(self.lines[p].raw))
        });
        self.out.push(PracticeHit {
            rule,
            variable: variable.to_owned(),
            detail: detail.to_owned(),
            line: line.number,
            column: column as u64 + 1,
            offset: (line.offset + column.min(line.raw.len())) as u64,
            snippet,
            allow,
            secret: None,
            steps: Vec::new(),
            on_command_line: false,
            origin: None,
            token_file: None,
        });
        self.out.last_mut()
    }
}

/// Files whose habits show without a token variable's name, so worth the practice rules' look
/// even when they name none: a GitHub workflow that hands over a secret (`secrets.` anywhere:
/// the secret may be named anything), and a Dockerfile (it may copy a token file). Every file
/// with nothing else to look at comes here, so the path is looked at first, cheaply.
pub fn worth_a_look(path: &str, data: &[u8]) -> bool {
    let bytes = path.as_bytes();
    let name = match memchr::memrchr(b'/', bytes) {
        Some(at) => &bytes[at + 1..],
        None => bytes,
    };
    let yaml = name.ends_with(b".yml") || name.ends_with(b".yaml");
    if yaml {
        return memchr::memmem::find(bytes, b".github/workflows/").is_some()
            && memchr::memmem::find(data, b"secrets.").is_some();
    }
    let lower = |n: &[u8], p: &[u8]| n.len() >= p.len() && n[..p.len()].eq_ignore_ascii_case(p);
    lower(name, b"dockerfile")
        || lower(name, b"containerfile")
        || (name.len() > 11 && name[name.len() - 11..].eq_ignore_ascii_case(b".dockerfile"))
}

/// The built-in Hub call lists, for [`find`].
static BUILTIN_CALLS: LazyLock<CallLists> = LazyLock::new(CallLists::builtin);

/// The habits of HF013, HF014 and HF015 in one file, with the built-in Hub call lists.
/// `names` are the token variables.
pub fn find(path: &str, platform: Platform, data: &[u8], words: &Words) -> Vec<PracticeHit> {
    find_with(path, platform, data, words, &BUILTIN_CALLS)
}

/// The habits of HF013, HF014 and HF015 in one file. Pure: the file's path, platform, bytes,
/// the token variables and the Hub call lists in, hits out. A git mode can run it on the whole
/// file as it is after a change and keep the hits on the lines the change adds; HF014's hits
/// name the scripts their steps run, which the judge reads from the other files' facts.
pub fn find_with(
    path: &str,
    platform: Platform,
    data: &[u8],
    words: &Words,
    calls: &CallLists,
) -> Vec<PracticeHit> {
    let Some(kind) = kind_of(path, platform, data) else {
        return Vec::new();
    };
    let names: HashSet<&str> = words.as_slice().iter().map(String::as_str).collect();
    let lines = lines(data, kind == Kind::Notebook, &mention_offsets(data, words));
    let mut hits = Hits {
        lines: &lines,
        out: Vec::new(),
    };
    match kind {
        Kind::Dockerfile => {
            dockerfile(&mut hits, &names);
            token_files(&mut hits, &names);
            shell(&mut hits, &names);
        }
        Kind::Compose => {
            yaml_build_args(
                &mut hits,
                &names,
                "args",
                Some("build"),
                "compose `build.args`",
            );
            shell(&mut hits, &names);
        }
        Kind::Workflow => {
            yaml_build_args(
                &mut hits,
                &names,
                "build-args",
                None,
                "`build-args` of a CI step",
            );
            workflow_secrets(&mut hits, &names, calls);
            workflow_token_files(&mut hits, &names);
            workflow_published(&mut hits, &names);
            shell(&mut hits, &names);
        }
        Kind::Bake => bake_args(&mut hits, &names),
        Kind::Python | Kind::Notebook | Kind::JavaScript => code_prints(&mut hits, &names),
        Kind::Shell => shell(&mut hits, &names),
    }
    // A Dockerfile builds no image itself: a `--build-arg` there is in a message.
    if !matches!(
        kind,
        Kind::Python | Kind::Notebook | Kind::JavaScript | Kind::Dockerfile
    ) {
        build_arg_flags(&mut hits, &names);
    }
    let mut out = hits.out;
    out.sort_by(|a, b| (a.line, a.rule).cmp(&(b.line, b.rule)));
    out
}

/// The report path of a script a workflow's step runs: `script` is relative to the repository
/// root, the folder holding `.github/`, which is where `workflow` (a report path) sits. `None`
/// when `workflow` is not under `.github/workflows/`.
pub fn script_path(workflow: &str, script: &str) -> Option<String> {
    let root = if workflow.starts_with(".github/workflows/") {
        ""
    } else {
        let at = workflow.rfind("/.github/workflows/")?;
        &workflow[..=at]
    };
    Some(format!("{root}{script}"))
}

/// Whether a token variable is `name` (environment variable names are case-sensitive, but an
/// action input such as `hf_token` names the same thing).
fn is_token_var(names: &HashSet<&str>, name: &str) -> bool {
    names.contains(name) || names.contains(name.to_ascii_uppercase().as_str())
}

// ---------------------------------------------------------------------------------------------
// HF013: image builds

static DOCKER_ARG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*ARG\s+(.+)$").expect("static regex"));
static DOCKER_ENV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*ENV\s+(.+)$").expect("static regex"));
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*").expect("static regex"));
static EXPANSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=?]?[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
        .expect("static regex")
});
static BUILD_ARG_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"--build-arg(?:=|\s+)["']?([A-Za-z_][A-Za-z0-9_]*)"#).expect("static regex")
});

static SECRET_MOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"--mount=type=secret,([^\s]+)").expect("static regex"));

/// `ARG HF_TOKEN` (its value ends up in the image's history), and `ENV X=$HF_TOKEN` from such a
/// build argument (in the image's configuration, for anyone who pulls it). A Dockerfile that
/// mounts the token as a build secret (`RUN --mount=type=secret,id=HF_TOKEN`) builds the
/// recommended way: an `ARG` of the same name there is a leftover, not how the token comes in.
fn dockerfile(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    let mounted: HashSet<String> = hits
        .lines
        .iter()
        .flat_map(|l| SECRET_MOUNT.captures_iter(&l.text).collect::<Vec<_>>())
        .flat_map(|c| {
            c.get(1)
                .expect("group 1")
                .as_str()
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| matches!(*k, "id" | "env"))
                .map(|(_, v)| v.to_ascii_uppercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let names: HashSet<&str> = names
        .iter()
        .copied()
        .filter(|n| !mounted.contains(&n.to_ascii_uppercase()))
        .collect();
    let names = &names;
    let mut args: HashSet<String> = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let text: &str = &line.text;
        if let Some(c) = DOCKER_ARG.captures(text) {
            let list = c.get(1).expect("group 1");
            for word in list.as_str().split_whitespace() {
                let Some(name) = IDENT.find(word) else { break };
                args.insert(name.as_str().to_owned());
                if names.contains(name.as_str()) {
                    hits.push(
                        "HF013",
                        i,
                        list.start(),
                        name.as_str(),
                        "`ARG` in a Dockerfile",
                    );
                }
            }
        } else if let Some(c) = DOCKER_ENV.captures(text) {
            let value = c.get(1).expect("group 1");
            for e in EXPANSION.captures_iter(value.as_str()) {
                let var = e.get(1).or_else(|| e.get(3)).expect("one name group");
                if names.contains(var.as_str()) && args.contains(var.as_str()) {
                    hits.push(
                        "HF013",
                        i,
                        value.start(),
                        var.as_str(),
                        "`ENV` from a build argument in a Dockerfile",
                    );
                }
            }
        }
    }
}

static DOCKER_COPY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(COPY|ADD)\s+(.+)$").expect("static regex"));
static DOCKER_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(RUN|CMD|ENTRYPOINT)\s+(.+)$").expect("static regex"));

/// Whether a file name is a token's (`hf_token`, `.hf_token`, `token.txt`, `HF_TOKEN`, the
/// saved-token file `huggingface/token`).
fn is_token_file(path: &str, names: &HashSet<&str>) -> bool {
    let path = path.trim_matches(|c| c == '"' || c == '\'' || c == ',' || c == '[' || c == ']');
    if path.ends_with("huggingface/token") {
        return true;
    }
    let base = path.rsplit('/').next().unwrap_or(path);
    let base = base.strip_prefix('.').unwrap_or(base);
    let stem = [".txt", ".secret", ".key"]
        .iter()
        .find_map(|e| base.strip_suffix(e))
        .unwrap_or(base);
    let lower = stem.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "token"
            | "hf_token"
            | "hf-token"
            | "hftoken"
            | "hub_token"
            | "huggingface_token"
            | "huggingface-token"
            | "hf_api_token"
            | "hf_hub_token"
    ) || names.contains(stem.to_ascii_uppercase().as_str())
}

/// The files a command line reads, and whether each read feeds a token to something: `cat F
/// | xargs hf auth login --token`, `--token "$(cat F)"`, `HF_TOKEN=$(< F)`, `--token-file F`.
fn token_file_reads(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let words: Vec<(usize, &str)> = text
        .split_inclusive(|c: char| {
            c.is_whitespace() || c == '(' || c == ')' || c == '`' || c == ';'
        })
        .scan(0, |at, w| {
            let start = *at;
            *at += w.len();
            Some((start, w))
        })
        .map(|(start, w)| {
            let t = w.trim_end_matches(|c: char| {
                c.is_whitespace() || c == '(' || c == ')' || c == '`' || c == ';'
            });
            (start, t)
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    for (k, &(at, w)) in words.iter().enumerate() {
        let next = words.get(k + 1).map(|x| x.1);
        let (file, direct) = match w {
            "--token-file" | "--token_file" | "--token-path" => (next, true),
            w if w.starts_with("--token-file=") => (w.split_once('=').map(|(_, v)| v), true),
            "cat" | "<" => (next, false),
            w if w.starts_with('<') && w.len() > 1 && !w.starts_with("<<") => {
                (Some(&w[1..]), false)
            }
            _ => (None, false),
        };
        let Some(file) = file else { continue };
        let file = file.trim_matches(|c| c == '"' || c == '\'');
        // What the read is part of: a pipe into a login, or a `$( … )` given to a token option.
        let before = text[..at]
            .trim_end()
            .trim_end_matches(['(', '$', '`', '"', '\''])
            .trim_end();
        let rest = &text[at..];
        let piped_to_login = rest.find('|').is_some_and(|p| {
            let tail = &rest[p..];
            let tail = &tail[..tail.find([';', '&']).unwrap_or(tail.len())];
            tail.contains("login") || tail.contains("--token")
        });
        let given = before.ends_with("--token")
            || before.ends_with("--token=")
            || before.ends_with("TOKEN=")
            || before.ends_with("token=");
        out.push((file, direct || piped_to_login || given));
    }
    out
}

/// A token file copied into the image: `COPY hf_token /root/.cache/huggingface/token`, or
/// `COPY .hf_token /tmp/t` then `RUN hf auth login --token "$(cat /tmp/t)"`, or `COPY . .` then
/// a `RUN` that reads a token file of the build context. The file stays in the `COPY`'s layer
/// even when a later layer deletes it; a build secret (`RUN --mount=type=secret`) never
/// enters one.
fn token_files(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    // (line, source, destination, named like a token file) of each COPY/ADD of the context.
    let mut copies: Vec<(usize, String, String, bool)> = Vec::new();
    // The first `COPY . DEST` (line, destination).
    let mut whole_context: Option<(usize, String)> = None;
    for (i, line) in lines.iter().enumerate() {
        let text: &str = &line.text;
        if let Some(c) = DOCKER_COPY.captures(text) {
            let args: Vec<&str> = c
                .get(2)
                .expect("group 2")
                .as_str()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(|ch: char| ch.is_whitespace() || ch == ',')
                .map(|w| w.trim_matches('"'))
                .filter(|w| !w.is_empty())
                .collect();
            if args.iter().any(|a| a.starts_with("--from")) {
                continue; // another stage's files, not the build context
            }
            let plain: Vec<&str> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
            let Some((dest, sources)) = plain.split_last() else {
                continue;
            };
            for src in sources {
                if matches!(*src, "." | "./" | "*") {
                    whole_context.get_or_insert((i, (*dest).to_owned()));
                    continue;
                }
                let token_named = is_token_file(src, names);
                let base = src.rsplit('/').next().unwrap_or(src);
                let dest = if dest.ends_with('/') || *dest == "." {
                    format!("{}/{base}", dest.trim_end_matches('/'))
                } else {
                    (*dest).to_owned()
                };
                if token_named && dest.ends_with("huggingface/token") {
                    let col = text.find(src).unwrap_or(0);
                    let detail = format!(
                        "`{}` copied to huggingface_hub's token file",
                        c.get(1).expect("group 1").as_str()
                    );
                    if let Some(hit) = hits.push("HF013", i, col, "", &detail) {
                        hit.token_file = Some((*src).to_owned());
                    }
                } else {
                    // Any copied file is a token file if a later line logs in from it.
                    copies.push((i, (*src).to_owned(), dest, token_named));
                }
            }
            continue;
        }
        let Some(c) = DOCKER_RUN.captures(text) else {
            continue;
        };
        let command = c.get(2).expect("group 2").as_str();
        if command.contains("type=secret") {
            continue;
        }
        for (read, feeds) in token_file_reads(command) {
            if read.starts_with("/run/secrets") {
                continue;
            }
            let base = read.rsplit('/').next().unwrap_or(read);
            let source = copies.iter().find(|(_, src, dest, _)| {
                let dest = dest.trim_start_matches("./");
                dest == read.trim_start_matches("./")
                    || dest.ends_with(&format!("/{base}"))
                    || (src.rsplit('/').next() == Some(base)
                        && dest.rsplit('/').next() == Some(base))
            });
            if let Some((at, src, _, named)) = source {
                if !named && !feeds {
                    continue;
                }
                let (at, src) = (*at, src.clone());
                let detail = format!("`COPY` of a token file, read at line {}", lines[i].number);
                let col = lines[at].text.find(src.as_str()).unwrap_or(0);
                if let Some(hit) = hits.push("HF013", at, col, "", &detail) {
                    hit.token_file = Some(src);
                }
            } else if let Some((at, _)) = whole_context.as_ref().filter(|(_, dest)| {
                let dest = format!("{}/", dest.trim_end_matches('/'));
                is_token_file(read, names)
                    && (!read.starts_with('/') || read.starts_with(&dest))
                    && !read.starts_with('$')
                    && !read.starts_with('~')
            }) {
                let at = *at;
                let detail = format!(
                    "a token file of the build context, copied into the image at line {}",
                    lines[at].number
                );
                let col = text.find(read).unwrap_or(0);
                if let Some(hit) = hits.push("HF013", i, col, "", &detail) {
                    hit.token_file = Some(read.to_owned());
                }
            }
        }
    }
}

static HCL_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=\s*(.*)$"#).expect("static regex")
});

/// `args = { HF_TOKEN = "${HF_TOKEN}" }` in a Buildx Bake target: build arguments, recorded in
/// the image like `--build-arg`.
fn bake_args(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    let mut depth_in_args: Option<usize> = None;
    let mut depth = 0usize;
    for (i, line) in lines.iter().enumerate() {
        let text: &str = &line.text;
        let code = text.split("//").next().unwrap_or(text);
        let code = code.split(" #").next().unwrap_or(code);
        if code.trim_start().starts_with('#') {
            continue;
        }
        if let Some(c) = HCL_ASSIGN.captures(code) {
            let (key, value) = (c.get(1).expect("group 1"), c.get(2).expect("group 2"));
            if depth_in_args.is_none()
                && key.as_str() == "args"
                && value.as_str().trim_start().starts_with('{')
            {
                depth_in_args = Some(depth);
            } else if depth_in_args.is_some() && names.contains(key.as_str()) {
                hits.push(
                    "HF013",
                    i,
                    key.start(),
                    key.as_str(),
                    "`args` of a docker-bake target",
                );
            }
        }
        for ch in code.chars() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth_in_args == Some(depth) {
                        depth_in_args = None;
                    }
                }
                _ => {}
            }
        }
    }
}

/// `docker build --build-arg HF_TOKEN=…` in a script, a Makefile or a CI step; not in a
/// message that tells how to build (`echo "… --build-arg HF_TOKEN=your_token"`).
fn build_arg_flags(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    for (i, line) in lines.iter().enumerate() {
        if !line.mentions {
            continue; // the flag names a token variable on its line
        }
        let text: &str = &line.text;
        for c in BUILD_ARG_FLAG.captures_iter(text) {
            let name = c.get(1).expect("group 1");
            let start = c.get(0).expect("whole match").start();
            let command_start = text[..start].rfind([';', '&', '|']).map_or(0, |p| p + 1);
            if SHELL_PRINT.is_match(&text[command_start..start]) {
                continue;
            }
            if names.contains(name.as_str()) {
                hits.push("HF013", i, name.start(), name.as_str(), "`--build-arg`");
            }
        }
    }
}

fn indent(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// The YAML key of a line (`  build:` → `build`), if it is a key line.
fn yaml_key(text: &str) -> Option<(&str, &str)> {
    let t = text.trim_start().trim_start_matches("- ");
    let (key, rest) = t.split_once(':')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.contains(' ')).then_some((key, rest.trim()))
}

/// Compose `build: args:` and a CI step's `build-args:` (docker/build-push-action): entries
/// such as `- HF_TOKEN`, `HF_TOKEN: ${HF_TOKEN}`, `HF_TOKEN=${{ secrets.HF_TOKEN }}`.
fn yaml_build_args(
    hits: &mut Hits<'_>,
    names: &HashSet<&str>,
    key_name: &str,
    parent: Option<&str>,
    detail: &str,
) {
    let lines = hits.lines;
    for (i, line) in lines.iter().enumerate() {
        let Some((key, inline)) = yaml_key(&line.text) else {
            continue;
        };
        if key != key_name {
            continue;
        }
        let own = indent(&line.text);
        if let Some(parent) = parent {
            let up = lines[..i]
                .iter()
                .rev()
                .filter(|l| !l.text.trim().is_empty() && !l.text.trim_start().starts_with('#'))
                .find(|l| indent(&l.text) < own);
            if up.and_then(|l| yaml_key(&l.text)).map(|(k, _)| k) != Some(parent) {
                continue;
            }
        }
        let mut entries: Vec<(usize, String)> = Vec::new();
        if !inline.is_empty() && !inline.starts_with('|') && !inline.starts_with('>') {
            let flow = inline.trim_matches(|c| c == '[' || c == ']' || c == '{' || c == '}');
            for part in flow.split(',') {
                entries.push((i, part.trim().to_owned()));
            }
        }
        for (j, l) in lines.iter().enumerate().skip(i + 1) {
            if l.text.trim().is_empty() {
                continue;
            }
            if indent(&l.text) <= own {
                break;
            }
            entries.push((j, l.text.trim().trim_start_matches("- ").to_owned()));
        }
        for (j, entry) in entries {
            let entry = entry.trim_matches(|c| c == '"' || c == '\'');
            let Some(name) = IDENT.find(entry) else {
                continue;
            };
            let rest = entry[name.end()..].trim_start();
            let is_entry = rest.is_empty() || rest.starts_with('=') || rest.starts_with(':');
            if is_entry && names.contains(name.as_str()) {
                let col = lines[j].text.find(name.as_str()).unwrap_or(0);
                hits.push("HF013", j, col, name.as_str(), detail);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HF014: stored secrets in GitHub workflows

static SECRET_INTO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:-\s*)?["']?([A-Za-z_][A-Za-z0-9_-]*)["']?\s*:\s*["']?\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}"#,
    )
    .expect("static regex")
});

/// A stored secret handed to a token variable (`HF_TOKEN: ${{ secrets.X }}` in an `env:`, a
/// `with:` or a reusable workflow's `secrets:`, `${{ secrets.HF_TOKEN }}` on a `run:` line) in a
/// job that does not use OIDC already. Each hit carries the steps the secret reaches; whether they write is judged later,
/// per step, from their own lines and the scripts they run. The variable recorded is the one
/// the secret is handed to, when it is a token variable, else the secret's name.
fn workflow_secrets(hits: &mut Hits<'_>, names: &HashSet<&str>, calls: &CallLists) {
    // huggingface_hub exchanges the workflow's OIDC token when this is set: the workflow uses
    // Trusted Publishers already. `id-token: write` is judged per job (in `workflow`): a job
    // that publishes to PyPI through OIDC says nothing of another that uploads with a secret.
    if hits
        .lines
        .iter()
        .any(|l| l.text.contains("HF_OIDC_RESOURCE"))
    {
        return;
    }
    for h in workflow::handoffs(hits.lines, &|n| is_token_var(names, n), calls) {
        let variable = match &h.key {
            Some(key) if is_token_var(names, key) => key.to_ascii_uppercase(),
            _ => h.secret.clone(),
        };
        let detail = format!("secrets.{}", h.secret);
        if let Some(hit) = hits.push("HF014", h.line, h.column, &variable, &detail) {
            hit.secret = Some(h.secret);
            hit.steps = h.reach;
            hit.on_command_line = h.key.is_none();
        }
    }
}

/// A workflow job that writes a token variable to a file and then builds an image from the
/// folder holding it: the file is in the build context, and a `COPY` puts it in a layer, where
/// it stays even when a later layer deletes it.
fn workflow_token_files(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    for f in workflow::token_files(hits.lines, &|n| is_token_var(names, n)) {
        let detail = format!(
            "written to `{}` in the build context of {} at line {}",
            f.file, f.build, f.build_line
        );
        if let Some(hit) = hits.push("HF013", f.line, f.column, &f.variable, &detail) {
            hit.token_file = Some(f.file);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HF015: printing

/// A workflow job that writes a token variable to a file it then publishes (GitHub Pages, an
/// artifact): a print to everyone who can open the page or the download.
fn workflow_published(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    for p in workflow::published_files(hits.lines, &|n| is_token_var(names, n)) {
        let verb = if p.verb == ">" {
            "a redirect".to_owned()
        } else {
            format!("`{}`", p.verb)
        };
        let detail = format!(
            "{verb} into `{}`, which `{}` publishes at line {}",
            p.file, p.action, p.action_line
        );
        if let Some(hit) = hits.push("HF015", p.line, p.column, &p.variable, &detail) {
            hit.token_file = Some(p.file);
        }
    }
}

static SHELL_PRINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s;&|({`@])(echo|printf)(?:\s|$)").expect("static regex"));
static SET_X: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s;&])(?:set\s+-[A-Za-z]*x[A-Za-z]*\b|set\s+-o\s+xtrace\b|(?:ba|z|k)?sh\s+-[A-Za-z]*x[A-Za-z]*\b)")
        .expect("static regex")
});
/// `${{ secrets.X }}` and `${{ env.X }}` in a workflow.
static ACTIONS_EXPR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\{\s*(?:secrets|env)\.([A-Za-z0-9_]+)\s*\}\}").expect("static regex")
});
/// `$(X)` in a Makefile.
static MAKE_VAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\$?\(([A-Za-z_][A-Za-z0-9_]*)\)").expect("static regex"));

/// The token variables a piece of shell text expands (`$X`, `${X}`, `$(X)`, `${{ secrets.X }}`);
/// `${X:+set}` and `${#X}` say whether it is set or how long it is, not what it is.
fn shell_expansions<'t>(text: &'t str, names: &HashSet<&str>) -> Vec<&'t str> {
    let mut out = Vec::new();
    for c in EXPANSION.captures_iter(text) {
        if let Some(m) = c.get(1) {
            let op = c.get(2).map_or("", |o| o.as_str());
            if op.starts_with(":+") || op.starts_with('+') {
                continue;
            }
            if names.contains(m.as_str()) {
                out.push(m.as_str());
            }
        } else if let Some(m) = c.get(3) {
            if names.contains(m.as_str()) {
                out.push(m.as_str());
            }
        }
    }
    for re in [&*ACTIONS_EXPR, &*MAKE_VAR] {
        for c in re.captures_iter(text) {
            let m = c.get(1).expect("group 1");
            if names.contains(m.as_str()) {
                out.push(m.as_str());
            }
        }
    }
    out
}

/// `echo $HF_TOKEN` (not into a pipe or a file: `echo "$HF_TOKEN" | hf auth login
/// --token-stdin` is how to pass it), and `set -x` in a script that expands a token variable.
fn shell(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    let first_use = lines.iter().filter(|l| l.mentions).find_map(|l| {
        shell_expansions(&l.text, names)
            .first()
            .map(|v| (*v).to_owned())
    });
    let Some(used) = first_use else { return };
    for (i, line) in lines.iter().enumerate() {
        let text: &str = &line.text;
        let code = text.split(" #").next().unwrap_or(text);
        if code.trim_start().starts_with('#') {
            continue;
        }
        // Every `set -x` form has a `-`; an `echo` is only a hit if it expands a token
        // variable, whose name is then on the line.
        let set_x = memchr::memchr(b'-', code.as_bytes()).and_then(|_| SET_X.find(code));
        if let Some(m) = set_x {
            hits.push(
                "HF015",
                i,
                m.start(),
                &used,
                "`set -x` traces every command, with the variable's value",
            );
        }
        if !line.mentions {
            continue;
        }
        if let Some((column, var, verb)) = shell_print(code, names) {
            hits.push("HF015", i, column, &var, &format!("`{verb}`"));
        }
        if let Some((column, var, verb)) = exec_form_print(code, names) {
            hits.push(
                "HF015",
                i,
                column,
                &var,
                &format!("`{verb}` in an exec-form shell"),
            );
        }
    }
}

/// Where a command of `code` ends: the first `;`, `&&`, `||` or backquote outside quotes.
fn command_end(args: &str) -> usize {
    let mut quote: Option<char> = None;
    let bytes = args.as_bytes();
    for (k, &b) in bytes.iter().enumerate() {
        let c = b as char;
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ';' || c == '`' => return k,
            None if (c == '&' || c == '|') && bytes.get(k + 1) == Some(&b) => return k,
            _ => {}
        }
    }
    args.len()
}

/// Where the printed text of a command stops: a pipe or a redirect outside quotes.
fn output_split(command: &str) -> usize {
    let mut quote: Option<char> = None;
    for (k, c) in command.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '|' || c == '>' => return k,
            _ => {}
        }
    }
    command.len()
}

/// `echo $HF_TOKEN` in one line of shell: (column, variable, `echo`/`printf`). A pipe or a
/// redirect to a file sends the value somewhere other than the log.
fn shell_print(code: &str, names: &HashSet<&str>) -> Option<(usize, String, &'static str)> {
    for c in SHELL_PRINT.captures_iter(code) {
        let verb = c.get(1).expect("group 1");
        let args = &code[verb.end()..];
        let command = &args[..command_end(args)];
        let split = output_split(command);
        let (printed, tail) = (&command[..split], &command[split..]);
        let to_log = tail.is_empty()
            || tail.starts_with(">&2")
            || tail.starts_with(">&1")
            || tail.starts_with("> /dev/stderr")
            || tail.starts_with(">/dev/stderr");
        if !to_log {
            continue;
        }
        if let Some(var) = shell_expansions(printed, names).first() {
            let verb = if verb.as_str() == "echo" {
                "echo"
            } else {
                "printf"
            };
            return Some((c.get(1).expect("group 1").start(), (*var).to_owned(), verb));
        }
    }
    None
}

static EXEC_FORM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:CMD|ENTRYPOINT|RUN)\s*(\[.*\])\s*$").expect("static regex")
});

/// `CMD ["sh", "-c", "echo … $HF_TOKEN"]`: an exec form that runs a shell, whose command
/// prints the variable.
fn exec_form_print(code: &str, names: &HashSet<&str>) -> Option<(usize, String, &'static str)> {
    let c = EXEC_FORM.captures(code)?;
    let list = c.get(1).expect("group 1");
    let args: Vec<String> = serde_json::from_str(list.as_str()).ok()?;
    let shell = args.first()?.rsplit('/').next()?;
    if !matches!(shell, "sh" | "bash" | "zsh" | "dash" | "ash") {
        return None;
    }
    let at = args
        .iter()
        .position(|a| a.starts_with('-') && a.contains('c'))?;
    let command = args.get(at + 1)?;
    let (_, var, verb) = shell_print(command, names)?;
    Some((list.start(), var, verb))
}

static PRINT_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\w.])(print|pprint|(?:logger|logging|log|LOGGER|_logger)\.(?:debug|info|warning|warn|error|critical|exception|log)|sys\.(?:stdout|stderr)\.write|console\.(?:log|info|warn|error|debug)|st\.(?:write|text|code|markdown))\s*\(",
    )
    .expect("static regex")
});
static PY_ENV_READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:environ\s*\[\s*|environ\.get\s*\(\s*|getenv\s*\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']"#,
    )
    .expect("static regex")
});
static JS_ENV_READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\])"#,
    )
    .expect("static regex")
});
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:const|let|var)\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=[^=](.*)$")
        .expect("static regex")
});
/// huggingface_hub's own ways to get the saved token.
static GET_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bget_token\s*\(\s*\)").expect("static regex"));
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").expect("static regex"));

/// The argument text of a call whose `(` is at `open`, up to its `)` (or the end of the line).
fn call_args(text: &str, open: usize) -> &str {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (k, ch) in text[open..].char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[open + 1..open + k];
                }
            }
            _ => {}
        }
    }
    &text[(open + 1).min(text.len())..]
}

/// Code in `args`: plain string literals removed, f-string and template `{…}` parts kept.
fn code_of(args: &str) -> String {
    let mut out = String::with_capacity(args.len());
    let chars: Vec<char> = args.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c == '"' || c == '\'' || c == '`' {
            let formatted = c == '`'
                || (k > 0 && matches!(chars[k - 1], 'f' | 'F'))
                || (k > 1
                    && matches!(chars[k - 1], 'r' | 'R')
                    && matches!(chars[k - 2], 'f' | 'F'));
            let mut j = k + 1;
            let mut depth = 0usize;
            // A string literal inside a `{…}` part (`{os.environ['HF_TOKEN']}`) is no code.
            let mut inner: Option<char> = None;
            while j < chars.len() && !(chars[j] == c && depth == 0 && inner.is_none()) {
                let ch = chars[j];
                if let Some(q) = inner {
                    if ch == q {
                        inner = None;
                    }
                    out.push(' ');
                } else if formatted && ch == '{' {
                    depth += 1;
                    out.push(' ');
                } else if formatted && ch == '}' {
                    depth = depth.saturating_sub(1);
                    out.push(' ');
                } else if depth > 0 && (ch == '"' || ch == '\'') && ch != c {
                    inner = Some(ch);
                    out.push(' ');
                } else if depth > 0 {
                    out.push(ch);
                }
                j += 1;
            }
            out.push(' ');
            k = j + 1;
        } else {
            out.push(c);
            k += 1;
        }
    }
    out
}

/// Whether `text` ends with `word` as a whole word.
fn ends_with_word(text: &str, word: &str) -> bool {
    text.strip_suffix(word).is_some_and(|b| {
        b.chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_')
    })
}

/// Whether the use of a value at `at..at + len` in `code` shows it: not `bool(x)`, `len(x)`,
/// `x is None`, `x is not None`, `"set" if x else …`, `x[:8]` (a part of a token is not the
/// token: hfaudit's own redaction shows as much).
fn reveals(code: &str, at: usize, len: usize) -> bool {
    let before = code[..at].trim_end();
    let after = code[at + len..].trim_start();
    let wrapped = [
        "bool(",
        "len(",
        "type(",
        "isinstance(",
        "hash(",
        "id(",
        "Boolean(",
        "!!",
        "!",
    ]
    .iter()
    .any(|f| before.ends_with(f));
    let tested = ends_with_word(before, "not")
        || ends_with_word(before, "if")
        || ends_with_word(before, "elif")
        || ends_with_word(before, "and")
        || before.ends_with("&&");
    let compared = [
        "is None",
        "is not None",
        "in ",
        "==",
        "!=",
        "and ",
        "&&",
        "?",
        "[",
        ".startswith(",
        ".endswith(",
        ".startsWith(",
        ".endsWith(",
        ".length",
        ".slice(",
        ".substring(",
        ".substr(",
    ]
    .iter()
    .any(|p| after.starts_with(p));
    !(wrapped || tested || compared)
}

/// Token-variable reads in `text` (`os.environ["X"]`, `os.getenv("X", "")`,
/// `process.env.X`): (variable, start, end) of each whole expression.
fn env_read_spans<'t>(text: &'t str, names: &HashSet<&str>) -> Vec<(&'t str, usize, usize)> {
    let mut out = Vec::new();
    let widen = |start: usize| {
        text[..start]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.')
            .last()
            .map_or(start, |(i, _)| i)
    };
    for c in PY_ENV_READ.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if !names.contains(m.as_str()) {
            continue;
        }
        let whole = c.get(0).expect("whole match");
        let rest = &text[whole.end()..];
        let close = if whole.as_str().contains('[') {
            ']'
        } else {
            ')'
        };
        let mut depth = 0usize;
        let mut end = text.len();
        for (k, ch) in rest.char_indices() {
            match ch {
                '(' | '[' => depth += 1,
                ')' | ']' if depth > 0 => depth -= 1,
                ch if ch == close => {
                    end = whole.end() + k + 1;
                    break;
                }
                _ => {}
            }
        }
        out.push((m.as_str(), widen(whole.start()), end));
    }
    for c in JS_ENV_READ.captures_iter(text) {
        let m = c.get(1).or_else(|| c.get(2)).expect("one name group");
        if names.contains(m.as_str()) {
            let whole = c.get(0).expect("whole match");
            out.push((m.as_str(), widen(whole.start()), whole.end()));
        }
    }
    out.sort_by_key(|r| r.1);
    out
}

/// A name that holds a token: the variable it was read from, or the call that read it.
struct Holder {
    name: String,
    /// The token variable it was read from, or `None` for `get_token()`.
    variable: Option<String>,
    /// "read by `get_token()`".
    origin: Option<String>,
}

/// `print(os.environ["HF_TOKEN"])`, `print(token)` where `token` was read from a token
/// variable (or by `get_token()`) earlier in the file, `logger.info(f"… {token}")`,
/// `console.log(process.env.X)`.
fn code_prints(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    let mut holders: Vec<Holder> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // Without a token variable's name on the line and no name holding one yet, neither a
        // print nor an assignment here can matter.
        if holders.is_empty() && !line.mentions {
            continue;
        }
        let text: &str = &line.text;
        let bare = text.trim_start();
        if bare.starts_with('#') || bare.starts_with("//") {
            continue;
        }
        for c in PRINT_CALL.captures_iter(text) {
            let call = c.get(1).expect("group 1");
            let open = c.get(0).expect("whole match").end() - 1;
            let raw = call_args(text, open);
            let code = code_of(raw);
            // (variable, origin)
            let mut found: Option<(String, Option<String>)> = env_read_spans(raw, names)
                .into_iter()
                .find(|(_, start, end)| reveals(raw, *start, end - start))
                .map(|(v, _, _)| (v.to_owned(), None));
            if found.is_none() {
                for w in WORD.find_iter(&code) {
                    if let Some(h) = holders.iter().find(|h| h.name == w.as_str()) {
                        if reveals(&code, w.start(), w.len()) {
                            found = Some(match &h.variable {
                                Some(v) => (v.clone(), None),
                                None => (h.name.clone(), h.origin.clone()),
                            });
                            break;
                        }
                    }
                }
            }
            if let Some((var, origin)) = found {
                let what = format!("`{}`", call.as_str());
                if let Some(hit) = hits.push("HF015", i, call.start(), &var, &what) {
                    hit.origin = origin;
                }
            }
        }
        if let Some(c) = ASSIGN.captures(text) {
            let (name, value) = (c.get(1).expect("group 1"), c.get(2).expect("group 2"));
            // Only a name that holds the value itself: `client = InferenceClient(token=…)`
            // reads the variable too, but printing the client prints no token.
            let value = value.as_str().trim_start();
            let is_read = [
                "os.environ",
                "environ",
                "os.getenv",
                "getenv",
                "process.env",
                "get_token",
                "HfFolder.get_token",
                "huggingface_hub.get_token",
            ]
            .iter()
            .any(|p| value.starts_with(p));
            holders.retain(|h| h.name != name.as_str());
            if !is_read {
                continue;
            }
            let read = env_read_spans(value, names).into_iter().next();
            let holder = match read {
                // `token = os.environ["HF_TOKEN"][:8]` holds a part, `x = bool(…)` no token.
                Some((v, start, end)) if reveals(value, start, end - start) => Some(Holder {
                    name: name.as_str().to_owned(),
                    variable: Some(v.to_owned()),
                    origin: None,
                }),
                Some(_) => None,
                None => GET_TOKEN.find(value).map(|m| {
                    let callee = value[..m.end()].trim();
                    Holder {
                        name: name.as_str().to_owned(),
                        variable: None,
                        origin: Some(format!("read by `{callee}`")),
                    }
                }),
            };
            holders.extend(holder);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::platform_of;
    use crate::engine::env_names;

    fn rules(path: &str, text: &str) -> Vec<(&'static str, u64, String)> {
        find(path, platform_of(path), text.as_bytes(), &env_names(&[]))
            .into_iter()
            .map(|h| (h.rule, h.line, h.variable))
            .collect()
    }

    fn fires(path: &str, text: &str, rule: &str) -> bool {
        rules(path, text).iter().any(|(r, _, _)| *r == rule)
    }

    #[test]
    fn image_builds() {
        let yes = [
            ("Dockerfile", "FROM python:3.12\nARG HF_TOKEN\nRUN python download.py\n"),
            ("docker/Dockerfile.gpu", "ARG HUGGING_FACE_HUB_TOKEN=\n"),
            ("app.dockerfile", "arg HF_TOKEN\n"),
            ("build.sh", "docker build --build-arg HF_TOKEN=$HF_TOKEN -t app .\n"),
            ("Makefile", "image:\n\tdocker build --build-arg=HUGGINGFACEHUB_API_TOKEN .\n"),
            (
                "docker-compose.yml",
                "services:\n  app:\n    build:\n      context: .\n      args:\n        - HF_TOKEN=${HF_TOKEN}\n",
            ),
            (
                "compose.yaml",
                "services:\n  app:\n    build:\n      args:\n        HF_TOKEN: ${HF_TOKEN}\n",
            ),
            (
                ".github/workflows/image.yml",
                "    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          build-args: |\n            HF_TOKEN=${{ secrets.HF_TOKEN }}\n",
            ),
            (
                "docker-bake.hcl",
                "target \"app\" {\n  args = {\n    MODEL = \"x\"\n    HF_TOKEN = \"${HF_TOKEN}\"\n  }\n}\n",
            ),
        ];
        for (path, text) in yes {
            assert!(fires(path, text, "HF013"), "{path}: {text}");
        }
        let no = [
            ("Dockerfile", "ARG HF_HOME=/data\nENV HF_HOME=$HF_HOME\n"),
            (
                "Dockerfile",
                "RUN --mount=type=secret,id=HF_TOKEN,env=HF_TOKEN python download.py\n",
            ),
            ("Dockerfile", "ENV HF_TOKEN_PATH=/run/secrets/hf\nENV HF_TOKEN=$HF_TOKEN\n"),
            (
                "Dockerfile",
                "ARG HF_TOKEN\nRUN --mount=type=secret,id=hf_token HF_TOKEN=$(cat /run/secrets/hf_token) python x.py\n",
            ),
            ("build.sh", "docker build --secret id=HF_TOKEN,env=HF_TOKEN --build-arg MODEL=x .\n"),
            (
                "docker-compose.yml",
                "services:\n  app:\n    build: .\n    environment:\n      HF_TOKEN: ${HF_TOKEN}\n    args:\n      - HF_TOKEN\n",
            ),
            ("docs/build.md", "docker build --build-arg HF_TOKEN=$HF_TOKEN .\n"),
            ("src/cli.rs", "// docker build --build-arg HF_TOKEN=$HF_TOKEN .\n"),
            ("config.toml", "cmd = \"docker build --build-arg HF_TOKEN .\"\n"),
            (
                "docker-bake.hcl",
                "variable \"HF_TOKEN\" {\n  default = \"\"\n}\ntarget \"app\" {\n  args = { MODEL = \"x\" }\n  secret = [\"id=HF_TOKEN,env=HF_TOKEN\"]\n}\n",
            ),
            ("download.py", "# docker build --build-arg HF_TOKEN\n"),
            (
                "Dockerfile",
                "ARG X\nRUN echo \"Please provide it using: --build-arg HF_TOKEN=your_token\"\n",
            ),
            ("build.sh", "echo 'use --build-arg HF_TOKEN=...'\n"),
        ];
        for (path, text) in no {
            assert!(!fires(path, text, "HF013"), "{path}: {text}");
        }
        let both = rules("Dockerfile", "ARG HF_TOKEN\nENV HF_TOKEN=${HF_TOKEN}\n");
        assert_eq!(
            both,
            [
                ("HF013", 1, "HF_TOKEN".to_owned()),
                ("HF013", 2, "HF_TOKEN".to_owned())
            ]
        );
    }

    fn hits(path: &str, text: &str) -> Vec<PracticeHit> {
        find(path, platform_of(path), text.as_bytes(), &env_names(&[]))
    }

    /// (job, step name, write calls, script paths) of the steps an HF014 hit reaches.
    fn reach(hit: &PracticeHit) -> Vec<(String, String, Vec<String>, Vec<String>)> {
        hit.steps
            .iter()
            .map(|s| {
                (
                    s.job.clone(),
                    s.name.clone(),
                    s.calls
                        .iter()
                        .filter(|c| c.write)
                        .map(|c| format!("{}@{}", c.call, c.line))
                        .collect(),
                    s.scripts.iter().flat_map(|x| x.paths.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn workflow_steps_a_secret_reaches() {
        let wf = ".github/workflows/ci.yml";
        // A step's env reaches that step only; a test runner there calls nothing.
        let text = "jobs:
  tests:
    runs-on: ubuntu-latest
    steps:
      - name: Tests
        env:
          HF_TOKEN: ${{ secrets.HUB_READ_TOKEN }}
        run: |
          pytest -k push_to_hub tests/
          make test
      - name: Push results
        env:
          HF_TOKEN: ${{ secrets.BOT_TOKEN }}
        run: |
          cd benchmarks && python push_results.py
          hf upload org/results ./out
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].secret.as_deref(), Some("HUB_READ_TOKEN"));
        assert_eq!(
            reach(&got[0]),
            [("tests".into(), "Tests".into(), vec![], vec![])]
        );
        assert_eq!(
            reach(&got[1]),
            [(
                "tests".into(),
                "Push results".into(),
                vec!["hf upload@16".into()],
                vec!["benchmarks/push_results.py".into()]
            )]
        );
        // A workflow's env reaches every job; a job's env its steps.
        let text = "env:
  HF_TOKEN: ${{ secrets.HF_TOKEN }}
jobs:
  a:
    steps:
      - run: python -m tools.push --repo x
  b:
    env:
      HUGGING_FACE_HUB_TOKEN: ${{ secrets.OTHER }}
    steps:
      - uses: actions/checkout@v4
      - run: ./scripts/deploy.sh
        working-directory: site
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 2, "{got:?}");
        let all: Vec<Vec<String>> = reach(&got[0]).into_iter().map(|r| r.3).collect();
        assert_eq!(
            all,
            [
                vec![
                    "tools/push.py".to_owned(),
                    "tools/push/__main__.py".to_owned()
                ],
                vec![],
                vec!["site/scripts/deploy.sh".to_owned()],
            ]
        );
        assert_eq!(got[1].variable, "HUGGING_FACE_HUB_TOKEN");
        assert_eq!(reach(&got[1]).len(), 2, "job b's two steps");
    }

    #[test]
    fn workflow_steps_that_store_the_token_reach_the_later_ones() {
        let wf = ".github/workflows/deploy.yml";
        let text = "jobs:
  deploy:
    steps:
      - name: Authenticate
        env:
          HF_TOKEN: ${{ secrets.SPACE_TOKEN }}
        run: printf 'machine huggingface.co\\nlogin hf\\npassword %s\\n' \"$HF_TOKEN\" >> ~/.netrc
      - name: Deploy
        run: |
          git remote add space https://huggingface.co/spaces/acme/demo
          git push -f space HEAD:main
          git push origin main
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 1, "{got:?}");
        let r = reach(&got[0]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[1].2,
            ["git push@11"],
            "the push to the Space, not to origin"
        );
        // Without the login, the secret stays in its own step.
        let text = text.replace(">> ~/.netrc", "");
        let got = hits(wf, &text);
        assert_eq!(reach(&got[0]).len(), 1);
    }

    #[test]
    fn workflow_oidc_is_per_job_and_known_writers_write() {
        let wf = ".github/workflows/release.yml";
        let text = "jobs:
  pypi:
    permissions:
      id-token: write
    steps:
      - run: hf upload acme/x .
        env:
          HF_TOKEN: ${{ secrets.A }}
  notes:
    steps:
      - run: hf cp notes.md hf://buckets/acme/r/notes.md
        env:
          HF_TOKEN: ${{ secrets.B }}
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 1, "only the job without OIDC: {got:?}");
        assert_eq!(got[0].secret.as_deref(), Some("B"));
        assert_eq!(reach(&got[0])[0].2, ["hf cp@11"]);
        let everywhere = format!("permissions:\n  id-token: write\n{text}");
        assert!(hits(wf, &everywhere).is_empty());
        // A reusable workflow known to upload (doc-builder's), given the token as a secret.
        let docs = "jobs:
  build:
    uses: huggingface/doc-builder/.github/workflows/build_main_documentation.yml@main
    with:
      package: acme
    secrets:
      hf_token: ${{ secrets.HF_DOC_BUILD_PUSH }}
  pr:
    uses: huggingface/doc-builder/.github/workflows/build_pr_documentation.yml@main
    secrets:
      hf_token: ${{ secrets.HF_DOC_BUILD_PUSH }}
";
        let got = hits(wf, docs);
        assert_eq!(got.len(), 2);
        assert_eq!(
            reach(&got[0])[0].2,
            ["uses: huggingface/doc-builder/.github/workflows/build_main_documentation.yml@3"]
        );
        assert!(
            reach(&got[1])[0].2.is_empty(),
            "building a PR's docs uploads nothing"
        );
    }

    #[test]
    fn workflow_secrets_on_command_lines() {
        let wf = ".github/workflows/deploy.yml";
        let text = "jobs:
  deploy:
    steps:
      - name: Upload demos
        run: |
          python scripts/upload_demos.py all_demos \\
            acme/demos \\
            ${{ secrets.SPACES_DEPLOY_TOKEN }} --notify ${{ secrets.SLACK_WEBHOOK_TOKEN }}
      - name: Export
        run: |
          export HF_TOKEN=${{ secrets.NEURON_HUB }}
          python export_models.py
      - name: Push
        run: git push https://${{ secrets.HF_USERNAME }}:${{ secrets.HF_TOKEN }}@huggingface.co/spaces/a/b main
";
        let got = hits(wf, text);
        let seen: Vec<(u64, &str, &str, bool)> = got
            .iter()
            .map(|h| {
                (
                    h.line,
                    h.secret.as_deref().unwrap(),
                    h.variable.as_str(),
                    h.on_command_line,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (8, "SPACES_DEPLOY_TOKEN", "SPACES_DEPLOY_TOKEN", true),
                (11, "NEURON_HUB", "HF_TOKEN", false),
                (14, "HF_TOKEN", "HF_TOKEN", true),
            ],
            "not Slack's, not a user name"
        );
        // An argument's secret is judged by that command only.
        assert_eq!(reach(&got[0])[0].3, ["scripts/upload_demos.py"]);
        assert_eq!(reach(&got[2])[0].2, ["git push@14"]);
    }

    #[test]
    fn workflow_git_pushes_to_the_hub_only() {
        let wf = ".github/workflows/x.yml";
        let cases = [
            (
                "git push https://u:$HF_TOKEN@huggingface.co/spaces/a/b main",
                true,
            ),
            (
                "git clone https://huggingface.co/spaces/a/b s && cd s && git push",
                true,
            ),
            ("git push origin main", false),
            ("git clone https://github.com/a/b && git push", false),
        ];
        for (run, write) in cases {
            let text = format!(
                "jobs:\n  j:\n    steps:\n      - run: {run}\n        env:\n          HF_TOKEN: ${{{{ secrets.HF_TOKEN }}}}\n"
            );
            let got = hits(wf, &text);
            let writes: Vec<String> = reach(&got[0]).into_iter().flat_map(|r| r.2).collect();
            assert_eq!(!writes.is_empty(), write, "{run}: {writes:?}");
        }
    }

    #[test]
    fn workflow_inline_secrets_and_script_paths() {
        let wf = "some/repo/.github/workflows/x.yml";
        let text = "jobs:
  j:
    steps:
      - run: huggingface-cli upload org/m . --token ${{ secrets.HF_TOKEN }}
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].line, got[0].variable.as_str()), (4, "HF_TOKEN"));
        assert_eq!(reach(&got[0])[0].2, ["huggingface-cli upload@4"]);
        assert_eq!(
            script_path(wf, "utils/push.py").as_deref(),
            Some("some/repo/utils/push.py")
        );
        assert_eq!(
            script_path(".github/workflows/a.yml", "push.py").as_deref(),
            Some("push.py")
        );
        assert_eq!(script_path("ci/a.yml", "push.py"), None);
    }

    #[test]
    fn workflow_token_files_and_published_files() {
        let wf = ".github/workflows/image.yml";
        let image = "jobs:
  build:
    steps:
      - run: echo ${{ secrets.HF_TOKEN }} > TOKEN_FILE
      - run: docker build . --tag acme/app
";
        let got: Vec<PracticeHit> = hits(wf, image)
            .into_iter()
            .filter(|h| h.rule == "HF013")
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].line, 4);
        assert_eq!(got[0].token_file.as_deref(), Some("TOKEN_FILE"));
        // Handed over as a build secret, or written outside the context: fine.
        for ok in [
            image.replace(
                "docker build .",
                "docker build --secret id=t,src=TOKEN_FILE .",
            ),
            image.replace("> TOKEN_FILE", "> $RUNNER_TEMP/t"),
            image.replace("docker build . --tag acme/app", "echo built"),
        ] {
            assert!(hits(wf, &ok).iter().all(|h| h.rule != "HF013"), "{ok}");
        }
        let pages = "jobs:
  deploy:
    steps:
      - run: echo \"window.KEY = '${{ secrets.HF_API_KEY }}';\" > public/key.js
      - uses: peaceiris/actions-gh-pages@v3
        with:
          publish_dir: ./public
";
        let got: Vec<PracticeHit> = hits(wf, pages)
            .into_iter()
            .filter(|h| h.rule == "HF015")
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].detail.contains("peaceiris/actions-gh-pages"),
            "{}",
            got[0].detail
        );
        let elsewhere = pages.replace("./public", "./site");
        assert!(hits(wf, &elsewhere).iter().all(|h| h.rule != "HF015"));
    }

    #[test]
    fn dockerfile_token_files() {
        let yes = [
            "COPY TONEK_FILE TONEK_FILE\nRUN cat TONEK_FILE | xargs huggingface-cli login --token\nRUN rm TONEK_FILE\n",
            "COPY .hf_token /tmp/\nRUN HF_TOKEN=$(cat /tmp/.hf_token) python dl.py\n",
            "COPY hf_token /root/.cache/huggingface/token\n",
            "COPY . /app\nRUN hf auth login --token \"$(cat /app/hf_token)\"\n",
            "COPY t.txt /t\nRUN hf download org/m --token-file /t\n",
        ];
        for text in yes {
            let got = hits("Dockerfile", text);
            assert!(
                got.iter()
                    .any(|h| h.rule == "HF013" && h.token_file.is_some()),
                "{text}: {got:?}"
            );
        }
        let no = [
            "COPY config.json .\nRUN cat config.json && huggingface-cli login --token $HF_TOKEN\n",
            "COPY requirements.txt .\nRUN cat requirements.txt | xargs pip install\n",
            "RUN --mount=type=secret,id=hf_token HF_TOKEN=$(cat /run/secrets/hf_token) python dl.py\n",
            "COPY --from=build /out/token /app/token\nRUN cat /app/token\n",
            "COPY . .\nRUN cat README.md\n",
        ];
        for text in no {
            let got = hits("Dockerfile", text);
            assert!(
                got.iter().all(|h| h.token_file.is_none()),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn workflow_secrets_unless_oidc() {
        let wf = ".github/workflows/release.yml";
        let text = "jobs:\n  push:\n    steps:\n      - run: python upload.py\n        env:\n          HF_TOKEN: ${{ secrets.HF_WRITE_TOKEN }}\n";
        assert_eq!(rules(wf, text), [("HF014", 6, "HF_TOKEN".to_owned())]);
        let with =
            "      - uses: acme/push@v1\n        with:\n          token: ${{ secrets.HF_TOKEN }}\n";
        assert_eq!(rules(wf, with), [("HF014", 3, "HF_TOKEN".to_owned())]);
        let oidc = format!("permissions:\n  id-token: write # OIDC\n{text}");
        assert!(rules(wf, &oidc).is_empty());
        let other = "        env:\n          PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}\n";
        assert!(rules(wf, other).is_empty());
        // Not a GitHub workflow.
        assert!(!fires(".gitlab-ci.yml", text, "HF014"));
    }

    #[test]
    fn printing_in_code() {
        let yes = [
            "import os\nprint(os.environ[\"HF_TOKEN\"])\n",
            "import os\ntoken = os.getenv('HF_TOKEN')\nlogin(token=token)\nprint(token)\n",
            "token = os.environ.get(\"HF_TOKEN\", \"\")\nlogger.info(f\"using token {token}\")\n",
            "from huggingface_hub import get_token\nt = get_token()\nprint('token:', t)\n",
            "logging.debug(\"env: %s\", os.environ['HUGGINGFACEHUB_API_TOKEN'])\n",
            "print(len(x), os.environ['HF_TOKEN'])\n",
            "token = os.getenv('HF_TOKEN')\nprint(token if DEBUG else '')\n",
        ];
        for text in yes {
            assert!(fires("app.py", text, "HF015"), "{text}");
        }
        assert!(fires(
            "index.js",
            "console.log(`token ${process.env.HF_TOKEN}`)\n",
            "HF015"
        ));
        assert!(fires(
            "nb.ipynb",
            r#"{"cells": [{"source": ["print(os.environ[\"HF_TOKEN\"])\n"]}]}"#,
            "HF015"
        ));
        let no = [
            "import os\nlogin(token=os.environ[\"HF_TOKEN\"])\n",
            "client = InferenceClient(token=os.getenv(\"HF_TOKEN\"))\nprint(client.model)\n",
            "print(\"HF_TOKEN is set\")\n",
            "print(\"set HF_TOKEN first\")\ntoken = os.getenv('HF_TOKEN')\n",
            "print(\"HF_TOKEN\" in os.environ)\n",
            "print(bool(os.getenv(\"HF_TOKEN\")))\n",
            "token = os.getenv('HF_TOKEN')\nprint(token is not None)\nprint(\"token\")\n",
            "token = os.getenv('HF_TOKEN')\nprint(len(token))\n",
            "# print(os.environ[\"HF_TOKEN\"])\n",
            "token = os.getenv('HF_TOKEN')\ntoken = 'x'\nprint(token)\n",
            // A part of the token, its length, a test of it: not the token (issue 18).
            "HF_TOKEN = os.getenv('HF_TOKEN')\nprint(f\"HF_TOKEN set: {HF_TOKEN[:8]}...\")\n",
            "print(f\"token: {os.environ['HF_TOKEN'][:5]}…\")\n",
            "token = os.getenv('HF_TOKEN')\nprint('HF_TOKEN:', 'set' if token else 'missing')\n",
            "print('token', 'set' if os.getenv('HF_TOKEN') else 'unset')\n",
            "token = os.getenv('HF_TOKEN')\nprint(token.startswith('hf_'))\n",
            "print(bool(os.environ.get('HF_TOKEN')), 'x')\n",
            "prefix = os.getenv('HF_TOKEN')[:4]\nprint(prefix)\n",
        ];
        for text in no {
            assert!(!fires("app.py", text, "HF015"), "{text}");
        }
    }

    #[test]
    fn printing_names_where_the_value_comes_from() {
        let got = hits(
            "auth.py",
            "import os  # HF_TOKEN\ntoken = get_token()\nprint(token)\n",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].variable, "token", "a variable name, not a phrase");
        assert_eq!(got[0].origin.as_deref(), Some("read by `get_token()`"));
        let got = hits("a.py", "t = os.environ['HF_TOKEN']\nprint(t)\n");
        assert_eq!(
            (got[0].variable.as_str(), got[0].origin.as_ref()),
            ("HF_TOKEN", None)
        );
    }

    #[test]
    fn printing_in_shell_and_ci() {
        let yes = [
            ("run.sh", "echo $HF_TOKEN\n"),
            ("run.sh", "echo \"token is ${HF_TOKEN}\" >&2\n"),
            (
                "run.sh",
                "#!/bin/bash\nset -euxo pipefail\nhf download org/m --token \"$HF_TOKEN\"\n",
            ),
            (
                "run.sh",
                "set -x\ncurl -H \"Authorization: Bearer $HF_TOKEN\" https://x\n",
            ),
            (
                ".github/workflows/ci.yml",
                "      - run: echo ${{ secrets.HF_TOKEN }}\n",
            ),
            ("Makefile", "login:\n\t@echo $(HF_TOKEN)\n"),
            ("Dockerfile", "ARG X\nRUN echo $HF_TOKEN\n"),
            ("bin/fetch", "#!/usr/bin/env bash\necho $HF_TOKEN\n"),
            (
                "Dockerfile",
                "CMD [\"sh\", \"-c\", \"echo token $HF_TOKEN && python app.py\"]\n",
            ),
            (
                "Dockerfile",
                "ENTRYPOINT [\"/bin/bash\", \"-lc\", \"echo $HF_TOKEN\"]\n",
            ),
            ("run.sh", "echo \"a;b $HF_TOKEN\"\n"),
            (".gitlab-ci.yml", "job:\n  script:\n    - echo $HF_TOKEN\n"),
        ];
        for (path, text) in yes {
            assert!(fires(path, text, "HF015"), "{path}: {text}");
        }
        let no = [
            ("run.sh", "echo \"HF_TOKEN is set\"\n"),
            ("run.sh", "echo \"${HF_TOKEN:+set}\"\n"),
            (
                "run.sh",
                "echo \"$HF_TOKEN\" | hf auth login --token-stdin\n",
            ),
            (
                "run.sh",
                "echo \"$HF_TOKEN\" > ~/.cache/huggingface/token\n",
            ),
            (
                ".github/workflows/ci.yml",
                "      - run: echo \"HF_TOKEN=${{ secrets.HF_TOKEN }}\" >> \"$GITHUB_ENV\"\n",
            ),
            (
                "run.sh",
                "set -e\nhf download org/m --token \"$HF_TOKEN\"\n",
            ),
            ("run.sh", "set -x\necho building\n"),
            ("run.sh", "# echo $HF_TOKEN\n"),
            ("src/main.rs", "let cmd = \"echo $HF_TOKEN\";\n"),
            // The `;` is inside the quotes: the redirect still sends it to a file.
            ("run.sh", "echo \"export X='$HF_TOKEN';\" > env.sh\n"),
            // Exec form without a shell prints the text `$HF_TOKEN`, not its value.
            ("Dockerfile", "CMD [\"echo\", \"$HF_TOKEN\"]\n"),
            (
                "Dockerfile",
                "CMD [\"sh\", \"-c\", \"echo \\\"$HF_TOKEN\\\" | hf auth login --token-stdin\"]\n",
            ),
        ];
        for (path, text) in no {
            assert!(!fires(path, text, "HF015"), "{path}: {text}");
        }
    }

    #[test]
    fn allow_markers_and_positions() {
        let hits = find(
            "run.sh",
            Platform::Source,
            b"ls\n# hfaudit:allow HF015\necho $HF_TOKEN\n  echo $HF_TOKEN\n",
            &env_names(&[]),
        );
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].allow, Some(Allow::Rules(vec!["HF015".into()])));
        assert_eq!((hits[1].line, hits[1].column), (4, 3));
        assert_eq!(hits[1].offset, 3 + 22 + 15 + 2);
        assert_eq!(hits[1].snippet, "echo $HF_TOKEN");
        assert_eq!(hits[1].allow, None);
    }

    #[test]
    fn configured_names_count() {
        let names = env_names(&["ACME_HUB_TOKEN".to_owned()]);
        let hits = find(
            "Dockerfile",
            Platform::Server,
            b"ARG ACME_HUB_TOKEN\n",
            &names,
        );
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn hostile_input_is_fine() {
        let names = env_names(&[]);
        for data in [
            &b""[..],
            b"\xff\xfe(((((",
            b"print(",
            b"echo ${",
            b"ARG",
            b"args:\n- \n",
        ] {
            for path in [
                "a.py",
                "run.sh",
                "Dockerfile",
                "compose.yml",
                ".github/workflows/a.yml",
            ] {
                let _ = find(path, platform_of(path), data, &names);
            }
        }
        let long = format!("echo $HF_TOKEN {}\n", "x".repeat(MAX_LINE));
        assert!(find("run.sh", Platform::Source, long.as_bytes(), &names).is_empty());
    }

    /// Workflows, Dockerfiles and Bake files stitched from the pieces the readers look for, in
    /// any order and indentation: no panic, and every hit is on a line of the file.
    #[test]
    fn stitched_workflows_never_break_the_readers() {
        use rand::{rngs::StdRng, Rng, SeedableRng};
        let pieces = [
            "jobs:",
            "  a:",
            "    steps:",
            "      - run: |",
            "      - name: x",
            "- ",
            "-",
            "        env:",
            "          HF_TOKEN: ${{ secrets.X_TOKEN }}",
            "run: hf upload a .",
            "  cd é && python -m p.q",
            "python ./s.py \\",
            "git remote add s https://huggingface.co/x",
            "git push s",
            "echo ${{ secrets.HF_TOKEN }} > f",
            "docker build .",
            "\"",
            "'",
            "${{",
            "permissions:",
            "  id-token: write",
            "uses: a/b@c",
            "COPY . .",
            "COPY t /t",
            "RUN cat /t | hf auth login --token",
            "CMD [\"sh\", \"-c\", \"echo $HF_TOKEN\"]",
            "args = {",
            "HF_TOKEN = \"x\"",
            "}",
            "with:",
            "  publish_dir: ./p",
            "#",
            "  ",
            "😀: ü",
        ];
        let names = env_names(&[]);
        let mut rng = StdRng::seed_from_u64(18);
        let mut fired = 0;
        for _ in 0..1500 {
            let n = rng.gen_range(1..30);
            let mut text = String::new();
            for _ in 0..n {
                text.push_str(&" ".repeat(rng.gen_range(0..10)));
                text.push_str(pieces[rng.gen_range(0..pieces.len())]);
                text.push('\n');
            }
            let count = text.lines().count() as u64;
            for path in [".github/workflows/a.yml", "Dockerfile", "docker-bake.hcl"] {
                for h in find(path, platform_of(path), text.as_bytes(), &names) {
                    assert!(h.line >= 1 && h.line <= count.max(1), "{text}");
                    fired += 1;
                }
            }
        }
        assert!(fired > 100, "the pieces make hits often: {fired}");
    }
}
