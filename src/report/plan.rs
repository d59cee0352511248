//! `hfaudit plan` output: a page a person follows in the token settings, JSON (the plan as it
//! is), and Markdown for a pull request comment.
//!
//! Paths, repository ids and reasons come from the files planned: every one is escaped
//! (`output::escape`, or Markdown's cell escaper), after redaction.

use std::io::{self, Write};

use crate::access::Scoped;
use crate::output::escape;
use crate::plan::{Plan, TokenPlan, NAMESPACE, READ, WRITE};

/// Where fine-grained tokens are made.
pub const NEW_TOKEN_URL: &str = "https://huggingface.co/settings/tokens/new?tokenType=fineGrained";

/// The token page's words for a permission on one repository, or on every repository of a
/// namespace.
fn label(permission: &str, namespace: bool) -> String {
    let scope = if namespace {
        "all repos of this namespace"
    } else {
        "this repo"
    };
    match permission {
        READ => format!("Read access to contents of {scope}"),
        WRITE => format!("Write access to contents/settings of {scope}"),
        crate::plan::DISCUSS => {
            format!("Interact with discussions / Open pull requests on {scope}")
        }
        "inference.serverless.write" => "Make calls to Inference Providers".to_owned(),
        "inference.endpoints.infer.write" => "Make calls to your Inference Endpoints".to_owned(),
        other => other.to_owned(),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn place(path: &str, line: u64) -> String {
    format!("{path}:{line}")
}

/// The plan as people read it.
pub fn render_human(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    if plan.tokens.is_empty() {
        writeln!(
            out,
            "hfaudit plan: no call to the Hub found, so no token is needed here."
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "hfaudit plan: {}, one per platform. Create each at {NEW_TOKEN_URL}",
        plural(plan.tokens.len(), "token")
    )?;
    for (i, t) in plan.tokens.iter().enumerate() {
        writeln!(out)?;
        human_token(i + 1, t, out)?;
    }
    Ok(())
}

fn human_token(n: usize, t: &TokenPlan, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{n}. For {}: a fine-grained token named {}",
        t.platform.as_str(),
        escape(&t.name)
    )?;
    let (namespaces, repos): (Vec<&Scoped>, Vec<&Scoped>) =
        t.scoped.iter().partition(|s| s.entity.kind == NAMESPACE);
    if !repos.is_empty() {
        writeln!(
            out,
            "   Repositories permissions (search each repository, then tick):"
        )?;
        for s in &repos {
            writeln!(
                out,
                "     {} {}: {}",
                escape(&s.entity.kind),
                escape(&s.entity.name),
                s.permissions
                    .iter()
                    .map(|p| label(p, false))
                    .collect::<Vec<_>>()
                    .join("; ")
            )?;
        }
    }
    if !namespaces.is_empty() {
        writeln!(
            out,
            "   Namespace permissions (under User permissions if it is your account, else under \
             Org permissions), to create repositories:"
        )?;
        for s in &namespaces {
            writeln!(
                out,
                "     {}: {}",
                escape(&s.entity.name),
                s.permissions
                    .iter()
                    .map(|p| label(p, true))
                    .collect::<Vec<_>>()
                    .join("; ")
            )?;
        }
    }
    if !t.global.is_empty() {
        writeln!(out, "   Inference (User permissions):")?;
        for p in &t.global {
            writeln!(out, "     {} ({p})", label(p, false))?;
        }
    }
    if t.scoped.is_empty() && t.global.is_empty() {
        writeln!(
            out,
            "   No permission can be planned: every call below names its repository at run time."
        )?;
    } else {
        writeln!(out, "   Leave every other permission unticked.")?;
    }
    if !t.evidence.is_empty() {
        writeln!(out, "   Because of:")?;
        for e in &t.evidence {
            let repo = e
                .repo
                .as_deref()
                .map(|r| format!(" {}", escape(r)))
                .unwrap_or_default();
            writeln!(
                out,
                "     {}  {} ({}{repo})",
                escape(&place(&e.path, e.line)),
                escape(&e.call),
                e.access
            )?;
        }
    }
    if !t.unresolved.is_empty() {
        writeln!(
            out,
            "   Not planned: the repository is not a literal (add what these need by hand):"
        )?;
        for u in &t.unresolved {
            writeln!(
                out,
                "     {}  {} ({}): {}",
                escape(&place(&u.path, u.line)),
                escape(&u.call),
                u.access,
                escape(&u.why)
            )?;
        }
    }
    Ok(())
}

/// `--format json`: the plan as it is.
pub fn render_json(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, plan)?;
    writeln!(out)
}

/// Rows shown per table before it is cut (a pull request comment holds 64 KiB).
const MAX_ROWS: usize = 100;

/// `--format markdown`: for a pull request comment.
pub fn render_markdown(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    use super::markdown::cell;
    writeln!(out, "### hfaudit plan: the tokens this code needs")?;
    writeln!(out)?;
    if plan.tokens.is_empty() {
        writeln!(out, "No call to the Hub found: no token is needed.")?;
        return Ok(());
    }
    writeln!(
        out,
        "One fine-grained token per platform, with only these permissions ([create one]({NEW_TOKEN_URL}))."
    )?;
    for t in &plan.tokens {
        writeln!(out)?;
        writeln!(
            out,
            "#### {} ({})",
            cell(&t.name),
            cell(t.platform.as_str())
        )?;
        writeln!(out)?;
        if t.scoped.is_empty() && t.global.is_empty() {
            writeln!(out, "No permission can be planned from literals.")?;
        } else {
            writeln!(out, "| on | permissions |")?;
            writeln!(out, "| --- | --- |")?;
            for s in t.scoped.iter().take(MAX_ROWS) {
                writeln!(
                    out,
                    "| {} {} | {} |",
                    cell(&s.entity.kind),
                    cell(&s.entity.name),
                    cell(&s.permissions.join(", "))
                )?;
            }
            if !t.global.is_empty() {
                writeln!(out, "| inference | {} |", cell(&t.global.join(", ")))?;
            }
        }
        if !t.evidence.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "<details><summary>Why: {}</summary>",
                plural(t.evidence.len(), "call")
            )?;
            writeln!(out)?;
            writeln!(out, "| where | call | repository | access |")?;
            writeln!(out, "| --- | --- | --- | --- |")?;
            for e in t.evidence.iter().take(MAX_ROWS) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell(&place(&e.path, e.line)),
                    cell(&e.call),
                    cell(e.repo.as_deref().unwrap_or("")),
                    e.access
                )?;
            }
            if t.evidence.len() > MAX_ROWS {
                writeln!(out, "\n… and {} more.", t.evidence.len() - MAX_ROWS)?;
            }
            writeln!(out)?;
            writeln!(out, "</details>")?;
        }
        if !t.unresolved.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "Not planned ({}): the repository is not a literal.",
                plural(t.unresolved.len(), "call")
            )?;
            writeln!(out)?;
            writeln!(out, "| where | call | access | why |")?;
            writeln!(out, "| --- | --- | --- | --- |")?;
            for u in t.unresolved.iter().take(MAX_ROWS) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell(&place(&u.path, u.line)),
                    cell(&u.call),
                    u.access,
                    cell(&u.why)
                )?;
            }
            if t.unresolved.len() > MAX_ROWS {
                writeln!(out, "\n… and {} more.", t.unresolved.len() - MAX_ROWS)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{plan, Options};

    fn sample() -> Plan {
        plan(
            [
                (
                    "train/push.py",
                    "from huggingface_hub import HfApi\nHfApi().upload_file(path_or_fileobj=\"a\", path_in_repo=\"a\", repo_id=\"acme/m2\")\nc = InferenceClient()\n",
                ),
                (
                    "evil\u{1b}[31m|<b>.py",
                    "from huggingface_hub import upload_folder\nupload_folder(repo_id=args.repo, folder_path=\"x\")\n",
                ),
            ],
            &Options {
                project: "acme".into(),
                ..Options::default()
            },
        )
    }

    #[test]
    fn human_names_the_token_page_boxes_and_escapes_paths() {
        let mut out = Vec::new();
        render_human(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("a fine-grained token named acme-write-source"),
            "{text}"
        );
        assert!(text.contains("model acme/m2: Read access to contents of this repo; Write access to contents/settings of this repo"), "{text}");
        assert!(
            text.contains("Make calls to Inference Providers (inference.serverless.write)"),
            "{text}"
        );
        assert!(
            text.contains("train/push.py:2  upload_file (write model:acme/m2)"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("evil\\x1b[31m"), "{text}");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        let mut out = Vec::new();
        render_markdown(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("| model acme/m2 | repo.content.read, repo.write |"),
            "{text}"
        );
        assert!(!text.contains("<b>") && !text.contains('\u{1b}'), "{text}");
        assert!(text.contains("evil"), "{text}");
    }

    #[test]
    fn empty_plans_say_so() {
        let empty = Plan {
            version: 1,
            tokens: vec![],
        };
        for render in [render_human, render_markdown] {
            let mut out = Vec::new();
            render(&empty, &mut out).unwrap();
            assert!(
                String::from_utf8(out).unwrap().contains("no"),
                "says nothing is needed"
            );
        }
        let mut out = Vec::new();
        render_json(&empty, &mut out).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
            serde_json::json!({"version": 1, "tokens": []})
        );
    }
}
