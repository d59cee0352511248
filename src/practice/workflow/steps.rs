//! One step read: the Hub calls on its own `run:` lines (and a known writer it `uses:`), the
//! scripts those lines run, resolved against the folder each command runs in, and where the
//! job's `git` commands push.

use crate::context::{calls_in_scope, CallLists};

use super::commands::{classify, commands, words, Command};
use super::{Step, StepCall, StepScript};

/// `base` joined with `rel` and normalised (`./`, `..`), relative to the repository root;
/// `None` when it leaves the tree or is absolute.
fn join(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let rel = rel.strip_prefix("${{ github.workspace }}/").unwrap_or(rel);
    if rel.contains('$') {
        return None;
    }
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The remote a `git push` names (`git push -f space HEAD:main` → `space`), if any.
fn push_remote(words: &[String]) -> Option<&str> {
    let at = words.iter().position(|w| w == "push")?;
    let mut k = at + 1;
    while k < words.len() {
        let w = words[k].as_str();
        if w.starts_with('-') {
            k += 1 + usize::from(matches!(
                w,
                "-o" | "--push-option" | "--repo" | "--receive-pack"
            ));
            continue;
        }
        return Some(w);
    }
    None
}

fn names_hub_host(text: &str) -> bool {
    text.contains("huggingface.co") || text.contains("hf.co/")
}

/// Where `git` commands of a job talk to the Hub: the remotes added or set to a Hub URL, and
/// whether the job clones a Hub repository (a later bare `git push` in it goes to the Hub).
#[derive(Default)]
pub(super) struct GitRemotes {
    hub: Vec<String>,
    cloned_hub: bool,
}

impl GitRemotes {
    pub(super) fn learn(&mut self, words: &[String]) {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        match w.as_slice() {
            ["git", "remote", "add" | "set-url", rest @ ..] => {
                let plain: Vec<&&str> = rest.iter().filter(|x| !x.starts_with('-')).collect();
                if let [name, url, ..] = plain.as_slice() {
                    if names_hub_host(url) {
                        self.hub.push((**name).to_owned());
                    } else {
                        self.hub.retain(|h| h != **name);
                    }
                }
            }
            ["git", "clone", rest @ ..] if rest.iter().any(|x| names_hub_host(x)) => {
                self.cloned_hub = true;
            }
            _ => {}
        }
    }

    /// Whether this `git push` goes to the Hub.
    fn pushes_to_hub(&self, words: &[String]) -> bool {
        match push_remote(words) {
            Some(remote) if names_hub_host(remote) => true,
            Some(remote) => self.hub.iter().any(|h| h == remote),
            None => self.cloned_hub || self.hub.iter().any(|h| h == "origin"),
        }
    }
}

/// Actions and reusable workflows known to write to the Hub with the token they are given,
/// each checked in its source: huggingface/doc-builder's documentation workflows `hf sync` the
/// built docs to `hf://buckets/hf-doc-build/…` with their `hf_token` secret.
const HUB_WRITERS: &[&str] = &[
    "huggingface/doc-builder/.github/workflows/build_main_documentation.yml",
    "huggingface/doc-builder/.github/workflows/upload_pr_documentation.yml",
];

/// A step as read from the file, before it is shared.
pub(super) struct RawStep {
    pub(super) line: usize,
    pub(super) name: Option<String>,
    pub(super) uses: Option<String>,
    pub(super) run: Vec<(usize, String)>,
    pub(super) working_directory: Option<String>,
}

const COMMAND_WIDTH: usize = 80;

pub(super) fn read_step(
    job: &str,
    job_name: Option<&str>,
    raw: &RawStep,
    base: &str,
    remotes: &GitRemotes,
    lists: &CallLists,
) -> Step {
    let mut calls: Vec<StepCall> = Vec::new();
    let mut scripts: Vec<StepScript> = Vec::new();
    if let Some(action) = &raw.uses {
        let name = action.split('@').next().unwrap_or(action);
        if HUB_WRITERS.contains(&name) {
            calls.push(StepCall {
                call: format!("uses: {name}"),
                write: true,
                line: raw.line as u64 + 1,
            });
        }
    }
    let mut cwd = base.to_owned();
    for (line, command) in commands(&raw.run) {
        let w = words(&command);
        let line = line as u64 + 1;
        let mut add = |call: &str, write: bool| {
            if !calls.iter().any(|c| c.call == call && c.write == write) {
                calls.push(StepCall {
                    call: call.to_owned(),
                    write,
                    line,
                });
            }
        };
        match classify(&w) {
            Command::Opaque | Command::Print => {}
            Command::Cd(dir) => {
                cwd = match dir.as_str() {
                    "$" | "-" => "$".into(),
                    d => join(&cwd, d).unwrap_or_else(|| "$".into()),
                };
            }
            Command::Copy { to_hub, from_hub } => {
                let verb: Vec<&str> = w
                    .iter()
                    .map(String::as_str)
                    .take_while(|x| {
                        !x.starts_with('-')
                            && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
                    .take(3)
                    .collect();
                if to_hub {
                    add(&verb.join(" "), true);
                } else if from_hub {
                    add(&verb.join(" "), false);
                }
            }
            Command::Script(paths) => {
                let resolved: Vec<String> = if cwd.contains('$') {
                    Vec::new()
                } else {
                    paths.iter().filter_map(|p| join(&cwd, p)).collect()
                };
                if !resolved.is_empty() {
                    let mut shown: String = command.chars().take(COMMAND_WIDTH).collect();
                    if command.chars().count() > COMMAND_WIDTH {
                        shown.push('…');
                    }
                    scripts.push(StepScript {
                        command: shown,
                        paths: resolved,
                        line,
                    });
                }
                // `python train.py --push_to_hub` writes whatever the script is.
                let found = calls_in_scope(command.as_bytes(), b"", lists);
                for c in &found.writes {
                    add(c, true);
                }
            }
            Command::Plain => {
                let found = calls_in_scope(command.as_bytes(), b"", lists);
                for c in &found.writes {
                    add(c, true);
                }
                for c in &found.reads {
                    add(c, false);
                }
                if w.first().is_some_and(|x| x == "git") && w.iter().any(|x| x == "push") {
                    if remotes.pushes_to_hub(&w) {
                        add("git push", true);
                    }
                } else if w.first().is_some_and(|x| x == "git")
                    && w.get(1).is_some_and(|x| x == "clone")
                    && w.iter().any(|x| names_hub_host(x))
                {
                    add("git clone", false);
                }
            }
        }
    }
    let name = raw
        .name
        .clone()
        .or_else(|| {
            raw.uses
                .as_ref()
                .map(|u| u.split('@').next().unwrap_or(u).to_owned())
        })
        .or_else(|| {
            raw.run.first().map(|(_, t)| {
                let mut s: String = t.chars().take(COMMAND_WIDTH).collect();
                if t.chars().count() > COMMAND_WIDTH {
                    s.push('…');
                }
                s
            })
        })
        .unwrap_or_else(|| format!("at line {}", raw.line + 1));
    Step {
        job: job.to_owned(),
        job_name: job_name.map(str::to_owned),
        name,
        line: raw.line as u64 + 1,
        calls,
        scripts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_tree() {
        assert_eq!(join("", "./a/b.py").as_deref(), Some("a/b.py"));
        assert_eq!(
            join("bench", "../utils/x.py").as_deref(),
            Some("utils/x.py")
        );
        assert_eq!(join("", "../x.py"), None);
        assert_eq!(join("", "/usr/bin/x"), None);
        assert_eq!(join("", "$DIR/x.py"), None);
    }
}
