//! The report of `hfaudit whoami`: each token of this machine, redacted, with what the Hub said
//! and the advice that applies. Human and JSON; like every report, it never sees a raw token.

use std::io::{self, Write};

use serde_json::json;

use super::human::hub_line;
use crate::rules::Severity;
use crate::whoami::Audit;

pub fn render_human(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "hfaudit whoami · {}", audit.endpoint)?;
    for e in &audit.tokens {
        writeln!(out)?;
        let active = if e.active { "active · " } else { "" };
        writeln!(
            out,
            "{} (fingerprint {}) · {active}{}",
            e.token.redacted,
            e.token.fingerprint,
            e.sources.join(", ")
        )?;
        writeln!(out, "  {}", hub_line(&e.verification))?;
        if !e.verification.orgs.is_empty() {
            writeln!(out, "  orgs: {}", e.verification.orgs.join(", "))?;
        }
        if e.advice.is_empty() && e.verification.status.is_answer() {
            writeln!(out, "  ok: nothing to advise")?;
        }
        for a in &e.advice {
            let rule = a
                .rule
                .as_deref()
                .map(|r| format!("[{r}]"))
                .unwrap_or_default();
            writeln!(out, "  {}{rule}: {}", a.severity, a.message)?;
            if let Some(help) = &a.help {
                writeln!(out, "    help: {help}")?;
            }
        }
    }
    writeln!(out)?;
    let n = audit.tokens.len();
    let mut parts = Vec::new();
    for s in [Severity::Error, Severity::Warning, Severity::Info] {
        let c = audit.count(s);
        if c > 0 {
            let plural = if c > 1 && s != Severity::Info {
                "s"
            } else {
                ""
            };
            parts.push(format!("{c} {s}{plural}"));
        }
    }
    let advice = if parts.is_empty() {
        "nothing to advise".to_owned()
    } else {
        parts.join(", ")
    };
    writeln!(out, "{n} token{}: {advice}", if n == 1 { "" } else { "s" })?;
    for note in &audit.notes {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

pub fn render_json(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let value = json!({
        "version": 1,
        "tool": {"name": "hfaudit", "version": env!("CARGO_PKG_VERSION")},
        "endpoint": audit.endpoint,
        "tokens": audit.tokens,
        "notes": audit.notes,
        "summary": {
            "tokens": audit.tokens.len(),
            "errors": audit.count(Severity::Error),
            "warnings": audit.count(Severity::Warning),
            "info": audit.count(Severity::Info),
        },
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}
