//! Token files of a workflow's jobs: a token variable written to a file of the workspace that
//! an image build then takes as its context (HF013), or that a later step publishes (HF015).

use super::super::shell::{ACTIONS_EXPR, EXPANSION};
use super::super::Line;
use super::commands::{commands, words};
use super::yaml::{entries, run_lines, unquote, Entry};

/// A token variable written to a file of the workspace that an image build of the same job
/// then takes as its context.
#[derive(Debug)]
pub(super) struct TokenFile {
    /// 0-based line index of the write.
    pub line: usize,
    pub column: usize,
    pub variable: String,
    /// The file, as written.
    pub file: String,
    /// How the image is built (`docker build`, `docker/build-push-action`).
    pub build: String,
    /// 1-based.
    pub build_line: u64,
}

/// Where a command redirects its output: the file after `>` or `>>` outside quotes.
fn redirect_target(command: &str) -> Option<(usize, &str)> {
    let mut quote: Option<char> = None;
    let bytes: Vec<(usize, char)> = command.char_indices().collect();
    for (k, &(i, c)) in bytes.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '>' && bytes.get(k + 1).is_none_or(|n| n.1 != '&') => {
                let rest = command[i..].trim_start_matches('>').trim_start();
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let file = rest[..end].trim_matches(|c| c == '"' || c == '\'');
                return (!file.is_empty()).then_some((i, file));
            }
            _ => {}
        }
    }
    None
}

/// A token variable a job writes to a file of its workspace (`echo $HF_TOKEN > f`).
struct TokenWrite {
    /// 0-based line index.
    line: usize,
    column: usize,
    variable: String,
    file: String,
    /// `echo` or `printf`, or `>` for another command.
    verb: String,
}

/// One job's nodes, run lines and token writes.
struct JobText<'e> {
    entries: Vec<&'e Entry>,
    run: Vec<(usize, String)>,
    writes: Vec<TokenWrite>,
}

fn jobs_with_writes<'e>(
    entries: &'e [Entry],
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
) -> Vec<JobText<'e>> {
    let mut ids: Vec<&str> = entries
        .iter()
        .filter(|e| e.path.len() >= 2 && e.path[0] == "jobs")
        .map(|e| e.path[1].as_str())
        .collect();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let mine: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.path.len() >= 2 && e.path[0] == "jobs" && e.path[1] == id)
            .collect();
        let mut run: Vec<(usize, String)> = Vec::new();
        for e in &mine {
            if e.path.last().is_some_and(|k| k == "run") {
                run.extend(run_lines(e, lines));
            }
        }
        let mut writes = Vec::new();
        for (line, command) in commands(&run) {
            let Some((at, file)) = redirect_target(&command) else {
                continue;
            };
            if file.starts_with('/') || file.starts_with('~') || file.starts_with('$') {
                continue;
            }
            let printed = &command[..at];
            let variable = EXPANSION
                .captures_iter(printed)
                .filter(|c| {
                    // `${X:+set}` says whether it is set.
                    c.get(2).is_none_or(|op| {
                        !op.as_str().starts_with(":+") && !op.as_str().starts_with('+')
                    })
                })
                .filter_map(|c| c.get(1).or_else(|| c.get(3)))
                .map(|m| m.as_str())
                .chain(
                    ACTIONS_EXPR
                        .captures_iter(printed)
                        .filter_map(|c| c.get(1))
                        .map(|m| m.as_str()),
                )
                .find(|v| is_token_var(v));
            let Some(variable) = variable else { continue };
            let verb = words(printed)
                .into_iter()
                .find(|w| w == "echo" || w == "printf")
                .unwrap_or_else(|| ">".to_owned());
            writes.push(TokenWrite {
                line,
                column: lines[line].text.find(file).unwrap_or(0),
                variable: variable.to_owned(),
                file: file.to_owned(),
                verb,
            });
        }
        out.push(JobText {
            entries: mine,
            run,
            writes,
        });
    }
    out
}

/// The `with:` value `key` of the step whose `uses:` entry is `uses`.
fn step_input<'e>(job: &JobText<'e>, uses: &Entry, key: &str) -> Option<&'e str> {
    let step = &uses.path[..uses.path.len() - 1];
    job.entries
        .iter()
        .find(|c| {
            c.path.len() == step.len() + 2
                && c.path.starts_with(step)
                && c.path[step.len()] == "with"
                && c.path[step.len() + 1] == key
        })
        .map(|c| unquote(&c.value))
}

