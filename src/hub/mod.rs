//! The Hub as a source: `hf://` repositories and storage buckets, each file, discussion and
//! variable handed to the inspector as a blob whose origin says where on the Hub it is, and
//! recorded by the fold, as local files and git blobs are: rules, suppression and reports never
//! know where the bytes came from.
//!
//! What is read: the files of the revision asked (default: the default branch), of each pull
//! request ref and, with `--all-refs`, of every branch and tag (each blob once, at the first
//! revision that holds it); every discussion's title and comments; a Space's public variables;
//! a bucket's files. A repository's files come through git, as one fetch of those revisions
//! (see `pack`), so it costs a few requests whatever its file count; when git is refused they
//! are read one request each (`resolve`). LFS/Xet files (and bucket files) up to a size limit
//! are downloaded from the CDN the Hub redirects to (without the token); bigger ones are
//! skipped and counted, never requested.
//!
//! With `--state`, a repository whose revisions still point at the commits the state recorded
//! is not read again: what was found there comes from the state (a discussion whose list entry
//! is unchanged, a bucket file whose content hash is, likewise). With `--shard K/N`, only the
//! repositories whose id hashes to part K are read. One repository's failure is an error entry
//! for it; the scan goes on. It must not print: notes go back to the caller.

pub mod api;
mod bucket;
mod history;
mod pack;
mod per_file;
mod shard;
pub mod target;
mod threads;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::engine::Engine;
use crate::fold::{self, Progress};
use crate::http::{self, Endpoint};
use crate::model::{HubItem, ScanError, ScanOutput, Skipped, Source};
use crate::origin::Origin;
use crate::secret::Secret;
use crate::state::{self, Found, Keyed, RepoEntry, State};

use api::{Api, Failure};
use history::history;
pub use history::HistoryLimits;
pub use shard::{part_of, Shard};
pub use target::{is_hub, parse, Kind, Repo, Target, TargetError};
// The readers of the Hub's answers, as functions of the answer alone: for the fuzz targets.
pub(crate) use per_file::{planned_downloads, read_refs, ApiRef};
pub(crate) use threads::{discussion_page, discussion_text, variable_texts};

/// The branch read when no revision is named: the Hub's default, as huggingface_hub assumes.
pub const DEFAULT_REVISION: &str = "main";

/// How to read the Hub.
#[derive(Debug, Clone)]
pub struct Options {
    pub endpoint: Endpoint,
    /// What the `--history` clone of one repository may cost.
    pub history_limits: HistoryLimits,
    /// The user's token, for private repositories; sent to the endpoint only.
    pub token: Option<Secret>,
    /// Files (not LFS) larger than this are skipped.
    pub max_filesize: Option<u64>,
    /// LFS/Xet files (and bucket files) larger than this are skipped, never downloaded.
    pub max_lfs: Option<u64>,
    pub pull_requests: bool,
    /// Every branch and tag, not only the default branch (`--all-refs`).
    pub all_refs: bool,
    pub discussions: bool,
    pub variables: bool,
    /// An owner's storage buckets too (`--buckets`).
    pub buckets: bool,
    /// Read each file with its own request instead of one git fetch a repository.
    pub per_file: bool,
    /// Mirror-clone each repository and scan its whole git history as well.
    pub history: bool,
    /// Only the repositories of one part (`--shard K/N`).
    pub shard: Option<Shard>,
    /// `--state FILE`: what the last run read, and where this one's is written.
    pub state: Option<StateFile>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per request (a download included).
    pub timeout: Duration,
    /// The whole Hub scan: past it nothing more is asked, and a note says what was not read.
    pub deadline: Duration,
    /// When the scan must be over ([`scan`] sets it from `deadline` as it starts): each git
    /// command gets the time left, not a fresh `deadline`.
    pub until: Option<std::time::Instant>,
}

/// `--state FILE` as the scan uses it.
#[derive(Debug, Clone)]
pub struct StateFile {
    pub path: PathBuf,
    /// What else decides what a read finds (see [`state::State::settings`]).
    pub settings: String,
    /// What the last run recorded; `None`: a full run.
    pub previous: Option<Arc<State>>,
}

