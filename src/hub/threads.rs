//! What a repository holds besides files: its discussions (every thread, titles and comments;
//! one whose list entry the state already holds is not read again) and a Space's public
//! variables.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::engine::Engine;
use crate::fold::{self, Progress};
use crate::model::{HubItem, ScanError, ScanOutput, Source};
use crate::origin::Origin;
use crate::state::{Found, Keyed};

use super::api::{Api, Failure};
use super::{
    api_endpoint, failure_text, source, target, Ctx, Repo, DEFAULT_REVISION, MAX_DISCUSSIONS,
};

/// Lower-case hex digits of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Inspects `text` as one item of the Hub (a discussion, a variable) at `path`.
fn scan_text(
    engine: &Engine,
    path: String,
    text: &str,
    place: Source,
    progress: &Progress,
    out: &mut ScanOutput,
) {
    let origin = Origin::hub(path, place, None);
    let inspected = engine.inspector().inspect(origin, text.as_bytes());
    fold::record(out, progress, inspected);
}

/// Every discussion and pull request thread: titles and comments, every page of the list. A
/// thread whose list entry is what the state recorded (`known`) is not read again: what it
/// gave comes from the state. `record` gets what each thread gave, for the next state.
pub(super) fn discussions(
    ctx: &Ctx<'_>,
    repo: &Repo,
    before: Option<&BTreeMap<u64, Keyed>>,
    out: &mut ScanOutput,
    record: &mut BTreeMap<u64, Keyed>,
) -> Result<(), Failure> {
    let (api, engine, progress) = (ctx.api, ctx.engine, ctx.progress);
    let base = format!("api/{}/{}/discussions", repo.kind.plural(), repo.id);
    // The server's `count` is a hint, never a promise: the pages end at an empty or
    // repeated page, and at most MAX_DISCUSSIONS are read.
    let mut nums: Vec<u64> = Vec::new();
    let mut known: HashSet<u64> = HashSet::new();
    // What each thread's list entry says (its title, status, number of comments): when it is
    // what it was, the thread is too (an edit in place of an older comment aside).
    let mut digests: HashMap<u64, String> = HashMap::new();
    let mut page = 0u64;
    loop {
        let (v, _) = api.json(&api.url(&format!("{base}?p={page}"))?)?;
        let (listed, final_page) = discussion_page(&v)?;
        let first = nums.len();
        for (n, digest) in listed {
            if known.insert(n) {
                nums.push(n);
                digests.insert(n, digest);
            }
        }
        if nums.len() >= MAX_DISCUSSIONS {
            api.note(format!(
                "{}: more than {MAX_DISCUSSIONS} discussions: the first {MAX_DISCUSSIONS} were read",
                repo.display()
            ));
            nums.truncate(MAX_DISCUSSIONS);
            break;
        }
        if final_page || nums.len() == first {
            break;
        }
        page += 1;
    }
    nums.sort_unstable();
    nums.dedup();
    let total = nums.len();
    for (at, num) in nums.into_iter().enumerate() {
        let digest = digests.remove(&num).unwrap_or_default();
        if let Some(k) = before.and_then(|b| b.get(&num)).filter(|k| k.key == digest) {
            out.merge(k.found.restore());
            record.insert(num, k.clone());
            continue;
        }
        if api.expired() {
            // One error for what is left, not one a thread (a hostile list made 8,167).
            out.errors.push(ScanError {
                path: format!("{}/discussions", repo.display()),
                message: format!(
                    "{} of {total} discussions not read: the Hub scan's deadline passed",
                    total - at
                ),
            });
            break;
        }
        let path = format!("{}/discussions/{num}", repo.display());
        let (v, _) = match api.json(&api.url(&format!("{base}/{num}"))?) {
            Ok(x) => x,
            Err(f) => {
                out.errors.push(ScanError {
                    path,
                    message: format!("cannot read: {}", failure_text(&f, api.has_token())),
                });
                continue;
            }
        };
        let text = discussion_text(&v);
        let web = format!(
            "{}/{}{}/discussions/{num}",
            api_endpoint(api),
            repo.kind.prefix(),
            repo.id
        );
        let src = source(repo, DEFAULT_REVISION, HubItem::Discussion, web);
        let mut thread = ScanOutput::default();
        scan_text(engine, path, &text, src, progress, &mut thread);
        record.insert(
            num,
            Keyed {
                key: digest,
                found: Found::of(&thread),
            },
        );
        out.merge(thread);
    }
    Ok(())
}

