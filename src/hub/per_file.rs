//! A repository's files as the API lists them, each read with its own request (`resolve`):
//! when git is refused, or with `--per-file`. The tree listing of the revision asked, and for
//! the default branch the refs API's pull requests (and with `--all-refs` its branches and
//! tags), each blob once.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use crate::model::ScanError;

use super::api::{Api, Failure};
use super::{
    failure_text, file_place, pack, resolve_url, safe_path, target, FileJob, Options, Plan, Repo,
    Unit, DEFAULT_REVISION, MAX_PULL_REQUESTS, MAX_TREE,
};

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

/// A repository's files from the tree listings, each to be downloaded with its own request:
/// the revision asked, and (for the default branch) every pull request and, with
/// `--all-refs`, every branch and tag. The commits read are known when the refs API gave them.
pub(super) fn per_file(ctx: &super::Ctx<'_>, unit: &Unit, index: usize, plan: &mut Plan) {
    let (api, opts, repo) = (ctx.api, ctx.opts, &unit.repo);
    let revision = unit.revision.as_deref();
    let err = |f: &Failure, what: &str, at: Option<&str>| ScanError {
        path: repo.display_at(at),
        message: format!("cannot read {what}: {}", failure_text(f, api.has_token())),
    };
    let rev = revision.unwrap_or(DEFAULT_REVISION);
    let main = match tree(api, repo, rev) {
        Ok(t) => t,
        Err(f) => {
            plan.found.errors.push(err(&f, "the file list", revision));
            return;
        }
    };
    let mut have: HashMap<String, (usize, usize)> = HashMap::new();
    add_files(opts, repo, revision, 0, main, &mut have, index, plan);
    let mut refs: Option<BTreeMap<String, String>> = Some(BTreeMap::new());
    if let Some(rev) = revision {
        refs = pack::is_commit(rev).then(|| BTreeMap::from([(rev.to_owned(), rev.to_owned())]));
    } else if opts.pull_requests || opts.all_refs || opts.state.is_some() {
        match refs_api(api, repo) {
            Ok(listed) => {
                let head = unit.listed.clone().or_else(|| {
                    listed
                        .branches
                        .iter()
                        .find(|b| b.name == DEFAULT_REVISION)
                        .and_then(|b| b.commit.clone())
                });
                let mut known = BTreeMap::new();
                let mut complete = head.is_some();
                if let Some(h) = head {
                    known.insert("HEAD".to_owned(), h);
                }
                let mut more: Vec<&ApiRef> = Vec::new();
                if opts.all_refs {
                    more.extend(&listed.branches);
                    more.extend(&listed.tags);
                }
                if opts.pull_requests {
                    more.extend(&listed.pull_requests);
                }
                for (n, r) in more.into_iter().enumerate() {
                    match &r.commit {
                        Some(c) => {
                            known.insert(r.reference.clone(), c.clone());
                        }
                        None => complete = false,
                    }
                    // The default branch's files are read already, as the revision asked.
                    if r.reference == format!("refs/heads/{DEFAULT_REVISION}") {
                        continue;
                    }
                    let label = if r.reference.starts_with("refs/pr/") {
                        &r.reference
                    } else {
                        &r.name
                    };
                    match tree(api, repo, label) {
                        Ok(t) => {
                            add_files(opts, repo, Some(label), n + 1, t, &mut have, index, plan);
                        }
                        Err(f) => plan
                            .found
                            .errors
                            .push(err(&f, "the file list", Some(label))),
                    }
                }
                refs = complete.then_some(known);
            }
            Err(f) => {
                plan.found
                    .errors
                    .push(err(&f, "the refs (branches, tags, pull requests)", None));
                refs = None;
            }
        }
    }
    plan.refs = refs;
}

/// A revision's files, every page (1,000 entries a page).
fn tree(api: &Api<'_>, repo: &Repo, rev: &str) -> Result<Vec<TreeEntry>, Failure> {
    let url = api.url(&format!(
        "api/{}/{}/tree/{}?recursive=true&expand=false",
        repo.kind.plural(),
        repo.id,
        target::encode_segment(rev)
    ))?;
    let (items, cut) = api.list(url, MAX_TREE)?;
    if let Some(why) = cut {
        api.note(format!(
            "{}: files at {rev}: {why}: the first {} were read",
            repo.display(),
            items.len()
        ));
    }
    tree_entries(items)
}

/// A tree listing's items, as entries: one that is not an entry makes the listing unexpected.
fn tree_entries(items: Vec<Value>) -> Result<Vec<TreeEntry>, Failure> {
    items
        .into_iter()
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|e| Failure::Other(format!("unexpected tree entry: {e}")))
        })
        .collect()
}

/// A planned download: its request path (relative to the endpoint) and the report paths of its
/// places.
pub(crate) type Download = (String, Vec<String>);

