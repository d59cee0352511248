//! Parsing git's machine output: `--raw -z` diff records (plain and combined, as `git log`,
//! `git diff-index` print them), the commit headers hfaudit asks `git log` for, and
//! `git ls-files --stage -z`. Pure functions over bytes, so they are tested without git.

use std::io::{self, BufRead};

/// The commit header format passed to `git log --format`: a 0x01 marker, then id, parents,
/// author and date separated by 0x1f (no NUL: with `-z` git ends the header with one).
pub const LOG_FORMAT: &str = "%x01%H %P%x1f%an <%ae>%x1f%aI";

/// One side of a raw diff record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub mode: String,
    pub oid: String,
}

impl Side {
    /// A regular file (100644, 100755, and git's legacy 100664), present on this side.
    /// Symlinks and submodules (gitlinks) hold no file content to scan.
    pub fn is_file(&self) -> bool {
        self.mode.starts_with("100") && !self.oid.bytes().all(|b| b == b'0')
    }
}

/// One raw diff record: the file before (one side per parent) and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub old: Vec<Side>,
    pub new: Side,
    /// The status letters (`M`, `A`, `R100`, or one letter per parent for a merge).
    pub status: String,
    /// The path after the change, repository-relative.
    pub path: Vec<u8>,
    /// For a rename or copy: the path it came from.
    pub from: Option<Vec<u8>>,
}

/// What a `git log --raw -z --format=LOG_FORMAT` stream holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Commit(Header),
    Record(Record),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub id: String,
    pub author: String,
    pub date: String,
}

/// Reads NUL-terminated fields from a stream, reusing one buffer.
pub struct Fields<R> {
    reader: R,
    buf: Vec<u8>,
}

impl<R: BufRead> Fields<R> {
    pub fn new(reader: R) -> Self {
        Fields {
            reader,
            buf: Vec::new(),
        }
    }

