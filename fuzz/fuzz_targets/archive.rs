//! The archive walker (zip, tar, gzip, bzip2, xz, zstd, nested): never a panic; members within
//! the limits (entries, depth, and decompressed bytes no more than the input plus what the
//! budget allows), and a stream member ends when the budget does.

#![no_main]

use std::io::{self, Read};
use std::sync::Arc;

use hfaudit::archive::{self, Archives, Limits, Members};
use hfaudit::origin::Origin;
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    max_size: 1 << 20,
    max_total: 1 << 30,
    max_ratio: 100,
    max_depth: 4,
    max_entries: 64,
};

/// Below this many decompressed bytes the ratio is not checked (as `archive` does).
const RATIO_FLOOR: u64 = 1 << 20;

#[derive(Default)]
struct Sink {
    members: u64,
    bytes: u64,
}

/// Archives a member is inside: 1 for a member of the file itself.
fn depth(origin: &Origin) -> u32 {
    match origin {
        Origin::Member { outer, .. } => 1 + depth(outer),
        _ => 0,
    }
}

impl Sink {
    fn member(&mut self, origin: &Origin, len: u64) {
        self.members += 1;
        self.bytes += len;
        let d = depth(origin);
        assert!(
            (1..=LIMITS.max_depth).contains(&d),
            "a member {d} archives deep"
        );
    }
}

impl Members for Sink {
    fn bytes(&mut self, origin: Origin, data: &[u8]) {
        self.member(&origin, data.len() as u64);
    }

    fn stream(&mut self, origin: Origin, reader: &mut dyn Read) -> io::Result<()> {
        // A stream must end by itself at the budget: read it all, in pieces.
        let mut buf = vec![0u8; 1 << 16];
        let mut len = 0u64;
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            len += n as u64;
            assert!(len <= 2 * LIMITS.max_size, "a stream past the budget");
        }
        self.member(&origin, len);
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let archives = Archives::new(LIMITS);
    let origin = Arc::new(Origin::File("upload.tar.gz".into()));
    let mut sink = Sink::default();
    let notes = archive::open(&archives, &origin, data, &mut sink);
    if archive::kind_of(data).is_none() {
        assert_eq!(sink.members, 0);
        assert!(notes.skipped.is_empty() && notes.errors.is_empty());
        return;
    }
    // Each entry counts; a compressed single file is one member more.
    assert!(
        sink.members <= LIMITS.max_entries + 1,
        "{} members",
        sink.members
    );
    let budget = LIMITS
        .max_size
        .min((data.len() as u64 * LIMITS.max_ratio).max(RATIO_FLOOR));
    assert!(
        sink.bytes <= data.len() as u64 + budget,
        "{} bytes of members from {} bytes",
        sink.bytes,
        data.len()
    );
    for s in &notes.skipped {
        assert!(!s.reason.is_empty());
    }
});
