//! Git: scan what is staged, a range of commits, or every commit, by reading git's objects
//! through the git command (plumbing output with `-z`, blobs from `git cat-file --batch`).
//!
//! Owns: finding the repository, listing the file versions each change produces, reading each
//! blob once, and deciding which change introduced each token. Every blob goes through
//! [`Scanner::scan_buffer`](crate::read::Scanner::scan_buffer), so rules, suppression and reports
//! are the tree scan's. It must not print, judge or choose exit codes, and it never reads the
//! working tree.
//!
//! **Introduced**: a change (a staged file, or a file a commit touches) introduces a token at a
//! path when the new version of the file holds the token and the previous version does not — the
//! parent's file, the file a rename came from, or, for a merge, every parent's file. So a token
//! that was committed long ago is not reported again when its file (or its line) is edited or
//! renamed, and every reported token is on a line the change added. A token is attributed to the
//! oldest change that introduced it at that path; all its occurrences in that file version are
//! reported, with that version's line numbers.

mod blobs;
mod hook;
mod parse;
mod process;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::config::Config;
use crate::engine::Engine;
use crate::model::{CommitInfo, FileFacts, ScanError, ScanOutput, Skipped};
use crate::secret::Fingerprint;
use crate::walk::Progress;

use blobs::{read_blobs, Blob, Feeder};
pub use hook::{install_hook, HOOK_NAME};
use parse::{Fields, Item, Record, LOG_FORMAT};
use process::Git;
pub use process::GitError;

/// The top folder of the checkout we run in; `None` in a bare repository or outside one.
pub fn toplevel() -> Option<PathBuf> {
    let top = std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !top.status.success() {
        return None;
    }
    Some(PathBuf::from(
        String::from_utf8(top.stdout)
            .ok()?
            .trim_end_matches(['\n', '\r']),
    ))
}

/// The tracked files of the checkout at `top` (path on disk, repository-relative path), for
/// need inference across files in git modes. What the files say today stands in for what they
/// said at each commit: good enough for "which code reads this variable", which rarely changes.
pub fn working_tree_files(top: &Path) -> Option<Vec<(PathBuf, String)>> {
    let ls = std::process::Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["ls-files", "-z"])
        .output()
        .ok()?;
    if !ls.status.success() {
        return None;
    }
    Some(
        ls.stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok())
            .map(|rel| (top.join(rel), rel.to_owned()))
            .collect(),
    )
}

/// Files under `dir` that git tracks although an ignore file lists them (added with
/// `git add -f`), relative to `dir`. `None` when git cannot tell (not a work tree, no git).
pub fn tracked_but_ignored(dir: &Path) -> Option<Vec<PathBuf>> {
    let git = Git::new(dir);
    let out = process::output(git.command([
        "ls-files",
        "-z",
        "--cached",
        "--ignored",
        "--exclude-standard",
    ]))
    .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        out.stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok())
            .map(PathBuf::from)
            .collect(),
    )
}

/// What to read from git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The index against `HEAD` (or everything staged, before the first commit).
    Staged,
    /// The commits of a range.
    Range(Range),
    /// Every commit reachable from any ref.
    History,
}

/// A commit range as `git log` takes it: `from..to` (commits in `to` not in `from`) or
/// `from...to` (in either, not in both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub from: String,
    pub to: String,
    pub symmetric: bool,
}

impl Range {
    /// `--since REV`: the commits after REV up to HEAD.
    pub fn since(rev: &str) -> Range {
        Range {
            from: rev.to_owned(),
            to: "HEAD".to_owned(),
            symmetric: false,
        }
    }

    /// Parses `A..B` or `A...B`; an empty side means HEAD, as in git.
    pub fn parse(text: &str) -> Result<Range, String> {
        let (from, to, symmetric) = if let Some((a, b)) = text.split_once("...") {
            (a, b, true)
        } else if let Some((a, b)) = text.split_once("..") {
            (a, b, false)
        } else {
            return Err(format!(
                "{text:?} is not a range: write A..B (the commits in B that are not in A), \
                 or use --since REV for REV..HEAD"
            ));
        };
        let side = |s: &str| {
            if s.is_empty() {
                "HEAD".to_owned()
            } else {
                s.to_owned()
            }
        };
        Ok(Range {
            from: side(from),
            to: side(to),
            symmetric,
        })
    }

