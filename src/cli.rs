//! The command line: parse arguments, run the pipeline, print through `report`, choose the exit
//! code. `anyhow` lives here, at the edge; the stages below return typed errors.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::engine::Engine;
use crate::fold::Progress;
use crate::git;
use crate::http::{self, Endpoint};
use crate::hub;
use crate::output::{self, Redacting};
use crate::pipeline;
use crate::report::{self, Format, Report};
use crate::revoke;
use crate::rules::{self, RuleSet, Severity};
use crate::source::Source;
use crate::source::WalkOptions;
use crate::suppress::Baseline;
use crate::whoami;

/// Audit a repository for leaked Hugging Face tokens and for the ways people misuse them.
#[derive(Debug, Parser)]
#[command(name = "hfaudit", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and folders (default: the current folder) for Hugging Face tokens.
    Scan(ScanArgs),
    /// Print a baseline of the current findings (JSON) to hide them in later scans.
    Baseline(ScanArgs),
    /// Combine JSON reports (the shards of a Hub audit, `scan --shard K/N`) into one report in
    /// any format: findings deduplicated as one run gives them, HF003 judged across them all.
    Merge(MergeArgs),
    /// List the rules.
    Rules {
        /// Print the README's Markdown table instead.
        #[arg(long)]
        markdown: bool,
    },
    /// Print one rule's documentation.
    Rule {
        /// A rule id such as HF003.
        id: String,
    },
    /// Audit your own tokens: HF_TOKEN (else the token file) and the named tokens of
    /// `hf auth login`, with the Hub's role, name and scopes and the advice that applies.
    Whoami(WhoamiArgs),
    /// Plan the tokens this code needs, with no network: for each platform (CI, notebooks,
    /// servers, source code) one fine-grained token with exactly the repositories and permissions
    /// its Hub calls use, the evidence for each, and the calls whose repository is not a literal.
    Plan(PlanArgs),
    /// Install a git pre-commit hook that runs `hfaudit scan --staged` (honours core.hooksPath).
    InstallHook {
        /// Replace an existing pre-commit hook (kept as pre-commit.hfaudit-backup).
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook that install-hook wrote (and put back the one it replaced).
    UninstallHook,
    /// Print a shell completion script for bash, zsh, fish, powershell or elvish.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of hfaudit or of one command; view it with `hfaudit man | man -l -`.
    Man {
        /// A command such as `scan` (default: hfaudit itself).
        command: Option<String>,
    },
}

