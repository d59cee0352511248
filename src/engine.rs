//! The pipeline assembled: what `hfaudit scan` and the git modes run, minus argument parsing
//! and printing. Everything here is reusable from tests without spawning the binary.

use std::collections::{HashMap, HashSet};

use crate::config::Config;
use crate::context::{CallLists, Words, STANDARD_TOKEN_VARS};
use crate::detect::Detector;
use crate::inspect::{Inspector, ListLimit};
use crate::judge::{infer_needs, public_test_tokens, Judge, Judged};
use crate::model::ScanOutput;
use crate::rules::{RuleError, RuleSet};
use crate::secret::Fingerprint;
use crate::verify::Verification;

/// The detector that notices `names` (and decodes, unless `decode` is off).
fn detector(names: &crate::context::Words, decode: bool) -> Detector {
    let names: Vec<&str> = names.as_slice().iter().map(String::as_str).collect();
    Detector::with_decoding(&names, decode)
}

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
    /// How many occurrences the run may still list (see [`crate::inspect::MAX_LISTED`]).
    pub listing: ListLimit,
    /// `hfaudit plan`: map every text file's Hub calls, not only those of files that hold a
    /// token or name a token variable (a scan never needs that).
    pub need_map: bool,
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
            listing: ListLimit::default(),
            need_map: false,
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

    /// What inspects each blob, borrowing this engine's compiled parts.
    pub fn inspector(&self) -> Inspector<'_> {
        Inspector {
            detector: &self.detector,
            calls: &self.calls,
            env_names: &self.env_names,
            archives: self.archives.as_ref(),
            listing: &self.listing,
            need_map: self.need_map,
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

/// The token variables to watch for: the standard ones plus `extra`.
pub fn env_names(extra: &[String]) -> Words {
    Words::new(
        STANDARD_TOKEN_VARS
            .iter()
            .copied()
            .chain(extra.iter().map(String::as_str)),
    )
}