    fn spec(&self) -> String {
        let dots = if self.symmetric { "..." } else { ".." };
        format!("{}{dots}{}", self.from, self.to)
    }
}

/// How to run a git-mode scan.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    /// Limit the scan to these paths (relative to the current folder); empty: the whole
    /// repository.
    pub pathspecs: Vec<PathBuf>,
    /// File versions larger than this are skipped and reported.
    pub max_filesize: Option<u64>,
    /// Scanning threads; 0 for one per core.
    pub threads: usize,
}

/// The repository around the current folder.
struct Repo {
    git: Git,
    /// The top of the working tree (for matching the config's exclude globs).
    top: PathBuf,
    has_head: bool,
    bare: bool,
}

impl Repo {
    fn locate(dir: &Path) -> Result<Repo, GitError> {
        let git = Git::new(dir);
        // One process: the top folder, and whether HEAD names a commit yet.
        let out = process::output(git.command([
            "rev-parse",
            "--show-toplevel",
            "--verify",
            "--quiet",
            "HEAD^{commit}",
        ]))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut lines = stdout.lines();
        let top = lines
            .next()
            .filter(|_| matches!(out.status.code(), Some(0 | 1)));
        if let Some(top) = top {
            return Ok(Repo {
                top: PathBuf::from(top),
                has_head: out.status.success() && lines.next().is_some(),
                bare: false,
                git,
            });
        }
        // A bare repository (a mirror clone) has history but no working tree.
        let bare = process::output(git.command([
            "rev-parse",
            "--is-bare-repository",
            "--verify",
            "--quiet",
            "HEAD^{commit}",
        ]))?;
        if String::from_utf8_lossy(&bare.stdout).starts_with("true") {
            return Ok(Repo {
                top: dir.to_path_buf(),
                has_head: bare.status.success(),
                bare: true,
                git,
            });
        }
        Err(GitError::NotARepo {
            dir: dir.to_path_buf(),
            message: process::first_lines(&out.stderr, out.status.code()),
        })
    }

    /// Fails with [`GitError::BadRevision`] unless `rev` names a commit.
    fn check_revision(&self, rev: &str) -> Result<(), GitError> {
        if rev.starts_with('-') {
            return Err(GitError::BadRevision {
                rev: rev.to_owned(),
                message: "a revision cannot start with '-'".to_owned(),
            });
        }
        let out = process::output(self.git.command([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ]))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(GitError::BadRevision {
                rev: rev.to_owned(),
                message: "not a commit in this repository (in CI, fetch the history: \
                          a shallow clone lacks older commits and other branches)"
                    .to_owned(),
            })
        }
    }
}

/// Scans what `opts.mode` asks for. Paths in the output are repository-relative.
pub fn scan(opts: &Options, engine: &Engine, progress: &Progress) -> Result<ScanOutput, GitError> {
    let cwd = std::env::current_dir()?;
    let repo = Repo::locate(&cwd)?;
    if repo.bare && opts.mode == Mode::Staged {
        return Err(GitError::Bare { dir: cwd });
    }
    let excluded = Exclusions::new(&engine.config, &repo.top)?;
    let mut pathspecs: Vec<OsString> = opts
        .pathspecs
        .iter()
        .map(|p| {
            let mut s = OsString::from(":(literal)");
            s.push(p);
            s
        })
        .collect();
    let (command, what): (Vec<OsString>, &'static str) = match &opts.mode {
        Mode::Staged if repo.has_head => (
            args(&[
                "diff-index",
                "--cached",
                "--raw",
                "-z",
                "-M",
                "--no-abbrev",
                "HEAD",
            ]),
            "diff-index",
        ),
        Mode::Staged => {
            if pathspecs.is_empty() {
                // ls-files lists the current folder by default; the repository is wanted.
                pathspecs.push(":(top)".into());
            }
            (
                args(&["ls-files", "--stage", "-z", "--full-name"]),
                "ls-files",
            )
        }
        Mode::Range(range) => {
            repo.check_revision(&range.from)?;
            repo.check_revision(&range.to)?;
            let mut a = log_args();
            a.push(range.spec().into());
            (a, "log")
        }
        Mode::History => {
            let mut a = log_args();
            a.push("--all".into());
            (a, "log")
        }
    };
    let mut command = command;
    command.push("--".into());
    command.extend(pathspecs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| GitError::Io(std::io::Error::other(e)))?;
    let ctx = Context {
        repo: &repo,
        engine,
        progress,
        excluded: &excluded,
        max_filesize: opts.max_filesize,
    };
    pool.install(|| ctx.run(&command, what))
}

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

