//! Shared helpers: the binary, fixture copies, fake tokens, runs that talk to a mock Hub.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The `hfaudit` binary with a clean environment: no colour, no CI, no Hub endpoint.
pub fn hfaudit() -> Command {
    let mut cmd = Command::cargo_bin("hfaudit").expect("binary builds");
    cmd.env_remove("HF_ENDPOINT")
        .env_remove("HF_TOKEN")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    cmd
}

/// `hfaudit` for tests against a mock Hub: nothing of this machine's Hugging Face set-up
/// (saved token, cache) or of the verification timeouts in its environment, and a bound on the
/// whole run.
pub fn hfaudit_offline() -> Command {
    let mut cmd = hfaudit();
    for var in [
        "HUGGING_FACE_HUB_TOKEN",
        "HF_TOKEN_PATH",
        "HF_HOME",
        "XDG_CACHE_HOME",
        "HFAUDIT_VERIFY_TIMEOUT_MS",
        "HFAUDIT_VERIFY_DEADLINE_MS",
    ] {
        cmd.env_remove(var);
    }
    cmd.timeout(std::time::Duration::from_secs(60));
    cmd
}

/// What a finished run gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Python that downloads a file with `token`: a read-only use of it.
pub fn download(token: &str) -> String {
    format!(
        "from huggingface_hub import hf_hub_download\nhf_hub_download(\"org/model\", \"config.json\", token=\"{token}\")\n"
    )
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies `fixtures/NAME` into a fresh temporary folder (outside this repository, so its
/// `.hfaudit.toml` does not apply) and returns it.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("fixtures").join(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes `content` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fake token body: 34 random letters and digits (with at least one digit).
pub fn fake_body(rng: &mut StdRng) -> String {
    loop {
        let body: String = (0..34)
            .map(|_| ALNUM[rng.gen_range(0..ALNUM.len())] as char)
            .collect();
        if body.bytes().any(|b| b.is_ascii_digit()) {
            return body;
        }
    }
}

/// `n` distinct fake `hf_` tokens from a seed.
pub fn fake_tokens(seed: u64, n: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| format!("hf_{}", fake_body(&mut rng)))
        .collect()
}

/// Every token-shaped string in the files under `root`: what no output may contain.
pub fn tokens_in_tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walk(root) {
        let data = std::fs::read(&entry).unwrap();
        for prefix in [&b"hf_"[..], b"api_org_"] {
            let mut i = 0;
            while let Some(pos) = find(&data[i..], prefix) {
                let start = i + pos;
                let body = &data[start + prefix.len()..];
                let run = body
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count();
                let distinct = body[..run]
                    .iter()
                    .collect::<std::collections::BTreeSet<_>>()
                    .len();
                // Placeholders (`hf_xxxx…`) are not secrets; documentation may show them.
                if run == 34 && distinct >= 10 {
                    out.push(
                        String::from_utf8_lossy(&data[start..start + prefix.len() + 34])
                            .into_owned(),
                    );
                }
                i = start + prefix.len();
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                out.push(e.path());
            }
        }
    }
    out
}

/// Asserts that `text` contains none of `tokens` (nor their middle part).
pub fn assert_no_token(text: &str, tokens: &[String], what: &str) {
    for t in tokens {
        let middle = &t[t.len() - 26..t.len() - 5];
        assert!(
            !text.contains(middle),
            "{what} leaks a token ({}…)",
            &t[..7]
        );
    }
}

/// Runs `hfaudit ARGS` in `dir` and parses its JSON report.
pub fn json_report(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = hfaudit()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
