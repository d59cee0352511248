//! The Hub as a source: `hf://` repositories read over the Hub's HTTP API, each file,
//! discussion and variable handed to the inspector as a blob whose origin says where on the Hub
//! it is, and recorded by the fold, as local files and git blobs are: rules, suppression and
//! reports never know where the bytes came from.
//!
//! What is read: every file of the revision asked (default: the default branch), the files of
//! each pull request ref that the default branch does not already have, every discussion's
//! title and comments, and a Space's public variables. LFS/Xet files up to a size limit are
//! downloaded from the CDN the Hub redirects to (without the token); bigger ones are skipped
//! and counted, never requested. One repository's failure is an error entry for it; the scan
//! goes on. It must not print: notes go back to the caller.

pub mod api;
pub mod target;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::engine::Engine;
use crate::fold::{self, Progress};
use crate::git;
use crate::http::{self, Endpoint};
use crate::model::{HubItem, ScanError, ScanOutput, Skipped, Source};
use crate::origin::Origin;
use crate::secret::Secret;

use api::{Api, Failure};
pub use target::{is_hub, parse, Kind, Repo, Target, TargetError};

/// The branch read when no revision is named: the Hub's default, as huggingface_hub assumes.
pub const DEFAULT_REVISION: &str = "main";

/// How to read the Hub.
#[derive(Debug, Clone)]
pub struct Options {
    pub endpoint: Endpoint,
    /// The user's token, for private repositories; sent to the endpoint only.
    pub token: Option<Secret>,
    /// Files (not LFS) larger than this are skipped.
    pub max_filesize: Option<u64>,
    /// LFS/Xet files larger than this are skipped, never downloaded.
    pub max_lfs: Option<u64>,
    pub pull_requests: bool,
    pub discussions: bool,
    pub variables: bool,
    /// Mirror-clone each repository and scan its whole git history as well.
    pub history: bool,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per request (a download included).
    pub timeout: Duration,
}

impl Options {
    pub fn new(endpoint: Endpoint) -> Self {
        Options {
            endpoint,
            token: None,
            max_filesize: Some(1 << 30),
            max_lfs: Some(50 << 20),
            pull_requests: true,
            discussions: true,
            variables: true,
            history: false,
            concurrency: 8,
            timeout: Duration::from_secs(60),
        }
    }

    /// The shared client's settings for a Hub scan: verification's policy, with room for a
    /// long run and for downloads.
    fn http(&self) -> http::Policy {
        let mut o = http::Policy::new(self.endpoint.clone()).with_timeout(self.timeout);
        o.deadline = Duration::from_secs(24 * 3600);
        o.concurrency = self.concurrency.max(1);
        o.max_attempts = 4;
        o.retry_budget = Duration::from_secs(120);
        let files = self
            .max_filesize
            .unwrap_or(u64::MAX)
            .max(self.max_lfs.unwrap_or(u64::MAX));
        o.max_body = files.max(64 << 20);
        o
    }
}

/// What a Hub scan produced.
#[derive(Debug, Default)]
pub struct HubScan {
    pub output: ScanOutput,
    /// For people: no token, rate limits waited out, requests made.
    pub notes: Vec<String>,
    pub requests: u64,
    pub repos: usize,
}

/// A file to download, and every place it appears (the same blob in two repositories is
/// downloaded once and reported at each).
#[derive(Debug, Clone)]
struct FileJob {
    key: String,
    url: String,
    size: u64,
    lfs: bool,
    places: Vec<(String, Source)>,
}

/// One entry of a tree listing, as `huggingface_hub.list_repo_tree` reads it.
#[derive(Debug, Deserialize)]
struct TreeEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    oid: String,
    #[serde(default)]
    size: u64,
    path: String,
    #[serde(default)]
    lfs: Option<Lfs>,
}

#[derive(Debug, Deserialize)]
struct Lfs {
    oid: String,
    size: u64,
}

/// What reading one repository's listings gave: files to fetch, and what was scanned already.
#[derive(Default)]
struct Plan {
    files: Vec<FileJob>,
    output: ScanOutput,
}

