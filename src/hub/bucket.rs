//! Storage buckets (`hf://buckets/OWNER/NAME`): files without git or revisions, listed with
//! their content hashes and downloaded as LFS files are; a file whose hash the state holds is
//! not downloaded again.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::ScanError;
use crate::state::RepoEntry;

use super::{failure_text, file_place, safe_path, target, Ctx, FileJob, Plan, Unit, MAX_TREE};

/// A storage bucket's files (`hf://buckets/OWNER/NAME`): listed with their content hashes;
/// a file whose hash the state already holds is not downloaded again.
pub(super) fn plan_bucket(
    ctx: &Ctx<'_>,
    unit: &Unit,
    index: usize,
    before: Option<&RepoEntry>,
) -> Plan {
    let (api, repo) = (ctx.api, &unit.repo);
    let mut plan = Plan::default();
    let listed = api
        .url(&format!("api/buckets/{}/tree?recursive=true", repo.id))
        .and_then(|url| api.list(url, MAX_TREE));
    let items = match listed {
        Ok((items, cut)) => {
            if let Some(why) = cut {
                api.note(format!(
                    "{}: {why}: the first {} files were read",
                    repo.display(),
                    items.len()
                ));
            }
            items
        }
        Err(f) => {
            plan.found.errors.push(ScanError {
                path: repo.display(),
                message: format!(
                    "cannot read the file list: {}",
                    failure_text(&f, api.has_token())
                ),
            });
            return plan;
        }
    };
    for item in items {
        if item.get("type").and_then(Value::as_str) != Some("file") {
            continue;
        }
        let (Some(path), Some(size)) = (
            item.get("path").and_then(Value::as_str),
            item.get("size").and_then(Value::as_u64),
        ) else {
            continue;
        };
        let hash = item
            .get("xetHash")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut place = file_place(ctx.opts, repo, None, path, index);
        place.source.revision = String::new();
        place.source.url = format!(
            "{}/buckets/{}/resolve/{}",
            ctx.opts.endpoint,
            repo.id,
            target::encode_path(path)
        );
        if let Some(known) = before
            .and_then(|b| b.objects.get(path))
            .filter(|k| !hash.is_empty() && k.key == hash)
        {
            plan.found.merge(known.found.restore());
            plan.objects.insert(path.to_owned(), known.clone());
            continue;
        }
        let Some(url) = safe_path(path)
            .then(|| format!("buckets/{}/resolve/{}", repo.id, target::encode_path(path)))
        else {
            plan.found.errors.push(ScanError {
                path: place.path,
                message: "the Hub listed a path that cannot be requested safely; not read".into(),
            });
            continue;
        };
        place.object = Some(hash.clone());
        plan.files.push(FileJob {
            key: if hash.is_empty() {
                format!("path:{}/{path}", repo.name())
            } else {
                format!("xet:{hash}")
            },
            url,
            size,
            lfs: true,
            places: vec![place],
        });
    }
    plan.refs = Some(BTreeMap::new());
    plan
}
