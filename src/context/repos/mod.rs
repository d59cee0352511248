//! The need map: every call in a file that touches the Hub, and the repository it names when
//! the id is a literal (or a constant assigned once in the same file).
//!
//! A repository id that is anything else — a variable, an f-string, an argument, an
//! environment variable — is *unresolved*: the use is kept with its place and why, and no id
//! is ever guessed. Precision rules, each with a test:
//!
//! - Comments, docstrings and bare strings are prose; documentation files are not read at all.
//! - A local path (`./out`, `/data/x`, `~/m`, `a/b/c`, `model.bin`) is no repository.
//! - A name without a namespace (`gpt2`, `squad`, `output`) is either a local folder or a
//!   legacy canonical repository, which is public: reading it needs no permission, so a read of
//!   one is not listed. Writing to one is unresolved (it lands in whoever's namespace runs it).
//! - `{org}/{name}` templates, `"a" + b` and `"{}/{}".format(…)` are no literals.
//! - A Hub URL counts only where it is a whole string (or a command's argument), never inside
//!   prose (`"see https://huggingface.co/acme/m"`).
//!
//! Pure: a path, its platform and its bytes in; no file system, no network.

mod lex;
mod python;
mod shell;

use serde::{Deserialize, Serialize};

use super::Platform;
use crate::repo::is_name;
use crate::repo::{Kind, Repo};

/// What a use does with its repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Downloads or reads metadata: `repo.content.read`.
    Read,
    /// Uploads, commits, changes settings, creates or deletes: `repo.write` (and read).
    Write,
    /// Opens or comments on a discussion or pull request: `discussion.write`.
    Discussion,
    /// Calls inference (see [`HubUse::inference`]); no repository permission.
    Inference,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Discussion => "discussion",
            Access::Inference => "inference",
        }
    }
}

/// Which inference a use calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Inference {
    /// Inference Providers (`InferenceClient`, `router.huggingface.co`): the permission
    /// `inference.serverless.write`.
    Serverless,
    /// A dedicated Inference Endpoint (`*.endpoints.huggingface.cloud`):
    /// `inference.endpoints.infer.write`.
    Endpoints,
}

impl Inference {
    /// The fine-grained permission that allows it.
    pub fn permission(self) -> &'static str {
        match self {
            Inference::Serverless => "inference.serverless.write",
            Inference::Endpoints => "inference.endpoints.infer.write",
        }
    }
}

/// What a use is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// One repository, named by a literal.
    Repo(Repo),
    /// A new repository in this namespace (`create_repo` without `exist_ok`): a write on the
    /// whole namespace, the only way the Hub lets a token create one.
    Namespace(String),
    /// The Space's own repository (`SPACE_ID`), known only when the Space is (see
    /// [`resolve_own_space`]).
    OwnSpace,
    /// Nothing to name: inference without a model, an endpoint URL.
    Nothing,
    /// A repository id that is not a literal; why, for people.
    Unresolved(String),
}

/// One call that touches the Hub.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HubUse {
    /// 1-based line in the file (in a notebook: of the `.ipynb` file).
    pub line: u64,
    /// The call as written: `from_pretrained`, `upload_folder`, `hf upload`, `git push`, `url`.
    pub call: String,
    pub access: Access,
    pub target: Target,
    pub inference: Option<Inference>,
}

impl HubUse {
    /// Writes, creations and changes (not reads, discussions or inference).
    pub fn is_write(&self) -> bool {
        self.access == Access::Write
    }

    /// Why the repository is not known, for an unresolved use.
    pub fn unresolved(&self) -> Option<&str> {
        match &self.target {
            Target::Unresolved(why) => Some(why),
            Target::OwnSpace => Some("the repository is the Space's own (SPACE_ID)"),
            _ => None,
        }
    }
}

