//! The tree source: every file worth scanning under the paths given (and standard input), in
//! parallel, each handed to the inspector on the walker's threads and recorded by the fold.
//!
//! Parallelism lives here (as in ripgrep): `ignore`'s parallel walker runs one visitor per
//! thread; each visitor keeps its own read buffer and results and hands them over once, when it
//! is dropped, so threads never contend per file. Hidden files are walked (that is where `.env`
//! and `.github/` live); `.git/` is not (git modes read history instead).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::fold::{self, Progress};
use crate::inspect::{FileInspected, Inspector};
use crate::model::{ScanError, ScanOutput, Skipped};
use crate::origin::Origin;

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub paths: Vec<PathBuf>,
    /// Respect `.gitignore`, `.ignore` and git's excludes.
    pub respect_ignore: bool,
    pub follow_links: bool,
    /// Files larger than this are skipped and reported.
    pub max_filesize: Option<u64>,
    /// Gitignore-style globs of paths never to scan (from the config), relative to `exclude_root`.
    pub exclude: Vec<String>,
    pub exclude_root: PathBuf,
    pub threads: usize,
}

/// Walks `opts.paths` and scans every file. Per-file errors are recorded, never fatal.
///
/// Ignore files are part of the scanned tree, so they are hostile too: one that is a symbolic
/// link (to `/dev/zero`, `/proc/self/pagemap`), not a regular file (a FIFO) or over
/// [`MAX_IGNORE_FILE`] is never read. Its folder is then scanned without ignore rules, and the
/// report lists the file as skipped. Inside a git work tree, files that git tracks are scanned
/// even when an ignore file lists them (`git add -f`): a token must not hide from CI that way.
pub fn walk(
    opts: &WalkOptions,
    inspector: &Inspector<'_>,
    progress: &Progress,
) -> Result<ScanOutput, ignore::Error> {
    let excluded = exclusions(opts)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    // `-` is standard input, as in ripgrep: `git show REV:file | hfaudit scan -`.
    let stdin = Path::new("-");
    let mut from_stdin = ScanOutput::default();
    if opts.paths.iter().any(|p| p == stdin) {
        let result = inspector
            .inspect_named_stream(
                std::io::stdin().lock(),
                Origin::File(STDIN.into()),
                opts.max_filesize,
            )
            .map(FileInspected::Read);
        // Nothing on disk to read again for need inference.
        record(
            &mut from_stdin,
            progress,
            opts.max_filesize,
            None,
            STDIN.into(),
            result,
        );
        if opts.paths.iter().all(|p| p == stdin) {
            return Ok(from_stdin);
        }
    }
    // Files named on the command line (as the pre-commit framework passes them) still honour
    // the config's `exclude`; folders named explicitly are scanned as asked.
    let roots: Vec<&Path> = opts
        .paths
        .iter()
        .map(PathBuf::as_path)
        .filter(|p| *p != stdin)
        .filter(|p| !(p.is_file() && excludes_file(excluded.as_ref(), &cwd, p)))
        .collect();
    if roots.is_empty() && !opts.paths.is_empty() {
        return Ok(from_stdin);
    }
    let roots = if roots.is_empty() {
        vec![Path::new(".")]
    } else {
        roots
    };
    let troubles = Arc::new(Mutex::new(Vec::new()));
    // The walker reads the ignore files of the roots and of their parents before anything
    // else: look at those first.
    let root_trouble: Vec<Skipped> = if opts.respect_ignore {
        roots.iter().flat_map(|r| parent_troubles(r)).collect()
    } else {
        Vec::new()
    };
    let shared = Mutex::new(ScanOutput::default());
    let walk_with = |respect_ignore: bool, skip: Option<&HashSet<Arc<str>>>| {
        let mut visitors = Visitors {
            inspector,
            opts,
            progress,
            shared: &shared,
            skip,
        };
        builder(
            opts,
            &roots,
            respect_ignore,
            excluded.as_ref(),
            &cwd,
            &troubles,
        )
        .build_parallel()
        .visit(&mut visitors);
    };
    let respect = opts.respect_ignore && root_trouble.is_empty();
    walk_with(respect, None);
    let mut trouble = std::mem::take(
        &mut *troubles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    trouble.extend(root_trouble);
    let mut out = std::mem::take(
        &mut *shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    if opts.respect_ignore {
        if trouble.is_empty() {
            scan_tracked_but_ignored(
                opts,
                inspector,
                progress,
                &roots,
                excluded.as_ref(),
                &cwd,
                &mut out,
            );
        } else {
            let done: HashSet<Arc<str>> = out.scanned.iter().map(|(_, rel)| rel.clone()).collect();
            // A folder whose ignore file could not be trusted was not entered: walk the whole
            // tree again without ignore rules for what the first walk did not read.
            if respect {
                walk_with(false, Some(&done));
                out.merge(std::mem::take(
                    &mut *shared
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                ));
            }
            out.skipped.extend(trouble);
        }
    }
    out.merge(from_stdin);
    out.sort();
    Ok(out)
}

/// The report path of standard input.
pub const STDIN: &str = "<stdin>";

/// Ignore files larger than this are not read (a real one is a few kilobytes).
pub const MAX_IGNORE_FILE: u64 = 1 << 20;
/// The files the walker would read in a folder for its ignore rules.
const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".git/info/exclude"];

/// Why the ignore files of `dir` cannot be read safely, as skipped entries (none: all fine).
fn ignore_troubles(dir: &Path) -> Vec<Skipped> {
    IGNORE_FILES
        .iter()
        .filter_map(|name| {
            let path = dir.join(name);
            let meta = path.symlink_metadata().ok()?;
            let why = if meta.file_type().is_symlink() {
                "a symbolic link"
            } else if !meta.is_file() {
                "not a regular file"
            } else if meta.len() > MAX_IGNORE_FILE {
                "larger than 1 MiB"
            } else {
                return None;
            };
            Some(Skipped {
                path: display_path(&path),
                reason: format!(
                    "ignore file not read: {why} (its folder is scanned without ignore rules)"
                ),
            })
        })
        .collect()
}

/// [`ignore_troubles`] of a root and of its parents up to its repository's root: the walker
/// reads all of those.
fn parent_troubles(root: &Path) -> Vec<Skipped> {
    let dir = if root.is_dir() {
        root.to_path_buf()
    } else {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let Ok(abs) = std::path::absolute(&dir) else {
        return Vec::new();
    };
    let top = crate::config::repository_root(&abs).unwrap_or_else(|| abs.clone());
    // The root's own ignore files are shown as the user named the root; its parents' in full.
    let mut out = ignore_troubles(&dir);
    for d in abs.ancestors().skip(1) {
        if !d.starts_with(&top) {
            break;
        }
        out.extend(ignore_troubles(d));
    }
    out
}

/// Files git tracks that an ignore file lists (`git add -f`): the walk passed them over, but
/// they are in every clone. One `git ls-files` per folder root inside a work tree.
fn scan_tracked_but_ignored(
    opts: &WalkOptions,
    inspector: &Inspector<'_>,
    progress: &Progress,
    roots: &[&Path],
    excluded: Option<&Gitignore>,
    cwd: &Path,
    out: &mut ScanOutput,
) {
    let mut buf = Vec::new();
    let mut done: Option<HashSet<Arc<str>>> = None;
    for root in roots.iter().filter(|r| r.is_dir()) {
        if crate::config::repository_root(root).is_none() {
            continue;
        }
        let files = match crate::git::tracked_but_ignored(root) {
            Ok(files) => files,
            Err(why) => {
                // Files git tracks may hide behind .gitignore: say they could not be listed.
                out.notes.push(format!(
                    "tracked files that an ignore file lists were not checked in {}: {why}",
                    display_path(root)
                ));
                continue;
            }
        };
        for rel in files {
            let path = root.join(&rel);
            let shown = report_path(&path);
            let is_excluded = excludes_file(excluded, cwd, &path);
            // What the walk already read (built once, and only when git names a file).
            let done = done
                .get_or_insert_with(|| out.scanned.iter().map(|(_, rel)| rel.clone()).collect());
            if is_excluded || done.contains(&shown) {
                continue;
            }
            let Ok(meta) = path.symlink_metadata() else {
                continue; // deleted from the work tree: only in git, where git modes look
            };
            if !meta.is_file() {
                continue;
            }
            let result = inspector.inspect_file(
                &path,
                Origin::File(shown.clone()),
                opts.max_filesize,
                &mut buf,
            );
            record(out, progress, opts.max_filesize, Some(path), shown, result);
        }
    }
}

/// Adds what reading one file gave to `out` (through the fold), or why it was skipped, or
/// the error that kept it from being read. `disk` is where it is, for the second look.
fn record(
    out: &mut ScanOutput,
    progress: &Progress,
    max_filesize: Option<u64>,
    disk: Option<PathBuf>,
    rel: Arc<str>,
    result: std::io::Result<FileInspected>,
) {
    let max = max_filesize.unwrap_or_default();
    match result {
        Ok(FileInspected::NotAFile) => {}
        Ok(FileInspected::TooBig(len)) => out.skipped.push(Skipped {
            path: rel.to_string(),
            reason: format!("{len} bytes, over --max-filesize {max}"),
        }),
        Ok(FileInspected::Read(inspected)) => {
            if max_filesize.is_some_and(|m| inspected.bytes > m) {
                // Only streams get here: their first --max-filesize bytes were scanned.
                out.skipped.push(Skipped {
                    path: rel.to_string(),
                    reason: format!(
                        "a stream longer than --max-filesize {max}: the rest was not read"
                    ),
                });
            }
            fold::record(out, progress, inspected);
            if let Some(disk) = disk {
                out.scanned.push((disk, rel));
            }
        }
        Err(err) => out.errors.push(ScanError {
            path: rel.to_string(),
            message: err.to_string(),
        }),
    }
}

/// The walker over `roots`, with or without ignore rules.
fn builder(
    opts: &WalkOptions,
    roots: &[&Path],
    respect_ignore: bool,
    excluded: Option<&Gitignore>,
    cwd: &Path,
    troubles: &Arc<Mutex<Vec<Skipped>>>,
) -> WalkBuilder {
    let mut builder = WalkBuilder::new(roots[0]);
    for p in &roots[1..] {
        builder.add(p);
    }
    let ignore = respect_ignore;
    builder
        .hidden(false)
        .parents(ignore)
        .ignore(ignore)
        .git_ignore(ignore)
        .git_global(ignore)
        .git_exclude(ignore)
        .follow_links(opts.follow_links)
        .require_git(false)
        .threads(opts.threads);
    let excluded = excluded.cloned();
    let cwd = cwd.to_path_buf();
    let found = Arc::clone(troubles);
    builder.filter_entry(move |e| {
        // `.git` holds history, not the tree: git modes read it properly.
        if e.file_name() == ".git" {
            return false;
        }
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        if let Some(gi) = &excluded {
            if e.depth() > 0
                && gi
                    .matched(cwd.join(without_dot(e.path())), is_dir)
                    .is_ignore()
            {
                return false;
            }
        }
        if ignore && is_dir && e.depth() > 0 {
            let trouble = ignore_troubles(e.path());
            if !trouble.is_empty() {
                found
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .extend(trouble);
                return false;
            }
        }
        true
    });
    builder
}

/// Whether the config's `exclude` covers the file at `path` (relative to `cwd`, or absolute);
/// paths outside the config's folder are never excluded.
fn excludes_file(excluded: Option<&Gitignore>, cwd: &Path, path: &Path) -> bool {
    excluded.is_some_and(|gi| {
        let abs = cwd.join(without_dot(path));
        abs.starts_with(gi.path()) && gi.matched_path_or_any_parents(&abs, false).is_ignore()
    })
}

/// `./tests/x` → `tests/x`: anchored globs match paths relative to the config's folder, and a
/// `.` component would stop them from matching.
fn without_dot(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// The config's `exclude` globs as a gitignore rooted at the config's folder.
fn exclusions(opts: &WalkOptions) -> Result<Option<Gitignore>, ignore::Error> {
    if opts.exclude.is_empty() {
        return Ok(None);
    }
    let mut b = GitignoreBuilder::new(&opts.exclude_root);
    for glob in &opts.exclude {
        b.add_line(None, glob)?;
    }
    b.build().map(Some)
}

/// What every walker thread shares: read-only context and the place results are merged.
#[derive(Clone, Copy)]
struct Visitors<'a, 's> {
    inspector: &'a Inspector<'s>,
    opts: &'a WalkOptions,
    progress: &'a Progress,
    shared: &'a Mutex<ScanOutput>,
    /// Report paths already scanned by an earlier walk.
    skip: Option<&'a HashSet<Arc<str>>>,
}

impl<'a> ParallelVisitorBuilder<'a> for Visitors<'a, '_> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 'a> {
        Box::new(Visitor {
            ctx: *self,
            local: ScanOutput::default(),
            buf: Vec::new(),
        })
    }
}

/// One walker thread: its own results and read buffer, handed over once when dropped.
struct Visitor<'a, 's> {
    ctx: Visitors<'a, 's>,
    local: ScanOutput,
    buf: Vec<u8>,
}

impl Drop for Visitor<'_, '_> {
    fn drop(&mut self) {
        let local = std::mem::take(&mut self.local);
        let mut shared = self
            .ctx
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        shared.merge(local);
    }
}

/// [`display_path`], shared: what a file of the tree is known by, from its origin to the list
/// the second look reads, without a copy.
fn report_path(path: &Path) -> Arc<str> {
    let lossy = path.to_string_lossy();
    let text = trim_dot(&lossy);
    if cfg!(windows) {
        Arc::from(text.replace('\\', "/"))
    } else {
        Arc::from(text)
    }
}

/// `./src/x` → `src/x`, but `.` stays `.`.
fn trim_dot(lossy: &str) -> &str {
    let mut text = lossy;
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    if text.is_empty() {
        lossy
    } else {
        text
    }
}

/// The report path: the path as the user named it (as ripgrep prints it: `hfaudit scan src`
/// reports `src/app.py`, a path CI annotations can open), `/` separators, no leading `./`.
pub fn display_path(path: &Path) -> String {
    // One allocation a file: this runs for every file of the tree.
    let lossy = path.to_string_lossy();
    let mut text: &str = &lossy;
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    if text.is_empty() {
        text = &lossy;
    }
    if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.to_owned()
    }
}