pub use crate::config::FailOn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files or folders to scan (default: the current folder). With a git mode: limit the scan
    /// to these paths (default: the whole repository). `hf://[datasets/|spaces/]OWNER/NAME[@REV]`
    /// or `hf://OWNER` scans Hub repositories (see "Hub").
    pub paths: Vec<PathBuf>,
    /// Scan what is staged for the next commit (the index, not the working tree), reporting the
    /// tokens the commit would add. For a pre-commit hook.
    #[arg(long, help_heading = "Git", conflicts_with_all = ["since", "range", "history"])]
    pub staged: bool,
    /// Scan the commits after REV up to HEAD (REV..HEAD): the tokens they added, with the commit
    /// that added each.
    #[arg(long, value_name = "REV", help_heading = "Git", conflicts_with_all = ["range", "history"])]
    pub since: Option<String>,
    /// Scan the commits of a range such as origin/main..HEAD: the tokens they added.
    #[arg(
        long,
        value_name = "A..B",
        help_heading = "Git",
        conflicts_with = "history"
    )]
    pub range: Option<String>,
    /// Scan every commit reachable from any ref (each file version once), deleted tokens
    /// included, naming the commit that introduced each token.
    #[arg(long, help_heading = "Git")]
    pub history: bool,
    /// hf:// targets with --history: stop a repository's clone (an error for that repository,
    /// the scan goes on) when its temporary folder grows past this size. K, M and G suffixes;
    /// 0 for no limit.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size, help_heading = "Hub")]
    pub history_max_size: u64,
    /// Wall-clock deadline of one --history clone, in milliseconds (for tests).
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        env = "HFAUDIT_HISTORY_TIMEOUT_MS"
    )]
    pub history_timeout_ms: Option<u64>,
    /// Seconds under 1000 bytes a second before a --history clone gives up (for tests).
    #[arg(
        long,
        hide = true,
        value_name = "SECONDS",
        env = "HFAUDIT_HISTORY_LOW_SPEED_TIME"
    )]
    pub history_low_speed_time: Option<u32>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding of this severity or worse is reported [default: the config's
    /// `fail-on`, else warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report only these rules (comma-separated ids, as ruff's --select); the config's
    /// `disable` still applies.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never report these rules (comma-separated ids), on top of the config's `disable`.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Print nothing when there is nothing to report; otherwise only the findings and the
    /// files that could not be read (no summary, advice or notes).
    #[arg(short, long)]
    pub quiet: bool,
    /// Fail (exit 2) when any file was skipped: too big, a damaged archive, a limit hit.
    #[arg(long)]
    pub strict: bool,
    /// Print every finding's help in full (by default a help text is printed once, with the
    /// first finding it applies to).
    #[arg(short, long)]
    pub verbose: bool,
    /// Scan files that .gitignore, .ignore and git's excludes would skip.
    #[arg(long)]
    pub no_ignore: bool,
    /// Find plain tokens only: do not decode base64, UTF-16, `\u`/`\x` escapes or
    /// percent-encoding.
    #[arg(long)]
    pub no_decode: bool,
    /// Follow symbolic links (loops are detected and skipped).
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Skip (and report) files larger than this; K, M and G suffixes; 0 for no limit.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_filesize: u64,
    /// Threads for the walk (default: one per core; at most 256).
    #[arg(short = 'j', long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Use this config file instead of looking for .hfaudit.toml / pyproject.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any config file.
    #[arg(long)]
    pub no_config: bool,
    /// Hide the findings listed in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// When to colour the human output (`auto` follows the terminal, `NO_COLOR`,
    /// `FORCE_COLOR` and `CLICOLOR_FORCE`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The same as `--color never`.
    #[arg(long, conflicts_with = "color")]
    pub no_color: bool,
    /// Never show the progress indicator.
    #[arg(long)]
    pub no_progress: bool,
    /// After the scan, ask the Hub what each token is (role, name, scopes): each unique token is
    /// sent once, to the endpoint only.
    #[arg(long)]
    pub verify: bool,
    /// After the scan, ask the Hub to revoke every leaked token (not public test tokens, not
    /// suppressed or baselined ones, not tokens --verify found invalid). Lists them, asks on a
    /// terminal (else needs --yes), then sends them once to {endpoint}/api/credentials/revoke.
    #[arg(long, help_heading = "Revocation")]
    pub revoke: bool,
    /// With --revoke: do not ask (required when standard input is not a terminal).
    #[arg(long, requires = "revoke", help_heading = "Revocation")]
    pub yes: bool,
    /// With --revoke: print what would be sent, redacted, and send nothing.
    #[arg(long, requires = "revoke", help_heading = "Revocation")]
    pub dry_run: bool,
    /// The Hub to read hf:// targets from, to ask with --verify and to send --revoke to
    /// [default: $HF_ENDPOINT, else https://huggingface.co]. https:// only, except http:// to a
    /// loopback address.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// hf:// targets: do not read pull request refs.
    #[arg(long, help_heading = "Hub")]
    pub no_pull_requests: bool,
    /// hf:// targets: read every branch and tag too, not only the default branch (each file
    /// version once).
    #[arg(long, help_heading = "Hub")]
    pub all_refs: bool,
    /// hf://OWNER: list the owner's storage buckets too (hf://buckets/OWNER/NAME names one).
    #[arg(long, help_heading = "Hub")]
    pub buckets: bool,
    /// hf:// targets: read each file with its own request instead of one git fetch a
    /// repository (as when the Hub refuses git).
    #[arg(long, help_heading = "Hub")]
    pub per_file: bool,
    /// hf:// targets: read only part K of N of the repositories (split by a hash of each
    /// repository's id), for N parallel CI jobs; `hfaudit merge` combines their JSON reports.
    #[arg(long, value_name = "K/N", value_parser = hub::Shard::parse, help_heading = "Hub")]
    pub shard: Option<hub::Shard>,
    /// hf:// targets: remember in FILE what each repository held at the commit read, and on
    /// the next run read only the repositories (discussions, bucket files) that changed; the
    /// report is a full one, findings of unchanged ones marked `from_state`. No token is
    /// written there. --verify and --revoke act on the tokens read in this run only.
    #[arg(long, value_name = "FILE", help_heading = "Hub")]
    pub state: Option<PathBuf>,
    /// hf:// targets: do not read discussions.
    #[arg(long, help_heading = "Hub")]
    pub no_discussions: bool,
    /// hf:// targets: do not read Space variables.
    #[arg(long, help_heading = "Hub")]
    pub no_variables: bool,
    /// hf:// targets: download LFS/Xet files up to this size; bigger ones are skipped, never
    /// requested. K, M and G suffixes; 0 for no limit.
    #[arg(long, value_name = "SIZE", default_value = "50M", value_parser = parse_size, help_heading = "Hub")]
    pub lfs_max_size: u64,
    /// hf:// targets: the whole Hub scan's time (90s, 30m, 2h); past it nothing more is asked,
    /// and a note says what was not read.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration, help_heading = "Hub")]
    pub hub_deadline: Duration,
    /// Per-request timeout of --verify, in milliseconds (for tests).
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        env = "HFAUDIT_VERIFY_TIMEOUT_MS"
    )]
    pub verify_timeout_ms: Option<u64>,
    /// Deadline of all of --verify, in milliseconds (for tests).
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        env = "HFAUDIT_VERIFY_DEADLINE_MS"
    )]
    pub verify_deadline_ms: Option<u64>,
    /// Do not open archives and compressed files (zip, tar, gzip, bzip2, xz, zstd).
    #[arg(long, help_heading = "Archives")]
    pub no_archives: bool,
    /// Decompressed bytes one file may inflate to, all nested layers together; 0 for no limit.
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_size, help_heading = "Archives")]
    pub archive_max_size: u64,
    /// Decompressed bytes for the whole scan; 0 for no limit.
    #[arg(long, value_name = "SIZE", default_value = "8G", value_parser = parse_size, help_heading = "Archives")]
    pub archive_max_total: u64,
    /// Stop a file that inflates to more than this many times its size (past 1M); 0 for no limit.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        help_heading = "Archives"
    )]
    pub archive_max_ratio: u64,
    /// Archives inside archives opened, the outer one being 1.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64), help_heading = "Archives")]
    pub archive_max_depth: u32,
    /// Files read inside one file, all nested layers together; 0 for no limit.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        help_heading = "Archives"
    )]
    pub archive_max_entries: u64,
}