/// Reads every target. Never fails as a whole: failures are error entries, and notes.
pub fn scan(targets: &[Target], opts: &Options, engine: &Engine, progress: &Progress) -> HubScan {
    let mut out = HubScan::default();
    let http = opts.http();
    let api = match Api::new(&http, opts.token.as_ref()) {
        Ok(api) => api,
        Err(e) => {
            out.output.errors.push(ScanError {
                path: "hf://".into(),
                message: e,
            });
            return out;
        }
    };
    if !api.has_token() {
        out.notes.push(
            "no Hugging Face token (HF_TOKEN or the token file): the Hub source reads public \
             repositories only"
                .into(),
        );
    }
    // Repositories, each once, in the order named.
    let mut repos: Vec<(Repo, Option<String>)> = Vec::new();
    let mut seen = HashSet::new();
    for t in targets {
        match t {
            Target::Repo { repo, revision } => {
                if seen.insert((repo.clone(), revision.clone())) {
                    repos.push((repo.clone(), revision.clone()));
                }
            }
            Target::Owner { owner, kind } => match list_owner(&api, owner, *kind) {
                Ok(list) => {
                    for repo in list {
                        if seen.insert((repo.clone(), None)) {
                            repos.push((repo, None));
                        }
                    }
                }
                Err(e) => out.output.errors.push(e),
            },
        }
    }
    out.repos = repos.len();
    let plans = parallel(&repos, opts.concurrency, |(repo, rev)| {
        let plan = plan_repo(&api, engine, opts, repo, rev.as_deref(), progress);
        progress.repos.fetch_add(1, Ordering::Relaxed);
        plan
    });
    // Each blob once: by LFS sha256, else git blob id.
    let mut jobs: Vec<FileJob> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for plan in plans {
        out.output.merge(plan.output);
        for job in plan.files {
            if let Some(&i) = by_key.get(&job.key) {
                jobs[i].places.extend(job.places);
            } else {
                by_key.insert(job.key.clone(), jobs.len());
                jobs.push(job);
            }
        }
    }
    let (fetch, too_big): (Vec<FileJob>, Vec<FileJob>) = jobs.into_iter().partition(|j| {
        let limit = if j.lfs {
            opts.max_lfs
        } else {
            opts.max_filesize
        };
        limit.is_none_or(|max| j.size <= max)
    });
    for j in too_big {
        for (path, _) in &j.places {
            out.output.skipped.push(Skipped {
                path: path.clone(),
                reason: format!(
                    "{} of {} bytes, over the limit{}: not downloaded",
                    if j.lfs { "LFS file" } else { "file" },
                    j.size,
                    if j.lfs {
                        " of --lfs-max-size"
                    } else {
                        " of --max-filesize"
                    }
                ),
            });
        }
    }
    let results = parallel(&fetch, opts.concurrency, |job| {
        fetch_file(&api, engine, job, progress)
    });
    for r in results {
        out.output.merge(r);
    }
    if opts.history {
        for (repo, _) in &repos {
            let o = history(opts, engine, repo, progress);
            out.output.merge(o);
        }
    }
    out.requests = api.requests.load(Ordering::Relaxed);
    out.notes.extend(api.rate_note());
    out.notes
        .extend(api.notes.lock().map(|n| n.clone()).unwrap_or_default());
    out.notes.push(format!(
        "read {} Hub repositor{} from {} with {} request{}",
        out.repos,
        if out.repos == 1 { "y" } else { "ies" },
        opts.endpoint,
        out.requests,
        crate::output::plural(out.requests as usize)
    ));
    out
}

/// The origin the Hub source gives a discussion or variable at this display path
/// (`hf://spaces/acme/demo/variables/HF_TOKEN`), so rule examples, which only have a path, are
/// judged as the Hub source's items are. Anything else is a file of a tree.
pub fn example_origin(path: &str) -> Origin {
    match example_source(path) {
        Some(place) => Origin::hub(path.to_owned(), place, None),
        None => Origin::File(path.into()),
    }
}

