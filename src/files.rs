//! Reading files safely: the one place hfaudit opens a file of a tree or a file the user or a
//! repository points it at (a config, a baseline, an ignore file, a token file). Never blocks on
//! a FIFO, never follows a device's endless bytes, never reads past a limit.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Bytes read from a file before its size is asked (see [`first_read`]).
pub const FIRST_READ: usize = 256 << 10;

/// What the first read of a tree's file gave.
pub enum FirstRead {
    /// The whole file: its first `n` bytes of the buffer.
    Whole(usize),
    /// A file that filled [`FIRST_READ`]: the buffer holds its first bytes and `file` is past
    /// them; `len` is its size on disk.
    More { file: File, len: u64 },
    /// Over the size limit: its size.
    TooBig(u64),
    /// Not a regular file any more (a folder or FIFO put in its place since the walk looked,
    /// a device): nothing to read.
    NotAFile,
}

/// Reads the start of a file of a tree into `buf`. Most files of a tree are small: they are
/// read with one `read` and one end-of-file `read`, as ripgrep reads them, without asking their
/// size. Only a file that fills [`FIRST_READ`] is asked (`fstat`) what it is and how big, so a
/// device swapped in for a file (`/dev/zero`) is still refused, and the size limit still holds.
pub fn first_read(path: &Path, max_size: Option<u64>, buf: &mut Vec<u8>) -> io::Result<FirstRead> {
    let mut file = open_nonblocking(path)?;
    // `buf` is storage that stays zeroed-once between files (no `unsafe` to read into spare
    // capacity), so only its first growth costs a fill.
    if buf.len() < FIRST_READ {
        buf.resize(FIRST_READ, 0);
    }
    let n = match read_full(&mut file, &mut buf[..FIRST_READ]) {
        Ok(n) => n,
        Err(_) if !file.metadata()?.is_file() => return Ok(FirstRead::NotAFile),
        Err(e) => return Err(e),
    };
    if n < FIRST_READ {
        if max_size.is_some_and(|max| n as u64 > max) {
            return Ok(FirstRead::TooBig(n as u64));
        }
        return Ok(FirstRead::Whole(n));
    }
    let meta = file.metadata()?;
    if !meta.is_file() {
        // A device or a FIFO that had bytes to give: not a file of the tree.
        return Ok(FirstRead::NotAFile);
    }
    if max_size.is_some_and(|max| meta.len() > max) {
        return Ok(FirstRead::TooBig(meta.len()));
    }
    Ok(FirstRead::More {
        file,
        len: meta.len(),
    })
}

/// Fills `buf` from `file`, short only at the end of the file.
pub fn read_full(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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
