//! Judge: occurrences (+ verification) → findings, by the rules in `rules/`.
//!
//! Occurrence rules give each place a token occurs exactly one finding, the most specific that
//! applies; token rules give each token at most one finding per rule with all its locations.
//! This module decides *when* a rule fires; the rule files say what it is and how bad.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::config::Config;
use crate::context::repos::{self, Target};
use crate::context::{CellPart, Need, NotebookCell, Platform, Usage};
use crate::model::{CommitInfo, FileFacts, Occurrence};
use crate::practice::PracticeHit;
use crate::rules::{Rule, RuleSet, Severity};
use crate::secret::{Fingerprint, Secret, TokenKind};
use crate::verify::{is_read_only_permission, Status, Verification};
use crate::verify::{write_reach, WriteReach};

const PUBLIC_TEST_TOKENS: &str = include_str!("../data/public-test-tokens.toml");

/// Names that say nothing about where a token is used (HF007), compared case-insensitively
/// after trimming digits, spaces and punctuation.
const GENERIC_NAMES: &[&str] = &[
    "token",
    "test",
    "testing",
    "mytoken",
    "my token",
    "new",
    "new token",
    "newtoken",
    "hf",
    "hf token",
    "hftoken",
    "huggingface",
    "hugging face",
    "default",
    "main",
    "temp",
    "tmp",
    "key",
    "api",
    "api key",
    "apikey",
    "access",
    "access token",
    "read",
    "write",
    "read token",
    "write token",
    "personal",
    "mine",
    "asdf",
    "foo",
    "bar",
    "demo",
    "first",
    "second",
    "work",
    "general",
    "all",
    "x",
    "a",
    "t",
    "",
];

/// Words in a token name that tie it to one platform (HF008).
const PLATFORM_WORDS: &[(&str, &[Platform])] = &[
    ("colab", &[Platform::Notebook]),
    ("notebook", &[Platform::Notebook]),
    ("jupyter", &[Platform::Notebook]),
    ("kaggle", &[Platform::Notebook]),
    ("github", &[Platform::Ci]),
    ("actions", &[Platform::Ci]),
    ("gitlab", &[Platform::Ci]),
    ("ci", &[Platform::Ci]),
    ("circleci", &[Platform::Ci]),
    ("jenkins", &[Platform::Ci]),
    ("server", &[Platform::Server]),
    ("prod", &[Platform::Server]),
    ("production", &[Platform::Server]),
    ("docker", &[Platform::Server]),
    ("kubernetes", &[Platform::Server]),
    ("k8s", &[Platform::Server]),
    ("space", &[Platform::Server]),
    ("endpoint", &[Platform::Server]),
    (
        "laptop",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
    (
        "local",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
    (
        "desktop",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
    (
        "macbook",
        &[
            Platform::Source,
            Platform::EnvFile,
            Platform::Docs,
            Platform::Other,
        ],
    ),
];

/// One place, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

/// The token, as reports may show it.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub kind: TokenKind,
    pub redacted: String,
    pub fingerprint: Fingerprint,
}

/// Where and how, as reports show it (JSON `context`).
#[derive(Debug, Clone, Serialize)]
pub struct FindingContext {
    pub platform: Platform,
    pub usage: Usage,
    pub need: Need,
    /// 1-based cell number and the part of the cell, for notebooks.
    pub notebook_cell: Option<CellRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_var: Option<String>,
    /// The decodings that revealed the token (`["base64"]`), outermost first; absent for plain
    /// text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<crate::detect::Encoding>,
    /// HF013: the token file copied into an image (`hf_token`), when the habit is about a file
    /// rather than a variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    /// With `--verify`, for a token that can write: the writes of its code whose repository is
    /// not a literal. HF016 is not judged while there is one (the code's reach is unknown).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved_writes: Vec<UnresolvedWrite>,
}

/// A write of a token's code whose repository is not a literal (see [`WriteNeed`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

#[derive(Debug, Clone, Copy, Serialize)]
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
}

/// What `--revoke` did about a finding's token (kept here, with the finding it marks, so that
/// revocation depends on findings and not the other way round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// One entry of `data/public-test-tokens.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicToken {
    pub fingerprint: String,
    /// Where the token is published, for people who check the entry.
    pub source: String,
    /// What the token is, for HF011's message.
    pub note: String,
}

