//! `--format json`: the report contract documented field by field in docs/json.md (a test keeps
//! the two in step), one document, streamed from borrowed structs (no intermediate JSON tree: a
//! report of 40,000 findings stays small).

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Summary};
use crate::judge::{FindingContext, Location, TokenInfo};
use crate::model::{CommitInfo, ScanError, Skipped, Source};
use crate::rules::Severity;
use crate::verify::Verification;

/// One finding, fields in contract order.
#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    help: &'a str,
    path: &'a str,
    line: Option<u64>,
    column: Option<u64>,
    offset: u64,
    token: Option<&'a TokenInfo>,
    context: &'a FindingContext,
    verification: &'a Verification,
    locations: &'a [Location],
    commit: Option<&'a CommitInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation: Option<crate::judge::Revocation>,
    source: Option<&'a Source>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    errors: &'a [ScanError],
    skipped: &'a [Skipped],
    summary: &'a Summary,
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let doc = JsonReport {
        version: 1,
        tool: Tool {
            name: "hfaudit",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule: &f.rule,
                name: &f.name,
                severity: f.severity,
                message: &f.message,
                help: &f.help,
                path: &f.path,
                line: f.line,
                column: f.column,
                offset: f.offset,
                token: f.token.as_ref(),
                context: &f.context,
                verification: &f.verification,
                locations: &f.locations,
                commit: f.commit.as_ref(),
                revocation: f.revocation,
                source: f.source.as_ref(),
            })
            .collect(),
        errors: report.errors,
        skipped: report.skipped,
        summary: &report.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
