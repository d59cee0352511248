//! `hfaudit scan` and `hfaudit baseline`: the options turned into a pipeline request, the
//! sources chosen, the report delivered.

use super::args::{ScanArgs, VerifyTiming};
use super::sink::{deliver, open_output, with_progress};
use super::{exit_code, stderr};
use crate::config::Config;
use crate::engine::Engine;
use crate::fold::Progress;
use crate::git;
use crate::http::{self, Endpoint};
use crate::hub;
use crate::output;
use crate::pipeline;
use crate::report::{self, Format, Report};
use crate::revoke;
use crate::rules::RuleSet;
use crate::source::Source;
use crate::source::WalkOptions;
use crate::suppress::Baseline;
use crate::whoami;
use anyhow::{bail, Result};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub(super) fn load_config(args: &ScanArgs, rules: &RuleSet) -> Result<Config> {
    config_from(args.no_config, args.config.as_deref(), rules, || {
        if git_mode(args)?.is_some() {
            // Paths are pathspecs there (they may name deleted files): start where git does.
            return Ok(PathBuf::from("."));
        }
        let first = args
            .paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        let start = if first.is_file() {
            first.parent().map(PathBuf::from).unwrap_or_default()
        } else {
            first
        };
        Ok(if start.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            start
        })
    })
}

/// The config a command runs with: none (`--no-config`: the defaults, rooted at the current
/// folder), the file `--config` names, or the one found from `start()` upwards.
pub(super) fn config_from(
    no_config: bool,
    file: Option<&Path>,
    rules: &RuleSet,
    start: impl FnOnce() -> Result<PathBuf>,
) -> Result<Config> {
    if no_config {
        return Ok(Config {
            root: std::env::current_dir()?,
            ..Config::default()
        });
    }
    if let Some(path) = file {
        return Ok(Config::load(path, rules)?);
    }
    Ok(Config::discover(&start()?, rules)?)
}

/// Splits `hf://` targets from local paths: the local ones go on as the paths of `args`.
pub(super) fn split_targets(args: &ScanArgs) -> Result<(Vec<hub::Target>, ScanArgs)> {
    let mut targets = Vec::new();
    let mut local = args.clone();
    local.paths.clear();
    for p in &args.paths {
        match p.to_str().filter(|s| hub::is_hub(s)) {
            Some(s) => targets.push(hub::parse(s)?),
            None => local.paths.push(p.clone()),
        }
    }
    if !targets.is_empty() && (args.staged || args.since.is_some() || args.range.is_some()) {
        bail!("hf:// targets take --history only (not --staged, --since or --range)");
    }
    if targets.is_empty() && (args.shard.is_some() || args.state.is_some()) {
        bail!("--shard and --state split and remember Hub audits: name hf:// targets");
    }
    Ok((targets, local))
}

/// `--state FILE`: what decides what a read finds (a state written with other settings means a
/// full run), and the last run's state, unless this is to be a full run (the note says why).
pub(super) fn state_file(
    args: &ScanArgs,
    config: &Config,
    endpoint: &Endpoint,
    path: &Path,
) -> Result<hub::StateFile> {
    let config_text = config
        .source
        .as_ref()
        .and_then(|p| crate::files::read_small_file(p, 16 << 20))
        .map(|bytes| crate::secret::Fingerprint::of(&String::from_utf8_lossy(&bytes)).to_string())
        .unwrap_or_default();
    let settings = format!(
        "decode={} archives={} max-size={}/{}/{}/{}/{} max-filesize={} lfs-max-size={} \
         config={config_text}",
        !args.no_decode,
        !args.no_archives,
        args.archive_max_size,
        args.archive_max_total,
        args.archive_max_ratio,
        args.archive_max_depth,
        args.archive_max_entries,
        args.max_filesize,
        args.lfs_max_size,
    );
    let previous = match crate::state::load(path, endpoint.as_str(), &settings)? {
        crate::state::Loaded::Use(state) => Some(std::sync::Arc::new(state)),
        crate::state::Loaded::Full(why) => {
            let _ = writeln!(stderr(), "note: --state: {}", output::escape(&why));
            None
        }
    };
    Ok(hub::StateFile {
        path: path.to_owned(),
        settings,
        previous,
    })
}