/// The entries of `data/public-test-tokens.toml`, parsed once.
pub fn public_token_entries() -> &'static [PublicToken] {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        token: Vec<PublicToken>,
    }
    static ENTRIES: std::sync::LazyLock<Vec<PublicToken>> = std::sync::LazyLock::new(|| {
        let file: File = toml::from_str(PUBLIC_TEST_TOKENS)
            .expect("data/public-test-tokens.toml is checked by a test");
        file.token
    });
    &ENTRIES
}

/// The built-in public token fingerprints (HF011).
pub fn public_test_tokens() -> HashSet<Fingerprint> {
    public_token_entries()
        .iter()
        .filter_map(|e| Fingerprint::parse(&e.fingerprint))
        .collect()
}

/// What HF011 says of a public token: its entry's note, and for a legacy organization token
/// HF009's fact too (HF011 wins, and the kind is worth knowing).
fn public_note(fp: &Fingerprint, kind: TokenKind) -> String {
    let note = public_token_entries()
        .iter()
        .find(|e| e.fingerprint == fp.as_str())
        .map_or(
            "a token published on purpose (a test suite's, or a scanner's example)",
            |e| e.note.as_str(),
        );
    if kind == TokenKind::OrgApiToken {
        format!(
            "{note}; it is a legacy organization API token, a kind the Hub removed in 2024 (HF009)"
        )
    } else {
        note.to_owned()
    }
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

/// What the code in each token's scope writes to (HF016). A write call of the call lists
/// (`data/calls.toml`, the config's) that the need map did not tie to a repository counts as
/// unresolved: HF016 never rests on a write it could not read.
pub fn write_needs(
    occurrences: &[Occurrence],
    facts: &[FileFacts],
) -> HashMap<Fingerprint, WriteNeed> {
    scopes(occurrences, facts)
        .into_iter()
        .map(|(fp, files)| {
            let mut need = WriteNeed::default();
            for f in files {
                for u in f.hub_uses.iter().filter(|u| u.is_write()) {
                    match &u.target {
                        Target::Repo(r) => {
                            need.repos.insert(r.clone());
                        }
                        Target::Namespace(n) => {
                            need.namespaces.insert(n.clone());
                        }
                        Target::Nothing | Target::OwnSpace | Target::Unresolved(_) => {
                            need.unresolved.push(UnresolvedWrite {
                                path: f.path.clone(),
                                line: Some(u.line),
                                call: u.call.clone(),
                                why: u.unresolved().unwrap_or("no repository").to_owned(),
                            });
                        }
                    }
                }
                for name in &f.calls.writes {
                    if !repos::covers(&f.hub_uses, name) {
                        need.unresolved.push(UnresolvedWrite {
                            path: f.path.clone(),
                            line: None,
                            call: name.clone(),
                            why: "a write call whose repository hfaudit could not read".into(),
                        });
                    }
                }
            }
            need.unresolved.sort();
            need.unresolved.dedup();
            (fp, need)
        })
        .collect()
}

/// `acme/m`, `datasets/acme/d`, `spaces/acme/s`: a repository as the Hub's URLs name it.
fn repo_text(kind: &str, name: &str) -> String {
    match kind {
        "model" => name.to_owned(),
        "dataset" => format!("datasets/{name}"),
        "space" => format!("spaces/{name}"),
        other => format!("{other} {name}"),
    }
}

/// HF016: what a verified token can write to beyond what its code writes to — `(surplus,
/// targets)` for the message — when every write of the code names its repository.
pub fn surplus_writes(v: &Verification, need: &WriteNeed) -> Option<(String, String)> {
    if !need.unresolved.is_empty() || (need.repos.is_empty() && need.namespaces.is_empty()) {
        return None;
    }
    let WriteReach::Some { namespaces, repos } = write_reach(v) else {
        return None;
    };
    let mut surplus: Vec<String> = Vec::new();
    for ns in &namespaces {
        if !need.namespaces.contains(ns) {
            surplus.push(format!("every repository of {ns}"));
        }
    }
    for e in &repos {
        let owner = e.name.split('/').next().unwrap_or_default();
        let needed = need.namespaces.contains(owner)
            || need
                .repos
                .iter()
                .any(|r| repos::kind_str(r.kind) == e.kind && r.id == e.name);
        if !needed {
            surplus.push(repo_text(&e.kind, &e.name));
        }
    }
    let first = surplus.first()?;
    let surplus_text = match surplus.len() {
        1 => first.clone(),
        n => format!("{first} (and {} more)", n - 1),
    };
    let targets: Vec<String> = need
        .repos
        .iter()
        .map(|r| repo_text(repos::kind_str(r.kind), &r.id))
        .chain(
            need.namespaces
                .iter()
                .map(|n| format!("new repositories of {n}")),
        )
        .collect();
    Some((surplus_text, targets.join(", ")))
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
        }
    }

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
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HF007: a name that says nothing about where the token is used.
pub fn is_generic_name(name: Option<&str>) -> bool {
    let Some(name) = name else { return false };
    let norm: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphabetic() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    GENERIC_NAMES.contains(&norm.as_str())
        || GENERIC_NAMES.contains(&norm.replace(' ', "").as_str())
}

