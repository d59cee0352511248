//! `--format json`: the report contract of DESIGN §6, one document.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Report;
use crate::judge::Finding;

fn finding_value(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "help": f.help,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "offset": f.offset,
        "token": f.token,
        "context": f.context,
        "verification": f.verification,
        "locations": f.locations,
        "commit": f.commit,
    })
}

/// The whole report as a JSON value (also used by the baseline writer and tests).
pub fn json_value(report: &Report<'_>) -> Value {
    json!({
        "version": 1,
        "tool": {"name": "hfaudit", "version": env!("CARGO_PKG_VERSION")},
        "findings": report.findings.iter().map(finding_value).collect::<Vec<_>>(),
        "errors": report.errors,
        "skipped": report.skipped,
        "summary": report.summary,
    })
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &json_value(report))?;
    writeln!(out)
}
