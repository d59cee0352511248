//! The command line's shape: commands, options and their parsers (clap's derive).

use crate::hub;
use crate::report::Format;
use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

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
    #[command(flatten)]
    pub report: ReportArgs,
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
    #[command(flatten)]
    pub timing: VerifyTiming,
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
    pub(super) fn archives(&self) -> Option<crate::archive::Archives> {
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

/// The Hub's request timeouts for `--verify`, `--revoke` and `whoami`, hidden: for tests, which
/// set them through the environment.
#[derive(Debug, Clone, Args)]
pub struct VerifyTiming {
    /// Per-request timeout, in milliseconds.
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        env = "HFAUDIT_VERIFY_TIMEOUT_MS"
    )]
    pub verify_timeout_ms: Option<u64>,
    /// Deadline of all requests, in milliseconds.
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        env = "HFAUDIT_VERIFY_DEADLINE_MS"
    )]
    pub verify_deadline_ms: Option<u64>,
}

/// How a report is written and when it fails the run: the same options for `scan` and `merge`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
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
    /// When to colour the human output (`auto` follows the terminal, `NO_COLOR`,
    /// `FORCE_COLOR` and `CLICOLOR_FORCE`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The same as `--color never`.
    #[arg(long, conflicts_with = "color")]
    pub no_color: bool,
}

impl ReportArgs {
    /// `--fail-on`, else the config's `fail-on`, else warning.
    pub fn fail_on(&self, config: Option<FailOn>) -> FailOn {
        self.fail_on.or(config).unwrap_or(FailOn::Warning)
    }
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `hfaudit scan --format json`.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// The config HF003 is judged with (disabled rules, severities, allowed tokens) instead of
    /// looking for .hfaudit.toml / pyproject.toml from the current folder.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any config file.
    #[arg(long)]
    pub no_config: bool,
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
    #[command(flatten)]
    pub timing: VerifyTiming,
}

/// Parses `90s`, `30m`, `2h` or a number of seconds.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
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
pub(super) fn parse_size(text: &str) -> Result<u64, String> {
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
