//! Reading blobs: `git cat-file --batch` processes (shards) fed object ids by a producer thread,
//! each answered on its own reader thread, and every blob scanned on rayon's threads as it
//! arrives. Resolving deltas is most of git's work, so on a long history several shards run
//! side by side; the caller keeps the versions of one path on one shard, where git's delta-base
//! cache serves them.
//!
//! Memory stays bounded whatever the repository: blobs up to [`Limits::stream_over`] are read
//! whole, but only while the bytes held (queued or being scanned) fit in [`Limits::budget`];
//! bigger ones are never held whole: the shard's reader thread scans them straight from git's
//! pipe, in chunks. The rest waits in git's pipes.
//! This module reads and hands over bytes; it does not decide what a blob means.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::{ChildStdin, ChildStdout};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::process::{spawn, Git, GitError, Running};

/// Blobs read but not yet scanned, across all shards.
const QUEUE: usize = 32;

/// How blobs are read; [`Limits::default`] except in tests, which lower the sizes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Blobs larger than this are streamed, not read whole.
    pub stream_over: u64,
    /// The chunk size of a streamed blob.
    pub chunk: usize,
    /// Bytes of whole blobs held at once, across shards.
    pub budget: u64,
}

impl Default for Limits {
    /// About 100 MB at most: 64 MB of whole blobs, and a 4 MB chunk per streaming shard (8 at
    /// most). Files up to 16 MB are read whole, so need inference sees all of them.
    fn default() -> Self {
        Limits {
            stream_over: 16 << 20,
            chunk: 4 << 20,
            budget: 64 << 20,
        }
    }
}

/// What `cat-file` returned for one requested object.
pub enum Blob<'a> {
    Data(Held),
    /// Larger than [`Limits::stream_over`]: its bytes (exactly its size), to read once.
    Stream(&'a mut (dyn Read + Send), u64),
    /// Larger than `--max-filesize`: read past, not kept.
    TooBig(u64),
    /// Not in the repository (a shallow or partial clone), or not a blob.
    Missing(String),
}

/// A blob's bytes, counted against the budget until dropped.
pub struct Held {
    data: Vec<u8>,
    _permit: Permit,
}

impl std::ops::Deref for Held {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.data
    }
}