fn example_source(path: &str) -> Option<Source> {
    let rest = path.strip_prefix("hf://")?;
    let (repo, item) = if let Some((r, _)) = rest.split_once("/variables/") {
        (r, HubItem::Variable)
    } else if let Some((r, _)) = rest.split_once("/discussions/") {
        (r, HubItem::Discussion)
    } else {
        return None;
    };
    Some(Source {
        kind: "hub",
        repo: repo.to_owned(),
        revision: DEFAULT_REVISION.to_owned(),
        item,
        url: String::new(),
    })
}

/// Runs `f` over `items`, `workers` at a time, results in item order.
fn parallel<T: Sync, R: Send>(items: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let workers = workers.clamp(1, items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                results.lock().expect("no worker panics holding the lock")[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .expect("workers are done")
        .into_iter()
        .flatten()
        .collect()
}

/// Why a request failed, for a repository's error entry.
fn failure_text(f: &Failure, has_token: bool) -> String {
    match f {
        Failure::Status(401 | 403 | 404, _) if !has_token => format!(
            "{f} (private, gated or missing: without a token only public repositories are read)"
        ),
        Failure::Status(401 | 403 | 404, _) => {
            format!("{f} (private, gated or missing, or the token may not read it)")
        }
        _ => f.to_string(),
    }
}

/// Every repository of an owner (a user or an organisation), every page.
fn list_owner(api: &Api<'_>, owner: &str, kind: Option<Kind>) -> Result<Vec<Repo>, ScanError> {
    let kinds: Vec<Kind> = kind.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
    let mut repos = Vec::new();
    let shown = format!("hf://{}{owner}", kind.map_or("", Kind::prefix));
    for k in kinds {
        let err = |f: Failure| ScanError {
            path: shown.clone(),
            message: format!(
                "cannot list {}: {}",
                k.plural(),
                failure_text(&f, api.has_token())
            ),
        };
        let url = api
            .url(&format!("api/{}?author={owner}", k.plural()))
            .map_err(err)?;
        repos.extend(owner_repos(&api.list(url).map_err(err)?, k).map_err(err)?);
    }
    if repos.is_empty() {
        return Err(ScanError {
            path: shown,
            message: "no repository found for this owner".into(),
        });
    }
    Ok(repos)
}

/// The repositories of one page of an owner's listing (every one must have a valid id).
pub(crate) fn owner_repos(items: &[Value], kind: Kind) -> Result<Vec<Repo>, Failure> {
    items
        .iter()
        .map(|item| match item.get("id").and_then(Value::as_str) {
            Some(id) if target::is_repo_id(id) => Ok(Repo {
                kind,
                id: id.to_owned(),
            }),
            _ => Err(Failure::Other(
                "unexpected answer: a listed repository has no valid id".into(),
            )),
        })
        .collect()
}

fn source(repo: &Repo, revision: &str, item: HubItem, url: String) -> Source {
    Source {
        kind: "hub",
        repo: repo.name(),
        revision: revision.to_owned(),
        item,
        url,
    }
}

/// Reads a repository's listings: the tree, pull request refs, discussions and variables.
fn plan_repo(
    api: &Api<'_>,
    engine: &Engine,
    opts: &Options,
    repo: &Repo,
    revision: Option<&str>,
    progress: &Progress,
) -> Plan {
    let mut plan = Plan::default();
    let err = |f: &Failure, what: &str| ScanError {
        path: repo.display_at(revision),
        message: format!("cannot read {what}: {}", failure_text(f, api.has_token())),
    };
    let rev = revision.unwrap_or(DEFAULT_REVISION);
    let main = match tree(api, repo, rev) {
        Ok(t) => t,
        Err(f) => {
            plan.output.errors.push(err(&f, "the file list"));
            return plan;
        }
    };
    let mut have: HashSet<String> = HashSet::new();
    let web = api_endpoint(api);
    add_files(&web, repo, revision, main, &mut have, &mut plan);
    if opts.pull_requests && revision.is_none() {
        match pull_requests(api, repo) {
            Ok(refs) => {
                for r in refs {
                    match tree(api, repo, &r) {
                        Ok(t) => add_files(&web, repo, Some(&r), t, &mut have, &mut plan),
                        Err(f) => plan.output.errors.push(ScanError {
                            path: repo.display_at(Some(&r)),
                            message: format!(
                                "cannot read the file list: {}",
                                failure_text(&f, api.has_token())
                            ),
                        }),
                    }
                }
            }
            Err(f) => plan.output.errors.push(err(&f, "the pull request refs")),
        }
    }
    if opts.discussions && revision.is_none() {
        if let Err(f) = discussions(api, engine, repo, progress, &mut plan.output) {
            // A repository with discussions turned off answers 403/404: nothing to read.
            if !matches!(f, Failure::Status(403 | 404, _)) {
                plan.output.errors.push(err(&f, "the discussions"));
            }
        }
    }
    if opts.variables && repo.kind == Kind::Space && revision.is_none() {
        if let Err(f) = variables(api, engine, repo, progress, &mut plan.output) {
            if !matches!(f, Failure::Status(401 | 403 | 404, _)) {
                plan.output.errors.push(err(&f, "the Space variables"));
            }
        }
    }
    plan
}

/// A revision's files, every page (1,000 entries a page).
fn tree(api: &Api<'_>, repo: &Repo, rev: &str) -> Result<Vec<TreeEntry>, Failure> {
    let url = api.url(&format!(
        "api/{}/{}/tree/{}?recursive=true&expand=false",
        repo.kind.plural(),
        repo.id,
        target::encode_segment(rev)
    ))?;
    tree_entries(api.list(url)?)
}

/// A tree listing's items, as entries.
fn tree_entries(items: Vec<Value>) -> Result<Vec<TreeEntry>, Failure> {
    items
        .into_iter()
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|e| Failure::Other(format!("unexpected tree entry: {e}")))
        })
        .collect()
}

