//! `--format markdown`: a GitHub-flavoured Markdown summary (a table of findings), written for a
//! CI job summary (`$GITHUB_STEP_SUMMARY`) or a merge-request comment.
//!
//! Paths, commit authors and the Hub's token names come from whoever wrote the repository, so
//! every cell is escaped: no link, image, HTML tag or table break can be smuggled into the page.
//! Deterministic (no timing), so a snapshot pins it.

use std::io::{self, Write};

use super::Report;
use crate::judge::Finding;
use crate::rules::Severity;
use crate::verify::Status;

/// Rows shown before the table is cut: a job summary holds at most 1 MiB.
const MAX_ROWS: usize = 500;

/// Escapes text for a table cell, after redacting it (see [`crate::output::escaped`]): the
/// punctuation of code, emphasis, links and math gets a backslash, `<`, `>` and `&` become
/// entities, `|` cannot end the cell, and control characters (newlines included) become spaces.
pub(super) fn cell(text: &str) -> String {
    crate::output::escaped(text, |t| std::borrow::Cow::Owned(markdown_cell(t))).into_owned()
}

/// [`cell`]'s escaping alone: it turns `hf_` into `hf\_`, so it runs on redacted text only.
fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span for text of our own making (a redacted token, a fingerprint); anything else is
/// escaped as a plain cell.
fn code(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '…')
    {
        format!("`{text}`")
    } else {
        cell(text)
    }
}

fn place(path: &str, line: Option<u64>, column: Option<u64>, offset: u64) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
        (Some(l), None) => format!("{path}:{l}"),
        _ => format!("{path} (byte {offset})"),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 || word == "info" {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn row(f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let mut at = place(&f.path, f.line, f.column, f.offset);
    if f.locations.len() > 1 {
        at.push_str(&format!(" (+{} more)", f.locations.len() - 1));
    }
    if let Some(c) = &f.commit {
        at.push_str(&format!(" in {}", &c.id[..c.id.len().min(12)]));
    }
    // The practice rules are about a variable that should hold a token, not about a token.
    let token = match &f.token {
        Some(t) => format!("{} {}", code(&t.redacted), code(t.fingerprint.as_str())),
        None => cell(&f.subject()),
    };
    let mut what = f.message.clone();
    if f.verification.status != Status::Skipped {
        what.push_str(&format!(" (hub: {})", f.verification.status.as_str()));
    }
    writeln!(
        out,
        "| {} | {} {} | {} | {} | {} |",
        f.severity.as_str(),
        cell(&f.rule),
        cell(&f.name),
        cell(&at),
        token,
        cell(&what),
    )
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let files = plural(s.files_scanned as usize, "file");
    if report.findings.is_empty() {
        writeln!(out, "### hfaudit: no Hugging Face token found")?;
        writeln!(out)?;
        writeln!(out, "{files} scanned.")?;
    } else {
        let mut parts = Vec::new();
        for (sev, word) in [
            (Severity::Error, "error"),
            (Severity::Warning, "warning"),
            (Severity::Info, "info"),
        ] {
            let n = report.count(sev);
            if n > 0 {
                parts.push(plural(n, word));
            }
        }
        writeln!(
            out,
            "### hfaudit: {} ({})",
            plural(report.findings.len(), "finding"),
            parts.join(", ")
        )?;
        writeln!(out)?;
        writeln!(out, "| severity | rule | where | token | finding |")?;
        writeln!(out, "| --- | --- | --- | --- | --- |")?;
        for f in report.findings.iter().take(MAX_ROWS) {
            row(f, out)?;
        }
        if report.findings.len() > MAX_ROWS {
            writeln!(
                out,
                "\n… and {} more: see the JSON or SARIF report.",
                report.findings.len() - MAX_ROWS
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{files} scanned. Tokens are shown redacted, with the first 16 hex digits of their \
             SHA-256. A leaked token stays exposed in the history: revoke it at \
             https://huggingface.co/settings/tokens first, then remove it. `hfaudit rule ID` \
             explains a rule and its fix."
        )?;
    }
    let mut extra = Vec::new();
    if s.suppressed > 0 {
        extra.push(format!("{} suppressed", s.suppressed));
    }
    if s.files_skipped > 0 {
        extra.push(format!(
            "{} skipped",
            plural(s.files_skipped as usize, "file")
        ));
    }
    if s.skipped_checks > 0 {
        extra.push(format!(
            "{} skipped for want of `--verify` ({})",
            plural(s.skipped_checks as usize, "check"),
            s.skipped_rules.join(", ")
        ));
    }
    if !extra.is_empty() {
        writeln!(out)?;
        writeln!(out, "Also: {}.", extra.join("; "))?;
    }
    if !report.errors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "**{} could not be read** (exit code 2):",
            plural(report.errors.len(), "file")
        )?;
        writeln!(out)?;
        for e in report.errors.iter().take(MAX_ROWS) {
            writeln!(out, "- {}: {}", cell(&e.path), cell(&e.message))?;
        }
    }
    for n in &report.notes {
        writeln!(out)?;
        writeln!(out, "Note: {}", cell(n))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cell;

    /// The escaper breaks the prefix (`hf\_`), so a token in a name must be redacted first.
    #[test]
    fn a_token_in_a_cell_is_redacted_before_it_is_escaped() {
        let body = "Zq8Wm3Lp5Tn7Rb2Vc4Xd6Yf9Gh1Jk0Ns2Q";
        let got = cell(&format!("dir_hf_{body}/a_hf_{body}.py"));
        assert!(!got.contains(&body[4..20]), "{got}");
        assert!(got.contains("hf\\_Zq8W…Ns2Q"), "{got}");
    }

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        let evil = "a|b<img src=x>[link](http://x)`code`\n# head & \u{1b}[31m";
        let got = cell(evil);
        assert!(!got.contains('\n') && !got.contains('\u{1b}'));
        assert!(!got.contains('<') && !got.contains('>'));
        // Every `|` is escaped, so the row keeps its columns.
        assert_eq!(got.matches('|').count(), got.matches("\\|").count());
        assert_eq!(
            got,
            "a\\|b&lt;img src=x&gt;\\[link\\](http://x)\\`code\\` # head &amp;  \\[31m"
        );
    }
}
