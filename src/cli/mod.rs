//! The command line: parse arguments, run the pipeline, print through `report`, choose the exit
//! code. `anyhow` lives here, at the edge; the stages below return typed errors.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{CommandFactory, FromArgMatches};

use crate::git;
use crate::output::{self, Redacting};
use crate::report::Report;
use crate::rules::{self, RuleSet, Severity};

mod args;
mod commands;
mod scan;
mod sink;

pub use args::*;
use commands::{merge, plan, whoami};
use scan::scan;

/// Entry point: parses arguments and runs; errors print as `error: …` and exit 2.
pub fn main() -> ExitCode {
    // Even a bug's message passes the redacting writer: a panic must not print a token.
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        let _ = writeln!(
            stderr(),
            "hfaudit crashed (a bug; please report it): {}",
            output::escape_lines(&text)
        );
    }));
    // clap's own messages echo what was typed (`hfaudit whoami hf_…`): through the redactor.
    let parsed = Cli::command().try_get_matches().and_then(|m| {
        refuse_baseline_options(&m)?;
        Cli::from_arg_matches(&m)
    });
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            let text = err.render().to_string();
            let text = output::escape_lines(&text);
            if err.use_stderr() {
                let _ = write!(stderr(), "{text}");
                return ExitCode::from(2);
            }
            // `--help`, `--version`: a write that fails (a full disk) is an error too.
            let mut out = stdout();
            return match write!(out, "{text}").and_then(|()| out.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(stderr(), "error: {e}");
                    ExitCode::from(2)
                }
                _ => ExitCode::SUCCESS,
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let text = format!("{err:#}");
            let _ = writeln!(stderr(), "error: {}", output::escape_lines(&text));
            ExitCode::from(2)
        }
    }
}

/// `hfaudit baseline` writes a baseline, always JSON, and exits 0 or 2: options about the
/// report, the exit code or revocation mean nothing for it, and are refused rather than
/// silently ignored.
fn refuse_baseline_options(matches: &clap::ArgMatches) -> Result<(), clap::Error> {
    let Some(("baseline", sub)) = matches.subcommand() else {
        return Ok(());
    };
    for id in [
        "format", "fail_on", "revoke", "yes", "dry_run", "color", "no_color", "quiet", "verbose",
    ] {
        if sub.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            let flag = format!("--{}", id.replace('_', "-"));
            return Err(Cli::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "`hfaudit baseline` does not take {flag}: it writes a baseline (JSON) of \
                     the findings and exits 0, or 2 when a file could not be read"
                ),
            ));
        }
    }
    Ok(())
}

pub(super) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(&args, false),
        Command::Baseline(args) => scan(&args, true),
        Command::Merge(args) => merge(&args),
        Command::Whoami(args) => whoami(&args),
        Command::Plan(args) => plan(&args),
        Command::Rules { markdown } => {
            let set = RuleSet::builtin()?;
            let mut out = stdout();
            if markdown {
                write!(out, "{}", rules::markdown_table(&set))?;
                out.flush()?;
                return Ok(ExitCode::SUCCESS);
            }
            for r in &set.rules {
                let verify = if r.needs_verification {
                    " (needs --verify)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{}  {:<32} {:<8} {}{verify}",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.summary
                )?;
            }
            // Every write is checked at the final flush too: `hfaudit rules > /dev/full` fails.
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::InstallHook { force } => {
            let cwd = std::env::current_dir()?;
            let exe = std::env::current_exe().ok();
            let install = git::install_hook(&cwd, exe.as_deref(), force)?;
            let path = install.path.display();
            let said = match install.done {
                git::Installed::New => format!("installed {path}"),
                git::Installed::AlreadyThere => format!("{path} is already hfaudit's hook"),
                git::Installed::Updated => format!("updated {path}"),
                git::Installed::Replaced { backup } => format!(
                    "installed {path}; the hook it replaced is now {}",
                    backup.display()
                ),
            };
            if install.outside {
                writeln!(
                    stderr(),
                    "warning: {} is outside this repository (core.hooksPath): the hook runs for \
                     every repository that uses that folder",
                    output::escape(&path.to_string())
                )?;
            }
            let mut out = stdout();
            writeln!(
                out,
                "{} (runs `hfaudit scan --staged` before each commit)",
                output::escape(&said)
            )?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::UninstallHook => {
            let cwd = std::env::current_dir()?;
            let (path, done) = git::uninstall_hook(&cwd)?;
            let path = path.display();
            let said = match done {
                git::Uninstalled::Removed => format!("removed {path}"),
                git::Uninstalled::Restored => {
                    format!("removed hfaudit's hook; {path} is the hook it had replaced again")
                }
                git::Uninstalled::NoHook => format!("no hook at {path}: nothing to remove"),
            };
            let mut out = stdout();
            writeln!(out, "{}", output::escape(&said))?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut out = stdout();
            out.write_all(&crate::dist::completions(Cli::command(), shell))?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { command } => {
            let page = crate::dist::man_page(Cli::command(), command.as_deref())?;
            let mut out = stdout();
            out.write_all(&page)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { id } => {
            let set = RuleSet::builtin()?;
            let Some(rule) = set.get(&id) else {
                bail!("no rule {id:?}; `hfaudit rules` lists them");
            };
            let mut out = stdout();
            write!(out, "{}", rules::render_doc(rule))?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// 2 when something could not be read, else 1 when a finding reaches `--fail-on`, else 0.
pub fn exit_code(report: &Report<'_>, fail_on: FailOn) -> ExitCode {
    if !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if report.findings.iter().any(|f| f.severity >= t) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Standard output, through the redacting writer that everything printed passes.
pub(super) fn stdout() -> Redacting<io::BufWriter<io::StdoutLock<'static>>> {
    Redacting::new(io::BufWriter::new(io::stdout().lock()))
}

/// Standard error, likewise redacted.
pub(super) fn stderr() -> Redacting<io::Stderr> {
    Redacting::new(io::stderr())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{man_page, UnknownCommand};

    #[test]
    fn every_command_has_a_page_titled_after_it() {
        for cmd in Cli::command().get_subcommands() {
            let name = cmd.get_name();
            let page = String::from_utf8(man_page(Cli::command(), Some(name)).unwrap()).unwrap();
            assert!(
                page.lines()
                    .find(|l| l.starts_with(".TH"))
                    .is_some_and(|l| l.starts_with(&format!(".TH hfaudit-{name} 1 "))),
                "{name}: {}",
                &page[..page.len().min(80)]
            );
        }
        assert!(matches!(
            man_page(Cli::command(), Some("nope")),
            Err(UnknownCommand(n)) if n == "nope"
        ));
    }
}
