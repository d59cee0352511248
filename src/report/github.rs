//! `--format github`: workflow commands that GitHub Actions turns into annotations.

use std::io::{self, Write};

use super::Report;
use crate::rules::Severity;

/// Escapes a message (data) as the runner expects.
fn data(text: &str) -> String {
    crate::output::escape(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
fn prop(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for f in report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={}", prop(&f.path));
        if let Some(line) = f.line {
            props.push_str(&format!(",line={line}"));
        }
        if let Some(col) = f.column {
            props.push_str(&format!(",col={col}"));
        }
        props.push_str(&format!(
            ",title={}",
            prop(&format!("{} {}", f.rule, f.name))
        ));
        let subject = match &f.token {
            Some(t) => format!("{} {}", t.redacted, t.fingerprint),
            None => f.subject(),
        };
        let msg = format!("{} ({subject}). {}", f.message, f.help);
        writeln!(out, "::{level} {props}::{}", data(&msg))?;
    }
    for e in report.errors {
        writeln!(
            out,
            "::error file={}::{}",
            prop(&e.path),
            data(&format!("hfaudit could not read this file: {}", e.message))
        )?;
    }
    Ok(())
}
