//! Running the git command: one place that spawns git, with a fixed environment and the
//! options that keep its output machine-readable and keep the scanned repository's config from
//! running programs or fetching objects, and that turns its failures into typed errors.
//! Nothing else may start git. It must not interpret what git prints beyond success and failure.

use std::ffi::OsStr;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
    #[error("`git {command}` {why}; stopped")]
    Stopped { command: String, why: Stop },
    #[error("cannot talk to git: {0}")]
    Io(#[from] io::Error),
    #[error("invalid exclude pattern in the config: {0}")]
    Exclude(#[from] ignore::Error),
    #[error("{} already exists; run `hfaudit install-hook --force` to replace it (or add `hfaudit scan --staged` to it yourself)", path.display())]
    HookExists { path: PathBuf },
    #[error("core.hooksPath points outside this repository, to {}: a hook there runs for every repository that shares the folder. Run `hfaudit install-hook --force` to write it there anyway", hooks.display())]
    HooksOutside { hooks: PathBuf },
    #[error("{} already exists: move it away, then run `hfaudit install-hook --force` again", path.display())]
    BackupExists { path: PathBuf },
    #[error("{} was not written by hfaudit: not removing it", path.display())]
    NotOurHook { path: PathBuf },
    #[error("cannot write the hook {}", path.display())]
    HookWrite {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The git command, run in one folder, for one of two kinds of repository.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    kind: Kind,
}

/// Whose repository git works on.
#[derive(Debug, Clone)]
enum Kind {
    /// The user's, found from the folder as git finds it: relative paths and the environment a
    /// hook sets up (`GIT_DIR`, `GIT_INDEX_FILE`: what `--staged` must read) mean what git
    /// means by them.
    User,
    /// One hfaudit made itself (a Hub repository's clone), or none yet (the clone itself): its
    /// git dir is named on every command, and no `GIT_*` variable of ours reaches git, so a
    /// hook's `GIT_DIR` cannot turn the scan of a clone into a scan of the user's repository.
    Sandbox { git_dir: Option<PathBuf> },
}

/// Config that keeps git's output independent of the user's settings: root commits shown,
/// paths from the top, unquoted.
const STABLE_OUTPUT: &[&str] = &[
    "core.quotePath=false",
    "log.showRoot=true",
    "diff.relative=false",
    "diff.noprefix=false",
];

/// Config of the scanned repository that would make git run a program, turned off: a secret
/// scanner must be safe to point at any repository, and `.git/config` is the repository's to
/// write. Command-line `-c` outranks every config file (system, global, repository, worktree,
/// includes). Most of these never fire in the plumbing we run (`--raw` diffs, `cat-file
/// --batch`, `ls-files`); they are off so that stays true whatever git version or option
/// changes.
const NO_PROGRAMS: &[&str] = &[
    // Reading the index (`diff-index --cached`, `ls-files`) runs the fsmonitor hook.
    "core.fsmonitor=false",
    // Hooks (post-index-change, reference-transaction, ...): a folder that holds none.
    "core.hooksPath=/dev/null",
    // `--no-pager` already; `pager.<cmd>` is covered by it too.
    "core.pager=cat",
    // External diff and text conversion only act on patches; `--raw` prints none.
    "diff.external=",
    // Verifying a signature runs gpg.program (or gpg.ssh.program).
    "log.showSignature=false",
    // A lazy fetch from a promisor remote would run transports, ssh, credential helpers and
    // askpass programs; `GIT_NO_LAZY_FETCH` and `GIT_ALLOW_PROTOCOL` stop it first.
    "protocol.allow=never",
    // (`core.sshCommand` is left alone: an empty one would hand the URL's host to a shell.)
    "credential.helper=",
    "core.askPass=",
    // Automatic housekeeping would start `git gc` or `git maintenance` (and their hooks).
    "gc.auto=0",
    "maintenance.auto=false",
];

/// The hooks setting, kept apart: `install-hook` must read the repository's own.
const NO_HOOKS: &str = "core.hooksPath=/dev/null";

/// Environment a scan must not inherit: programs git would run instead of its own.
const UNSET_ENV: &[&str] = &[
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_PROXY_COMMAND",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "GIT_EDITOR",
];

/// The `GIT_*` variables a sandboxed git still sees: where git's own programs are and the TLS
/// trust store (a company's CA). Every other one is dropped: `GIT_DIR`, `GIT_WORK_TREE`,
/// `GIT_INDEX_FILE`, `GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`,
/// `GIT_COMMON_DIR`, `GIT_NAMESPACE`, `GIT_CEILING_DIRECTORIES`, `GIT_CONFIG_PARAMETERS` and
/// `GIT_CONFIG_COUNT` (a parent git's `-c`), `GIT_REPLACE_REF_BASE`, `GIT_SHALLOW_FILE`,
/// `GIT_QUARANTINE_PATH`, `GIT_ATTR_SOURCE`, the pathspec modes, `GIT_SSL_NO_VERIFY`,
/// `GIT_HTTP_*`, the traces (`GIT_TRACE_CURL` can print headers) and any variable a later git
/// adds.
const SANDBOX_KEEPS: &[&str] = &["GIT_EXEC_PATH", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH"];

impl Git {
    /// The user's repository around `dir`, as git finds it (environment included).
    pub fn new(dir: &Path) -> Self {
        Git {
            dir: dir.to_path_buf(),
            kind: Kind::User,
        }
    }

    /// A repository hfaudit made, at `git_dir` (a bare clone): named on every command.
    pub fn sandbox(git_dir: &Path) -> Self {
        Git {
            dir: git_dir.to_path_buf(),
            kind: Kind::Sandbox {
                git_dir: Some(git_dir.to_path_buf()),
            },
        }
    }

    /// No repository, in `dir`: for `git clone`, which makes the one [`Git::sandbox`] reads.
    pub fn sandbox_without_repository(dir: &Path) -> Self {
        Git {
            dir: dir.to_path_buf(),
            kind: Kind::Sandbox { git_dir: None },
        }
    }

    /// The folder git runs in: what the paths git prints are relative to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A `git` command whose output does not depend on the user's config, that runs no program
    /// the repository names (hooks, fsmonitor, filters, diff drivers, pagers, gpg), never
    /// fetches a missing object, and never prompts. Every git hfaudit starts is built here.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.build(args, true)
    }

    /// [`Git::command`] that still sees the repository's `core.hooksPath`: only for asking git
    /// where the hooks live (`rev-parse --git-path hooks`, which runs nothing).
    pub fn command_seeing_hooks_path<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.build(args, false)
    }

    fn build<I, S>(&self, args: I, no_hooks: bool) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.dir).arg("--no-pager");
        if let Kind::Sandbox { git_dir } = &self.kind {
            for (name, _) in std::env::vars_os() {
                let bytes = name.as_encoded_bytes();
                // Windows reads its environment without regard to case.
                let git = bytes.len() > 4 && bytes[..4].eq_ignore_ascii_case(b"GIT_");
                let kept = SANDBOX_KEEPS
                    .iter()
                    .any(|k| k.as_bytes().eq_ignore_ascii_case(bytes));
                if git && !kept {
                    cmd.env_remove(name);
                }
            }
            if let Some(git_dir) = git_dir {
                let mut arg = std::ffi::OsString::from("--git-dir=");
                arg.push(git_dir);
                cmd.arg(arg);
            }
        }
        for setting in STABLE_OUTPUT.iter().chain(NO_PROGRAMS) {
            if no_hooks || *setting != NO_HOOKS {
                cmd.arg("-c").arg(setting);
            }
        }
        cmd.args(args);
        for var in UNSET_ENV {
            cmd.env_remove(var);
        }
        // A partial clone lacks objects: git >= 2.44 would fetch them on demand from the
        // promisor remote (its URL may be `ext::any command`). Never: a missing object is an
        // error for that object. For older git, an empty list of allowed transports stops
        // the fetch before it starts, whatever the repository's `protocol.*` config says.
        cmd.env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_ALLOW_PROTOCOL", "")
            .env("GIT_TERMINAL_PROMPT", "0")
            // Replacement refs would show other content in place of a commit's own: scan what
            // is really there (the replacements are refs, so `--all` still reaches them).
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .stdin(Stdio::null());
        cmd
    }
}