/// The Hub source's options: the endpoint rule of verification, the user's token, the flags.
pub(super) fn hub_options(args: &ScanArgs) -> Result<hub::Options> {
    let env = std::env::var("HF_ENDPOINT").ok();
    let endpoint = Endpoint::choose(args.endpoint.as_deref(), env.as_deref())?;
    let mut opts = hub::Options::new(endpoint);
    let clone = &mut opts.history_limits;
    clone.max_size = (args.history_max_size > 0).then_some(args.history_max_size);
    if let Some(ms) = args.history_timeout_ms {
        clone.deadline = Duration::from_millis(ms.max(1));
    }
    if let Some(secs) = args.history_low_speed_time {
        clone.low_speed.1 = secs.max(1);
    }
    // A clone is part of the Hub scan: it never outlives the scan's own deadline.
    clone.deadline = clone.deadline.min(args.hub_deadline);
    let found = whoami::discover(&whoami::Places::from_env());
    opts.token = found
        .tokens
        .into_iter()
        .find(|t| t.active)
        .map(|t| t.secret);
    opts.max_filesize = (args.max_filesize > 0).then_some(args.max_filesize);
    opts.max_lfs = (args.lfs_max_size > 0).then_some(args.lfs_max_size);
    opts.pull_requests = !args.no_pull_requests;
    opts.all_refs = args.all_refs;
    opts.buckets = args.buckets;
    opts.per_file = args.per_file;
    opts.shard = args.shard;
    opts.discussions = !args.no_discussions;
    opts.variables = !args.no_variables;
    opts.history = args.history;
    opts.deadline = args.hub_deadline;
    if let Some(ms) = args.timing.verify_timeout_ms {
        opts.timeout = Duration::from_millis(ms.max(1));
    }
    Ok(opts)
}

pub(super) fn scan(all_args: &ScanArgs, baseline_mode: bool) -> Result<ExitCode> {
    let started = Instant::now();
    let (hub_targets, mut local_args) = split_targets(all_args)?;
    // A path that does not exist is an error of its own; the others are still scanned (and
    // the run exits 2). Git modes take pathspecs, which may name deleted files.
    let mut missing = Vec::new();
    if git_mode(&local_args)?.is_none() {
        local_args.paths.retain(|p| {
            let there = p.as_os_str() == "-" || std::fs::symlink_metadata(p).is_ok();
            if !there {
                missing.push(crate::model::ScanError {
                    path: crate::source::tree::display_path(p),
                    message: "no such file or folder".to_owned(),
                });
            }
            there
        });
    }
    let args = &local_args;
    // Only hf:// targets, or only missing paths: no local tree is read.
    let local = (hub_targets.is_empty() && missing.is_empty()) || !args.paths.is_empty();
    let hub_opts = (!hub_targets.is_empty())
        .then(|| hub_options(all_args))
        .transpose()?;
    let rules = RuleSet::builtin()?;
    let mut config = load_config(args, &rules)?;
    config
        .select_rules(&args.select, &args.ignore, &rules)
        .map_err(anyhow::Error::msg)?;
    let baseline = args
        .baseline
        .as_ref()
        .map(|p| Baseline::load(p))
        .transpose()?;
    let git_mode = if local { git_mode(args)? } else { None };
    // Checked before the walk: a refused endpoint is a usage error, found before any work.
    if args.revoke && !args.yes && !args.dry_run && !io::stdin().is_terminal() {
        bail!(
            "--revoke asks before it sends tokens to the Hub, and standard input is not a \
             terminal: add --yes to revoke without asking, or --dry-run to see what would be sent"
        );
    }
    if let Some(e) = &args.endpoint {
        Endpoint::parse(e)?;
    }
    let verify_opts = (args.verify || args.revoke)
        .then(|| verify_options(args.endpoint.as_deref(), &args.timing))
        .transpose()?;
    let hub_opts = match (hub_opts, &all_args.state) {
        (Some(mut opts), Some(path)) => {
            opts.state = Some(state_file(all_args, &config, &opts.endpoint, path)?);
            Some(opts)
        }
        (other, _) => other,
    };
    let engine = Engine::new(rules, config);
    let mut engine = if args.no_decode {
        engine.without_decoding()
    } else {
        engine
    };
    engine.archives = args.archives();
    let is_git_mode = git_mode.is_some();
    let mut sources = Vec::new();
    if local {
        sources.push(local_source(args, git_mode, &engine));
    }
    if let Some(options) = hub_opts {
        sources.push(Source::Hub {
            targets: hub_targets,
            options: Box::new(options),
        });
    }
    let request = pipeline::Request {
        sources,
        verify: verify_opts.clone().filter(|_| args.verify),
        revoke: verify_opts.filter(|_| args.revoke && !baseline_mode),
        baseline,
        roots: roots(args, is_git_mode),
    };
    let progress = Progress::default();
    let outcome = with_progress(&progress, !args.no_progress, || {
        pipeline::run(&engine, &request, &progress, started, &mut |c| {
            decide_revoke(args, &request, c)
        })
    })?;
    let pipeline::Outcome {
        mut output,
        findings,
        summary,
        notes,
        revoke_failed,
    } = outcome;
    output.errors.splice(0..0, missing);

    if baseline_mode {
        let b = Baseline::from_findings(&findings, &request.roots);
        let mut out = open_output(args.report.output.as_deref())?;
        serde_json::to_writer_pretty(&mut out, &b)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(if output.errors.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        });
    }

    // Only the JSON report lists them (for `hfaudit merge`).
    let tokens = if args.report.format == Format::Json {
        crate::state::TokenRecord::group(&output.occurrences)
    } else {
        Vec::new()
    };
    let report = Report {
        findings: &findings,
        errors: &output.errors,
        skipped: &output.skipped,
        summary,
        rules: &engine.rules,
        notes,
        roots: request.roots.clone(),
        quiet: args.quiet,
        verbose: args.verbose,
        tokens: &tokens,
    };
    deliver(args.report.sink(args.quiet), &report)?;
    if revoke_failed {
        return Ok(ExitCode::from(2));
    }
    if args.strict && !report.skipped.is_empty() {
        if !args.quiet {
            writeln!(
                stderr(),
                "hfaudit: --strict: {} file{} skipped (see the report)",
                report.skipped.len(),
                if report.skipped.len() == 1 {
                    " was"
                } else {
                    "s were"
                }
            )?;
        }
        return Ok(ExitCode::from(2));
    }
    Ok(exit_code(
        &report,
        args.report.fail_on(engine.config.fail_on),
    ))
}

