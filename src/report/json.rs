//! `--format json`: the report contract documented field by field in docs/json.md (a test keeps
//! the two in step), one document, streamed from borrowed structs (no intermediate JSON tree: a
//! report of 40,000 findings stays small).

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::{Report, Summary};
use crate::judge::{Finding, FindingContext, Location, Revocation, TokenInfo};
use crate::model::{CommitInfo, ScanError, Skipped, Source};
use crate::rules::Severity;
use crate::state::TokenRecord;
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
    /// Everything the finding stands on was taken from the state file (`--state`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    from_state: bool,
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
    /// Every token found and every place it occurs (suppressed ones too), without the token:
    /// what `hfaudit merge` needs to judge across reports (HF003).
    tokens: &'a [TokenRecord],
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
                from_state: f.from_state,
            })
            .collect(),
        errors: report.errors,
        skipped: report.skipped,
        summary: &report.summary,
        tokens: report.tokens,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// A finding as the JSON report writes it, read back.
#[derive(Deserialize)]
struct ReadFinding {
    rule: String,
    name: String,
    severity: Severity,
    message: String,
    help: String,
    path: String,
    line: Option<u64>,
    column: Option<u64>,
    offset: u64,
    token: Option<TokenInfo>,
    context: FindingContext,
    verification: Verification,
    locations: Vec<Location>,
    commit: Option<CommitInfo>,
    #[serde(default)]
    revocation: Option<Revocation>,
    source: Option<Source>,
    #[serde(default)]
    from_state: bool,
}

#[derive(Deserialize)]
struct ReadTool {
    name: String,
}

#[derive(Deserialize)]
struct ReadReport {
    version: u32,
    tool: ReadTool,
    findings: Vec<ReadFinding>,
    #[serde(default)]
    errors: Vec<ScanError>,
    #[serde(default)]
    skipped: Vec<Skipped>,
    summary: Summary,
    tokens: Option<Vec<TokenRecord>>,
}

/// A JSON report read back (`hfaudit merge`).
pub struct Parsed {
    pub findings: Vec<Finding>,
    /// `None`: the report predates the `tokens` list.
    pub tokens: Option<Vec<TokenRecord>>,
    pub errors: Vec<ScanError>,
    pub skipped: Vec<Skipped>,
    pub summary: Summary,
}

/// Reads a report this format wrote; anything else is an error that says what it is not.
pub fn read(data: &[u8]) -> Result<Parsed, String> {
    let r: ReadReport = serde_json::from_slice(data).map_err(|e| {
        format!(
            "not an hfaudit JSON report ({})",
            crate::output::redacted(&e.to_string())
        )
    })?;
    if r.tool.name != "hfaudit" || r.version != 1 {
        return Err(format!(
            "a report of {} version {}, not an hfaudit JSON report version 1",
            crate::output::escape(&r.tool.name),
            r.version
        ));
    }
    let findings = r
        .findings
        .into_iter()
        .map(|f| Finding {
            rule: f.rule,
            name: f.name,
            severity: f.severity,
            message: f.message,
            help: f.help.into(),
            path: f.path,
            line: f.line,
            column: f.column,
            offset: f.offset,
            token: f.token,
            context: f.context,
            verification: f.verification,
            locations: f.locations,
            commit: f.commit,
            source: f.source,
            snippet: None,
            revocation: f.revocation,
            from_state: f.from_state,
        })
        .collect();
    Ok(Parsed {
        findings,
        tokens: r.tokens,
        errors: r.errors,
        skipped: r.skipped,
        summary: r.summary,
    })
}
