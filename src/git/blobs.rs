//! Reading blobs: one `git cat-file --batch` process per pass, fed object ids by a producer
//! thread while the blobs it returns are scanned on rayon's threads as they arrive. Memory stays
//! bounded: a blob is held only while one thread scans it.
//! This module reads and hands over bytes; it does not decide what a blob means.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::{ChildStdin, ChildStdout};
use std::sync::mpsc::{channel, Receiver, Sender};

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::process::{spawn, Git, GitError};

/// What `cat-file` returned for one requested object.
pub enum Blob {
    Data(Vec<u8>),
    /// Larger than `--max-filesize`: read past, not kept.
    TooBig(u64),
    /// Not in the repository (a shallow or partial clone), or not a blob.
    Missing(String),
}

/// Asks for object ids and says which request each answer belongs to: the tag goes down a
/// channel before the id goes to git, so the reader always finds it waiting.
pub struct Feeder<T> {
    stdin: BufWriter<ChildStdin>,
    tags: Sender<(usize, T)>,
    seq: usize,
}

impl<T> Feeder<T> {
    pub fn request(&mut self, oid: &str, tag: T) -> io::Result<()> {
        self.tags
            .send((self.seq, tag))
            .map_err(|_| io::Error::other("the blob reader stopped"))?;
        self.seq += 1;
        self.stdin.write_all(oid.as_bytes())?;
        self.stdin.write_all(b"\n")
    }
}

/// Runs `request_all` on a thread (it requests blobs, and may read another git process meanwhile)
/// and `scan` on every blob as it arrives, in parallel. Returns what `request_all` returned and the
/// scan results in request order.
pub fn read_blobs<T, F, R, S>(
    git: &Git,
    max_size: Option<u64>,
    request_all: impl FnOnce(&mut Feeder<T>) -> Result<F, GitError> + Send,
    scan: S,
) -> Result<(F, Vec<R>), GitError>
where
    T: Send,
    F: Send,
    R: Send,
    S: Fn(T, Blob) -> R + Sync + Send,
{
    let mut cat = spawn(
        git.command(["cat-file", "--batch", "--buffer"]),
        "cat-file --batch",
        true,
    )?;
    let stdin = cat.stdin.take().expect("stdin is piped");
    let stdout = cat.stdout.take().expect("stdout is piped");
    let (tx, rx) = channel::<(usize, T)>();
    let (listing, scanned) = std::thread::scope(|s| {
        let producer = s.spawn(move || {
            let mut feeder = Feeder {
                stdin: BufWriter::new(stdin),
                tags: tx,
                seq: 0,
            };
            let result = request_all(&mut feeder);
            let flushed = feeder.stdin.flush();
            drop(feeder); // closes git's stdin: cat-file ends after the last answer
            match (result, flushed) {
                (Ok(v), Ok(())) => Ok(v),
                (Err(e), _) => Err(e),
                (Ok(_), Err(e)) => Err(GitError::Io(e)),
            }
        });
        let answers = Answers {
            out: BufReader::with_capacity(1 << 16, stdout),
            tags: rx,
            max_size,
            line: Vec::new(),
            done: false,
        };
        let scanned: Result<Vec<(usize, R)>, GitError> = answers
            .par_bridge()
            .map(|item| item.map(|(seq, tag, blob)| (seq, scan(tag, blob))))
            .collect();
        if scanned.is_err() {
            // Unblock the producer, which may be waiting to write to a git nobody reads.
            cat.kill();
        }
        let listing = producer.join().expect("the blob producer does not panic");
        (listing, scanned)
    });
    // Our own failure first: it is the cause when both sides failed.
    let mut scanned = scanned?;
    let listing = listing?;
    cat.finish()?;
    scanned.sort_unstable_by_key(|(seq, _)| *seq);
    Ok((listing, scanned.into_iter().map(|(_, r)| r).collect()))
}

/// cat-file's answers, in order, each with the tag of its request.
struct Answers<T> {
    out: BufReader<ChildStdout>,
    tags: Receiver<(usize, T)>,
    max_size: Option<u64>,
    line: Vec<u8>,
    done: bool,
}

impl<T> Iterator for Answers<T> {
    type Item = Result<(usize, T, Blob), GitError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.read_one();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

impl<T> Answers<T> {
    fn read_one(&mut self) -> Option<Result<(usize, T, Blob), GitError>> {
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
                let keep = *kind == "blob" && self.max_size.is_none_or(|m| size <= m);
                if keep {
                    let mut data = vec![0u8; size as usize];
                    if let Err(e) = self.out.read_exact(&mut data) {
                        return Some(Err(e.into()));
                    }
                    if let Err(e) = self.skip(1) {
                        return Some(Err(e.into()));
                    }
                    Blob::Data(data)
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
        Some(Ok((seq, tag, blob)))
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

fn parse_error(detail: &str) -> GitError {
    GitError::Parse {
        command: "cat-file --batch",
        detail: detail.to_owned(),
    }
}
