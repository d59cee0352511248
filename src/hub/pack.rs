//! A repository's files through git: one fetch of the revisions read into a temporary bare
//! repository (shallow when the server allows it, LFS smudge off, the token scoped to the
//! endpoint's exact origin), then every blob scanned once with a Hub origin. The LFS pointers
//! found there become downloads through `resolve`, as the tree listing's LFS files do. A
//! repository costs a few requests whatever its file count.
//!
//! Git runs only through `git::process` (no program the repository names), sandboxed in a
//! folder hfaudit made (no `GIT_*` variable of the user's reaches it), and the fetch within the
//! `--history` clone's limits: its low-speed limit, its wall-clock deadline (never past the
//! scan's) and `--history-max-size` on the folder while git runs. The folder is a
//! `scratch::Scratch`: removed when the read ends, on an error, and on SIGINT or SIGTERM.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::engine::Engine;
use crate::fold::{self, Progress};
use crate::git::process::{GitError, Watch};
use crate::git::{self, fetched, Blob};
use crate::model::{ScanError, ScanOutput, Skipped};
use crate::origin::Origin;
use crate::scratch::Scratch;

use super::{FileJob, Options, PlaceRef, Repo, DEFAULT_REVISION, MAX_TREE};

/// The ref a fetched default branch is kept under, and the name the state gives it.
const HEAD: &str = "HEAD";
const OWN_PREFIX: &str = "refs/hfaudit/";
/// A Git LFS pointer is a short text file; anything longer is a file.
const MAX_POINTER: u64 = 1024;

/// What every repository's git read shares: whether the server refused a shallow fetch (then
/// whole histories are fetched, without trying again), and counts for the notes.
#[derive(Default)]
pub(super) struct Shared {
    shallow_refused: AtomicBool,
    pub fetches: AtomicU64,
    pub fallbacks: Mutex<Vec<(String, String)>>,
}

impl Shared {
    /// Notes for people: shallow refused, repositories read file by file instead.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.shallow_refused.load(Ordering::Relaxed) {
            notes.push(
                "the Hub's git server refused a shallow fetch: each repository's revisions \
                 were fetched with their history"
                    .to_owned(),
            );
        }
        let fallbacks = self.fallbacks.lock().map(|f| f.clone()).unwrap_or_default();
        if let Some((repo, why)) = fallbacks.first() {
            notes.push(format!(
                "{} repositor{} could not be read through git (first, {repo}: {why}): \
                 their files were read one request each",
                fallbacks.len(),
                if fallbacks.len() == 1 { "y" } else { "ies" },
            ));
        }
        notes
    }
}

/// What the revisions to read are, as the state names them: `HEAD` (the default branch), the
/// revision named (`v1`, `refs/pr/3`), `refs/pr/N`, `refs/heads/B`, `refs/tags/T`.
pub(super) struct Wanted {
    /// The revision the user named (`@rev`); `None`: the default branch.
    pub revision: Option<String>,
    pub pull_requests: bool,
    pub all_refs: bool,
}

impl Wanted {
    /// The refspecs that fetch them.
    fn refspecs(&self) -> Vec<String> {
        let mut specs = Vec::new();
        if let Some(rev) = &self.revision {
            specs.push(format!("+{rev}:{OWN_PREFIX}{}", own_name(rev)));
        } else {
            specs.push(format!("+{HEAD}:{OWN_PREFIX}{HEAD}"));
            if self.pull_requests {
                specs.push("+refs/pr/*:refs/pr/*".to_owned());
            }
            if self.all_refs {
                specs.push("+refs/heads/*:refs/heads/*".to_owned());
                specs.push("+refs/tags/*:refs/tags/*".to_owned());
            }
        }
        specs
    }

    /// The state's names of what a listing of the remote's refs (`git ls-remote`) holds for
    /// these revisions, with their commits; `None` when a named revision is not there.
    pub fn pick(&self, remote: &[(String, String)]) -> Option<BTreeMap<String, String>> {
        let find = |name: &str| {
            remote
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| c.clone())
        };
        let mut refs = BTreeMap::new();
        match &self.revision {
            Some(rev) if is_commit(rev) => {
                refs.insert(rev.clone(), rev.clone());
            }
            Some(rev) => {
                let commit = [
                    rev.clone(),
                    format!("refs/heads/{rev}"),
                    format!("refs/tags/{rev}"),
                ]
                .iter()
                .find_map(|n| find(n))?;
                refs.insert(rev.clone(), commit);
            }
            None => {
                refs.insert(HEAD.to_owned(), find(HEAD)?);
                for (name, commit) in remote {
                    let wanted = (self.pull_requests && is_pull_request(name))
                        || (self.all_refs
                            && (name.starts_with("refs/heads/") || name.starts_with("refs/tags/"))
                            && !name.ends_with("^{}"));
                    if wanted {
                        refs.insert(name.clone(), commit.clone());
                    }
                }
            }
        }
        Some(refs)
    }
}

