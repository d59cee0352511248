//! Read: turn one file's bytes into occurrences with line, column, snippet and context.
//!
//! `scan_buffer` is pure (bytes in, occurrences out) so rule examples, git blobs and files all go
//! through the same code. `scan_file` adds the file system: it never blocks on a FIFO, reads
//! small files whole into a reused buffer and streams big ones in overlapping chunks, so memory
//! stays bounded whatever the file size.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;

use memchr::{memchr, memchr_iter, memrchr};

use crate::context::{self, CallLists, Platform, Words, STANDARD_TOKEN_VARS};
use crate::model::{Allow, FileFacts, Occurrence};
use crate::scan::{is_binary, Candidate, Detector, Encoding, MAX_TOKEN_LEN};

/// Bytes read from a file before its size is asked (see [`Scanner::scan_file`]).
const FIRST_READ: usize = 256 << 10;
/// Files up to this size are read whole; larger ones are streamed.
const WHOLE_FILE_LIMIT: u64 = 64 << 20;
/// Notebooks up to this size are read whole, so their cells are known.
const NOTEBOOK_LIMIT: u64 = 512 << 20;
/// Held while a file bigger than [`WHOLE_FILE_LIMIT`] is read whole (a big notebook).
static BIG_READ: std::sync::Mutex<()> = std::sync::Mutex::new(());
/// Chunk size for streamed files.
const CHUNK: usize = 16 << 20;
/// Bytes before each later chunk kept for the left-boundary check.
const LOOK_BEHIND: usize = 16;
/// Snippets longer than this are cut around the token (minified files have 10 MB lines).
const SNIPPET_WIDTH: usize = 160;

/// The shared, read-only things every file needs.
pub struct Scanner<'a> {
    pub detector: &'a Detector,
    pub calls: &'a CallLists,
    /// Token-holding environment variable names (the standard ones plus the config's).
    pub env_names: &'a Words,
    /// Archives are opened with these limits; `None` with `--no-archives`.
    pub archives: Option<&'a crate::archive::Archives>,
    /// How many more occurrences the run may list.
    pub listing: &'a ListLimit,
}

/// Occurrences listed in one run, at most: each costs a few kilobytes through judging and the
/// report, so a hostile tree of millions of tokens would otherwise cost gigabytes. No real
/// repository comes near it; past it, occurrences are counted per file and reported as skipped.
pub const MAX_LISTED: usize = 100_000;

/// The run's allowance of listed occurrences, shared by every thread and source.
#[derive(Debug)]
pub struct ListLimit {
    left: std::sync::atomic::AtomicUsize,
    /// Files with occurrences past the limit, and how many each had.
    over: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Default for ListLimit {
    fn default() -> Self {
        ListLimit::new(MAX_LISTED)
    }
}

impl ListLimit {
    pub fn new(max: usize) -> Self {
        ListLimit {
            left: std::sync::atomic::AtomicUsize::new(max),
            over: std::sync::Mutex::default(),
        }
    }

    /// Whether one more occurrence in `path` may be listed; if not, it is counted.
    fn take(&self, path: &str) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        if self
            .left
            .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1))
            .is_ok()
        {
            return true;
        }
        let mut over = self
            .over
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match over.get_mut(path) {
            Some(n) => *n += 1,
            None => {
                over.insert(path.to_owned(), 1);
            }
        }
        false
    }

    /// The files whose occurrences were not all listed, as skipped entries.
    pub fn skipped(&self) -> Vec<crate::model::Skipped> {
        let over = self
            .over
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        over.iter()
            .map(|(path, n)| crate::model::Skipped {
                path: path.clone(),
                reason: format!(
                    "{n} token occurrences not listed: a run lists at most {MAX_LISTED}"
                ),
            })
            .collect()
    }
}

/// What reading one file from disk gave.
#[derive(Debug)]
pub enum FileRead {
    Scanned(FileScan),
    /// Over the size limit: its size.
    TooBig(u64),
}

/// What one file yielded.
#[derive(Debug, Default)]
pub struct FileScan {
    pub occurrences: Vec<Occurrence>,
    pub facts: Option<FileFacts>,
    pub bytes: u64,
    /// An archive's inner files' facts, and its notes (limits hit, damage).
    /// `None` for a file that is not an archive (boxed: most files are not).
    pub archive: Option<Box<crate::archive::Found>>,
}

