//! Inspect: one blob's bytes in, what they hold out — each token with its place, line, column,
//! snippet and context, and the file's facts for need inference and the practice rules.
//!
//! Decompression stands in front of the matcher: a blob that is an archive is handed to
//! `archive`, which hands each member back as a blob of its own (with an origin inside the
//! archive's); UTF-16 text is transcoded first. The matcher ([`Inspector::plain`]) only ever
//! sees plain blobs. Pure but for [`Inspector::inspect_file`], which reads a tree's file
//! through `files` first: small files whole, big ones streamed in overlapping chunks, so memory
//! stays bounded whatever the file size.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;
use std::sync::Arc;

use memchr::{memchr, memchr_iter};

use crate::archive::{self, Archives};
use crate::context::{self, CallLists, Platform, Words};
use crate::detect::{self, is_binary, Candidate, Detector, MAX_TOKEN_LEN};
use crate::files::{self, FirstRead, FIRST_READ};
use crate::model::{FileFacts, Occurrence, ScanError, Skipped};
use crate::origin::Origin;
use crate::snippet::{self, allow_near, char_count, masks, Cursor, Mask, WINDOW};

/// Files up to this size are read whole; larger ones are streamed.
pub(crate) const WHOLE_FILE_LIMIT: u64 = 64 << 20;
/// Notebooks up to this size are read whole, so their cells are known.
const NOTEBOOK_LIMIT: u64 = 512 << 20;
/// Held while a file bigger than [`WHOLE_FILE_LIMIT`] is read whole (a big notebook).
static BIG_READ: std::sync::Mutex<()> = std::sync::Mutex::new(());
/// Chunk size for streamed files.
pub(crate) const CHUNK: usize = 16 << 20;
/// Bytes before each later chunk kept for the left-boundary check.
const LOOK_BEHIND: usize = 16;

/// The shared, read-only things every blob needs: built once per run.
#[derive(Clone, Copy)]
pub struct Inspector<'a> {
    pub detector: &'a Detector,
    pub calls: &'a CallLists,
    /// Token-holding environment variable names (the standard ones plus the config's).
    pub env_names: &'a Words,
    /// Archives are opened with these limits; `None` with `--no-archives`.
    pub archives: Option<&'a Archives>,
    /// How many more occurrences the run may list.
    pub listing: &'a ListLimit,
    /// Map every text file's Hub calls (`hfaudit plan`), not only those of files that hold a
    /// token or name a token variable.
    pub need_map: bool,
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
    pub fn skipped(&self) -> Vec<Skipped> {
        let over = self
            .over
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        over.iter()
            .map(|(path, n)| Skipped {
                path: path.clone(),
                reason: format!(
                    "{n} token occurrences not listed: a run lists at most {MAX_LISTED}"
                ),
            })
            .collect()
    }
}

/// What one plain blob held.
#[derive(Debug)]
pub struct BlobScan {
    pub origin: Origin,
    pub occurrences: Vec<Occurrence>,
    /// What the file does with the Hub; `None` for binary files and files that name no token
    /// and no token variable (boxed: most files have none, and every blob's scan is moved).
    pub facts: Option<Box<FileFacts>>,
    /// A Space's `README.md` (front matter naming an `sdk:`): the code of its folder runs on
    /// the Hub's servers.
    pub space: bool,
}

/// What one blob gave: its own scan, or each member's when it is an archive, and the
/// archive's notes (a limit hit, damage).
#[derive(Debug, Default)]
pub struct Inspected {
    /// The blob's own scan; `None` for an archive (no allocation for the common plain file).
    pub own: Option<BlobScan>,
    /// An archive's members, each a plain blob.
    pub members: Vec<BlobScan>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<ScanError>,
    /// Bytes of the blob itself (as stored, not decompressed).
    pub bytes: u64,
}

impl Inspected {
    /// Every plain blob's scan: the blob's own, or its members'.
    pub fn scans(&self) -> impl Iterator<Item = &BlobScan> {
        self.own.iter().chain(&self.members)
    }

