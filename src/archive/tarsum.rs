//! Tar headers whose checksum was summed over signed bytes: old tars (HP-UX, V7, SunOS) did so,
//! and GNU tar and Python's `tarfile` accept either sum. The `tar` crate checks the unsigned sum
//! only, so a valid archive would be a damaged one. This reader sits in front of it and, in a
//! header whose stored checksum is the signed sum (and not the unsigned one), writes the
//! unsigned sum instead; every other byte passes as it is.

use std::io::{self, Read};

const BLOCK: usize = 512;

/// A tar stream, its signed-checksum headers rewritten (see the module's documentation).
pub struct SignedSums<R> {
    inner: R,
    /// Bytes of the stream handed over so far.
    pos: u64,
    /// Where the next header starts.
    next: u64,
    header: [u8; BLOCK],
    /// The header's bytes still to hand over: `header[at..len]`.
    at: usize,
    len: usize,
    /// A header could not be read whole, or a size could not be read: bytes pass untouched.
    done: bool,
}

impl<R: Read> SignedSums<R> {
    pub fn new(inner: R) -> Self {
        SignedSums {
            inner,
            pos: 0,
            next: 0,
            header: [0; BLOCK],
            at: 0,
            len: 0,
            done: false,
        }
    }

    /// Reads the header at `self.next`, fixes its checksum, and finds the header after it.
    fn load_header(&mut self) -> io::Result<()> {
        let mut got = 0;
        while got < BLOCK {
            match self.inner.read(&mut self.header[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.at = 0;
        self.len = got;
        if got < BLOCK {
            self.done = true;
            return Ok(());
        }
        if self.header.iter().all(|b| *b == 0) {
            // End of archive (two zero blocks): the next block is looked at like a header.
            self.next += BLOCK as u64;
            return Ok(());
        }
        fix_checksum(&mut self.header);
        match entry_size(&self.header) {
            Some(size) => self.next += BLOCK as u64 + size.div_ceil(BLOCK as u64) * BLOCK as u64,
            None => self.done = true,
        }
        Ok(())
    }
}

impl<R: Read> Read for SignedSums<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.at == self.len && !self.done && self.pos == self.next {
            self.load_header()?;
        }
        if self.at < self.len {
            let n = (self.len - self.at).min(buf.len());
            buf[..n].copy_from_slice(&self.header[self.at..self.at + n]);
            self.at += n;
            self.pos += n as u64;
            return Ok(n);
        }
        let room = if self.done {
            buf.len()
        } else {
            buf.len().min((self.next - self.pos) as usize)
        };
        let n = self.inner.read(&mut buf[..room])?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// The size of an entry's data: octal digits, or GNU's base-256 (high bit of the first byte).
fn entry_size(header: &[u8; BLOCK]) -> Option<u64> {
    let field = &header[124..136];
    if field[0] & 0x80 != 0 {
        return field[4..]
            .iter()
            .try_fold(0u64, |n, b| n.checked_mul(256).map(|n| n + u64::from(*b)));
    }
    let text = std::str::from_utf8(field).ok()?;
    let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if digits.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(digits, 8).ok()
}

/// Writes the unsigned checksum in place of a stored signed one.
fn fix_checksum(header: &mut [u8; BLOCK]) {
    let stored = std::str::from_utf8(&header[148..156])
        .ok()
        .map(|t| t.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|t| i64::from_str_radix(t, 8).ok());
    let Some(stored) = stored else { return };
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (i, b) in header.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { *b };
        unsigned += i64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || stored != signed {
        return;
    }
    let text = format!("{unsigned:06o}\0 ");
    if text.len() == 8 {
        header[148..156].copy_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar of one file whose name holds bytes over 0x7f, its checksum summed signed, as an
    /// HP-UX tar writes it.
    fn signed_tar(name: &[u8], data: &[u8]) -> Vec<u8> {
        let mut h = [0u8; BLOCK];
        h[..name.len()].copy_from_slice(name);
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        let signed: i64 = h
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    i64::from(*b as i8)
                }
            })
            .sum();
        h[148..156].copy_from_slice(format!("{signed:06o}\0 ").as_bytes());
        let mut out = h.to_vec();
        out.extend_from_slice(data);
        out.resize(BLOCK + data.len().div_ceil(BLOCK) * BLOCK, 0);
        out.extend_from_slice(&[0; 2 * BLOCK]);
        out
    }

    #[test]
    fn a_signed_checksum_is_read_as_gnu_tar_and_python_read_it() {
        let data = b"T = 1\n".repeat(200);
        let tar = signed_tar("caf\u{e9}/\u{fc}ber.py".as_bytes(), &data);
        // The `tar` crate alone refuses it.
        let mut plain = tar::Archive::new(&tar[..]);
        let first = plain.entries().unwrap().next().unwrap();
        assert!(first.is_err(), "the crate accepted a signed checksum");
        let mut archive = tar::Archive::new(SignedSums::new(&tar[..]));
        let mut entries = archive.entries().unwrap();
        let mut entry = entries.next().unwrap().unwrap();
        let mut got = Vec::new();
        entry.read_to_end(&mut got).unwrap();
        assert_eq!(got, data);
        drop(entry);
        assert!(entries.next().is_none());
    }

    #[test]
    fn ordinary_tars_pass_untouched() {
        let mut builder = tar::Builder::new(Vec::new());
        for (i, size) in [0usize, 1, 511, 512, 513, 5000].iter().enumerate() {
            let mut h = tar::Header::new_gnu();
            h.set_size(*size as u64);
            h.set_mode(0o644);
            h.set_cksum();
            builder
                .append_data(&mut h, format!("f{i}"), &vec![b'x'; *size][..])
                .unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut through = Vec::new();
        SignedSums::new(&tar[..]).read_to_end(&mut through).unwrap();
        assert_eq!(through, tar);
    }
}
