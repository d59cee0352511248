//! GitHub workflows read as jobs and steps, for HF014 (issue 18): which steps each stored secret
//! reaches, and what those steps do with the Hub on their own `run:` lines and through the
//! scripts those lines run. The need is judged per step, never from other workflows or from
//! every file that reads the same variable name: a test job that hands a read token to
//! `pytest` needs no write because a mirror job elsewhere uploads.
//!
//! Line-based like the rest of `practice`: a light reading of YAML's block structure (keys,
//! sequence items, block scalars), which is what GitHub workflows use. Flow mappings and
//! anchors are not followed; a step they hide is unknown, never a write.

use std::sync::Arc;

use super::{Line, ACTIONS_EXPR};

use crate::context::{calls_in_scope, CallLists};

/// One step of a job, with what it does with the Hub.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// The job's id (`publish`).
    pub job: String,
    /// The job's `name:`.
    pub job_name: Option<String>,
    /// The step's `name:`, else its first command or its action.
    pub name: String,
    /// 1-based line where the step starts.
    pub line: u64,
    /// Hub calls on the step's own `run:` lines.
    pub calls: Vec<StepCall>,
    /// Scripts the step's `run:` lines run, resolved against the repository root.
    pub scripts: Vec<StepScript>,
}

/// A Hub call on a `run:` line: `hf upload`, `git push` to a Hub remote, `create_repo` in
/// `python -c`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepCall {
    pub call: String,
    pub write: bool,
    /// 1-based.
    pub line: u64,
}

/// A script a `run:` line runs (`python utils/push.py`, `bash scripts/x.sh`, `python -m a.b`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepScript {
    /// The command as written, cut to a readable width.
    pub command: String,
    /// Where the script may be, relative to the repository root (the folder holding
    /// `.github/`), most likely first: `python -m a.b` may be `a/b.py` or `a/b/__main__.py`.
    pub paths: Vec<String>,
    /// 1-based.
    pub line: u64,
}

/// A stored secret handed to a job: `HF_TOKEN: ${{ secrets.X }}` in an `env:` or `with:`, or
/// `${{ secrets.HF_TOKEN }}` on a `run:` line.
#[derive(Debug, Clone)]
pub(super) struct Handoff {
    /// 0-based line index.
    pub line: usize,
    pub column: usize,
    /// The key the secret is handed to (`HF_TOKEN`, `hf_token`), or `None` on a `run:` line.
    pub key: Option<String>,
    pub secret: String,
    /// The steps that get the secret.
    pub reach: Vec<Arc<Step>>,
}

/// One YAML node on a line: its path from the document root, and its value.
#[derive(Debug)]
struct Entry {
    /// 0-based line index.
    line: usize,
    /// Keys from the root, a sequence item as `-N` (N its line index).
    path: Vec<String>,
    /// The inline value, comment removed (`|` for a block scalar).
    value: String,
    /// Lines of a block scalar, or a plain scalar's continuation lines.
    more: Vec<usize>,
}

impl Entry {
    fn at(&self, pattern: &[&str]) -> bool {
        self.path.len() == pattern.len()
            && self
                .path
                .iter()
                .zip(pattern)
                .all(|(p, want)| *want == "*" || p == want || (*want == "-" && p.starts_with('-')))
    }
}

fn indent(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// `key: value` → (key, value); `None` for a line that is no mapping entry.
fn split_key(rest: &str) -> Option<(&str, &str)> {
    let (key, after) = if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = rest[1..].find(q)? + 1;
        (&rest[1..close], &rest[close + 1..])
    } else {
        let colon = rest
            .char_indices()
            .find(|&(i, c)| {
                c == ':'
                    && rest[i + 1..]
                        .chars()
                        .next()
                        .is_none_or(|n| n == ' ' || n == '\t')
            })?
            .0;
        let key = rest[..colon].trim_end();
        if key.is_empty()
            || key.contains(' ')
            || key.starts_with(['{', '[', '|', '>', '&', '*', '!', '%', '@', '`', '$', '-'])
        {
            return None;
        }
        (key, &rest[colon..])
    };
    let value = after.trim_start().strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, value.trim()))
}

/// The value without a trailing `# comment` (outside quotes).
fn strip_comment(value: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in value.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            None if (c == '"' || c == '\'') && (i == 0 || prev == ' ') => quote = Some(c),
            None if c == '#' && (i == 0 || prev == ' ' || prev == '\t') => {
                return value[..i].trim_end();
            }
            _ => {}
        }
        prev = c;
    }
    value.trim_end()
}

/// The workflow's nodes, in order.
fn entries(lines: &[Line<'_>]) -> Vec<Entry> {
    let mut out = Vec::new();
    // (column, name, is a sequence item)
    let mut stack: Vec<(usize, String, bool)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let text: &str = &lines[i].text;
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
            i += 1;
            continue;
        }
        let mut col = indent(text);
        let mut rest = trimmed;
        while rest == "-" || rest.starts_with("- ") {
            while stack
                .last()
                .is_some_and(|(c, _, item)| *c > col || (*c == col && *item))
            {
                stack.pop();
            }
            stack.push((col, format!("-{i}"), true));
            let after = &rest[1..];
            let skip = 1 + (after.len() - after.trim_start().len());
            col += skip;
            rest = &rest[skip..];
        }
        if rest.is_empty() {
            i += 1;
            continue;
        }
        let Some((key, value)) = split_key(rest) else {
            // A scalar item (`- HF_TOKEN`) or a line this reading does not follow.
            out.push(Entry {
                line: i,
                path: stack.iter().map(|s| s.1.clone()).collect(),
                value: strip_comment(rest).to_owned(),
                more: Vec::new(),
            });
            i += 1;
            continue;
        };
        while stack.last().is_some_and(|(c, _, _)| *c >= col) {
            stack.pop();
        }
        stack.push((col, key.to_owned(), false));
        let value = strip_comment(value);
        let block = value.starts_with('|') || value.starts_with('>');
        let mut entry = Entry {
            line: i,
            path: stack.iter().map(|s| s.1.clone()).collect(),
            value: value.to_owned(),
            more: Vec::new(),
        };
        let mut j = i + 1;
        if !value.is_empty() {
            while j < lines.len() {
                let t: &str = &lines[j].text;
                if t.trim().is_empty() {
                    j += 1;
                    continue;
                }
                if indent(t) <= col {
                    break;
                }
                let bare = t.trim_start();
                // A plain scalar continues on more indented lines that are no node of their own.
                if !block && (bare.starts_with("- ") || split_key(bare).is_some()) {
                    break;
                }
                entry.more.push(j);
                j += 1;
            }
        }
        out.push(entry);
        i = j.max(i + 1);
    }
    out
}