/// The bytes of whole blobs held, and a wait for some to be freed.
struct Budget {
    cap: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

impl Budget {
    /// Waits until `n` more bytes fit (always at once when nothing is held, so a blob bigger
    /// than the budget still goes through, alone).
    fn take(self: &Arc<Self>, n: u64) -> Permit {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        while *used > 0 && *used + n > self.cap {
            used = self
                .freed
                .wait(used)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *used += n;
        Permit {
            budget: Arc::clone(self),
            n,
        }
    }
}

struct Permit {
    budget: Arc<Budget>,
    n: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut used = self
            .budget
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *used -= self.n;
        self.budget.freed.notify_all();
    }
}

/// Asks for object ids and says which request each answer belongs to: the tag goes down the
/// shard's channel before the id goes to git, so the reader always finds it waiting.
pub struct Feeder<T> {
    shards: Vec<Shard<T>>,
    seq: usize,
}

/// Where one cat-file's requests go: the ids to git, the tags to its reader.
type Shard<T> = (BufWriter<ChildStdin>, Sender<(usize, T)>);

impl<T> Feeder<T> {
    /// Requests `oid`; `key` picks the shard (requests with equal keys share one).
    pub fn request(&mut self, oid: &str, key: u64, tag: T) -> io::Result<()> {
        let n = self.shards.len() as u64;
        let (stdin, tags) = &mut self.shards[(key % n) as usize];
        tags.send((self.seq, tag))
            .map_err(|_| io::Error::other("the blob reader stopped"))?;
        self.seq += 1;
        stdin.write_all(oid.as_bytes())?;
        stdin.write_all(b"\n")
    }
}

/// A shard's answer to one request: a blob to scan, or a big blob its reader scanned.
enum Answer<T, R> {
    Blob(usize, T, Blob<'static>),
    Scanned(usize, R),
}

type Queued<T, R> = Result<Answer<T, R>, GitError>;

/// Runs `request_all` on a thread (it requests blobs, and may read another git process
/// meanwhile) and `scan` on every blob as it arrives, in parallel, with `shards` cat-file
/// processes. Returns what `request_all` returned and the scan results in request order.
pub fn read_blobs<T, F, R, S>(
    git: &Git,
    shards: usize,
    max_size: Option<u64>,
    limits: Limits,
    request_all: impl FnOnce(&mut Feeder<T>) -> Result<F, GitError> + Send,
    scan: S,
) -> Result<(F, Vec<R>), GitError>
where
    T: Send,
    F: Send,
    R: Send,
    S: for<'b> Fn(T, Blob<'b>) -> R + Sync + Send,
{
    let mut cats: Vec<Running> = Vec::new();
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for _ in 0..shards.max(1) {
        let mut cat = spawn(
            git.command(["cat-file", "--batch", "--buffer"]),
            "cat-file --batch",
            true,
        )?;
        let (tags_tx, tags_rx) = channel::<(usize, T)>();
        inputs.push((
            BufWriter::new(cat.stdin.take().expect("stdin is piped")),
            tags_tx,
        ));
        outputs.push((cat.stdout.take().expect("stdout is piped"), tags_rx));
        cats.push(cat);
    }
    let budget = Arc::new(Budget {
        cap: limits.budget,
        used: Mutex::new(0),
        freed: Condvar::new(),
    });
    let scan = &scan;
    let (listing, scanned) = std::thread::scope(|s| {
        let producer = s.spawn(move || {
            let mut feeder = Feeder {
                shards: inputs,
                seq: 0,
            };
            let result = request_all(&mut feeder);
            let mut flushed = Ok(());
            for (stdin, _) in &mut feeder.shards {
                flushed = flushed.and(stdin.flush());
            }
            drop(feeder); // closes git's stdin: each cat-file ends after its last answer
            match (result, flushed) {
                (Ok(v), Ok(())) => Ok(v),
                (Err(e), _) => Err(e),
                (Ok(_), Err(e)) => Err(GitError::Io(e)),
            }
        });
        let (queue, answers) = sync_channel::<Queued<T, R>>(QUEUE);
        for (stdout, tags) in outputs {
            let queue = queue.clone();
            let answers = Answers {
                out: BufReader::with_capacity(1 << 16, stdout),
                tags,
                max_size,
                limits,
                budget: Arc::clone(&budget),
                line: Vec::new(),
            };
            s.spawn(move || forward(answers, scan, &queue));
        }
        drop(queue);
        let scanned: Result<Vec<(usize, R)>, GitError> = answers
            .into_iter()
            .par_bridge()
            .map(|item| {
                item.map(|answer| match answer {
                    Answer::Blob(seq, tag, blob) => (seq, scan(tag, blob)),
                    Answer::Scanned(seq, r) => (seq, r),
                })
            })
            .collect();
        if scanned.is_err() {
            // Unblock the producer, which may be waiting to write to a git nobody reads.
            for cat in &mut cats {
                cat.kill();
            }
        }
        let listing = producer.join().expect("the blob producer does not panic");
        (listing, scanned)
    });
    // Our own failure first: it is the cause when both sides failed.
    let mut scanned = scanned?;
    let listing = listing?;
    for cat in cats {
        cat.finish()?;
    }
    scanned.sort_unstable_by_key(|(seq, _)| *seq);
    Ok((listing, scanned.into_iter().map(|(_, r)| r).collect()))
}

/// Reads one shard's answers and queues them for scanning, until the end, an error, or nobody
/// listens any more.
fn forward<T, R, S>(mut answers: Answers<T>, scan: &S, queue: &SyncSender<Queued<T, R>>)
where
    S: for<'b> Fn(T, Blob<'b>) -> R,
{
    while let Some(item) = answers.read_one(scan) {
        let failed = item.is_err();
        if queue.send(item).is_err() || failed {
            return;
        }
    }
}