impl ParallelVisitor for Visitor<'_, '_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                self.walk_error(&err);
                return WalkState::Continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            return WalkState::Continue; // stdin; not used
        };
        if ft.is_dir() {
            return WalkState::Continue;
        }
        let rel = report_path(entry.path());
        if self.ctx.skip.is_some_and(|done| done.contains(&rel)) {
            return WalkState::Continue;
        }
        if entry.depth() == 0 && !ft.is_file() && !ft.is_dir() {
            // Named on the command line: a FIFO (`<(cmd)`), `/dev/stdin`, a link to one. Read
            // it as asked, blocking, up to --max-filesize.
            self.named_stream(entry.path(), rel);
            return WalkState::Continue;
        }
        if ft.is_symlink() {
            // Not followed (without --follow): the target is scanned where it lives, if inside.
            return WalkState::Continue;
        }
        if !ft.is_file() {
            self.local.skipped.push(Skipped {
                path: rel.to_string(),
                reason: "not a regular file".into(),
            });
            return WalkState::Continue;
        }
        self.scan_regular(entry.into_path(), rel);
        WalkState::Continue
    }
}

impl Visitor<'_, '_> {
    /// Reads and scans a regular file, and records what it gave.
    fn scan_regular(&mut self, path: PathBuf, rel: Arc<str>) {
        let result = self.ctx.inspector.inspect_file(
            &path,
            Origin::File(rel.clone()),
            self.ctx.opts.max_filesize,
            &mut self.buf,
        );
        record(
            &mut self.local,
            self.ctx.progress,
            self.ctx.opts.max_filesize,
            Some(path),
            rel,
            result,
        );
    }