impl Scanner<'_> {
    /// Scans an in-memory file. `rel` is its report path. UTF-16 text (a byte-order mark, or
    /// the zero bytes of ASCII in UTF-16) is read as the text it is, so its tokens get lines,
    /// columns and context like any text's.
    pub fn scan_buffer(&self, rel: &str, data: &[u8]) -> FileScan {
        if let Some(found) = self
            .archives
            .and_then(|a| crate::archive::scan(self, a, rel, data))
        {
            return found;
        }
        if let Some((le, bom)) = utf16_text(data).filter(|_| self.detector.decodes()) {
            return self.scan_utf16(rel, data, le, bom);
        }
        self.scan_bytes(rel, data)
    }

    /// [`Scanner::scan_buffer`] of UTF-16 text: transcoded, scanned, and each occurrence put
    /// back at its byte offset in the UTF-16 file.
    fn scan_utf16(&self, rel: &str, data: &[u8], le: bool, bom: usize) -> FileScan {
        let units: Vec<u16> = data[bom..]
            .chunks_exact(2)
            .map(|p| {
                if le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            })
            .collect();
        let text = String::from_utf16_lossy(&units);
        let mut out = self.scan_bytes(rel, text.as_bytes());
        let encoding = if le {
            Encoding::Utf16Le
        } else {
            Encoding::Utf16Be
        };
        for occ in &mut out.occurrences {
            let before = text.get(..occ.offset as usize).unwrap_or_default();
            let units_before: usize = before.chars().map(char::len_utf16).sum();
            occ.offset = (bom + 2 * units_before) as u64;
            occ.decoded.insert(0, encoding);
        }
        out.bytes = data.len() as u64;
        out
    }

    fn scan_bytes(&self, rel: &str, data: &[u8]) -> FileScan {
        let mut out = FileScan {
            bytes: data.len() as u64,
            ..FileScan::default()
        };
        let scanned = self.detector.scan(data);
        if scanned.candidates.is_empty() && !scanned.mentions_env {
            return out;
        }
        let platform = context::platform_of(rel);
        let binary = is_binary(data);
        let cells = if platform == Platform::Notebook && !scanned.candidates.is_empty() {
            let offsets: Vec<usize> = scanned.candidates.iter().map(|c| c.offset).collect();
            context::notebook_cells(data, &offsets)
        } else {
            None
        };
        let mut lines = Cursor::default();
        let masks = masks(&scanned.candidates);
        for (i, cand) in scanned.candidates.into_iter().enumerate() {
            if !self.listing.take(rel) {
                continue;
            }
            let cell = cells.as_ref().and_then(|c| c.get(i).copied().flatten());
            out.occurrences.push(self.occurrence(
                rel, data, 0, cand, platform, binary, cell, &masks, &mut lines,
            ));
        }
        if !binary {
            let found = context::calls_in(data, self.calls);
            out.facts = Some(FileFacts {
                path: rel.to_owned(),
                platform,
                hub_uses: context::repos::write_uses(rel, platform, data, &found),
                calls: found,
                env_reads: context::env_reads(data, self.env_names),
                // Every practice rule is about a token variable: none without a mention.
                practices: if scanned.mentions_env {
                    let mut hits = crate::practice::find(rel, platform, data, self.env_names);
                    mask_practice_snippets(&mut hits, data, &masks);
                    hits
                } else {
                    Vec::new()
                },
            });
        }
        out
    }

    #[allow(clippy::too_many_arguments, clippy::unused_self)]
    fn occurrence(
        &self,
        rel: &str,
        data: &[u8],
        base: u64,
        cand: Candidate,
        platform: Platform,
        binary: bool,
        notebook_cell: Option<context::NotebookCell>,
        masks: &[Mask],
        lines: &mut Cursor,
    ) -> Occurrence {
        let start = cand.offset;
        let end = start + cand.len;
        let (usage, env_var) = context::usage_at(data, start, cand.len);
        let (line, column, snippet, allow) = if binary {
            (None, None, None, None)
        } else {
            // Everything here looks at most `WINDOW` bytes around the token, so a 10 MB line
            // with thousands of tokens stays linear.
            let (line_no, line_start, mut column) = lines.at(data, start);
            // A UTF-8 byte-order mark is not a character an editor shows.
            if line_start == 0 && base == 0 && data.starts_with(b"\xEF\xBB\xBF") {
                column -= 1;
            }
            let near_start = line_start.max(start.saturating_sub(WINDOW));
            let near_end = (end + WINDOW).min(data.len());
            let line_end = memchr(b'\n', &data[end..near_end]).map_or(near_end, |p| end + p);
            let allow = allow_near(data, start, end, platform == Platform::Notebook);
            let mut text = snippet(data, near_start..line_end, start, masks);
            if near_start > line_start && !text.starts_with('…') {
                text.insert(0, '…');
            }
            if line_end == near_end
                && near_end < data.len()
                && data[near_end] != b'\n'
                && !text.ends_with('…')
            {
                text.push('…');
            }
            (Some(line_no), Some(column), Some(text), allow)
        };
        Occurrence {
            path: rel.to_owned(),
            line,
            column,
            offset: base + start as u64,
            secret: cand.secret,
            decoded: cand.decoded,
            snippet,
            platform,
            usage,
            env_var,
            notebook_cell,
            allow,
            commit: None,
            source: None,
        }
    }

    /// Reads and scans a file from disk. Regular files only; never blocks on a FIFO that
    /// appeared after the walk looked.
    ///
    /// Most files of a tree are small: they are read into `buf` with one `read` and one
    /// end-of-file `read`, as ripgrep reads them, without asking their size. Only a file that
    /// fills [`FIRST_READ`] is asked (`fstat`) what it is and how big, so a device swapped in
    /// for a file (`/dev/zero`) is still refused, and the size limit still holds.
    pub fn scan_file(
        &self,
        path: &Path,
        rel: &str,
        max_size: Option<u64>,
        buf: &mut Vec<u8>,
    ) -> io::Result<Option<FileRead>> {
        let mut file = open_nonblocking(path)?;
        // `buf` is storage that stays zeroed-once between files (no `unsafe` to read into
        // spare capacity), so only its first growth costs a fill.
        if buf.len() < FIRST_READ {
            buf.resize(FIRST_READ, 0);
        }
        let n = match read_full(&mut file, &mut buf[..FIRST_READ]) {
            Ok(n) => n,
            // A folder or a FIFO put in the file's place since the walk looked: nothing to read.
            Err(_) if !file.metadata()?.is_file() => return Ok(None),
            Err(e) => return Err(e),
        };
        if n < FIRST_READ {
            if max_size.is_some_and(|max| n as u64 > max) {
                return Ok(Some(FileRead::TooBig(n as u64)));
            }
            return Ok(Some(FileRead::Scanned(self.scan_buffer(rel, &buf[..n]))));
        }
        let meta = file.metadata()?;
        if !meta.is_file() {
            // A device or a FIFO that had bytes to give: not a file of the tree.
            return Ok(None);
        }
        if max_size.is_some_and(|max| meta.len() > max) {
            return Ok(Some(FileRead::TooBig(meta.len())));
        }
        Ok(Some(FileRead::Scanned(self.read_and_scan(
            file,
            meta.len(),
            rel,
            buf,
        )?)))
    }

    /// Reads a stream the user named (a FIFO such as `<(cmd)`, `/dev/stdin`, `-`): blocking, as
    /// asked, and only up to `max` bytes (plus one, so the caller can tell it went on).
    pub fn scan_named_stream(
        &self,
        reader: impl Read,
        rel: &str,
        max: Option<u64>,
    ) -> io::Result<Option<FileRead>> {
        let limit = max.map_or(u64::MAX, |m| m.saturating_add(1));
        let scan = self.scan_stream(reader.take(limit), rel)?;
        Ok(Some(FileRead::Scanned(scan)))
    }

    /// The rest of a file whose first [`FIRST_READ`] bytes are in `buf` (and `file` is past
    /// them): read whole up to a limit, else streamed from its start.
    fn read_and_scan(
        &self,
        mut file: File,
        len: u64,
        rel: &str,
        buf: &mut Vec<u8>,
    ) -> io::Result<FileScan> {
        // Notebooks are parsed for their cells, which needs the whole file: one with a big
        // embedded image is still read whole, up to a higher limit.
        let whole_limit =
            if len > WHOLE_FILE_LIMIT && context::platform_of(rel) == Platform::Notebook {
                NOTEBOOK_LIMIT
            } else {
                WHOLE_FILE_LIMIT
            };
        if len <= whole_limit {
            // A notebook over the streaming size is read whole so its cells are known: one
            // such read at a time, so memory is bounded by one big notebook, not one a thread.
            let _one_at_a_time = (len > WHOLE_FILE_LIMIT).then(|| {
                BIG_READ
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            });
            // The size is known: room for all of it and one byte more, to see a file that
            // grew since; it is read in one call, and at most that much is read.
            let room = (len as usize).max(FIRST_READ) + 1;
            if buf.len() < room {
                buf.resize(room, 0);
            }
            let n = FIRST_READ + read_full(&mut file, &mut buf[FIRST_READ..room])?;
            let result = self.scan_buffer(rel, &buf[..n]);
            if buf.len() > (8 << 20) {
                // Do not keep a big buffer per thread after one big file.
                *buf = Vec::new();
            }
            return Ok(result);
        }
        file.rewind()?;
        if let Some(found) = self
            .archives
            .and_then(|a| crate::archive::scan_big(self, a, rel, &mut file, len))
        {
            return found;
        }
        self.scan_stream(file, rel)
    }

    /// Streams a big file in overlapping chunks: bounded memory, exact offsets and lines.
    pub fn scan_stream(&self, file: impl Read, rel: &str) -> io::Result<FileScan> {
        self.scan_chunks(file, rel, CHUNK)
    }

    /// `scan_stream` with the chunk size as a parameter, so tests can cross many boundaries.
    /// Each chunk after the first starts [`LOOK_BEHIND`] bytes early, so the byte before a
    /// token at a boundary is still seen (`xhf_…` stays glued), and the last
    /// [`MAX_TOKEN_LEN`] bytes of a chunk are scanned again with the next, so a token that
    /// straddles a boundary is whole in one of them.
    /// Git streams big blobs through it too.
    pub(crate) fn scan_chunks(
        &self,
        mut file: impl Read,
        rel: &str,
        chunk_size: usize,
    ) -> io::Result<FileScan> {
        let mut out = FileScan::default();
        let platform = context::platform_of(rel);
        let mut chunk = vec![0u8; chunk_size + MAX_TOKEN_LEN];
        let mut filled = 0usize; // bytes valid in `chunk`
        let mut skip = 0usize; // bytes at chunk[0..] already scanned: look-behind only
        let mut base = 0u64; // file offset of chunk[0]
        let mut lines_before = 0u64; // newlines in the file before chunk[0]
        let mut chars_before = 0u64; // characters of the line that chunk[0] is in, before it
        let mut binary = None;
        loop {
            let n = read_full(&mut file, &mut chunk[filled..])?;
            filled += n;
            let eof = filled < chunk.len();
            let data = &chunk[..filled];
            let is_bin = *binary.get_or_insert_with(|| is_binary(data));
            // Tokens starting in the overlap tail are left for the next chunk.
            let keep = if eof { filled } else { filled - MAX_TOKEN_LEN };
            let mut lines = Cursor::default();
            let found = self.detector.scan(data).candidates;
            let masks = masks(&found);
            for cand in found {
                if cand.offset < skip || cand.offset >= keep || !self.listing.take(rel) {
                    continue;
                }
                let first_line = memchr::memrchr(b'\n', &data[..cand.offset]).is_none();
                let mut occ = self.occurrence(
                    rel, data, base, cand, platform, is_bin, None, &masks, &mut lines,
                );
                if let Some(line) = occ.line.as_mut() {
                    // `occurrence` counted lines and columns from chunk[0]; add what came before.
                    *line += lines_before;
                    if first_line {
                        occ.column = occ.column.map(|c| c + chars_before);
                    }
                }
                out.occurrences.push(occ);
            }
            out.bytes += (keep - skip) as u64;
            if eof {
                break;
            }
            let mut next = keep - LOOK_BEHIND.min(keep);
            // Start the next chunk on a character, so columns count each character once.
            while next > 0 && (data[next] & 0xC0) == 0x80 {
                next -= 1;
            }
            let consumed = &data[..next];
            lines_before += memchr_iter(b'\n', consumed).count() as u64;
            chars_before = match memchr::memrchr(b'\n', consumed) {
                Some(nl) => char_count(&consumed[nl + 1..]),
                None => chars_before + char_count(consumed),
            };
            chunk.copy_within(next..filled, 0);
            filled -= next;
            base += next as u64;
            skip = keep - next;
        }
        Ok(out)
    }
}