/// One cat-file's answers, in order, each with the tag of its request.
struct Answers<T> {
    out: BufReader<ChildStdout>,
    tags: Receiver<(usize, T)>,
    max_size: Option<u64>,
    limits: Limits,
    budget: Arc<Budget>,
    line: Vec<u8>,
}

impl<T> Answers<T> {
    fn read_one<R, S>(&mut self, scan: &S) -> Option<Queued<T, R>>
    where
        S: for<'b> Fn(T, Blob<'b>) -> R,
    {
        self.line.clear();
        match self.out.read_until(b'\n', &mut self.line) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => return Some(Err(e.into())),
        }
        let Ok((seq, tag)) = self.tags.recv() else {
            return Some(Err(parse_error("an answer for an object nobody asked for")));
        };
        let header = String::from_utf8_lossy(&self.line).trim_end().to_owned();
        let words: Vec<&str> = header.split(' ').collect();
        let blob = match words.as_slice() {
            [oid, "missing" | "ambiguous"] => Blob::Missing(format!("object {oid} is missing")),
            [oid, kind, size] => {
                let Ok(size) = size.parse::<u64>() else {
                    return Some(Err(parse_error(&format!("bad header {header:?}"))));
                };
                let keep = *kind == "blob" && max_size_allows(self.max_size, size);
                if keep && size > self.limits.stream_over {
                    return Some(self.stream(seq, tag, size, scan));
                }
                if keep {
                    let permit = self.budget.take(size);
                    let mut data = vec![0u8; size as usize];
                    if let Err(e) = self.out.read_exact(&mut data) {
                        return Some(Err(e.into()));
                    }
                    if let Err(e) = self.skip(1) {
                        return Some(Err(e.into()));
                    }
                    Blob::Data(Held {
                        data,
                        _permit: permit,
                    })
                } else {
                    if let Err(e) = self.skip(size + 1) {
                        return Some(Err(e.into()));
                    }
                    if *kind == "blob" {
                        Blob::TooBig(size)
                    } else {
                        Blob::Missing(format!("object {oid} is a {kind}, not a file"))
                    }
                }
            }
            _ => return Some(Err(parse_error(&format!("bad header {header:?}")))),
        };
        Some(Ok(Answer::Blob(seq, tag, blob)))
    }

    /// Scans a big blob here, from the pipe: its bytes are never all in memory.
    fn stream<R, S>(&mut self, seq: usize, tag: T, size: u64, scan: &S) -> Queued<T, R>
    where
        S: for<'b> Fn(T, Blob<'b>) -> R,
    {
        let mut body = Tracked {
            inner: (&mut self.out).take(size),
            error: None,
        };
        let result = scan(tag, Blob::Stream(&mut body, size));
        if let Some(e) = body.error {
            return Err(e.into());
        }
        // The scan reads to the end; whatever it left (it stopped early) is read past here.
        let left = body.inner.limit();
        self.skip(left + 1)?;
        Ok(Answer::Scanned(seq, result))
    }

    /// Reads past `n` bytes (a blob we do not keep, or the newline after one).
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let copied = io::copy(&mut (&mut self.out).take(n), &mut io::sink())?;
        if copied == n {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "git cat-file ended in the middle of an object",
            ))
        }
    }
}

/// A reader that keeps its first error, so a pipe that broke under a scan fails the run
/// instead of passing for a short blob.
struct Tracked<R> {
    inner: R,
    error: Option<io::Error>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Err(e) if e.kind() != io::ErrorKind::Interrupted => {
                let kept = io::Error::new(e.kind(), e.to_string());
                self.error.get_or_insert(e);
                Err(kept)
            }
            other => other,
        }
    }
}

fn max_size_allows(max: Option<u64>, size: u64) -> bool {
    max.is_none_or(|m| size <= m)
}

fn parse_error(detail: &str) -> GitError {
    GitError::Parse {
        command: "cat-file --batch",
        detail: detail.to_owned(),
    }
}