/// `git log` options shared by range and history: one header per commit, raw records with full
/// object ids, renames followed, merges shown as combined records (the files that differ from
/// every parent: only those can introduce something), every commit even when paths are given,
/// children before parents and otherwise newest first.
fn log_args() -> Vec<OsString> {
    let mut a = args(&[
        "-c",
        "log.showSignature=false",
        "log",
        "--no-color",
        "--raw",
        "-z",
        "-M",
        "-c",
        "--no-abbrev",
        "--full-history",
        "--date-order",
    ]);
    a.push(format!("--format={LOG_FORMAT}").into());
    a
}

/// The config's exclude globs, matched against repository paths.
struct Exclusions {
    matcher: Option<Gitignore>,
    root: PathBuf,
    top: PathBuf,
}

impl Exclusions {
    fn new(config: &Config, top: &Path) -> Result<Self, GitError> {
        let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
        let top = std::fs::canonicalize(top).unwrap_or_else(|_| top.to_path_buf());
        let matcher = if config.exclude.is_empty() {
            None
        } else {
            let mut b = GitignoreBuilder::new(&root);
            for glob in &config.exclude {
                b.add_line(None, glob)?;
            }
            Some(b.build()?)
        };
        Ok(Exclusions { matcher, root, top })
    }

    fn excluded(&self, rel: &str) -> bool {
        let Some(m) = &self.matcher else {
            return false;
        };
        let path = self.top.join(rel);
        // The matcher panics on paths outside its root: those are never excluded.
        path.starts_with(&self.root) && m.matched_path_or_any_parents(&path, false).is_ignore()
    }
}

/// One file version a change produced: the blob at `path`, and the versions it replaced.
/// Kept small: a long history has millions.
struct Change {
    /// Index into `Listed::commits`; `None` for the staged change.
    commit: Option<u32>,
    /// Shared by every change to the same path.
    path: Arc<str>,
    /// Blob indexes.
    new: u32,
    old: Box<[u32]>,
}

/// What listing the changes yields: commits, changes and the unique blobs they refer to.
#[derive(Default)]
struct Listed {
    commits: Vec<CommitInfo>,
    changes: Vec<Change>,
    /// Object id of each blob, by blob index.
    oids: Vec<Oid>,
}

/// An object id (SHA-1 or SHA-256), stored as bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Oid {
    len: u8,
    bytes: [u8; 32],
}

impl Oid {
    fn parse(hex: &str) -> Option<Oid> {
        let digits = hex.as_bytes();
        if !digits.len().is_multiple_of(2) || digits.len() > 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in digits.chunks(2).enumerate() {
            let text = std::str::from_utf8(pair).ok()?;
            bytes[i] = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Oid {
            len: (digits.len() / 2) as u8,
            bytes,
        })
    }

    fn to_hex(self) -> String {
        self.bytes[..usize::from(self.len)]
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                s.push(char::from(HEX[usize::from(b >> 4)]));
                s.push(char::from(HEX[usize::from(b & 15)]));
                s
            })
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Pass one's verdict on a blob.
enum Seen {
    /// The tokens it holds (sorted, unique), and an archive's notes (limits hit, damage).
    Scanned(Vec<Fingerprint>, Vec<Skipped>, Vec<ScanError>),
    TooBig(u64),
    Missing(String),
}

/// The tokens to report in one file version, each with the commit (index) that introduced it.
type Introduced = Vec<(Fingerprint, Option<u32>)>;