/// Runs a git command to completion and returns its output, whatever the exit status.
pub fn output(mut cmd: Command) -> Result<Output, GitError> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.output().map_err(GitError::NoGit)
}

/// What a git process that writes (a clone) may cost before it is killed.
#[derive(Debug, Clone)]
pub struct Watch {
    /// Wall-clock time from the start.
    pub deadline: Duration,
    /// The folder it writes into.
    pub folder: PathBuf,
    /// The bytes that folder may hold (`None`: no limit).
    pub max_size: Option<u64>,
}

/// Why a watched git was killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Still running at the deadline.
    Deadline(Duration),
    /// Its folder grew past the limit.
    Size(u64),
    /// It printed more than [`MAX_OUTPUT`] bytes (endless refs).
    Output(u64),
    /// It, or a helper it started (`git-remote-http` reading an endless answer whole), took
    /// more than [`MAX_MEMORY`] bytes of memory.
    Memory(u64),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Deadline(d) => write!(f, "was still running after {} s", d.as_secs_f64()),
            Stop::Size(limit) => write!(f, "wrote more than {limit} bytes"),
            Stop::Output(limit) => write!(f, "printed more than {limit} bytes"),
            Stop::Memory(limit) => write!(f, "took more than {} MiB of memory", limit >> 20),
        }
    }
}

