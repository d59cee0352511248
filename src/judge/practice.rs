//! The practice rules (HF013-HF015) judged: one finding per habit of a file, HF014 per
//! (workflow, secret) when a step that gets the secret writes to the Hub.

use std::collections::HashMap;

use super::{
    one_line, platform_phrase, Finding, FindingContext, Judge, Judged, Location, Need, Rule, Usage,
    Verification,
};
use crate::model::FileFacts;
use crate::practice::PracticeHit;

impl Judge<'_> {
    /// The practice rules (HF013–HF015), about a token variable rather than a token. HF013 and
    /// HF015 give one finding per habit of a file (the variable, and how it is built in or
    /// printed), every line in `locations`; a marker silences its own line. HF014 gives one finding per workflow and stored
    /// secret, all its hand-over lines in `locations`, and only when a step the secret reaches
    /// writes to the Hub on its own lines or through a script it runs (read from `facts` by
    /// path); never from other workflows or from every file that reads the same variable name.
    pub fn judge_practices(&self, facts: &[FileFacts], out: &mut Judged) {
        let by_path: HashMap<&str, &FileFacts> =
            facts.iter().map(|f| (f.path.as_str(), f)).collect();
        for fact in facts {
            // HF014's hits of this workflow, by secret, in order; the other rules' by habit.
            let mut secrets: Vec<(&str, Vec<&PracticeHit>)> = Vec::new();
            let mut habits: Vec<(&Rule, Vec<&PracticeHit>)> = Vec::new();
            for hit in &fact.practices {
                let Some(rule) = self.rules.get(hit.rule) else {
                    continue;
                };
                if self.config.is_disabled(&rule.id) {
                    continue;
                }
                if rule.id == "HF014" {
                    let secret = hit.secret.as_deref().unwrap_or(hit.detail.as_str());
                    match secrets.iter_mut().find(|(s, _)| *s == secret) {
                        Some((_, hits)) => hits.push(hit),
                        None => secrets.push((secret, vec![hit])),
                    }
                    continue;
                }
                if hit.allow.as_ref().is_some_and(|a| a.covers(&rule.id)) {
                    out.suppressed += 1;
                    continue;
                }
                // One finding per habit of a file: the same variable built in or printed the
                // same way on several lines is one thing to fix (and one baseline key).
                let same = |h: &&PracticeHit| {
                    h.rule == hit.rule
                        && h.variable == hit.variable
                        && h.detail == hit.detail
                        && h.token_file == hit.token_file
                        && h.origin == hit.origin
                };
                match habits.iter_mut().find(|(_, hits)| same(&hits[0])) {
                    Some((_, hits)) => hits.push(hit),
                    None => habits.push((rule, vec![hit])),
                }
            }
            for (rule, hits) in habits {
                out.findings
                    .push(self.practice_finding(rule, fact, &hits, &hits[0].detail, None));
            }
            for (secret, hits) in secrets {
                let Some(rule) = self.rules.get("HF014") else {
                    continue;
                };
                if says_read(secret) {
                    continue; // `DIFFUSERS_HF_HUB_READ_TOKEN`: a read token, by its name
                }
                let Some((at, evidence)) = hits
                    .iter()
                    .enumerate()
                    .find_map(|(k, h)| ci_write(fact, h, &by_path).map(|e| (k, e)))
                else {
                    continue;
                };
                if hits
                    .iter()
                    .any(|h| h.allow.as_ref().is_some_and(|a| a.covers(&rule.id)))
                {
                    out.suppressed += 1;
                    continue;
                }
                let mut ordered = hits.clone();
                ordered.swap(0, at);
                ordered[1..].sort_by_key(|h| h.line);
                out.findings.push(self.practice_finding(
                    rule,
                    fact,
                    &ordered,
                    &ordered[0].detail,
                    Some(&evidence),
                ));
            }
        }
        out.findings.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.offset, &a.rule)
                .cmp(&(&b.path, b.line, b.column, b.offset, &b.rule))
        });
    }

    /// One practice finding at `hits[0]`, listing every hit's line. The message's
    /// `{variable}`, `{detail}`, `{platform}`, `{subject}` ("token variable HF_TOKEN", "`token`
    /// (read by `get_token()`)", "token file `hf_token`"), and HF014's `{target}` ("to HF_TOKEN",
    /// "to a command line") and `{evidence}` are filled in.
    fn practice_finding(
        &self,
        rule: &Rule,
        fact: &FileFacts,
        hits: &[&PracticeHit],
        detail: &str,
        evidence: Option<&str>,
    ) -> Finding {
        let hit = hits[0];
        let subject = match (&hit.origin, &hit.token_file) {
            (Some(origin), _) => format!("`{}` ({origin})", hit.variable),
            (None, Some(file)) if hit.variable.is_empty() => format!("token file `{file}`"),
            _ => format!("token variable {}", hit.variable),
        };
        let target = match (&hit.handed_to, hit.on_command_line) {
            (_, true) => "to a command line".to_owned(),
            (Some(into), false) => format!("to {into}"),
            (None, false) => format!("to {}", hit.variable),
        };
        let message = rule
            .message
            .replace("{subject}", &subject)
            .replace("{target}", &target)
            .replace("{variable}", &hit.variable)
            .replace("{detail}", detail)
            .replace("{evidence}", evidence.unwrap_or_default())
            .replace("{platform}", platform_phrase(fact.platform));
        // The need is about Hub access: HF014's steps write; printing or building an image
        // says nothing of it.
        let need = if rule.id == "HF014" {
            Need::Write
        } else {
            Need::Unknown
        };
        Finding {
            rule: rule.id.clone(),
            name: rule.name.clone(),
            severity: self.severity(rule),
            message,
            help: one_line(&rule.fix).into(),
            path: fact.path.clone(),
            line: Some(hit.line),
            column: Some(hit.column),
            offset: hit.offset,
            token: None,
            context: FindingContext {
                platform: fact.platform,
                usage: Usage::TokenVariable,
                need,
                notebook_cell: None,
                env_var: (!hit.variable.is_empty()).then(|| hit.variable.clone()),
                decoded: Vec::new(),
                token_file: hit.token_file.clone(),
                unresolved_writes: Vec::new(),
            },
            verification: Verification::skipped(),
            locations: hits
                .iter()
                .map(|h| Location {
                    path: fact.path.clone(),
                    line: Some(h.line),
                    column: Some(h.column),
                })
                .collect(),
            commit: fact.commit.clone(),
            snippet: Some(hit.snippet.clone()),
            revocation: None,
            source: None,
            from_state: fact.from_state,
        }
    }
}

