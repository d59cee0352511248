//! The human format: one block per finding (rustc-style), then a summary. Colour is written
//! unconditionally; the caller's `anstream` stream strips it for pipes, files and `NO_COLOR`.

use std::io::{self, Write};

use owo_colors::OwoColorize;

use super::Report;
use crate::judge::Finding;
use crate::output::escape;
use crate::rules::Severity;
use crate::verify::{Status, Verification};

fn sev(s: Severity) -> String {
    match s {
        Severity::Error => "error".red().bold().to_string(),
        Severity::Warning => "warning".yellow().bold().to_string(),
        Severity::Info => "info".cyan().bold().to_string(),
    }
}

fn place(path: &str, line: Option<u64>, column: Option<u64>, offset: u64) -> String {
    let path = escape(path);
    match (line, column) {
        (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
        (Some(l), None) => format!("{path}:{l}"),
        _ => format!("{path} (binary, byte offset {offset})"),
    }
}

/// One finding's block. `full_help`: print its help text in full (the first finding it applies
/// to, or every finding with `--verbose`); otherwise point at the rule's documentation.
fn finding(f: &Finding, full_help: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}{} {}: {}",
        sev(f.severity),
        format!("[{}]", f.rule).bold(),
        f.name.bold(),
        escape(&f.message)
    )?;
    writeln!(
        out,
        "  {} {}",
        "-->".blue().bold(),
        place(&f.path, f.line, f.column, f.offset)
    )?;
    if let (Some(line), Some(snippet)) = (f.line, &f.snippet) {
        let num = line.to_string();
        let pad = " ".repeat(num.len());
        writeln!(out, "  {pad} {}", "|".blue().bold())?;
        writeln!(
            out,
            "  {} {} {snippet}",
            num.blue().bold(),
            "|".blue().bold()
        )?;
        writeln!(out, "  {pad} {}", "|".blue().bold())?;
    }
    let mut ctx = match &f.token {
        Some(t) => format!(
            "token {} (fingerprint {}) · platform {} · usage {}",
            t.redacted,
            t.fingerprint,
            f.context.platform.as_str(),
            f.context.usage.as_str()
        ),
        None => format!("platform {}", f.context.platform.as_str()),
    };
    if let Some(var) = &f.context.env_var {
        if f.token.is_some() {
            ctx.push_str(&format!(" {}", escape(var)));
        } else {
            ctx.push_str(&format!(" · variable {}", escape(var)));
        }
    }
    if let Some(cell) = f.context.notebook_cell {
        let part = match cell.part {
            crate::context::CellPart::Source => "source",
            crate::context::CellPart::Output => "output",
        };
        ctx.push_str(&format!(" · cell {} {part}", cell.index));
    }
    if let Some(file) = &f.context.token_file {
        ctx.push_str(&format!(" · token file {}", escape(file)));
    }
    // A practice finding's need is about Hub access: only HF014's (the steps write) says one.
    if f.token.is_some() || f.context.need != crate::context::Need::Unknown {
        ctx.push_str(&format!(" · need {}", f.context.need.as_str()));
    }
    if !f.context.decoded.is_empty() {
        let chain: Vec<&str> = f.context.decoded.iter().map(|e| e.as_str()).collect();
        ctx.push_str(&format!(" · decoded from {}", chain.join(" in ")));
    }
    writeln!(out, "  {} {ctx}", "=".blue().bold())?;
    if f.verification.status != Status::Skipped {
        writeln!(
            out,
            "  {} {}",
            "=".blue().bold(),
            escape(&hub_line(&f.verification))
        )?;
    }
    if f.locations.len() > 1 {
        let all: Vec<String> = f
            .locations
            .iter()
            .map(|l| place(&l.path, l.line, l.column, 0))
            .collect();
        writeln!(out, "  {} found at: {}", "=".blue().bold(), all.join(", "))?;
    }
    if let Some(c) = &f.commit {
        writeln!(
            out,
            "  {} commit {} by {} on {}",
            "=".blue().bold(),
            escape(&c.id),
            escape(&c.author),
            escape(&c.date)
        )?;
    }
    if let Some(src) = &f.source {
        // The page a person opens to see it (and fix it) on the Hub.
        let anchor = match (src.item, f.line) {
            (crate::model::HubItem::File, Some(line)) => format!("#L{line}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {} on the Hub: {}{anchor}",
            "=".blue().bold(),
            escape(&src.url)
        )?;
    }
    if f.revocation.is_some() {
        writeln!(
            out,
            "  {} revocation requested: create a new token for each platform that used it",
            "=".blue().bold()
        )?;
    }
    if full_help {
        writeln!(
            out,
            "  {} {} {}",
            "=".blue().bold(),
            "help:".bold(),
            escape(&f.help)
        )?;
    } else {
        writeln!(
            out,
            "  {} {} as above for {} (`hfaudit rule {}`)",
            "=".blue().bold(),
            "help:".bold(),
            f.rule,
            f.rule
        )?;
    }
    writeln!(out)
}

