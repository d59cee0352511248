//! Plain records of what a scan found, holding no token: what `--state` keeps between runs of a
//! Hub audit (per repository, the commits read and what was found there), and what the JSON
//! report lists per token so that `hfaudit merge` can judge across reports (HF003).
//!
//! A record is enough to rebuild the occurrences and file facts it came from, with the token
//! [remembered](crate::secret::Secret::remembered) by its fingerprint and redacted form, so
//! everything read back is judged again, with the run's rules and config, exactly as if it had
//! been read. The file is written redacted (every token-shaped text, even in a path), in a
//! temporary file in the same folder, then renamed over the old one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::allow::Allow;
use crate::context::{Calls, HubUse, NotebookCell, Platform, Usage};
use crate::detect::Encoding;
use crate::model::{CommitInfo, FileFacts, Occurrence, ScanOutput, Skipped, Source};
use crate::practice::{PracticeHit, Step};
use crate::secret::{Fingerprint, Secret, TokenKind};

/// One place a token occurs, without the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub path: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub offset: u64,
    pub platform: Platform,
    pub usage: Usage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_var: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notebook_cell: Option<NotebookCell>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<Encoding>,
    /// The line, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// An `hfaudit:allow` marker on the line or the line above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Allow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_state: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
fn is_false(b: &bool) -> bool {
    !*b
}

/// One token and every place it occurs: JSON `tokens[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub fingerprint: Fingerprint,
    pub kind: TokenKind,
    pub redacted: String,
    pub occurrences: Vec<Place>,
}

impl TokenRecord {
    /// The tokens of `occurrences`, by fingerprint; places in the order given.
    pub fn group(occurrences: &[Occurrence]) -> Vec<TokenRecord> {
        let mut by: BTreeMap<Fingerprint, TokenRecord> = BTreeMap::new();
        for o in occurrences {
            let fingerprint = o.secret.fingerprint();
            by.entry(fingerprint.clone())
                .or_insert_with(|| TokenRecord {
                    fingerprint,
                    kind: o.secret.kind(),
                    redacted: o.secret.redacted(),
                    occurrences: Vec::new(),
                })
                .occurrences
                .push(Place {
                    path: o.path.clone(),
                    line: o.line,
                    column: o.column,
                    offset: o.offset,
                    platform: o.platform,
                    usage: o.usage,
                    env_var: o.env_var.clone(),
                    notebook_cell: o.notebook_cell,
                    decoded: o.decoded.clone(),
                    snippet: o.snippet.clone(),
                    allow: o.allow.clone(),
                    commit: o.commit.clone(),
                    source: o.source.clone(),
                    from_state: o.from_state,
                });
        }
        by.into_values().collect()
    }

    /// The occurrences again, each with the token remembered (no text); `from_state` marks
    /// them all as taken from the state, else each keeps its own mark.
    pub fn occurrences(&self, from_state: bool, out: &mut Vec<Occurrence>) {
        let secret = Secret::remembered(self.kind, self.fingerprint.clone(), &self.redacted);
        for p in &self.occurrences {
            out.push(Occurrence {
                path: p.path.clone(),
                line: p.line,
                column: p.column,
                offset: p.offset,
                secret: secret.clone(),
                decoded: p.decoded.clone(),
                snippet: p.snippet.clone(),
                platform: p.platform,
                usage: p.usage,
                env_var: p.env_var.clone(),
                notebook_cell: p.notebook_cell,
                allow: p.allow.clone(),
                commit: p.commit.clone(),
                source: p.source.clone(),
                from_state: from_state || p.from_state,
            });
        }
    }
}

/// What a file does with the Hub ([`FileFacts`]), as a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactsRecord {
    pub path: String,
    pub platform: Platform,
    #[serde(default)]
    pub calls: Calls,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_reads: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub practices: Vec<PracticeRecord>,
    /// The need map's calls (HF016).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hub_uses: Vec<HubUse>,
    /// The commit whose change added the habits' lines (git modes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
}

