//! Hub calls on command lines: the `hf` / `huggingface-cli` CLI, `git clone` / `git push` to a
//! Hub remote, `curl` / `wget` of a Hub URL, and training scripts run with `--push_to_hub`.
//! Shell scripts, workflow `run:` steps, Dockerfiles, Makefiles and notebook `!` lines alike.

use std::collections::HashMap;

use super::{hub_url, name_repo, Access, HubUse, Named, Target, UrlUse};
use crate::repo::{Kind, Repo};

/// Every Hub call on the command lines of `src`, by line.
pub(super) fn uses(src: &[u8]) -> Vec<HubUse> {
    let text = String::from_utf8_lossy(src);
    let lines = logical_lines(&text);
    let hub_host = text.contains("huggingface.co") || text.contains("hf.co/");
    // Remotes by name, each with the line it is set on: a push goes to the remote as last set
    // before it.
    let mut set: Vec<(u64, String, Target)> = Vec::new();
    for (no, _, line) in &lines {
        for cmd in commands(line) {
            let words = words(&cmd);
            let w: Vec<&str> = skip_prefix(&words);
            if w.len() >= 5
                && w[0] == "git"
                && w[1] == "remote"
                && matches!(w[2], "add" | "set-url")
            {
                let t = url_target(w[4]).unwrap_or(Target::Nothing);
                set.push((*no, w[3].to_owned(), t));
            }
        }
    }
    let mut out = Vec::new();
    let physical: Vec<&str> = text.lines().collect();
    for (no, end, line) in &lines {
        let mut remotes: HashMap<String, Target> = HashMap::new();
        for (at, name, t) in &set {
            if at <= no {
                remotes.insert(name.clone(), t.clone());
            }
        }
        remotes.retain(|_, t| *t != Target::Nothing);
        for cmd in commands(line) {
            let mut found = command_uses(&cmd, &remotes, hub_host);
            for u in &mut found {
                // In a command continued over lines, the line that names the repository.
                let named = match &u.target {
                    Target::Repo(r) => Some(r.id.as_str()),
                    Target::Namespace(n) => Some(n.as_str()),
                    _ => None,
                };
                u.line = named
                    .and_then(|id| {
                        (*no..=*end).find(|l| {
                            usize::try_from(*l - 1)
                                .ok()
                                .and_then(|i| physical.get(i))
                                .is_some_and(|p| p.contains(id))
                        })
                    })
                    .unwrap_or(*no);
            }
            out.extend(found);
        }
    }
    out
}

/// Lines with continuations (`\` at the end) joined, comments dropped, each with the numbers
/// of its first and last lines.
fn logical_lines(text: &str) -> Vec<(u64, u64, String)> {
    let mut out: Vec<(u64, u64, String)> = Vec::new();
    let mut pending: Option<(u64, String)> = None;
    let mut last = 0;
    for (i, raw) in text.lines().enumerate() {
        let no = i as u64 + 1;
        last = no;
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        let comment = trimmed.starts_with('#')
            || trimmed.starts_with("//")
            || trimmed.starts_with("REM ")
            || trimmed.starts_with("::");
        let (mut cur_no, mut cur) = pending.take().unwrap_or((no, String::new()));
        if comment && cur.is_empty() {
            continue;
        }
        if cur.is_empty() {
            cur_no = no;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
            pending = Some((cur_no, cur));
            continue;
        }
        cur.push_str(trimmed);
        out.push((cur_no, no, cur));
    }
    if let Some((no, cur)) = pending {
        out.push((no, last, cur));
    }
    out
}

