//! The baseline reader: never a panic; a baseline it accepts is version 1 and survives being
//! written and read again; applied to findings it keeps or hides each one once, and calls an
//! entry stale exactly when no finding matches it.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use hfaudit::engine::Engine;
use hfaudit::fold::{self, Progress};
use hfaudit::judge::Finding;
use hfaudit::model::ScanOutput;
use hfaudit::origin::Origin;
use hfaudit::report::Roots;
use hfaudit::suppress::Baseline;
use libfuzzer_sys::fuzz_target;

/// Findings of a small scan of fake tokens (built at run time): what entries can match.
static FINDINGS: LazyLock<Vec<Finding>> = LazyLock::new(|| {
    let engine = Engine::builtin().expect("built-in rules");
    // A linear congruential generator: `fuzz/seed.py` makes the same tokens for the seeds.
    let fake = |seed: u64| -> String {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut state = seed;
        let body: String = (0..34)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                char::from(ALNUM[((state >> 33) % 62) as usize])
            })
            .collect();
        format!("hf_{body}")
    };
    let files = [
        (".env", format!("HF_TOKEN={}\n", fake(1))),
        (
            "app.py",
            format!("login(\"{}\")\nx = \"{}\"\n", fake(2), fake(1)),
        ),
        ("notes.txt", format!("token {}\n", fake(3))),
    ];
    let mut output = ScanOutput::default();
    for (name, text) in &files {
        let found = engine
            .inspector()
            .inspect(Origin::File((*name).into()), text.as_bytes());
        fold::record(&mut output, &Progress::default(), found);
    }
    fold::finish(&mut output, &engine.listing);
    let findings = engine.judge(&output, None).findings;
    assert!(findings.len() >= 3, "the fake tokens make findings");
    findings
});

fuzz_target!(|data: &[u8]| {
    let path = Path::new("baseline.json");
    let baseline = match Baseline::parse(path, data) {
        Ok(b) => b,
        Err(e) => {
            assert!(e.to_string().contains("baseline.json"));
            return;
        }
    };
    assert_eq!(baseline.version, 1);
    let written = serde_json::to_vec(&baseline).expect("a baseline serialises");
    let again = Baseline::parse(path, &written).expect("a written baseline reads back");
    assert_eq!(again.entries, baseline.entries);

    let roots = Roots::default();
    let findings = FINDINGS.clone();
    let (kept, hidden, stale) = baseline.apply(findings.clone(), &roots);
    assert_eq!(kept.len() + hidden, findings.len());
    let matches = |e: &hfaudit::suppress::BaselineEntry, f: &Finding| {
        e.rule == f.rule
            && e.fingerprint == f.fingerprint().to_string()
            && f.locations.iter().any(|l| l.path == e.path)
    };
    let expected_stale = baseline
        .entries
        .iter()
        .filter(|e| !findings.iter().any(|f| matches(e, f)))
        .count();
    assert_eq!(stale, expected_stale, "stale entries");
    let expected_hidden = findings
        .iter()
        .filter(|f| baseline.entries.iter().any(|e| matches(e, f)))
        .count();
    assert_eq!(hidden, expected_hidden, "hidden findings");
});