/// Characters in UTF-8 text (bytes that do not continue a character), as columns count them.
fn char_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64
}

fn read_full(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        match file.read(&mut buf[total..]) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(total)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO must not wait for a writer. Regular files ignore the flag.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Reads a small regular file for a side look (need inference): never follows a symlink,
/// never blocks on a FIFO, and skips anything over `max` bytes (code that reads a variable is
/// small; a 600 MB log is not worth reading twice).
pub fn read_small_file(path: &Path, max: u64) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    read_regular_file(path, max).ok()
}

/// "a FIFO", "a character device", …: what a non-regular file is, for a message.
pub fn file_kind(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// Reads a file the user or the repository points hfaudit at (a config, a baseline, an ignore
/// file) as a regular file of at most `max` bytes. A FIFO, a device (`/dev/zero`) or a file
/// that keeps giving bytes past its stated size (`/proc/self/pagemap`) is an error, never a
/// hang or an exhausted memory.
pub fn read_regular_file(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {}, not a regular file", file_kind(meta.file_type())),
        ));
    }
    // `InvalidData` is this one error: callers tell "too big" by it.
    let too_big = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {max} bytes"),
        )
    };
    if meta.len() > max {
        return Err(too_big());
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut data)?;
    if data.len() as u64 > max {
        return Err(too_big());
    }
    Ok(data)
}