/// The commands of one line: what follows a YAML `run:`/`- `, a Dockerfile `RUN`, a notebook
/// `!`, split at `&&`, `||`, `;`, `|`, `$(` and backticks.
fn commands(line: &str) -> Vec<String> {
    let mut l = line.trim();
    for prefix in [
        "- run:",
        "run:",
        "- script:",
        "script:",
        "- command:",
        "command:",
        "cmd:",
        "- ",
        "RUN ",
        "!",
        "$ ",
        "@",
    ] {
        if let Some(rest) = l.strip_prefix(prefix) {
            l = rest.trim_start();
        }
    }
    // `CMD ["hf", "download", "acme/m"]`: a JSON list of words.
    let json_list = ["CMD [", "RUN [", "ENTRYPOINT [", "["]
        .iter()
        .find_map(|p| l.strip_prefix(p));
    if let Some(list) = json_list {
        let words: Vec<String> =
            serde_json::from_str::<Vec<String>>(&format!("[{list}")).unwrap_or_default();
        if !words.is_empty() {
            return vec![words.join(" ")];
        }
    }
    let l = expressions_joined(l);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = l.chars().peekable();
    while let Some(c) = chars.next() {
        let split = match c {
            ';' | '`' | ')' => true,
            '&' | '|' => {
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                true
            }
            '$' if chars.peek() == Some(&'(') => {
                chars.next();
                true
            }
            _ => false,
        };
        if split {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.retain(|c| !c.trim().is_empty());
    out
}

/// `${{ env.REPO }}` as one word (`${{env.REPO}}`).
fn expressions_joined(l: &str) -> String {
    let mut out = String::with_capacity(l.len());
    let mut rest = l;
    while let Some(p) = rest.find("${{") {
        out.push_str(&rest[..p]);
        let after = &rest[p..];
        let end = after.find("}}").map_or(after.len(), |e| e + 2);
        out.extend(after[..end].chars().filter(|c| !c.is_whitespace()));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The words of a command, quotes removed.
fn words(cmd: &str) -> Vec<String> {
    cmd.split_whitespace()
        .map(|w| w.trim_matches(['"', '\'']).to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The command itself, past `sudo`, `VAR=value`, `uv run` and the like.
fn skip_prefix(words: &[String]) -> Vec<&str> {
    let mut w: Vec<&str> = words.iter().map(String::as_str).collect();
    loop {
        match w.as_slice() {
            [first, ..]
                if matches!(
                    *first,
                    "sudo" | "time" | "exec" | "nohup" | "env" | "uvx" | "command"
                ) || (first.contains('=') && !first.starts_with('-')) =>
            {
                w.remove(0);
            }
            [tool, "run", ..]
                if matches!(*tool, "uv" | "poetry" | "pdm" | "pipx" | "hatch" | "rye") =>
            {
                w.drain(..2);
            }
            _ => break,
        }
    }
    w
}

/// The target of a URL word (`https://…huggingface.co/…`, `git@hf.co:spaces/…`), when on the
/// Hub.
fn url_target(word: &str) -> Option<Target> {
    let url = ["git@hf.co:", "git@huggingface.co:"]
        .iter()
        .find_map(|p| word.strip_prefix(p))
        .map_or_else(
            || word.to_owned(),
            |rest| format!("https://huggingface.co/{rest}"),
        );
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return None;
    }
    match hub_url(&url) {
        UrlUse::Repo(r) => Some(Target::Repo(r)),
        UrlUse::Template(t) => Some(Target::Unresolved(variable_why(&t))),
        UrlUse::Inference(..) | UrlUse::Page => None,
    }
}

/// Why a repository word is not a literal.
fn variable_why(word: &str) -> String {
    if word.contains("${{") {
        format!("`{word}` is a workflow expression")
    } else if word.contains('$') || word.contains('%') {
        format!("`{word}` is a shell variable")
    } else {
        super::template_why(word)
    }
}

/// Flags of the `hf` CLI that take a value.
const VALUE_FLAGS: &[&str] = &[
    "--repo-type",
    "--type",
    "--revision",
    "--include",
    "--exclude",
    "--local-dir",
    "--cache-dir",
    "--token",
    "--commit-message",
    "--commit-description",
    "--organization",
    "--space_sdk",
    "--space-sdk",
    "--num-workers",
    "--every",
    "--delete",
    "--max-workers",
    "--endpoint",
    "--format",
    "--resource-group-id",
    "--flavor",
    "--region",
    "-m",
];

/// The positional words after `from`, flags and their values skipped.
fn positionals<'w>(w: &[&'w str], from: usize) -> Vec<&'w str> {
    let mut out = Vec::new();
    let mut i = from;
    while let Some(&word) = w.get(i) {
        if word.starts_with('-') {
            i += if !word.contains('=') && VALUE_FLAGS.contains(&word) {
                2
            } else {
                1
            };
            continue;
        }
        out.push(word);
        i += 1;
    }
    out
}

/// The value of `--flag value` or `--flag=value`, any of `names`.
fn flag<'w>(w: &[&'w str], names: &[&str]) -> Option<&'w str> {
    w.iter().enumerate().find_map(|(i, word)| {
        names.iter().find_map(|n| {
            if *word == *n {
                w.get(i + 1).copied()
            } else {
                word.strip_prefix(n).and_then(|r| r.strip_prefix('='))
            }
        })
    })
}

