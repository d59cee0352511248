//! The report contract held across the pipeline's reshaping (issue 19): every token finding
//! on the fixture trees keeps its rule, severity, path, line, column, offset, fingerprint,
//! platform, usage, need, decoding chain and locations. `fixtures/contract.json` holds the
//! tuples as they were before; this test fails on any difference. Set
//! `HFAUDIT_WRITE_CONTRACT=1` to write the file again, only when a change is meant (and say
//! so in the commit).

use serde_json::{json, Value};

use crate::common::{fixture, hfaudit, repo_root};

/// The tuple of one token finding, in the order the contract lists them.
fn tuple(f: &Value) -> Value {
    json!({
        "rule": f["rule"],
        "severity": f["severity"],
        "path": f["path"],
        "line": f["line"],
        "column": f["column"],
        "offset": f["offset"],
        "fingerprint": f["token"]["fingerprint"],
        "platform": f["context"]["platform"],
        "usage": f["context"]["usage"],
        "need": f["context"]["need"],
        "decoded": f["context"]["decoded"],
        "locations": f["locations"],
    })
}

fn tuples_of(name: &str, extra: &[&str]) -> Value {
    let dir = fixture(name);
    let out = hfaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--no-progress"])
        .args(extra)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut found: Vec<Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["token"].is_null())
        .map(tuple)
        .collect();
    found.sort_by_key(Value::to_string);
    Value::Array(found)
}

#[test]
fn token_findings_on_the_fixtures_keep_their_contract() {
    let mut now = serde_json::Map::new();
    for (name, extra) in [
        ("basic", &[][..]),
        ("basic", &["--no-decode"][..]),
        ("decoded", &[][..]),
        ("archives", &[][..]),
        ("binary", &[][..]),
        ("clean", &[][..]),
    ] {
        let key = if extra.is_empty() {
            name.to_owned()
        } else {
            format!("{name} {}", extra.join(" "))
        };
        now.insert(key, tuples_of(name, extra));
    }
    let now = Value::Object(now);
    let path = repo_root().join("fixtures/contract.json");
    if std::env::var_os("HFAUDIT_WRITE_CONTRACT").is_some() {
        let text = serde_json::to_string_pretty(&now).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let before: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let counts: Vec<usize> = now
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_array().unwrap().len())
        .collect();
    assert!(counts.iter().sum::<usize>() > 20, "{counts:?}");
    for (key, list) in before.as_object().unwrap() {
        let got = &now[key];
        for (i, (a, b)) in list
            .as_array()
            .unwrap()
            .iter()
            .zip(got.as_array().unwrap())
            .enumerate()
        {
            assert_eq!(a, b, "{key}: finding {i} changed");
        }
        assert_eq!(list, got, "{key}: the token findings changed");
    }
    assert_eq!(before, now);
}