    /// [`Inspected::scans`], taken.
    pub fn take_scans(&mut self) -> impl Iterator<Item = BlobScan> {
        self.own
            .take()
            .into_iter()
            .chain(std::mem::take(&mut self.members))
    }
}

/// What reading a file of a tree gave.
#[derive(Debug)]
pub enum FileInspected {
    Read(Inspected),
    /// Over the size limit: its size.
    TooBig(u64),
    /// Not a regular file any more: nothing to read.
    NotAFile,
}

impl Inspector<'_> {
    /// Inspects an in-memory blob. UTF-16 text (a byte-order mark, or the zero bytes of ASCII
    /// in UTF-16) is read as the text it is, so its tokens get lines, columns and context like
    /// any text's.
    pub fn inspect(&self, origin: Origin, data: &[u8]) -> Inspected {
        if let Some(archives) = self.archives.filter(|_| archive::kind_of(data).is_some()) {
            let origin = Arc::new(origin);
            let mut members = Members {
                inspector: self,
                scans: Vec::new(),
                failed: Vec::new(),
            };
            let notes = archive::open(archives, &origin, data, &mut members);
            return members.into_inspected(notes, data.len() as u64);
        }
        Inspected {
            own: Some(self.plain(origin, data)),
            bytes: data.len() as u64,
            ..Inspected::default()
        }
    }

    /// A plain blob: the matcher and the context, never an archive.
    fn plain(&self, origin: Origin, data: &[u8]) -> BlobScan {
        if let Some((le, bom)) = detect::utf16::text(data).filter(|_| self.detector.decodes()) {
            let text = detect::utf16::Transcoded::new(data, le, bom);
            let mut scan = self.scan_bytes(origin, text.text.as_bytes());
            for occ in &mut scan.occurrences {
                occ.offset = text.offset(occ.offset as usize);
                occ.decoded.insert(0, text.encoding);
            }
            return scan;
        }
        self.scan_bytes(origin, data)
    }

    fn scan_bytes(&self, origin: Origin, data: &[u8]) -> BlobScan {
        let space = is_space_readme(&origin, data);
        let mut out = BlobScan {
            origin,
            occurrences: Vec::new(),
            facts: None,
            space,
        };
        let scanned = self.detector.scan(data);
        let name = out.origin.context_path();
        // Every practice rule is about a token variable, so a file that names none is left
        // alone, but for the few whose habits show without one.
        let practices = scanned.mentions_env || crate::practice::worth_a_look(name, data);
        if scanned.candidates.is_empty() && !practices && !self.need_map {
            return out;
        }
        let rel = out.origin.path();
        let platform = context::platform_of(name);
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
            if !self.listing.take(&rel) {
                continue;
            }
            let cell = cells.as_ref().and_then(|c| c.get(i).copied().flatten());
            out.occurrences.push(occurrence(
                &rel, data, 0, cand, platform, binary, cell, &masks, &mut lines,
            ));
        }
        if !binary {
            let found = context::calls_in(data, self.calls);
            // The repositories the code names: every call for a plan; for a scan only a file
            // that writes needs them (HF016), and most files do not.
            let hub_uses = if self.need_map {
                context::hub_uses(name, platform, data)
            } else {
                context::repos::write_uses(name, platform, data, &found)
            };
            out.facts = Some(Box::new(FileFacts {
                path: rel,
                platform,
                hub_uses,
                calls: found,
                env_reads: context::env_reads(data, self.env_names),
                practices: if practices {
                    let mut hits = crate::practice::find_with(
                        name,
                        platform,
                        data,
                        self.env_names,
                        self.calls,
                    );
                    snippet::mask_practice_snippets(&mut hits, data, &masks);
                    hits
                } else {
                    Vec::new()
                },
                commit: None,
                from_state: false,
            }));
        }
        out
    }

    /// Reads and inspects a file of a tree. Regular files only; never blocks on a FIFO that
    /// appeared after the walk looked (see [`files::first_read`]).
    pub fn inspect_file(
        &self,
        path: &Path,
        origin: Origin,
        max_size: Option<u64>,
        buf: &mut Vec<u8>,
    ) -> io::Result<FileInspected> {
        Ok(match files::first_read(path, max_size, buf)? {
            FirstRead::Whole(n) => FileInspected::Read(self.inspect(origin, &buf[..n])),
            FirstRead::TooBig(len) => FileInspected::TooBig(len),
            FirstRead::NotAFile => FileInspected::NotAFile,
            FirstRead::More { file, len } => {
                FileInspected::Read(self.inspect_rest(file, len, origin, buf)?)
            }
        })
    }

    /// A stream the user named (a FIFO such as `<(cmd)`, `/dev/stdin`, `-`): read as asked,
    /// blocking, and only up to `max` bytes (plus one, so the caller can tell it went on).
    pub fn inspect_named_stream(
        &self,
        reader: impl Read,
        origin: Origin,
        max: Option<u64>,
    ) -> io::Result<Inspected> {
        let limit = max.map_or(u64::MAX, |m| m.saturating_add(1));
        let scan = self.scan_chunks(reader.take(limit), origin, CHUNK)?;
        Ok(single(scan.0, scan.1))
    }

    /// The rest of a file whose first [`FIRST_READ`] bytes are in `buf` (and `file` is past
    /// them): read whole up to a limit, else streamed from its start (through `archive` first
    /// when it is a big gzip or bzip2 file).
    fn inspect_rest(
        &self,
        mut file: File,
        len: u64,
        origin: Origin,
        buf: &mut Vec<u8>,
    ) -> io::Result<Inspected> {
        // Notebooks are parsed for their cells, which needs the whole file: one with a big
        // embedded image is still read whole, up to a higher limit.
        let whole_limit = if len > WHOLE_FILE_LIMIT
            && context::platform_of(origin.context_path()) == Platform::Notebook
        {
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
            let n = FIRST_READ + files::read_full(&mut file, &mut buf[FIRST_READ..room])?;
            let result = self.inspect(origin, &buf[..n]);
            if buf.len() > (8 << 20) {
                // Do not keep a big buffer per thread after one big file.
                *buf = Vec::new();
            }
            return Ok(result);
        }
        file.rewind()?;
        if let Some(archives) = self.archives {
            if let Some(kind) = archive::stream_kind(&mut file)? {
                let origin = Arc::new(origin);
                let mut members = Members {
                    inspector: self,
                    scans: Vec::new(),
                    failed: Vec::new(),
                };
                let notes = archive::open_stream(archives, &origin, kind, file, len, &mut members);
                return Ok(members.into_inspected(notes, len));
            }
        }
        let (scan, bytes) = self.scan_chunks(file, origin, CHUNK)?;
        Ok(single(scan, bytes))
    }

    /// A big plain blob, streamed: the same scan as [`Inspector::inspect`] gives (lines,
    /// columns, offsets), in bounded memory. Git streams big blobs through it too.
    pub fn inspect_stream(
        &self,
        reader: impl Read,
        origin: Origin,
        chunk_size: usize,
    ) -> io::Result<Inspected> {
        let (scan, bytes) = self.scan_chunks(reader, origin, chunk_size)?;
        Ok(single(scan, bytes))
    }

    /// Streams a blob in overlapping chunks: bounded memory, exact offsets and lines. Each
    /// chunk after the first starts [`LOOK_BEHIND`] bytes early, so the byte before a token at
    /// a boundary is still seen (`xhf_…` stays glued), and the last [`MAX_TOKEN_LEN`] bytes of
    /// a chunk are scanned again with the next, so a token that straddles a boundary is whole
    /// in one of them. Returns the scan and the bytes read.
    pub(crate) fn scan_chunks(
        &self,
        mut file: impl Read,
        origin: Origin,
        chunk_size: usize,
    ) -> io::Result<(BlobScan, u64)> {
        let mut out = BlobScan {
            origin,
            occurrences: Vec::new(),
            facts: None,
            space: false,
        };
        let mut bytes = 0u64;
        let rel = out.origin.path();
        let platform = context::platform_of(out.origin.context_path());
        let mut chunk = vec![0u8; chunk_size + MAX_TOKEN_LEN];
        let mut filled = 0usize; // bytes valid in `chunk`
        let mut skip = 0usize; // bytes at chunk[0..] already scanned: look-behind only
        let mut base = 0u64; // file offset of chunk[0]
        let mut lines_before = 0u64; // newlines in the file before chunk[0]
        let mut chars_before = 0u64; // characters of the line that chunk[0] is in, before it
        let mut binary = None;
        loop {
            let n = files::read_full(&mut file, &mut chunk[filled..])?;
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
                if cand.offset < skip || cand.offset >= keep || !self.listing.take(&rel) {
                    continue;
                }
                let first_line = memchr::memrchr(b'\n', &data[..cand.offset]).is_none();
                let mut occ = occurrence(
                    &rel, data, base, cand, platform, is_bin, None, &masks, &mut lines,
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
            bytes += (keep - skip) as u64;
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
        Ok((out, bytes))
    }
}

/// One plain blob's scan as what a blob gave.
fn single(scan: BlobScan, bytes: u64) -> Inspected {
    Inspected {
        own: Some(scan),
        bytes,
        ..Inspected::default()
    }
}

/// An archive's members, inspected as plain blobs as `archive` hands them over.
struct Members<'i, 'a> {
    inspector: &'i Inspector<'a>,
    scans: Vec<BlobScan>,
    /// Members whose stream failed to read (their archive is then reported damaged).
    failed: Vec<ScanError>,
}

impl Members<'_, '_> {
    /// An archive that cannot be read to the end is a skipped file with its reason, not an
    /// error: what came before the damage was scanned, and deliberately broken archives (test
    /// fixtures of compression libraries) are common in real trees. `--strict` makes skips
    /// fail the run.
    fn into_inspected(self, notes: archive::Notes, bytes: u64) -> Inspected {
        let mut skipped = notes.skipped;
        skipped.extend(
            notes
                .errors
                .into_iter()
                .chain(self.failed)
                .map(|e| Skipped {
                    path: e.path,
                    reason: format!("{}; what came before the damage was scanned", e.message),
                }),
        );
        Inspected {
            own: None,
            members: self.scans,
            skipped,
            errors: Vec::new(),
            bytes,
        }
    }
}

impl archive::Members for Members<'_, '_> {
    fn bytes(&mut self, origin: Origin, data: &[u8]) {
        self.scans.push(self.inspector.plain(origin, data));
    }

    fn stream(&mut self, origin: Origin, reader: &mut dyn Read) -> io::Result<()> {
        let (scan, _) = self.inspector.scan_chunks(reader, origin, CHUNK)?;
        self.scans.push(scan);
        Ok(())
    }
}

/// A Space's `README.md`: YAML front matter naming an `sdk`.
pub fn is_space_readme(origin: &Origin, data: &[u8]) -> bool {
    // Every blob comes here: the cheap look at its first bytes first.
    if !data.starts_with(b"---") || origin.file_name() != "README.md" {
        return false;
    }
    let text = String::from_utf8_lossy(&data[..data.len().min(64 << 10)]);
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return false;
    }
    lines
        .take_while(|l| l.trim_end() != "---")
        .any(|l| l.strip_prefix("sdk:").is_some_and(|v| !v.trim().is_empty()))
}

