//! `--history` for a Hub repository: a mirror clone into a temporary folder, then the history
//! scan of the git source on it.
//!
//! The clone is bounded: git gives up below `low_speed` bytes a second for that many seconds
//! (a server that drips), git is killed at a wall-clock deadline and when the folder grows past
//! `--history-max-size` (an endless pack), each an error entry for that repository while the
//! scan goes on. The folder is a `scratch::Scratch`: removed on every exit path, SIGINT and
//! SIGTERM included. git runs sandboxed (`git::process::Git::sandbox*`): no `GIT_DIR` of the
//! user's turns the clone or its scan toward the user's repository.

use std::path::Path;
use std::time::Duration;

use crate::engine::Engine;
use crate::fold::Progress;
use crate::git::{self, process::GitError, process::Stop};
use crate::model::{HubItem, ScanError, ScanOutput};
use crate::origin::Origin;
use crate::scratch::Scratch;

use super::{source, target, Options, Repo, DEFAULT_REVISION};

/// What one repository's clone may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLimits {
    /// Bytes the clone's folder may hold (`--history-max-size`); `None`: no limit. A Hub
    /// repository's git history without LFS files is rarely near the default 1 GiB.
    pub max_size: Option<u64>,
    /// Wall-clock time for the clone.
    pub deadline: Duration,
    /// git's `http.lowSpeedLimit` (bytes a second) and `http.lowSpeedTime` (seconds): slower
    /// than this for that long, the clone gives up.
    pub low_speed: (u32, u32),
}

impl Default for HistoryLimits {
    fn default() -> Self {
        HistoryLimits {
            max_size: Some(1 << 30),
            deadline: Duration::from_secs(30 * 60),
            low_speed: (1000, 60),
        }
    }
}

/// `--history`: mirror-clone the repository (all refs, LFS smudge off) into a temporary
/// folder, scan its history, and remove the clone.
pub(super) fn history(
    opts: &Options,
    engine: &Engine,
    repo: &Repo,
    progress: &Progress,
) -> ScanOutput {
    let mut out = ScanOutput::default();
    let shown = repo.display();
    let fail = |message: String| ScanError {
        path: shown.clone(),
        message: format!("--history: {message}"),
    };
    let dir = match Scratch::new("hfaudit-hub-") {
        Ok(d) => d,
        Err(e) => {
            out.errors
                .push(fail(format!("cannot make a temporary folder: {e}")));
            return out;
        }
    };
    let clone = dir.path().join("repo.git");
    let url = format!("{}/{}{}", opts.endpoint, repo.kind.prefix(), repo.id);
    let cloned = {
        let _writing = dir.writer();
        mirror_clone(opts, &url, dir.path(), &clone)
    };
    if let Err(e) = cloned {
        out.errors.push(fail(e));
        return out;
    }
    let gopts = git::Options {
        mode: git::Mode::History,
        pathspecs: Vec::new(),
        max_filesize: opts.max_filesize,
        threads: 0,
    };
    // Each file version is a Hub file at the commit that introduced what is reported.
    let origin = |path: &str, commit: Option<crate::model::CommitInfo>| {
        let at = commit.as_ref().map_or(DEFAULT_REVISION, |c| c.id.as_str());
        let web = format!(
            "{}/{}{}/blob/{}/{}",
            opts.endpoint,
            repo.kind.prefix(),
            repo.id,
            at,
            target::encode_path(path)
        );
        Origin::hub(
            format!("{shown}/{path}"),
            source(repo, at, HubItem::File, web),
            commit,
        )
    };
    match git::scan_clone(
        &clone,
        &gopts,
        engine,
        progress,
        git::Limits::default(),
        &origin,
    ) {
        Ok(mut o) => {
            for s in &mut o.skipped {
                s.path = format!("{shown}/{}", s.path);
            }
            for e in &mut o.errors {
                e.path = format!("{shown}/{}", e.path);
            }
            out.merge(o);
        }
        Err(e) => out
            .errors
            .push(fail(crate::output::redacted(&e.to_string()))),
    }
    drop(dir);
    // A signal during the scan of the clone: the run ends now, not after the next repository.
    crate::scratch::exit_if_signalled();
    out
}

/// `git clone --mirror`, talking to the endpoint as every Hub git command does
/// (`super::remote_git`: LFS smudge off, the token scoped to the endpoint's exact origin through
/// the environment, no redirect or `http-alternates` followed, no proxy for loopback http, the
/// low-speed limit), watched for its deadline and size.
fn mirror_clone(opts: &Options, url: &str, cwd: &Path, dest: &Path) -> Result<(), String> {
    let args: Vec<std::ffi::OsString> = vec![
        "clone".into(),
        "--mirror".into(),
        "--quiet".into(),
        "--".into(),
        url.into(),
        dest.as_os_str().into(),
    ];
    let cmd = super::remote_git(
        opts,
        &git::process::Git::sandbox_without_repository(cwd),
        url,
        &args,
    );
    let limits = &opts.history_limits;
    let watch = git::process::Watch {
        deadline: opts.git_deadline(),
        folder: cwd.to_path_buf(),
        max_size: limits.max_size,
    };
    let out = match git::process::output_watched(cmd, "clone", &watch) {
        Ok(out) => out,
        Err(GitError::Stopped { why, .. }) => return Err(stopped(why)),
        Err(e) => return Err(e.to_string()),
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git clone failed: {}",
            super::git_said(opts, &out.stderr, out.status.code())
        ))
    }
}

/// What the user reads when the clone was stopped: which limit, and how to raise it.
fn stopped(why: Stop) -> String {
    match why {
        Stop::Size(limit) => format!(
            "the clone grew past --history-max-size ({limit} bytes); stopped and removed \
             (raise the limit to read this history)"
        ),
        Stop::Deadline(d) => format!(
            "the clone was still running after {} s; stopped and removed (a Hub repository's \
             history rarely takes this long)",
            d.as_secs_f64()
        ),
        Stop::Output(_) | Stop::Memory(_) => format!(
            "the clone {why}; stopped and removed (the server's answer was endless or a bomb)"
        ),
    }
}
