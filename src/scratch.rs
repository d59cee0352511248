//! Temporary folders hfaudit makes (a Hub repository's `--history` clone), removed on every
//! exit path: when dropped (success, error, panic), and on SIGINT or SIGTERM (and SIGHUP),
//! after which the process exits 130 or 143 (128 + the signal), as a shell would say it died.
//!
//! The handler is installed with the first folder, so a run that makes none keeps the default
//! behaviour. A signal sets a flag ([`stopping`]); whoever writes into a folder (the clone's
//! watch, in `git::process`) polls it, kills its process and ends the run
//! ([`exit_on_signal`]: every folder removed, then the exit). A watcher thread does the same
//! when no writer runs (or after a few seconds' grace), and `main` checks the flag before it
//! returns, so a signal always ends in 128 + it. A second signal exits at once. SIGKILL cannot
//! be caught: nothing can clean up after it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// The signal that arrived (0: none yet).
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
/// Set with [`SIGNAL`], so a second signal ends the process without waiting.
static SIGNALLED: AtomicBool = AtomicBool::new(false);
/// Folders alive now: (id, path, writers still running into it).
static FOLDERS: Mutex<Vec<(u64, PathBuf, usize)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static INSTALL: Once = Once::new();

/// How long the watcher waits for writers to stop before removing their folders anyway.
const WRITERS_GRACE: Duration = Duration::from_secs(5);
/// How often the watcher looks at the flag.
const POLL: Duration = Duration::from_millis(20);

/// A signal arrived: writers must stop now, and nothing new may start.
pub fn stopping() -> bool {
    SIGNAL.load(Ordering::SeqCst) != 0
}

/// A temporary folder, removed when dropped or when a signal ends the run.
pub struct Scratch {
    dir: Option<tempfile::TempDir>,
    id: u64,
}

impl Scratch {
    /// A new folder `PREFIX…` in the system's temporary folder (`TMPDIR`).
    pub fn new(prefix: &str) -> io::Result<Scratch> {
        install();
        if stopping() {
            return Err(io::Error::other("interrupted"));
        }
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        lock().push((id, dir.path().to_path_buf(), 0));
        Ok(Scratch { dir: Some(dir), id })
    }

    pub fn path(&self) -> &Path {
        self.dir
            .as_ref()
            .map_or(Path::new(""), tempfile::TempDir::path)
    }

    /// Marks a process writing into the folder until the guard drops: on a signal, the
    /// folder is removed once it has stopped (it watches [`stopping`]).
    pub fn writer(&self) -> Writer {
        if let Some(f) = lock().iter_mut().find(|f| f.0 == self.id) {
            f.2 += 1;
        }
        Writer { id: self.id }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Removed under the lock: the watcher either sees the folder (and removes it itself)
        // or finds it gone, never exits halfway through this removal.
        let mut folders = lock();
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
        folders.retain(|f| f.0 != self.id);
    }
}

/// A writer into a [`Scratch`] folder, while it lives.
pub struct Writer {
    id: u64,
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(f) = lock().iter_mut().find(|f| f.0 == self.id) {
            f.2 = f.2.saturating_sub(1);
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<(u64, PathBuf, usize)>> {
    // A panic while holding it leaves the list as it was: still the right list.
    FOLDERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Installs the handler once: flags set by the signal, and a thread that acts on them.
fn install() {
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        #[cfg(unix)]
        let signals = [SIGINT, SIGTERM, signal_hook::consts::SIGHUP];
        #[cfg(not(unix))]
        let signals = [SIGINT, SIGTERM];
        for sig in signals {
            // First the exit on a second signal (it checks the flag before the first sets it).
            let _ = signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, &SIGNALLED);
            let _ = signal_hook::flag::register(sig, &SIGNALLED);
            let _ = signal_hook::flag::register_usize(sig, &SIGNAL, sig.unsigned_abs() as usize);
        }
        let _ = std::thread::Builder::new()
            .name("hfaudit-signals".into())
            .spawn(watch);
    });
}

/// Waits for a signal; once no writer runs (they stop on [`stopping`] and end the run
/// themselves), ends the run.
fn watch() {
    while !stopping() {
        std::thread::sleep(POLL);
    }
    let until = Instant::now() + WRITERS_GRACE;
    while lock().iter().any(|f| f.2 > 0) && Instant::now() < until {
        std::thread::sleep(POLL);
    }
    exit_on_signal();
}

/// Ends the run if a signal arrived (see [`exit_on_signal`]); returns otherwise. For the end
/// of `main`, and for the places a run could otherwise go on after its writer stopped.
pub fn exit_if_signalled() {
    if stopping() {
        exit_on_signal();
    }
}

/// Ends the run for the signal that arrived: removes every folder, then exits 128 + the
/// signal. Whoever gets here first does it (the watcher thread, a writer that stopped its
/// process, `main`); any other thread waits for the exit.
pub fn exit_on_signal() -> ! {
    static CLAIMED: AtomicBool = AtomicBool::new(false);
    if CLAIMED.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    // Held to the end: no folder is made or removed elsewhere after this.
    let folders = lock();
    for (_, path, _) in folders.iter() {
        // A killed writer's last write may land during the first try.
        for _ in 0..3 {
            if std::fs::remove_dir_all(path).is_ok() || !path.exists() {
                break;
            }
            std::thread::sleep(POLL);
        }
    }
    let sig = SIGNAL.load(Ordering::SeqCst);
    std::process::exit(128 + i32::try_from(sig).unwrap_or(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_registered_while_it_lives_and_removed_when_dropped() {
        let scratch = Scratch::new("hfaudit-test-").unwrap();
        let path = scratch.path().to_path_buf();
        std::fs::write(path.join("x"), "x").unwrap();
        let writers = |p: &Path| lock().iter().find(|f| f.1 == p).map(|f| f.2);
        assert_eq!(writers(&path), Some(0));
        let w = scratch.writer();
        assert_eq!(writers(&path), Some(1));
        drop(w);
        assert_eq!(writers(&path), Some(0));
        drop(scratch);
        assert!(!path.exists());
        assert_eq!(writers(&path), None);
        assert!(!stopping());
    }
}