/// Token files of the build context: a job writes a token variable to a relative path, then
/// builds an image with a path context (`docker build .`, build-push-action's `context: .`)
/// without handing that file over as a build secret.
pub(super) fn token_files(
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
) -> Vec<TokenFile> {
    let entries = entries(lines);
    let mut out = Vec::new();
    for job in jobs_with_writes(&entries, lines, is_token_var) {
        if job.writes.is_empty() {
            continue;
        }
        let text: String = job
            .entries
            .iter()
            .flat_map(|e| std::iter::once(e.line).chain(e.more.iter().copied()))
            .map(|j| lines[j].text.as_ref())
            .collect::<Vec<&str>>()
            .join("\n");
        // Builds with a context on disk, and where.
        let mut builds: Vec<(usize, String)> = Vec::new();
        for (line, command) in commands(&job.run) {
            let w = words(&command);
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            let build = match w.as_slice() {
                ["docker" | "podman", "build", ..] => Some("`docker build`"),
                ["docker", "buildx", "build", ..] => Some("`docker buildx build`"),
                ["docker", "compose", .., "build"] | ["docker-compose", .., "build"] => {
                    Some("`docker compose build`")
                }
                _ => None,
            };
            if let Some(b) = build {
                builds.push((line, b.to_owned()));
            }
        }
        for e in &job.entries {
            if e.path.last().is_some_and(|k| k == "uses")
                && unquote(&e.value).starts_with("docker/build-push-action")
                && step_input(&job, e, "context").is_some_and(|c| !c.contains("{{"))
            {
                builds.push((e.line, "`docker/build-push-action`".to_owned()));
            }
        }
        for w in &job.writes {
            let Some((build_line, build)) = builds.iter().find(|(b, _)| *b > w.line) else {
                continue;
            };
            // Handed over as a build secret (`--secret id=x,src=FILE`, `secret-files:`): the
            // recommended way, which never puts it in a layer.
            let base = w.file.rsplit('/').next().unwrap_or(&w.file);
            let as_secret = text.lines().any(|l| {
                (l.contains("--secret") || l.contains("secret-files") || l.contains("src="))
                    && l.contains(base)
            });
            if as_secret {
                continue;
            }
            out.push(TokenFile {
                line: w.line,
                column: w.column,
                variable: w.variable.clone(),
                file: w.file.clone(),
                build: build.clone(),
                build_line: *build_line as u64 + 1,
            });
        }
    }
    out
}

/// Actions that publish files of the workspace, and the input naming which.
const PUBLISHERS: &[(&str, &[&str])] = &[
    ("peaceiris/actions-gh-pages", &["publish_dir"]),
    ("JamesIves/github-pages-deploy-action", &["folder"]),
    ("actions/upload-pages-artifact", &["path"]),
    ("actions/upload-artifact", &["path"]),
    ("actions/deploy-pages", &[]),
];

/// A token variable written to a file that a later step of the job publishes.
#[derive(Debug)]
pub(super) struct Published {
    /// 0-based line index of the write.
    pub line: usize,
    pub column: usize,
    pub variable: String,
    pub file: String,
    /// `echo`, `printf`, or `>`.
    pub verb: String,
    pub action: String,
    /// 1-based.
    pub action_line: u64,
}

/// Token variables written to files that the job then publishes (GitHub Pages, an artifact):
/// the token is then on a web page or in a download, for anyone who can read the repository.
pub(super) fn published_files(
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
) -> Vec<Published> {
    let entries = entries(lines);
    let mut out = Vec::new();
    for job in jobs_with_writes(&entries, lines, is_token_var) {
        for w in &job.writes {
            let file = w.file.trim_start_matches("./");
            let publisher = job.entries.iter().find_map(|e| {
                if e.line <= w.line || e.path.last().is_none_or(|k| k != "uses") {
                    return None;
                }
                let action = unquote(&e.value);
                let (name, inputs) = PUBLISHERS
                    .iter()
                    .find(|(p, _)| action.split('@').next() == Some(*p))?;
                let dirs: Vec<&str> = inputs
                    .iter()
                    .filter_map(|k| step_input(&job, e, k))
                    .collect();
                let covers = dirs.is_empty()
                    || dirs.iter().any(|d| {
                        d.lines().any(|d| {
                            let d = d.trim().trim_start_matches("./").trim_end_matches('/');
                            d.is_empty()
                                || d == "."
                                || file == d
                                || file.starts_with(&format!("{d}/"))
                        })
                    });
                covers.then(|| ((*name).to_owned(), e.line as u64 + 1))
            });
            if let Some((action, action_line)) = publisher {
                out.push(Published {
                    line: w.line,
                    column: w.column,
                    variable: w.variable.clone(),
                    file: w.file.clone(),
                    verb: w.verb.clone(),
                    action,
                    action_line,
                });
            }
        }
    }
    out
}
