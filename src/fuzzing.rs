//! Entry points for the fuzz targets in `fuzz/`: the few readers that are private to their
//! module, reached here without the network or a git process. Not a stable API: hidden from
//! the documentation, and changed whenever the fuzz targets need it.

use serde_json::Value;

use crate::detect::Detector;
use crate::hub::{Kind, Repo};
use crate::secret::Secret;
use crate::verify::Verification;

pub use crate::git::parse::{Fields, Header, Item, Record, Side};

/// `detector` on the portable automaton only, as a CPU without the SIMD of Teddy runs it.
pub fn portable(detector: Detector) -> Detector {
    detector.portable()
}

fn json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))
}

/// One page of a tree listing: the downloads it plans for `kind`/`id` at `revision` (request
/// path relative to the endpoint, report path), and how many entries were refused.
pub fn hub_tree(
    kind: Kind,
    id: &str,
    revision: Option<&str>,
    body: &[u8],
) -> Result<(Vec<(String, String)>, usize), String> {
    let Value::Array(items) = json(body)? else {
        return Err("not a list".into());
    };
    let repo = Repo {
        kind,
        id: id.to_owned(),
    };
    crate::hub::planned_downloads(&repo, revision, items).map_err(|f| f.to_string())
}

/// One page of an owner's listing: its repositories.
pub fn hub_owner(kind: Kind, body: &[u8]) -> Result<Vec<Repo>, String> {
    let Value::Array(items) = json(body)? else {
        return Err("not a list".into());
    };
    crate::hub::owner_repos(&items, kind).map_err(|f| f.to_string())
}

/// A refs answer: the pull request refs read.
pub fn hub_refs(body: &[u8]) -> Result<Vec<String>, String> {
    Ok(crate::hub::pr_refs(&json(body)?))
}

/// One page of the discussions list: the numbers on it, and whether another page follows.
pub fn hub_discussion_page(body: &[u8]) -> Result<(Vec<u64>, bool), String> {
    crate::hub::discussion_page(&json(body)?).map_err(|f| f.to_string())
}

/// A discussion answer, as the text scanned.
pub fn hub_discussion(body: &[u8]) -> Result<String, String> {
    Ok(crate::hub::discussion_text(&json(body)?))
}

/// A variables answer: each variable's name and the text scanned.
pub fn hub_variables(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    crate::hub::variable_texts(&json(body)?).map_err(|f| f.to_string())
}

/// The `rel="next"` target of a Link header.
pub fn next_link(header: &str) -> Option<String> {
    crate::hub::api::next_link(header)
}

/// A whoami answer about `secret`, as verification keeps it (scrubbed).
pub fn whoami(body: &[u8], secret: &Secret) -> Result<Verification, String> {
    crate::verify::parse_whoami(body).map(|v| crate::verify::scrub(v, secret))
}
