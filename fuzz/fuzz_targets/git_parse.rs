//! git's output parsers (`log --raw -z` with hfaudit's header format, `diff-index --raw -z`,
//! `ls-files --stage -z`): never a panic or a loop; no more items than fields; each item
//! whole (an id, a status, a path); errors one short line.

#![no_main]

use hfaudit::fuzzing::{Fields, Item};
use libfuzzer_sys::fuzz_target;

/// An error quotes at most 60 characters of the field, each escaped to 10 at most (`\u{10ffff}`).
const MAX_ERROR: usize = 60 * 10 + 100;

/// An error is one short line, never the whole field it could not read.
fn short_error(e: &str) {
    assert!(
        !e.is_empty() && e.len() <= MAX_ERROR,
        "error of {}",
        e.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let fields = memchr::memchr_iter(0, data).count() + 1;

    let mut log = Fields::new(data);
    let mut items = 0;
    loop {
        match log.next_item() {
            Ok(Some(Item::Commit(h))) => {
                assert!(!h.id.is_empty() && !h.id.contains([' ', '\x1f']));
            }
            Ok(Some(Item::Record(r))) => {
                assert!(!r.status.is_empty());
                assert!(!r.path.is_empty());
                assert!(r.from.as_ref().is_none_or(|f| !f.is_empty()));
                for side in r.old.iter().chain([&r.new]) {
                    assert!(!side.mode.contains(' ') && !side.oid.contains(' '));
                }
            }
            Ok(None) => break,
            Err(e) => {
                short_error(&e);
                break;
            }
        }
        items += 1;
        assert!(items <= fields, "{items} items from {fields} fields");
    }

    let mut index = Fields::new(data);
    let mut entries = 0;
    loop {
        match index.next_stage_entry() {
            Ok(Some(r)) => {
                assert!(r.old.is_empty() && r.status == "A");
            }
            Ok(None) => break,
            Err(e) => {
                short_error(&e);
                break;
            }
        }
        entries += 1;
        assert!(entries <= fields, "{entries} entries from {fields} fields");
    }
});
