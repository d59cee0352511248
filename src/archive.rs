//! Archives and compressed files: open zip, tar, gzip, bzip2, xz and zstd (and any nesting of
//! them, to a depth limit) and hand every inner file back as a blob of its own, whose origin
//! is a member of the archive's (`outer.zip!inner/file.py`). Decompression stands in front of
//! the matcher, as ripgrep's decompressing reader does: this module never looks for a token.
//!
//! It owns the one decompression budget (decompressed size per file and per scan, ratio,
//! depth, entries) and the notes that say which limit stopped a file. It never writes to
//! disk, so a member named `../../etc/x` is only a name in a report, and it never trusts a
//! declared size: every byte a decoder gives is counted as it comes, so a bomb stops at the
//! limit having cost about that much.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ruzstd::decoding::errors::FrameDecoderError;
use zip::result::ZipError;

use crate::model::{ScanError, Skipped};
use crate::origin::Origin;

mod tarsum;
mod xz;

/// Where an archive's members go: each one a plain blob (nested archives are opened here).
pub trait Members {
    /// A member small enough to hold whole.
    fn bytes(&mut self, origin: Origin, data: &[u8]);
    /// A member too big to hold (a 2 GB `.csv.gz`): to read once, as a stream that ends early
    /// (not in error) when a limit stops it.
    fn stream(&mut self, origin: Origin, reader: &mut dyn Read) -> io::Result<()>;
}

/// What stops an archive from costing too much; each is a flag (see `cli/args.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes for one file on disk (or blob), all its layers together.
    pub max_size: u64,
    /// Decompressed bytes for the whole scan.
    pub max_total: u64,
    /// Decompressed bytes per byte of the file on disk.
    pub max_ratio: u64,
    /// Archives inside archives: `a.zip` is depth 1, `a.zip!b.tar.gz` depth 2.
    pub max_depth: u32,
    /// Files inside one file on disk, all layers together.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_size: 256 << 20,
            max_total: 8 << 30,
            max_ratio: 100,
            max_depth: 4,
            max_entries: 100_000,
        }
    }
}

/// Decompressed single files up to this size are handed over whole (facts, notebook cells,
/// nested archives); bigger ones are streamed, as big files on disk are.
const WHOLE_READ: u64 = 64 << 20;

/// Below this many decompressed bytes the ratio is not checked: a tiny archive of padding (a
/// tar of one short file is 10 KiB of mostly zeros) is not a bomb.
const RATIO_FLOOR: u64 = 1 << 20;

/// The limits plus what the whole scan has spent: shared by every thread.
#[derive(Debug, Default)]
pub struct Archives {
    pub limits: Limits,
    spent: AtomicU64,
}

impl Archives {
    pub fn new(limits: Limits) -> Self {
        Archives {
            limits,
            spent: AtomicU64::new(0),
        }
    }
}

/// The container or compression a file's first bytes announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Zip => "zip",
            Kind::Tar => "tar",
            Kind::Gzip => "gzip",
            Kind::Bzip2 => "bzip2",
            Kind::Xz => "xz",
            Kind::Zstd => "zstd",
        }
    }
}

/// The kind of archive `data` is, from its first bytes only (a few compares: a tree without
/// archives must not get slower). Extensions are ignored: a PyTorch `.bin` may be a zip.
pub fn kind_of(data: &[u8]) -> Option<Kind> {
    let kind = match data.get(..4)? {
        [b'P', b'K', 3, 4] | [b'P', b'K', 5, 6] => Kind::Zip,
        [0x1f, 0x8b, 8, _] => Kind::Gzip,
        [b'B', b'Z', b'h', b'1'..=b'9'] if data.get(4..10) == Some(b"1AY&SY") => Kind::Bzip2,
        [0xfd, b'7', b'z', b'X'] if data.get(4..6) == Some(b"Z\0") => Kind::Xz,
        [0x28, 0xb5, 0x2f, 0xfd] => Kind::Zstd,
        _ if is_tar(data) => Kind::Tar,
        _ => return None,
    };
    Some(kind)
}

/// A POSIX or GNU tar header: `ustar` at offset 257.
fn is_tar(data: &[u8]) -> bool {
    data.get(257..262) == Some(b"ustar")
}

