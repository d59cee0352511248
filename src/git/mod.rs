//! Git: scan what is staged, a range of commits, or every commit, by reading git's objects
//! through the git command (plumbing output with `-z`, blobs from `git cat-file --batch`).
//!
//! Owns: finding the repository, listing the file versions each change produces, reading each
//! blob once, and deciding which change introduced each token (`history`). Every blob goes
//! through the inspector ([`crate::inspect::Inspector`]) as a blob whose origin names its path
//! and, once known, the commit that introduced what it holds; the fold records it, so rules,
//! suppression and reports are the tree scan's. It must not print, judge or choose exit codes,
//! and it never reads the working tree (the second look does, in `source`). It runs no
//! program the repository names and fetches nothing: see `process`.
//!
//! **Introduced**: a change (a staged file, or a file a commit touches) introduces a token at a
//! path when the new version of the file holds the token and the previous version does not — the
//! parent's file, the file a rename came from, or, for a merge, every parent's file. So a token
//! that was committed long ago is not reported again when its file (or its line) is edited or
//! renamed, and every reported token is on a line the change added. A token is attributed to the
//! oldest change that introduced it at that path; all its occurrences in that file version are
//! reported, with that version's line numbers.

mod blobs;
pub mod fetched;
mod habits;
mod history;
mod hook;
pub(crate) mod parse;
pub(crate) mod process;

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::config::Config;
use crate::engine::Engine;
use crate::fold::{self, Progress};
use crate::inspect::Inspected;
use crate::model::{CommitInfo, ScanError, ScanOutput, Skipped};
use crate::origin::Origin;
use crate::secret::Fingerprint;

use blobs::{read_blobs, Feeder};
pub use blobs::{Blob, Held, Limits};
use history::{attribute, introduced, Change, Listed, Oid};
pub use hook::{
    install_hook, uninstall_hook, Install, Installed, Uninstalled, BACKUP_NAME, HOOK_NAME,
};
use parse::{Fields, Item, Record, LOG_FORMAT};
use process::Git;
pub use process::GitError;

/// The top folder of the checkout we run in; `None` in a bare repository or outside one.
pub fn toplevel() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let top = process::output(Git::new(&cwd).command(["rev-parse", "--show-toplevel"])).ok()?;
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
    let ls = process::output(Git::new(top).command(["ls-files", "-z"])).ok()?;
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
pub fn tracked_but_ignored(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if let Some(top) = crate::config::repository_root(dir) {
        git_files_are_regular(&top)?;
    }
    let git = Git::new(dir);
    let out = process::output(git.command([
        "ls-files",
        "-z",
        "--cached",
        "--ignored",
        "--exclude-standard",
    ]))
    .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(process::first_lines(&out.stderr, out.status.code()));
    }
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .filter_map(|p| std::str::from_utf8(p).ok())
        .map(PathBuf::from)
        .collect())
}

/// The files git opens first in a repository (`HEAD`, `config`, the index, …) are regular files
/// or absent. One that is a FIFO (an unpacked tarball can hold one) would block git forever,
/// and a link could send it anywhere: such a repository is refused before git runs.
pub fn git_files_are_regular(top: &Path) -> Result<(), String> {
    let dot_git = top.join(".git");
    let Ok(meta) = dot_git.symlink_metadata() else {
        return Ok(()); // a bare repository, or none: git says what it is
    };
    let git_dir = if meta.is_dir() {
        dot_git
    } else if meta.is_file() {
        // A worktree or submodule: `gitdir: PATH`.
        let text = crate::files::read_regular_file(&dot_git, 4096)
            .map_err(|e| format!("{}: {e}", dot_git.display()))?;
        let text = String::from_utf8_lossy(&text);
        let Some(target) = text.trim().strip_prefix("gitdir:") else {
            return Err(format!(
                "{} is not a git directory pointer",
                dot_git.display()
            ));
        };
        top.join(target.trim())
    } else {
        return Err(format!(
            "{} is neither a folder nor a file: not reading it with git",
            dot_git.display()
        ));
    };
    for name in [
        "HEAD",
        "config",
        "index",
        "packed-refs",
        "commondir",
        "info/exclude",
    ] {
        let path = git_dir.join(name);
        match path.symlink_metadata() {
            Ok(m) if !m.is_file() => {
                return Err(format!(
                    "{} is not a regular file: git would block or read elsewhere, so it is not run",
                    path.display()
                ));
            }
            _ => {}
        }
    }
    Ok(())
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
    /// A shallow clone: history stops at its cut-off commits, which look like root commits.
    shallow: bool,
}