/// Where each occurrence is, computed incrementally: occurrences come in offset order, so each
/// file is walked once for lines and columns, however many tokens a line holds.
#[derive(Default)]
struct Cursor {
    pos: usize,
    /// Newlines before `pos`.
    line: u64,
    line_start: usize,
    /// Characters from `line_start` to `pos`.
    col: u64,
}

impl Cursor {
    /// (1-based line, byte offset of the line's start, 1-based column in characters).
    fn at(&mut self, data: &[u8], offset: usize) -> (u64, usize, u64) {
        if offset < self.pos {
            *self = Cursor::default();
        }
        let seg = &data[self.pos..offset];
        match memrchr(b'\n', seg) {
            Some(i) => {
                self.line += memchr_iter(b'\n', seg).count() as u64;
                self.line_start = self.pos + i + 1;
                self.col = char_count(&data[self.line_start..offset]);
            }
            None => self.col += char_count(seg),
        }
        self.pos = offset;
        (self.line + 1, self.line_start, self.col + 1)
    }
}

/// Bytes looked at around a token for its snippet and allow markers.
const WINDOW: usize = 4096;

/// An `hfaudit:allow` marker on the token's line or the line above. Lines here are logical: a
/// `\n` escape inside a string (a notebook's JSON, where a whole cell can sit on one physical
/// line) ends one too, so a marker in one cell never reaches into another.
fn allow_near(data: &[u8], start: usize, end: usize, json: bool) -> Option<Allow> {
    let lo = start.saturating_sub(WINDOW);
    let hi = (end + WINDOW).min(data.len());
    let this_start = logical_line_start(data, lo, start, json);
    let this_end = logical_line_end(data, end, hi, json);
    if let Some(a) = parse_allow(&data[this_start..this_end]) {
        return Some(a);
    }
    // The line above ends just before this one's start (at a newline or a `\n` escape).
    let prev_end =
        if this_start >= 2 && data[this_start - 2] == b'\\' && data[this_start - 1] == b'n' {
            this_start - 2
        } else if this_start > 0 && data[this_start - 1] == b'\n' {
            this_start - 1
        } else {
            // A JSON bracket opened this line: nothing above it belongs to the same cell.
            return None;
        };
    let prev_end = if prev_end > 0 && data[prev_end - 1] == b'\r' {
        prev_end - 1
    } else {
        prev_end
    };
    let mut prev_start = logical_line_start(data, lo.min(prev_end), prev_end, json);
    // In pretty-printed notebook JSON the line above ends `…\n",`: what follows its `\n`
    // escape is punctuation, not a line; the text before the escape is.
    let punctuation = |b: &[u8]| {
        b.iter()
            .all(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b','))
    };
    if punctuation(&data[prev_start..prev_end]) && prev_start >= 2 && data[prev_start - 2] == b'\\'
    {
        let end = prev_start - 2;
        prev_start = logical_line_start(data, lo.min(end), end, json);
        return parse_allow(&data[prev_start..end]);
    }
    parse_allow(&data[prev_start..prev_end])
}