/// Every Hub call of one command. `remotes`: git remotes on the Hub named in the same file;
/// `hub_host`: the file names a Hub host (so a bare `git push` may go there).
pub(super) fn command_uses(
    cmd: &str,
    remotes: &HashMap<String, Target>,
    hub_host: bool,
) -> Vec<HubUse> {
    let words = words(&expressions_joined(cmd));
    let w = skip_prefix(&words);
    let mut out = Vec::new();
    let mut inference = Vec::new();
    let mut push = |call: String, access: Access, target: Target| {
        out.push(HubUse {
            line: 0,
            call,
            access,
            target,
            inference: None,
        });
    };
    match w.first().copied() {
        Some(tool @ ("hf" | "huggingface-cli")) => {
            if let Some((call, access, target)) = cli(tool, &w) {
                push(call, access, target);
            }
        }
        Some("git") => match w.get(1).copied() {
            Some("clone") => {
                if let Some(t) = w[2..].iter().find_map(|x| url_target(x)) {
                    push("git clone".into(), Access::Read, t);
                }
            }
            Some("push") => {
                let t = w[2..].iter().find_map(|x| url_target(x)).or_else(|| {
                    let remote = positionals(&w, 2).first().copied().unwrap_or("origin");
                    remotes.get(remote).cloned()
                });
                match t {
                    Some(t) => push("git push".into(), Access::Write, t),
                    None if hub_host => push(
                        "git push".into(),
                        Access::Write,
                        Target::Unresolved(
                            "git push to a remote hfaudit cannot tie to a Hub repository".into(),
                        ),
                    ),
                    None => {}
                }
            }
            _ => {}
        },
        Some("curl" | "wget") => {
            for word in &w[1..] {
                if !word.starts_with("http") {
                    continue;
                }
                match hub_url(word) {
                    UrlUse::Repo(r) => push(w[0].into(), Access::Read, Target::Repo(r)),
                    UrlUse::Inference(i, repo) => {
                        inference.push((w[0].to_owned(), i, repo));
                    }
                    UrlUse::Template(t) => {
                        push(
                            w[0].into(),
                            Access::Read,
                            Target::Unresolved(variable_why(&t)),
                        );
                    }
                    UrlUse::Page => {}
                }
            }
        }
        Some(tool) => {
            // Any downloader given a Hub download URL (`…/resolve/…`).
            for word in &w[1..] {
                if word.starts_with("http") && word.contains("/resolve/") {
                    match hub_url(word) {
                        UrlUse::Repo(r) => push((*tool).to_owned(), Access::Read, Target::Repo(r)),
                        UrlUse::Template(t) => {
                            push(
                                (*tool).to_owned(),
                                Access::Read,
                                Target::Unresolved(variable_why(&t)),
                            );
                        }
                        _ => {}
                    }
                }
            }
            // `python train.py --push_to_hub --hub_model_id acme/m`.
            let flag_word = w.iter().find(|x| {
                let (name, value) = x.split_once('=').unwrap_or((x, "true"));
                matches!(name, "--push_to_hub" | "--push-to-hub")
                    && !matches!(value.to_ascii_lowercase().as_str(), "false" | "0" | "no")
            });
            if let Some(f) = flag_word {
                let call = f.split('=').next().unwrap_or(f).to_owned();
                let target = match flag(&w, &["--hub_model_id", "--hub-model-id"]) {
                    Some(id) => repo_word(id, Kind::Model, true),
                    None => Some(Target::Unresolved(
                        "no --hub_model_id: the repository is named after the output folder, in \
                         the namespace of whoever runs the command"
                            .into(),
                    )),
                };
                if let Some(t) = target {
                    push(call, Access::Write, t);
                }
            }
        }
        None => {}
    }
    out.extend(inference.into_iter().map(|(call, i, repo)| HubUse {
        line: 0,
        call,
        access: Access::Inference,
        target: repo.map_or(Target::Nothing, Target::Repo),
        inference: Some(i),
    }));
    out
}

