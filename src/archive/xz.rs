//! xz, decoded as a stream: the container is walked here, and each block's filters (LZMA2,
//! with BCJ or delta before it) are decoded by liblzma's raw decoder, so output comes a chunk
//! at a time and the budget counts it as it is produced (a whole-block decoder would have
//! built a 1 GB block in memory before the budget saw a byte).
//!
//! The walk is ours for one reason: liblzma allocates the dictionary a block header declares
//! (up to 4 GiB for a few bytes of text). A match never reaches further back than the output
//! so far, and the budget stops a file long before its output passes what it still allows, so
//! each block's dictionary is the smaller of the declared one and that room. Checks (CRC32,
//! CRC64, SHA-256) are not verified: what matters here is the text, and damage shows as an
//! error from the decoder or the walk.

use std::io::{self, Read};

use liblzma::bufread::XzDecoder;
use liblzma::stream::{Filters, LzmaOptions, Stream};

/// What one read asks of the decoder at most: how far past the budget's room a block can
/// get before the budget sees its output.
const CHUNK: usize = 64 << 10;

const STREAM_MAGIC: &[u8] = b"\xfd7zXZ\0";
const FOOTER_MAGIC: &[u8] = b"YZ";

/// The streams (`cat a.xz b.xz` is valid xz) of an xz file in memory, decoded as read.
pub(super) struct XzStreams<'d> {
    data: &'d [u8],
    /// The next byte of `data` the walk looks at (the decoder's start, inside a block).
    at: usize,
    /// The biggest dictionary a block gets.
    max_dict: u32,
    /// Bytes of the current stream's check after each block.
    check_size: usize,
    state: State<'d>,
}

enum State<'d> {
    /// At a stream header, stream padding or the end.
    Stream,
    /// At a block header or the index.
    Block,
    /// Inside a block that started at `start`.
    Data {
        decoder: Box<XzDecoder<&'d [u8]>>,
        start: usize,
        header: usize,
    },
}

impl<'d> XzStreams<'d> {
    /// `room`: the decompressed bytes the budget still allows this file.
    pub(super) fn new(data: &'d [u8], room: u64) -> Self {
        let max_dict = room
            .saturating_add(2 * CHUNK as u64)
            .min(u64::from(u32::MAX)) as u32;
        XzStreams {
            data,
            at: 0,
            max_dict,
            check_size: 0,
            state: State::Stream,
        }
    }

    /// Past a stream's padding, at its header: the check's size; `false` at the end.
    fn stream_header(&mut self) -> io::Result<bool> {
        if self.at > 0 {
            // Stream padding: zeros, four at a time.
            while self.data.get(self.at..self.at + 4) == Some(&[0; 4]) {
                self.at += 4;
            }
            if self.at == self.data.len() {
                return Ok(false);
            }
        }
        let header = self
            .data
            .get(self.at..self.at + 12)
            .ok_or_else(|| invalid("truncated xz stream header"))?;
        if &header[..6] != STREAM_MAGIC || header[6] != 0 || header[7] & 0xf0 != 0 {
            return Err(invalid("not an xz stream header"));
        }
        // 0, 4, 4, 4, 8, 8, 8, 16, … 64 bytes, by check id.
        self.check_size = match header[7] & 0x0f {
            0 => 0,
            id => 4 << ((id - 1) / 3),
        };
        self.at += 12;
        Ok(true)
    }

    /// At a block header: its decoder. At the index: skips it and the footer, `None`.
    fn block(&mut self) -> io::Result<Option<State<'d>>> {
        let first = *self
            .data
            .get(self.at)
            .ok_or_else(|| invalid("truncated xz stream"))?;
        if first == 0 {
            self.index()?;
            return Ok(None);
        }
        let size = (usize::from(first) + 1) * 4;
        let header = self
            .data
            .get(self.at..self.at + size)
            .ok_or_else(|| invalid("truncated xz block header"))?;
        let filters = self.filters(&header[1..size - 4])?;
        let stream = Stream::new_raw_decoder(&filters).map_err(lzma)?;
        let decoder = XzDecoder::new_stream(&self.data[self.at + size..], stream);
        Ok(Some(State::Data {
            decoder: Box::new(decoder),
            start: self.at,
            header: size,
        }))
    }

    /// A block header's flags and filter list (its size byte and CRC32 left out).
    fn filters(&self, header: &[u8]) -> io::Result<Filters> {
        let mut r = Bytes(header);
        let flags = r.byte()?;
        if flags & 0x3c != 0 {
            return Err(unsupported(
                "an xz block header flag this build does not know",
            ));
        }
        if flags & 0x40 != 0 {
            r.varint()?; // compressed size
        }
        if flags & 0x80 != 0 {
            r.varint()?; // uncompressed size
        }
        let count = (flags & 3) + 1;
        let mut filters = Filters::new();
        for i in 0..count {
            let id = r.varint()?;
            let len = usize::try_from(r.varint()?).map_err(|_| invalid("bad xz filter"))?;
            let props = r.take(len)?;
            let last = i + 1 == count;
            let added = match id {
                0x21 if last => {
                    let declared = lzma2_dict(props)?;
                    let mut opts = LzmaOptions::new();
                    opts.dict_size(declared.min(self.max_dict));
                    filters.lzma2(&opts);
                    Ok(())
                }
                0x03 if !last => filters.delta_properties(props).map(|_| ()),
                0x04 if !last => filters.x86_properties(props).map(|_| ()),
                0x05 if !last => filters.powerpc_properties(props).map(|_| ()),
                0x06 if !last => filters.ia64_properties(props).map(|_| ()),
                0x07 if !last => filters.arm_properties(props).map(|_| ()),
                0x08 if !last => filters.arm_thumb_properties(props).map(|_| ()),
                0x09 if !last => filters.sparc_properties(props).map(|_| ()),
                0x0a if !last => filters.arm64_properties(props).map(|_| ()),
                0x0b if !last => filters.riscv_properties(props).map(|_| ()),
                _ => {
                    return Err(unsupported(&format!(
                        "xz filter {id:#x} in this place is not decoded"
                    )))
                }
            };
            added.map_err(lzma)?;
        }
        Ok(filters)
    }

    /// The index and the stream footer after it: walked over, not checked against the blocks.
    fn index(&mut self) -> io::Result<()> {
        let start = self.at;
        let mut r = Bytes(&self.data[start + 1..]);
        let records = r.varint()?;
        for _ in 0..records {
            r.varint()?; // unpadded size
            r.varint()?; // uncompressed size
        }
        let len = self.data.len() - start - r.0.len();
        let end = start + len.next_multiple_of(4) + 4 + 12;
        let footer = self
            .data
            .get(end - 12..end)
            .ok_or_else(|| invalid("truncated xz index or footer"))?;
        if &footer[10..] != FOOTER_MAGIC {
            return Err(invalid("bad xz stream footer"));
        }
        self.at = end;
        Ok(())
    }
}