fn name_words(name: &str) -> Vec<String> {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// HF008: the name names platforms, and the token occurs on one it does not name. Only places
/// that say where they run count (a notebook, CI, a server, a machine's env file): source code,
/// docs and other files may run on the named platform, so they are no evidence of a copy.
pub fn name_platform_mismatch(name: Option<&str>, platforms: &[Platform]) -> bool {
    let Some(name) = name else { return false };
    let words = name_words(name);
    let named: Vec<Platform> = PLATFORM_WORDS
        .iter()
        .filter(|(w, _)| words.iter().any(|x| x == w))
        .flat_map(|(_, ps)| ps.iter().copied())
        .collect();
    if named.is_empty() {
        return false;
    }
    platforms.iter().any(|p| {
        !named.contains(p)
            && matches!(
                p,
                Platform::Notebook | Platform::Ci | Platform::Server | Platform::EnvFile
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_names() {
        for n in [
            "token",
            "Test",
            "my token",
            "New",
            "hf-token",
            "token2",
            "  TOKEN  ",
        ] {
            assert!(is_generic_name(Some(n)), "{n}");
        }
        for n in [
            "colab-eval",
            "github-actions-train",
            "laptop",
            "prod inference server",
        ] {
            assert!(!is_generic_name(Some(n)), "{n}");
        }
        assert!(!is_generic_name(None));
    }

    #[test]
    fn platform_mismatch() {
        assert!(name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::Ci]
        ));
        assert!(!name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::Notebook]
        ));
        assert!(!name_platform_mismatch(Some("eval"), &[Platform::Ci]));
        assert!(name_platform_mismatch(
            Some("github-actions"),
            &[Platform::Ci, Platform::Server]
        ));
        assert!(name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::EnvFile]
        ));
        assert!(name_platform_mismatch(Some("laptop"), &[Platform::Server]));
        // Code may run on the platform its token is named after.
        assert!(!name_platform_mismatch(
            Some("eval-server"),
            &[Platform::Source]
        ));
        assert!(!name_platform_mismatch(
            Some("Colab Notebook"),
            &[Platform::Source, Platform::Docs]
        ));
    }

    #[test]
    fn public_token_list_parses() {
        let set = public_test_tokens();
        assert_eq!(
            set.len(),
            public_token_entries().len(),
            "no bad or repeated entry"
        );
        // Checked in public sources (issues 13 and 18): datasets' CI token, gradio's api_org_
        // key, the blog's TruffleHog demo, Kingfisher's two examples, Trivy #6823's token.
        for fp in [
            "8402086a0212922e",
            "f6d0239c5fd0dca9",
            "948e2ecc6e254e15",
            "4ac12ef8818eb2e4",
            "afe476afff82c708",
            "dea42dc407d629e2",
        ] {
            assert!(set.contains(&Fingerprint::parse(fp).unwrap()), "{fp}");
        }
        for e in public_token_entries() {
            assert!(
                !e.source.is_empty() && !e.note.is_empty(),
                "{}",
                e.fingerprint
            );
        }
    }

    #[test]
    fn each_public_token_says_what_it_is() {
        let gradio = Fingerprint::parse("f6d0239c5fd0dca9").unwrap();
        let note = public_note(&gradio, TokenKind::OrgApiToken);
        assert!(note.contains("production Hub"), "{note}");
        assert!(
            note.contains("HF009"),
            "the legacy kind stays visible: {note}"
        );
        let ci = Fingerprint::parse("5de261506c0ff857").unwrap();
        let note = public_note(&ci, TokenKind::UserAccessToken);
        assert!(note.contains("hub-ci") && !note.contains("HF009"), "{note}");
        let trivy = Fingerprint::parse("dea42dc407d629e2").unwrap();
        assert!(public_note(&trivy, TokenKind::UserAccessToken).contains("revoked"));
    }

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
