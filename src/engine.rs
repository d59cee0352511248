//! The pipeline assembled: what `hfaudit scan` and the git modes run, minus argument parsing
//! and printing. Everything here is reusable from tests without spawning the binary.

use std::collections::{HashMap, HashSet};

use crate::config::Config;
use crate::context::CallLists;
use crate::judge::{infer_needs, public_test_tokens, Judge, Judged};
use crate::model::ScanOutput;
use crate::read::{env_names, Scanner};
use crate::rules::{RuleError, RuleSet};
use crate::scan::Detector;
use crate::secret::Fingerprint;
use crate::verify::Verification;

/// Rules, config and the compiled detector: built once per run.
pub struct Engine {
    pub rules: RuleSet,
    pub config: Config,
    pub detector: Detector,
    pub calls: CallLists,
    pub env_names: Vec<String>,
    pub public_tokens: HashSet<Fingerprint>,
}

impl Engine {
    pub fn new(rules: RuleSet, config: Config) -> Self {
        let env_names = env_names(&config.env_vars);
        let names: Vec<&str> = env_names.iter().map(String::as_str).collect();
        let detector = Detector::new(&names);
        let mut calls = CallLists::builtin();
        calls.extend(&config.read_calls, &config.write_calls);
        Engine {
            rules,
            config,
            detector,
            calls,
            env_names,
            public_tokens: public_test_tokens(),
        }
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
        };
        judge.judge(&output.occurrences, &needs)
    }
}