/// Whether a secret's name says it holds a read token (`DIFFUSERS_HF_HUB_READ_TOKEN`,
/// `HF_READONLY_TOKEN`); `READ_WRITE` says both, so it does not count.
fn says_read(secret: &str) -> bool {
    let words: Vec<String> = secret
        .split(['_', '-'])
        .map(str::to_ascii_uppercase)
        .collect();
    let read = words
        .iter()
        .any(|w| matches!(w.as_str(), "READ" | "READONLY" | "RO"));
    read && !words
        .iter()
        .any(|w| matches!(w.as_str(), "WRITE" | "PUSH" | "RW"))
}

/// How a step that a stored secret reaches writes to the Hub, for HF014's message: the first
/// write call on its own lines ("`hf upload` at line 98"), else the first script it runs that
/// calls a write ("`python push.py` at line 40 runs utils/push.py, which calls
/// `upload_file`"). Test runners, `make` and scripts not in the tree say nothing.
fn ci_write(
    workflow: &FileFacts,
    hit: &PracticeHit,
    by_path: &HashMap<&str, &FileFacts>,
) -> Option<String> {
    let mut seen: Vec<(&str, u64)> = Vec::new();
    for step in &hit.steps {
        if seen.contains(&(step.job.as_str(), step.line)) {
            continue;
        }
        seen.push((step.job.as_str(), step.line));
        let place = format!("step `{}` of job `{}`", step.name, step.job);
        if let Some(call) = step.calls.iter().find(|c| c.write) {
            if let Some(action) = call.call.strip_prefix("uses: ") {
                return Some(format!(
                    "job `{}` writes to the Hub: it runs `{action}` at line {}, which uploads with it",
                    step.job, call.line
                ));
            }
            return Some(format!(
                "{place} writes to the Hub: `{}` at line {}",
                call.call, call.line
            ));
        }
        for script in &step.scripts {
            let found = script.paths.iter().find_map(|p| {
                let path = crate::practice::script_path(&workflow.path, p)?;
                by_path.get(path.as_str()).map(|f| (p, f))
            });
            let Some((rel, facts)) = found else {
                continue;
            };
            if let Some(call) = facts.calls.writes.first() {
                return Some(format!(
                    "{place} writes to the Hub: `{}` at line {} runs {rel}, which calls `{call}`",
                    script.command, script.line
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_in_a_secret_name_says_read() {
        for s in [
            "DIFFUSERS_HF_HUB_READ_TOKEN",
            "HF_READONLY_TOKEN",
            "hf-read-token",
        ] {
            assert!(says_read(s), "{s}");
        }
        for s in [
            "PEFT_INTERNAL_REPO_READ_WRITE",
            "HF_TOKEN",
            "READER_BOT_TOKEN",
            "HF_READ_PUSH",
        ] {
            assert!(!says_read(s), "{s}");
        }
    }
}