/// The text of a `run:` value: (line index, text) per physical line.
fn run_lines<'l>(entry: &Entry, lines: &'l [Line<'l>]) -> Vec<(usize, String)> {
    if entry.value.starts_with('|') || entry.value.starts_with('>') {
        return entry
            .more
            .iter()
            .map(|&j| (j, lines[j].text.trim().to_owned()))
            .collect();
    }
    let first = entry.value.as_str();
    let quoted = first.len() >= 2
        && ((first.starts_with('"') && first.ends_with('"'))
            || (first.starts_with('\'') && first.ends_with('\'')));
    let first = if quoted {
        first[1..first.len() - 1].replace("\\\"", "\"")
    } else {
        first.to_owned()
    };
    // A plain scalar's continuation lines fold into one line.
    let mut text = first;
    for &j in &entry.more {
        text.push(' ');
        text.push_str(lines[j].text.trim());
    }
    vec![(entry.line, text)]
}

/// Shell words of a command: quotes removed, `${{ … }}` kept whole.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    let chars: Vec<char> = command.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                has = true;
            }
            None if c == '$'
                && chars.get(k + 1) == Some(&'{')
                && chars.get(k + 2) == Some(&'{') =>
            {
                let end = chars[k..]
                    .windows(2)
                    .position(|w| w == ['}', '}'])
                    .map_or(chars.len(), |p| k + p + 2);
                cur.extend(&chars[k..end]);
                has = true;
                k = end;
                continue;
            }
            None if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            _ => cur.push(c),
        }
        k += 1;
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The simple commands of a run script: (line index, command text). Splits on `;`, `&&`,
/// `||`, `|`, `&`, `$(`, `(`, `)` and backquotes outside single quotes (a command inside
/// `$( … )` in double quotes runs too), joins `\`-continued lines, drops comments.
fn commands(run: &[(usize, String)]) -> Vec<(usize, String)> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (line, text) in run {
        let (start, mut acc) = pending.take().unwrap_or((*line, String::new()));
        let text = if acc.is_empty() {
            text.as_str()
        } else {
            text.trim_start()
        };
        if let Some(body) = text.strip_suffix('\\') {
            acc.push_str(body.trim_end());
            acc.push(' ');
            pending = Some((start, acc));
        } else {
            acc.push_str(text);
            logical.push((start, acc));
        }
    }
    logical.extend(pending);
    let mut out = Vec::new();
    for (line, text) in logical {
        let mut cur = String::new();
        let mut quote: Option<char> = None;
        let chars: Vec<char> = text.chars().collect();
        let mut k = 0;
        let flush = |cur: &mut String, out: &mut Vec<(usize, String)>| {
            let t = cur.trim();
            if !t.is_empty() {
                out.push((line, t.to_owned()));
            }
            cur.clear();
        };
        while k < chars.len() {
            let c = chars[k];
            let prev = if k == 0 { ' ' } else { chars[k - 1] };
            match (quote, c) {
                (Some('\''), '\'') => quote = None,
                (Some('\''), _) => {}
                (Some('"'), '"') if prev != '\\' => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev.is_whitespace() || k == 0 => break,
                (None, ';' | '&' | '|' | '(' | ')' | '`') | (Some('"'), '`') => {
                    flush(&mut cur, &mut out);
                    k += 1;
                    continue;
                }
                (_, '$') if chars.get(k + 1) == Some(&'(') => {
                    flush(&mut cur, &mut out);
                    k += 2;
                    continue;
                }
                _ => {}
            }
            if quote == Some('"') && c == ')' {
                // The end of a `$( … )` inside double quotes.
                flush(&mut cur, &mut out);
                k += 1;
                continue;
            }
            cur.push(c);
            k += 1;
        }
        flush(&mut cur, &mut out);
    }
    out
}

/// What a simple command is, for HF014.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    /// A test runner or `make`: whatever it does is unknown, and its arguments (`-k
    /// push_to_hub`) are no calls.
    Opaque,
    /// Runs a script in the tree.
    Script(Vec<String>),
    Cd(String),
    /// Prints text (`echo`, `printf`): its arguments are no calls.
    Print,
    /// `hf buckets sync`/`cp`, `hf sync`, `hf cp`: a write when the destination is on the Hub.
    Copy {
        to_hub: bool,
        from_hub: bool,
    },
    /// Anything else: its text is searched for calls.
    Plain,
}

const TEST_RUNNERS: &[&str] = &["pytest", "py.test", "tox", "nox", "make", "gmake", "ctest"];
const TEST_MODULES: &[&str] = &["pytest", "unittest", "tox", "nox", "nose", "doctest"];
/// Tools whose `test` subcommand runs a test suite.
const TEST_SUBCOMMANDS: &[&str] = &["npm", "yarn", "pnpm", "cargo", "go", "hatch", "uv", "bun"];

