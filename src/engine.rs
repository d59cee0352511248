//! The pipeline assembled: what `hfaudit scan` and the git modes run, minus argument parsing
//! and printing. Everything here is reusable from tests without spawning the binary.

use std::collections::{HashMap, HashSet};

use crate::config::Config;
use rayon::prelude::*;

use crate::context::{calls_in, env_reads, platform_of, CallLists, Platform};
use crate::judge::{infer_needs, public_test_tokens, Judge, Judged};
use crate::model::FileFacts;
use crate::model::ScanOutput;
use crate::read::{env_names, Scanner};
use crate::rules::{RuleError, RuleSet};
use crate::scan::Detector;
use crate::secret::Fingerprint;
use crate::verify::Verification;

/// Whether `root` is a Space: its `README.md` starts with YAML front matter naming an `sdk`.
pub fn is_space(root: &std::path::Path) -> bool {
    let Some(readme) = crate::read::read_small_file(&root.join("README.md"), 1 << 20) else {
        return false;
    };
    let text = String::from_utf8_lossy(&readme);
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return false;
    }
    lines
        .take_while(|l| l.trim_end() != "---")
        .any(|l| l.strip_prefix("sdk:").is_some_and(|v| !v.trim().is_empty()))
}

/// The detector that notices `names` (and decodes, unless `decode` is off).
fn detector(names: &crate::context::Words, decode: bool) -> Detector {
    let names: Vec<&str> = names.as_slice().iter().map(String::as_str).collect();
    Detector::with_decoding(&names, decode)
}

/// Files larger than this are not read again to follow a token variable.
const FOLLOW_MAX_FILE: u64 = 8 << 20;

/// Rules, config and the compiled detector: built once per run.
pub struct Engine {
    pub rules: RuleSet,
    pub config: Config,
    pub detector: Detector,
    pub calls: CallLists,
    pub env_names: crate::context::Words,
    pub public_tokens: HashSet<Fingerprint>,
    /// Archive limits; `None` leaves archives closed (`--no-archives`).
    pub archives: Option<crate::archive::Archives>,
    /// How many occurrences the run may still list (see [`crate::read::MAX_LISTED`]).
    pub listing: crate::read::ListLimit,
}

impl Engine {
    pub fn new(rules: RuleSet, config: Config) -> Self {
        let env_names = env_names(&config.env_vars);
        let detector = detector(&env_names, true);
        let mut calls = CallLists::builtin();
        calls.extend(&config.read_calls, &config.write_calls);
        Engine {
            rules,
            config,
            detector,
            calls,
            env_names,
            public_tokens: public_test_tokens(),
            archives: Some(crate::archive::Archives::default()),
            listing: crate::read::ListLimit::default(),
        }
    }

    /// The same engine, finding plain tokens only (`--no-decode`): no base64, UTF-16 or
    /// escapes.
    #[must_use]
    pub fn without_decoding(mut self) -> Self {
        self.detector = detector(&self.env_names, false);
        self
    }

    /// The built-in rules with the default config.
    pub fn builtin() -> Result<Self, RuleError> {
        Ok(Engine::new(RuleSet::builtin()?, Config::default()))
    }

    pub fn scanner(&self) -> Scanner<'_> {
        Scanner {
            detector: &self.detector,
            calls: &self.calls,
            env_names: &self.env_names,
            archives: self.archives.as_ref(),
            listing: &self.listing,
        }
    }

    /// Need inference for tokens assigned to variables with unusual names (`ACME_HF=hf_…` in a
    /// `.env`): the walk only watched the standard names, so look again, in parallel, for the
    /// files in `output.scanned` that read these. Costs nothing when every assignment uses a
    /// standard name. `all_names` also follows the standard names: git modes only kept facts
    /// for the blobs that hold tokens.
    pub fn follow_env_vars(&self, output: &mut ScanOutput, all_names: bool) {
        let mut names: Vec<String> = output
            .occurrences
            .iter()
            .filter_map(|o| o.env_var.clone())
            .filter(|v| all_names || !self.env_names.contains(v))
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() || output.scanned.is_empty() {
            return;
        }
        let names = crate::context::Words::new(&names);
        let found: Vec<FileFacts> = output
            .scanned
            .par_iter()
            .filter_map(|(path, rel)| {
                let data = crate::read::read_small_file(path, FOLLOW_MAX_FILE)?;
                let reads = env_reads(&data, &names);
                (!reads.is_empty()).then(|| {
                    let calls = calls_in(&data, &self.calls);
                    FileFacts {
                        path: rel.clone(),
                        platform: platform_of(rel),
                        hub_uses: crate::context::repos::write_uses(
                            rel,
                            platform_of(rel),
                            &data,
                            &calls,
                        ),
                        calls,
                        env_reads: reads,
                        practices: Vec::new(),
                    }
                })
            })
            .collect();
        for new in found {
            match output.facts.iter_mut().find(|f| f.path == new.path) {
                Some(f) => {
                    for var in new.env_reads {
                        if !f.env_reads.contains(&var) {
                            f.env_reads.push(var);
                        }
                    }
                }
                None => output.facts.push(new),
            }
        }
    }

    /// A Hugging Face Space runs its repository's code on the Hub's servers: in a Space (a
    /// `README.md` whose front matter names an `sdk:`), source code is a server's, and its
    /// tokens get a server's advice (Space secrets) and count as the server platform.
    pub fn mark_space(output: &mut ScanOutput, root: &std::path::Path) {
        if !is_space(root) {
            return;
        }
        for occ in &mut output.occurrences {
            if occ.platform == Platform::Source {
                occ.platform = Platform::Server;
            }
        }
        for f in &mut output.facts {
            if f.platform == Platform::Source {
                f.platform = Platform::Server;
            }
        }
    }

    /// Judges a scan's output. `verifications` is `None` without `--verify`.
    pub fn judge(
        &self,
        output: &ScanOutput,
        verifications: Option<&HashMap<Fingerprint, Verification>>,
    ) -> Judged {
        let needs = infer_needs(&output.occurrences, &output.facts);
        let judge = Judge {
            rules: &self.rules,
            config: &self.config,
            public_tokens: &self.public_tokens,
            verifications,
            facts: &output.facts,
            helps: std::cell::RefCell::default(),
        };
        let mut judged = judge.judge(&output.occurrences, &needs);
        judge.judge_practices(&output.facts, &mut judged);
        judged
    }
}
