//! Running the git command: one place that spawns git, with a fixed environment and the
//! options that keep its output machine-readable, and that turns its failures into typed errors.
//! It must not interpret what git prints beyond success and failure.

use std::ffi::OsStr;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::thread::JoinHandle;

/// What can go wrong in a git mode or `install-hook`; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git ({0}); the git modes and install-hook need the git command on PATH")]
    NoGit(#[source] io::Error),
    #[error("{dir} is not inside a git repository (git said: {message})")]
    NotARepo { dir: PathBuf, message: String },
    #[error("{} is a bare repository: nothing is staged without a working tree (--since, --range and --history work)", dir.display())]
    Bare { dir: PathBuf },
    #[error("bad revision {rev:?}: {message}")]
    BadRevision { rev: String, message: String },
    #[error("`git {command}` failed: {message}")]
    Failed { command: String, message: String },
    #[error("unexpected output from `git {command}`: {detail}")]
    Parse {
        command: &'static str,
        detail: String,
    },
    #[error("cannot talk to git: {0}")]
    Io(#[from] io::Error),
    #[error("invalid exclude pattern in the config: {0}")]
    Exclude(#[from] ignore::Error),
    #[error("{} already exists; run `hfaudit install-hook --force` to replace it (or add `hfaudit scan --staged` to it yourself)", path.display())]
    HookExists { path: PathBuf },
    #[error("cannot write the hook {}", path.display())]
    HookWrite {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The git command, run in one folder (the user's current folder, so relative paths and the
/// environment a hook sets up — `GIT_DIR`, `GIT_INDEX_FILE` — mean what git means by them).
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    pub fn new(dir: &Path) -> Self {
        Git {
            dir: dir.to_path_buf(),
        }
    }

    /// A `git` command with options that make its output independent of the user's config:
    /// no pager, no path quoting, no prompts.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.dir)
            // The user's config must not change what plumbing prints: root commits shown,
            // paths from the top, no external diff drivers or text conversion.
            .args([
                "--no-pager",
                "-c",
                "core.quotePath=false",
                "-c",
                "log.showRoot=true",
                "-c",
                "diff.relative=false",
                "-c",
                "diff.external=",
                "-c",
                "diff.noprefix=false",
            ])
            .args(args)
            // A partial clone may fetch missing blobs: never stop to ask for a password.
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null());
        cmd
    }
}

/// Runs a git command to completion and returns its output, whatever the exit status.
pub fn output(mut cmd: Command) -> Result<Output, GitError> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.output().map_err(GitError::NoGit)
}

/// Starts a git command with its standard output (and, when asked, standard input) as pipes.
/// Standard error is drained on a thread so a chatty git never blocks on it.
pub fn spawn(mut cmd: Command, what: &str, stdin: bool) -> Result<Running, GitError> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().map_err(GitError::NoGit)?;
    let mut err = child.stderr.take().expect("stderr is piped");
    let stderr = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    Ok(Running {
        stdout: child.stdout.take(),
        stdin: child.stdin.take(),
        child,
        what: what.to_owned(),
        stderr: Some(stderr),
    })
}

/// A git process being read from.
pub struct Running {
    child: Child,
    what: String,
    pub stdout: Option<ChildStdout>,
    pub stdin: Option<ChildStdin>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl Running {
    /// Waits for git; a non-zero exit becomes `GitError::Failed` with what git said.
    pub fn finish(mut self) -> Result<(), GitError> {
        drop(self.stdin.take());
        drop(self.stdout.take());
        let status = self.child.wait()?;
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if status.success() {
            Ok(())
        } else {
            Err(GitError::Failed {
                command: self.what.clone(),
                message: first_lines(&stderr, status.code()),
            })
        }
    }

    /// Stops git early (after an error on our side), so nothing waits on a full pipe.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.stderr.is_some() {
            // Not finished: do not leave a zombie or a writer blocked on a pipe.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// git's error message, trimmed to what a person needs ("fatal: " dropped).
pub fn first_lines(stderr: &[u8], code: Option<i32>) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("hint:"))
        .take(3)
        .map(|l| l.strip_prefix("fatal: ").unwrap_or(l))
        .collect();
    if lines.is_empty() {
        match code {
            Some(c) => format!("exit status {c}"),
            None => "killed by a signal".to_owned(),
        }
    } else {
        lines.join("; ")
    }
}