/// A habit found on a line ([`PracticeHit`]), as a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeRecord {
    pub rule: String,
    pub variable: String,
    pub detail: String,
    pub line: u64,
    pub column: u64,
    pub offset: u64,
    pub snippet: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Allow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub on_command_line: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
}

impl FactsRecord {
    fn of(f: &FileFacts) -> FactsRecord {
        FactsRecord {
            path: f.path.clone(),
            platform: f.platform,
            calls: f.calls.clone(),
            env_reads: f.env_reads.clone(),
            practices: f
                .practices
                .iter()
                .map(|h| PracticeRecord {
                    rule: h.rule.to_owned(),
                    variable: h.variable.clone(),
                    detail: h.detail.clone(),
                    line: h.line,
                    column: h.column,
                    offset: h.offset,
                    snippet: h.snippet.clone(),
                    allow: h.allow.clone(),
                    secret: h.secret.clone(),
                    steps: h.steps.iter().map(|s| (**s).clone()).collect(),
                    on_command_line: h.on_command_line,
                    handed_to: h.handed_to.clone(),
                    origin: h.origin.clone(),
                    token_file: h.token_file.clone(),
                })
                .collect(),
            hub_uses: f.hub_uses.clone(),
            commit: f.commit.clone(),
        }
    }

    fn facts(&self) -> FileFacts {
        FileFacts {
            path: self.path.clone(),
            platform: self.platform,
            calls: self.calls.clone(),
            env_reads: self.env_reads.clone(),
            practices: self
                .practices
                .iter()
                // A rule this version does not find is not judged (another version's state
                // means a full run anyway).
                .filter_map(|r| {
                    let rule = crate::practice::RULES.iter().find(|id| **id == r.rule)?;
                    Some(PracticeHit {
                        rule,
                        variable: r.variable.clone(),
                        detail: r.detail.clone(),
                        line: r.line,
                        column: r.column,
                        offset: r.offset,
                        snippet: r.snippet.clone(),
                        allow: r.allow.clone(),
                        secret: r.secret.clone(),
                        steps: r.steps.iter().cloned().map(Arc::new).collect(),
                        on_command_line: r.on_command_line,
                        handed_to: r.handed_to.clone(),
                        origin: r.origin.clone(),
                        token_file: r.token_file.clone(),
                    })
                })
                .collect(),
            hub_uses: self.hub_uses.clone(),
            commit: self.commit.clone(),
            from_state: true,
        }
    }
}

/// What reading one thing (a repository's files, a discussion, a bucket's file) gave: enough
/// to give it again without reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<TokenRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactsRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    #[serde(default)]
    pub files: u64,
    #[serde(default)]
    pub bytes: u64,
}

impl Found {
    /// What `out` holds (its errors and notes are not kept: a read with errors is not
    /// recorded at all).
    pub fn of(out: &ScanOutput) -> Found {
        Found {
            tokens: TokenRecord::group(&out.occurrences),
            facts: out.facts.iter().map(FactsRecord::of).collect(),
            skipped: out.skipped.clone(),
            files: out.files_scanned,
            bytes: out.bytes_scanned,
        }
    }

    /// The output again, everything in it marked as taken from the state.
    pub fn restore(&self) -> ScanOutput {
        let mut out = ScanOutput::default();
        for t in &self.tokens {
            t.occurrences(true, &mut out.occurrences);
        }
        out.facts = self.facts.iter().map(FactsRecord::facts).collect();
        out.skipped.clone_from(&self.skipped);
        out.files_scanned = self.files;
        out.bytes_scanned = self.bytes;
        out
    }
}

/// The state file's format: another one (older or newer) means a full run.
pub const FORMAT: u32 = 1;
/// A state file larger than this is refused (200 MB is some 100,000 repositories' findings).
const MAX_FILE: u64 = 1 << 30;

/// What an incremental Hub audit remembers (`--state FILE`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Marks the file as hfaudit's state, and says its format.
    pub hfaudit_state: u32,
    /// The hfaudit version that wrote it.
    pub tool: String,
    /// The Hub it describes.
    pub endpoint: String,
    /// What else decides what a read finds (decoding, size limits, the config file).
    pub settings: String,
    /// By repository (`spaces/acme/demo`, `acme/model@v1`, `buckets/acme/b`).
    #[serde(default)]
    pub repos: BTreeMap<String, RepoEntry>,
}

