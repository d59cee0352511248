//! The stored secrets a workflow hands over, and the steps each reaches: a workflow's `env:`
//! every step, a job's `env:` its steps, a step's `env:`/`with:` that step (and the job's later
//! steps when it stores the token for them), a secret on a `run:` line its command. A job that
//! can use OIDC is left out.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::super::shell::ACTIONS_EXPR;
use super::super::Line;
use super::commands::{commands, words};
use super::steps::{read_step, GitRemotes, RawStep};
use super::yaml::{entries, run_lines, unquote, Entry};
use super::Step;
use crate::context::CallLists;

static SECRET_INTO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:-\s*)?["']?([A-Za-z_][A-Za-z0-9_-]*)["']?\s*:\s*["']?\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}"#,
    )
    .expect("static regex")
});

/// A stored secret handed to a job: `HF_TOKEN: ${{ secrets.X }}` in an `env:` or `with:`, or
/// `${{ secrets.HF_TOKEN }}` on a `run:` line.
#[derive(Debug, Clone)]
pub(super) struct Handoff {
    /// 0-based line index.
    pub line: usize,
    pub column: usize,
    /// The key the secret is handed to (`HF_TOKEN`, `hf_token`), or `None` on a `run:` line.
    pub key: Option<String>,
    pub secret: String,
    /// What the secret is handed to, when that is not a token variable of an `env:` nor a
    /// command line: "the `token` input of `acme/push`", "the reusable workflow's `hf_token`
    /// secret".
    pub into: Option<String>,
    /// The steps that get the secret.
    pub reach: Vec<Arc<Step>>,
}

/// A job as read.
struct RawJob {
    id: String,
    name: Option<String>,
    /// `defaults: run: working-directory:`.
    dir: Option<String>,
    steps: Vec<RawStep>,
    /// `permissions: id-token: write`: the job can get a short-lived token through OIDC.
    oidc: bool,
}

/// A step as read and as shared.
struct ReadStep {
    raw: RawStep,
    step: Arc<Step>,
    /// Whether it stores the token where the job's later steps find it.
    persists: bool,
    /// The folder its commands run in, relative to the repository root.
    base: String,
}

/// A job's steps, with what reading a single command of one again needs.
struct JobSteps {
    id: String,
    name: Option<String>,
    remotes: GitRemotes,
    steps: Vec<ReadStep>,
}