/// Repositories read of one owner, at most: a hostile Hub's endless listing stops here.
pub const MAX_REPOS: usize = 100_000;
/// Files of one revision listed, at most (the Hub's biggest repositories have tens of
/// thousands).
pub const MAX_TREE: usize = 200_000;
/// Discussions (and pull requests) read of one repository, at most.
pub const MAX_DISCUSSIONS: usize = 10_000;
/// Pull request refs read of one repository, at most.
pub const MAX_PULL_REQUESTS: usize = 1_000;
/// What a downloaded file may exceed its listed size by before it is taken for a lie.
const SIZE_SLACK: u64 = 64 << 10;

impl Options {
    pub fn new(endpoint: Endpoint) -> Self {
        Options {
            endpoint,
            history_limits: HistoryLimits::default(),
            token: None,
            max_filesize: Some(1 << 30),
            max_lfs: Some(50 << 20),
            pull_requests: true,
            all_refs: false,
            discussions: true,
            variables: true,
            buckets: false,
            per_file: false,
            history: false,
            shard: None,
            state: None,
            concurrency: 8,
            timeout: Duration::from_secs(60),
            deadline: Duration::from_secs(30 * 60),
            until: None,
        }
    }

    /// The time a git command may take: the clone's deadline, within the time left of the
    /// scan.
    pub(crate) fn git_deadline(&self) -> Duration {
        let own = self.history_limits.deadline;
        match self.until {
            Some(until) => own.min(until.saturating_duration_since(std::time::Instant::now())),
            None => own,
        }
    }