/// `model:acme/m`, `dataset:acme/d`, `space:acme/s`: how a plan and a message name a repository.
pub fn repo_label(repo: &Repo) -> String {
    format!("{}:{}", kind_str(repo.kind), repo.id)
}

/// The Hub's entity type of a repository kind (`model`, `dataset`, `space`, `bucket`).
pub fn kind_str(kind: Kind) -> &'static str {
    match kind {
        Kind::Model => "model",
        Kind::Dataset => "dataset",
        Kind::Space => "space",
        Kind::Bucket => "bucket",
    }
}

/// Files larger than this are not read for Hub calls (a generated bundle, a data dump).
const MAX_BYTES: usize = 16 << 20;

/// Every call in `bytes` that touches the Hub, by line. `path` (relative, `/`-separated) and
/// `platform` choose how the file is read: Python, JavaScript/TypeScript, a notebook's code
/// cells, or command lines (shell, workflows, Dockerfiles, Makefiles and the rest).
pub fn hub_uses(path: &str, platform: Platform, bytes: &[u8]) -> Vec<HubUse> {
    if platform == Platform::Docs || bytes.len() > MAX_BYTES || bytes.contains(&0) {
        return Vec::new();
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    let mut uses = if platform == Platform::Notebook || ext == "ipynb" {
        notebook_uses(bytes)
    } else if matches!(ext, "py" | "pyw" | "pyi") {
        python::uses(bytes, lex::Lang::Python)
    } else if matches!(
        ext,
        "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "jsx" | "tsx" | "svelte" | "vue"
    ) {
        python::uses(bytes, lex::Lang::Js)
    } else if commands_file(&name, ext, platform, bytes) {
        shell::uses(bytes)
    } else {
        Vec::new()
    };
    uses.sort();
    uses.dedup();
    uses
}

/// The hub uses of a file whose call lists found a write call (`calls.writes`), else none:
/// all HF016 needs from the files of a token's scope, without reading every file twice.
pub fn write_uses(
    path: &str,
    platform: Platform,
    bytes: &[u8],
    calls: &super::Calls,
) -> Vec<HubUse> {
    if calls.writes.is_empty() {
        Vec::new()
    } else {
        hub_uses(path, platform, bytes)
    }
}

/// Whether a file is read for command lines: shell scripts, Dockerfiles, Makefiles, CI
/// configurations, deployment YAML and scripts with a shebang. Not other languages, and not
/// configuration files, whose strings are data (a rule's example, a fixture), not commands.
fn commands_file(name: &str, ext: &str, platform: Platform, bytes: &[u8]) -> bool {
    const EXTS: &[&str] = &[
        "sh",
        "bash",
        "zsh",
        "ksh",
        "fish",
        "ps1",
        "psm1",
        "bat",
        "cmd",
        "mk",
        "just",
        "dockerfile",
        "containerfile",
    ];
    const NAMES: &[&str] = &[
        "makefile",
        "gnumakefile",
        "justfile",
        "procfile",
        "jenkinsfile",
        "containerfile",
    ];
    EXTS.contains(&ext)
        || NAMES.contains(&name)
        || name.starts_with("dockerfile")
        || name.starts_with("containerfile")
        || platform == Platform::Ci
        || (platform == Platform::Server && matches!(ext, "yml" | "yaml" | "toml" | "service" | ""))
        || (ext.is_empty() && bytes.starts_with(b"#!"))
}

/// Gives uses of the Space's own repository (`SPACE_ID`) the Space's id, when known (a clone of
/// a Space, the Hub source).
pub fn resolve_own_space(uses: &mut [HubUse], space_id: &str) {
    if !crate::repo::is_repo_id(space_id) {
        return;
    }
    for u in uses {
        if u.target == Target::OwnSpace {
            u.target = Target::Repo(Repo {
                kind: Kind::Space,
                id: space_id.to_owned(),
            });
        }
    }
}

/// Whether one of `uses` is the write call `name` that the call lists (`data/calls.toml`)
/// found: a write with no such use is one hfaudit could not tie to a repository.
pub fn covers(uses: &[HubUse], name: &str) -> bool {
    // `hf upload-large-folder` is found as `hf upload`; `--push_to_hub` as `--push-to-hub`.
    let norm = |s: &str| s.trim_start_matches('-').replace('_', "-");
    let want = norm(name);
    uses.iter()
        .filter(|u| matches!(u.access, Access::Write | Access::Discussion))
        .any(|u| norm(&u.call).starts_with(&want))
}

// ---------------------------------------------------------------------------------------------
// Repository ids, paths and URLs

/// What a literal given as a repository id names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Named {
    Repo(Repo),
    /// No namespace: a local folder or a canonical (public) repository.
    Bare(String),
    /// A local path or file, or something that is no repository id at all.
    Local,
    /// A Hub URL that names no repository, or inference.
    Url(UrlUse),
    /// Looks like an id but is a template or a variable (`{org}/m`, `$REPO`).
    Template(String),
    /// A storage bucket (`hf://buckets/…`): not a repository a plan can scope.
    Bucket,
}