/// `refs/pr/12`.
pub(super) fn is_pull_request(name: &str) -> bool {
    name.strip_prefix("refs/pr/")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A full commit id (a revision that never moves).
pub(super) fn is_commit(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A revision as one ref name component under `refs/hfaudit/`.
fn own_name(rev: &str) -> String {
    rev.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What reading a repository through git gave.
pub(super) struct Read {
    /// The files scanned (LFS pointers aside).
    pub output: ScanOutput,
    /// The LFS files to download, one job a blob.
    pub lfs: Vec<FileJob>,
    /// The revisions read and their commits (the state's names).
    pub refs: BTreeMap<String, String>,
}

/// Reads `repo`'s wanted revisions through git. `Err`: git could not fetch them (the caller
/// reads the files one by one instead).
pub(super) fn read(
    opts: &Options,
    shared: &Shared,
    engine: &Engine,
    progress: &Progress,
    repo: &Repo,
    wanted: &Wanted,
    unit: usize,
) -> Result<Read, String> {
    let dir =
        Scratch::new("hfaudit-hub-").map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let bare = dir.path().join("repo.git");
    init(dir.path(), &bare)?;
    let url = format!("{}/{}{}", opts.endpoint, repo.kind.prefix(), repo.id);
    let specs = wanted.refspecs();
    {
        let _writing = dir.writer();
        fetch(opts, shared, &url, dir.path(), &bare, &specs)?;
    }
    let fetched = fetched::refs(&bare).map_err(|e| e.to_string())?;
    let mut out = Read {
        output: ScanOutput::default(),
        lfs: Vec::new(),
        refs: BTreeMap::new(),
    };
    // The revisions in the order their files are reported: the default branch (or the one
    // named) first, then branches, tags and pull requests, each blob at its first revision.
    let mut revisions: Vec<(String, Option<String>, String)> = Vec::new();
    for (name, commit) in &fetched {
        let (key, label) = if let Some(own) = name.strip_prefix(OWN_PREFIX) {
            match &wanted.revision {
                Some(rev) if own == own_name(rev) => (rev.clone(), Some(rev.clone())),
                None if own == HEAD => (HEAD.to_owned(), None),
                _ => continue,
            }
        } else if let Some(b) = name.strip_prefix("refs/heads/") {
            (name.clone(), Some(b.to_owned()))
        } else if let Some(t) = name.strip_prefix("refs/tags/") {
            (name.clone(), Some(t.to_owned()))
        } else if is_pull_request(name) {
            (name.clone(), Some(name.clone()))
        } else {
            continue;
        };
        out.refs.insert(key, commit.clone());
        revisions.push((name.clone(), label, commit.clone()));
    }
    revisions.sort_by_key(|(name, _, _)| {
        let rank = if name.starts_with(OWN_PREFIX) {
            0
        } else if name.starts_with("refs/heads/") {
            1
        } else if name.starts_with("refs/tags/") {
            2
        } else {
            3
        };
        let pr: u64 = name
            .strip_prefix("refs/pr/")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        (rank, pr, name.clone())
    });
    // Each blob once: at every path of the first revision that holds it.
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut wanted_blobs: Vec<(String, (usize, PlaceRef))> = Vec::new();
    for (r, (_, label, commit)) in revisions.iter().enumerate() {
        let (files, more) =
            fetched::tree_files(&bare, commit, MAX_TREE).map_err(|e| e.to_string())?;
        if more {
            out.output.notes.push(format!(
                "{}: more than {MAX_TREE} files at {}: the first {MAX_TREE} were read",
                repo.display(),
                label.as_deref().unwrap_or(DEFAULT_REVISION)
            ));
        }
        for f in files {
            if *first.entry(f.oid.clone()).or_insert(r) != r {
                continue;
            }
            let place = super::file_place(opts, repo, label.as_deref(), &f.path, unit);
            if opts.max_filesize.is_some_and(|max| f.size > max) && f.size > MAX_POINTER {
                out.output.skipped.push(Skipped {
                    path: place.path,
                    reason: format!(
                        "file of {} bytes, over the limit of --max-filesize: not read",
                        f.size
                    ),
                });
                continue;
            }
            wanted_blobs.push((f.oid, (r, place)));
        }
    }
    let inspector = engine.inspector();
    let results = fetched::each_blob(
        &bare,
        wanted_blobs,
        None,
        git::Limits::default(),
        |(r, place): (usize, PlaceRef), blob| -> Got {
            let origin = || Origin::hub(place.path.clone(), place.source.clone(), None);
            let mut o = ScanOutput::default();
            match blob {
                Blob::Data(data) => {
                    if data.len() as u64 <= MAX_POINTER {
                        if let Some((sha, size)) = lfs_pointer(&data) {
                            return Got::Pointer(r, place, sha, size);
                        }
                    }
                    fold::record(&mut o, progress, inspector.inspect(origin(), &data));
                }
                Blob::Stream(body, _) => {
                    let inspected = inspector
                        .inspect_stream(body, origin(), git::Limits::default().chunk)
                        .unwrap_or_default();
                    fold::record(&mut o, progress, inspected);
                }
                Blob::TooBig(size) => o.skipped.push(Skipped {
                    path: place.path,
                    reason: format!(
                        "file of {size} bytes, over the limit of --max-filesize: not read"
                    ),
                }),
                Blob::Missing(why) => o.errors.push(ScanError {
                    path: place.path,
                    message: format!("git did not give this file: {why}"),
                }),
            }
            Got::Scanned(o)
        },
    )
    .map_err(|e| e.to_string())?;
    let mut lfs: HashMap<String, usize> = HashMap::new();
    for got in results {
        match got {
            Got::Scanned(o) => out.output.merge(o),
            Got::Pointer(r, place, sha, size) => {
                let (_, _, commit) = &revisions[r];
                let key = format!("lfs:{sha}");
                if let Some(&i) = lfs.get(&key) {
                    out.lfs[i].places.push(place);
                    continue;
                }
                let Some(url) = super::resolve_url(repo, commit, &place.file) else {
                    out.output.errors.push(ScanError {
                        path: place.path,
                        message: "the repository holds a path that cannot be requested safely; \
                                  not read"
                            .into(),
                    });
                    continue;
                };
                lfs.insert(key.clone(), out.lfs.len());
                out.lfs.push(FileJob {
                    key,
                    url,
                    size,
                    lfs: true,
                    places: vec![place],
                });
            }
        }
    }
    drop(dir);
    // A signal while the blobs were read: the run ends now, not after the next repository.
    crate::scratch::exit_if_signalled();
    Ok(out)
}

/// One blob's verdict: scanned, or an LFS pointer (revision, place, sha256, size).
enum Got {
    Scanned(ScanOutput),
    Pointer(usize, PlaceRef, String, u64),
}

/// The object id and size a Git LFS pointer names (`version https://git-lfs.github.com/spec/v1`,
/// `oid sha256:…`, `size N`); `None` for any other file.
fn lfs_pointer(data: &[u8]) -> Option<(String, u64)> {
    let text = std::str::from_utf8(data).ok()?;
    let mut lines = text.lines();
    let version = lines.next()?.strip_prefix("version ")?;
    if !(version.starts_with("https://git-lfs.github.com/spec/")
        || version == "https://hawser.github.com/spec/v1")
    {
        return None;
    }
    let (mut oid, mut size) = (None, None);
    for line in lines {
        if let Some(o) = line.strip_prefix("oid sha256:") {
            oid = (o.len() == 64 && o.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| o.to_ascii_lowercase());
        } else if let Some(s) = line.strip_prefix("size ") {
            size = s.parse().ok();
        }
    }
    Some((oid?, size?))
}

/// `git init --bare` of a folder hfaudit made, without templates (hooks a template folder
/// holds would not run, but need not be there either).
fn init(cwd: &Path, bare: &Path) -> Result<(), String> {
    let cmd = git::process::Git::sandbox_without_repository(cwd).command([
        OsStr::new("init"),
        OsStr::new("--bare"),
        OsStr::new("--quiet"),
        OsStr::new("--template="),
        bare.as_os_str(),
    ]);
    let out = git::process::output(cmd).map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git init failed: {}",
            git::process::first_lines(&out.stderr, out.status.code())
        ))
    }
}