impl Repo {
    fn locate(git: Git) -> Result<Repo, GitError> {
        let dir = git.dir().to_path_buf();
        // One process: the top folder, shallow or not, and whether HEAD names a commit yet.
        let out = process::output(git.command([
            "rev-parse",
            "--show-toplevel",
            "--is-shallow-repository",
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
                shallow: lines.next() == Some("true"),
                has_head: out.status.success() && lines.next().is_some(),
                bare: false,
                git,
            });
        }
        // A bare repository (a mirror clone) has history but no working tree.
        let bare = process::output(git.command([
            "rev-parse",
            "--is-bare-repository",
            "--is-shallow-repository",
            "--verify",
            "--quiet",
            "HEAD^{commit}",
        ]))?;
        let stdout = String::from_utf8_lossy(&bare.stdout);
        let mut lines = stdout.lines();
        if lines.next() == Some("true") {
            return Ok(Repo {
                top: dir.clone(),
                shallow: lines.next() == Some("true"),
                has_head: bare.status.success(),
                bare: true,
                git,
            });
        }
        Err(GitError::NotARepo {
            dir,
            message: process::first_lines(&out.stderr, out.status.code()),
        })
    }

    /// The commits where a shallow clone's history is cut off (they look like root commits).
    fn cut_offs(&self) -> Result<HashSet<String>, GitError> {
        let out = process::output(self.git.command(["rev-parse", "--git-path", "shallow"]))?;
        if !out.status.success() {
            return Ok(HashSet::new());
        }
        let path = String::from_utf8_lossy(&out.stdout).trim_end().to_owned();
        // git prints it relative to the folder it ran in; a few lines of object ids.
        let text =
            crate::files::read_small_file(&self.git.dir().join(path), 16 << 20).unwrap_or_default();
        Ok(String::from_utf8_lossy(&text)
            .lines()
            .map(str::to_owned)
            .collect())
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

/// How a repository's file versions are named: the origin of the version at `path`, with the
/// commit that introduced what is reported from it.
pub type Namer<'a> = dyn Fn(&str, Option<CommitInfo>) -> Origin + Sync + 'a;

/// The origin of a file version of the user's repository: its repository-relative path.
pub fn local_origin(path: &str, commit: Option<CommitInfo>) -> Origin {
    Origin::git(path, commit)
}

/// Scans what `opts.mode` asks for. Paths in the output are repository-relative.
pub fn scan(opts: &Options, engine: &Engine, progress: &Progress) -> Result<ScanOutput, GitError> {
    let cwd = std::env::current_dir()?;
    scan_in(
        &cwd,
        opts,
        engine,
        progress,
        Limits::default(),
        &local_origin,
    )
}

/// [`scan`] in the user's repository around `cwd`, reading blobs within `limits`, naming file
/// versions with `origin`.
pub fn scan_in(
    cwd: &Path,
    opts: &Options,
    engine: &Engine,
    progress: &Progress,
    limits: Limits,
    origin: &Namer<'_>,
) -> Result<ScanOutput, GitError> {
    if let Some(top) = crate::config::repository_root(cwd) {
        git_files_are_regular(&top).map_err(|message| GitError::Failed {
            command: "rev-parse".to_owned(),
            message,
        })?;
    }
    scan_repo(Git::new(cwd), opts, engine, progress, limits, origin)
}

/// [`scan`] in a repository hfaudit made (a Hub repository's bare mirror clone at `git_dir`):
/// git is sandboxed ([`Git::sandbox`]), so no `GIT_DIR` of the user's reaches it.
pub fn scan_clone(
    git_dir: &Path,
    opts: &Options,
    engine: &Engine,
    progress: &Progress,
    limits: Limits,
    origin: &Namer<'_>,
) -> Result<ScanOutput, GitError> {
    scan_repo(
        Git::sandbox(git_dir),
        opts,
        engine,
        progress,
        limits,
        origin,
    )
}

fn scan_repo(
    git: Git,
    opts: &Options,
    engine: &Engine,
    progress: &Progress,
    limits: Limits,
    origin: &Namer<'_>,
) -> Result<ScanOutput, GitError> {
    let cwd = git.dir().to_path_buf();
    let repo = Repo::locate(git)?;
    if repo.bare && opts.mode == Mode::Staged {
        return Err(GitError::Bare { dir: cwd.clone() });
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
                "--no-ext-diff",
                "--no-textconv",
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
    let cut_offs = if repo.shallow && opts.mode != Mode::Staged {
        repo.cut_offs()?
    } else {
        HashSet::new()
    };
    let ctx = Context {
        repo: &repo,
        cut_offs: &cut_offs,
        engine,
        progress,
        excluded: &excluded,
        max_filesize: opts.max_filesize,
        limits,
        origin,
        habits: opts.mode != Mode::History,
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
        "log",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
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

/// Pass one's verdict on a blob.
enum Seen {
    /// The tokens it holds (sorted, unique), what else it gave (an archive's notes), and
    /// its habits at the path it was listed at first, if it has any (not with `--history`).
    Scanned(Vec<Fingerprint>, Inspected, Option<Box<habits::Kept>>),
    TooBig(u64),
    Missing(String),
}

/// Pass one's answer for one blob: the path it was first seen at, its size, and the verdict.
type Verdict = (Arc<str>, u64, Seen);

struct Context<'a> {
    repo: &'a Repo,
    /// Where a shallow clone's history stops: a note when the scan reaches one.
    cut_offs: &'a HashSet<String>,
    engine: &'a Engine,
    progress: &'a Progress,
    excluded: &'a Exclusions,
    max_filesize: Option<u64>,
    limits: Limits,
    origin: &'a Namer<'a>,
    /// Judge the practice rules on the lines each change adds (not with `--history`).
    habits: bool,
}

impl Context<'_> {
    fn run(&self, command: &[OsString], what: &'static str) -> Result<ScanOutput, GitError> {
        let inspector = self.engine.inspector();
        let mut out = ScanOutput::default();

        // Pass one: list the changes while cat-file returns each new blob, scanned as it comes.
        let (listed, seen) = match self.pass_one(command, what) {
            // Rename detection reads the blobs of added and deleted files: one that is missing
            // (a partial or damaged clone; git never fetches it) stops git. Once more, with
            // the renames that need no blob (unchanged content): the missing ones are then
            // errors for their own path.
            Err(GitError::Failed {
                command: failed, ..
            }) if failed == what => {
                let exact: Vec<OsString> = command
                    .iter()
                    .map(|a| {
                        if a == "-M" {
                            "-M100%".into()
                        } else {
                            a.clone()
                        }
                    })
                    .collect();
                out.notes.push(
                    "git could not read a file version it needed to follow renames (a \
                     partial or damaged clone): only renames without changes were followed"
                        .to_owned(),
                );
                self.pass_one(&exact, what)?
            }
            other => other?,
        };
        if listed.commits.iter().any(|c| self.cut_offs.contains(&c.id)) {
            out.notes.push(
                "this is a shallow clone: its history is cut off, so a token added before the \
                 cut-off is reported as added by the oldest commit there is, and one deleted \
                 before it is not seen (`git fetch --unshallow` fetches the rest)"
                    .to_owned(),
            );
        }
        let empty = Vec::new();
        let mut tokens: Vec<&Vec<Fingerprint>> = Vec::with_capacity(seen.len());
        let mut seen = seen;
        for (blob, (path, bytes, verdict)) in seen.iter_mut().enumerate() {
            let path = (self.origin)(path, None).path();
            match verdict {
                Seen::Scanned(_, notes, _) => {
                    let skipped = std::mem::take(&mut notes.skipped);
                    let errors = std::mem::take(&mut notes.errors);
                    fold::count(&mut out, *bytes, skipped, errors);
                }
                Seen::TooBig(size) => out.skipped.push(Skipped {
                    path,
                    reason: format!(
                        "{size} bytes, over --max-filesize {}",
                        self.max_filesize.unwrap_or_default()
                    ),
                }),
                Seen::Missing(why) => out.errors.push(ScanError {
                    path,
                    message: format!("{why} ({})", listed.whose(blob as u32)),
                }),
            }
        }
        for (_, _, verdict) in &seen {
            tokens.push(match verdict {
                Seen::Scanned(fps, _, _) => fps,
                _ => &empty,
            });
        }

        // The habits each change adds, on the lines it adds.
        if self.habits {
            self.habits(&listed, &seen, &mut out)?;
        }

        // Which change introduced which token where: the oldest one.
        let wanted = attribute(&listed, &tokens);
        if wanted.is_empty() {
            out.sort();
            return Ok(out);
        }

        // Pass two: the few file versions that introduced tokens, scanned at their paths.
        let chunk = self.limits.chunk;
        let ((), found) = read_blobs(
            &self.repo.git,
            1,
            None,
            self.limits,
            |feeder: &mut Feeder<usize>| {
                for (i, w) in wanted.iter().enumerate() {
                    feeder.request(&w.oid, 0, i)?;
                }
                Ok(())
            },
            |i, blob| {
                let w = &wanted[i];
                let origin = (self.origin)(&w.path, None);
                let inspected = match blob {
                    Blob::Data(data) => inspector.inspect(origin, &data),
                    // A read error fails the run (the blob reader reports it).
                    Blob::Stream(body, _) => inspector
                        .inspect_stream(body, origin, chunk)
                        .unwrap_or_default(),
                    Blob::TooBig(_) | Blob::Missing(_) => return Vec::new(),
                };
                let root = |c: Option<u32>| {
                    (self.origin)(&w.path, c.map(|c| listed.commits[c as usize].clone()))
                };
                let mut inspected = inspected;
                introduced(inspected.take_scans(), &w.tokens, &root)
            },
        )?;
        for scans in found {
            for scan in scans {
                fold::add(&mut out, scan);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Lists the changes and scans every blob they name, once: the changes, and per blob its
    /// path, size and verdict.
    fn pass_one(
        &self,
        command: &[OsString],
        what: &'static str,
    ) -> Result<(Listed, Vec<Verdict>), GitError> {
        let inspector = self.engine.inspector();
        let chunk = self.limits.chunk;
        // A staged change is a handful of files: one cat-file starts fastest. A history is
        // worth one per thread.
        let shards = if what == "log" {
            rayon::current_num_threads().clamp(1, 8)
        } else {
            1
        };
        let fingerprints = |mut found: Inspected, data: &[u8]| {
            let mut fps: Vec<Fingerprint> = found
                .scans()
                .flat_map(|s| &s.occurrences)
                .map(|o| o.secret.fingerprint())
                .collect();
            fps.sort_unstable();
            fps.dedup();
            let habits = if self.habits {
                habits::keep(&mut found, data)
            } else {
                None
            };
            // Occurrences and facts come again in pass two, for what a change introduced.
            found.take_scans().for_each(drop);
            Seen::Scanned(fps, found, habits)
        };
        read_blobs(
            &self.repo.git,
            shards,
            self.max_filesize,
            self.limits,
            |feeder| self.list(command, what, feeder),
            |(_, path): (u32, Arc<str>), blob| {
                let origin = (self.origin)(&path, None);
                let (size, seen) = match blob {
                    Blob::Data(data) => (
                        data.len() as u64,
                        fingerprints(inspector.inspect(origin, &data), &data),
                    ),
                    // A read error fails the run (the blob reader reports it). A streamed blob
                    // has no facts, so no habits.
                    Blob::Stream(body, size) => (
                        size,
                        fingerprints(
                            inspector
                                .inspect_stream(body, origin, chunk)
                                .unwrap_or_default(),
                            &[],
                        ),
                    ),
                    Blob::TooBig(size) => return (path, 0, Seen::TooBig(size)),
                    Blob::Missing(why) => return (path, 0, Seen::Missing(why)),
                };
                fold::progressed(self.progress, size);
                (path, size, seen)
            },
        )
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

#[cfg(test)]
mod tests {
    use super::*;

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

/// Scans of real (scratch) repositories with lowered read limits: the paths a big repository
/// takes, on small blobs.
#[cfg(test)]
mod limits_tests;