impl ScanArgs {
    /// The archive limits the flags ask for; `None` with `--no-archives`.
    fn archives(&self) -> Option<crate::archive::Archives> {
        let or_max = |n: u64| if n == 0 { u64::MAX } else { n };
        (!self.no_archives).then(|| {
            crate::archive::Archives::new(crate::archive::Limits {
                max_size: or_max(self.archive_max_size),
                max_total: or_max(self.archive_max_total),
                max_ratio: or_max(self.archive_max_ratio),
                max_depth: self.archive_max_depth,
                max_entries: or_max(self.archive_max_entries),
            })
        })
    }
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `hfaudit scan --format json`.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding of this severity or worse is reported [default: the config's
    /// `fail-on`, else warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// The config HF003 is judged with (disabled rules, severities, allowed tokens) instead of
    /// looking for .hfaudit.toml / pyproject.toml from the current folder.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any config file.
    #[arg(long)]
    pub no_config: bool,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The same as `--color never`.
    #[arg(long, conflicts_with = "color")]
    pub no_color: bool,
    /// Print nothing when there is nothing to report; otherwise only the findings.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Output formats of `hfaudit whoami`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhoamiFormat {
    /// Readable.
    Human,
    /// One JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// The Hub to ask [default: $HF_ENDPOINT, else https://huggingface.co]. https:// only,
    /// except http:// to a loopback address.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = WhoamiFormat::Human)]
    pub format: WhoamiFormat,
    /// Per-request timeout, in milliseconds (for tests).
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        env = "HFAUDIT_VERIFY_TIMEOUT_MS"
    )]
    pub verify_timeout_ms: Option<u64>,
    /// Deadline of all requests, in milliseconds (for tests).
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        env = "HFAUDIT_VERIFY_DEADLINE_MS"
    )]
    pub verify_deadline_ms: Option<u64>,
}