/// Ends a logical line: a newline, and in notebook JSON also the brackets around a cell's
/// list of lines and its objects (so a marker stays inside its own cell).
fn breaks_line(b: u8, json: bool) -> bool {
    b == b'\n' || (json && matches!(b, b'[' | b']' | b'{' | b'}'))
}

fn logical_line_start(data: &[u8], lo: usize, at: usize, json: bool) -> usize {
    let window = &data[lo..at];
    let byte = window
        .iter()
        .rposition(|b| breaks_line(*b, json))
        .map(|p| lo + p + 1);
    let esc = context::ESCAPED_NEWLINE_REV
        .rfind(window)
        .map(|p| lo + p + 2);
    byte.max(esc).unwrap_or(lo)
}

fn logical_line_end(data: &[u8], at: usize, hi: usize, json: bool) -> usize {
    let window = &data[at..hi];
    let byte = window
        .iter()
        .position(|b| breaks_line(*b, json))
        .map(|p| at + p);
    let esc = context::ESCAPED_NEWLINE.find(window).map(|p| at + p);
    match (byte, esc) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(hi),
    }
}

/// Finds `hfaudit:allow` and the rule ids after it.
pub fn parse_allow(line: &[u8]) -> Option<Allow> {
    const MARK: &[u8] = b"hfaudit:allow";
    let at = memchr::memmem::find(line, MARK)?;
    let rest = &line[at + MARK.len()..];
    let mut ids = Vec::new();
    for word in rest.split(|b| b.is_ascii_whitespace() || *b == b',') {
        if word.is_empty() {
            continue;
        }
        let is_id = word.len() == 5
            && word[..2].eq_ignore_ascii_case(b"HF")
            && word[2..].iter().all(u8::is_ascii_digit);
        if !is_id {
            break;
        }
        ids.push(String::from_utf8_lossy(word).to_ascii_uppercase());
    }
    Some(if ids.is_empty() {
        Allow::All
    } else {
        Allow::Rules(ids)
    })
}

/// An encoded token's place in a buffer and what a snippet shows instead: the redactor of
/// `output` cannot recognise base64 or UTF-16, so the snippet never holds the encoded bytes.
pub struct Mask {
    start: usize,
    end: usize,
    label: String,
}

fn masks(candidates: &[Candidate]) -> Vec<Mask> {
    candidates
        .iter()
        .filter(|c| !c.decoded.is_empty())
        .map(|c| {
            let chain: Vec<&str> = c.decoded.iter().map(|e| e.as_str()).collect();
            Mask {
                start: c.offset,
                end: c.offset + c.len,
                label: format!("[{} {}]", chain.join(" "), c.secret.redacted()),
            }
        })
        .collect()
}