/// What one tree listing of `repo` at `revision` (`None`: the default branch) plans, read as
/// [`per_file`] reads it ([`tree_entries`], then [`add_files`]): each download's request path
/// (relative to the endpoint) with the report paths of its places, and how many listed files
/// were refused. Reached by the fuzz targets (`fuzz/`), which have no Hub to list.
pub(crate) fn planned_downloads(
    opts: &Options,
    repo: &Repo,
    revision: Option<&str>,
    items: Vec<Value>,
) -> Result<(Vec<Download>, usize), Failure> {
    let mut plan = Plan::default();
    let entries = tree_entries(items)?;
    add_files(
        opts,
        repo,
        revision,
        0,
        entries,
        &mut HashMap::new(),
        0,
        &mut plan,
    );
    let files = plan
        .files
        .into_iter()
        .map(|job| (job.url, job.places.into_iter().map(|p| p.path).collect()))
        .collect();
    Ok((files, plan.found.errors.len()))
}

/// Adds the files of revision number `rev_index` (`revision`: its name, `None` for the
/// default branch) that no earlier revision of the repository holds; a blob at several paths
/// of one revision is downloaded once and reported at each.
#[allow(clippy::too_many_arguments)]
fn add_files(
    opts: &Options,
    repo: &Repo,
    revision: Option<&str>,
    rev_index: usize,
    entries: Vec<TreeEntry>,
    have: &mut HashMap<String, (usize, usize)>,
    unit: usize,
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
        let place = file_place(opts, repo, revision, &e.path, unit);
        match have.get(&key) {
            // A file that a pull request shares with the default branch is read there.
            Some((r, _)) if *r != rev_index => continue,
            Some((_, job)) => {
                plan.files[*job].places.push(place);
                continue;
            }
            None => {}
        }
        let Some(url) = resolve_url(repo, rev, &e.path) else {
            plan.found.errors.push(ScanError {
                path: place.path,
                message: "the Hub listed a path that cannot be requested safely; not read".into(),
            });
            continue;
        };
        have.insert(key.clone(), (rev_index, plan.files.len()));
        plan.files.push(FileJob {
            key,
            url,
            size,
            lfs,
            places: vec![place],
        });
    }
}

/// One ref of the refs API: its name, full ref and commit.
pub(crate) struct ApiRef {
    pub name: String,
    pub reference: String,
    pub commit: Option<String>,
}

/// The refs API's answer (`/api/{kind}s/{id}/refs?include_prs=1`).
pub(crate) struct ApiRefs {
    pub branches: Vec<ApiRef>,
    pub tags: Vec<ApiRef>,
    /// `refs/pr/N`, open and closed, in number order.
    pub pull_requests: Vec<ApiRef>,
}

/// Branches, tags and pull request refs, with their commits.
pub(super) fn refs_api(api: &Api<'_>, repo: &Repo) -> Result<ApiRefs, Failure> {
    let url = api.url(&format!(
        "api/{}/{}/refs?include_prs=1",
        repo.kind.plural(),
        repo.id
    ))?;
    let (v, _) = api.json(&url)?;
    let mut refs = read_refs(&v);
    if refs.pull_requests.len() > MAX_PULL_REQUESTS {
        api.note(format!(
            "{}: {} pull request refs: the first {MAX_PULL_REQUESTS} were read",
            repo.display(),
            refs.pull_requests.len()
        ));
        refs.pull_requests.truncate(MAX_PULL_REQUESTS);
    }
    Ok(refs)
}

/// A refs answer, read: the refs whose name can be a URL segment and a display, each branch and
/// tag under its own name, the pull requests (`refs/pr/` and digits) in number order, once
/// each; a commit only when it is a full commit id. Also reached by the fuzz targets (`fuzz/`).
pub(crate) fn read_refs(v: &Value) -> ApiRefs {
    let list = |field: &str| -> Vec<ApiRef> {
        v.get(field)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|r| {
                        let reference = r.get("ref").and_then(Value::as_str)?.to_owned();
                        let name = r
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or(&reference)
                            .to_owned();
                        // A name becomes a URL segment (encoded) and a display: no `.`, `..`
                        // or empty segment, nothing starting with '-'.
                        if name.is_empty() || name.starts_with('-') || !safe_path(&name) {
                            return None;
                        }
                        let commit = r
                            .get("targetCommit")
                            .and_then(Value::as_str)
                            .filter(|c| pack::is_commit(c))
                            .map(str::to_owned);
                        Some(ApiRef {
                            name,
                            reference,
                            commit,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut prs: Vec<ApiRef> = list("pullRequests")
        .into_iter()
        .filter(|r| pack::is_pull_request(&r.reference))
        .collect();
    let number = |r: &ApiRef| -> u64 {
        r.reference
            .strip_prefix("refs/pr/")
            .and_then(|n| n.parse().ok())
            .unwrap_or(u64::MAX)
    };
    prs.sort_by_key(number);
    prs.dedup_by_key(|r| number(r));
    ApiRefs {
        branches: list("branches")
            .into_iter()
            .filter(|r| r.reference == format!("refs/heads/{}", r.name))
            .collect(),
        tags: list("tags")
            .into_iter()
            .filter(|r| r.reference == format!("refs/tags/{}", r.name))
            .collect(),
        pull_requests: prs,
    }
}