/// What a Hub URL is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlUse {
    Repo(Repo),
    Inference(Inference, Option<Repo>),
    /// A page (docs, settings, an organisation) or another host: not a use.
    Page,
    /// A Hub URL whose repository part is a variable or template.
    Template(String),
}

/// File extensions that make a literal a file, not a repository (`model.safetensors`).
const FILE_EXTS: &[&str] = &[
    "bin",
    "json",
    "jsonl",
    "pt",
    "pth",
    "ckpt",
    "safetensors",
    "gguf",
    "ggml",
    "onnx",
    "txt",
    "csv",
    "tsv",
    "parquet",
    "arrow",
    "zip",
    "tar",
    "gz",
    "tgz",
    "bz2",
    "xz",
    "zst",
    "h5",
    "hdf5",
    "pkl",
    "pickle",
    "npy",
    "npz",
    "yaml",
    "yml",
    "toml",
    "model",
    "py",
    "md",
    "png",
    "jpg",
    "jpeg",
    "wav",
    "mp3",
    "mp4",
    "msgpack",
    "tflite",
    "pb",
    "engine",
    "plan",
    "mlmodel",
    "xml",
    "db",
    "sqlite",
    "sh",
    "ps1",
    "html",
    "js",
];

/// A name with a file's extension (`install.sh`): a file, not a repository.
fn is_file_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| FILE_EXTS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Reads a literal given where a repository id goes. `prefixed`: `datasets/…` and `spaces/…`
/// name a kind (huggingface.js, the `hf` CLI's `hf://`-less forms); elsewhere they are paths.
pub(super) fn name_repo(text: &str, kind: Kind, prefixed: bool) -> Named {
    let s = text.trim();
    if s.is_empty() {
        return Named::Local;
    }
    if s.starts_with("https://") || s.starts_with("http://") {
        return Named::Url(hub_url(s));
    }
    if let Some(rest) = s.strip_prefix("hf://") {
        return hf_path(rest);
    }
    let s = s
        .strip_prefix("hf-hub:")
        .or_else(|| s.strip_prefix("hf_hub:"))
        .unwrap_or(s);
    if s.contains(['{', '}', '$', '%', '<', '>', '*']) {
        return Named::Template(s.to_owned());
    }
    let (kind, s) = match (prefixed, s.split_once('/')) {
        (true, Some(("datasets", r))) => (Kind::Dataset, r),
        (true, Some(("spaces", r))) => (Kind::Space, r),
        (true, Some(("models", r))) => (Kind::Model, r),
        _ => (kind, s),
    };
    if s.starts_with(['.', '/', '~', '\\'])
        || s.contains('\\')
        || s.contains("//")
        || s.as_bytes().get(1) == Some(&b':')
        || s.ends_with('/')
    {
        return Named::Local;
    }
    if let Some((_, ext)) = s.rsplit_once('.') {
        if FILE_EXTS.contains(&ext.to_ascii_lowercase().as_str()) {
            return Named::Local;
        }
    }
    match s.split('/').collect::<Vec<_>>().as_slice() {
        [one] if is_name(one) => Named::Bare((*one).to_owned()),
        [owner, name] if placeholder(owner, name) => Named::Template(s.to_owned()),
        [owner, name] if is_name(owner) && is_name(name) => Named::Repo(Repo {
            kind,
            id: format!("{owner}/{name}"),
        }),
        _ => Named::Local,
    }
}