/// Reads the steps of every job and the secrets handed to them. `names` are the token
/// variables; `calls` the Hub call lists.
pub(super) fn handoffs(
    lines: &[Line<'_>],
    is_token_var: &dyn Fn(&str) -> bool,
    calls: &CallLists,
) -> Vec<Handoff> {
    let entries = entries(lines);
    let write = |e: &Entry| unquote(&e.value) == "write";
    let oidc_everywhere = entries
        .iter()
        .any(|e| e.at(&["permissions", "id-token"]) && write(e));
    // Jobs in order, with their steps.
    let mut jobs: Vec<RawJob> = Vec::new();
    let mut default_dir: Option<String> = None;
    for e in &entries {
        if e.at(&["defaults", "run", "working-directory"]) {
            default_dir = Some(unquote(&e.value).to_owned());
        }
        if e.path.len() < 2 || e.path[0] != "jobs" {
            continue;
        }
        let id = &e.path[1];
        if jobs.last().is_none_or(|j| &j.id != id) {
            jobs.push(RawJob {
                id: id.clone(),
                name: None,
                dir: None,
                steps: Vec::new(),
                oidc: oidc_everywhere,
            });
        }
        let job = jobs.last_mut().expect("pushed above");
        if e.at(&["jobs", "*", "name"]) {
            job.name = Some(unquote(&e.value).to_owned());
        } else if e.at(&["jobs", "*", "defaults", "run", "working-directory"]) {
            job.dir = Some(unquote(&e.value).to_owned());
        } else if e.at(&["jobs", "*", "permissions", "id-token"]) {
            job.oidc |= write(e);
        } else if e.at(&["jobs", "*", "uses"]) {
            // A reusable workflow: the job is that one step.
            job.steps.push(RawStep {
                line: e.line,
                name: None,
                uses: Some(unquote(&e.value).to_owned()),
                run: Vec::new(),
                working_directory: None,
            });
        } else if e.path.len() >= 4 && e.path[2] == "steps" && e.path[3].starts_with('-') {
            let item: usize = e.path[3][1..].parse().unwrap_or(e.line);
            if job.steps.last().is_none_or(|s| s.line != item) {
                job.steps.push(RawStep {
                    line: item,
                    name: None,
                    uses: None,
                    run: Vec::new(),
                    working_directory: None,
                });
            }
            let step = job.steps.last_mut().expect("pushed above");
            if e.path.len() == 5 {
                match e.path[4].as_str() {
                    "name" => step.name = Some(unquote(&e.value).to_owned()),
                    "uses" => step.uses = Some(unquote(&e.value).to_owned()),
                    "working-directory" => {
                        step.working_directory = Some(unquote(&e.value).to_owned());
                    }
                    "run" => step.run = run_lines(e, lines),
                    _ => {}
                }
            }
        }
    }
    // Each job's steps, read. A job that can use OIDC is left out: its stored secret is a
    // leftover of the move to Trusted Publishers, not how it gets a token.
    let mut steps_of: Vec<JobSteps> = Vec::new();
    for job in jobs {
        if job.oidc {
            continue;
        }
        let mut remotes = GitRemotes::default();
        for c in commands(
            &job.steps
                .iter()
                .flat_map(|s| s.run.iter().cloned())
                .collect::<Vec<_>>(),
        ) {
            remotes.learn(&words(&c.1));
        }
        let mut read = Vec::new();
        for s in job.steps {
            let base = s
                .working_directory
                .clone()
                .or_else(|| job.dir.clone())
                .or_else(|| default_dir.clone())
                .unwrap_or_default();
            let step = read_step(&job.id, job.name.as_deref(), &s, &base, &remotes, calls);
            read.push(ReadStep {
                persists: persists(&s.run),
                raw: s,
                step: Arc::new(step),
                base,
            });
        }
        steps_of.push(JobSteps {
            id: job.id,
            name: job.name,
            remotes,
            steps: read,
        });
    }
    // The secrets handed over, and the steps each reaches.
    let mut out = Vec::new();
    for e in &entries {
        let text: &str = &lines[e.line].text;
        let Some(c) = SECRET_INTO.captures(text) else {
            continue;
        };
        let (key, secret) = (c.get(1).expect("group 1"), c.get(2).expect("group 2"));
        if !is_token_var(key.as_str()) && !is_token_var(secret.as_str()) {
            continue;
        }
        let in_oidc_job =
            e.path.len() >= 2 && e.path[0] == "jobs" && !steps_of.iter().any(|j| j.id == e.path[1]);
        if in_oidc_job || (oidc_everywhere && e.path.first().is_some_and(|k| k != "jobs")) {
            continue;
        }
        let reach = reach_of(&e.path, &steps_of);
        out.push(Handoff {
            line: e.line,
            column: key.start(),
            key: Some(key.as_str().to_owned()),
            secret: secret.as_str().to_owned(),
            into: handed_into(e, key.as_str(), &entries, is_token_var),
            reach,
        });
    }
    // A secret right on a `run:` line: assigned to a token variable (`export HF_TOKEN=${{
    // secrets.X }}`), a token variable's own (`--token ${{ secrets.HF_TOKEN }}`), or any other
    // Hub-looking secret given as an argument to a command that itself writes to the Hub
    // (`python upload_demo_to_space.py … ${{ secrets.SPACES_DEPLOY_TOKEN }}`): then only that
    // command is judged.
    for job in &steps_of {
        for (k, read) in job.steps.iter().enumerate() {
            for (start, command) in commands(&read.raw.run) {
                for c in ACTIONS_EXPR.captures_iter(&command) {
                    let whole = c.get(0).expect("whole match");
                    let name = c.get(1).expect("group 1").as_str();
                    if !whole.as_str().contains("secrets.") {
                        continue;
                    }
                    let before = command[..whole.start()].trim_end_matches(['"', '\'']);
                    let assigned = before
                        .strip_suffix('=')
                        .map(|b| {
                            let var = b
                                .rsplit(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                                .next()
                                .unwrap_or_default();
                            var.to_owned()
                        })
                        .filter(|v| is_token_var(v));
                    let (key, reach) = if let Some(var) = assigned {
                        (Some(var), step_reach(&job.steps, k))
                    } else if is_token_var(name) {
                        (None, step_reach(&job.steps, k))
                    } else if other_service(name) || !credential_name(name) {
                        continue;
                    } else {
                        let one = RawStep {
                            line: read.raw.line,
                            name: read.raw.name.clone(),
                            uses: None,
                            run: vec![(start, command.clone())],
                            working_directory: None,
                        };
                        let step = read_step(
                            &job.id,
                            job.name.as_deref(),
                            &one,
                            &read.base,
                            &job.remotes,
                            calls,
                        );
                        let step = Step {
                            name: read.step.name.clone(),
                            ..step
                        };
                        (None, vec![Arc::new(step)])
                    };
                    // The physical line the expression is on.
                    let (line, column) = read
                        .raw
                        .run
                        .iter()
                        .filter(|(l, _)| *l >= start)
                        .find_map(|(l, _)| lines[*l].text.find(whole.as_str()).map(|c| (*l, c)))
                        .unwrap_or((start, 0));
                    out.push(Handoff {
                        line,
                        column,
                        key,
                        secret: name.to_owned(),
                        into: None,
                        reach,
                    });
                }
            }
        }
    }
    out.sort_by_key(|h| (h.line, h.column));
    out.dedup_by(|a, b| a.line == b.line && a.secret == b.secret);
    out
}

/// What a secret handed over at `entry` under `key` goes to, for the message, when that is not
/// a token variable of an `env:`: another variable, an action's input, a reusable workflow's
/// secret.
fn handed_into(
    entry: &Entry,
    key: &str,
    entries: &[Entry],
    is_token_var: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let [owner @ .., kind, _] = entry.path.as_slice() else {
        return None;
    };
    match kind.as_str() {
        "env" if is_token_var(key) => None,
        "env" => Some(format!("`{key}`")),
        "with" => {
            let uses = entries
                .iter()
                .find(|e| e.at_end(owner, "uses"))
                .map(|e| unquote(&e.value));
            Some(match uses {
                Some(action) => {
                    let action = action.split('@').next().unwrap_or(action);
                    format!("the `{key}` input of `{action}`")
                }
                None => format!("the `{key}` input"),
            })
        }
        "secrets" if owner.len() == 2 && owner[0] == "jobs" => {
            Some(format!("the reusable workflow's `{key}` secret"))
        }
        _ => None,
    }
}

/// The steps a secret handed over at `path` reaches: a workflow's `env:` every step of every
/// job, a job's `env:` its steps, a step's `env:`/`with:` that step, and the job's later steps
/// when the step stores the token for them (a login, `~/.netrc`, `$GITHUB_ENV`, a remote URL).
fn reach_of(path: &[String], jobs: &[JobSteps]) -> Vec<Arc<Step>> {
    match path {
        [first, ..] if first != "jobs" => jobs
            .iter()
            .flat_map(|j| j.steps.iter().map(|s| s.step.clone()))
            .collect(),
        [_, id, steps, item, ..] if steps == "steps" && item.starts_with('-') => {
            let Some(job) = jobs.iter().find(|j| &j.id == id) else {
                return Vec::new();
            };
            let line: usize = item[1..].parse().unwrap_or(usize::MAX);
            match job.steps.iter().position(|s| s.raw.line == line) {
                Some(k) => step_reach(&job.steps, k),
                None => Vec::new(),
            }
        }
        [_, id, ..] => jobs
            .iter()
            .find(|j| &j.id == id)
            .map(|j| j.steps.iter().map(|s| s.step.clone()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn step_reach(steps: &[ReadStep], k: usize) -> Vec<Arc<Step>> {
    let mut out = vec![steps[k].step.clone()];
    if steps[k].persists {
        out.extend(steps[k + 1..].iter().map(|s| s.step.clone()));
    }
    out
}

/// A secret whose name says it is a credential (`…_TOKEN`, `…_KEY`, `…_AUTH`), not a user
/// name or a repository id that a command line also takes from the secret store.
fn credential_name(secret: &str) -> bool {
    secret
        .split(['_', '-'])
        .map(str::to_ascii_uppercase)
        .any(|w| {
            w.ends_with("TOKEN")
                || w.ends_with("KEY")
                || matches!(
                    w.as_str(),
                    "AUTH"
                        | "SECRET"
                        | "PASSWORD"
                        | "PASS"
                        | "PAT"
                        | "CRED"
                        | "CREDENTIALS"
                        | "WRITE"
                        | "PUSH"
                )
        })
}

/// A secret whose name says it belongs to another service (`SLACK_BOT_TOKEN`, `GITHUB_TOKEN`,
/// `NPM_TOKEN`): given on a command line, it is not the Hub token, whatever the command does.
fn other_service(secret: &str) -> bool {
    let upper = secret.to_ascii_uppercase();
    [
        "GITHUB",
        "GH_",
        "SLACK",
        "NPM",
        "AWS",
        "DOCKER",
        "OPENAI",
        "ANTHROPIC",
        "CODECOV",
        "DISCORD",
        "TWINE",
        "PYPI_API",
        "GCP",
        "AZURE",
        "SENTRY",
        "VERCEL",
        "NETLIFY",
        "CLOUDFLARE",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// Whether a step stores the token where later steps of its job find it: a login, the
/// saved-token file, `~/.netrc`, a credential helper, or a line that puts a token into
/// `$GITHUB_ENV` or a git remote's URL.
fn persists(run: &[(usize, String)]) -> bool {
    run.iter().any(|(_, t)| {
        let stores = [
            ".netrc",
            "auth login",
            "huggingface-cli login",
            "git-credentials",
            "credential.helper",
            "login(",
            "save_token",
            "huggingface/token",
        ]
        .iter()
        .any(|p| t.contains(p));
        let carries = [
            "GITHUB_ENV",
            "git remote add",
            "git remote set-url",
            "git clone",
        ]
        .iter()
        .any(|p| t.contains(p))
            && (t.to_ascii_uppercase().contains("TOKEN") || t.contains("secrets."));
        stores || carries
    })
}