    /// The shared client's settings for a Hub scan: verification's policy, with the scan's
    /// deadline and more retries. Each answer is capped by its request: an API answer at
    /// [`api::MAX_JSON`], a file at its listed size.
    fn http(&self) -> http::Policy {
        let mut o = http::Policy::new(self.endpoint.clone()).with_timeout(self.timeout);
        o.deadline = self.deadline;
        o.concurrency = self.concurrency.max(1);
        o.max_attempts = 4;
        o.retry_budget = Duration::from_secs(120);
        o.max_body = api::MAX_JSON;
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

/// One place a downloaded blob is reported at.
#[derive(Debug, Clone)]
struct PlaceRef {
    /// The unit (repository or bucket) it belongs to.
    unit: usize,
    /// The report path: `hf://spaces/acme/demo/app.py`.
    path: String,
    /// The path inside the repository or bucket.
    file: String,
    source: Source,
    /// A bucket file's content hash (what the state keys it by).
    object: Option<String>,
}

/// A file to download, and every place it appears (the same blob in two repositories is
/// downloaded once and reported at each).
#[derive(Debug, Clone)]
struct FileJob {
    key: String,
    url: String,
    size: u64,
    lfs: bool,
    places: Vec<PlaceRef>,
}

/// One thing to read: a repository at a revision (`None`: the default branch) or a bucket,
/// with the commit the owner's listing gave for its default branch (with `--state`).
#[derive(Debug, Clone)]
struct Unit {
    repo: Repo,
    revision: Option<String>,
    listed: Option<String>,
}

impl Unit {
    /// What the state keys it by: `spaces/acme/demo`, `acme/model@v1`.
    fn key(&self) -> String {
        match &self.revision {
            Some(rev) => format!("{}@{rev}", self.repo.name()),
            None => self.repo.name(),
        }
    }
}

/// What reading one unit's listings gave: files to fetch, and what was read already.
#[derive(Default)]
struct Plan {
    files: Vec<FileJob>,
    /// What its files gave (read now or taken from the state): what the state records.
    found: ScanOutput,
    /// Its discussions and variables.
    other: ScanOutput,
    /// The revisions read and their commits; `None`: unknown, so nothing is recorded.
    refs: Option<BTreeMap<String, String>>,
    /// The state's record of the files, when they were not read again.
    kept: Option<Found>,
    discussions: BTreeMap<u64, Keyed>,
    objects: BTreeMap<String, Keyed>,
}

/// What every unit's reading shares.
struct Ctx<'a> {
    api: &'a Api<'a>,
    opts: &'a Options,
    engine: &'a Engine,
    progress: &'a Progress,
    git: &'a pack::Shared,
}

/// Reads every target. Never fails as a whole: failures are error entries, and notes.
pub fn scan(targets: &[Target], opts: &Options, engine: &Engine, progress: &Progress) -> HubScan {
    let mut out = HubScan::default();
    let opts = &Options {
        until: Some(std::time::Instant::now() + opts.deadline),
        ..opts.clone()
    };
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
    let mut units = units(&api, targets, opts, &mut out.output.errors);
    if let Some(shard) = opts.shard {
        let all = units.len();
        units.retain(|u| shard.holds(&u.repo.name()));
        out.notes.push(format!(
            "--shard {}/{}: {} of {all} repositor{} and buckets are in this part",
            shard.index,
            shard.count,
            units.len(),
            if all == 1 { "y" } else { "ies" },
        ));
    }
    out.repos = units.len();
    progress
        .repos_total
        .store(units.len() as u64, Ordering::Relaxed);
    let previous = opts.state.as_ref().and_then(|s| s.previous.as_deref());
    let shared = pack::Shared::default();
    let ctx = Ctx {
        api: &api,
        opts,
        engine,
        progress,
        git: &shared,
    };
    let indexed: Vec<(usize, &Unit)> = units.iter().enumerate().collect();
    // Past the deadline, nothing more starts: what was not read is counted for a note.
    let plans = parallel(&indexed, opts.concurrency, |(i, unit)| {
        if api.expired() {
            return None;
        }
        let before = previous.and_then(|s| s.repos.get(&unit.key()));
        let plan = plan_unit(&ctx, unit, *i, before);
        progress.repos.fetch_add(1, Ordering::Relaxed);
        Some(plan)
    });
    let repos_unread = plans.iter().filter(|p| p.is_none()).count();
    let mut plans = plans;
    // Each blob once: by LFS sha256, else git blob id.
    let mut jobs: Vec<FileJob> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for plan in plans.iter_mut().flatten() {
        for job in std::mem::take(&mut plan.files) {
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
        for place in &j.places {
            let skipped = Skipped {
                path: place.path.clone(),
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
            };
            if let Some(plan) = plans[place.unit].as_mut() {
                // A bucket lists its big files every time: only what was read is recorded.
                if place.object.is_some() {
                    plan.other.skipped.push(skipped);
                } else {
                    plan.found.skipped.push(skipped);
                }
            }
        }
    }
    let results = parallel(&fetch, opts.concurrency, |job| {
        (!api.expired()).then(|| fetch_file(&api, engine, opts, job, progress))
    });
    let mut files_unread = 0;
    for (job, r) in fetch.iter().zip(results) {
        let Some(places) = r else {
            files_unread += 1;
            // Not all of it was read: not recorded.
            for place in &job.places {
                if let Some(plan) = plans[place.unit].as_mut() {
                    plan.refs = None;
                }
            }
            continue;
        };
        for (place, o) in places {
            let Some(plan) = plans[place.unit].as_mut() else {
                continue;
            };
            if let Some(key) = &place.object {
                if o.errors.is_empty() {
                    plan.objects.insert(
                        place.file.clone(),
                        Keyed {
                            key: key.clone(),
                            found: Found::of(&o),
                        },
                    );
                }
            }
            plan.found.merge(o);
        }
    }
    if repos_unread + files_unread > 0 {
        out.notes.push(format!(
            "the Hub scan's deadline of {} passed: {repos_unread} of {} repositor{} and \
             {files_unread} file{} were not read (raise it with --hub-deadline)",
            http::seconds(opts.deadline),
            out.repos,
            if out.repos == 1 { "y" } else { "ies" },
            crate::output::plural(files_unread)
        ));
    }
    if let Some(file) = &opts.state {
        record_state(file, opts, &units, &plans, previous, &mut out);
    }
    for plan in plans.into_iter().flatten() {
        out.output.merge(plan.found);
        out.output.merge(plan.other);
    }
    if opts.history {
        for unit in units.iter().filter(|u| u.repo.kind != Kind::Bucket) {
            if opts.git_deadline().is_zero() {
                out.output.errors.push(ScanError {
                    path: unit.repo.display(),
                    message: format!(
                        "--history: not cloned: the Hub scan's deadline of {} passed",
                        http::seconds(opts.deadline)
                    ),
                });
                continue;
            }
            let o = history(opts, engine, &unit.repo, progress);
            out.output.merge(o);
        }
    }
    out.requests = api.requests.load(Ordering::Relaxed);
    out.notes.extend(api.rate_note());
    out.notes
        .extend(api.notes.lock().map(|n| n.clone()).unwrap_or_default());
    out.notes.extend(shared.notes());
    let fetches = shared.fetches.load(Ordering::Relaxed);
    let downloads = api.counts.resolve.load(Ordering::Relaxed);
    out.notes.push(format!(
        "read {} Hub repositor{} from {} with {} request{} ({} API, {} file download{}, {} CDN) \
         and {fetches} git fetch{}",
        out.repos,
        if out.repos == 1 { "y" } else { "ies" },
        opts.endpoint,
        out.requests,
        crate::output::plural(out.requests as usize),
        api.counts.api.load(Ordering::Relaxed),
        downloads,
        crate::output::plural(downloads as usize),
        api.counts.cdn.load(Ordering::Relaxed),
        if fetches == 1 { "" } else { "es" },
    ));
    out
}

/// The repositories (and buckets) the targets name, each once, in the order named; owners
/// are listed (with each repository's current commit when a state is kept).
fn units(
    api: &Api<'_>,
    targets: &[Target],
    opts: &Options,
    errors: &mut Vec<ScanError>,
) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut seen = HashSet::new();
    for t in targets {
        match t {
            Target::Repo { repo, revision } => {
                if seen.insert((repo.clone(), revision.clone())) {
                    units.push(Unit {
                        repo: repo.clone(),
                        revision: revision.clone(),
                        listed: None,
                    });
                }
            }
            Target::Owner { owner, kind } => {
                match list_owner(api, owner, *kind, opts.buckets, opts.state.is_some()) {
                    Ok(list) => {
                        for (repo, listed) in list {
                            if seen.insert((repo.clone(), None)) {
                                units.push(Unit {
                                    repo,
                                    revision: None,
                                    listed,
                                });
                            }
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    units
}

/// Records what this run read (and, for what it did not get to, what the last run had) in the
/// state file; a failure to write it is an error of the run.
fn record_state(
    file: &StateFile,
    opts: &Options,
    units: &[Unit],
    plans: &[Option<Plan>],
    previous: Option<&State>,
    out: &mut HubScan,
) {
    let mut next = State::new(opts.endpoint.as_str(), &file.settings);
    let mut kept = 0usize;
    for (unit, plan) in units.iter().zip(plans) {
        let key = unit.key();
        let Some(plan) = plan else {
            if let Some(entry) = previous.and_then(|p| p.repos.get(&key)) {
                next.repos.insert(key, entry.clone());
            }
            continue;
        };
        kept += usize::from(plan.kept.is_some());
        let Some(refs) = &plan.refs else { continue };
        if !plan.found.errors.is_empty() {
            continue; // read again next time
        }
        let files = if unit.repo.kind == Kind::Bucket {
            Found::default()
        } else {
            plan.kept.clone().unwrap_or_else(|| Found::of(&plan.found))
        };
        next.repos.insert(
            key,
            RepoEntry {
                refs: refs.clone(),
                files,
                discussions: plan.discussions.clone(),
                objects: plan.objects.clone(),
            },
        );
    }
    if file.previous.is_some() {
        out.notes.push(format!(
            "--state: {kept} of {} repositor{} unchanged since the last run (their findings \
             come from {})",
            units.len(),
            if units.len() == 1 { "y" } else { "ies" },
            file.path.display()
        ));
    }
    if let Err(e) = state::save(&file.path, &next) {
        out.output.errors.push(ScanError {
            path: file.path.display().to_string(),
            message: e.to_string(),
        });
    }
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

/// Every repository of an owner (a user or an organisation), every page; its buckets too when
/// asked. With `sha`, each listed with its default branch's commit (`expand=sha`), so an
/// unchanged repository costs no request of its own. The kinds are listed at once (each list's
/// pages follow one another), and kept in the order of `Kind::ALL`.
fn list_owner(
    api: &Api<'_>,
    owner: &str,
    kind: Option<Kind>,
    buckets: bool,
    sha: bool,
) -> Result<Vec<(Repo, Option<String>)>, ScanError> {
    let mut kinds: Vec<Kind> = kind.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
    if buckets && kind.is_none() {
        kinds.push(Kind::Bucket);
    }
    let shown = format!("hf://{}{owner}", kind.map_or("", Kind::prefix));
    let lists = parallel(&kinds, kinds.len(), |&k| {
        list_kind(api, owner, k, sha, &shown)
    });
    let mut repos = Vec::new();
    for list in lists {
        repos.extend(list?);
    }
    if repos.is_empty() {
        return Err(ScanError {
            path: shown,
            message: "no repository found for this owner".into(),
        });
    }
    Ok(repos)
}

/// One kind of an owner's repositories (`shown` names the owner in errors and notes).
fn list_kind(
    api: &Api<'_>,
    owner: &str,
    k: Kind,
    sha: bool,
    shown: &str,
) -> Result<Vec<(Repo, Option<String>)>, ScanError> {
    let err = |f: Failure| ScanError {
        path: shown.to_owned(),
        message: format!(
            "cannot list {}: {}",
            k.plural(),
            failure_text(&f, api.has_token())
        ),
    };
    let rel = if k == Kind::Bucket {
        format!("api/buckets/{owner}")
    } else if sha {
        format!("api/{}?author={owner}&expand=sha", k.plural())
    } else {
        format!("api/{}?author={owner}", k.plural())
    };
    let url = api.url(&rel).map_err(err)?;
    let (items, cut) = api.list(url, MAX_REPOS).map_err(err)?;
    if let Some(why) = cut {
        api.note(format!(
            "{shown}: {} {why}: the first {} were read",
            k.plural(),
            items.len()
        ));
    }
    items
        .iter()
        .map(|item| listed_repo(item, k).map_err(err))
        .collect()
}

/// One item of an owner's listing of `kind`: the repository, and the commit its default branch
/// points at when the listing gave one (`expand=sha`). An item without a valid id makes the
/// whole listing unexpected. Also reached by the fuzz targets (`fuzz/`).
pub(crate) fn listed_repo(item: &Value, kind: Kind) -> Result<(Repo, Option<String>), Failure> {
    let Some(id) = item
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| target::is_repo_id(id))
    else {
        return Err(Failure::Other(
            "unexpected answer: a listed repository has no valid id".into(),
        ));
    };
    let listed = item
        .get("sha")
        .and_then(Value::as_str)
        .filter(|c| pack::is_commit(c))
        .map(str::to_owned);
    Ok((
        Repo {
            kind,
            id: id.to_owned(),
        },
        listed,
    ))
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

/// Reads one unit: a repository's files (through git, or one request each, or from the state
/// when its revisions have not moved), discussions and variables; a bucket's files.
fn plan_unit(ctx: &Ctx<'_>, unit: &Unit, index: usize, before: Option<&RepoEntry>) -> Plan {
    if unit.repo.kind == Kind::Bucket {
        return bucket::plan_bucket(ctx, unit, index, before);
    }
    let (api, opts, repo) = (ctx.api, ctx.opts, &unit.repo);
    let mut plan = Plan::default();
    let wanted = pack::Wanted {
        revision: unit.revision.clone(),
        pull_requests: opts.pull_requests,
        all_refs: opts.all_refs,
    };
    let unchanged = before
        .filter(|b| !b.refs.is_empty())
        .and_then(|b| Some((b, current_refs(ctx, unit, &wanted)?)))
        .filter(|(b, now)| b.refs == *now);
    match unchanged {
        Some((b, now)) => {
            plan.found = b.files.restore();
            plan.kept = Some(b.files.clone());
            plan.refs = Some(now);
        }
        None => read_files(ctx, unit, &wanted, index, &mut plan),
    }
    let err = |f: &Failure, what: &str| ScanError {
        path: repo.display_at(unit.revision.as_deref()),
        message: format!("cannot read {what}: {}", failure_text(f, api.has_token())),
    };
    if opts.discussions && unit.revision.is_none() {
        let known = before.map(|b| &b.discussions);
        if let Err(f) =
            threads::discussions(ctx, repo, known, &mut plan.other, &mut plan.discussions)
        {
            // A repository with discussions turned off answers 403/404: nothing to read.
            if !matches!(f, Failure::Status(403 | 404, _)) {
                plan.other.errors.push(err(&f, "the discussions"));
                // Not read this time: what the last run found stays recorded.
                if let Some(b) = before {
                    plan.discussions.clone_from(&b.discussions);
                }
            }
        }
    }
    if opts.variables && repo.kind == Kind::Space && unit.revision.is_none() {
        if let Err(f) = threads::variables(api, ctx.engine, repo, ctx.progress, &mut plan.other) {
            if !matches!(f, Failure::Status(401 | 403 | 404, _)) {
                plan.other.errors.push(err(&f, "the Space variables"));
            }
        }
    }
    plan
}

/// The commits the wanted revisions point at now, without reading any file: a commit named
/// never moves; the listing gave the default branch's; else `git ls-remote` (one request),
/// else the refs API. `None` when it cannot be told (the repository is then read).
fn current_refs(
    ctx: &Ctx<'_>,
    unit: &Unit,
    wanted: &pack::Wanted,
) -> Option<BTreeMap<String, String>> {
    let only_head = unit.revision.is_none() && !wanted.pull_requests && !wanted.all_refs;
    if let (true, Some(commit)) = (only_head, &unit.listed) {
        return Some(BTreeMap::from([("HEAD".to_owned(), commit.clone())]));
    }
    if let Some(rev) = unit.revision.as_deref().filter(|r| pack::is_commit(r)) {
        return Some(BTreeMap::from([(rev.to_owned(), rev.to_owned())]));
    }
    if !ctx.opts.per_file {
        if let Ok(remote) = pack::remote_refs(ctx.opts, ctx.git, &unit.repo) {
            return wanted.pick(&remote);
        }
    }
    let refs = per_file::refs_api(ctx.api, &unit.repo).ok()?;
    let mut now = BTreeMap::new();
    if let Some(rev) = &unit.revision {
        let commit = refs
            .branches
            .iter()
            .chain(&refs.tags)
            .find(|r| r.name == *rev || r.reference == *rev)?
            .commit
            .clone()?;
        now.insert(rev.clone(), commit);
    } else {
        let head = refs.branches.iter().find(|b| b.name == DEFAULT_REVISION)?;
        now.insert("HEAD".to_owned(), head.commit.clone()?);
        let more = refs
            .pull_requests
            .iter()
            .filter(|_| wanted.pull_requests)
            .chain(
                refs.branches
                    .iter()
                    .chain(&refs.tags)
                    .filter(|_| wanted.all_refs),
            );
        for r in more {
            now.insert(r.reference.clone(), r.commit.clone()?);
        }
    }
    Some(now)
}

/// A repository's files: through git, else (git refused, or `--per-file`) one request each.
fn read_files(ctx: &Ctx<'_>, unit: &Unit, wanted: &pack::Wanted, index: usize, plan: &mut Plan) {
    if !ctx.opts.per_file {
        match pack::read(
            ctx.opts,
            ctx.git,
            ctx.engine,
            ctx.progress,
            &unit.repo,
            wanted,
            index,
        ) {
            Ok(read) => {
                plan.found = read.output;
                plan.files = read.lfs;
                plan.refs = Some(read.refs);
                return;
            }
            Err(why) => {
                if let Ok(mut f) = ctx.git.fallbacks.lock() {
                    f.push((unit.repo.display(), why));
                }
            }
        }
    }
    per_file::per_file(ctx, unit, index, plan);
}

/// A path inside a repository that can be put in a URL as it is: no `.`, `..` or empty
/// segment, no backslash or `%`.
fn safe_path(path: &str) -> bool {
    !(path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
        || path.contains(['\\', '%']))
}

/// Where a file of `repo` at revision `label` (`None`: the default branch) is reported.
fn file_place(
    opts: &Options,
    repo: &Repo,
    label: Option<&str>,
    file: &str,
    unit: usize,
) -> PlaceRef {
    let rev = label.unwrap_or(DEFAULT_REVISION);
    let web = format!(
        "{}/{}{}/blob/{}/{}",
        opts.endpoint,
        repo.kind.prefix(),
        repo.id,
        target::encode_segment(rev),
        target::encode_path(file)
    );
    PlaceRef {
        unit,
        path: format!("{}/{file}", repo.display_at(label)),
        file: file.to_owned(),
        source: source(repo, rev, HubItem::File, web),
        object: None,
    }
}

/// The `resolve` URL (relative to the endpoint) of `file` at `rev`; `None` when the path
/// cannot be requested safely.
fn resolve_url(repo: &Repo, rev: &str, file: &str) -> Option<String> {
    safe_path(file).then(|| {
        format!(
            "{}{}/resolve/{}/{}",
            repo.kind.prefix(),
            repo.id,
            target::encode_segment(rev),
            target::encode_path(file)
        )
    })
}

/// A git command that talks to the endpoint (the `--history` clone, the fetch of a repository's
/// files, the listing of its refs), `args` after the settings: LFS smudge off; only the
/// endpoint's transport allowed; no redirect followed (a redirect re-bases the remote, and git
/// would send the header to the host it named; `http-alternates` are redirects too); the token
/// (if any) in an `extraHeader` scoped to the endpoint's exact origin, passed through the
/// environment, never on a command line; no proxy for loopback http; the clone's low-speed
/// limit (a server that drips is given up on).
/// What git said on failing, for people: its first lines, tokens redacted, and the user's token
/// (which the server was sent, and may echo in its `remote:` lines) never shown, whole, as its
/// body or in pieces.
fn git_said(opts: &Options, stderr: &[u8], code: Option<i32>) -> String {
    let said = crate::git::process::first_lines(stderr, code);
    let text = crate::output::redacted(&crate::secret::plain_underscores(&said));
    match &opts.token {
        Some(token) => token.unechoed(&text),
        None => text,
    }
}

fn remote_git(
    opts: &Options,
    git: &crate::git::process::Git,
    url: &str,
    args: &[OsString],
) -> Command {
    let mut all: Vec<OsString> = Vec::new();
    for setting in [
        "protocol.allow=never",
        "protocol.https.allow=always",
        "protocol.http.allow=always",
        "http.followRedirects=false",
    ] {
        all.push("-c".into());
        all.push(setting.into());
    }
    all.extend(args.iter().cloned());
    let mut cmd = git.command(all);
    cmd.env("GIT_LFS_SKIP_SMUDGE", "1");
    let transport = if url.starts_with("http://") {
        "http"
    } else {
        "https"
    };
    cmd.env("GIT_ALLOW_PROTOCOL", transport);
    let (bytes, seconds) = opts.history_limits.low_speed;
    let mut config: Vec<(String, String)> = vec![
        ("http.lowSpeedLimit".into(), bytes.to_string()),
        ("http.lowSpeedTime".into(), seconds.to_string()),
    ];
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
    cmd
}

fn api_endpoint(api: &Api<'_>) -> String {
    api.url("").map_or_else(
        |_| String::new(),
        |u| u.as_str().trim_end_matches('/').to_owned(),
    )
}

/// Downloads one blob and scans it at each place it appears: what each place gave. Never more
/// is read than its listing said it holds (with a little slack), nor more than the limits: a
/// file that lies about its size is reported as skipped, not read to the end.
fn fetch_file(
    api: &Api<'_>,
    engine: &Engine,
    opts: &Options,
    job: &FileJob,
    progress: &Progress,
) -> Vec<(PlaceRef, ScanOutput)> {
    let limit = if job.lfs {
        opts.max_lfs
    } else {
        opts.max_filesize
    };
    let max = job
        .size
        .saturating_add(SIZE_SLACK)
        .min(limit.unwrap_or(u64::MAX));
    let inspector = engine.inspector();
    let failed = |f: &Failure| failure_text(f, api.has_token());
    // A file up to WHOLE_FILE_LIMIT is downloaded once for all its places; a bigger one
    // streams through the matcher, as a big local file does, never held whole (eight
    // downloads of 1 GiB at once took 6 GB), once for each place it is at.
    let whole = (job.size <= crate::inspect::WHOLE_FILE_LIMIT)
        .then(|| api.url(&job.url).and_then(|u| api.download(&u, max)));
    job.places
        .iter()
        .map(|place| {
            let origin = Origin::hub(place.path.clone(), place.source.clone(), None);
            // `Ok(None)`: the Hub sent more than it listed.
            let read: Result<Option<crate::inspect::Inspected>, String> = match &whole {
                Some(Ok(Some(data))) => Ok(Some(inspector.inspect(origin, data))),
                Some(Ok(None)) => Ok(None),
                Some(Err(f)) => Err(failed(f)),
                None => {
                    let streamed = api.url(&job.url).and_then(|u| {
                        api.download_stream(&u, max, &|body| {
                            inspector.inspect_stream(body, origin.clone(), crate::inspect::CHUNK)
                        })
                    });
                    match streamed {
                        Ok(Some(Ok(inspected))) => Ok(Some(inspected)),
                        Ok(Some(Err(e))) => Err(e.to_string()),
                        Ok(None) => Ok(None),
                        Err(f) => Err(failed(&f)),
                    }
                }
            };
            let mut out = ScanOutput::default();
            match read {
                Ok(Some(inspected)) => fold::record(&mut out, progress, inspected),
                Ok(None) => out.skipped.push(Skipped {
                    path: place.path.clone(),
                    reason: format!(
                        "the Hub listed {} bytes, but sent more than {max}: not read further",
                        job.size
                    ),
                }),
                Err(why) => out.errors.push(ScanError {
                    path: place.path.clone(),
                    message: format!("cannot download: {why}"),
                }),
            }
            (place.clone(), out)
        })
        .collect()
}