/// Opens `data`, an archive (see [`kind_of`]) whose origin is `origin`, and hands each member
/// to `members`. Returns the notes: one for each limit hit and an error for a corrupt or
/// truncated archive (what came before the damage was handed over).
pub fn open(
    archives: &Archives,
    origin: &Arc<Origin>,
    data: &[u8],
    members: &mut dyn Members,
) -> Notes {
    let Some(kind) = kind_of(data) else {
        return Notes::default();
    };
    run(archives, data.len() as u64, members, |walk| {
        walk.open(origin, kind, data, 1)
    })
}

/// The kind of a file too big to read whole (over 64 MiB), when it is one that can be opened
/// as it streams: gzip or bzip2, so memory stays bounded by one inner file. A zip needs its
/// end first and a plain tar's members are found by the plain scan anyway. The file is at its
/// start again either way.
pub fn stream_kind(file: &mut File) -> io::Result<Option<Kind>> {
    let mut head = Vec::with_capacity(16);
    (&mut *file).take(16).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(kind_of(&head).filter(|k| matches!(k, Kind::Gzip | Kind::Bzip2)))
}

/// Opens a big gzip or bzip2 file of `len` bytes as it streams (see [`stream_kind`]).
pub fn open_stream(
    archives: &Archives,
    origin: &Arc<Origin>,
    kind: Kind,
    reader: impl Read,
    len: u64,
    members: &mut dyn Members,
) -> Notes {
    run(archives, len, members, |walk| {
        walk.open_stream(origin, kind, reader, 1)
    })
}

/// Opens one file on disk (or blob) of `len` bytes with `open`, within the limits.
fn run(
    archives: &Archives,
    len: u64,
    members: &mut dyn Members,
    open: impl FnOnce(&mut Walk) -> Result<(), Stop>,
) -> Notes {
    let limits = archives.limits;
    let budget = Budget {
        archives,
        spent: Cell::new(0),
        // Never trust the declared sizes: the ratio is to the bytes actually on disk.
        ratio_cap: len.saturating_mul(limits.max_ratio).max(RATIO_FLOOR),
        hit: Cell::new(None),
    };
    let mut walk = Walk {
        members,
        limits,
        budget: &budget,
        notes: Notes::default(),
        entries: 0,
    };
    let _ = open(&mut walk);
    walk.notes
}

/// What an archive gave besides its members: the notes.
#[derive(Debug, Default)]
pub struct Notes {
    /// Limits hit, members not decoded.
    pub skipped: Vec<Skipped>,
    /// Damage: a corrupt or truncated archive.
    pub errors: Vec<ScanError>,
}

/// Which limit stopped a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Size,
    Total,
    Ratio,
    Entries,
}

impl Limit {
    fn reason(self, limits: &Limits) -> String {
        let what = match self {
            Limit::Size => format!(
                "decompressed size over --archive-max-size {}",
                limits.max_size
            ),
            Limit::Total => format!(
                "the scan's decompressed bytes are over --archive-max-total {}",
                limits.max_total
            ),
            Limit::Ratio => format!(
                "decompressed size over --archive-max-ratio {} times the file's size \
                 (a compression bomb?)",
                limits.max_ratio
            ),
            Limit::Entries => format!(
                "more than --archive-max-entries {} files",
                limits.max_entries
            ),
        };
        format!("archive: {what}; the rest was not read")
    }
}

/// The decompressed bytes one file on disk may still cost.
struct Budget<'a> {
    archives: &'a Archives,
    spent: Cell<u64>,
    ratio_cap: u64,
    /// Set when a limit stops the file, whatever error the decoders wrap it in.
    hit: Cell<Option<Limit>>,
}

impl Budget<'_> {
    fn spend(&self, n: usize) -> io::Result<()> {
        let n = n as u64;
        let spent = self.spent.get() + n;
        self.spent.set(spent);
        let limits = &self.archives.limits;
        let total = self.archives.spent.fetch_add(n, Ordering::Relaxed) + n;
        let hit = if spent > limits.max_size {
            Some(Limit::Size)
        } else if spent > self.ratio_cap {
            Some(Limit::Ratio)
        } else if total > limits.max_total {
            Some(Limit::Total)
        } else {
            None
        };
        match hit {
            Some(limit) => {
                self.hit.set(Some(limit));
                Err(io::Error::other("archive limit reached"))
            }
            None => Ok(()),
        }
    }
}

/// A decoder's output, counted against the budget as it is produced.
struct Counted<'b, 'a, R> {
    inner: R,
    budget: &'b Budget<'a>,
}

