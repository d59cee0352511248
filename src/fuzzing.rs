//! Entry points for the fuzz targets in `fuzz/`: the few readers that are private to their
//! module, reached here without the network or a git process. Not a stable API: hidden from
//! the documentation, and changed whenever the fuzz targets need it.

use serde_json::Value;

use crate::detect::Detector;
use crate::http::Endpoint;
use crate::hub::{ApiRef, Kind, Options, Repo};
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

/// A planned download: its request path (relative to the endpoint) and the report paths it is
/// shown at.
pub type Download = (String, Vec<String>);

/// One page of a tree listing of `kind`/`id` at `revision`, read as a per-file scan reads it:
/// each download's request path (relative to the endpoint `https://hub.invalid/`) with the
/// report paths it is shown at, and how many listed files were refused.
pub fn hub_tree(
    kind: Kind,
    id: &str,
    revision: Option<&str>,
    body: &[u8],
) -> Result<(Vec<Download>, usize), String> {
    let Value::Array(items) = json(body)? else {
        return Err("not a list".into());
    };
    let endpoint = Endpoint::parse("https://hub.invalid").map_err(|e| e.to_string())?;
    let repo = Repo {
        kind,
        id: id.to_owned(),
    };
    crate::hub::planned_downloads(&Options::new(endpoint), &repo, revision, items)
        .map_err(|f| f.to_string())
}

/// One page of an owner's listing of `kind`: each repository, with the commit listed for its
/// default branch.
pub fn hub_owner(kind: Kind, body: &[u8]) -> Result<Vec<(Repo, Option<String>)>, String> {
    let Value::Array(items) = json(body)? else {
        return Err("not a list".into());
    };
    items
        .iter()
        .map(|item| crate::hub::listed_repo(item, kind).map_err(|f| f.to_string()))
        .collect()
}

/// One ref of a refs answer: its name, full ref, and commit (when a full commit id).
pub type ListedRef = (String, String, Option<String>);

/// A refs answer, read: its branches, tags and pull requests.
pub fn hub_refs(body: &[u8]) -> Result<[Vec<ListedRef>; 3], String> {
    let refs = crate::hub::read_refs(&json(body)?);
    let plain = |list: Vec<ApiRef>| -> Vec<ListedRef> {
        list.into_iter()
            .map(|r| (r.name, r.reference, r.commit))
            .collect()
    };
    Ok([
        plain(refs.branches),
        plain(refs.tags),
        plain(refs.pull_requests),
    ])
}

/// One page of the discussions list: each thread's number and list-entry digest, and whether
/// it is the last page.
pub fn hub_discussion_page(body: &[u8]) -> Result<(Vec<(u64, String)>, bool), String> {
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
