//! Judge: occurrences (+ verification) → findings, by the rules in `rules/`.
//!
//! Occurrence rules give each place a token occurs exactly one finding, the most specific that
//! applies; token rules give each token at most one finding per rule with all its locations.
//! This module decides *when* a rule fires; the rule files say what it is and how bad.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::context::{CellPart, Need, NotebookCell, Platform, Usage};
use crate::model::{CommitInfo, FileFacts, Occurrence};
use crate::rules::{Rule, RuleSet, Severity};
use crate::secret::{Fingerprint, Secret, TokenKind};
use crate::verify::{is_read_only_permission, Status, Verification};
use crate::verify::{write_reach, WriteReach};
use public::public_note;

mod names;
mod practice;
mod public;
mod reach;

pub use names::{is_generic_name, name_platform_mismatch};
pub use public::{public_test_tokens, public_token_entries, PublicToken};
pub use reach::{surplus_writes, write_needs};

/// One place, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

/// The token, as reports may show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenInfo {
    pub kind: TokenKind,
    pub redacted: String,
    pub fingerprint: Fingerprint,
}

/// Where and how, as reports show it (JSON `context`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingContext {
    pub platform: Platform,
    pub usage: Usage,
    pub need: Need,
    /// 1-based cell number and the part of the cell, for notebooks.
    pub notebook_cell: Option<CellRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_var: Option<String>,
    /// The decodings that revealed the token (`["base64"]`), outermost first; absent for plain
    /// text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<crate::detect::Encoding>,
    /// HF013: the token file copied into an image (`hf_token`), when the habit is about a file
    /// rather than a variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    /// With `--verify`, for a token that can write: the writes of its code whose repository is
    /// not a literal. HF016 is not judged while there is one (the code's reach is unknown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unresolved_writes: Vec<UnresolvedWrite>,
}

/// A write of a token's code whose repository is not a literal (see [`WriteNeed`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnresolvedWrite {
    pub path: String,
    /// `None` for a write call found by name whose repository argument was not read at all.
    pub line: Option<u64>,
    pub call: String,
    pub why: String,
}

/// What the code using a token writes to (HF016): the literal repositories and namespaces,
/// and the writes whose repository is not a literal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteNeed {
    pub repos: BTreeSet<crate::repo::Repo>,
    /// Namespaces the code creates repositories in.
    pub namespaces: BTreeSet<String>,
    pub unresolved: Vec<UnresolvedWrite>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct CellRef {
    pub index: usize,
    pub part: CellPart,
}

impl From<NotebookCell> for CellRef {
    fn from(c: NotebookCell) -> Self {
        CellRef {
            index: c.index + 1,
            part: c.part,
        }
    }
}

/// A judged finding: what every report format prints.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    /// Shared by the findings of one rule, platform and usage: a report of thousands of
    /// findings holds each help text once.
    pub help: std::sync::Arc<str>,
    pub path: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub offset: u64,
    /// `None` for the practice rules (HF013–HF015): they are about a token variable, whose
    /// name is in `context.env_var`, not about a token.
    pub token: Option<TokenInfo>,
    pub context: FindingContext,
    pub verification: Verification,
    pub locations: Vec<Location>,
    pub commit: Option<CommitInfo>,
    /// Where on the Hub (the Hub source only).
    pub source: Option<crate::model::Source>,
    pub snippet: Option<String>,
    /// Set once `--revoke` asked the Hub to revoke this finding's token.
    pub revocation: Option<Revocation>,
    /// Everything it stands on was taken from the state file (`--state`), not read again.
    pub from_state: bool,
}

/// What `--revoke` did about a finding's token (kept here, with the finding it marks, so that
/// revocation depends on findings and not the other way round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Revocation {
    /// The token was sent to the Hub's revoke endpoint, which accepted the request.
    Requested,
}

