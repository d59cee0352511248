//! HF016: what the code using a token writes to, and what a verified token can write to
//! beyond it.

use std::collections::HashMap;

use super::{scopes, UnresolvedWrite, WriteNeed};
use crate::context::repos::{self, Target};
use crate::model::{FileFacts, Occurrence};
use crate::secret::Fingerprint;
use crate::verify::{write_reach, Verification, WriteReach};

/// What the code in each token's scope writes to (HF016). A write call of the call lists
/// (`data/calls.toml`, the config's) that the need map did not tie to a repository counts as
/// unresolved: HF016 never rests on a write it could not read.
pub fn write_needs(
    occurrences: &[Occurrence],
    facts: &[FileFacts],
) -> HashMap<Fingerprint, WriteNeed> {
    scopes(occurrences, facts)
        .into_iter()
        .map(|(fp, files)| {
            let mut need = WriteNeed::default();
            for f in files {
                for u in f.hub_uses.iter().filter(|u| u.is_write()) {
                    match &u.target {
                        Target::Repo(r) => {
                            need.repos.insert(r.clone());
                        }
                        Target::Namespace(n) => {
                            need.namespaces.insert(n.clone());
                        }
                        Target::Nothing | Target::OwnSpace | Target::Unresolved(_) => {
                            need.unresolved.push(UnresolvedWrite {
                                path: f.path.clone(),
                                line: Some(u.line),
                                call: u.call.clone(),
                                why: u.unresolved().unwrap_or("no repository").to_owned(),
                            });
                        }
                    }
                }
                for name in &f.calls.writes {
                    if !repos::covers(&f.hub_uses, name) {
                        need.unresolved.push(UnresolvedWrite {
                            path: f.path.clone(),
                            line: None,
                            call: name.clone(),
                            why: "a write call whose repository hfaudit could not read".into(),
                        });
                    }
                }
            }
            need.unresolved.sort();
            need.unresolved.dedup();
            (fp, need)
        })
        .collect()
}

/// `acme/m`, `datasets/acme/d`, `spaces/acme/s`: a repository as the Hub's URLs name it.
fn repo_text(kind: &str, name: &str) -> String {
    match kind {
        "model" => name.to_owned(),
        "dataset" => format!("datasets/{name}"),
        "space" => format!("spaces/{name}"),
        other => format!("{other} {name}"),
    }
}

/// HF016: what a verified token can write to beyond what its code writes to — `(surplus,
/// targets)` for the message — when every write of the code names its repository.
pub fn surplus_writes(v: &Verification, need: &WriteNeed) -> Option<(String, String)> {
    if !need.unresolved.is_empty() || (need.repos.is_empty() && need.namespaces.is_empty()) {
        return None;
    }
    let WriteReach::Some { namespaces, repos } = write_reach(v) else {
        return None;
    };
    let mut surplus: Vec<String> = Vec::new();
    for ns in &namespaces {
        if !need.namespaces.contains(ns) {
            surplus.push(format!("every repository of {ns}"));
        }
    }
    for e in &repos {
        let owner = e.name.split('/').next().unwrap_or_default();
        let needed = need.namespaces.contains(owner)
            || need
                .repos
                .iter()
                .any(|r| repos::kind_str(r.kind) == e.kind && r.id == e.name);
        if !needed {
            surplus.push(repo_text(&e.kind, &e.name));
        }
    }
    let first = surplus.first()?;
    let surplus_text = match surplus.len() {
        1 => first.clone(),
        n => format!("{first} (and {} more)", n - 1),
    };
    let targets: Vec<String> = need
        .repos
        .iter()
        .map(|r| repo_text(repos::kind_str(r.kind), &r.id))
        .chain(
            need.namespaces
                .iter()
                .map(|n| format!("new repositories of {n}")),
        )
        .collect();
    Some((surplus_text, targets.join(", ")))
}