/// What pass two must report: in one blob, at each path, the tokens introduced there.
struct Wanted {
    oid: String,
    paths: Vec<(String, Introduced)>,
}

struct Context<'a> {
    repo: &'a Repo,
    engine: &'a Engine,
    progress: &'a Progress,
    excluded: &'a Exclusions,
    max_filesize: Option<u64>,
}

impl Context<'_> {
    fn run(&self, command: &[OsString], what: &'static str) -> Result<ScanOutput, GitError> {
        let scanner = self.engine.scanner();
        let mut out = ScanOutput::default();

        // Pass one: list the changes while cat-file returns each new blob, scanned as it comes.
        // A staged change is a handful of files: one cat-file starts fastest. A history is
        // worth one per thread.
        let shards = if what == "log" {
            rayon::current_num_threads().clamp(1, 8)
        } else {
            1
        };
        let (listed, seen) = read_blobs(
            &self.repo.git,
            shards,
            self.max_filesize,
            |feeder| self.list(command, what, feeder),
            |(_, path): (u32, Arc<str>), blob| match blob {
                Blob::Data(data) => {
                    self.progress.files.fetch_add(1, Ordering::Relaxed);
                    self.progress
                        .bytes
                        .fetch_add(data.len() as u64, Ordering::Relaxed);
                    let scan = scanner.scan_buffer(&path, &data);
                    let mut fps: Vec<Fingerprint> = scan
                        .occurrences
                        .iter()
                        .map(|o| o.secret.fingerprint())
                        .collect();
                    fps.sort_unstable();
                    fps.dedup();
                    let notes = scan.archive;
                    let seen = Seen::Scanned(fps, notes.skipped, notes.errors);
                    (path, data.len() as u64, seen)
                }
                Blob::TooBig(size) => (path, 0, Seen::TooBig(size)),
                Blob::Missing(why) => (path, 0, Seen::Missing(why)),
            },
        )?;
        let empty = Vec::new();
        let mut tokens: Vec<&Vec<Fingerprint>> = Vec::with_capacity(seen.len());
        for (path, bytes, verdict) in &seen {
            match verdict {
                Seen::Scanned(fps, skipped, errors) => {
                    out.skipped.extend(skipped.iter().cloned());
                    out.errors.extend(errors.iter().cloned());
                    out.files_scanned += 1;
                    out.bytes_scanned += bytes;
                    tokens.push(fps);
                    continue;
                }
                Seen::TooBig(size) => out.skipped.push(Skipped {
                    path: path.to_string(),
                    reason: format!(
                        "{size} bytes, over --max-filesize {}",
                        self.max_filesize.unwrap_or_default()
                    ),
                }),
                Seen::Missing(why) => out.errors.push(ScanError {
                    path: path.to_string(),
                    message: why.clone(),
                }),
            }
            tokens.push(&empty);
        }

        // Which change introduced which token where: the oldest one.
        let wanted = attribute(&listed, &tokens);
        if wanted.is_empty() {
            out.sort();
            return Ok(out);
        }

        // Pass two: the few blobs that introduced tokens, scanned at the paths they had.
        let ((), found) = read_blobs(
            &self.repo.git,
            1,
            None,
            |feeder: &mut Feeder<usize>| {
                for (i, w) in wanted.iter().enumerate() {
                    feeder.request(&w.oid, 0, i)?;
                }
                Ok(())
            },
            |i, blob| {
                let mut occurrences = Vec::new();
                let mut facts = Vec::new();
                let Blob::Data(data) = blob else {
                    return (occurrences, facts);
                };
                for (path, fps) in &wanted[i].paths {
                    let scan = scanner.scan_buffer(path, &data);
                    let before = occurrences.len();
                    for mut occ in scan.occurrences {
                        let fp = occ.secret.fingerprint();
                        if let Some((_, commit)) = fps.iter().find(|(f, _)| *f == fp) {
                            occ.commit = commit.map(|c| listed.commits[c as usize].clone());
                            occurrences.push(occ);
                        }
                    }
                    if occurrences.len() > before {
                        facts.extend(scan.facts);
                        facts.extend(scan.archive.facts);
                    }
                }
                (occurrences, facts)
            },
        )?;
        for (occurrences, facts) in found {
            out.occurrences.extend(occurrences);
            out.facts.extend::<Vec<FileFacts>>(facts);
        }
        out.sort();
        Ok(out)
    }

    /// Runs the listing command and requests every blob it names, once.
    fn list(
        &self,
        command: &[OsString],
        what: &'static str,
        feeder: &mut Feeder<(u32, Arc<str>)>,
    ) -> Result<Listed, GitError> {
        let git = &self.repo.git;
        let mut source = process::spawn(git.command(command), what, false)?;
        let stdout = source.stdout.take().expect("stdout is piped");
        let mut fields = Fields::new(BufReader::with_capacity(1 << 16, stdout));
        let mut listed = Listed::default();
        let parse_error = |detail: String| GitError::Parse {
            command: what,
            detail,
        };
        let mut index: HashMap<Oid, u32> = HashMap::new();
        let mut intern = |hex: &str, path: &Arc<str>, listed: &mut Listed| {
            let oid =
                Oid::parse(hex).ok_or_else(|| parse_error(format!("bad object id {hex:?}")))?;
            if let Some(&i) = index.get(&oid) {
                return Ok::<u32, GitError>(i);
            }
            let i = listed.oids.len() as u32;
            index.insert(oid, i);
            listed.oids.push(oid);
            // Versions of one path are deltas of each other: keep them on one shard.
            feeder.request(hex, path_key(path), (i, Arc::clone(path)))?;
            Ok(i)
        };
        let mut paths: HashSet<Arc<str>> = HashSet::new();
        let mut share = |bytes: &[u8]| -> Arc<str> {
            let text = String::from_utf8_lossy(bytes);
            if let Some(p) = paths.get(text.as_ref()) {
                return Arc::clone(p);
            }
            let p: Arc<str> = Arc::from(text.as_ref());
            paths.insert(Arc::clone(&p));
            p
        };
        loop {
            let item = if what == "ls-files" {
                fields.next_stage_entry().map(|r| r.map(Item::Record))
            } else {
                fields.next_item()
            };
            let item = match item {
                Ok(Some(item)) => item,
                Ok(None) => break,
                Err(detail) => {
                    // A failed git explains itself better than its truncated output.
                    source.finish()?;
                    return Err(parse_error(detail));
                }
            };
            let record = match item {
                Item::Commit(h) => {
                    listed.commits.push(CommitInfo {
                        id: h.id,
                        author: h.author,
                        date: h.date,
                    });
                    continue;
                }
                Item::Record(r) => r,
            };
            let commit = if what == "log" {
                let Some(c) = listed.commits.len().checked_sub(1) else {
                    return Err(parse_error("a raw record before any commit".to_owned()));
                };
                Some(c as u32)
            } else {
                None
            };
            if !record.new.is_file() {
                continue; // deleted, a symlink or a submodule
            }
            let path = share(&record.path);
            if self.excluded.excluded(&path) {
                continue;
            }
            let Record { old, new, from, .. } = record;
            let from = from.map(|f| share(&f));
            let new = intern(&new.oid, &path, &mut listed)?;
            let mut olds = Vec::with_capacity(old.len());
            for side in old.iter().filter(|s| s.is_file()) {
                olds.push(intern(
                    &side.oid,
                    from.as_ref().unwrap_or(&path),
                    &mut listed,
                )?);
            }
            listed.changes.push(Change {
                commit,
                path,
                new,
                old: olds.into_boxed_slice(),
            });
        }
        source.finish()?;
        Ok(listed)
    }
}