/// Fetches `specs` from `url` into `bare`: shallow (`--depth 1`) unless the server refused it
/// once already this run.
fn fetch(
    opts: &Options,
    shared: &Shared,
    url: &str,
    folder: &Path,
    bare: &Path,
    specs: &[String],
) -> Result<(), String> {
    let watch = Watch {
        deadline: opts.git_deadline(),
        folder: folder.to_path_buf(),
        max_size: opts.history_limits.max_size,
    };
    let run = |shallow: bool| -> Result<(), String> {
        let mut args: Vec<OsString> = vec!["fetch".into(), "--quiet".into(), "--no-tags".into()];
        if shallow {
            args.push("--depth=1".into());
        }
        args.push("--".into());
        args.push(url.into());
        args.extend(specs.iter().map(OsString::from));
        shared.fetches.fetch_add(1, Ordering::Relaxed);
        let git = git::process::Git::sandbox(bare);
        let cmd = super::remote_git(opts, &git, url, &args);
        let out = match git::process::output_watched(cmd, "fetch", &watch) {
            Ok(out) => out,
            Err(GitError::Stopped { why, .. }) => {
                return Err(format!(
                    "{why}: stopped and removed (the limits of the --history clone: \
                     --history-max-size, its deadline)"
                ))
            }
            Err(e) => return Err(e.to_string()),
        };
        if out.status.success() {
            Ok(())
        } else {
            Err(super::git_said(opts, &out.stderr, out.status.code()))
        }
    };
    if shared.shallow_refused.load(Ordering::Relaxed) {
        return run(false).map_err(|e| format!("git fetch failed: {e}"));
    }
    match run(true) {
        Ok(()) => Ok(()),
        // Git's dumb HTTP protocol, and servers that do not do shallow fetches.
        Err(e) if e.contains("shallow") => {
            shared.shallow_refused.store(true, Ordering::Relaxed);
            run(false).map_err(|e| format!("git fetch failed: {e}"))
        }
        Err(e) => Err(format!("git fetch failed: {e}")),
    }
}