    /// The next field without its NUL; `None` at the end.
    fn next_field(&mut self) -> io::Result<Option<&[u8]>> {
        self.buf.clear();
        let n = self.reader.read_until(0, &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        if self.buf.last() == Some(&0) {
            self.buf.pop();
        }
        Ok(Some(&self.buf))
    }

    fn next_owned(&mut self) -> io::Result<Option<Vec<u8>>> {
        Ok(self.next_field()?.map(<[u8]>::to_vec))
    }

    /// The next commit header or raw record of a `git log`/`git diff-index` stream.
    pub fn next_item(&mut self) -> Result<Option<Item>, String> {
        loop {
            let Some(field) = self.next_field().map_err(|e| e.to_string())? else {
                return Ok(None);
            };
            // Between records git may put a newline (after a commit header) or an empty field.
            let field = field.strip_prefix(b"\n").unwrap_or(field);
            if field.is_empty() {
                continue;
            }
            if let Some(header) = field.strip_prefix(b"\x01") {
                return parse_header(header).map(|h| Some(Item::Commit(h)));
            }
            if field.first() == Some(&b':') {
                let meta = String::from_utf8_lossy(field).into_owned();
                let (old, new, status) = parse_meta(&meta)?;
                let two_paths = old.len() == 1 && matches!(status.as_bytes()[0], b'R' | b'C');
                let first = self.path_field()?;
                let (path, from) = if two_paths {
                    (self.path_field()?, Some(first))
                } else {
                    (first, None)
                };
                return Ok(Some(Item::Record(Record {
                    old,
                    new,
                    status,
                    path,
                    from,
                })));
            }
            return Err(format!(
                "expected a commit or a raw diff record, found {:?}",
                shown(&String::from_utf8_lossy(field))
            ));
        }
    }

    fn path_field(&mut self) -> Result<Vec<u8>, String> {
        match self.next_owned() {
            Ok(Some(p)) if !p.is_empty() => Ok(p),
            Ok(_) => Err("a raw diff record without its path".to_owned()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The next entry of `git ls-files --stage -z`: `MODE OID STAGE\tPATH`.
    pub fn next_stage_entry(&mut self) -> Result<Option<Record>, String> {
        let Some(field) = self.next_field().map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let tab = memchr::memchr(b'\t', field).ok_or("an index entry without a tab")?;
        let meta = String::from_utf8_lossy(&field[..tab]);
        let mut parts = meta.split(' ');
        let (Some(mode), Some(oid), Some(_stage)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "an index entry {:?} without mode, object and stage",
                shown(&meta)
            ));
        };
        Ok(Some(Record {
            old: Vec::new(),
            new: Side {
                mode: mode.to_owned(),
                oid: oid.to_owned(),
            },
            status: "A".to_owned(),
            path: field[tab + 1..].to_vec(),
            from: None,
        }))
    }
}

/// The start of a field quoted in an error: a commit's author can be as long as its author
/// likes, and an error message should stay a line.
fn shown(text: &str) -> &str {
    text.char_indices()
        .nth(60)
        .map_or(text, |(at, _)| &text[..at])
}

fn parse_header(header: &[u8]) -> Result<Header, String> {
    let text = String::from_utf8_lossy(header);
    let mut parts = text.split('\x1f');
    let (Some(ids), Some(author), Some(date)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!(
            "a commit header without author or date: {:?}",
            shown(&text)
        ));
    };
    let id = ids.split(' ').next().unwrap_or_default();
    if id.is_empty() {
        return Err("a commit header without an id".to_owned());
    }
    Ok(Header {
        id: id.to_owned(),
        author: author.to_owned(),
        date: date.to_owned(),
    })
}

/// Parses `:OLDMODE NEWMODE OLDOID NEWOID STATUS` or its combined (merge) form with one colon,
/// mode and object per parent: `::M1 M2 MR O1 O2 OR SS`.
fn parse_meta(meta: &str) -> Result<(Vec<Side>, Side, String), String> {
    let parents = meta.bytes().take_while(|b| *b == b':').count();
    let words: Vec<&str> = meta[parents..].split(' ').collect();
    let sides = parents + 1;
    if words.len() != 2 * sides + 1 {
        return Err(format!(
            "a raw diff record {:?} with the wrong number of fields",
            shown(meta)
        ));
    }
    let side = |i: usize| Side {
        mode: words[i].to_owned(),
        oid: words[sides + i].to_owned(),
    };
    let old = (0..parents).map(side).collect();
    let new = side(parents);
    let status = words[2 * sides].to_owned();
    if status.is_empty() {
        return Err(format!(
            "a raw diff record {:?} without a status",
            shown(meta)
        ));
    }
    Ok((old, new, status))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(stream: &[u8]) -> Vec<Item> {
        let mut f = Fields::new(stream);
        let mut out = Vec::new();
        while let Some(i) = f.next_item().unwrap() {
            out.push(i);
        }
        out
    }

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn log_stream_with_rename_merge_and_empty_commit() {
        let mut s = Vec::new();
        s.extend_from_slice(
            format!("\x01{A} {B}\x1fAnn <a@x>\x1f2024-01-02T03:04:05+00:00\0").as_bytes(),
        );
        s.extend_from_slice(
            format!("\n:100644 100644 {A} {B} R090\0old name\0new\nname\0").as_bytes(),
        );
        s.extend_from_slice(format!(":000000 100755 {Z} {A} A\0x.bin\0").as_bytes());
        // A merge with nothing to show, then a merge with a combined record.
        s.extend_from_slice(
            format!("\x01{B} {A} {A}\x1fBo <b@x>\x1f2024-01-03T00:00:00Z\0\0").as_bytes(),
        );
        s.extend_from_slice(format!("\x01{A}\x1fRoot <r@x>\x1f2024-01-01T00:00:00Z\0").as_bytes());
        s.extend_from_slice(format!("\n::100644 000000 100644 {A} {Z} {B} MA\0m.txt\0").as_bytes());
        let got = items(&s);
        assert_eq!(got.len(), 6, "{got:#?}");
        let Item::Commit(h) = &got[0] else { panic!() };
        assert_eq!((h.id.as_str(), h.author.as_str()), (A, "Ann <a@x>"));
        let Item::Record(r) = &got[1] else { panic!() };
        assert_eq!(r.path, b"new\nname");
        assert_eq!(r.from.as_deref(), Some(&b"old name"[..]));
        assert_eq!(r.old[0].oid, A);
        assert!(r.new.is_file());
        let Item::Record(r) = &got[2] else { panic!() };
        assert!(!r.old[0].is_file());
        assert_eq!(r.new.mode, "100755");
        assert!(matches!(&got[3], Item::Commit(h) if h.id == B));
        assert!(matches!(&got[4], Item::Commit(h) if h.id == A));
        let Item::Record(r) = &got[5] else { panic!() };
        assert_eq!(r.old.len(), 2);
        assert!(r.old[0].is_file() && !r.old[1].is_file());
        assert_eq!((r.status.as_str(), r.new.oid.as_str()), ("MA", B));
    }

    #[test]
    fn stage_entries() {
        let s = format!("100644 {A} 0\ta b\0120000 {B} 0\tlink\0");
        let mut f = Fields::new(s.as_bytes());
        let r = f.next_stage_entry().unwrap().unwrap();
        assert_eq!((r.path.as_slice(), r.new.is_file()), (&b"a b"[..], true));
        let r = f.next_stage_entry().unwrap().unwrap();
        assert!(!r.new.is_file());
        assert!(f.next_stage_entry().unwrap().is_none());
    }

    #[test]
    fn garbage_is_an_error() {
        let mut f = Fields::new(&b"hello\0"[..]);
        assert!(f.next_item().is_err());
        let mut f = Fields::new(&b":100644 100644 abc M\0p\0"[..]);
        assert!(f.next_item().is_err());
    }
}