/// A repository word of a command: the target, or `None` for a name that needs no permission.
fn repo_word(word: &str, kind: Kind, write: bool) -> Option<Target> {
    match name_repo(word, kind, false) {
        Named::Repo(r) | Named::Url(UrlUse::Repo(r)) => Some(Target::Repo(r)),
        Named::Template(t) | Named::Url(UrlUse::Template(t)) => {
            Some(Target::Unresolved(variable_why(&t)))
        }
        Named::Bare(n) if write => Some(Target::Unresolved(format!(
            "{n:?} has no namespace: the repository is made in the namespace of whoever runs \
             the command"
        ))),
        Named::Bucket => Some(Target::Unresolved(
            "a storage bucket (hf://buckets/…), which a plan does not scope".into(),
        )),
        Named::Bare(_) | Named::Local | Named::Url(_) => None,
    }
}

/// `hf download|upload|upload-large-folder|repo …`: (call, access, target).
fn cli(tool: &str, w: &[&str]) -> Option<(String, Access, Target)> {
    let kind = match flag(w, &["--repo-type", "--type"]) {
        Some("dataset" | "datasets") => Ok(Kind::Dataset),
        Some("space" | "spaces") => Ok(Kind::Space),
        Some("model" | "models") | None => Ok(Kind::Model),
        Some(other) => Err(variable_why(other)),
    };
    let sub = *w.get(1)?;
    let (call, access, from, create) = match sub {
        "download" => (format!("{tool} download"), Access::Read, 2, false),
        "upload" | "upload-large-folder" => (format!("{tool} {sub}"), Access::Write, 2, false),
        "repo" | "repos" => match w.get(2).copied()? {
            "create" => (format!("{tool} repo create"), Access::Write, 3, true),
            "delete" | "settings" | "move" => {
                (format!("{tool} repo {}", w[2]), Access::Write, 3, false)
            }
            "tag" | "branch" if matches!(w.get(3).copied(), Some("create" | "delete")) => (
                format!("{tool} repo {} {}", w[2], w[3]),
                Access::Write,
                4,
                false,
            ),
            _ => return None,
        },
        "jobs" if matches!(w.get(2).copied(), Some("run" | "uv")) => {
            return Some((
                format!("{tool} jobs {}", w[2]),
                Access::Write,
                Target::Unresolved(
                    "runs a Job: it needs job.write on the namespace that pays, which a plan \
                     does not cover"
                        .into(),
                ),
            ));
        }
        _ => return None,
    };
    let write = access == Access::Write;
    let Some(word) = positionals(w, from).first().copied() else {
        return write.then(|| {
            (
                call.clone(),
                access,
                Target::Unresolved("no repository argument hfaudit can read".into()),
            )
        });
    };
    let target = match kind {
        Err(why) => Target::Unresolved(why),
        Ok(kind) if create => {
            let org = flag(w, &["--organization", "--org"]);
            let exist_ok = w.contains(&"--exist-ok");
            match (repo_word(word, kind, true)?, org) {
                (Target::Repo(r), _) if exist_ok => Target::Repo(r),
                (Target::Repo(Repo { id, .. }), _) => {
                    Target::Namespace(id.split('/').next().unwrap_or_default().to_owned())
                }
                (Target::Unresolved(_), Some(org)) if super::is_name(word) => {
                    match repo_word(org, kind, false) {
                        _ if org.contains(['$', '{', '%']) => Target::Unresolved(variable_why(org)),
                        _ if super::is_name(org) => Target::Namespace(org.to_owned()),
                        _ => Target::Unresolved(format!("{org:?} is not a namespace")),
                    }
                }
                (t, _) => t,
            }
        }
        Ok(kind) => repo_word(word, kind, write)?,
    };
    Some((call, access, target))
}