impl<R: Read> Read for Counted<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.hit.get().is_some() {
            return Err(io::Error::other("archive limit reached"));
        }
        let n = self.inner.read(buf)?;
        self.budget.spend(n)?;
        Ok(n)
    }
}

/// A counted stream that ends (rather than fails) when a limit is hit, so a streamed scan keeps
/// what it found before; the caller reads the budget to say which limit.
struct Soft<'b, 'a, R> {
    inner: R,
    budget: &'b Budget<'a>,
}

impl<R: Read> Read for Soft<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Err(_) if self.budget.hit.get().is_some() => Ok(0),
            other => other,
        }
    }
}

/// A limit stopped the whole file: nothing more is read from it.
struct Stop;

/// One file on disk being opened, with every layer inside it.
struct Walk<'m, 'b, 'a> {
    /// Where plain members go.
    members: &'m mut dyn Members,
    limits: Limits,
    budget: &'b Budget<'a>,
    notes: Notes,
    entries: u64,
}

impl<'b, 'a> Walk<'_, 'b, 'a> {
    fn counted<R: Read>(&self, inner: R) -> Counted<'b, 'a, R> {
        Counted {
            inner,
            budget: self.budget,
        }
    }

    /// Opens an archive whose bytes are in memory; `origin` is where it is.
    fn open(
        &mut self,
        origin: &Arc<Origin>,
        kind: Kind,
        data: &[u8],
        depth: u32,
    ) -> Result<(), Stop> {
        match kind {
            Kind::Zip => self.zip(origin, data, depth),
            Kind::Tar => self.tar(origin, "tar", data, depth),
            Kind::Gzip | Kind::Bzip2 => self.open_stream(origin, kind, data, depth),
            Kind::Xz => {
                let xz = xz::XzStreams::new(data, self.room());
                self.stream(origin, kind, self.counted(xz), depth)
            }
            Kind::Zstd => self.stream(origin, kind, self.counted(ZstdFrames::new(data)), depth),
        }
    }

    /// Opens a gzip or bzip2 stream (anything else is not opened from a stream).
    fn open_stream(
        &mut self,
        origin: &Arc<Origin>,
        kind: Kind,
        reader: impl Read,
        depth: u32,
    ) -> Result<(), Stop> {
        match kind {
            Kind::Gzip => {
                let decoder = flate2::read::MultiGzDecoder::new(reader);
                self.stream(origin, kind, self.counted(decoder), depth)
            }
            Kind::Bzip2 => {
                let decoder = bzip2::read::MultiBzDecoder::new(reader);
                self.stream(origin, kind, self.counted(decoder), depth)
            }
            _ => Ok(()),
        }
    }

    /// A decompressed stream: a tar (read as it comes, member by member) or one file.
    fn stream(
        &mut self,
        origin: &Arc<Origin>,
        kind: Kind,
        mut reader: impl Read,
        depth: u32,
    ) -> Result<(), Stop> {
        let mut head = Vec::new();
        if let Err(err) = (&mut reader).take(512).read_to_end(&mut head) {
            if self.not_decoded(origin, &err) {
                return Ok(());
            }
            return self.failed(origin, kind.name(), &err);
        }
        if is_tar(&head) {
            let what = format!("{}-compressed tar", kind.name());
            return self.tar(origin, &what, Cursor::new(head).chain(reader), depth);
        }
        // One compressed file: it is named after the archive, less the compression's suffix.
        let member = origin.member(strip_compression_suffix(origin.file_name()));
        let mut data = head;
        if let Err(err) = (&mut reader)
            .take(WHOLE_READ - data.len() as u64)
            .read_to_end(&mut data)
        {
            return self.partial(origin, member, kind, &data, &err);
        }
        if data.len() as u64 == WHOLE_READ && kind_of(&data).is_none() {
            // A big file (a 2 GB `.csv.gz`): streamed in chunks like a big file on disk, so
            // memory stays flat; a limit ends it softly, keeping what was found before.
            let mut soft = Cursor::new(data).chain(Soft {
                inner: reader,
                budget: self.budget,
            });
            let shown = member.path();
            let found = self.members.stream(member, &mut soft);
            if let Some(limit) = self.budget.hit.get() {
                self.stopped(&shown, limit);
            }
            return match found {
                Ok(()) if self.budget.hit.get().is_some() => Err(Stop),
                Ok(()) => Ok(()),
                Err(err) => self.failed(origin, kind.name(), &err),
            };
        }
        if let Err(err) = reader.read_to_end(&mut data) {
            return self.partial(origin, member, kind, &data, &err);
        }
        self.member(member, &data, depth)
    }

    /// A single compressed file stopped by a limit or damage: what came before is handed over.
    fn partial(
        &mut self,
        origin: &Arc<Origin>,
        member: Origin,
        kind: Kind,
        data: &[u8],
        err: &io::Error,
    ) -> Result<(), Stop> {
        if !data.is_empty() {
            self.members.bytes(member, data);
        }
        if self.not_decoded(origin, err) {
            return Ok(());
        }
        self.failed(origin, kind.name(), err)
    }

    /// A valid archive this build does not decode (a zstd window over 128 MiB): a note for it,
    /// not an error. `false` for anything else.
    fn not_decoded(&mut self, origin: &Origin, err: &io::Error) -> bool {
        if err.kind() != io::ErrorKind::Unsupported || self.budget.hit.get().is_some() {
            return false;
        }
        self.notes.skipped.push(Skipped {
            path: origin.path(),
            reason: format!("archive: not decoded: {err}"),
        });
        true
    }

    /// A tar, read member by member as it comes; `what` names it in errors.
    fn tar(
        &mut self,
        origin: &Arc<Origin>,
        what: &str,
        reader: impl Read,
        depth: u32,
    ) -> Result<(), Stop> {
        // Old tars summed their headers over signed bytes; GNU tar and Python accept that.
        let mut archive = tar::Archive::new(tarsum::SignedSums::new(reader));
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(err) => return self.failed(origin, what, &err),
        };
        let mut data = Vec::new();
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(err) => return self.failed(origin, what, &err),
            };
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind.is_contiguous()) {
                continue; // folders, links, devices: no bytes of their own
            }
            self.count_entry(origin)?;
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            data.clear();
            self.reserve(&mut data, entry.size());
            if let Err(err) = entry.read_to_end(&mut data) {
                return self.failed(origin, what, &err);
            }
            self.member(origin.member(name), &data, depth)?;
        }
        Ok(())
    }

    fn zip(&mut self, origin: &Arc<Origin>, data: &[u8], depth: u32) -> Result<(), Stop> {
        let mut archive = match zip::ZipArchive::new(Cursor::new(data)) {
            Ok(archive) => archive,
            Err(err) => return self.failed(origin, "zip", &err),
        };
        let mut buf = Vec::new();
        for i in 0..archive.len() {
            // As written (decoded from UTF-8 or CP437 as the entry says), never sanitised.
            let name = archive.name_for_index(i).unwrap_or_default().to_owned();
            let mut file = match archive.by_index(i) {
                Ok(file) => file,
                Err(
                    err @ (ZipError::UnsupportedArchive(_)
                    | ZipError::CompressionMethodNotSupported(_)),
                ) => {
                    // Encrypted, or a method this build does not decode: that member only.
                    self.notes.skipped.push(Skipped {
                        path: origin.member(name).path(),
                        reason: format!("archive: not decoded: {err}"),
                    });
                    continue;
                }
                Err(err) => return self.failed(origin, "zip", &err),
            };
            if !file.is_file() {
                continue;
            }
            self.count_entry(origin)?;
            let member = origin.member(name);
            buf.clear();
            self.reserve(&mut buf, file.size());
            if let Err(err) = self.counted(&mut file).read_to_end(&mut buf) {
                if err.kind() == io::ErrorKind::Unsupported && self.budget.hit.get().is_none() {
                    // A compression method this build does not decode (zstd, deflate64…).
                    self.notes.skipped.push(Skipped {
                        path: member.path(),
                        reason: format!("archive: not decoded: {err}"),
                    });
                    continue;
                }
                self.failed(&member, "zip", &err)?;
                continue;
            }
            drop(file);
            self.member(member, &buf, depth)?;
        }
        Ok(())
    }

    /// One inner file: opened if it is an archive itself and depth allows, else handed over.
    fn member(&mut self, member: Origin, data: &[u8], depth: u32) -> Result<(), Stop> {
        if let Some(kind) = kind_of(data) {
            if depth < self.limits.max_depth {
                return self.open(&Arc::new(member), kind, data, depth + 1);
            }
            self.notes.skipped.push(Skipped {
                path: member.path(),
                reason: format!(
                    "archive: nested deeper than --archive-max-depth {}; scanned as it is",
                    self.limits.max_depth
                ),
            });
        }
        // Detection, context and rules are the inner file's own: its platform comes from its
        // inner path (a `.env` in a tarball is an env file); the report shows the whole path.
        self.members.bytes(member, data);
        Ok(())
    }

    /// The decompressed bytes this file may still cost before a limit stops it.
    fn room(&self) -> u64 {
        self.limits
            .max_size
            .min(self.budget.ratio_cap)
            .saturating_sub(self.budget.spent.get())
    }

    /// Room for a member's declared size, so reading it does not copy it again and again. The
    /// declaration is only a hint: capped by what the budget still allows, and by 64 MiB.
    fn reserve(&self, buf: &mut Vec<u8>, declared: u64) {
        let left = self.limits.max_size.saturating_sub(self.budget.spent.get());
        let room = declared.min(left).min(64 << 20) as usize;
        buf.reserve(room.saturating_sub(buf.len()));
    }

    fn count_entry(&mut self, origin: &Origin) -> Result<(), Stop> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            self.stopped(&origin.path(), Limit::Entries);
            return Err(Stop);
        }
        Ok(())
    }

    fn stopped(&mut self, path: &str, limit: Limit) {
        self.notes.skipped.push(Skipped {
            path: path.to_owned(),
            reason: limit.reason(&self.limits),
        });
    }

    /// A read failed: a limit (stop the whole file, with a note) or damage (an error for this
    /// archive; its siblings in an outer archive go on).
    fn failed(
        &mut self,
        origin: &Origin,
        what: &str,
        err: &dyn std::fmt::Display,
    ) -> Result<(), Stop> {
        let path = origin.path();
        if let Some(limit) = self.budget.hit.get() {
            self.stopped(&path, limit);
            return Err(Stop);
        }
        self.notes.errors.push(ScanError {
            path,
            message: format!("corrupt or truncated {what} archive: {err}"),
        });
        Ok(())
    }
}