#[allow(clippy::too_many_arguments)]
fn occurrence(
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
        let mut text = snippet::snippet(data, near_start..line_end, start, masks);
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
        from_state: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    fn token() -> String {
        // Assembled here so no token-shaped literal sits in the source.
        format!("hf_{}", "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4V")
    }

    fn occurrences(found: &Inspected) -> Vec<&Occurrence> {
        found.scans().flat_map(|s| &s.occurrences).collect()
    }

    #[test]
    fn a_gzip_member_is_found_at_its_inner_path() {
        use std::io::Write;
        let engine = Engine::builtin().unwrap();
        let inspector = engine.inspector();
        let text = format!("x = 1\nT = \"{}\"\n{}", token(), "y = 2\n".repeat(50));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        let data = enc.finish().unwrap();
        let found = inspector.inspect(Origin::File("dir/conf.py.gz".into()), &data);
        let occ = occurrences(&found);
        assert_eq!(occ.len(), 1);
        assert_eq!(occ[0].path, "dir/conf.py.gz!conf.py");
        assert_eq!((occ[0].line, occ[0].column), (Some(2), Some(6)));
        assert_eq!(
            occ[0].platform,
            Platform::Source,
            "judged by its inner name"
        );
        // Without archives, the compressed bytes are only bytes.
        let closed = Inspector {
            archives: None,
            ..inspector
        };
        let found = closed.inspect(Origin::File("dir/conf.py.gz".into()), &data);
        assert!(occurrences(&found).is_empty());
    }

    /// Past the run's limit, occurrences are counted per file, not listed; facts still come.
    #[test]
    fn the_listing_limit_counts_what_it_does_not_list() {
        let engine = crate::engine::Engine::builtin().unwrap();
        let listing = ListLimit::new(3);
        let inspector = Inspector {
            listing: &listing,
            ..engine.inspector()
        };
        let body = |i: usize| format!("{i:0>4}Rk7ZpQ2mXw9TnB4vLc8YsJ3dHf6Ga1");
        let text: String = (0..5).fold(String::new(), |mut t, i| {
            t.push_str("HF_TOKEN=hf_");
            t.push_str(&body(i));
            t.push('\n');
            t
        });
        let first = inspector.inspect(Origin::File("a.env".into()), text.as_bytes());
        assert_eq!(occurrences(&first).len(), 3);
        assert!(first.own.as_ref().unwrap().facts.is_some());
        let (big, _) = inspector
            .scan_chunks(text.as_bytes(), Origin::File("b.log".into()), 64)
            .unwrap();
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

    /// The whole per-file pipeline (detect, context, notebook cells, calls, snippets) on random
    /// and half-structured bytes, under every platform's path: it must never panic.
    #[test]
    fn random_files_never_panic_the_pipeline() {
        let engine = crate::engine::Engine::builtin().unwrap();
        let inspector = engine.inspector();
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
            let _ = inspector.inspect(Origin::File(path.into()), &data);
        }
    }

    /// Tokens at and across every kind of chunk boundary, in a file streamed in tiny chunks,
    /// come out exactly as a whole-file read reports them.
    #[test]
    fn streamed_chunks_match_a_whole_file_read() {
        use std::io::Write;
        let engine = crate::engine::Engine::builtin().unwrap();
        let inspector = engine.inspector();
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
        let whole = inspector.inspect(Origin::File("log.txt".into()), text.as_bytes());
        let (streamed, bytes) = inspector
            .scan_chunks(
                File::open(file.path()).unwrap(),
                Origin::File("log.txt".into()),
                chunk,
            )
            .unwrap();
        let key = |o: &Occurrence| (o.offset, o.line, o.column, o.secret.fingerprint());
        let a: Vec<_> = occurrences(&whole).into_iter().map(key).collect();
        let b: Vec<_> = streamed.occurrences.iter().map(key).collect();
        assert!(a.len() > 20, "{}", a.len());
        assert_eq!(a, b);
        assert_eq!(bytes, text.len() as u64);
    }

    /// Encoded tokens at every offset around chunk boundaries: streamed as found as whole.
    #[test]
    fn streamed_chunks_find_base64_tokens_as_a_whole_read_does() {
        use base64::Engine as _;
        use std::io::Write;
        let engine = crate::engine::Engine::builtin().unwrap();
        let inspector = engine.inspector();
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
        let whole = inspector.inspect(Origin::File("cfg.txt".into()), text.as_bytes());
        let (streamed, _) = inspector
            .scan_chunks(
                File::open(file.path()).unwrap(),
                Origin::File("cfg.txt".into()),
                chunk,
            )
            .unwrap();
        let key = |o: &Occurrence| (o.offset, o.line, o.column, o.secret.fingerprint());
        let a: Vec<_> = occurrences(&whole).into_iter().map(key).collect();
        let b: Vec<_> = streamed.occurrences.iter().map(key).collect();
        assert_eq!(a.len(), i, "every encoded token, read whole");
        assert_eq!(a, b);
    }
}