/// The line `range` of `data`, trimmed to a readable width around `at` (a buffer offset),
/// encoded tokens replaced by their masks, every token-like run redacted.
fn snippet(data: &[u8], range: std::ops::Range<usize>, at: usize, masks: &[Mask]) -> String {
    let mut line = Vec::with_capacity(range.len());
    let mut at_in_line = at - range.start;
    let mut pos = range.start;
    // Every mask that touches the line, clamped to it; overlapping masks (two tokens in one
    // base64 run) are covered as one, so no encoded byte between them shows.
    for m in masks
        .iter()
        .filter(|m| m.end > range.start && m.start < range.end)
    {
        let start = m.start.max(pos).max(range.start);
        let end = m.end.min(range.end);
        if end <= pos {
            continue;
        }
        line.extend_from_slice(&data[pos..start]);
        if start < at {
            let hidden = end.min(at) - start;
            at_in_line = at_in_line + m.label.len() - hidden;
        }
        if start == m.start || pos == range.start {
            line.extend_from_slice(m.label.as_bytes());
        }
        pos = end;
    }
    line.extend_from_slice(&data[pos..range.end]);
    snippet_of_line(&line, at_in_line.min(line.len()))
}

/// The line, trimmed to a readable width around `at`, with every token-like run redacted.
fn snippet_of_line(line: &[u8], at: usize) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let (mut from, mut to) = if line.len() <= SNIPPET_WIDTH {
        (0, line.len())
    } else {
        let from = at.saturating_sub(SNIPPET_WIDTH / 3);
        (from, (from + SNIPPET_WIDTH).min(line.len()))
    };
    // Never cut inside a word: a cut token would escape redaction (its tail has no prefix;
    // its head is too short to look like one). Widen to the whole word instead.
    let token_char = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let mut budget = MAX_TOKEN_LEN;
    while from > 0 && budget > 0 && token_char(&line[from - 1]) {
        from -= 1;
        budget -= 1;
    }
    if from > 0 && token_char(&line[from - 1]) {
        // A word longer than the budget: drop what is left of it rather than show its tail
        // (`f_` + a body, with the `h` cut off, would escape the redactor).
        while from < at && token_char(&line[from]) {
            from += 1;
        }
    }
    budget = MAX_TOKEN_LEN;
    while to < line.len() && budget > 0 && token_char(&line[to]) {
        to += 1;
        budget -= 1;
    }
    if to < line.len() && token_char(&line[to]) {
        while to > from && token_char(&line[to - 1]) {
            to -= 1;
        }
    }
    let redacted = crate::output::redact_lossy(&line[from..to]);
    let mut text = crate::output::escape(redacted.trim()).into_owned();
    if from > 0 {
        text.insert(0, '…');
    }
    if to < line.len() {
        text.push('…');
    }
    text
}

/// A practice finding's line may hold an encoded token too: its snippet is rebuilt with the
/// same masks as a token's.
fn mask_practice_snippets(hits: &mut [crate::practice::PracticeHit], data: &[u8], masks: &[Mask]) {
    if masks.is_empty() {
        return;
    }
    for hit in hits {
        let at = (hit.offset as usize).min(data.len());
        let start = memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
        let end = memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
        if masks.iter().any(|m| m.end > start && m.start < end) {
            hit.snippet = snippet(data, start..end, at, masks);
        }
    }
}

/// UTF-16 text: the zero bytes ASCII characters leave in every other byte of the first 4 KiB
/// (at least half of them after a byte-order mark, nearly all without one: `\xFF\xFE` alone
/// also starts Latin-1 text and binaries). Returns (little-endian, length of the mark).
/// UTF-16 that is not mostly ASCII is still searched through the UTF-16 anchors of `scan`.
fn utf16_text(data: &[u8]) -> Option<(bool, usize)> {
    let bom = if data.starts_with(b"\xFF\xFE") {
        Some(true)
    } else if data.starts_with(b"\xFE\xFF") {
        Some(false)
    } else {
        None
    };
    let skip = if bom.is_some() { 2 } else { 0 };
    let probe = &data[skip..];
    let probe = &probe[..probe.len().min(4096) & !1];
    // Every file comes here: one SIMD look for a zero byte settles nearly all of them.
    if probe.len() < 16 || memchr(0, probe).is_none() {
        return None;
    }
    let pairs = probe.len() / 2;
    let even_zero = probe.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = probe.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    // Share of zero bytes among the high bytes (at least), and among the low ones (at most).
    let (most, rare) = if bom.is_some() { (2, 10) } else { (10, 50) };
    let mostly = |n: usize, pairs: usize| {
        if bom.is_some() {
            n * most >= pairs
        } else {
            n * most >= pairs * 9
        }
    };
    let rarely = |n: usize, pairs: usize| n * rare <= pairs;
    let le = mostly(odd_zero, pairs) && rarely(even_zero, pairs);
    let be = mostly(even_zero, pairs) && rarely(odd_zero, pairs);
    match (bom, le, be) {
        (Some(true), true, _) | (None, true, false) => Some((true, skip)),
        (Some(false), _, true) | (None, false, true) => Some((false, skip)),
        _ => None,
    }
}

