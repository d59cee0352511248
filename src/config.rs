//! Config: `.hfaudit.toml` or `[tool.hfaudit]` in `pyproject.toml`, found upward from the scan
//! root, parsed strictly (unknown keys are errors that name the file and line), then validated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::rules::{RuleSet, Severity};
use crate::secret::Fingerprint;

/// The config as written. Kebab-case keys; nothing unknown accepted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// Gitignore-style globs, relative to the config file's folder.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rule ids never reported.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rule id → severity.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Fingerprints (16 hex) of tokens known to be harmless (test fixtures, revoked long ago).
    #[serde(default)]
    pub allow_fingerprints: Vec<String>,
    /// Extra call names that read from or write to the Hub.
    #[serde(default)]
    pub read_calls: Vec<String>,
    #[serde(default)]
    pub write_calls: Vec<String>,
    /// Extra environment variables that hold a Hugging Face token.
    #[serde(default)]
    pub env_vars: Vec<String>,
    /// Exit 1 when a finding of this severity or worse is reported (`--fail-on` outranks it).
    #[serde(default)]
    pub fail_on: Option<FailOn>,
}

/// The least severity that fails a scan (exit 1): `--fail-on` and the config's `fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Deserialize)]
struct Pyproject {
    #[serde(default)]
    tool: PyTool,
}

#[derive(Deserialize, Default)]
struct PyTool {
    #[serde(default)]
    hfaudit: Option<RawConfig>,
}

/// The checked config.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it came from (for messages); `None` for the defaults.
    pub source: Option<PathBuf>,
    /// The folder exclude globs are relative to.
    pub root: PathBuf,
    pub exclude: Vec<String>,
    pub disable: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub allow_fingerprints: Vec<Fingerprint>,
    pub read_calls: Vec<String>,
    pub write_calls: Vec<String>,
    pub env_vars: Vec<String>,
    /// The config's `fail-on`, if it says one.
    pub fail_on: Option<FailOn>,
    /// `--select`: only these rules are reported; `None`, every rule.
    pub select: Option<Vec<String>>,
    /// What people should know about how the config was chosen (a linked config skipped).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