/// `hf://datasets/acme/d/file.parquet` (huggingface_hub's file system) without its scheme.
fn hf_path(rest: &str) -> Named {
    if rest.starts_with("buckets/") {
        return Named::Bucket;
    }
    let (kind, rest) = match rest.split_once('/') {
        Some(("datasets", r)) => (Kind::Dataset, r),
        Some(("spaces", r)) => (Kind::Space, r),
        Some(("models", r)) => (Kind::Model, r),
        _ => (Kind::Model, rest),
    };
    let mut parts = rest.splitn(3, '/');
    let owner = parts.next().unwrap_or_default();
    let name = parts.next().unwrap_or_default();
    let name = name.split('@').next().unwrap_or_default();
    if owner.contains(['{', '$', '%']) || name.contains(['{', '$', '%']) {
        return Named::Template(format!("{owner}/{name}"));
    }
    if placeholder(owner, name) {
        Named::Template(format!("{owner}/{name}"))
    } else if is_name(owner) && is_name(name) {
        Named::Repo(Repo {
            kind,
            id: format!("{owner}/{name}"),
        })
    } else {
        Named::Local
    }
}

/// First path segments of huggingface.co that are pages, not namespaces.
const RESERVED: &[&str] = &[
    "docs",
    "blog",
    "settings",
    "join",
    "login",
    "logout",
    "pricing",
    "papers",
    "learn",
    "tasks",
    "chat",
    "collections",
    "organizations",
    "posts",
    "new",
    "new-space",
    "new-dataset",
    "new-collection",
    "enterprise",
    "inference-endpoints",
    "inference-api",
    "inference",
    "welcome",
    "terms-of-service",
    "privacy",
    "support",
    "changelog",
    "search",
    "notifications",
    "oauth",
    "storage",
    "course",
    "billing",
    "subscribe",
    "api",
    "models",
    "datasets",
    "spaces",
    "buckets",
    "kernels",
    "static-proxy",
    "front",
    "avatars",
    "hf",
    "mcp",
    "jobs",
    "brand",
    "code-of-conduct",
    "content-guidelines",
    "cli",
];

/// Path segments after a repository in its URLs: after a single name, they make it a
/// canonical repository (`huggingface.co/gpt2/resolve/main/…`).
const REPO_PAGES: &[&str] = &[
    "resolve",
    "raw",
    "blob",
    "tree",
    "discussions",
    "commit",
    "commits",
    "edit",
    "upload",
    "delete",
    "new",
    "settings",
    "viewer",
];

/// Documentation stand-ins (`user/repo`, `your-username/model`, `<org>/x`): never a repository.
pub(super) fn placeholder(owner: &str, name: &str) -> bool {
    const OWNERS: &[&str] = &[
        "user",
        "username",
        "my-account",
        "my_account",
        "my-name",
        "my_name",
        "myname",
        "myuser",
        "myorg",
        "my-namespace",
        "my_namespace",
        "my-user",
        "my_user",
        "my-username",
        "my_username",
        "my-org",
        "my_org",
        "org",
        "organization",
        "namespace",
        "someone",
        "nonexistent-user",
        "hf-user",
        "hf_user",
    ];
    let o = owner.to_ascii_lowercase();
    let n = name.to_ascii_lowercase();
    OWNERS.contains(&o.as_str())
        || [&o, &n].iter().any(|s| {
            s.starts_with("your")
                || s.contains("username")
                || s.contains("xxx")
                || s.contains("...")
        })
}