impl Finding {
    /// What identifies the finding's subject across runs (baselines, SARIF): the token's
    /// fingerprint, or for a practice rule one made from the rule and the variable.
    pub fn fingerprint(&self) -> Fingerprint {
        match &self.token {
            Some(t) => t.fingerprint.clone(),
            None => match (&self.context.env_var, &self.context.token_file) {
                (None, Some(file)) => Fingerprint::of(&format!("{}:file:{file}", self.rule)),
                (var, _) => Fingerprint::of(&format!(
                    "{}:{}",
                    self.rule,
                    var.as_deref().unwrap_or_default()
                )),
            },
        }
    }

    /// `hf_AbCd…WxYz (fingerprint 0123…)`, or `variable HF_TOKEN` for a practice rule.
    pub fn subject(&self) -> String {
        match &self.token {
            Some(t) => format!("{}, fingerprint {}", t.redacted, t.fingerprint),
            None => match (&self.context.env_var, &self.context.token_file) {
                (None, Some(file)) => format!("token file {file}"),
                (var, _) => format!("variable {}", var.as_deref().unwrap_or_default()),
            },
        }
    }
}

/// The outcome of judging.
#[derive(Debug, Default)]
pub struct Judged {
    pub findings: Vec<Finding>,
    /// Findings hidden by inline markers, config or baseline.
    pub suppressed: usize,
    /// (rule, token) checks not run because they need `--verify`.
    pub skipped_checks: usize,
    /// Rule ids that were skipped for want of verification.
    pub skipped_rules: Vec<String>,
}

/// What the judge needs besides occurrences.
pub struct Judge<'a> {
    pub rules: &'a RuleSet,
    pub config: &'a Config,
    pub public_tokens: &'a HashSet<Fingerprint>,
    /// Verification per token; `None` when `--verify` was not asked.
    pub verifications: Option<&'a HashMap<Fingerprint, Verification>>,
    /// Every file's facts: the Hub calls of the code using each token (HF016).
    pub facts: &'a [FileFacts],
    /// Help texts made so far, by rule and the key of the advice chosen.
    pub helps: std::cell::RefCell<HashMap<(&'a str, &'static str), std::sync::Arc<str>>>,
}

fn kind_text(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::UserAccessToken => "Hugging Face user access token",
        TokenKind::OrgApiToken => "legacy organization API token",
        TokenKind::OauthToken => "Hugging Face OAuth token",
        TokenKind::CiToken => "Hugging Face CI token",
    }
}

/// The platform groups of HF003: one person's working copy is one platform.
fn platform_group(p: Platform) -> &'static str {
    match p {
        Platform::Notebook => "notebook",
        Platform::Ci => "ci",
        Platform::Server => "server",
        Platform::EnvFile | Platform::Source | Platform::Docs | Platform::Other => "local",
    }
}

/// The files of each token's scope (DESIGN §4): where it occurs, and the files that read the
/// variables it is assigned to.
fn scopes<'f>(
    occurrences: &[Occurrence],
    facts: &'f [FileFacts],
) -> HashMap<Fingerprint, Vec<&'f FileFacts>> {
    let by_path: HashMap<&str, &FileFacts> = facts.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut scope: HashMap<Fingerprint, (BTreeSet<&str>, BTreeSet<&str>)> = HashMap::new();
    for occ in occurrences {
        let entry = scope.entry(occ.secret.fingerprint()).or_default();
        entry.0.insert(occ.path.as_str());
        if let Some(var) = occ.env_var.as_deref() {
            entry.1.insert(var);
        }
    }
    scope
        .into_iter()
        .map(|(fp, (paths, vars))| {
            let mut files: Vec<&FileFacts> = paths
                .iter()
                .filter_map(|p| by_path.get(p).copied())
                .collect();
            if !vars.is_empty() {
                files.extend(facts.iter().filter(|f| {
                    !paths.contains(f.path.as_str())
                        && f.env_reads.iter().any(|v| vars.contains(v.as_str()))
                }));
            }
            (fp, files)
        })
        .collect()
}