/// One page of the discussions list: each listed thread's number and the digest of its list
/// entry (what the state compares), and whether the page is the last by the server's own
/// numbers (empty, or `start` plus its length reaches `count`). The Hub's numbers are not
/// trusted: a `start` near 2^64 makes the last page, not an overflow. Also reached by the fuzz
/// targets (`fuzz/`).
pub(crate) fn discussion_page(v: &Value) -> Result<(Vec<(u64, String)>, bool), Failure> {
    let list = v
        .get("discussions")
        .and_then(Value::as_array)
        .ok_or_else(|| Failure::Other("unexpected answer: no discussions list".into()))?;
    let listed = list
        .iter()
        .filter_map(|d| {
            let n = d.get("num").and_then(Value::as_u64)?;
            Some((n, hex(&Sha256::digest(d.to_string().as_bytes()))))
        })
        .collect();
    let count = v.get("count").and_then(Value::as_u64).unwrap_or(0);
    let start = v.get("start").and_then(Value::as_u64).unwrap_or(0);
    let final_page = list.is_empty() || start.saturating_add(list.len() as u64) >= count;
    Ok((listed, final_page))
}

/// A discussion answer as the one text scanned: the title, then each comment's latest text, a
/// blank line apart (lines count in that). Also reached by the fuzz targets (`fuzz/`).
pub(crate) fn discussion_text(v: &Value) -> String {
    let mut text = v
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    for e in v
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(raw) = e.pointer("/data/latest/raw").and_then(Value::as_str) {
            text.push_str("\n\n");
            text.push_str(raw);
        }
    }
    text
}

/// Space variables read, at most: a Space has a few; a hostile answer of 100,000 took minutes.
const MAX_VARIABLES: usize = 1_000;

/// A Space's public variables, each scanned as `NAME=value` (a description follows as a
/// comment line).
pub(super) fn variables(
    api: &Api<'_>,
    engine: &Engine,
    repo: &Repo,
    progress: &Progress,
    out: &mut ScanOutput,
) -> Result<(), Failure> {
    let (v, _) = api.json(&api.url(&format!("api/spaces/{}/variables", repo.id))?)?;
    let mut all = variable_texts(&v)?;
    if all.len() > MAX_VARIABLES {
        api.note(format!(
            "{}: {} variables listed: the first {MAX_VARIABLES} were read",
            repo.display(),
            all.len()
        ));
        all.truncate(MAX_VARIABLES);
    }
    for (name, text) in all {
        let path = format!(
            "{}/variables/{}",
            repo.display(),
            target::encode_segment(&name)
        );
        let web = format!("{}/spaces/{}/settings", api_endpoint(api), repo.id);
        let src = source(repo, DEFAULT_REVISION, HubItem::Variable, web);
        scan_text(engine, path, &text, src, progress, out);
    }
    Ok(())
}

/// A variables answer, each variable as its name and the text scanned: `NAME=value`, then its
/// description as a comment line. Also reached by the fuzz targets (`fuzz/`).
pub(crate) fn variable_texts(v: &Value) -> Result<Vec<(String, String)>, Failure> {
    let Some(map) = v.as_object() else {
        return Err(Failure::Other("unexpected answer: not an object".into()));
    };
    Ok(map
        .iter()
        .map(|(name, var)| {
            let value = var
                .get("value")
                .and_then(Value::as_str)
                .or_else(|| var.as_str())
                .unwrap_or_default();
            let mut text = format!("{name}={value}\n");
            if let Some(d) = var.get("description").and_then(Value::as_str) {
                text.push_str(&format!("# {d}\n"));
            }
            (name.clone(), text)
        })
        .collect())
}
