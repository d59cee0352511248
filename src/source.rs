//! Sources: where the bytes come from. A directory tree, git (the index, a range of commits,
//! every commit) and the Hub each produce the same [`ScanOutput`] (occurrences, facts for need
//! inference, skipped files, errors, notes), which the one pipeline then judges, suppresses and
//! reports. Archive members and decoded text are read inside each source, through
//! `Scanner::scan_buffer`, so they need no source of their own. A new source is one more
//! variant here, not a new path through the command line.

use std::path::Path;

use crate::engine::Engine;
use crate::git;
use crate::hub;
use crate::model::ScanOutput;
use crate::walk::{self, Progress, WalkOptions};

/// One place to read from.
pub enum Source {
    /// Files and folders on disk (`hfaudit scan PATH…`).
    Tree(WalkOptions),
    /// What git holds: `--staged`, `--since`/`--range`, `--history`.
    Git(git::Options),
    /// `hf://` repositories and organisations.
    Hub {
        targets: Vec<hub::Target>,
        options: hub::Options,
    },
}

/// A source that could not be read at all (a bad path, not a repository). Per-file trouble is
/// not this: it is recorded in the output and the scan goes on.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot walk the given paths: {0}")]
    Walk(#[from] ignore::Error),
    #[error(transparent)]
    Git(#[from] git::GitError),
}

/// Reads every source in turn and merges what they yield, sorted.
pub fn read(
    sources: &[Source],
    engine: &Engine,
    progress: &Progress,
) -> Result<ScanOutput, SourceError> {
    let mut all = ScanOutput::default();
    for source in sources {
        let output = match source {
            Source::Tree(opts) => tree(opts, engine, progress)?,
            Source::Git(opts) => from_git(opts, engine, progress)?,
            Source::Hub { targets, options } => {
                let got = hub::scan(targets, options, engine, progress);
                let mut output = got.output;
                output.notes.extend(got.notes);
                output
            }
        };
        all.merge(output);
    }
    all.skipped.extend(engine.listing.skipped());
    all.sort();
    Ok(all)
}

/// The tree walk, then the second look for unusually named token variables, and the Space
/// check (a Space's code runs on the Hub's servers).
fn tree(
    opts: &WalkOptions,
    engine: &Engine,
    progress: &Progress,
) -> Result<ScanOutput, SourceError> {
    let mut output = walk::walk(opts, &engine.scanner(), progress)?;
    engine.follow_env_vars(&mut output, false);
    engine.follow_scripts(&mut output);
    let root = match opts.paths.as_slice() {
        [] => Some(Path::new(".")),
        [one] if one.is_dir() => Some(one.as_path()),
        _ => None,
    };
    if let Some(root) = root {
        Engine::mark_space(&mut output, root);
    }
    Ok(output)
}

/// A git mode. A token assigned to a variable (`.env`, CI `env:`) needs what the files reading
/// that variable do; git modes read only the blobs that changed, so look in the checkout.
fn from_git(
    opts: &git::Options,
    engine: &Engine,
    progress: &Progress,
) -> Result<ScanOutput, SourceError> {
    let mut output = git::scan(opts, engine, progress)?;
    if let Some(top) = git::toplevel() {
        if output.occurrences.iter().any(|o| o.env_var.is_some()) {
            if let Some(files) = git::working_tree_files(&top) {
                output.scanned = files;
                engine.follow_env_vars(&mut output, true);
            }
        }
        Engine::mark_space(&mut output, &top);
    }
    Ok(output)
}
