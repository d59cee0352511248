//! Rules as data: `rules/*.toml`, embedded at build time, parsed and checked once.
//!
//! A rule file declares what a rule is (id, name, severity, docs) and carries its own examples
//! and negative examples, which a test runs through the real pipeline. The judging logic that
//! decides *when* a rule fires lives in `judge`, keyed by id; this module only owns the data.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

const PLATFORM_HELP: &str = include_str!("../data/platform-help.toml");

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule judges each place a token occurs, or each token once with all its places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Occurrence,
    Token,
    /// A habit found in a file's text, about a token variable rather than a token (HF013–HF015).
    Practice,
}

/// One file of an example.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFile {
    pub path: String,
    /// `{{TOKEN}}`, `{{TOKEN2}}`, `{{ORG_TOKEN}}` and `{{PUBLIC_TEST_TOKEN}}` are replaced by
    /// fake tokens generated when the example runs, so no token-shaped text lives in this repo.
    pub content: String,
}

/// What the Hub says about the example's `{{TOKEN}}`, for rules that need `--verify`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleVerification {
    pub status: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
    /// The account (whoami-v2 `name`).
    #[serde(default)]
    pub owner: Option<String>,
    /// The account's organisations.
    #[serde(default)]
    pub orgs: Vec<String>,
    /// A fine-grained token's scoped entries, as whoami-v2 gives them.
    #[serde(default)]
    pub scoped: Option<Vec<crate::access::Scoped>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(default)]
    pub note: String,
    pub files: Vec<ExampleFile>,
    #[serde(default)]
    pub verification: Option<ExampleVerification>,
}

/// A rule as written in `rules/HF0NN-name.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub scope: Scope,
    #[serde(default)]
    pub needs_verification: bool,
    pub summary: String,
    /// The finding's message; `{kind}`, `{platform}`, `{platforms}`, `{count}`, `{role}`,
    /// `{name}`, `{need}`, `{permissions}`, `{surplus}`, `{targets}` are filled in, and for
    /// practice rules `{variable}` and `{detail}`.
    pub message: String,
    pub why: String,
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<Example>,
}

/// A rule file that does not parse or does not make sense.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rules/{file}: {message}")]
    Invalid { file: String, message: String },
}

/// The checked set of rules, by id, plus the per-platform fix texts.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub platform_help: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformHelp {
    platform: BTreeMap<String, String>,
}

impl RuleSet {
    /// Parses the embedded rule files. An error names the file and the line.
    pub fn builtin() -> Result<Self, RuleError> {
        Self::parse(RULE_FILES)
    }

    pub fn parse(files: &[(&str, &str)]) -> Result<Self, RuleError> {
        let mut rules: Vec<Rule> = Vec::new();
        for (file, text) in files {
            let invalid = |message: String| RuleError::Invalid {
                file: (*file).to_owned(),
                message,
            };
            let rule: Rule = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
            let id_ok = rule.id.len() == 5
                && rule.id.starts_with("HF")
                && rule.id[2..].bytes().all(|b| b.is_ascii_digit());
            if !id_ok {
                return Err(invalid(format!(
                    "id {:?} is not HF followed by three digits",
                    rule.id
                )));
            }
            if !file.starts_with(&format!("{}-{}", rule.id, rule.name)) {
                return Err(invalid(format!(
                    "file name must start with `{}-{}`",
                    rule.id, rule.name
                )));
            }
            if !rule
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-')
            {
                return Err(invalid(format!("name {:?} is not kebab-case", rule.name)));
            }
            if rules.iter().any(|r| r.id == rule.id) {
                return Err(invalid(format!("duplicate id {}", rule.id)));
            }
            rules.push(rule);
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let help: PlatformHelp = toml::from_str(PLATFORM_HELP).map_err(|e| RuleError::Invalid {
            file: "../data/platform-help.toml".into(),
            message: e.to_string(),
        })?;
        Ok(RuleSet {
            rules,
            platform_help: help.platform,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// The fix for a platform (`notebook`, `ci`, …), if the data has one.
    pub fn help_for(&self, platform: &str) -> Option<&str> {
        self.platform_help.get(platform).map(String::as_str)
    }
}

/// The documentation of one rule, as `hfaudit rule ID` prints it (Markdown).
pub fn render_doc(rule: &Rule) -> String {
    use std::fmt::Write;
    let mut out = format!("# {} {}\n\nSeverity: {}", rule.id, rule.name, rule.severity);
    if rule.needs_verification {
        out.push_str(" (needs --verify)");
    }
    let _ = write!(
        out,
        "\n\n{}\n\n## Why\n\n{}\n\n## Fix\n\n{}\n",
        rule.summary,
        rule.why.trim(),
        rule.fix.trim()
    );
    if !rule.references.is_empty() {
        out.push_str("\n## References\n\n");
        for r in &rule.references {
            let _ = writeln!(out, "- {r}");
        }
    }
    for (title, list) in [
        ("Fires on", &rule.examples),
        ("Does not fire on", &rule.negative_examples),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(out, "\n## {title}\n");
        for ex in list {
            if !ex.note.is_empty() {
                let _ = write!(out, "\n{}\n", ex.note);
            }
            for f in &ex.files {
                let shown = f
                    .content
                    .replace("{{TOKEN}}", "hf_…")
                    .replace("{{TOKEN2}}", "hf_…")
                    .replace("{{ORG_TOKEN}}", "api_org_…")
                    .replace("{{PUBLIC_TEST_TOKEN}}", "hf_…");
                let _ = write!(out, "\n`{}`:\n```\n{}\n```\n", f.path, shown.trim_end());
            }
        }
    }
    out
}

/// The README's rule table, generated from the rule files (a test keeps README in sync).
pub fn markdown_table(set: &RuleSet) -> String {
    use std::fmt::Write;
    let mut out = String::from("| id | name | severity | scope | needs `--verify` | fires when |\n| --- | --- | --- | --- | --- | --- |\n");
    for r in &set.rules {
        let scope = match r.scope {
            Scope::Occurrence => "occurrence",
            Scope::Token => "token",
            Scope::Practice => "practice",
        };
        let verify = if r.needs_verification { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {scope} | {verify} | {} |",
            r.id, r.name, r.severity, r.summary
        );
    }
    out
}