/// Infers each token's need from the files in its scope (DESIGN §4).
pub fn infer_needs(occurrences: &[Occurrence], facts: &[FileFacts]) -> HashMap<Fingerprint, Need> {
    scopes(occurrences, facts)
        .into_iter()
        .map(|(fp, files)| {
            let need = files
                .iter()
                .fold(Need::Unknown, |n, f| combine(n, f.calls.need()));
            (fp, need)
        })
        .collect()
}

fn combine(a: Need, b: Need) -> Need {
    match (a, b) {
        (Need::Write, _) | (_, Need::Write) => Need::Write,
        (Need::Read, _) | (_, Need::Read) => Need::Read,
        _ => Need::Unknown,
    }
}

struct Fill<'a> {
    kind: TokenKind,
    /// HF011: what the public token is (`{public}`).
    public: String,
    platform: Platform,
    platforms: &'a [Platform],
    verification: &'a Verification,
    need: Need,
    bad_permissions: &'a [String],
    /// HF016: what the token can write to beyond its code, and what the code writes to.
    surplus: (&'a str, &'a str),
}

/// How a message names a platform ("in {platform}").
fn platform_phrase(p: Platform) -> &'static str {
    match p {
        Platform::Notebook => "a notebook",
        Platform::Ci => "a CI configuration",
        Platform::Server => "a server or deployment file",
        Platform::EnvFile => "an environment file",
        Platform::Source => "source code",
        Platform::Docs => "documentation",
        Platform::Other => "a file",
    }
}

fn fill(template: &str, f: &Fill<'_>) -> String {
    let platforms: Vec<&str> = f.platforms.iter().map(|p| p.as_str()).collect();
    template
        .replace("{kind}", kind_text(f.kind))
        .replace("{platform}", platform_phrase(f.platform))
        .replace("{platforms}", &platforms.join(", "))
        .replace("{count}", &platforms.len().to_string())
        .replace(
            "{role}",
            f.verification.role.as_deref().unwrap_or("unknown"),
        )
        .replace("{name}", f.verification.token_name.as_deref().unwrap_or(""))
        .replace("{need}", f.need.as_str())
        .replace("{permissions}", &f.bad_permissions.join(", "))
        .replace("{public}", &f.public)
        .replace("{surplus}", f.surplus.0)
        .replace("{targets}", f.surplus.1)
}

impl<'a> Judge<'a> {
    fn severity(&self, rule: &Rule) -> Severity {
        self.config
            .severity
            .get(&rule.id)
            .copied()
            .unwrap_or(rule.severity)
    }

    fn help(&self, rule: &'a Rule, platform: Platform, usage: Usage) -> std::sync::Arc<str> {
        let key = if usage == Usage::UrlCredential {
            "url_credential"
        } else {
            platform.as_str()
        };
        let mut helps = self.helps.borrow_mut();
        if let Some(h) = helps.get(&(rule.id.as_str(), key)) {
            return h.clone();
        }
        let text: std::sync::Arc<str> = self.help_text(rule, key).into();
        helps.insert((&rule.id, key), text.clone());
        text
    }

    /// The help of a finding of `rule` whose advice is chosen by `key` (its platform, or
    /// `url_credential`).
    fn help_text(&self, rule: &Rule, key: &str) -> String {
        let leak = matches!(rule.id.as_str(), "HF001" | "HF004" | "HF005" | "HF009");
        // Leaks get the fix for where they were found; other rules their own fix.
        let mut parts = if leak && rule.id != "HF009" {
            Vec::new()
        } else {
            vec![one_line(&rule.fix)]
        };
        if leak {
            if let Some(h) = self.rules.help_for(key) {
                parts.push(h.to_owned());
            }
            if let Some(h) = self.rules.help_for("revoke") {
                if rule.id != "HF009" {
                    parts.push(h.to_owned());
                }
            }
        }
        parts.join(" ")
    }