    fn named_stream(&mut self, path: &Path, rel: Arc<str>) {
        let target = std::fs::metadata(path);
        if target.as_ref().is_ok_and(std::fs::Metadata::is_dir) {
            return; // a link to a folder: not followed without --follow
        }
        if target.as_ref().is_ok_and(std::fs::Metadata::is_file) {
            self.scan_regular(path.to_path_buf(), rel);
            return;
        }
        let result = std::fs::File::open(path).and_then(|f| {
            self.ctx
                .inspector
                .inspect_named_stream(f, Origin::File(rel.clone()), self.ctx.opts.max_filesize)
                .map(FileInspected::Read)
        });
        record(
            &mut self.local,
            self.ctx.progress,
            self.ctx.opts.max_filesize,
            Some(path.to_path_buf()),
            rel,
            result,
        );
    }

    fn walk_error(&mut self, err: &ignore::Error) {
        let path = error_path(err).map(display_path).unwrap_or_default();
        if is_loop(err) {
            // A symlink loop under --follow is a property of the tree, not a failure to read it.
            self.local.skipped.push(Skipped {
                path,
                reason: "symlink loop".into(),
            });
        } else {
            self.local.errors.push(ScanError {
                path,
                message: strip_path(err),
            });
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

fn strip_path(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            strip_path(err)
        }
        other => other.to_string(),
    }
}