/// Why a repository id that is a template (or a placeholder) is unresolved.
pub(super) fn template_why(t: &str) -> String {
    match t.split_once('/') {
        Some((o, n)) if placeholder(o, n) => format!("{t:?} looks like a placeholder"),
        _ => format!("the repository id {t:?} is a template"),
    }
}

/// What an `http(s)://` URL on a Hub host is.
pub fn hub_url(url: &str) -> UrlUse {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ')' | ']' | '>'))
        .unwrap_or(rest.len());
    let rest = &rest[..end];
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let repo_at = |kind: Kind, i: usize| -> UrlUse {
        match (segs.get(i), segs.get(i + 1)) {
            // `huggingface.co/gpt2/resolve/main/…`: a canonical repository (public).
            (Some(o), Some(n)) if REPO_PAGES.contains(n) && !o.contains(['{', '$', '%', '<']) => {
                UrlUse::Page
            }
            (Some(o), Some(n)) => {
                let n = n.strip_suffix(".git").unwrap_or(n);
                if o.contains(['{', '$', '%', '<'])
                    || n.contains(['{', '$', '%', '<'])
                    || placeholder(o, n)
                {
                    UrlUse::Template(format!("{o}/{n}"))
                } else if is_name(o) && is_name(n) && !is_file_name(n) {
                    UrlUse::Repo(Repo {
                        kind,
                        id: format!("{o}/{n}"),
                    })
                } else {
                    UrlUse::Page
                }
            }
            (Some(o), None) if o.contains(['{', '$', '%']) => UrlUse::Template((*o).to_owned()),
            _ => UrlUse::Page,
        }
    };
    if host.ends_with(".endpoints.huggingface.cloud") {
        return UrlUse::Inference(Inference::Endpoints, None);
    }
    match host.as_str() {
        "huggingface.co" | "www.huggingface.co" | "hf.co" => match segs.first().copied() {
            Some("datasets") => repo_at(Kind::Dataset, 1),
            Some("spaces") => repo_at(Kind::Space, 1),
            Some("api") => match segs.get(1).copied() {
                Some("models") => repo_at(Kind::Model, 2),
                Some("datasets") => repo_at(Kind::Dataset, 2),
                Some("spaces") => repo_at(Kind::Space, 2),
                _ => UrlUse::Page,
            },
            Some(first) if RESERVED.contains(&first) => UrlUse::Page,
            Some(_) => repo_at(Kind::Model, 0),
            None => UrlUse::Page,
        },
        "api-inference.huggingface.co" => {
            let repo = match (segs.first().copied(), repo_at(Kind::Model, 1)) {
                (Some("models"), UrlUse::Repo(r)) => Some(r),
                _ => None,
            };
            UrlUse::Inference(Inference::Serverless, repo)
        }
        // `router.huggingface.co/hf-inference/models/OWNER/NAME/…`: that model; other routes
        // (`/v1/chat/completions`) name it in the request body.
        "router.huggingface.co" => {
            let at = match (segs.first().copied(), segs.get(1).copied()) {
                (Some("models"), _) => Some(1),
                (Some(_), Some("models")) => Some(2),
                _ => None,
            };
            let repo = match at.map(|i| repo_at(Kind::Model, i)) {
                Some(UrlUse::Repo(r)) => Some(r),
                _ => None,
            };
            UrlUse::Inference(Inference::Serverless, repo)
        }
        _ => UrlUse::Page,
    }
}

// ---------------------------------------------------------------------------------------------
// Notebooks