/// FNV-1a of a path: a stable shard key.
fn path_key(path: &str) -> u64 {
    path.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Decides, for each (path, token), the change that introduced it — the oldest: `git log
/// --date-order` lists children before parents, so the last one listed — and groups the
/// answers by blob for pass two.
fn attribute(listed: &Listed, tokens: &[&Vec<Fingerprint>]) -> Vec<Wanted> {
    let mut best: HashMap<(&str, &Fingerprint), &Change> = HashMap::new();
    for change in &listed.changes {
        for fp in tokens[change.new as usize] {
            let before = change
                .old
                .iter()
                .any(|o| tokens[*o as usize].binary_search(fp).is_ok());
            if before {
                continue;
            }
            best.entry((&*change.path, fp))
                .and_modify(|b| {
                    if change.commit > b.commit {
                        *b = change;
                    }
                })
                .or_insert(change);
        }
    }
    let mut by_blob: BTreeMap<u32, BTreeMap<&str, Introduced>> = BTreeMap::new();
    for ((path, fp), change) in best {
        by_blob
            .entry(change.new)
            .or_default()
            .entry(path)
            .or_default()
            .push((fp.clone(), change.commit));
    }
    by_blob
        .into_iter()
        .map(|(blob, paths)| Wanted {
            oid: listed.oids[blob as usize].to_hex(),
            paths: paths
                .into_iter()
                .map(|(p, mut fps)| {
                    fps.sort();
                    (p.to_owned(), fps)
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(n: u8) -> Fingerprint {
        Fingerprint::parse(&format!("{n:016x}")).unwrap()
    }

    fn oid(n: u8) -> Oid {
        Oid::parse(&format!("{n:02x}").repeat(20)).unwrap()
    }

    #[test]
    fn object_ids_round_trip() {
        for hex in ["0123456789abcdef0123456789abcdef01234567", &"fe".repeat(32)] {
            assert_eq!(Oid::parse(hex).unwrap().to_hex(), hex);
        }
        assert!(Oid::parse("xyz").is_none());
    }

    fn change(commit: Option<u32>, path: &str, new: u32, old: &[u32]) -> Change {
        Change {
            commit,
            path: Arc::from(path),
            new,
            old: old.into(),
        }
    }

    #[test]
    fn oldest_introduction_wins_and_kept_tokens_are_not_new() {
        // Log order (newest first): c0 re-adds T1 in a.py; c1 deletes it (no record);
        // c2 edits a.py keeping T1; c3 adds T1 to a.py.
        let listed = Listed {
            commits: vec![],
            changes: vec![
                change(Some(0), "a.py", 3, &[4]),
                change(Some(2), "a.py", 1, &[0]),
                change(Some(3), "a.py", 0, &[]),
            ],
            oids: (0..5u8).map(oid).collect(),
        };
        let t1 = vec![fp(1)];
        let none = Vec::new();
        let tokens = vec![&t1, &t1, &none, &t1, &none];
        let wanted = attribute(&listed, &tokens);
        assert_eq!(wanted.len(), 1);
        assert_eq!(wanted[0].oid, oid(0).to_hex());
        assert_eq!(
            wanted[0].paths,
            vec![("a.py".to_owned(), vec![(fp(1), Some(3))])]
        );
    }

    #[test]
    fn a_merge_introduces_only_what_no_parent_had() {
        let listed = Listed {
            commits: vec![],
            changes: vec![change(Some(0), "m.txt", 2, &[0, 1])],
            oids: (0..3u8).map(oid).collect(),
        };
        let (t1, t2) = (vec![fp(1)], vec![fp(2)]);
        let both = vec![fp(1), fp(2)];
        let wanted = attribute(&listed, &[&t1, &t2, &both]);
        assert!(wanted.is_empty());
        let three = vec![fp(1), fp(2), fp(3)];
        let wanted = attribute(&listed, &[&t1, &t2, &three]);
        assert_eq!(wanted[0].paths[0].1, vec![(fp(3), Some(0))]);
    }

    #[test]
    fn ranges() {
        let r = Range::parse("origin/main..HEAD").unwrap();
        assert_eq!(
            (r.from.as_str(), r.to.as_str(), r.symmetric),
            ("origin/main", "HEAD", false)
        );
        let r = Range::parse("a...").unwrap();
        assert_eq!(
            (r.to.as_str(), r.symmetric, r.spec()),
            ("HEAD", true, "a...HEAD".to_owned())
        );
        assert!(Range::parse("main").is_err());
        assert_eq!(Range::since("v1").spec(), "v1..HEAD");
    }
}