/// The root of the repository around `start`: the nearest folder, `start` included, that holds
/// a `.git` (a folder, or a file in worktrees and submodules). Found without running git.
pub fn repository_root(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

impl Config {
    /// Finds the config upward from `start` (a folder) up to the root of its repository, never
    /// above it (a `.hfaudit.toml` in a parent folder, perhaps a world-writable one, must not
    /// decide what a repository's scan sees); outside a repository, up to the current folder
    /// when `start` is inside it, else in `start` alone.
    /// `.hfaudit.toml` first, then a `pyproject.toml` with `[tool.hfaudit]`. No file is not an
    /// error.
    pub fn discover(start: &Path, rules: &RuleSet) -> Result<Config, ConfigError> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let top = repository_root(&start).unwrap_or_else(|| {
            match std::env::current_dir().and_then(std::path::absolute) {
                Ok(cwd) if start.starts_with(&cwd) => cwd,
                _ => start.clone(),
            }
        });
        let mut dir = Some(start.as_path());
        let mut notes = Vec::new();
        // A config found in the tree is the tree's: one that is a symbolic link could make
        // hfaudit read (and quote, in a parse error) any file of the machine. It is skipped.
        let usable = |path: &Path, notes: &mut Vec<String>| match path.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => {
                notes.push(format!(
                    "{} is a symbolic link: not read as a config (a config must be a file of \
                     the repository)",
                    path.display()
                ));
                false
            }
            Ok(_) => true,
            Err(_) => false,
        };
        while let Some(d) = dir {
            let candidate = d.join(".hfaudit.toml");
            if usable(&candidate, &mut notes) {
                let mut config = Config::load(&candidate, rules)?;
                config.notes = notes;
                return Ok(config);
            }
            let py = d.join("pyproject.toml");
            if usable(&py, &mut notes) {
                let text = read(&py)?;
                if text.contains("[tool.hfaudit") {
                    let mut config = Config::parse(&py, &text, rules)?;
                    config.notes = notes;
                    return Ok(config);
                }
            }
            if d == top {
                break;
            }
            dir = d.parent();
        }
        Ok(Config {
            root: start,
            notes,
            ..Config::default()
        })
    }

    pub fn load(path: &Path, rules: &RuleSet) -> Result<Config, ConfigError> {
        let text = read(path)?;
        Config::parse(path, &text, rules)
    }

    /// Parses `text` as the file at `path` (a pyproject.toml or an hfaudit config).
    pub fn parse(path: &Path, text: &str, rules: &RuleSet) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        let raw: RawConfig = if is_pyproject {
            let py: Pyproject = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
            py.tool.hfaudit.unwrap_or_default()
        } else {
            toml::from_str(text).map_err(|e| invalid(e.to_string()))?
        };
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map_or(String::new(), |i| format!("line {}: ", i + 1))
        };
        for id in raw.disable.iter().chain(raw.severity.keys()) {
            if rules.get(id).is_none() {
                return Err(invalid(format!(
                    "{}unknown rule id {id:?} (see `hfaudit rules`)",
                    line_of(id)
                )));
            }
        }
        let mut allow = Vec::new();
        for fp in &raw.allow_fingerprints {
            let parsed = Fingerprint::parse(fp).ok_or_else(|| {
                invalid(format!(
                    "{}allow-fingerprints: {fp:?} is not 16 lower-case hex digits",
                    line_of(fp)
                ))
            })?;
            allow.push(parsed);
        }
        for var in &raw.env_vars {
            if var.is_empty() || !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(invalid(format!(
                    "{}env-vars: {var:?} is not a variable name",
                    line_of(if var.is_empty() { "env-vars" } else { var })
                )));
            }
        }
        let root = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        Ok(Config {
            source: Some(path.to_path_buf()),
            root,
            exclude: raw.exclude,
            disable: raw.disable.iter().map(|s| s.to_ascii_uppercase()).collect(),
            severity: raw
                .severity
                .into_iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), v))
                .collect(),
            allow_fingerprints: allow,
            read_calls: raw.read_calls,
            write_calls: raw.write_calls,
            env_vars: raw.env_vars,
            fail_on: raw.fail_on,
            select: None,
            notes: Vec::new(),
        })
    }

    pub fn is_disabled(&self, rule: &str) -> bool {
        self.disable.iter().any(|d| d == rule)
            || self
                .select
                .as_ref()
                .is_some_and(|s| !s.iter().any(|r| r == rule))
    }

    /// `--select` and `--ignore` (ruff's convention): only the selected rules are reported,
    /// never the ignored ones, on top of the config's `disable`. Unknown ids are an error.
    pub fn select_rules(
        &mut self,
        select: &[String],
        ignore: &[String],
        rules: &RuleSet,
    ) -> Result<(), String> {
        let norm = |ids: &[String]| -> Result<Vec<String>, String> {
            ids.iter()
                .map(|id| id.trim().to_ascii_uppercase())
                .filter(|id| !id.is_empty())
                .map(|id| {
                    if rules.get(&id).is_some() {
                        Ok(id)
                    } else {
                        Err(format!("unknown rule id {id:?} (see `hfaudit rules`)"))
                    }
                })
                .collect()
        };
        let select = norm(select)?;
        if !select.is_empty() {
            self.select = Some(select);
        }
        self.disable.extend(norm(ignore)?);
        Ok(())
    }
}

/// The largest config file read: configs are a few lines; a bigger one is a mistake or hostile.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

fn read(path: &Path) -> Result<String, ConfigError> {
    let data = crate::files::read_regular_file(path, MAX_CONFIG_SIZE).map_err(|source| {
        ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }
    })?;
    String::from_utf8(data).map_err(|_| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: "not UTF-8 text".to_owned(),
    })
}