/// Where the report's paths lead: relative to the current folder in a tree scan (or absolute,
/// as named), repository-relative in git modes; the repository is the one around the first
/// path scanned (else the current folder).
pub(super) fn roots(args: &ScanArgs, git_mode: bool) -> report::Roots {
    if git_mode {
        return report::Roots {
            base: None,
            repo: git::toplevel(),
        };
    }
    let cwd = std::env::current_dir().ok();
    let first = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let start = if first.is_dir() {
        first
    } else {
        first.parent().unwrap_or(Path::new("."))
    };
    let start = if start.as_os_str().is_empty() {
        Path::new(".")
    } else {
        start
    };
    // Outside a repository, the current folder stands in for its root.
    report::Roots {
        repo: crate::config::repository_root(start).or_else(|| cwd.clone()),
        base: cwd,
    }
}

/// `--revoke`: shows the leaked tokens, and asks (unless `--yes`) before any is sent. With
/// `--dry-run`, shows the request instead.
pub(super) fn decide_revoke(
    args: &ScanArgs,
    request: &pipeline::Request,
    candidates: &[revoke::Revocable<'_>],
) -> io::Result<pipeline::Decision> {
    let mut err = stderr();
    let n = candidates.len();
    let plural = if n == 1 { "" } else { "s" };
    writeln!(err, "{n} leaked token{plural} to revoke:")?;
    write!(err, "{}", revoke::describe(candidates))?;
    if args.dry_run {
        if let Some(policy) = &request.revoke {
            writeln!(err, "--dry-run: nothing is sent. The request would be:")?;
            write!(err, "{}", revoke::dry_run(candidates, &policy.endpoint))?;
        }
        return Ok(pipeline::Decision::Hold(
            "--revoke --dry-run: nothing was sent".to_owned(),
        ));
    }
    if !args.yes {
        write!(
            err,
            "Revoke {} token{plural}? The Hub invalidates {} for good and e-mails each owner. [y/N] ",
            n,
            if n == 1 { "it" } else { "them" }
        )?;
        err.flush()?;
        let mut answer = String::new();
        io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Ok(pipeline::Decision::Hold(
                "--revoke: not confirmed, nothing was sent".to_owned(),
            ));
        }
    }
    Ok(pipeline::Decision::Send)
}

/// The git mode the arguments ask for, if any.
pub(super) fn git_mode(args: &ScanArgs) -> Result<Option<git::Mode>> {
    Ok(if args.staged {
        Some(git::Mode::Staged)
    } else if let Some(rev) = &args.since {
        Some(git::Mode::Range(git::Range::since(rev)))
    } else if let Some(range) = &args.range {
        Some(git::Mode::Range(
            git::Range::parse(range).map_err(anyhow::Error::msg)?,
        ))
    } else if args.history {
        Some(git::Mode::History)
    } else {
        None
    })
}

/// The local source the arguments ask for: the tree (default) or git (staged, a range,
/// history).
pub(super) fn local_source(
    args: &ScanArgs,
    git_mode: Option<git::Mode>,
    engine: &Engine,
) -> Source {
    let max_filesize = (args.max_filesize > 0).then_some(args.max_filesize);
    let threads = args.threads.map_or(0, usize::from);
    match git_mode {
        Some(mode) => Source::Git(git::Options {
            mode,
            pathspecs: args.paths.clone(),
            max_filesize,
            threads,
        }),
        None => Source::Tree(WalkOptions {
            paths: args.paths.clone(),
            respect_ignore: !args.no_ignore,
            follow_links: args.follow,
            max_filesize,
            exclude: engine.config.exclude.clone(),
            exclude_root: engine.config.root.clone(),
            threads,
        }),
    }
}

/// The checked endpoint (`--endpoint`, else `HF_ENDPOINT`, else the Hub) and timeouts.
pub(super) fn verify_options(
    endpoint: Option<&str>,
    timing: &VerifyTiming,
) -> Result<http::Policy> {
    let env = std::env::var("HF_ENDPOINT").ok();
    let endpoint = Endpoint::choose(endpoint, env.as_deref())?;
    let mut opts = http::Policy::new(endpoint);
    if let Some(ms) = timing.verify_timeout_ms {
        opts = opts.with_timeout(Duration::from_millis(ms.max(1)));
    }
    if let Some(ms) = timing.verify_deadline_ms {
        opts = opts.with_deadline(Duration::from_millis(ms.max(1)));
    }
    Ok(opts)
}
