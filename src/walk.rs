//! Walk: yield every file worth scanning, in parallel, and scan it on the walker's threads.
//!
//! Parallelism lives here (as in ripgrep): `ignore`'s parallel walker runs one visitor per
//! thread; each visitor keeps its own read buffer and results and hands them over once, when it
//! is dropped, so threads never contend per file. Hidden files are walked (that is where `.env`
//! and `.github/` live); `.git/` is not (git modes read history instead).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::model::{ScanError, ScanOutput, Skipped};
use crate::read::FileRead::{Scanned, TooBig};
use crate::read::Scanner;

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

/// Live counters for the progress indicator.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
}

/// Walks `opts.paths` and scans every file. Per-file errors are recorded, never fatal.
pub fn walk(
    opts: &WalkOptions,
    scanner: &Scanner<'_>,
    progress: &Progress,
) -> Result<ScanOutput, ignore::Error> {
    let excluded = exclusions(opts)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    // Files named on the command line (as the pre-commit framework passes them) still honour
    // the config's `exclude`; folders named explicitly are scanned as asked.
    let roots: Vec<&Path> = opts
        .paths
        .iter()
        .map(PathBuf::as_path)
        .filter(|p| {
            let Some(gi) = &excluded else { return true };
            let abs = cwd.join(without_dot(p));
            !(p.is_file()
                && abs.starts_with(gi.path())
                && gi.matched_path_or_any_parents(&abs, false).is_ignore())
        })
        .collect();
    if roots.is_empty() && !opts.paths.is_empty() {
        return Ok(ScanOutput::default());
    }
    let (first, rest) = roots
        .split_first()
        .map_or((Path::new("."), &[][..]), |(f, r)| (*f, r));
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    let ignore = opts.respect_ignore;
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
    // `.git` holds history, not the tree: git modes read it properly.
    builder.filter_entry(move |e| {
        if e.file_name() == ".git" {
            return false;
        }
        match &excluded {
            Some(gi) if e.depth() > 0 => {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                !gi.matched(cwd.join(without_dot(e.path())), is_dir)
                    .is_ignore()
            }
            _ => true,
        }
    });
    // Paths are reported relative to a single directory root, as given otherwise.
    let strip = (opts.paths.len() <= 1 && first.is_dir()).then(|| first.to_path_buf());
    let shared = Mutex::new(ScanOutput::default());
    let mut visitors = Visitors {
        scanner,
        opts,
        progress,
        strip: strip.as_deref(),
        shared: &shared,
    };
    builder.build_parallel().visit(&mut visitors);
    let mut out = shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    out.sort();
    Ok(out)
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
    scanner: &'a Scanner<'s>,
    opts: &'a WalkOptions,
    progress: &'a Progress,
    strip: Option<&'a Path>,
    shared: &'a Mutex<ScanOutput>,
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

/// The report path: relative to the root, `/` separators, no leading `./`.
pub fn display_path(path: &Path, strip: Option<&Path>) -> String {
    let rel = strip
        .and_then(|root| path.strip_prefix(root).ok())
        .unwrap_or(path);
    let mut text = rel.to_string_lossy().replace('\\', "/");
    while let Some(rest) = text.strip_prefix("./") {
        text = rest.to_owned();
    }
    if text.is_empty() {
        text = path.to_string_lossy().into_owned();
    }
    text
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
        let rel = display_path(entry.path(), self.ctx.strip);
        if ft.is_symlink() {
            // Not followed (without --follow): the target is scanned where it lives, if inside.
            return WalkState::Continue;
        }
        if !ft.is_file() {
            self.local.skipped.push(Skipped {
                path: rel,
                reason: "not a regular file".into(),
            });
            return WalkState::Continue;
        }
        match self.ctx.scanner.scan_file(
            entry.path(),
            &rel,
            self.ctx.opts.max_filesize,
            &mut self.buf,
        ) {
            Ok(None) => {}
            Ok(Some(TooBig(len))) => {
                let max = self.ctx.opts.max_filesize.unwrap_or_default();
                self.local.skipped.push(Skipped {
                    path: rel,
                    reason: format!("{len} bytes, over --max-filesize {max}"),
                });
            }
            Ok(Some(Scanned(scan))) => {
                self.local.files_scanned += 1;
                self.local.bytes_scanned += scan.bytes;
                self.ctx.progress.files.fetch_add(1, Ordering::Relaxed);
                self.ctx
                    .progress
                    .bytes
                    .fetch_add(scan.bytes, Ordering::Relaxed);
                self.local.occurrences.extend(scan.occurrences);
                self.local.facts.extend(scan.facts);
                self.local.scanned.push((entry.into_path(), rel));
            }
            Err(err) => self.local.errors.push(ScanError {
                path: rel,
                message: err.to_string(),
            }),
        }
        WalkState::Continue
    }
}

impl Visitor<'_, '_> {
    fn walk_error(&mut self, err: &ignore::Error) {
        let path = error_path(err)
            .map(|p| display_path(p, self.ctx.strip))
            .unwrap_or_default();
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