/// Most of a watched git's standard output kept (its refs, for `ls-remote`): past it, git is
/// stopped.
pub const MAX_OUTPUT: u64 = 64 << 20;
/// Most of its standard error kept (the first lines are shown); the rest is read and dropped,
/// so a flood of progress messages costs no memory.
const MAX_ERRORS: usize = 64 << 10;
/// Most memory a watched git and its helpers may take together (Linux, where it can be read):
/// git's HTTP helper reads a dumb server's `info/refs` whole, so an endless or gzip-bombed one
/// took gigabytes.
pub const MAX_MEMORY: u64 = 1 << 30;

/// How often a watched git is looked at, at least; a folder slow to measure is measured less
/// often (ten times the time a measure takes), so watching never costs more than git.
const WATCH_EVERY: Duration = Duration::from_millis(25);

/// [`output`] for a git that writes (a clone): killed at `watch`'s deadline or when its folder
/// grows past the size limit ([`GitError::Stopped`]; the folder is the caller's to remove, a
/// `scratch::Scratch`), and when a signal arrives (the run then ends here, through
/// `scratch::exit_on_signal`, every temporary folder removed).
pub fn output_watched(mut cmd: Command, what: &str, watch: &Watch) -> Result<Output, GitError> {
    let start = Instant::now();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    // Its own process group, so the helpers it starts are killed with it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().map_err(GitError::NoGit)?;
    let too_much = Arc::new(AtomicBool::new(false));
    // Each pipe's reader says when it closes: git is ending, and the run goes on then, not
    // at the next look.
    let (closed, pipes) = mpsc::channel();
    let stdout = drain(
        child.stdout.take(),
        MAX_OUTPUT as usize,
        Some(too_much.clone()),
        closed.clone(),
    );
    let stderr = drain(child.stderr.take(), MAX_ERRORS, None, closed);
    let mut open = 2;
    let mut linger = Duration::from_millis(1);
    // A git that ends before the first look is never measured.
    let mut next_look = start + WATCH_EVERY;
    let stopped = loop {
        let now = Instant::now();
        let wait = next_look
            .saturating_duration_since(now)
            .min(watch.deadline.saturating_sub(start.elapsed()));
        if open > 0 {
            match pipes.recv_timeout(wait) {
                Ok(()) => open -= 1,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => open = 0,
            }
        } else {
            // Both pipes closed: git is ending; look soon, then less and less often.
            std::thread::sleep(wait.min(linger));
            linger = (linger * 2).min(WATCH_EVERY);
        }
        if let Some(status) = child.try_wait()? {
            if too_much.load(Ordering::Relaxed) {
                break Stop::Output(MAX_OUTPUT);
            }
            return Ok(Output {
                status,
                stdout: stdout.join().unwrap_or_default(),
                stderr: stderr.join().unwrap_or_default(),
            });
        }
        if too_much.load(Ordering::Relaxed) {
            break Stop::Output(MAX_OUTPUT);
        }
        if crate::scratch::stopping() {
            kill_group(&mut child);
            // The run ends here: every temporary folder removed, then exit 128 + the signal.
            crate::scratch::exit_on_signal();
        }
        if start.elapsed() >= watch.deadline {
            break Stop::Deadline(watch.deadline);
        }
        if Instant::now() < next_look {
            continue;
        }
        let measured = Instant::now();
        if group_memory(child.id()) > MAX_MEMORY {
            break Stop::Memory(MAX_MEMORY);
        }
        if let Some(limit) = watch.max_size {
            if folder_size(&watch.folder) > limit {
                break Stop::Size(limit);
            }
        }
        next_look = Instant::now() + (measured.elapsed() * 10).max(WATCH_EVERY);
    };
    kill_group(&mut child);
    Err(GitError::Stopped {
        command: what.to_owned(),
        why: stopped,
    })
}