/// The refs of `repo` on the Hub and their commits (`git ls-remote`: one request, protocol
/// version 0, whose first answer lists them all).
pub(super) fn remote_refs(
    opts: &Options,
    shared: &Shared,
    repo: &Repo,
) -> Result<Vec<(String, String)>, String> {
    let dir =
        Scratch::new("hfaudit-hub-").map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let url = format!("{}/{}{}", opts.endpoint, repo.kind.prefix(), repo.id);
    // A listing of refs writes nothing; a server that sends endless refs is cut at 64 MiB.
    let watch = Watch {
        deadline: opts.git_deadline(),
        folder: dir.path().to_path_buf(),
        max_size: Some(64 << 20),
    };
    let args: Vec<OsString> = vec![
        "-c".into(),
        "protocol.version=0".into(),
        "ls-remote".into(),
        "--".into(),
        url.as_str().into(),
    ];
    shared.fetches.fetch_add(1, Ordering::Relaxed);
    let git = git::process::Git::sandbox_without_repository(dir.path());
    let out = {
        let _writing = dir.writer();
        git::process::output_watched(
            super::remote_git(opts, &git, &url, &args),
            "ls-remote",
            &watch,
        )
        .map_err(|e| e.to_string())?
    };
    if !out.status.success() {
        return Err(format!(
            "git ls-remote failed: {}",
            super::git_said(opts, &out.stderr, out.status.code())
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(id, _)| id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|(id, name)| (name.to_owned(), id.to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfs_pointers_are_told_from_files() {
        let sha = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        let pointer =
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize 12345\n");
        assert_eq!(
            lfs_pointer(pointer.as_bytes()),
            Some((sha.to_owned(), 12345))
        );
        assert_eq!(lfs_pointer(b"version 1\noid sha256:x\nsize 3\n"), None);
        assert_eq!(
            lfs_pointer(b"version https://git-lfs.github.com/spec/v1\nsize 3\n"),
            None
        );
    }

    #[test]
    fn the_wanted_refs_are_picked_from_a_listing() {
        let c = |n: char| std::iter::repeat_n(n, 40).collect::<String>();
        let remote = vec![
            ("HEAD".to_owned(), c('a')),
            ("refs/heads/main".to_owned(), c('a')),
            ("refs/heads/dev".to_owned(), c('b')),
            ("refs/tags/v1".to_owned(), c('c')),
            ("refs/tags/v1^{}".to_owned(), c('d')),
            ("refs/pr/2".to_owned(), c('e')),
            ("refs/convert/parquet".to_owned(), c('f')),
        ];
        let w = |revision: Option<&str>, pull_requests, all_refs| Wanted {
            revision: revision.map(str::to_owned),
            pull_requests,
            all_refs,
        };
        let names =
            |m: Option<BTreeMap<String, String>>| m.map(|m| m.into_keys().collect::<Vec<_>>());
        assert_eq!(
            names(w(None, false, false).pick(&remote)),
            Some(vec!["HEAD".to_owned()])
        );
        assert_eq!(
            names(w(None, true, false).pick(&remote)),
            Some(vec!["HEAD".to_owned(), "refs/pr/2".to_owned()])
        );
        assert_eq!(
            names(w(None, true, true).pick(&remote)).unwrap().len(),
            5,
            "HEAD, two branches, one tag, one pull request"
        );
        assert_eq!(
            w(Some("dev"), true, true).pick(&remote).unwrap()["dev"],
            c('b')
        );
        assert_eq!(
            w(Some("v1"), true, true).pick(&remote).unwrap()["v1"],
            c('c')
        );
        assert!(w(Some("gone"), true, true).pick(&remote).is_none());
        assert_eq!(
            w(Some(&c('9')), false, false).pick(&[]).unwrap()[&c('9')],
            c('9')
        );
        assert_eq!(own_name("refs/pr/1"), "refs%2Fpr%2F1");
    }
}