/// The downloads a tree listing plans, as [`plan_repo`] makes them: each one's request path
/// (relative to the endpoint) and report path, and how many entries were refused. For the fuzz
/// targets (`fuzz/`).
pub(crate) fn planned_downloads(
    repo: &Repo,
    revision: Option<&str>,
    items: Vec<Value>,
) -> Result<(Vec<(String, String)>, usize), Failure> {
    let mut plan = Plan::default();
    let entries = tree_entries(items)?;
    let mut have = HashSet::new();
    add_files(
        "https://hub.invalid",
        repo,
        revision,
        entries,
        &mut have,
        &mut plan,
    );
    let files = plan
        .files
        .into_iter()
        .map(|job| {
            let shown = job.places.into_iter().next().map(|(p, _)| p);
            (job.url, shown.unwrap_or_default())
        })
        .collect();
    Ok((files, plan.output.errors.len()))
}

/// Adds a revision's files not seen in an earlier revision of the repository; `web_base` is
/// the endpoint the files' web links start with.
fn add_files(
    web_base: &str,
    repo: &Repo,
    revision: Option<&str>,
    entries: Vec<TreeEntry>,
    have: &mut HashSet<String>,
    plan: &mut Plan,
) {
    let rev = revision.unwrap_or(DEFAULT_REVISION);
    for e in entries.into_iter().filter(|e| e.kind == "file") {
        let (key, size, lfs) = match &e.lfs {
            Some(l) => (format!("lfs:{}", l.oid), l.size, true),
            None if !e.oid.is_empty() => (format!("git:{}", e.oid), e.size, false),
            None => (
                format!("path:{}@{rev}/{}", repo.name(), e.path),
                e.size,
                false,
            ),
        };
        // A file that a pull request shares with the default branch is read once, there.
        if !have.insert(key.clone()) {
            continue;
        }
        let display = format!("{}/{}", repo.display_at(revision), e.path);
        if e.path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
            || e.path.contains(['\\', '%'])
        {
            plan.output.errors.push(ScanError {
                path: display,
                message: "the Hub listed a path that cannot be requested safely; not read".into(),
            });
            continue;
        }
        let rel = format!(
            "{}{}/resolve/{}/{}",
            repo.kind.prefix(),
            repo.id,
            target::encode_segment(rev),
            target::encode_path(&e.path)
        );
        let web = format!(
            "{web_base}/{}{}/blob/{}/{}",
            repo.kind.prefix(),
            repo.id,
            target::encode_segment(rev),
            target::encode_path(&e.path)
        );
        plan.files.push(FileJob {
            key,
            url: rel,
            size,
            lfs,
            places: vec![(display, source(repo, rev, HubItem::File, web))],
        });
    }
}