/// Parses `90s`, `30m`, `2h` or a number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, unit) = match t.chars().last() {
        Some('s') => (&t[..t.len() - 1], 1),
        Some('m') => (&t[..t.len() - 1], 60),
        Some('h') => (&t[..t.len() - 1], 3600),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is not a duration like 90s, 30m or 2h"))
}

/// Output formats of `hfaudit plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// What to tick on the token settings page.
    Human,
    /// One JSON document: `{"version": 1, "tokens": [...]}`.
    Json,
    /// Markdown, for a pull request comment.
    Markdown,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Folders or files to plan for (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Write the plan to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read files that .gitignore, .ignore and git's excludes would skip.
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip files larger than this; K, M and G suffixes.
    #[arg(long, value_name = "SIZE", default_value = "8M", value_parser = parse_size)]
    pub max_filesize: u64,
    /// Use this config file (its `exclude`) instead of looking for .hfaudit.toml / pyproject.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any config file.
    #[arg(long)]
    pub no_config: bool,
}

/// Parses `512`, `64K`, `10M`, `1G` (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("{text:?} is not a size like 512K, 100M or 1G"))
}

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

fn is_broken_pipe(err: &anyhow::Error) -> bool {
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

fn load_config(args: &ScanArgs, rules: &RuleSet) -> Result<Config> {
    if args.no_config {
        return Ok(Config {
            root: std::env::current_dir()?,
            ..Config::default()
        });
    }
    if let Some(path) = &args.config {
        return Ok(Config::load(path, rules)?);
    }
    if git_mode(args)?.is_some() {
        // Paths are pathspecs there (they may name deleted files): start where git does.
        return Ok(Config::discover(Path::new("."), rules)?);
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
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    Ok(Config::discover(&start, rules)?)
}

/// Splits `hf://` targets from local paths: the local ones go on as the paths of `args`.
fn split_targets(args: &ScanArgs) -> Result<(Vec<hub::Target>, ScanArgs)> {
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
fn state_file(
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
fn hub_options(args: &ScanArgs) -> Result<hub::Options> {
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
    if let Some(ms) = args.verify_timeout_ms {
        opts.timeout = Duration::from_millis(ms.max(1));
    }
    Ok(opts)
}

fn scan(all_args: &ScanArgs, baseline_mode: bool) -> Result<ExitCode> {
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
        .then(|| {
            verify_options(
                args.endpoint.as_deref(),
                args.verify_timeout_ms,
                args.verify_deadline_ms,
            )
        })
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
        let mut out = open_output(args.output.as_deref())?;
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
    let tokens = if args.format == Format::Json {
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
    deliver(args.sink(), &report)?;
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
    let fail_on = args
        .fail_on
        .or(engine.config.fail_on)
        .unwrap_or(FailOn::Warning);
    Ok(exit_code(&report, fail_on))
}

/// `hfaudit merge`: the reports as one, printed as `scan` prints one; the exit code as scan's.
fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let rules = RuleSet::builtin()?;
    let config = if args.no_config {
        Config {
            root: std::env::current_dir()?,
            ..Config::default()
        }
    } else if let Some(path) = &args.config {
        Config::load(path, &rules)?
    } else {
        Config::discover(Path::new("."), &rules)?
    };
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
    deliver(
        Sink {
            format: args.format,
            output: args.output.as_deref(),
            color: args.color,
            no_color: args.no_color,
            quiet: args.quiet,
        },
        &report,
    )?;
    let fail_on = args
        .fail_on
        .or(engine.config.fail_on)
        .unwrap_or(FailOn::Warning);
    Ok(exit_code(&report, fail_on))
}

/// The largest report `merge` reads.
const MAX_REPORT: u64 = 4 << 30;

/// Prints the report where `sink` says; says on standard error where a file went, and the
/// notes when the format has no room for them.
fn deliver(args: Sink<'_>, report: &Report<'_>) -> Result<()> {
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

/// Where the report's paths lead: relative to the current folder in a tree scan (or absolute,
/// as named), repository-relative in git modes; the repository is the one around the first
/// path scanned (else the current folder).
fn roots(args: &ScanArgs, git_mode: bool) -> report::Roots {
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
fn decide_revoke(
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

/// `hfaudit whoami`: 2 without any token or with a refused endpoint, 1 when some advice is a
/// warning or worse, else 0.
fn whoami(args: &WhoamiArgs) -> Result<ExitCode> {
    let opts = verify_options(
        args.endpoint.as_deref(),
        args.verify_timeout_ms,
        args.verify_deadline_ms,
    )?;
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
fn plan(args: &PlanArgs) -> Result<ExitCode> {
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
    let config = if args.no_config {
        Config {
            root: std::env::current_dir()?,
            ..Config::default()
        }
    } else if let Some(path) = &args.config {
        Config::load(path, &rules)?
    } else {
        Config::discover(&folder, &rules)?
    };
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

/// The git mode the arguments ask for, if any.
fn git_mode(args: &ScanArgs) -> Result<Option<git::Mode>> {
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
fn local_source(args: &ScanArgs, git_mode: Option<git::Mode>, engine: &Engine) -> Source {
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
fn verify_options(
    endpoint: Option<&str>,
    timeout_ms: Option<u64>,
    deadline_ms: Option<u64>,
) -> Result<http::Policy> {
    let env = std::env::var("HF_ENDPOINT").ok();
    let endpoint = Endpoint::choose(endpoint, env.as_deref())?;
    let mut opts = http::Policy::new(endpoint);
    if let Some(ms) = timeout_ms {
        opts = opts.with_timeout(Duration::from_millis(ms.max(1)));
    }
    if let Some(ms) = deadline_ms {
        opts = opts.with_deadline(Duration::from_millis(ms.max(1)));
    }
    Ok(opts)
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
fn stdout() -> Redacting<io::BufWriter<io::StdoutLock<'static>>> {
    Redacting::new(io::BufWriter::new(io::stdout().lock()))
}

/// Standard error, likewise redacted.
fn stderr() -> Redacting<io::Stderr> {
    Redacting::new(io::stderr())
}

/// Creates `-o FILE` without following a symbolic link: a pull request can commit
/// `hfaudit.sarif` as a link to a file the CI user can write (a script a later step runs).
fn create_report_file(path: &Path) -> Result<std::fs::File> {
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
fn open_output(output: Option<&Path>) -> Result<Redacting<Box<dyn Write>>> {
    let raw: Box<dyn Write> = match output {
        Some(path) => Box::new(io::BufWriter::new(create_report_file(path)?)),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    Ok(Redacting::new(raw))
}

/// Where and how a report is printed: `--format`, `--output`, `--color`, `--quiet`.
#[derive(Clone, Copy)]
struct Sink<'a> {
    format: Format,
    output: Option<&'a Path>,
    color: ColorChoice,
    no_color: bool,
    quiet: bool,
}

impl ScanArgs {
    fn sink(&self) -> Sink<'_> {
        Sink {
            format: self.format,
            output: self.output.as_deref(),
            color: self.color,
            no_color: self.no_color,
            quiet: self.quiet,
        }
    }
}

fn write_report(args: Sink<'_>, report: &Report<'_>) -> Result<()> {
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
fn with_progress<T>(progress: &Progress, enabled: bool, work: impl FnOnce() -> T + Send) -> T
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