/// Code cells of a notebook: Python, with `!cmd` lines, `%%bash` cells and the like read as
/// command lines. Line numbers are the `.ipynb` file's.
fn notebook_uses(bytes: &[u8]) -> Vec<HubUse> {
    let Some(ranges) = super::notebook::cell_ranges(bytes) else {
        return Vec::new();
    };
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Vec::new();
    };
    let cells = doc
        .get("cells")
        .or_else(|| doc.pointer("/worksheets/0/cells"))
        .and_then(serde_json::Value::as_array);
    let Some(cells) = cells else {
        return Vec::new();
    };
    // One Python text for all code cells (they share one namespace: a constant is assigned
    // once over the whole notebook), each cell tokenized on its own; commands per cell.
    let mut py = String::new();
    let mut py_lines: Vec<u64> = Vec::new();
    let mut py_cells = Vec::new();
    let mut out = Vec::new();
    for (start, end, cell) in ranges {
        if cell.part != super::CellPart::Source {
            continue;
        }
        let code = cells
            .get(cell.index)
            .and_then(|c| c.get("cell_type"))
            .and_then(serde_json::Value::as_str)
            == Some("code");
        if !code {
            continue;
        }
        let (text, lines) = cell_text(bytes, start, end);
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let shell_cell = ["%%bash", "%%sh", "%%script bash", "%%script sh", "%%shell"]
            .iter()
            .any(|m| first.trim_start().starts_with(m));
        let at_line = |uses: &mut Vec<HubUse>| {
            for u in uses {
                u.line = usize::try_from(u.line)
                    .ok()
                    .and_then(|l| lines.get(l.saturating_sub(1)))
                    .copied()
                    .unwrap_or(1);
            }
        };
        if shell_cell {
            let mut u = shell::uses(text.as_bytes());
            at_line(&mut u);
            out.extend(u);
            continue;
        }
        // Magics and `!cmd` lines are commands; the rest is Python. Each keeps its lines.
        let from = py.len();
        let mut sh = String::new();
        for l in text.split_inclusive('\n') {
            let t = l.trim_start();
            let nl = if l.ends_with('\n') { "\n" } else { "" };
            // Every line of the cell is one line of `py`, the last one too.
            if t.starts_with('!') || t.starts_with('%') {
                py.push('\n');
                sh.push_str(t.strip_prefix('!').unwrap_or(t));
            } else {
                py.push_str(l);
                if nl.is_empty() {
                    py.push('\n');
                }
                sh.push_str(nl);
            }
        }
        py_cells.push(from..py.len());
        py_lines.extend(&lines);
        let mut u = shell::uses(sh.as_bytes());
        at_line(&mut u);
        out.extend(u);
    }
    let mut uses = python::uses_in_cells(py.as_bytes(), &py_cells);
    for u in &mut uses {
        u.line = usize::try_from(u.line)
            .ok()
            .and_then(|l| py_lines.get(l.saturating_sub(1)))
            .copied()
            .unwrap_or(1);
    }
    out.extend(uses);
    out
}

/// The text of a cell's `source` (a JSON string or list of strings at `bytes[start..end]`) and,
/// for each of its lines, the line of the file it is on.
fn cell_text(bytes: &[u8], start: usize, end: usize) -> (String, Vec<u64>) {
    let mut text = String::new();
    let mut lines = Vec::new();
    let mut file_line = 1 + memchr::memchr_iter(b'\n', &bytes[..start]).count() as u64;
    let mut i = start;
    let mut at_line_start = true;
    while i < end {
        match bytes[i] {
            b'"' => {
                let Some(close) = super::notebook::scan_string(bytes, i) else {
                    break;
                };
                let piece: String = serde_json::from_slice(&bytes[i..close]).unwrap_or_default();
                for ch in piece.chars() {
                    if at_line_start {
                        lines.push(file_line);
                        at_line_start = false;
                    }
                    text.push(ch);
                    if ch == '\n' {
                        at_line_start = true;
                    }
                }
                i = close;
            }
            b'\n' => {
                file_line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    (text, lines)
}

#[cfg(test)]
mod tests;