fn is_python(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name == "py"
        || name == "pypy3"
        || name
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_shell(word: &str) -> bool {
    matches!(word, "bash" | "sh" | "zsh" | "source" | ".")
}

/// Whether a word can be a path in the tree (no variables, no URL).
fn pathlike(word: &str) -> bool {
    !word.is_empty()
        && !word.contains('$')
        && !word.contains("://")
        && !word.starts_with('-')
        && !word.starts_with('~')
}

/// Skips leading assignments, shell keywords and wrappers that run the rest as a command.
fn strip_wrappers(words: &[String]) -> &[String] {
    let mut w = words;
    loop {
        let Some(first) = w.first() else { return w };
        let f = first.as_str();
        let assignment = f.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let keyword = matches!(
            f,
            "if" | "then"
                | "else"
                | "elif"
                | "do"
                | "while"
                | "until"
                | "!"
                | "{"
                | "time"
                | "exec"
                | "nohup"
                | "command"
                | "builtin"
        );
        if assignment || keyword {
            w = &w[1..];
            continue;
        }
        // A wrapper and its options: what follows its first plain word is the command.
        let (skip_words, options_with_value): (usize, &[&str]) = match f {
            "sudo" => (1, &["-u", "-g"]),
            "env" | "nice" | "stdbuf" | "xvfb-run" => (1, &["-u", "-n", "-s", "-a"]),
            "timeout" => (2, &["-s", "-k"]),
            "uv" | "poetry" | "pipenv" | "pdm" | "rye" | "pixi"
                if w.get(1).is_some_and(|s| s == "run") =>
            {
                (
                    2,
                    &[
                        "--with",
                        "--python",
                        "-p",
                        "--extra",
                        "--group",
                        "--package",
                        "--env-file",
                        "--directory",
                        "--project",
                        "-e",
                        "--environment",
                    ],
                )
            }
            "conda" | "mamba" | "micromamba" if w.get(1).is_some_and(|s| s == "run") => {
                (2, &["-n", "--name", "-p", "--prefix"])
            }
            "accelerate" if w.get(1).is_some_and(|s| s == "launch") => (
                2,
                &[
                    "--config_file",
                    "--num_processes",
                    "--num_machines",
                    "--mixed_precision",
                    "--main_process_port",
                    "--machine_rank",
                ],
            ),
            "torchrun" | "deepspeed" => (
                1,
                &[
                    "--nproc_per_node",
                    "--nnodes",
                    "--node_rank",
                    "--master_addr",
                    "--master_port",
                    "--num_gpus",
                    "--include",
                    "--hostfile",
                ],
            ),
            "coverage" if w.get(1).is_some_and(|s| s == "run") => {
                (2, &["--source", "--rcfile", "--include", "--omit"])
            }
            _ => return w,
        };
        let mut k = skip_words.min(w.len());
        if f == "timeout" {
            // `timeout 10m cmd`: its first plain word is the duration, already skipped.
            k = 1;
            while k < w.len() && w[k].starts_with('-') {
                k += 1 + usize::from(options_with_value.contains(&w[k].as_str()));
            }
            k += 1;
        } else {
            while k < w.len() && (w[k].starts_with('-') || (f == "env" && w[k].contains('='))) {
                k += 1 + usize::from(options_with_value.contains(&w[k].as_str()));
            }
        }
        if k >= w.len() {
            return &w[w.len()..];
        }
        w = &w[k..];
        if f == "coverage" && w.first().is_some_and(|s| s == "-m") {
            // `coverage run -m pytest`
            return if w.get(1).is_some_and(|m| TEST_MODULES.contains(&m.as_str())) {
                &w[1..2]
            } else {
                &w[1..]
            };
        }
    }
}

fn classify(words: &[String]) -> Command {
    let w = strip_wrappers(words);
    let Some(first) = w.first() else {
        return Command::Plain;
    };
    let f = first.as_str();
    if TEST_RUNNERS.contains(&f)
        || (TEST_SUBCOMMANDS.contains(&f)
            && (w.get(1).is_some_and(|s| s == "test")
                || (w.get(1).is_some_and(|s| s == "run")
                    && w.get(2).is_some_and(|s| s.starts_with("test")))))
    {
        return Command::Opaque;
    }
    match f {
        "echo" | "printf" => return Command::Print,
        "cd" | "pushd" => {
            return match w.get(1) {
                Some(dir) if pathlike(dir) || dir == "-" => Command::Cd(dir.clone()),
                _ => Command::Cd("$".into()),
            }
        }
        _ => {}
    }
    if f == "hf" || f == "huggingface-cli" {
        let sub: Vec<&str> = w[1..]
            .iter()
            .map(String::as_str)
            .filter(|s| !s.starts_with('-'))
            .collect();
        let copy = match sub.as_slice() {
            ["buckets", "sync" | "cp", args @ ..] | ["sync" | "cp", args @ ..] => {
                Some(args.to_vec())
            }
            _ => None,
        };
        if let Some(args) = copy {
            let to_hub = args.last().is_some_and(|a| a.starts_with("hf://"));
            let from_hub = args.iter().rev().skip(1).any(|a| a.starts_with("hf://"));
            return Command::Copy { to_hub, from_hub };
        }
        return Command::Plain;
    }
    if is_python(f) {
        let mut k = 1;
        while k < w.len() && w[k].starts_with('-') {
            match w[k].as_str() {
                "-c" => return Command::Plain,
                "-m" => {
                    let Some(module) = w.get(k + 1) else {
                        return Command::Plain;
                    };
                    let top = module.split('.').next().unwrap_or_default();
                    if TEST_MODULES.contains(&top) {
                        return Command::Opaque;
                    }
                    if !pathlike(module) || module.contains('/') {
                        return Command::Plain;
                    }
                    let base = module.replace('.', "/");
                    return Command::Script(vec![
                        format!("{base}.py"),
                        format!("{base}/__main__.py"),
                    ]);
                }
                "-W" | "-X" | "--check-hash-based-pycs" => k += 2,
                _ => k += 1,
            }
        }
        return match w.get(k) {
            Some(script) if pathlike(script) => Command::Script(vec![script.clone()]),
            _ => Command::Plain,
        };
    }
    if is_shell(f) {
        let mut k = 1;
        while k < w.len() && w[k].starts_with('-') {
            if w[k] == "-c" {
                return Command::Plain;
            }
            k += 1;
        }
        return match w.get(k) {
            Some(script) if pathlike(script) => Command::Script(vec![script.clone()]),
            _ => Command::Plain,
        };
    }
    let ext = std::path::Path::new(f)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let script_name = matches!(ext.as_deref(), Some("sh" | "py" | "bash"));
    if pathlike(f) && (f.starts_with("./") || script_name) {
        return Command::Script(vec![f.to_owned()]);
    }
    Command::Plain
}

/// `base` joined with `rel` and normalised (`./`, `..`), relative to the repository root;
/// `None` when it leaves the tree or is absolute.
fn join(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let rel = rel.strip_prefix("${{ github.workspace }}/").unwrap_or(rel);
    if rel.contains('$') {
        return None;
    }
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The remote a `git push` names (`git push -f space HEAD:main` → `space`), if any.
fn push_remote(words: &[String]) -> Option<&str> {
    let at = words.iter().position(|w| w == "push")?;
    let mut k = at + 1;
    while k < words.len() {
        let w = words[k].as_str();
        if w.starts_with('-') {
            k += 1 + usize::from(matches!(
                w,
                "-o" | "--push-option" | "--repo" | "--receive-pack"
            ));
            continue;
        }
        return Some(w);
    }
    None
}

fn names_hub_host(text: &str) -> bool {
    text.contains("huggingface.co") || text.contains("hf.co/")
}

/// Where `git` commands of a job talk to the Hub: the remotes added or set to a Hub URL, and
/// whether the job clones a Hub repository (a later bare `git push` in it goes to the Hub).
#[derive(Default)]
struct GitRemotes {
    hub: Vec<String>,
    cloned_hub: bool,
}

impl GitRemotes {
    fn learn(&mut self, words: &[String]) {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        match w.as_slice() {
            ["git", "remote", "add" | "set-url", rest @ ..] => {
                let plain: Vec<&&str> = rest.iter().filter(|x| !x.starts_with('-')).collect();
                if let [name, url, ..] = plain.as_slice() {
                    if names_hub_host(url) {
                        self.hub.push((**name).to_owned());
                    } else {
                        self.hub.retain(|h| h != **name);
                    }
                }
            }
            ["git", "clone", rest @ ..] if rest.iter().any(|x| names_hub_host(x)) => {
                self.cloned_hub = true;
            }
            _ => {}
        }
    }

    /// Whether this `git push` goes to the Hub.
    fn pushes_to_hub(&self, words: &[String]) -> bool {
        match push_remote(words) {
            Some(remote) if names_hub_host(remote) => true,
            Some(remote) => self.hub.iter().any(|h| h == remote),
            None => self.cloned_hub || self.hub.iter().any(|h| h == "origin"),
        }
    }
}

/// A job as read.
struct RawJob {
    id: String,
    name: Option<String>,
    /// `defaults: run: working-directory:`.
    dir: Option<String>,
    steps: Vec<RawStep>,
    /// `permissions: id-token: write`: the job can get a short-lived token through OIDC.
    oidc: bool,
}

/// Actions and reusable workflows known to write to the Hub with the token they are given,
/// each checked in its source: huggingface/doc-builder's documentation workflows `hf sync` the
/// built docs to `hf://buckets/hf-doc-build/…` with their `hf_token` secret.
const HUB_WRITERS: &[&str] = &[
    "huggingface/doc-builder/.github/workflows/build_main_documentation.yml",
    "huggingface/doc-builder/.github/workflows/upload_pr_documentation.yml",
];

/// A step as read and as shared.
struct ReadStep {
    raw: RawStep,
    step: Arc<Step>,
    /// Whether it stores the token where the job's later steps find it.
    persists: bool,
    /// The folder its commands run in, relative to the repository root.
    base: String,
}

/// A job's steps, with what reading a single command of one again needs.
struct JobSteps {
    id: String,
    name: Option<String>,
    remotes: GitRemotes,
    steps: Vec<ReadStep>,
}

/// A step as read from the file, before it is shared.
struct RawStep {
    line: usize,
    name: Option<String>,
    uses: Option<String>,
    run: Vec<(usize, String)>,
    working_directory: Option<String>,
}

/// Reads the steps of every job and the secrets handed to them. `names` are the token
/// variables; `calls` the Hub call lists.
pub(super) fn handoffs(
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
    calls: &CallLists,
) -> Vec<Handoff> {
    let entries = entries(lines);
    let write = |e: &Entry| unquote(&e.value) == "write";
    let oidc_everywhere = entries
        .iter()
        .any(|e| e.at(&["permissions", "id-token"]) && write(e));
    // Jobs in order, with their steps.
    let mut jobs: Vec<RawJob> = Vec::new();
    let mut default_dir: Option<String> = None;
    for e in &entries {
        if e.at(&["defaults", "run", "working-directory"]) {
            default_dir = Some(unquote(&e.value).to_owned());
        }
        if e.path.len() < 2 || e.path[0] != "jobs" {
            continue;
        }
        let id = &e.path[1];
        if jobs.last().is_none_or(|j| &j.id != id) {
            jobs.push(RawJob {
                id: id.clone(),
                name: None,
                dir: None,
                steps: Vec::new(),
                oidc: oidc_everywhere,
            });
        }
        let job = jobs.last_mut().expect("pushed above");
        if e.at(&["jobs", "*", "name"]) {
            job.name = Some(unquote(&e.value).to_owned());
        } else if e.at(&["jobs", "*", "defaults", "run", "working-directory"]) {
            job.dir = Some(unquote(&e.value).to_owned());
        } else if e.at(&["jobs", "*", "permissions", "id-token"]) {
            job.oidc |= write(e);
        } else if e.at(&["jobs", "*", "uses"]) {
            // A reusable workflow: the job is that one step.
            job.steps.push(RawStep {
                line: e.line,
                name: None,
                uses: Some(unquote(&e.value).to_owned()),
                run: Vec::new(),
                working_directory: None,
            });
        } else if e.path.len() >= 4 && e.path[2] == "steps" && e.path[3].starts_with('-') {
            let item: usize = e.path[3][1..].parse().unwrap_or(e.line);
            if job.steps.last().is_none_or(|s| s.line != item) {
                job.steps.push(RawStep {
                    line: item,
                    name: None,
                    uses: None,
                    run: Vec::new(),
                    working_directory: None,
                });
            }
            let step = job.steps.last_mut().expect("pushed above");
            if e.path.len() == 5 {
                match e.path[4].as_str() {
                    "name" => step.name = Some(unquote(&e.value).to_owned()),
                    "uses" => step.uses = Some(unquote(&e.value).to_owned()),
                    "working-directory" => {
                        step.working_directory = Some(unquote(&e.value).to_owned());
                    }
                    "run" => step.run = run_lines(e, lines),
                    _ => {}
                }
            }
        }
    }
    // Each job's steps, read. A job that can use OIDC is left out: its stored secret is a
    // leftover of the move to Trusted Publishers, not how it gets a token.
    let mut steps_of: Vec<JobSteps> = Vec::new();
    for job in jobs {
        if job.oidc {
            continue;
        }
        let mut remotes = GitRemotes::default();
        for c in commands(
            &job.steps
                .iter()
                .flat_map(|s| s.run.iter().cloned())
                .collect::<Vec<_>>(),
        ) {
            remotes.learn(&words(&c.1));
        }
        let mut read = Vec::new();
        for s in job.steps {
            let base = s
                .working_directory
                .clone()
                .or_else(|| job.dir.clone())
                .or_else(|| default_dir.clone())
                .unwrap_or_default();
            let step = read_step(&job.id, job.name.as_deref(), &s, &base, &remotes, calls);
            read.push(ReadStep {
                persists: persists(&s.run),
                raw: s,
                step: Arc::new(step),
                base,
            });
        }
        steps_of.push(JobSteps {
            id: job.id,
            name: job.name,
            remotes,
            steps: read,
        });
    }
    // The secrets handed over, and the steps each reaches.
    let mut out = Vec::new();
    for e in &entries {
        let text: &str = &lines[e.line].text;
        let Some(c) = super::SECRET_INTO.captures(text) else {
            continue;
        };
        let (key, secret) = (c.get(1).expect("group 1"), c.get(2).expect("group 2"));
        if !is_token_var(key.as_str()) && !is_token_var(secret.as_str()) {
            continue;
        }
        let in_oidc_job =
            e.path.len() >= 2 && e.path[0] == "jobs" && !steps_of.iter().any(|j| j.id == e.path[1]);
        if in_oidc_job || (oidc_everywhere && e.path.first().is_some_and(|k| k != "jobs")) {
            continue;
        }
        let reach = reach_of(&e.path, &steps_of);
        out.push(Handoff {
            line: e.line,
            column: key.start(),
            key: Some(key.as_str().to_owned()),
            secret: secret.as_str().to_owned(),
            reach,
        });
    }
    // A secret right on a `run:` line: assigned to a token variable (`export HF_TOKEN=${{
    // secrets.X }}`), a token variable's own (`--token ${{ secrets.HF_TOKEN }}`), or any other
    // Hub-looking secret given as an argument to a command that itself writes to the Hub
    // (`python upload_demo_to_space.py … ${{ secrets.SPACES_DEPLOY_TOKEN }}`): then only that
    // command is judged.
    for job in &steps_of {
        for (k, read) in job.steps.iter().enumerate() {
            for (start, command) in commands(&read.raw.run) {
                for c in ACTIONS_EXPR.captures_iter(&command) {
                    let whole = c.get(0).expect("whole match");
                    let name = c.get(1).expect("group 1").as_str();
                    if !whole.as_str().contains("secrets.") {
                        continue;
                    }
                    let before = command[..whole.start()].trim_end_matches(['"', '\'']);
                    let assigned = before
                        .strip_suffix('=')
                        .map(|b| {
                            let var = b
                                .rsplit(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                                .next()
                                .unwrap_or_default();
                            var.to_owned()
                        })
                        .filter(|v| is_token_var(v));
                    let (key, reach) = if let Some(var) = assigned {
                        (Some(var), step_reach(&job.steps, k))
                    } else if is_token_var(name) {
                        (None, step_reach(&job.steps, k))
                    } else if other_service(name) || !credential_name(name) {
                        continue;
                    } else {
                        let one = RawStep {
                            line: read.raw.line,
                            name: read.raw.name.clone(),
                            uses: None,
                            run: vec![(start, command.clone())],
                            working_directory: None,
                        };
                        let step = read_step(
                            &job.id,
                            job.name.as_deref(),
                            &one,
                            &read.base,
                            &job.remotes,
                            calls,
                        );
                        let step = Step {
                            name: read.step.name.clone(),
                            ..step
                        };
                        (None, vec![Arc::new(step)])
                    };
                    // The physical line the expression is on.
                    let (line, column) = read
                        .raw
                        .run
                        .iter()
                        .filter(|(l, _)| *l >= start)
                        .find_map(|(l, _)| lines[*l].text.find(whole.as_str()).map(|c| (*l, c)))
                        .unwrap_or((start, 0));
                    out.push(Handoff {
                        line,
                        column,
                        key,
                        secret: name.to_owned(),
                        reach,
                    });
                }
            }
        }
    }
    out.sort_by_key(|h| (h.line, h.column));
    out.dedup_by(|a, b| a.line == b.line && a.secret == b.secret);
    out
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// The steps a secret handed over at `path` reaches: a workflow's `env:` every step of every
/// job, a job's `env:` its steps, a step's `env:`/`with:` that step, and the job's later steps
/// when the step stores the token for them (a login, `~/.netrc`, `$GITHUB_ENV`, a remote URL).
fn reach_of(path: &[String], jobs: &[JobSteps]) -> Vec<Arc<Step>> {
    match path {
        [first, ..] if first != "jobs" => jobs
            .iter()
            .flat_map(|j| j.steps.iter().map(|s| s.step.clone()))
            .collect(),
        [_, id, steps, item, ..] if steps == "steps" && item.starts_with('-') => {
            let Some(job) = jobs.iter().find(|j| &j.id == id) else {
                return Vec::new();
            };
            let line: usize = item[1..].parse().unwrap_or(usize::MAX);
            match job.steps.iter().position(|s| s.raw.line == line) {
                Some(k) => step_reach(&job.steps, k),
                None => Vec::new(),
            }
        }
        [_, id, ..] => jobs
            .iter()
            .find(|j| &j.id == id)
            .map(|j| j.steps.iter().map(|s| s.step.clone()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn step_reach(steps: &[ReadStep], k: usize) -> Vec<Arc<Step>> {
    let mut out = vec![steps[k].step.clone()];
    if steps[k].persists {
        out.extend(steps[k + 1..].iter().map(|s| s.step.clone()));
    }
    out
}

/// A secret whose name says it is a credential (`…_TOKEN`, `…_KEY`, `…_AUTH`), not a user
/// name or a repository id that a command line also takes from the secret store.
fn credential_name(secret: &str) -> bool {
    secret
        .split(['_', '-'])
        .map(str::to_ascii_uppercase)
        .any(|w| {
            w.ends_with("TOKEN")
                || w.ends_with("KEY")
                || matches!(
                    w.as_str(),
                    "AUTH"
                        | "SECRET"
                        | "PASSWORD"
                        | "PASS"
                        | "PAT"
                        | "CRED"
                        | "CREDENTIALS"
                        | "WRITE"
                        | "PUSH"
                )
        })
}

/// A secret whose name says it belongs to another service (`SLACK_BOT_TOKEN`, `GITHUB_TOKEN`,
/// `NPM_TOKEN`): given on a command line, it is not the Hub token, whatever the command does.
fn other_service(secret: &str) -> bool {
    let upper = secret.to_ascii_uppercase();
    [
        "GITHUB",
        "GH_",
        "SLACK",
        "NPM",
        "AWS",
        "DOCKER",
        "OPENAI",
        "ANTHROPIC",
        "CODECOV",
        "DISCORD",
        "TWINE",
        "PYPI_API",
        "GCP",
        "AZURE",
        "SENTRY",
        "VERCEL",
        "NETLIFY",
        "CLOUDFLARE",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// Whether a step stores the token where later steps of its job find it: a login, the
/// saved-token file, `~/.netrc`, a credential helper, or a line that puts a token into
/// `$GITHUB_ENV` or a git remote's URL.
fn persists(run: &[(usize, String)]) -> bool {
    run.iter().any(|(_, t)| {
        let stores = [
            ".netrc",
            "auth login",
            "huggingface-cli login",
            "git-credentials",
            "credential.helper",
            "login(",
            "save_token",
            "huggingface/token",
        ]
        .iter()
        .any(|p| t.contains(p));
        let carries = [
            "GITHUB_ENV",
            "git remote add",
            "git remote set-url",
            "git clone",
        ]
        .iter()
        .any(|p| t.contains(p))
            && (t.to_ascii_uppercase().contains("TOKEN") || t.contains("secrets."));
        stores || carries
    })
}

const COMMAND_WIDTH: usize = 80;

fn read_step(
    job: &str,
    job_name: Option<&str>,
    raw: &RawStep,
    base: &str,
    remotes: &GitRemotes,
    lists: &CallLists,
) -> Step {
    let mut calls: Vec<StepCall> = Vec::new();
    let mut scripts: Vec<StepScript> = Vec::new();
    if let Some(action) = &raw.uses {
        let name = action.split('@').next().unwrap_or(action);
        if HUB_WRITERS.contains(&name) {
            calls.push(StepCall {
                call: format!("uses: {name}"),
                write: true,
                line: raw.line as u64 + 1,
            });
        }
    }
    let mut cwd = base.to_owned();
    for (line, command) in commands(&raw.run) {
        let w = words(&command);
        let line = line as u64 + 1;
        let mut add = |call: &str, write: bool| {
            if !calls.iter().any(|c| c.call == call && c.write == write) {
                calls.push(StepCall {
                    call: call.to_owned(),
                    write,
                    line,
                });
            }
        };
        match classify(&w) {
            Command::Opaque | Command::Print => {}
            Command::Cd(dir) => {
                cwd = match dir.as_str() {
                    "$" | "-" => "$".into(),
                    d => join(&cwd, d).unwrap_or_else(|| "$".into()),
                };
            }
            Command::Copy { to_hub, from_hub } => {
                let verb: Vec<&str> = w
                    .iter()
                    .map(String::as_str)
                    .take_while(|x| {
                        !x.starts_with('-')
                            && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
                    .take(3)
                    .collect();
                if to_hub {
                    add(&verb.join(" "), true);
                } else if from_hub {
                    add(&verb.join(" "), false);
                }
            }
            Command::Script(paths) => {
                let resolved: Vec<String> = if cwd.contains('$') {
                    Vec::new()
                } else {
                    paths.iter().filter_map(|p| join(&cwd, p)).collect()
                };
                if !resolved.is_empty() {
                    let mut shown: String = command.chars().take(COMMAND_WIDTH).collect();
                    if command.chars().count() > COMMAND_WIDTH {
                        shown.push('…');
                    }
                    scripts.push(StepScript {
                        command: shown,
                        paths: resolved,
                        line,
                    });
                }
                // `python train.py --push_to_hub` writes whatever the script is.
                let found = calls_in_scope(command.as_bytes(), b"", lists);
                for c in &found.writes {
                    add(c, true);
                }
            }
            Command::Plain => {
                let found = calls_in_scope(command.as_bytes(), b"", lists);
                for c in &found.writes {
                    add(c, true);
                }
                for c in &found.reads {
                    add(c, false);
                }
                if w.first().is_some_and(|x| x == "git") && w.iter().any(|x| x == "push") {
                    if remotes.pushes_to_hub(&w) {
                        add("git push", true);
                    }
                } else if w.first().is_some_and(|x| x == "git")
                    && w.get(1).is_some_and(|x| x == "clone")
                    && w.iter().any(|x| names_hub_host(x))
                {
                    add("git clone", false);
                }
            }
        }
    }
    let name = raw
        .name
        .clone()
        .or_else(|| {
            raw.uses
                .as_ref()
                .map(|u| u.split('@').next().unwrap_or(u).to_owned())
        })
        .or_else(|| {
            raw.run.first().map(|(_, t)| {
                let mut s: String = t.chars().take(COMMAND_WIDTH).collect();
                if t.chars().count() > COMMAND_WIDTH {
                    s.push('…');
                }
                s
            })
        })
        .unwrap_or_else(|| format!("at line {}", raw.line + 1));
    Step {
        job: job.to_owned(),
        job_name: job_name.map(str::to_owned),
        name,
        line: raw.line as u64 + 1,
        calls,
        scripts,
    }
}

/// A token variable written to a file of the workspace that an image build of the same job
/// then takes as its context.
#[derive(Debug)]
pub(super) struct TokenFile {
    /// 0-based line index of the write.
    pub line: usize,
    pub column: usize,
    pub variable: String,
    /// The file, as written.
    pub file: String,
    /// How the image is built (`docker build`, `docker/build-push-action`).
    pub build: String,
    /// 1-based.
    pub build_line: u64,
}

/// Where a command redirects its output: the file after `>` or `>>` outside quotes.
fn redirect_target(command: &str) -> Option<(usize, &str)> {
    let mut quote: Option<char> = None;
    let bytes: Vec<(usize, char)> = command.char_indices().collect();
    for (k, &(i, c)) in bytes.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '>' && bytes.get(k + 1).is_none_or(|n| n.1 != '&') => {
                let rest = command[i..].trim_start_matches('>').trim_start();
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let file = rest[..end].trim_matches(|c| c == '"' || c == '\'');
                return (!file.is_empty()).then_some((i, file));
            }
            _ => {}
        }
    }
    None
}

/// A token variable a job writes to a file of its workspace (`echo $HF_TOKEN > f`).
struct TokenWrite {
    /// 0-based line index.
    line: usize,
    column: usize,
    variable: String,
    file: String,
    /// `echo` or `printf`, or `>` for another command.
    verb: String,
}

/// One job's nodes, run lines and token writes.
struct JobText<'e> {
    entries: Vec<&'e Entry>,
    run: Vec<(usize, String)>,
    writes: Vec<TokenWrite>,
}

fn jobs_with_writes<'e>(
    entries: &'e [Entry],
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
) -> Vec<JobText<'e>> {
    let mut ids: Vec<&str> = entries
        .iter()
        .filter(|e| e.path.len() >= 2 && e.path[0] == "jobs")
        .map(|e| e.path[1].as_str())
        .collect();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let mine: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.path.len() >= 2 && e.path[0] == "jobs" && e.path[1] == id)
            .collect();
        let mut run: Vec<(usize, String)> = Vec::new();
        for e in &mine {
            if e.path.last().is_some_and(|k| k == "run") {
                run.extend(run_lines(e, lines));
            }
        }
        let mut writes = Vec::new();
        for (line, command) in commands(&run) {
            let Some((at, file)) = redirect_target(&command) else {
                continue;
            };
            if file.starts_with('/') || file.starts_with('~') || file.starts_with('$') {
                continue;
            }
            let printed = &command[..at];
            let variable = super::EXPANSION
                .captures_iter(printed)
                .filter(|c| {
                    // `${X:+set}` says whether it is set.
                    c.get(2).is_none_or(|op| {
                        !op.as_str().starts_with(":+") && !op.as_str().starts_with('+')
                    })
                })
                .filter_map(|c| c.get(1).or_else(|| c.get(3)))
                .map(|m| m.as_str())
                .chain(
                    ACTIONS_EXPR
                        .captures_iter(printed)
                        .filter_map(|c| c.get(1))
                        .map(|m| m.as_str()),
                )
                .find(|v| is_token_var(v));
            let Some(variable) = variable else { continue };
            let verb = words(printed)
                .into_iter()
                .find(|w| w == "echo" || w == "printf")
                .unwrap_or_else(|| ">".to_owned());
            writes.push(TokenWrite {
                line,
                column: lines[line].text.find(file).unwrap_or(0),
                variable: variable.to_owned(),
                file: file.to_owned(),
                verb,
            });
        }
        out.push(JobText {
            entries: mine,
            run,
            writes,
        });
    }
    out
}

/// The `with:` value `key` of the step whose `uses:` entry is `uses`.
fn step_input<'e>(job: &JobText<'e>, uses: &Entry, key: &str) -> Option<&'e str> {
    let step = &uses.path[..uses.path.len() - 1];
    job.entries
        .iter()
        .find(|c| {
            c.path.len() == step.len() + 2
                && c.path.starts_with(step)
                && c.path[step.len()] == "with"
                && c.path[step.len() + 1] == key
        })
        .map(|c| unquote(&c.value))
}

/// Token files of the build context: a job writes a token variable to a relative path, then
/// builds an image with a path context (`docker build .`, build-push-action's `context: .`)
/// without handing that file over as a build secret.
pub(super) fn token_files(
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
) -> Vec<TokenFile> {
    let entries = entries(lines);
    let mut out = Vec::new();
    for job in jobs_with_writes(&entries, lines, is_token_var) {
        if job.writes.is_empty() {
            continue;
        }
        let text: String = job
            .entries
            .iter()
            .flat_map(|e| std::iter::once(e.line).chain(e.more.iter().copied()))
            .map(|j| lines[j].text.as_ref())
            .collect::<Vec<&str>>()
            .join("\n");
        // Builds with a context on disk, and where.
        let mut builds: Vec<(usize, String)> = Vec::new();
        for (line, command) in commands(&job.run) {
            let w = words(&command);
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            let build = match w.as_slice() {
                ["docker" | "podman", "build", ..] => Some("`docker build`"),
                ["docker", "buildx", "build", ..] => Some("`docker buildx build`"),
                ["docker", "compose", .., "build"] | ["docker-compose", .., "build"] => {
                    Some("`docker compose build`")
                }
                _ => None,
            };
            if let Some(b) = build {
                builds.push((line, b.to_owned()));
            }
        }
        for e in &job.entries {
            if e.path.last().is_some_and(|k| k == "uses")
                && unquote(&e.value).starts_with("docker/build-push-action")
                && step_input(&job, e, "context").is_some_and(|c| !c.contains("{{"))
            {
                builds.push((e.line, "`docker/build-push-action`".to_owned()));
            }
        }
        for w in &job.writes {
            let Some((build_line, build)) = builds.iter().find(|(b, _)| *b > w.line) else {
                continue;
            };
            // Handed over as a build secret (`--secret id=x,src=FILE`, `secret-files:`): the
            // recommended way, which never puts it in a layer.
            let base = w.file.rsplit('/').next().unwrap_or(&w.file);
            let as_secret = text.lines().any(|l| {
                (l.contains("--secret") || l.contains("secret-files") || l.contains("src="))
                    && l.contains(base)
            });
            if as_secret {
                continue;
            }
            out.push(TokenFile {
                line: w.line,
                column: w.column,
                variable: w.variable.clone(),
                file: w.file.clone(),
                build: build.clone(),
                build_line: *build_line as u64 + 1,
            });
        }
    }
    out
}

/// Actions that publish files of the workspace, and the input naming which.
const PUBLISHERS: &[(&str, &[&str])] = &[
    ("peaceiris/actions-gh-pages", &["publish_dir"]),
    ("JamesIves/github-pages-deploy-action", &["folder"]),
    ("actions/upload-pages-artifact", &["path"]),
    ("actions/upload-artifact", &["path"]),
    ("actions/deploy-pages", &[]),
];

/// A token variable written to a file that a later step of the job publishes.
#[derive(Debug)]
pub(super) struct Published {
    /// 0-based line index of the write.
    pub line: usize,
    pub column: usize,
    pub variable: String,
    pub file: String,
    /// `echo`, `printf`, or `>`.
    pub verb: String,
    pub action: String,
    /// 1-based.
    pub action_line: u64,
}

/// Token variables written to files that the job then publishes (GitHub Pages, an artifact):
/// the token is then on a web page or in a download, for anyone who can read the repository.
pub(super) fn published_files(
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
) -> Vec<Published> {
    let entries = entries(lines);
    let mut out = Vec::new();
    for job in jobs_with_writes(&entries, lines, is_token_var) {
        for w in &job.writes {
            let file = w.file.trim_start_matches("./");
            let publisher = job.entries.iter().find_map(|e| {
                if e.line <= w.line || e.path.last().is_none_or(|k| k != "uses") {
                    return None;
                }
                let action = unquote(&e.value);
                let (name, inputs) = PUBLISHERS
                    .iter()
                    .find(|(p, _)| action.split('@').next() == Some(*p))?;
                let dirs: Vec<&str> = inputs
                    .iter()
                    .filter_map(|k| step_input(&job, e, k))
                    .collect();
                let covers = dirs.is_empty()
                    || dirs.iter().any(|d| {
                        d.lines().any(|d| {
                            let d = d.trim().trim_start_matches("./").trim_end_matches('/');
                            d.is_empty()
                                || d == "."
                                || file == d
                                || file.starts_with(&format!("{d}/"))
                        })
                    });
                covers.then(|| ((*name).to_owned(), e.line as u64 + 1))
            });
            if let Some((action, action_line)) = publisher {
                out.push(Published {
                    line: w.line,
                    column: w.column,
                    variable: w.variable.clone(),
                    file: w.file.clone(),
                    verb: w.verb.clone(),
                    action,
                    action_line,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words(s)
    }

    #[test]
    fn commands_split_like_a_shell() {
        let run = vec![
            (0, "cd benchmarks && python push_results.py".to_owned()),
            (1, "LABELS=$(python utils/label_issues.py)".to_owned()),
            (
                2,
                "echo \"a; b\" | hf auth login --token-stdin # login".to_owned(),
            ),
            (3, "pytest -n 1 \\".to_owned()),
            (4, "  -k push_to_hub tests/".to_owned()),
        ];
        let got: Vec<String> = commands(&run).into_iter().map(|c| c.1).collect();
        assert_eq!(
            got,
            [
                "cd benchmarks",
                "python push_results.py",
                "LABELS=",
                "python utils/label_issues.py",
                "echo \"a; b\"",
                "hf auth login --token-stdin",
                "pytest -n 1 -k push_to_hub tests/",
            ]
        );
    }

    #[test]
    fn commands_are_classified() {
        assert_eq!(classify(&w("pytest -k push_to_hub")), Command::Opaque);
        assert_eq!(classify(&w("make test")), Command::Opaque);
        assert_eq!(classify(&w("PYTEST_ADDOPTS=x make test")), Command::Opaque);
        assert_eq!(classify(&w("python -m pytest tests")), Command::Opaque);
        assert_eq!(classify(&w("uv run pytest")), Command::Opaque);
        assert_eq!(classify(&w("npm run test:unit")), Command::Opaque);
        assert_eq!(
            classify(&w("python -u utils/push.py --x 1")),
            Command::Script(vec!["utils/push.py".into()])
        );
        assert_eq!(
            classify(&w("uv run --with x python scripts/a.py")),
            Command::Script(vec!["scripts/a.py".into()])
        );
        assert_eq!(
            classify(&w("python3 -m pkg.mod")),
            Command::Script(vec!["pkg/mod.py".into(), "pkg/mod/__main__.py".into()])
        );
        assert_eq!(
            classify(&w("bash scripts/x.sh arg")),
            Command::Script(vec!["scripts/x.sh".into()])
        );
        assert_eq!(
            classify(&w("./deploy.sh")),
            Command::Script(vec!["./deploy.sh".into()])
        );
        assert_eq!(
            classify(&w("accelerate launch --num_processes 2 train.py")),
            Command::Script(vec!["train.py".into()])
        );
        assert_eq!(classify(&w("python -c \"import x\"")), Command::Plain);
        assert_eq!(classify(&w("python $SCRIPT")), Command::Plain);
        assert_eq!(
            classify(&w("hf buckets sync ./out hf://buckets/a/b")),
            Command::Copy {
                to_hub: true,
                from_hub: false
            }
        );
        assert_eq!(
            classify(&w("hf sync hf://buckets/a/b ./in")),
            Command::Copy {
                to_hub: false,
                from_hub: true
            }
        );
        assert_eq!(classify(&w("echo hf upload")), Command::Print);
    }

    #[test]
    fn paths_resolve_inside_the_tree() {
        assert_eq!(join("", "./a/b.py").as_deref(), Some("a/b.py"));
        assert_eq!(
            join("bench", "../utils/x.py").as_deref(),
            Some("utils/x.py")
        );
        assert_eq!(join("", "../x.py"), None);
        assert_eq!(join("", "/usr/bin/x"), None);
        assert_eq!(join("", "$DIR/x.py"), None);
    }

    #[test]
    fn yaml_keys_and_comments() {
        assert_eq!(split_key("run: echo a: b"), Some(("run", "echo a: b")));
        assert_eq!(split_key("\"on\": push"), Some(("on", "push")));
        assert_eq!(split_key("env:"), Some(("env", "")));
        assert_eq!(split_key("python -c x"), None);
        assert_eq!(split_key("--flag value: x"), None);
        assert_eq!(split_key("https://x.y"), None);
        assert_eq!(strip_comment("pytest # run"), "pytest");
        assert_eq!(strip_comment("echo \"#1\""), "echo \"#1\"");
        assert_eq!(strip_comment("a#b"), "a#b");
    }
}
