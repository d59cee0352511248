//! Inputs the fuzz targets (`fuzz/`) found breaking a promise, each kept as a test that failed
//! before its fix. `fuzz/README.md` says how a crash becomes one of these.

use hfaudit::fuzzing::Fields;

use crate::common::{fake_tokens, hfaudit, json_report, write};

/// `fuzz/fuzz_targets/baseline.rs`: two branches' baselines merged list an entry twice, and
/// the scan called the second spelling stale, which stops `--revoke` ("the baseline may not be
/// hiding what it was written for") though every entry matches.
#[test]
fn a_baseline_entry_written_twice_is_not_stale() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(170, 2);
    write(dir.path(), "app.py", format!("login(\"{}\")\n", t[0]));
    write(dir.path(), "notes.txt", format!("token {}\n", t[1]));
    let out = hfaudit()
        .current_dir(dir.path())
        .arg("baseline")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut baseline: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = baseline["entries"].as_array_mut().unwrap();
    assert_eq!(entries.len(), 2);
    let twice: Vec<serde_json::Value> = entries.iter().chain(entries.iter()).cloned().collect();
    *entries = twice;
    write(
        dir.path(),
        "baseline.json",
        serde_json::to_vec(&baseline).unwrap(),
    );
    let r = json_report(dir.path(), &["--baseline", "baseline.json"]);
    assert!(r["findings"].as_array().unwrap().is_empty());
    assert_eq!(r["summary"]["stale_baseline"], 0, "{}", r["summary"]);
    // An entry for a place the scan no longer finds is still stale, each time it is written.
    std::fs::remove_file(dir.path().join("notes.txt")).unwrap();
    let r = json_report(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(r["summary"]["stale_baseline"], 2, "{}", r["summary"]);
}

/// `fuzz/fuzz_targets/hub_json.rs`: a discussions page whose `start` is near 2^64 overflowed
/// the page arithmetic (a panic in debug builds, a wrapped sum asking for more pages in
/// release ones). It is the last page.
#[test]
fn a_discussions_page_starting_near_the_end_of_u64_is_the_last() {
    let page = format!(
        "{{\"discussions\": [{{\"num\": 3}}], \"count\": 9, \"start\": {}}}",
        u64::MAX
    );
    let (listed, last) = hfaudit::fuzzing::hub_discussion_page(page.as_bytes()).unwrap();
    let nums: Vec<u64> = listed.iter().map(|(n, _)| *n).collect();
    assert_eq!(nums, [3]);
    assert!(last);
    let page = b"{\"discussions\": [{\"num\": 3}], \"count\": 9, \"start\": 0}";
    let (_, last) = hfaudit::fuzzing::hub_discussion_page(page).unwrap();
    assert!(!last, "an ordinary first page has more after it");
}

/// `fuzz/fuzz_targets/git_parse.rs`: an error quoted the whole field it could not read (a
/// commit header as long as its author's name), escaped: one line of an error became
/// kilobytes. It quotes 60 characters.
#[test]
fn a_git_parse_error_quotes_a_short_part_of_the_field() {
    for stream in [
        format!("\x01{}\0", "\x18".repeat(10_000)),
        format!(":{}\0path\0", "100644 ".repeat(2_000)),
        format!("x{}\0", "y".repeat(10_000)),
    ] {
        let err = Fields::new(stream.as_bytes()).next_item().unwrap_err();
        assert!(err.len() <= 700, "an error of {} bytes", err.len());
    }
    let entry = format!("{}\tpath\0", "x".repeat(5_000));
    let err = Fields::new(entry.as_bytes())
        .next_stage_entry()
        .unwrap_err();
    assert!(err.len() <= 700, "an error of {} bytes", err.len());
}

/// `fuzz/fuzz_targets/inspect.rs` and `archive.rs`: an xz file whose footer declares an index
/// of 2^32 four-byte units made lzma-rs compute `(backward_size + 1) << 2` in 32 bits: a
/// panic wherever overflow checks are on (debug builds, the tests). The liblzma walk
/// (`src/archive/xz.rs`) reads the index by its records and never that size: the block decodes
/// and the file is scanned. Whatever a damaged xz footer says, never a crash.
#[test]
fn an_xz_footer_with_an_index_of_2_32_units_is_damage_not_a_panic() {
    // `x = 1\n` as xz (CRC32 check), then the footer's backward size set to 0xFFFFFFFF.
    const XZ: [u8; 60] = [
        0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x01, 0x69, 0x22, 0xde, 0x36, 0x02, 0x00, 0x21,
        0x01, 0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3, 0x01, 0x00, 0x05, 0x78, 0x20, 0x3d,
        0x20, 0x31, 0x0a, 0x00, 0x00, 0x00, 0x3b, 0x89, 0xf6, 0x8b, 0x00, 0x01, 0x1a, 0x06, 0xc5,
        0xea, 0xc8, 0x79, 0x90, 0x42, 0x99, 0x0d, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x59, 0x5a,
    ];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "settings.py.xz", XZ);
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["files_scanned"], 1);
}