/// `logs.txt.gz` → `logs.txt`, `x.tgz` → `x.tar`; any other name stays as it is.
fn strip_compression_suffix(name: &str) -> &str {
    for suffix in [".gz", ".bz2", ".xz", ".zst", ".zstd", ".gzip"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            if !stem.is_empty() {
                return stem;
            }
        }
    }
    name
}

/// A zstd file of one or more frames (ruzstd decodes one frame at a time).
struct ZstdFrames<'d> {
    rest: &'d [u8],
    frame: Option<ruzstd::decoding::StreamingDecoder<&'d [u8], ruzstd::decoding::FrameDecoder>>,
}

impl<'d> ZstdFrames<'d> {
    fn new(data: &'d [u8]) -> Self {
        ZstdFrames {
            rest: data,
            frame: None,
        }
    }
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(frame) = self.frame.as_mut() {
                let n = frame.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.rest = frame.get_ref();
                self.frame = None;
            }
            if self.rest.is_empty() {
                return Ok(0);
            }
            let frame = ruzstd::decoding::StreamingDecoder::new(self.rest).map_err(|e| {
                // A window over ruzstd's 128 MiB bound is valid zstd this build will not
                // allocate for: a note, not damage.
                let kind = if matches!(e, FrameDecoderError::WindowSizeTooBig { .. }) {
                    io::ErrorKind::Unsupported
                } else {
                    io::ErrorKind::InvalidData
                };
                io::Error::new(kind, e.to_string())
            })?;
            self.frame = Some(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn token() -> String {
        // Assembled here so no token-shaped literal sits in the source.
        format!("hf_{}", "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4V")
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn kinds_come_from_the_first_bytes_only() {
        assert_eq!(kind_of(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(kind_of(&gzip(b"x")), Some(Kind::Gzip));
        assert_eq!(kind_of(b"BZh91AY&SYrest"), Some(Kind::Bzip2));
        assert_eq!(kind_of(b"BZh9 not bzip2"), None);
        assert_eq!(kind_of(b"\xfd7zXZ\0rest"), Some(Kind::Xz));
        assert_eq!(kind_of(b"\x28\xb5\x2f\xfdrest"), Some(Kind::Zstd));
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(kind_of(&tar), Some(Kind::Tar));
        assert_eq!(kind_of(b"PK"), None);
        assert_eq!(kind_of(b"print('hello')\n"), None);
        assert_eq!(kind_of(b""), None);
    }

    #[test]
    fn compressed_names_lose_their_suffix() {
        assert_eq!(strip_compression_suffix("a.txt.gz"), "a.txt");
        assert_eq!(strip_compression_suffix("log.zst"), "log");
        assert_eq!(strip_compression_suffix(".gz"), ".gz");
        assert_eq!(strip_compression_suffix("data.bin"), "data.bin");
    }

    /// Members as `open` hands them over: their report paths and bytes.
    #[derive(Default)]
    struct Recorder(Vec<(String, Vec<u8>)>);

    impl Members for Recorder {
        fn bytes(&mut self, origin: Origin, data: &[u8]) {
            self.0.push((origin.path(), data.to_vec()));
        }
        fn stream(&mut self, origin: Origin, reader: &mut dyn Read) -> io::Result<()> {
            let mut data = Vec::new();
            reader.read_to_end(&mut data)?;
            self.0.push((origin.path(), data));
            Ok(())
        }
    }

    fn open_all(name: &str, data: &[u8]) -> (Recorder, Notes) {
        let mut members = Recorder::default();
        let origin = Arc::new(Origin::File(name.into()));
        let notes = open(&Archives::default(), &origin, data, &mut members);
        (members, notes)
    }

    #[test]
    fn a_gzip_member_is_handed_over_at_its_inner_path() {
        let text = format!("x = 1\nT = \"{}\"\n{}", token(), "y = 2\n".repeat(50));
        let (members, notes) = open_all("dir/conf.py.gz", &gzip(text.as_bytes()));
        assert_eq!(
            members.0,
            vec![("dir/conf.py.gz!conf.py".to_owned(), text.into_bytes())]
        );
        assert!(notes.skipped.is_empty() && notes.errors.is_empty());
    }

    /// Budgets count what decoders produce, whatever the headers declare.
    #[test]
    fn the_budget_counts_produced_bytes() {
        let archives = Archives::new(Limits {
            max_size: 1000,
            ..Limits::default()
        });
        let budget = Budget {
            archives: &archives,
            spent: Cell::new(0),
            ratio_cap: u64::MAX,
            hit: Cell::new(None),
        };
        let mut reader = Counted {
            inner: &[7u8; 5000][..],
            budget: &budget,
        };
        let mut out = Vec::new();
        assert!(reader.read_to_end(&mut out).is_err());
        assert_eq!(budget.hit.get(), Some(Limit::Size));
        assert!(
            out.len() <= 1000 + 5000,
            "stops at the first read past the limit"
        );
    }

    /// Random bytes behind every magic number (and inside real archives, cut and flipped) are
    /// errors or nothing: never a panic, never a hang.
    #[test]
    fn random_bytes_with_archive_magic_never_panic() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let real: Vec<Vec<u8>> = [
            "plain.zip",
            "release.tar.gz",
            "settings.py.bz2",
            "settings.py.xz",
            "settings.py.zst",
            "nested.tar.gz",
            "deep.zip",
        ]
        .iter()
        .map(|f| {
            std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("fixtures/archives")
                    .join(f),
            )
            .unwrap()
        })
        .collect();
        let magics: [&[u8]; 6] = [
            b"PK\x03\x04",
            b"\x1f\x8b\x08",
            b"BZh91AY&SY",
            b"\xfd7zXZ\0",
            b"\x28\xb5\x2f\xfd",
            b"PK\x05\x06",
        ];
        for round in 0..400 {
            let mut data = if round % 2 == 0 {
                let mut d = magics[round / 2 % magics.len()].to_vec();
                for _ in 0..(next() % 600) {
                    d.push((next() % 256) as u8);
                }
                d
            } else {
                // A real archive, cut short and with a few bytes changed.
                let mut d = real[round / 2 % real.len()].clone();
                let cut = (next() as usize) % (d.len() + 1);
                d.truncate(cut.max(8));
                for _ in 0..(next() % 4) {
                    if !d.is_empty() {
                        let i = (next() as usize) % d.len();
                        d[i] = (next() % 256) as u8;
                    }
                }
                d
            };
            if round % 7 == 0 {
                data.resize(600, 0);
                data[257..262].copy_from_slice(b"ustar");
            }
            let _ = open_all("x.bin", &data);
        }
    }
}
