//! Where a report goes: standard output or `-o FILE` (never through a symbolic link), always
//! through the redacting writer, with the progress line on standard error while work runs.

use super::args::{ColorChoice, ReportArgs};
use super::{is_broken_pipe, stderr};
use crate::fold::Progress;
use crate::output::{self, Redacting};
use crate::report::{self, Format, Report};
use anyhow::{bail, Context, Result};
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Prints the report where `sink` says; says on standard error where a file went, and the
/// notes when the format has no room for them.
pub(super) fn deliver(args: Sink<'_>, report: &Report<'_>) -> Result<()> {
    let written = write_report(args, report).with_context(|| match &args.output {
        Some(path) => format!("cannot write the report to {}", path.display()),
        None => "cannot write the report".to_owned(),
    });
    match written {
        // `hfaudit scan | head -1`: the reader left, but the findings still decide the code, so
        // a pipefail CI step does not pass on a broken pipe.
        Err(err) if is_broken_pipe(&err) => {}
        other => other?,
    }
    if let (Some(path), false) = (args.output, args.quiet) {
        // The terminal would otherwise stay silent: say where the report went, and its gist.
        writeln!(
            stderr(),
            "hfaudit: report written to {}: {}",
            output::escape(&path.display().to_string()),
            report::gist(report)
        )?;
    }
    if args.format != Format::Human && !args.quiet {
        // Machine formats keep their contract; people still learn the Hub was not asked.
        let mut err = stderr();
        for n in &report.notes {
            writeln!(err, "note: {}", output::escape(n))?;
        }
    }
    Ok(())
}

/// Creates `-o FILE` without following a symbolic link: a pull request can commit
/// `hfaudit.sarif` as a link to a file the CI user can write (a script a later step runs).
pub(super) fn create_report_file(path: &Path) -> Result<std::fs::File> {
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        bail!(
            "{} is a symbolic link: hfaudit does not write a report through one (remove it, or \
             choose another --output)",
            path.display()
        );
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Closes the race between the check above and the open.
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The report's destination (`-o FILE` or standard output), through the redacting writer.
pub(super) fn open_output(output: Option<&Path>) -> Result<Redacting<Box<dyn Write>>> {
    let raw: Box<dyn Write> = match output {
        Some(path) => Box::new(io::BufWriter::new(create_report_file(path)?)),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    Ok(Redacting::new(raw))
}

/// Where and how a report is printed: `--format`, `--output`, `--color`, `--quiet`.
#[derive(Clone, Copy)]
pub(super) struct Sink<'a> {
    pub(super) format: Format,
    pub(super) output: Option<&'a Path>,
    pub(super) color: ColorChoice,
    pub(super) no_color: bool,
    pub(super) quiet: bool,
}

impl ReportArgs {
    pub(super) fn sink(&self, quiet: bool) -> Sink<'_> {
        Sink {
            format: self.format,
            output: self.output.as_deref(),
            color: self.color,
            no_color: self.no_color,
            quiet,
        }
    }
}

pub(super) fn write_report(args: Sink<'_>, report: &Report<'_>) -> Result<()> {
    if args.format != Format::Human {
        // Machine formats write no colour: nothing for anstream to strip.
        let mut out = open_output(args.output)?;
        // serde writes a report in pieces of a few bytes; the redactor looks at 64 KiB at once.
        let mut batched = io::BufWriter::with_capacity(64 << 10, &mut out);
        report::render(args.format, report, &mut batched)?;
        batched.flush()?;
        drop(batched);
        out.flush()?;
        return Ok(());
    }
    let raw: Box<dyn Write> = Box::new(open_output(args.output)?);
    let color = if args.no_color {
        ColorChoice::Never
    } else {
        args.color
    };
    // `FORCE_COLOR` (set and not empty), as many tools and CI systems use it, like
    // `CLICOLOR_FORCE`: colour even into a pipe or a file.
    let forced = std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0");
    let choice = match color {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto if forced => anstream::ColorChoice::Always,
        ColorChoice::Auto if args.output.is_some() => anstream::ColorChoice::Never,
        // Decided on the real standard output (a terminal? NO_COLOR, CLICOLOR, TERM=dumb):
        // the boxed writer below is never a terminal, so anstream must not be asked about it.
        ColorChoice::Auto => anstream::AutoStream::choice(&io::stdout()),
    };
    let mut out = anstream::AutoStream::new(raw, choice);
    report::render(args.format, report, &mut out)?;
    out.flush()?;
    Ok(())
}

/// Runs `work` with a spinner on standard error when it is a terminal, not in CI, and only
/// once the work has taken more than a moment.
pub(super) fn with_progress<T>(
    progress: &Progress,
    enabled: bool,
    work: impl FnOnce() -> T + Send,
) -> T
where
    T: Send,
{
    let show = enabled && io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !show {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(300) {
                if done.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg}")
                    .expect("static template"),
            );
            while !done.load(Ordering::Relaxed) {
                let files = progress.files.load(Ordering::Relaxed);
                let mb = progress.bytes.load(Ordering::Relaxed) as f64 / 1e6;
                let repos = progress.repos.load(Ordering::Relaxed);
                let total = progress.repos_total.load(Ordering::Relaxed);
                let hub = if total > 0 {
                    format!("Hub: {repos} of {total} repositories listed · ")
                } else {
                    String::new()
                };
                bar.set_message(format!("{hub}scanned {files} files, {mb:.0} MB"));
                bar.tick();
                std::thread::sleep(Duration::from_millis(80));
            }
            bar.finish_and_clear();
        });
        let result = work();
        done.store(true, Ordering::Relaxed);
        result
    })
}