impl Read for XzStreams<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match &mut self.state {
                State::Stream => {
                    if !self.stream_header()? {
                        return Ok(0);
                    }
                    self.state = State::Block;
                }
                State::Block => match self.block()? {
                    Some(data) => self.state = data,
                    None => self.state = State::Stream,
                },
                State::Data {
                    decoder,
                    start,
                    header,
                } => {
                    let want = buf.len().min(CHUNK);
                    let n = decoder.read(&mut buf[..want])?;
                    if n > 0 {
                        return Ok(n);
                    }
                    // The block's end: its padding to four bytes, then its check.
                    let unpadded = *header as u64 + decoder.total_in();
                    let next = (*start as u64)
                        .saturating_add(unpadded.next_multiple_of(4))
                        .saturating_add(self.check_size as u64);
                    if next > self.data.len() as u64 {
                        return Err(invalid("truncated xz block"));
                    }
                    self.at = next as usize;
                    self.state = State::Block;
                }
            }
        }
    }
}

/// The dictionary size an LZMA2 filter's one property byte declares.
fn lzma2_dict(props: &[u8]) -> io::Result<u32> {
    match props {
        [40] => Ok(u32::MAX),
        [p] if *p < 40 => Ok((2 | u32::from(p & 1)) << (p / 2 + 11)),
        _ => Err(invalid("bad LZMA2 properties")),
    }
}

/// A cursor over a header's bytes.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn byte(&mut self) -> io::Result<u8> {
        let (&b, rest) = self
            .0
            .split_first()
            .ok_or_else(|| invalid("truncated xz header"))?;
        self.0 = rest;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(invalid("truncated xz header"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    /// xz's variable-length integer: seven bits a byte, low first, at most nine bytes.
    fn varint(&mut self) -> io::Result<u64> {
        let mut value = 0u64;
        for i in 0..9 {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(invalid("bad xz integer"))
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

fn unsupported(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, what.to_owned())
}

fn lzma(err: liblzma::stream::Error) -> io::Error {
    let kind = match err {
        liblzma::stream::Error::Options => io::ErrorKind::Unsupported,
        liblzma::stream::Error::Mem => io::ErrorKind::OutOfMemory,
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use liblzma::stream::Check;

    fn xz(data: &[u8], filters: Option<&Filters>) -> Vec<u8> {
        let stream = match filters {
            Some(f) => Stream::new_stream_encoder(f, Check::Crc64).unwrap(),
            None => Stream::new_easy_encoder(1, Check::Crc32).unwrap(),
        };
        let mut out = Vec::new();
        liblzma::read::XzEncoder::new_stream(data, stream)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn decode(data: &[u8], room: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        XzStreams::new(data, room).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn streams_blocks_and_filters_decode() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        // Two streams back to back, the second with x86 BCJ and delta in front of LZMA2 and
        // stream padding between them.
        let mut opts = LzmaOptions::new_preset(1).unwrap();
        opts.dict_size(1 << 16);
        let mut filters = Filters::new();
        filters.x86();
        filters.delta_properties(&[3]).unwrap();
        filters.lzma2(&opts);
        let mut data = xz(&text, None);
        data.extend_from_slice(&[0; 8]);
        data.extend(xz(b"second", Some(&filters)));
        let mut want = text.clone();
        want.extend_from_slice(b"second");
        assert_eq!(decode(&data, u64::MAX).unwrap(), want);
        // A tight room shrinks the dictionary, not what a valid file decodes to.
        assert_eq!(decode(&data, 4096).unwrap(), want);
    }

    #[test]
    fn damage_is_an_error_with_what_came_before() {
        let text = b"line one\n".repeat(5000);
        let data = xz(&text, None);
        let mut r = XzStreams::new(&data[..data.len() - 20], u64::MAX);
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
        assert_eq!(out, text, "the whole block came before the cut index");
        assert!(decode(b"\xfd7zXZ\0\0\x01", u64::MAX).is_err());
        assert!(decode(b"not xz at all", u64::MAX).is_err());
        assert!(decode(b"", u64::MAX).is_err());
    }

    #[test]
    fn declared_dictionaries_are_read() {
        assert_eq!(lzma2_dict(&[0]).unwrap(), 4096);
        assert_eq!(lzma2_dict(&[1]).unwrap(), 6144);
        assert_eq!(lzma2_dict(&[22]).unwrap(), 8 << 20);
        assert_eq!(lzma2_dict(&[40]).unwrap(), u32::MAX);
        assert!(lzma2_dict(&[41]).is_err());
        assert!(lzma2_dict(&[]).is_err());
    }
}