fn api_endpoint(api: &Api<'_>) -> String {
    api.url("").map_or_else(
        |_| String::new(),
        |u| u.as_str().trim_end_matches('/').to_owned(),
    )
}

/// The pull request refs (`refs/pr/N`), open and closed.
fn pull_requests(api: &Api<'_>, repo: &Repo) -> Result<Vec<String>, Failure> {
    let url = api.url(&format!(
        "api/{}/{}/refs?include_prs=1",
        repo.kind.plural(),
        repo.id
    ))?;
    let (v, _) = api.json(&url)?;
    Ok(pr_refs(&v))
}

/// The well-formed pull request refs (`refs/pr/` and digits) of a refs answer.
pub(crate) fn pr_refs(v: &Value) -> Vec<String> {
    v.get("pullRequests")
        .and_then(Value::as_array)
        .map(|prs| {
            prs.iter()
                .filter_map(|p| p.get("ref").and_then(Value::as_str))
                .filter(|r| {
                    r.strip_prefix("refs/pr/")
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Inspects `text` as one item of the Hub (a discussion, a variable) at `path`.
fn scan_text(
    engine: &Engine,
    path: String,
    text: &str,
    place: Source,
    progress: &Progress,
    out: &mut ScanOutput,
) {
    let origin = Origin::hub(path, place, None);
    let inspected = engine.inspector().inspect(origin, text.as_bytes());
    fold::record(out, progress, inspected);
}

/// Every discussion and pull request thread: titles and comments, every page of the list.
fn discussions(
    api: &Api<'_>,
    engine: &Engine,
    repo: &Repo,
    progress: &Progress,
    out: &mut ScanOutput,
) -> Result<(), Failure> {
    let base = format!("api/{}/{}/discussions", repo.kind.plural(), repo.id);
    let mut nums = Vec::new();
    for page in 0..100_000u64 {
        let (v, _) = api.json(&api.url(&format!("{base}?p={page}"))?)?;
        let (on_page, more) = discussion_page(&v)?;
        nums.extend(on_page);
        if !more {
            break;
        }
    }
    nums.sort_unstable();
    nums.dedup();
    for num in nums {
        let path = format!("{}/discussions/{num}", repo.display());
        let (v, _) = match api.json(&api.url(&format!("{base}/{num}"))?) {
            Ok(x) => x,
            Err(f) => {
                out.errors.push(ScanError {
                    path,
                    message: format!("cannot read: {}", failure_text(&f, api.has_token())),
                });
                continue;
            }
        };
        let text = discussion_text(&v);
        let web = format!(
            "{}/{}{}/discussions/{num}",
            api_endpoint(api),
            repo.kind.prefix(),
            repo.id
        );
        let src = source(repo, DEFAULT_REVISION, HubItem::Discussion, web);
        scan_text(engine, path, &text, src, progress, out);
    }
    Ok(())
}

/// One page of the discussions list: the numbers on it, and whether another page follows.
pub(crate) fn discussion_page(v: &Value) -> Result<(Vec<u64>, bool), Failure> {
    let list = v
        .get("discussions")
        .and_then(Value::as_array)
        .ok_or_else(|| Failure::Other("unexpected answer: no discussions list".into()))?;
    let nums = list
        .iter()
        .filter_map(|d| d.get("num").and_then(Value::as_u64))
        .collect();
    let count = v.get("count").and_then(Value::as_u64).unwrap_or(0);
    let start = v.get("start").and_then(Value::as_u64).unwrap_or(0);
    // The Hub's numbers are not trusted: a `start` near 2^64 must not overflow.
    let more = !list.is_empty() && start.saturating_add(list.len() as u64) < count;
    Ok((nums, more))
}

/// A discussion as one text: the title, then each comment's latest text, a blank line apart
/// (lines count in that).
pub(crate) fn discussion_text(v: &Value) -> String {
    let mut text = v
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    for e in v
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(raw) = e.pointer("/data/latest/raw").and_then(Value::as_str) {
            text.push_str("\n\n");
            text.push_str(raw);
        }
    }
    text
}

/// A Space's public variables, each scanned as `NAME=value` (a description follows as a
/// comment line).
fn variables(
    api: &Api<'_>,
    engine: &Engine,
    repo: &Repo,
    progress: &Progress,
    out: &mut ScanOutput,
) -> Result<(), Failure> {
    let (v, _) = api.json(&api.url(&format!("api/spaces/{}/variables", repo.id))?)?;
    for (name, text) in variable_texts(&v)? {
        let path = format!(
            "{}/variables/{}",
            repo.display(),
            target::encode_segment(&name)
        );
        let web = format!("{}/spaces/{}/settings", api_endpoint(api), repo.id);
        let src = source(repo, DEFAULT_REVISION, HubItem::Variable, web);
        scan_text(engine, path, &text, src, progress, out);
    }
    Ok(())
}

/// A variables answer, each variable as its name and its text: `NAME=value`, and its
/// description as a comment line.
pub(crate) fn variable_texts(v: &Value) -> Result<Vec<(String, String)>, Failure> {
    let Some(map) = v.as_object() else {
        return Err(Failure::Other("unexpected answer: not an object".into()));
    };
    Ok(map
        .iter()
        .map(|(name, var)| {
            let value = var
                .get("value")
                .and_then(Value::as_str)
                .or_else(|| var.as_str())
                .unwrap_or_default();
            let mut text = format!("{name}={value}\n");
            if let Some(d) = var.get("description").and_then(Value::as_str) {
                text.push_str(&format!("# {d}\n"));
            }
            (name.clone(), text)
        })
        .collect())
}

/// Downloads one blob and scans it at each place it appears.
fn fetch_file(api: &Api<'_>, engine: &Engine, job: &FileJob, progress: &Progress) -> ScanOutput {
    let mut out = ScanOutput::default();
    let bytes = api.url(&job.url).and_then(|u| api.download(&u));
    match bytes {
        Ok(data) => {
            let inspector = engine.inspector();
            for (path, src) in &job.places {
                let origin = Origin::hub(path.clone(), src.clone(), None);
                fold::record(&mut out, progress, inspector.inspect(origin, &data));
            }
        }
        Err(f) => {
            for (path, _) in &job.places {
                out.errors.push(ScanError {
                    path: path.clone(),
                    message: format!("cannot download: {}", failure_text(&f, api.has_token())),
                });
            }
        }
    }
    out
}

/// `--history`: mirror-clone the repository (all refs, LFS smudge off) into a temporary
/// folder, scan its history, and remove the clone.
fn history(opts: &Options, engine: &Engine, repo: &Repo, progress: &Progress) -> ScanOutput {
    let mut out = ScanOutput::default();
    let shown = repo.display();
    let fail = |message: String| ScanError {
        path: shown.clone(),
        message: format!("--history: {message}"),
    };
    let dir = match tempfile::Builder::new().prefix("hfaudit-hub-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            out.errors
                .push(fail(format!("cannot make a temporary folder: {e}")));
            return out;
        }
    };
    let clone = dir.path().join("repo.git");
    let url = format!("{}/{}{}", opts.endpoint, repo.kind.prefix(), repo.id);
    if let Err(e) = mirror_clone(opts, &url, dir.path(), &clone) {
        out.errors.push(fail(e));
        return out;
    }
    let gopts = git::Options {
        mode: git::Mode::History,
        pathspecs: Vec::new(),
        max_filesize: opts.max_filesize,
        threads: 0,
    };
    // Each file version is a Hub file at the commit that introduced what is reported.
    let origin = |path: &str, commit: Option<crate::model::CommitInfo>| {
        let at = commit.as_ref().map_or(DEFAULT_REVISION, |c| c.id.as_str());
        let web = format!(
            "{}/{}{}/blob/{}/{}",
            opts.endpoint,
            repo.kind.prefix(),
            repo.id,
            at,
            target::encode_path(path)
        );
        Origin::hub(
            format!("{shown}/{path}"),
            source(repo, at, HubItem::File, web),
            commit,
        )
    };
    match git::scan_in(
        &clone,
        &gopts,
        engine,
        progress,
        git::Limits::default(),
        &origin,
    ) {
        Ok(mut o) => {
            for s in &mut o.skipped {
                s.path = format!("{shown}/{}", s.path);
            }
            for e in &mut o.errors {
                e.path = format!("{shown}/{}", e.path);
            }
            out.merge(o);
        }
        Err(e) => out
            .errors
            .push(fail(crate::output::redacted(&e.to_string()))),
    }
    drop(dir);
    out
}

/// `git clone --mirror` with LFS smudge off; the token (if any) reaches git through its
/// environment, scoped to the endpoint's exact origin, never on a command line. git follows
/// no redirect (a redirect re-bases the remote, and git then sends the header to whatever host
/// the redirect named) and no `http-alternates` (git treats them as redirects), and plain http
/// (loopback only) never goes through a proxy.
fn mirror_clone(opts: &Options, url: &str, cwd: &Path, dest: &Path) -> Result<(), String> {
    let mut cmd = git::process::Git::new(cwd).command([
        "-c".as_ref(),
        "protocol.allow=never".as_ref(),
        "-c".as_ref(),
        "protocol.https.allow=always".as_ref(),
        "-c".as_ref(),
        "protocol.http.allow=always".as_ref(),
        "-c".as_ref(),
        "http.followRedirects=false".as_ref(),
        "clone".as_ref(),
        "--mirror".as_ref(),
        "--quiet".as_ref(),
        "--".as_ref(),
        std::ffi::OsStr::new(url),
        dest.as_os_str(),
    ]);
    cmd.env("GIT_LFS_SKIP_SMUDGE", "1");
    // The git module allows no transport at all; this clone needs the endpoint's, and only it
    // (plain http only for a loopback endpoint, which `Endpoint::parse` checked).
    let transport = if url.starts_with("http://") {
        "http"
    } else {
        "https"
    };
    cmd.env("GIT_ALLOW_PROTOCOL", transport);
    // Settings through the environment (command-line scope: above every config file), so the
    // token never shows on a command line.
    let mut config: Vec<(String, String)> = Vec::new();
    if opts.endpoint.is_loopback_http() {
        for var in [
            "http_proxy",
            "HTTP_PROXY",
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ] {
            cmd.env_remove(var);
        }
        // Empty: no proxy at all, whatever a config file says.
        config.push(("http.proxy".into(), String::new()));
    }
    if let Some(token) = &opts.token {
        config.push((
            format!("http.{}.extraHeader", opts.endpoint.origin()),
            format!("Authorization: Bearer {}", token.expose()),
        ));
    }
    cmd.env("GIT_CONFIG_COUNT", config.len().to_string());
    for (i, (key, value)) in config.iter().enumerate() {
        cmd.env(format!("GIT_CONFIG_KEY_{i}"), key)
            .env(format!("GIT_CONFIG_VALUE_{i}"), value);
    }
    let out = git::process::output(cmd).map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git clone failed: {}",
            crate::output::redacted(&git::process::first_lines(&out.stderr, out.status.code()))
        ))
    }
}