/// One repository (or bucket) as it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoEntry {
    /// The refs read and the commit each pointed at (`HEAD`: the default branch). Empty for a
    /// bucket.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refs: BTreeMap<String, String>,
    /// What its files gave (all refs together, each blob once).
    #[serde(default)]
    pub files: Found,
    /// Its discussions, by number.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub discussions: BTreeMap<u64, Keyed>,
    /// A bucket's files, by path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub objects: BTreeMap<String, Keyed>,
}

/// Something read whose change the listing tells (a discussion's list entry, a bucket file's
/// content hash): the key it had, and what it gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyed {
    pub key: String,
    #[serde(default)]
    pub found: Found,
}

/// The first fields of a state file, read before the rest.
#[derive(Deserialize)]
struct Header {
    hfaudit_state: u32,
    tool: String,
    endpoint: String,
    settings: String,
}

/// What reading a state file came to.
#[derive(Debug)]
pub enum Loaded {
    /// Use it: unchanged repositories are not read again.
    Use(State),
    /// Read everything (and write the file anew): the reason, for a note.
    Full(String),
}

/// A state file that cannot be used. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "the state file {} is damaged or not hfaudit's ({detail}); nothing was read. Remove it \
         (the next run is then a full one and writes it anew) or name another with --state",
        path.display()
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "the state file {} describes {theirs}, not {ours}: a state names one Hub's commits. \
         Use one state file per endpoint",
        path.display()
    )]
    Endpoint {
        path: PathBuf,
        theirs: String,
        ours: String,
    },
    #[error("cannot read the state file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the state file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl State {
    /// An empty state for this endpoint and these settings.
    pub fn new(endpoint: &str, settings: &str) -> State {
        State {
            hfaudit_state: FORMAT,
            tool: env!("CARGO_PKG_VERSION").to_owned(),
            endpoint: endpoint.to_owned(),
            settings: settings.to_owned(),
            repos: BTreeMap::new(),
        }
    }
}