    /// The most specific occurrence rule for one occurrence.
    fn occurrence_rule(&self, occ: &Occurrence, fp: &Fingerprint) -> &'static str {
        if self.public_tokens.contains(fp) {
            "HF011"
        } else if occ.secret.kind() == TokenKind::OrgApiToken {
            "HF009"
        } else if occ
            .notebook_cell
            .is_some_and(|c| c.part == CellPart::Output)
        {
            "HF004"
        } else if occ
            .source
            .as_ref()
            .is_some_and(|s| s.item == crate::model::HubItem::Variable)
        {
            "HF012"
        } else if occ.usage == Usage::UrlCredential {
            "HF005"
        } else {
            "HF001"
        }
    }

    /// Judges all occurrences. `needs` comes from [`infer_needs`].
    pub fn judge(&self, occurrences: &[Occurrence], needs: &HashMap<Fingerprint, Need>) -> Judged {
        let mut out = Judged::default();
        let allowed: HashSet<&Fingerprint> = self.config.allow_fingerprints.iter().collect();
        let skipped = Verification::skipped();
        // Group by token, in first-seen (sorted) order.
        let mut tokens: BTreeMap<Fingerprint, Vec<&Occurrence>> = BTreeMap::new();
        for occ in occurrences {
            tokens
                .entry(occ.secret.fingerprint())
                .or_default()
                .push(occ);
        }
        // What each token's code writes to: only worth knowing with `--verify` (HF016).
        let write_needs = if self.verifications.is_some() {
            write_needs(occurrences, self.facts)
        } else {
            HashMap::new()
        };
        let no_writes = WriteNeed::default();
        for (fp, occs) in &tokens {
            let first_finding = out.findings.len();
            let need = needs.get(fp).copied().unwrap_or(Need::Unknown);
            let verification = self
                .verifications
                .and_then(|v| v.get(fp))
                .unwrap_or(&skipped);
            let suppressed_token = allowed.contains(fp);
            let write_need = write_needs.get(fp).unwrap_or(&no_writes);
            let surplus = surplus_writes(verification, write_need);
            // Why HF016 was not judged, on every finding of the token (JSON `context`).
            let can_write = matches!(write_reach(verification), WriteReach::Some { .. });
            let unresolved_writes = if can_write && need == Need::Write {
                write_need.unresolved.clone()
            } else {
                Vec::new()
            };
            // Occurrence rules.
            for occ in occs {
                let id = self.occurrence_rule(occ, fp);
                let Some(rule) = self.rules.get(id) else {
                    continue;
                };
                if self.config.is_disabled(id) {
                    continue;
                }
                if suppressed_token || occ.allow.as_ref().is_some_and(|a| a.covers(id)) {
                    out.suppressed += 1;
                    continue;
                }
                let f = Fill {
                    kind: occ.secret.kind(),
                    public: if id == "HF011" {
                        public_note(fp, occ.secret.kind())
                    } else {
                        String::new()
                    },
                    platform: occ.platform,
                    platforms: &[occ.platform],
                    verification,
                    need,
                    bad_permissions: &[],
                    surplus: ("", ""),
                };
                out.findings
                    .push(self.finding(rule, &f, occ, &[occ], need, verification));
            }
            // Token rules.
            let mut platforms: Vec<Platform> = occs.iter().map(|o| o.platform).collect();
            platforms.sort();
            platforms.dedup();
            let public = self.public_tokens.contains(fp);
            for rule in self
                .rules
                .rules
                .iter()
                .filter(|r| r.scope == crate::rules::Scope::Token)
            {
                if self.config.is_disabled(&rule.id) || public {
                    continue;
                }
                if rule.needs_verification && self.verifications.is_none() {
                    out.skipped_checks += 1;
                    if !out.skipped_rules.contains(&rule.id) {
                        out.skipped_rules.push(rule.id.clone());
                    }
                    continue;
                }
                let bad_permissions: Vec<String> = verification
                    .permissions
                    .iter()
                    .filter(|p| !is_read_only_permission(p))
                    .cloned()
                    .collect();
                let fires = match rule.id.as_str() {
                    "HF003" => {
                        let groups: BTreeSet<&str> =
                            platforms.iter().map(|p| platform_group(*p)).collect();
                        groups.len() >= 2
                    }
                    "HF002" => {
                        verification.status == Status::Valid
                            && matches!(verification.role.as_deref(), Some("write" | "god"))
                            && need == Need::Read
                    }
                    "HF006" => verification.status == Status::Invalid,
                    "HF007" => {
                        verification.status == Status::Valid
                            && is_generic_name(verification.token_name.as_deref())
                    }
                    "HF008" => {
                        verification.status == Status::Valid
                            && name_platform_mismatch(
                                verification.token_name.as_deref(),
                                &platforms,
                            )
                    }
                    "HF016" => {
                        verification.status == Status::Valid
                            && need == Need::Write
                            && surplus.is_some()
                    }
                    "HF010" => {
                        verification.status == Status::Valid
                            && verification.role.as_deref() == Some("fineGrained")
                            && need == Need::Read
                            && !bad_permissions.is_empty()
                    }
                    _ => false,
                };
                if !fires {
                    continue;
                }
                if suppressed_token
                    || occs
                        .iter()
                        .any(|o| o.allow.as_ref().is_some_and(|a| a.covers(&rule.id)))
                {
                    out.suppressed += 1;
                    continue;
                }
                let first = occs[0];
                let f = Fill {
                    kind: first.secret.kind(),
                    public: String::new(),
                    platform: first.platform,
                    platforms: &platforms,
                    verification,
                    need,
                    bad_permissions: &bad_permissions,
                    surplus: surplus
                        .as_ref()
                        .map_or(("", ""), |(s, t)| (s.as_str(), t.as_str())),
                };
                out.findings
                    .push(self.finding(rule, &f, first, occs, need, verification));
            }
            if !unresolved_writes.is_empty() {
                for f in &mut out.findings[first_finding..] {
                    f.context.unresolved_writes.clone_from(&unresolved_writes);
                }
            }
        }
        out.findings.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.offset, &a.rule)
                .cmp(&(&b.path, b.line, b.column, b.offset, &b.rule))
        });
        out
    }

    fn finding(
        &self,
        rule: &'a Rule,
        f: &Fill<'_>,
        first: &Occurrence,
        all: &[&Occurrence],
        need: Need,
        verification: &Verification,
    ) -> Finding {
        let secret: &Secret = &first.secret;
        Finding {
            rule: rule.id.clone(),
            name: rule.name.clone(),
            severity: self.severity(rule),
            message: fill(&rule.message, f),
            help: self.help(rule, first.platform, first.usage),
            path: first.path.clone(),
            line: first.line,
            column: first.column,
            offset: first.offset,
            token: Some(TokenInfo {
                kind: secret.kind(),
                redacted: secret.redacted(),
                fingerprint: secret.fingerprint(),
            }),
            context: FindingContext {
                platform: first.platform,
                usage: first.usage,
                need,
                notebook_cell: first.notebook_cell.map(CellRef::from),
                env_var: first.env_var.clone(),
                decoded: first.decoded.clone(),
                token_file: None,
                unresolved_writes: Vec::new(),
            },
            verification: verification.clone(),
            locations: all
                .iter()
                .map(|o| Location {
                    path: o.path.clone(),
                    line: o.line,
                    column: o.column,
                })
                .collect(),
            commit: first.commit.clone(),
            source: first.source.clone(),
            snippet: first.snippet.clone(),
            revocation: None,
            from_state: all.iter().all(|o| o.from_state),
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
