//! Sources: where the bytes come from. A directory tree (and standard input), git (the index, a
//! range of commits, every commit) and the Hub each enumerate blobs with their origin, hand
//! them to the inspector, and record what it found through the one fold; none of them judges.
//! A new source is one more variant here and one more kind of origin, not a new path through
//! the command line.
//!
//! After the first pass comes the second look: a token assigned to a variable (`ACME_HF=hf_…`
//! in a `.env`) needs what the files reading that variable do, and which variable is only
//! known once the token is found. The tree source reads again only the files it already read
//! that may hold such a read; git modes, which only read what changed, look in the checkout.

pub mod tree;

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use crate::context::{calls_in, env_reads, platform_of, Words};
use crate::engine::Engine;
use crate::files;
use crate::fold::{self, Progress};
use crate::git;
use crate::hub;
use crate::model::{FileFacts, ScanOutput};
use crate::origin::Origin;
pub use tree::WalkOptions;

/// One place to read from.
pub enum Source {
    /// Files and folders on disk (`hfaudit scan PATH…`), and standard input (`-`).
    Tree(WalkOptions),
    /// What git holds: `--staged`, `--since`/`--range`, `--history`.
    Git(git::Options),
    /// `hf://` repositories and organisations (the options boxed: they are most of it).
    Hub {
        targets: Vec<hub::Target>,
        options: Box<hub::Options>,
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

/// Reads every source in turn, then takes the second look, and finishes the fold.
pub fn read(
    sources: &[Source],
    engine: &Engine,
    progress: &Progress,
) -> Result<ScanOutput, SourceError> {
    let mut all = ScanOutput::default();
    let inspector = engine.inspector();
    for source in sources {
        let mut output = match source {
            Source::Tree(opts) => tree::walk(opts, &inspector, progress)?,
            Source::Git(opts) => git::scan(opts, engine, progress)?,
            Source::Hub { targets, options } => {
                let got = hub::scan(targets, options, engine, progress);
                let mut output = got.output;
                output.notes.extend(got.notes);
                output
            }
        };
        second_look(source, engine, &mut output);
        all.merge(output);
    }
    fold::finish(&mut all, &engine.listing);
    Ok(all)
}

/// Files larger than this are not read again to follow a token variable.
const FOLLOW_MAX_FILE: u64 = 8 << 20;

/// The second look of one source (see the module's documentation).
fn second_look(source: &Source, engine: &Engine, output: &mut ScanOutput) {
    match source {
        Source::Tree(_) => {
            follow_env_vars(engine, output, false);
            follow_scripts(engine, output);
        }
        Source::Git(_) => {
            let Some(top) = git::toplevel() else { return };
            let scripts = output
                .facts
                .iter()
                .any(|f| f.practices.iter().any(|h| !h.steps.is_empty()));
            if output.occurrences.iter().any(|o| o.env_var.is_some()) || scripts {
                if let Some(files) = git::working_tree_files(&top) {
                    output.scanned = files
                        .into_iter()
                        .map(|(path, rel)| (path, rel.into()))
                        .collect();
                    follow_env_vars(engine, output, true);
                    follow_scripts(engine, output);
                }
            }
            // Only changed files were read: the Space's README is in the checkout.
            let readme = top.join("README.md");
            if let Some(data) = files::read_small_file(&readme, 1 << 20) {
                if crate::inspect::is_space_readme(&Origin::File("README.md".into()), &data) {
                    output.spaces.push(String::new());
                }
            }
        }
        // Its files are gone (or never were on disk): nothing to read again.
        Source::Hub { .. } => output.scanned.clear(),
    }
}

/// Need inference for tokens assigned to variables with unusual names (`ACME_HF=hf_…` in a
/// `.env`): the first pass only watched the standard names, so look again, in parallel, in the
/// files of `output.scanned` for reads of these. Costs nothing when every assignment uses a
/// standard name. `all_names` also follows the standard names: git modes only kept facts for
/// the blobs that hold tokens.
fn follow_env_vars(engine: &Engine, output: &mut ScanOutput, all_names: bool) {
    let mut names: Vec<String> = output
        .occurrences
        .iter()
        .filter_map(|o| o.env_var.clone())
        .filter(|v| all_names || !engine.env_names.contains(v))
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() || output.scanned.is_empty() {
        return;
    }
    let names = Words::new(&names);
    let found: Vec<FileFacts> = output
        .scanned
        .par_iter()
        .filter_map(|(path, rel): &(std::path::PathBuf, std::sync::Arc<str>)| {
            let data = files::read_small_file(Path::new(path), FOLLOW_MAX_FILE)?;
            let reads = env_reads(&data, &names);
            (!reads.is_empty()).then(|| {
                let platform = platform_of(rel);
                let calls = calls_in(&data, &engine.calls);
                FileFacts {
                    path: rel.to_string(),
                    platform,
                    hub_uses: crate::context::repos::write_uses(rel, platform, &data, &calls),
                    calls,
                    env_reads: reads,
                    practices: Vec::new(),
                    commit: None,
                    from_state: false,
                }
            })
        })
        .collect();
    for new in found {
        match output.facts.iter_mut().find(|f| f.path == new.path) {
            Some(f) => {
                for var in new.env_reads {
                    if !f.env_reads.contains(&var) {
                        f.env_reads.push(var);
                    }
                }
            }
            None => output.facts.push(new),
        }
    }
}

/// HF014 judges a workflow's steps by the scripts they run (`python utils/push.py`), read from
/// the facts by path; a script that names no token variable has none yet. Reads those scripts
/// (only files listed in `output.scanned`, in parallel) and adds their calls as facts. Costs
/// nothing without a workflow that hands a secret to a step running a script.
fn follow_scripts(engine: &Engine, output: &mut ScanOutput) {
    let have: HashSet<&str> = output.facts.iter().map(|f| f.path.as_str()).collect();
    let wanted: HashSet<String> = output
        .facts
        .iter()
        .flat_map(|f| {
            f.practices
                .iter()
                .flat_map(|h| h.steps.iter())
                .flat_map(|s| s.scripts.iter())
                .flat_map(|s| s.paths.iter())
                .filter_map(|p| crate::practice::script_path(&f.path, p))
        })
        .filter(|p| !have.contains(p.as_str()))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let found: Vec<FileFacts> = output
        .scanned
        .par_iter()
        .filter(|(_, rel)| wanted.contains(&**rel))
        .filter_map(|(path, rel)| {
            let data = files::read_small_file(path, FOLLOW_MAX_FILE)?;
            let platform = platform_of(rel);
            let calls = calls_in(&data, &engine.calls);
            Some(FileFacts {
                path: rel.to_string(),
                platform,
                hub_uses: crate::context::repos::write_uses(rel, platform, &data, &calls),
                calls,
                env_reads: Vec::new(),
                practices: Vec::new(),
                commit: None,
                from_state: false,
            })
        })
        .collect();
    output.facts.extend(found);
}