/// Reads the state at `path` for a run against `endpoint` with `settings`. A missing file, or
/// one written by another version, format or settings, means a full run (with the reason); a
/// damaged file or one of another endpoint is an error.
pub fn load(path: &Path, endpoint: &str, settings: &str) -> Result<Loaded, StateError> {
    let data = match crate::files::read_regular_file(path, MAX_FILE) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Loaded::Full(format!(
                "no state at {} yet: a full run, recorded there",
                path.display()
            )))
        }
        Err(source) => {
            return Err(StateError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    let damaged = |detail: String| StateError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let header: Header = serde_json::from_slice(&data)
        .map_err(|e| damaged(crate::output::redacted(&e.to_string())))?;
    if header.hfaudit_state != FORMAT {
        return Ok(Loaded::Full(format!(
            "the state file {} has format {} (this hfaudit writes {FORMAT}): a full run, \
             recorded anew",
            path.display(),
            header.hfaudit_state
        )));
    }
    if header.endpoint != endpoint {
        return Err(StateError::Endpoint {
            path: path.to_owned(),
            theirs: crate::output::escape(&header.endpoint).into_owned(),
            ours: endpoint.to_owned(),
        });
    }
    if header.tool != env!("CARGO_PKG_VERSION") {
        return Ok(Loaded::Full(format!(
            "the state file {} was written by hfaudit {} (this is {}): what is found may \
             differ, so a full run, recorded anew",
            path.display(),
            crate::output::escape(&header.tool),
            env!("CARGO_PKG_VERSION")
        )));
    }
    if header.settings != settings {
        return Ok(Loaded::Full(format!(
            "the state file {} was written with other settings (decoding, archives, size \
             limits or the config file): a full run, recorded anew",
            path.display()
        )));
    }
    let state: State = serde_json::from_slice(&data)
        .map_err(|e| damaged(crate::output::redacted(&e.to_string())))?;
    Ok(Loaded::Use(state))
}

/// Writes `state` to `path`: redacted, to a temporary file in the same folder, synced, then
/// renamed over `path` (a reader sees the old file or the new one, never half of one).
pub fn save(path: &Path, state: &State) -> Result<(), StateError> {
    let err = |source| StateError::Write {
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_vec(state).map_err(|e| err(std::io::Error::other(e)))?;
    // Nothing token-shaped is kept, not even in a name.
    let json = crate::output::redact_bytes(&json);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".hfaudit-state-")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(&json).map_err(err)?;
    tmp.write_all(b"\n").map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::origin::Origin;

    fn token() -> String {
        // Assembled here so no token-shaped literal sits in the source.
        format!("hf_{}", "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4V")
    }

    /// A record rebuilds what the inspector found: the same places, fingerprints and facts,
    /// judged the same; the token's text is nowhere in it.
    #[test]
    fn a_record_rebuilds_what_was_found_without_the_token() {
        let engine = Engine::builtin().unwrap();
        let t = token();
        let text = format!(
            "import os\nfrom huggingface_hub import upload_file\nlogin(token=\"{t}\")  # hfaudit:allow HF003\n"
        );
        let mut out = ScanOutput::default();
        let inspected = engine
            .inspector()
            .inspect(Origin::File("app.py".into()), text.as_bytes());
        crate::fold::record(&mut out, &crate::fold::Progress::default(), inspected);
        assert_eq!(out.occurrences.len(), 1);
        let found = Found::of(&out);
        let json = serde_json::to_string(&found).unwrap();
        assert!(!json.contains(&t[3..]), "{json}");
        let back: Found = serde_json::from_str(&json).unwrap();
        assert_eq!(back, found);
        let again = back.restore();
        let (a, b) = (&out.occurrences[0], &again.occurrences[0]);
        assert_eq!(
            (&a.path, a.line, a.column, a.offset, a.platform, a.usage),
            (&b.path, b.line, b.column, b.offset, b.platform, b.usage)
        );
        assert_eq!(a.secret.fingerprint(), b.secret.fingerprint());
        assert_eq!(a.secret.redacted(), b.secret.redacted());
        assert!(b.secret.is_remembered() && b.secret.expose().is_empty() && b.from_state);
        assert_eq!(a.allow, b.allow);
        assert_eq!(out.facts[0].calls, again.facts[0].calls);
        let judged = |o: &ScanOutput| {
            engine
                .judge(o, None)
                .findings
                .into_iter()
                .map(|f| (f.rule, f.path, f.line, f.context.need, f.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(judged(&out), judged(&again));
        assert!(engine
            .judge(&again, None)
            .findings
            .iter()
            .all(|f| f.from_state));
    }

    #[test]
    fn a_damaged_file_or_another_endpoint_is_refused_another_version_is_a_full_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert!(matches!(
            load(&path, "https://h", "s").unwrap(),
            Loaded::Full(why) if why.contains("no state")
        ));
        let mut state = State::new("https://h", "s");
        state.repos.insert("acme/m".into(), RepoEntry::default());
        save(&path, &state).unwrap();
        assert!(
            matches!(load(&path, "https://h", "s").unwrap(), Loaded::Use(s) if s.repos.len() == 1)
        );
        assert!(matches!(
            load(&path, "https://other", "s"),
            Err(StateError::Endpoint { .. })
        ));
        assert!(matches!(
            load(&path, "https://h", "t").unwrap(),
            Loaded::Full(_)
        ));
        state.tool = "0.0.1".into();
        save(&path, &state).unwrap();
        assert!(
            matches!(load(&path, "https://h", "s").unwrap(), Loaded::Full(why) if why.contains("0.0.1"))
        );
        std::fs::write(&path, b"{\"hfaudit_state\": 1, \"tool\"").unwrap();
        assert!(matches!(
            load(&path, "https://h", "s"),
            Err(StateError::Damaged { .. })
        ));
        std::fs::write(&path, b"{\"version\": 1, \"findings\": []}").unwrap();
        assert!(matches!(
            load(&path, "https://h", "s"),
            Err(StateError::Damaged { .. })
        ));
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
