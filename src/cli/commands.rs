//! The commands beside `scan`: `merge` (shard reports), `whoami` and `plan`.

use super::args::{MergeArgs, PlanArgs, PlanFormat, WhoamiArgs, WhoamiFormat};
use super::scan::{config_from, verify_options};
use super::sink::{create_report_file, deliver};
use super::{exit_code, is_broken_pipe, stderr, stdout};
use crate::engine::Engine;
use crate::fold::Progress;
use crate::output::{self, Redacting};
use crate::report::{self, Report};
use crate::rules::{RuleSet, Severity};
use crate::source::Source;
use crate::source::WalkOptions;
use crate::whoami;
use anyhow::{bail, Context, Result};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// `hfaudit merge`: the reports as one, printed as `scan` prints one; the exit code as scan's.
pub(super) fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let rules = RuleSet::builtin()?;
    let config = config_from(args.no_config, args.config.as_deref(), &rules, || {
        Ok(PathBuf::from("."))
    })?;
    let engine = Engine::new(rules, config);
    let mut parts = Vec::new();
    for path in &args.reports {
        let data = crate::files::read_regular_file(path, MAX_REPORT)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let part =
            report::json::read(&data).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        parts.push(part);
    }
    let n = parts.len();
    let merged = crate::merge::merge(parts, &engine);
    let mut notes = engine.config.notes.clone();
    notes.extend(merged.notes);
    notes.push(format!(
        "merged {n} report{} in {} ms",
        output::plural(n),
        started.elapsed().as_millis()
    ));
    let cwd = std::env::current_dir().ok();
    let report = Report {
        findings: &merged.findings,
        errors: &merged.errors,
        skipped: &merged.skipped,
        summary: merged.summary,
        rules: &engine.rules,
        notes,
        roots: report::Roots {
            repo: cwd
                .as_deref()
                .and_then(crate::config::repository_root)
                .or_else(|| cwd.clone()),
            base: cwd,
        },
        quiet: args.quiet,
        verbose: false,
        tokens: &merged.tokens,
    };
    deliver(args.report.sink(args.quiet), &report)?;
    Ok(exit_code(
        &report,
        args.report.fail_on(engine.config.fail_on),
    ))
}

/// The largest report `merge` reads.
pub(super) const MAX_REPORT: u64 = 4 << 30;

/// `hfaudit whoami`: 2 without any token or with a refused endpoint, 1 when some advice is a
/// warning or worse, else 0.
pub(super) fn whoami(args: &WhoamiArgs) -> Result<ExitCode> {
    let opts = verify_options(args.endpoint.as_deref(), &args.timing)?;
    let places = whoami::Places::from_env();
    let found = whoami::discover(&places);
    if found.tokens.is_empty() {
        let mut msg = format!(
            "no Hugging Face token found: HF_TOKEN is not set, and there is no token in {} \
             nor in {}",
            places.token_file.display(),
            places.stored_tokens.display()
        );
        for p in &found.problems {
            msg.push_str(&format!("; {p}"));
        }
        bail!(msg);
    }
    let rules = RuleSet::builtin()?;
    let audit = whoami::audit(found, &opts, &rules);
    let mut out = stdout();
    match args.format {
        WhoamiFormat::Human => report::whoami::render_human(&audit, &mut out)?,
        WhoamiFormat::Json => report::whoami::render_json(&audit, &mut out)?,
    }
    out.flush()?;
    // No answer for any token: there is nothing to advise on, and that is no success.
    if audit
        .tokens
        .iter()
        .all(|e| !e.verification.status.is_answer())
    {
        bail!(
            "could not reach {} about any token, so nothing can be advised (see the notes above)",
            opts.endpoint
        );
    }
    Ok(match audit.worst() {
        Some(s) if s >= Severity::Warning => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// `hfaudit plan`: the tree read through the same source as a scan (its ignore rules, limits
/// and safe reads), every file's Hub calls mapped, then one token per platform planned. 2 when
/// a file could not be read, else 0.
pub(super) fn plan(args: &PlanArgs) -> Result<ExitCode> {
    let first = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!("{}: no such file or folder", p.display());
        }
    }
    let rules = RuleSet::builtin()?;
    let folder = if first.is_dir() {
        first.clone()
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let config = config_from(args.no_config, args.config.as_deref(), &rules, || {
        Ok(folder.clone())
    })?;
    let project = std::fs::canonicalize(&folder)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let git_config = crate::files::read_small_file(&folder.join(".git/config"), 1 << 20);
    let opts = crate::plan::Options {
        project,
        // The fold already made a Space's source code a server's.
        is_space: false,
        space_id: git_config
            .and_then(|c| crate::plan::space_id_from_git_config(&String::from_utf8_lossy(&c))),
    };
    let mut engine = Engine::new(rules, config);
    engine.archives = None;
    engine.need_map = true;
    let walk = WalkOptions {
        paths: args.paths.clone(),
        respect_ignore: !args.no_ignore,
        follow_links: false,
        max_filesize: Some(args.max_filesize),
        exclude: engine.config.exclude.clone(),
        exclude_root: engine.config.root.clone(),
        threads: 0,
    };
    let output = crate::source::read(&[Source::Tree(walk)], &engine, &Progress::default())?;
    let uses = output
        .facts
        .iter()
        .filter(|f| !f.hub_uses.is_empty())
        .map(|f| (f.path.clone(), f.platform, f.hub_uses.clone()));
    let plan = crate::plan::plan_from_uses(uses, &opts);
    let raw: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(io::BufWriter::new(create_report_file(path)?)),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    let mut out = Redacting::new(raw);
    let written = match args.format {
        PlanFormat::Human => report::plan::render_human(&plan, &mut out),
        PlanFormat::Json => report::plan::render_json(&plan, &mut out),
        PlanFormat::Markdown => report::plan::render_markdown(&plan, &mut out),
    }
    .and_then(|()| out.flush());
    match written.map_err(anyhow::Error::from) {
        Err(err) if is_broken_pipe(&err) => {}
        other => other.context("cannot write the plan")?,
    }
    let mut err = stderr();
    for s in &output.skipped {
        writeln!(
            err,
            "note: skipped {}: {}",
            output::escape(&s.path),
            output::escape(&s.reason)
        )?;
    }
    for e in &output.errors {
        writeln!(
            err,
            "error: {}: {}",
            output::escape(&e.path),
            output::escape(&e.message)
        )?;
    }
    Ok(if output.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
