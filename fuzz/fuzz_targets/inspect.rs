//! One blob through the whole pipeline (archives opened, UTF-16 transcoded, notebooks read,
//! judged), then every report format written through the one text exit: no 16-character run
//! of any token (found by the detector, or `hf_` and 34 letters and digits anywhere in the
//! input or an archive member) shows in any of them, unless the input held that run outside
//! any token; JSON and SARIF stay valid JSON; at most one occurrence per 37 bytes read.
//!
//! The first byte picks the file's name (its platform: notebook, workflow, env file…); the
//! rest is the file.

#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::{Arc, LazyLock};

use clap::ValueEnum;
use hfaudit::archive::{self, Archives, Limits, Members};
use hfaudit::detect::utf16;
use hfaudit::engine::Engine;
use hfaudit::fold::{self, Progress};
use hfaudit::inspect::{Inspector, ListLimit};
use hfaudit::model::ScanOutput;
use hfaudit::origin::Origin;
use hfaudit::output::Redacting;
use hfaudit::report::{self, Format, Report, Roots, Summary};
use hfaudit::state::TokenRecord;
use libfuzzer_sys::fuzz_target;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::builtin().expect("built-in rules"));

/// Names whose platform or kind changes what is read and judged.
const NAMES: [&str; 16] = [
    "app.py",
    ".env",
    "notebooks/explore.ipynb",
    "README.md",
    "Dockerfile",
    ".github/workflows/train.yml",
    "data/cache.bin",
    "dist/release.tar.gz",
    "config.json",
    "scripts/upload.sh",
    "docker-bake.hcl",
    "src/main.rs",
    "bundle.js",
    "docs/setup.md",
    "deploy/values.yaml",
    "notes.txt",
];

/// Small limits: a fuzz run decompresses a megabyte at most per input (the `archive` target
/// holds the limits themselves).
const LIMITS: Limits = Limits {
    max_size: 1 << 20,
    max_total: 64 << 20,
    max_ratio: 100,
    max_depth: 4,
    max_entries: 1000,
};

/// Every archive member's bytes (streamed ones read whole: the limits bound them).
#[derive(Default)]
struct Collect(Vec<Vec<u8>>);

impl Members for Collect {
    fn bytes(&mut self, _: Origin, data: &[u8]) {
        self.0.push(data.to_vec());
    }
    fn stream(&mut self, _: Origin, reader: &mut dyn Read) -> io::Result<()> {
        let mut data = Vec::new();
        reader.read_to_end(&mut data)?;
        self.0.push(data);
        Ok(())
    }
}

/// The texts a report may quote: the blob, or its members, each also as UTF-16 transcoded.
fn texts(data: &[u8]) -> Vec<Vec<u8>> {
    let mut blobs = vec![data.to_vec()];
    if archive::kind_of(data).is_some() {
        let mut members = Collect::default();
        let origin = Arc::new(Origin::File("blob".into()));
        let _ = archive::open(&Archives::new(LIMITS), &origin, data, &mut members);
        blobs.extend(members.0);
    }
    let mut out = Vec::new();
    for b in blobs {
        if let Some((le, bom)) = utf16::text(&b) {
            out.push(utf16::Transcoded::new(&b, le, bom).text.into_bytes());
        }
        out.push(b);
    }
    out
}

fuzz_target!(|input: &[u8]| {
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let engine = &*ENGINE;
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let listing = ListLimit::default();
    let archives = Archives::new(LIMITS);
    let inspector = Inspector {
        archives: Some(&archives),
        listing: &listing,
        ..engine.inspector()
    };
    let progress = Progress::default();
    let mut output = ScanOutput::default();
    fold::record(
        &mut output,
        &progress,
        inspector.inspect(Origin::File(name.into()), data),
    );
    fold::finish(&mut output, &listing);

    let judged = engine.judge(&output, None);
    if output.occurrences.is_empty()
        && judged.findings.is_empty()
        && output.errors.is_empty()
        && output.skipped.is_empty()
    {
        // The report holds nothing of the input: not worth the time of writing it.
        return;
    }
    let texts = texts(data);
    let read: usize = texts.iter().map(Vec::len).sum();
    assert!(
        output.occurrences.len() <= read / 37,
        "{} occurrences in {read} bytes",
        output.occurrences.len()
    );
    let mut by_rule = BTreeMap::new();
    for f in &judged.findings {
        *by_rule.entry(f.rule.clone()).or_insert(0u64) += 1;
    }
    // The JSON report's `tokens` (what `hfaudit merge` reads): redacted, as a scan lists them.
    let records = TokenRecord::group(&output.occurrences);
    let report = Report {
        findings: &judged.findings,
        errors: &output.errors,
        skipped: &output.skipped,
        summary: Summary {
            files_scanned: output.files_scanned,
            bytes_scanned: output.bytes_scanned,
            files_skipped: output.skipped.len() as u64,
            findings: judged.findings.len() as u64,
            by_rule,
            suppressed: judged.suppressed as u64,
            skipped_checks: judged.skipped_checks as u64,
            skipped_rules: judged.skipped_rules.clone(),
            ..Summary::default()
        },
        rules: &engine.rules,
        notes: output.notes.clone(),
        roots: Roots::default(),
        tokens: &records,
        quiet: false,
        // Every finding's help in full: the most text a report writes.
        verbose: true,
    };

    let mut tokens: Vec<String> = output
        .occurrences
        .iter()
        .map(|o| o.secret.expose().to_owned())
        .collect();
    for t in &texts {
        tokens.extend(common::token_shapes(t));
    }
    let allowed: Vec<Vec<u8>> = texts.iter().map(|t| common::blanked(t)).collect();
    for &format in Format::value_variants() {
        let mut written = Vec::new();
        {
            let mut out = Redacting::new(&mut written);
            report::render(format, &report, &mut out).expect("writing to memory");
            out.flush().expect("writing to memory");
        }
        if let Some(run) = common::leaked(tokens.iter().map(String::as_str), &written, &allowed) {
            panic!("{format:?} report shows {run:?}, part of a token");
        }
        if matches!(format, Format::Json | Format::Sarif) {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&written) {
                panic!("{format:?} report is not JSON: {e}");
            }
        }
    }
});
