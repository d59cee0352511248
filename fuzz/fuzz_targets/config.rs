//! The config reader (`.hfaudit.toml`, `[tool.hfaudit]` in `pyproject.toml`): never a panic;
//! a config it accepts names only known rules, valid fingerprints and variable names, and
//! builds an engine that scans; an error names the file.
//!
//! The first byte picks the file name; the rest is the file.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use hfaudit::config::Config;
use hfaudit::engine::Engine;
use hfaudit::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::builtin().expect("built-in rules"));

fuzz_target!(|input: &[u8]| {
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = if pick & 1 == 0 {
        Path::new("/repo/.hfaudit.toml")
    } else {
        Path::new("/repo/pyproject.toml")
    };
    match Config::parse(path, text, &RULES) {
        Ok(config) => {
            for id in config.disable.iter().chain(config.severity.keys()) {
                assert!(RULES.get(id).is_some(), "unknown rule {id:?} accepted");
                assert_eq!(*id, id.to_ascii_uppercase());
            }
            for v in &config.env_vars {
                assert!(!v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            }
            for fp in &config.allow_fingerprints {
                assert_eq!(fp.as_str().len(), 16);
            }
            assert_eq!(config.root, Path::new("/repo"));
            // The engine it makes builds its detector and scans (the config's variables are
            // literals of the automaton).
            let engine = Engine::new(RULES.clone(), config);
            let _ = engine.detector.scan(data);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with(&path.display().to_string()),
                "{message}"
            );
        }
    }
});