/// `hub: valid · role write · name "x" · owner y · scopes a, b (detail)`: what `--verify` and
/// `whoami` learned about a token.
pub(crate) fn hub_line(v: &Verification) -> String {
    let mut line = format!("hub: {}", v.status.as_str());
    if let Some(role) = &v.role {
        line.push_str(&format!(" · role {role}"));
    }
    if let Some(name) = &v.token_name {
        line.push_str(&format!(" · name \"{name}\""));
    }
    if let Some(owner) = &v.owner {
        line.push_str(&format!(" · owner {owner}"));
    }
    if !v.permissions.is_empty() {
        line.push_str(&format!(" · scopes {}", v.permissions.join(", ")));
    }
    if let Some(detail) = &v.detail {
        line.push_str(&format!(" ({detail})"));
    }
    line
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Each help text once, with the first finding it applies to: a report of 40 leaked tokens
    // repeats no paragraph 40 times.
    let mut helped: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for f in report.findings {
        let full = report.verbose || helped.insert(&f.help);
        finding(f, full, out)?;
    }
    for e in report.errors {
        writeln!(
            out,
            "{}: cannot read {}: {}",
            "error".red().bold(),
            escape(&e.path),
            escape(&e.message)
        )?;
    }
    if report.quiet {
        // The findings and the unreadable files are all that is printed; a clean run prints
        // nothing.
        return Ok(());
    }
    for s in report.skipped {
        writeln!(
            out,
            "{}: skipped {}: {}",
            "note".bold(),
            escape(&s.path),
            escape(&s.reason)
        )?;
    }
    for n in &report.notes {
        writeln!(out, "{}: {}", "note".bold(), escape(n))?;
    }
    let s = &report.summary;
    let (e, w, i) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    let head = if report.findings.is_empty() {
        "no findings".green().bold().to_string()
    } else {
        let mut parts = Vec::new();
        for (n, word) in [(e, "error"), (w, "warning"), (i, "info")] {
            if n > 0 {
                parts.push(format!(
                    "{n} {word}{}",
                    if n == 1 || word == "info" { "" } else { "s" }
                ));
            }
        }
        let by_rule: Vec<String> = s.by_rule.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
        format!(
            "{} ({}; {})",
            format!(
                "{} finding{}",
                report.findings.len(),
                if report.findings.len() == 1 { "" } else { "s" }
            )
            .bold(),
            parts.join(", "),
            by_rule.join(", ")
        )
    };
    let mut tail = format!(
        "{} file{} ({}) in {} ms",
        s.files_scanned,
        if s.files_scanned == 1 { "" } else { "s" },
        size(s.bytes_scanned),
        s.duration_ms
    );
    if s.verified_tokens > 0 {
        tail.push_str(&format!(
            ", {} token{} verified",
            s.verified_tokens,
            if s.verified_tokens == 1 { "" } else { "s" }
        ));
    }
    if s.suppressed > 0 {
        tail.push_str(&format!(", {} suppressed", s.suppressed));
    }
    if s.files_skipped > 0 {
        tail.push_str(&format!(", {} skipped", s.files_skipped));
    }
    if !report.errors.is_empty() {
        tail.push_str(&format!(", {} unreadable", report.errors.len()));
    }
    if s.stale_baseline > 0 {
        tail.push_str(&format!(
            ", {} stale baseline entr{}",
            s.stale_baseline,
            if s.stale_baseline == 1 { "y" } else { "ies" }
        ));
    }
    writeln!(out, "{head} · {tail}")?;
    if let Some(config) = &s.config {
        writeln!(out, "{}: config {}", "note".bold(), escape(config))?;
    }
    let leaked = report
        .findings
        .iter()
        .any(|f| f.token.is_some() && matches!(f.rule.as_str(), "HF001" | "HF004" | "HF005"));
    if leaked && !report.findings.iter().any(|f| f.revocation.is_some()) {
        writeln!(
            out,
            "{}: a leaked token must be revoked: `hfaudit scan --revoke` sends the leaked tokens to \
             the Hub's revoke endpoint (POST /api/credentials/revoke: no login, the Hub e-mails \
             each owner), then create new ones",
            "advice".bold()
        )?;
    }
    if s.skipped_checks > 0 {
        writeln!(
            out,
            "{}: {} check{} need --verify ({}); run `hfaudit scan --verify` to ask the Hub what each token can do",
            "note".bold(),
            s.skipped_checks,
            if s.skipped_checks == 1 { "" } else { "s" },
            s.skipped_rules.join(", ")
        )?;
    }
    Ok(())
}
