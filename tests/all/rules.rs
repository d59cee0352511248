//! Rules are data: every example and negative example in `rules/*.toml` runs through the real
//! pipeline (scan → context → judge), and the README's rule table matches the rule files.

use std::collections::HashMap;

use hfaudit::engine::Engine;
use hfaudit::fold::Progress;
use hfaudit::model::ScanOutput;
use hfaudit::rules::{Example, RuleSet, RULE_FILES};
use hfaudit::secret::Fingerprint;
use hfaudit::verify::{Status, Verification};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::common::{fake_body, hfaudit, repo_root};

/// Runs one example; returns the rule ids it produced.
fn run_example(engine: &mut Engine, ex: &Example, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let token = format!("hf_{}", fake_body(&mut rng));
    let token2 = format!("hf_{}", fake_body(&mut rng));
    let org = format!("api_org_{}", fake_body(&mut rng));
    let public = format!("hf_{}", fake_body(&mut rng));
    engine.public_tokens.insert(Fingerprint::of(&public));
    let mut output = ScanOutput::default();
    for file in &ex.files {
        let content = file
            .content
            .replace("{{TOKEN}}", &token)
            .replace("{{TOKEN2}}", &token2)
            .replace("{{ORG_TOKEN}}", &org)
            .replace("{{PUBLIC_TEST_TOKEN}}", &public);
        // A Hub item (a Space variable, HF012) is what its path names, as the Hub source says.
        let origin = hfaudit::hub::example_origin(&file.path);
        let found = engine.inspector().inspect(origin, content.as_bytes());
        hfaudit::fold::record(&mut output, &Progress::default(), found);
    }
    hfaudit::fold::finish(&mut output, &engine.listing);
    let verifications = ex.verification.as_ref().map(|v| {
        let status = match v.status.as_str() {
            "valid" => Status::Valid,
            "invalid" => Status::Invalid,
            "forbidden" => Status::Forbidden,
            _ => Status::Unknown,
        };
        let mut ver = Verification::with_status(status);
        ver.role.clone_from(&v.role);
        ver.token_name.clone_from(&v.name);
        ver.permissions.clone_from(&v.permissions);
        ver.owner.clone_from(&v.owner);
        ver.orgs.clone_from(&v.orgs);
        ver.scoped.clone_from(&v.scoped);
        let mut map = HashMap::new();
        map.insert(Fingerprint::of(&token), ver);
        map
    });
    engine
        .judge(&output, verifications.as_ref())
        .findings
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn every_rule_example_runs_through_the_pipeline() {
    let mut engine = Engine::builtin().expect("built-in rules parse");
    let rules = engine.rules.rules.clone();
    let mut failures = Vec::new();
    for rule in &rules {
        if rule.examples.is_empty() || rule.negative_examples.is_empty() {
            failures.push(format!(
                "{}: needs at least one example and one negative example",
                rule.id
            ));
        }
        for (i, ex) in rule.examples.iter().enumerate() {
            let got = run_example(&mut engine, ex, i as u64);
            if !got.contains(&rule.id) {
                failures.push(format!(
                    "{} example {} ({}) did not fire; got {got:?}",
                    rule.id,
                    i + 1,
                    ex.note
                ));
            }
        }
        for (i, ex) in rule.negative_examples.iter().enumerate() {
            let got = run_example(&mut engine, ex, 100 + i as u64);
            if got.contains(&rule.id) {
                failures.push(format!(
                    "{} negative example {} ({}) fired",
                    rule.id,
                    i + 1,
                    ex.note
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "rule examples failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_rule_file_is_embedded_and_ids_are_unique() {
    let on_disk = std::fs::read_dir(repo_root().join("rules"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .count();
    assert_eq!(
        on_disk,
        RULE_FILES.len(),
        "a rule file is not embedded (rebuild?)"
    );
    let set = RuleSet::builtin().unwrap();
    assert_eq!(set.rules.len(), RULE_FILES.len());
    let mut ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), set.rules.len());
    // The catalogue of DESIGN §5: ids users' baselines depend on.
    for id in [
        "HF001", "HF002", "HF003", "HF004", "HF005", "HF006", "HF007", "HF008", "HF009", "HF010",
        "HF011", "HF013", "HF014", "HF015", "HF016",
    ] {
        assert!(set.get(id).is_some(), "{id} missing");
    }
}

#[test]
fn a_broken_rule_file_is_an_error_naming_file_and_line() {
    let err = RuleSet::parse(&[(
        "HF099-bad.toml",
        "id = \"HF099\"\nname = \"bad\"\nseverity = \"fatal\"\n",
    )])
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("HF099-bad.toml"), "{text}");
    assert!(text.contains("line 3"), "{text}");
}

#[test]
fn readme_rule_table_is_generated_from_the_rule_files() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->")
        .expect("README has the rules:start marker");
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README has the rules:end marker");
    let table = readme[start + "<!-- rules:start -->".len()..end].trim();
    let expected = hfaudit::rules::markdown_table(&RuleSet::builtin().unwrap());
    assert_eq!(
        table,
        expected.trim(),
        "README rule table is stale: run `hfaudit rules --markdown`"
    );
}

#[test]
fn rules_and_rule_commands_print_the_catalogue() {
    let out = hfaudit()
        .arg("rules")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), RULE_FILES.len());
    assert!(text.contains("HF003  token-shared-across-platforms"));
    let doc = hfaudit()
        .args(["rule", "hf003"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc = String::from_utf8(doc).unwrap();
    assert!(doc.starts_with("# HF003 token-shared-across-platforms"));
    assert!(doc.contains("## Why") && doc.contains("## Fix") && doc.contains("## Fires on"));
    assert!(!doc.contains("{{TOKEN}}"));
    hfaudit().args(["rule", "HF999"]).assert().code(2);
}