/// The token variables to watch for: the standard ones plus `extra`.
pub fn env_names(extra: &[String]) -> Words {
    Words::new(
        STANDARD_TOKEN_VARS
            .iter()
            .copied()
            .chain(extra.iter().map(String::as_str)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the run's limit, occurrences are counted per file, not listed; facts still come.
    #[test]
    fn the_listing_limit_counts_what_it_does_not_list() {
        let engine = crate::engine::Engine::builtin().unwrap();
        let listing = ListLimit::new(3);
        let scanner = Scanner {
            listing: &listing,
            ..engine.scanner()
        };
        let body = |i: usize| format!("{i:0>4}Rk7ZpQ2mXw9TnB4vLc8YsJ3dHf6Ga1");
        let text: String = (0..5).fold(String::new(), |mut t, i| {
            t.push_str("HF_TOKEN=hf_");
            t.push_str(&body(i));
            t.push('\n');
            t
        });
        let first = scanner.scan_buffer("a.env", text.as_bytes());
        assert_eq!(first.occurrences.len(), 3);
        assert!(first.facts.is_some());
        let big = scanner.scan_chunks(text.as_bytes(), "b.log", 64).unwrap();
        assert!(big.occurrences.is_empty());
        let skipped = listing.skipped();
        let got: Vec<(&str, &str)> = skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect();
        let reason =
            |n| format!("{n} token occurrences not listed: a run lists at most {MAX_LISTED}");
        assert_eq!(
            got,
            [("a.env", reason(2).as_str()), ("b.log", reason(5).as_str())]
        );
    }

    #[test]
    fn allow_markers() {
        assert_eq!(parse_allow(b"x = 1  # hfaudit:allow"), Some(Allow::All));
        assert_eq!(
            parse_allow(b"// hfaudit:allow HF003, hf001 because"),
            Some(Allow::Rules(vec!["HF003".into(), "HF001".into()]))
        );
        assert_eq!(parse_allow(b"nothing here"), None);
    }

    /// The whole per-file pipeline (detect, context, notebook cells, calls, snippets) on random
    /// and half-structured bytes, under every platform's path: it must never panic.
    #[test]
    fn random_files_never_panic_the_pipeline() {
        let engine = crate::engine::Engine::builtin().unwrap();
        let scanner = engine.scanner();
        let pieces: [&[u8]; 12] = [
            b"hf_",
            b"api_org_",
            b"\\n",
            b"\"",
            b"{\"cells\": [",
            b"\"outputs\": [",
            b"login(token=",
            b"Bearer ",
            b"://u:",
            b"@huggingface.co",
            b"HF_TOKEN=",
            b"\n",
        ];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let body = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC2dF4g";
        for round in 0..600 {
            let mut data = Vec::new();
            for _ in 0..(next() % 200) {
                match next() % 4 {
                    0 => data.extend_from_slice(pieces[(next() % 12) as usize]),
                    1 => data.extend_from_slice(body.as_bytes()),
                    _ => data.push((next() % 256) as u8),
                }
            }
            let path = [
                "a.ipynb",
                "x.py",
                ".env",
                "Dockerfile",
                ".github/workflows/c.yml",
                "r.md",
                "b.bin",
            ][round % 7];
            let _ = scanner.scan_buffer(path, &data);
        }
    }

    /// Tokens at and across every kind of chunk boundary, in a file streamed in tiny chunks,
    /// come out exactly as a whole-file read reports them.
    #[test]
    fn streamed_chunks_match_a_whole_file_read() {
        use std::io::Write;
        let engine = crate::engine::Engine::builtin().unwrap();
        let scanner = engine.scanner();
        let body = |i: usize| format!("{i:0>4}aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bCd");
        let chunk = 4096;
        let mut text = String::new();
        let mut i = 0;
        // Walk the token start across a window around several boundaries, with a glued
        // neighbour (`x` before it: must not fire) every third time and long lines.
        while text.len() < chunk * 6 {
            let filler = "é".repeat(i % 7) + &"z".repeat((i * 37) % 211);
            text.push_str(&filler);
            if i % 3 == 0 {
                text.push('x');
            } else {
                text.push(' ');
            }
            text.push_str(&format!("hf_{}", body(i)));
            text.push_str(if i % 5 == 0 { "\n" } else { " " });
            i += 1;
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let whole = scanner.scan_buffer("log.txt", text.as_bytes());
        let streamed = scanner
            .scan_chunks(File::open(file.path()).unwrap(), "log.txt", chunk)
            .unwrap();
        let key = |o: &Occurrence| (o.offset, o.line, o.column, o.secret.fingerprint());
        let a: Vec<_> = whole.occurrences.iter().map(key).collect();
        let b: Vec<_> = streamed.occurrences.iter().map(key).collect();
        assert!(a.len() > 20, "{}", a.len());
        assert_eq!(a, b);
        assert_eq!(streamed.bytes, text.len() as u64);
    }

    /// Encoded tokens at every offset around chunk boundaries: streamed as found as whole.
    #[test]
    fn streamed_chunks_find_base64_tokens_as_a_whole_read_does() {
        use base64::Engine as _;
        use std::io::Write;
        let engine = crate::engine::Engine::builtin().unwrap();
        let scanner = engine.scanner();
        let chunk = 4096;
        let mut text = String::new();
        let mut i = 0usize;
        while text.len() < chunk * 6 {
            text.push_str(&"q".repeat((i * 53) % 97));
            let token = format!("hf_{i:0>4}aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bCd");
            let enc = base64::engine::general_purpose::STANDARD.encode(format!("u:{token}"));
            text.push_str(&format!(" auth={enc}\n"));
            i += 1;
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let whole = scanner.scan_buffer("cfg.txt", text.as_bytes());
        let streamed = scanner
            .scan_chunks(File::open(file.path()).unwrap(), "cfg.txt", chunk)
            .unwrap();
        let key = |o: &Occurrence| (o.offset, o.line, o.column, o.secret.fingerprint());
        let a: Vec<_> = whole.occurrences.iter().map(key).collect();
        let b: Vec<_> = streamed.occurrences.iter().map(key).collect();
        assert_eq!(a.len(), i, "every encoded token, read whole");
        assert_eq!(a, b);
    }

    #[test]
    fn snippets_never_cut_a_neighbouring_token() {
        let a = format!("hf_{}", "Zq8Wm3Lp5Tn7Rb2Vc4Xd6Yf9Gh1Jk0Ns2Q");
        let b = format!("hf_{}", "Pw4Ex7Ty1Ui3Oa5Sd8Fg2Hj6Kl9Zx0Cv3B");
        let c = format!("hf_{}", "Mn5Bv8Cx1Za4Sd7Fg0Hj3Kl6Qw9Er2Ty5U");
        let line = format!(
            "{} {a}{} {b} {} {c}",
            "x".repeat(129),
            " ".repeat(33),
            "y".repeat(70)
        );
        for tok in [&a, &b, &c] {
            let at = line.find(tok.as_str()).unwrap();
            let shown = snippet_of_line(line.as_bytes(), at);
            for t in [&a, &b, &c] {
                assert!(
                    !shown.contains(&t[7..20]) && !shown.contains(&t[20..33]),
                    "{shown}"
                );
            }
        }
    }

    #[test]
    fn cursor_counts_lines_and_columns_once() {
        let data = "aé\nb c\nc\nd".as_bytes();
        let mut c = Cursor::default();
        assert_eq!(c.at(data, 0), (1, 0, 1));
        assert_eq!(c.at(data, 4), (2, 4, 1));
        assert_eq!(c.at(data, 6), (2, 4, 3));
        assert_eq!(c.at(data, 10), (4, 10, 1));
        assert_eq!(c.at(data, 8), (3, 8, 1), "going back restarts");
    }

    #[test]
    fn allow_markers_follow_logical_lines() {
        // The marker that applies to `TOKEN` in `text` (notebook JSON when `json`).
        let at = |text: &[u8], json: bool| {
            let pos = memchr::memmem::find(text, b"TOKEN").unwrap();
            allow_near(text, pos, pos + 5, json)
        };
        // One physical line, two cells: the marker in cell 1 must not reach cell 2's output.
        let nb = br##"{"cells":[{"source":["# hfaudit:allow\n","x = 1"]},{"outputs":[{"text":["TOKEN"]}]}]}"##;
        assert_eq!(at(nb, true), None);
        let nb = br##"{"source":["# hfaudit:allow\n","login(TOKEN)"]}"##;
        assert_eq!(
            at(nb, true),
            Some(Allow::All),
            "the line above, as an escape"
        );
        let text = b"# hfaudit:allow HF003\r\nT = TOKEN\n";
        assert_eq!(at(text, false), Some(Allow::Rules(vec!["HF003".into()])));
        let pretty = b"  \"source\": [\n   \"# hfaudit:allow\\n\",\n   \"login(TOKEN)\"\n  ]";
        assert_eq!(
            at(pretty, true),
            Some(Allow::All),
            "pretty-printed notebook"
        );
        let text = b"# hfaudit:allow\n\nT = TOKEN\n";
        assert_eq!(at(text, false), None, "two lines above is too far");
    }
}