/// Reads a pipe to its end on a thread of its own, so git never blocks on a full pipe, keeping
/// the first `keep` bytes; past them the rest is dropped, and `over` (when given) is set.
/// `closed` hears when the pipe has closed.
fn drain<R: Read + Send + 'static>(
    pipe: Option<R>,
    keep: usize,
    over: Option<Arc<AtomicBool>>,
    closed: mpsc::Sender<()>,
) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let mut chunk = vec![0u8; 64 << 10];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        let room = keep.saturating_sub(buf.len());
                        buf.extend_from_slice(&chunk[..n.min(room)]);
                        if n > room {
                            if let Some(over) = &over {
                                over.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        let _ = closed.send(());
        buf
    })
}

/// The resident memory of the processes of group `pgid` (a watched git and its helpers), in
/// bytes: read from `/proc` on Linux, 0 elsewhere (where the other limits still hold). The
/// group's leader and its descendants are found through `/proc/PID/task/TID/children` (a
/// handful of files); where the kernel has no such file, every process is looked at.
fn group_memory(pgid: u32) -> u64 {
    #[cfg(target_os = "linux")]
    {
        if std::fs::metadata(format!("/proc/{pgid}/task/{pgid}/children")).is_ok() {
            group_memory_walked(pgid)
        } else {
            group_memory_scanned(pgid)
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pgid;
        0
    }
}

/// [`group_memory`] from the leader down through its children (at most 4,096 processes).
#[cfg(target_os = "linux")]
fn group_memory_walked(pgid: u32) -> u64 {
    let mut total = 0u64;
    let mut todo = vec![pgid];
    let mut seen = std::collections::HashSet::new();
    while let Some(process) = todo.pop() {
        if seen.len() >= 4096 || !seen.insert(process) {
            continue;
        }
        let Some((group, rss)) = process_stat(process) else {
            continue;
        };
        if group == pgid {
            total += rss;
        }
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{process}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children = std::fs::read_to_string(task.path().join("children"));
            todo.extend(
                children
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    total
}

/// [`group_memory`] by looking at every process.
#[cfg(target_os = "linux")]
fn group_memory_scanned(pgid: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(process_stat)
        .filter(|(group, _)| *group == pgid)
        .map(|(_, rss)| rss)
        .sum()
}

/// A process's group and resident bytes, from `/proc/PID/stat`.
#[cfg(target_os = "linux")]
fn process_stat(process: u32) -> Option<(u32, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).ok()?;
    // After the command's name (in parentheses, which may hold spaces): state, ppid, pgrp, …
    // and the resident pages, the 22nd field after the name.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let group = fields.get(2)?.parse::<u32>().ok()?;
    let pages = fields
        .get(21)
        .and_then(|r| r.parse::<u64>().ok())
        .unwrap_or(0);
    Some((group, pages * 4096))
}

/// Kills a watched git and every process of its group (the remote helper it started), and
/// reaps it.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        use nix::sys::signal::{killpg, Signal};
        let _ = killpg(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The bytes of the files under `dir` (links not followed; what cannot be read counts 0).
pub fn folder_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => todo.push(entry.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A watched command's pipes and memory are bounded: a flood on standard error is cut to
    /// its start, endless standard output and a process that takes more than MAX_MEMORY are
    /// stopped.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_watched_command_is_stopped_past_its_output_and_memory() {
        let dir = tempfile::tempdir().unwrap();
        let watch = Watch {
            deadline: Duration::from_secs(60),
            folder: dir.path().to_path_buf(),
            max_size: None,
        };
        let sh = |script: &str| {
            let mut c = Command::new("sh");
            c.args(["-c", script]);
            c
        };
        let out = output_watched(sh("head -c 20000000 /dev/zero >&2"), "flood", &watch).unwrap();
        assert!(out.status.success());
        assert_eq!(out.stderr.len(), MAX_ERRORS);
        let endless = output_watched(sh("cat /dev/zero"), "endless", &watch);
        assert!(
            matches!(
                endless,
                Err(GitError::Stopped {
                    why: Stop::Output(_),
                    ..
                })
            ),
            "{endless:?}"
        );
        // `tail` keeps a whole line in memory: 1.2 GB without a newline.
        let big = output_watched(
            sh("head -c 1300000000 /dev/zero | tail -n 1 | wc -c"),
            "memory",
            &watch,
        );
        assert!(
            matches!(
                big,
                Err(GitError::Stopped {
                    why: Stop::Memory(_),
                    ..
                })
            ),
            "{big:?}"
        );
    }

    /// The walk from a group's leader through its children finds what a look at every
    /// process finds: here a shell and the two `sleep`s of its pipeline.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_group_s_memory_is_found_by_walking_its_children() {
        let mut c = Command::new("sh");
        c.args(["-c", "sleep 30 | sleep 30"]);
        std::os::unix::process::CommandExt::process_group(&mut c, 0);
        let mut child = c.spawn().unwrap();
        let pgid = child.id();
        // Until both sleeps are there (the shell starts them at once).
        let members = || {
            std::fs::read_dir("/proc")
                .unwrap()
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|p| process_stat(*p).is_some_and(|(g, _)| g == pgid))
                .count()
        };
        for _ in 0..500 {
            if members() == 3 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(members(), 3, "a shell and two sleeps");
        // A member just forked is still becoming `sleep` (its memory moves): read until two
        // reads agree.
        let (mut walked, mut scanned) = (0, 1);
        for _ in 0..500 {
            (walked, scanned) = (group_memory_walked(pgid), group_memory_scanned(pgid));
            if walked == scanned {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        kill_group(&mut child);
        assert!(walked > 0);
        assert_eq!(walked, scanned);
        // Killed, its members end (and hold no memory) a moment later.
        for _ in 0..500 {
            if group_memory(pgid) == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(group_memory(pgid), 0, "the group is gone");
    }

    /// What a clone wrote: every file under the folder, links not followed.
    #[test]
    fn a_folder_size_counts_files_not_what_links_point_at() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("x"), [0u8; 100]).unwrap();
        std::fs::write(dir.path().join("a/b/y"), [0u8; 23]).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("big"), vec![0u8; 1 << 20]).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), dir.path().join("a/out")).unwrap();
            std::os::unix::fs::symlink(outside.path().join("big"), dir.path().join("big")).unwrap();
        }
        let links = if cfg!(unix) {
            // A link's own size: the length of the path it holds.
            let len = |p: &Path| p.as_os_str().len() as u64;
            len(outside.path()) + len(&outside.path().join("big"))
        } else {
            0
        };
        assert_eq!(folder_size(dir.path()), 123 + links);
        assert_eq!(folder_size(&dir.path().join("none")), 0);
    }
}
