//! Decoded text: tokens in base64, UTF-16 and escapes are found, reported where the encoded
//! text is, with the decoding chain, and never shown, encoded or not.

use base64::Engine as _;
use serde_json::Value;

use crate::common::{fake_tokens, hfaudit, json_report, write};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

/// Every character as a `\\u` escape, as some JavaScript minifiers write strings.
fn escape_all(text: &str) -> String {
    use std::fmt::Write;
    text.chars().fold(String::new(), |mut out, c| {
        let _ = write!(out, "\\u{:04x}", c as u32);
        out
    })
}

/// Where a finding is: path, line, column, decoded chain.
type Place = (String, Option<u64>, Option<u64>, Vec<String>);

fn places(r: &Value) -> Vec<Place> {
    let mut v: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "HF003")
        .map(|f| {
            let chain = f["context"]["decoded"]
                .as_array()
                .map(|a| a.iter().map(|e| e.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64(),
                f["column"].as_u64(),
                chain,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn encoded_tokens_are_found_where_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let t = fake_tokens(51, 8);
    // A Kubernetes Secret: `data:` values are base64.
    write(
        dir.path(),
        "k8s/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\ndata:\n  HF_TOKEN: {}\n",
            b64(t[0].as_bytes())
        ),
    );
    // Docker's config.json: `auth` is base64 of `user:token`.
    write(
        dir.path(),
        "docker/config.json",
        format!(
            "{{\"auths\": {{\"registry.example\": {{\"auth\": \"{}\"}}}}}}\n",
            b64(format!("bot:{}", t[1]).as_bytes())
        ),
    );
    // A Windows tool's UTF-16 output, with and without a byte-order mark.
    write(
        dir.path(),
        "logs/win.log",
        utf16(&format!("start\r\nrun\r\n  token={}\r\n", t[2]), true, true),
    );
    write(
        dir.path(),
        "logs/be.txt",
        utf16(&format!("a\nHF_TOKEN={}\n", t[3]), false, false),
    );
    // JavaScript that escapes every character, and a URL that encodes the underscore.
    let escaped = escape_all(&t[4]);
    write(
        dir.path(),
        "web/app.js",
        format!("// x\nconst k = \"{escaped}\";\n"),
    );
    write(
        dir.path(),
        "docs/url.md",
        format!(
            "see https://h.example/x?token={}\n",
            t[5].replace('_', "%5F")
        ),
    );
    // base64 of JSON that holds the token with `\u` escapes: two decodings.
    let inner = format!("{{\"token\": \"{}\"}}", escape_all(&t[6]));
    write(
        dir.path(),
        "deploy/values.yaml",
        format!("blob: {}\n", b64(inner.as_bytes())),
    );
    // A `.env` piped through `base64` (wrapped at 76 columns): the token starts at character
    // 60 of the first line and goes on in the second.
    let env = format!("# backup of the deployment settings\nHF_TOKEN={}\n", t[7]);
    let wrapped: Vec<String> = b64(env.as_bytes())
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    write(dir.path(), "backup/env.b64", wrapped.join("\n") + "\n");
    let r = json_report(dir.path(), &[]);
    let got = places(&r);
    let want = vec![
        (
            "backup/env.b64".to_owned(),
            Some(1),
            Some(61),
            vec!["base64".to_owned()],
        ),
        (
            "deploy/values.yaml".to_owned(),
            Some(1),
            Some(19),
            vec!["base64".to_owned(), "unicode-escape".to_owned()],
        ),
        (
            "docker/config.json".to_owned(),
            Some(1),
            Some(46),
            vec!["base64".to_owned()],
        ),
        (
            "docs/url.md".to_owned(),
            Some(1),
            Some(31),
            vec!["percent".to_owned()],
        ),
        (
            "k8s/secret.yaml".to_owned(),
            Some(4),
            Some(13),
            vec!["base64".to_owned()],
        ),
        (
            "logs/be.txt".to_owned(),
            Some(2),
            Some(10),
            vec!["utf-16be".to_owned()],
        ),
        (
            "logs/win.log".to_owned(),
            Some(3),
            Some(9),
            vec!["utf-16le".to_owned()],
        ),
        (
            "web/app.js".to_owned(),
            Some(2),
            Some(12),
            vec!["unicode-escape".to_owned()],
        ),
    ];
    assert_eq!(got, want);
    // Every token was found, each its own; none is printed, encoded or not, in any format.
    let fps: std::collections::BTreeSet<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["token"]["fingerprint"].as_str())
        .collect();
    assert_eq!(fps.len(), 8);
    let encoded: Vec<String> = t
        .iter()
        .flat_map(|tok| {
            [
                tok.clone(),
                b64(tok.as_bytes()),
                b64(format!("bot:{tok}").as_bytes()),
            ]
        })
        .collect();
    for format in ["human", "json", "sarif", "github"] {
        let out = hfaudit()
            .current_dir(dir.path())
            .args(["scan", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for e in &encoded {
            let middle = &e[e.len() / 2 - 8..e.len() / 2 + 8];
            assert!(!text.contains(middle), "{format} shows an encoded token");
        }
        if format == "human" {
            assert!(text.contains("decoded from base64"), "{text}");
            assert!(
                text.contains("[base64 hf_"),
                "the snippet masks the encoded run"
            );
        }
    }
    // --no-decode: only what is written plainly (nothing here).
    let r = json_report(dir.path(), &["--no-decode"]);
    assert!(places(&r).is_empty());
}

/// Notebooks full of base64 images, random base64 blobs and binary noise: nothing decodes into
/// a finding.
#[test]
fn base64_images_and_noise_are_not_tokens() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(52);
    let dir = tempfile::tempdir().unwrap();
    for i in 0..6 {
        let png: Vec<u8> = (0..200_000).map(|_| rng.gen::<u8>()).collect();
        write(
            dir.path(),
            &format!("nb{i}.ipynb"),
            format!(
                "{{\"cells\": [{{\"outputs\": [{{\"data\": {{\"image/png\": \"{}\"}}}}]}}]}}",
                b64(&png)
            ),
        );
        let noise: Vec<u8> = (0..200_000).map(|_| rng.gen::<u8>()).collect();
        write(dir.path(), &format!("blob{i}.bin"), &noise);
    }
    let r = json_report(dir.path(), &[]);
    assert!(
        r["findings"].as_array().unwrap().is_empty(),
        "{}",
        r["findings"]
    );
}
