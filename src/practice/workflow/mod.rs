//! GitHub workflows read as jobs and steps, for HF014 (issue 18): which steps each stored secret
//! reaches, and what those steps do with the Hub on their own `run:` lines and through the
//! scripts those lines run. The need is judged per step, never from other workflows or from
//! every file that reads the same variable name: a test job that hands a read token to
//! `pytest` needs no write because a mirror job elsewhere uploads.
//!
//! Line-based like the rest of `practice`: a light reading of YAML's block structure (keys,
//! sequence items, block scalars), which is what GitHub workflows use. Flow mappings and
//! anchors are not followed; a step they hide is unknown, never a write.
//!
//! `yaml` reads the block structure into nodes; `commands` splits `run:` lines into commands
//! and says what each is; `steps` reads a step (its Hub calls, the scripts it runs); `reach`
//! finds the secrets handed over and the steps each reaches; `files` the token files a job
//! builds into an image or publishes. This module turns those into hits.

use std::collections::HashSet;

use super::{is_token_var, Hits};
use crate::context::CallLists;

mod commands;
mod files;
mod reach;
mod steps;
mod yaml;

/// One step of a job, with what it does with the Hub.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// The job's id (`publish`).
    pub job: String,
    /// The job's `name:`.
    pub job_name: Option<String>,
    /// The step's `name:`, else its first command or its action.
    pub name: String,
    /// 1-based line where the step starts.
    pub line: u64,
    /// Hub calls on the step's own `run:` lines.
    pub calls: Vec<StepCall>,
    /// Scripts the step's `run:` lines run, resolved against the repository root.
    pub scripts: Vec<StepScript>,
}

/// A Hub call on a `run:` line: `hf upload`, `git push` to a Hub remote, `create_repo` in
/// `python -c`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepCall {
    pub call: String,
    pub write: bool,
    /// 1-based.
    pub line: u64,
}

/// A script a `run:` line runs (`python utils/push.py`, `bash scripts/x.sh`, `python -m a.b`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepScript {
    /// The command as written, cut to a readable width.
    pub command: String,
    /// Where the script may be, relative to the repository root (the folder holding
    /// `.github/`), most likely first: `python -m a.b` may be `a/b.py` or `a/b/__main__.py`.
    pub paths: Vec<String>,
    /// 1-based.
    pub line: u64,
}

/// A stored secret handed to a token variable (`HF_TOKEN: ${{ secrets.X }}` in an `env:`, a
/// `with:` or a reusable workflow's `secrets:`, `${{ secrets.HF_TOKEN }}` on a `run:` line) in a
/// job that does not use OIDC already. Each hit carries the steps the secret reaches; whether they write is judged later,
/// per step, from their own lines and the scripts they run. The variable recorded is the one
/// the secret is handed to, when it is a token variable, else the secret's name.
pub(super) fn workflow_secrets(hits: &mut Hits<'_>, names: &HashSet<&str>, calls: &CallLists) {
    // huggingface_hub exchanges the workflow's OIDC token when this is set: the workflow uses
    // Trusted Publishers already. `id-token: write` is judged per job (in `reach`): a job
    // that publishes to PyPI through OIDC says nothing of another that uploads with a secret.
    if hits
        .lines
        .iter()
        .any(|l| l.text.contains("HF_OIDC_RESOURCE"))
    {
        return;
    }
    for h in reach::handoffs(hits.lines, &|n| is_token_var(names, n), calls) {
        let variable = match &h.key {
            Some(key) if is_token_var(names, key) => key.to_ascii_uppercase(),
            _ => h.secret.clone(),
        };
        let detail = format!("secrets.{}", h.secret);
        if let Some(hit) = hits.push("HF014", h.line, h.column, &variable, &detail) {
            hit.secret = Some(h.secret);
            hit.steps = h.reach;
            hit.on_command_line = h.key.is_none();
            hit.handed_to = h.into;
        }
    }
}

/// A workflow job that writes a token variable to a file and then builds an image from the
/// folder holding it: the file is in the build context, and a `COPY` puts it in a layer, where
/// it stays even when a later layer deletes it.
pub(super) fn workflow_token_files(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    for f in files::token_files(hits.lines, &|n| is_token_var(names, n)) {
        let detail = format!(
            "written to `{}` in the build context of {} at line {}",
            f.file, f.build, f.build_line
        );
        if let Some(hit) = hits.push("HF013", f.line, f.column, &f.variable, &detail) {
            hit.token_file = Some(f.file);
        }
    }
}

/// A workflow job that writes a token variable to a file it then publishes (GitHub Pages, an
/// artifact): a print to everyone who can open the page or the download.
pub(super) fn workflow_published(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    for p in files::published_files(hits.lines, &|n| is_token_var(names, n)) {
        let verb = if p.verb == ">" {
            "a redirect".to_owned()
        } else {
            format!("`{}`", p.verb)
        };
        let detail = format!(
            "{verb} into `{}`, which `{}` publishes at line {}",
            p.file, p.action, p.action_line
        );
        if let Some(hit) = hits.push("HF015", p.line, p.column, &p.variable, &detail) {
            hit.token_file = Some(p.file);
        }
    }
}

/// The lines of each `run:` script of a workflow, from its key to its last line: each runs in
/// a shell of its own, so a `set -x` in one traces nothing of another.
pub(super) fn run_blocks(lines: &[super::Line<'_>]) -> Vec<std::ops::Range<usize>> {
    yaml::entries(lines)
        .iter()
        .filter(|e| e.path.last().is_some_and(|k| k == "run"))
        .map(|e| e.line..e.more.iter().copied().max().unwrap_or(e.line) + 1)
        .collect()
}

/// Most names a workflow gives its token secrets (real ones give one or two).
const MAX_ALIASES: usize = 64;

/// Environment variables a workflow fills from a token secret under another name
/// (`HFTOKEN: ${{ secrets.HUGGINGFACEHUB_API_TOKEN }}`, `export HFTOKEN=${{ secrets.HF_TOKEN }}`):
/// a script expanding `$HFTOKEN` expands the token. Upper-case names only: a step's `with:`
/// inputs (`token: …`) are not in its shell's environment.
pub(super) fn secret_aliases(lines: &[super::Line<'_>], names: &HashSet<&str>) -> Vec<String> {
    static ALIAS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*[:=]\s*["']?\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}"#,
        )
        .expect("static regex")
    });
    let mut out: Vec<String> = Vec::new();
    for line in lines.iter().filter(|l| l.mentions) {
        // Each alias is looked for on every line of the workflow: a generated file naming
        // thousands would cost their product.
        if out.len() >= MAX_ALIASES {
            break;
        }
        if let Some(c) = ALIAS.captures(&line.text) {
            let (alias, secret) = (&c[1], &c[2]);
            if is_token_var(names, secret)
                && !names.contains(alias)
                && !out.iter().any(|a| a == alias)
            {
                out.push(alias.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, hits, rules};
    use super::super::{script_path, PracticeHit};

    /// (job, step name, write calls, script paths) of the steps an HF014 hit reaches.
    fn reach(hit: &PracticeHit) -> Vec<(String, String, Vec<String>, Vec<String>)> {
        hit.steps
            .iter()
            .map(|s| {
                (
                    s.job.clone(),
                    s.name.clone(),
                    s.calls
                        .iter()
                        .filter(|c| c.write)
                        .map(|c| format!("{}@{}", c.call, c.line))
                        .collect(),
                    s.scripts.iter().flat_map(|x| x.paths.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn workflow_steps_a_secret_reaches() {
        let wf = ".github/workflows/ci.yml";
        // A step's env reaches that step only; a test runner there calls nothing.
        let text = "jobs:
  tests:
    runs-on: ubuntu-latest
    steps:
      - name: Tests
        env:
          HF_TOKEN: ${{ secrets.HUB_READ_TOKEN }}
        run: |
          pytest -k push_to_hub tests/
          make test
      - name: Push results
        env:
          HF_TOKEN: ${{ secrets.BOT_TOKEN }}
        run: |
          cd benchmarks && python push_results.py
          hf upload org/results ./out
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].secret.as_deref(), Some("HUB_READ_TOKEN"));
        assert_eq!(
            reach(&got[0]),
            [("tests".into(), "Tests".into(), vec![], vec![])]
        );
        assert_eq!(
            reach(&got[1]),
            [(
                "tests".into(),
                "Push results".into(),
                vec!["hf upload@16".into()],
                vec!["benchmarks/push_results.py".into()]
            )]
        );
        // A workflow's env reaches every job; a job's env its steps.
        let text = "env:
  HF_TOKEN: ${{ secrets.HF_TOKEN }}
jobs:
  a:
    steps:
      - run: python -m tools.push --repo x
  b:
    env:
      HUGGING_FACE_HUB_TOKEN: ${{ secrets.OTHER }}
    steps:
      - uses: actions/checkout@v4
      - run: ./scripts/deploy.sh
        working-directory: site
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 2, "{got:?}");
        let all: Vec<Vec<String>> = reach(&got[0]).into_iter().map(|r| r.3).collect();
        assert_eq!(
            all,
            [
                vec![
                    "tools/push.py".to_owned(),
                    "tools/push/__main__.py".to_owned()
                ],
                vec![],
                vec!["site/scripts/deploy.sh".to_owned()],
            ]
        );
        assert_eq!(got[1].variable, "HUGGING_FACE_HUB_TOKEN");
        assert_eq!(reach(&got[1]).len(), 2, "job b's two steps");
    }

    #[test]
    fn workflow_steps_that_store_the_token_reach_the_later_ones() {
        let wf = ".github/workflows/deploy.yml";
        let text = "jobs:
  deploy:
    steps:
      - name: Authenticate
        env:
          HF_TOKEN: ${{ secrets.SPACE_TOKEN }}
        run: printf 'machine huggingface.co\\nlogin hf\\npassword %s\\n' \"$HF_TOKEN\" >> ~/.netrc
      - name: Deploy
        run: |
          git remote add space https://huggingface.co/spaces/acme/demo
          git push -f space HEAD:main
          git push origin main
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 1, "{got:?}");
        let r = reach(&got[0]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[1].2,
            ["git push@11"],
            "the push to the Space, not to origin"
        );
        // Without the login, the secret stays in its own step.
        let text = text.replace(">> ~/.netrc", "");
        let got = hits(wf, &text);
        assert_eq!(reach(&got[0]).len(), 1);
    }

    #[test]
    fn workflow_oidc_is_per_job_and_known_writers_write() {
        let wf = ".github/workflows/release.yml";
        let text = "jobs:
  pypi:
    permissions:
      id-token: write
    steps:
      - run: hf upload acme/x .
        env:
          HF_TOKEN: ${{ secrets.A }}
  notes:
    steps:
      - run: hf cp notes.md hf://buckets/acme/r/notes.md
        env:
          HF_TOKEN: ${{ secrets.B }}
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 1, "only the job without OIDC: {got:?}");
        assert_eq!(got[0].secret.as_deref(), Some("B"));
        assert_eq!(reach(&got[0])[0].2, ["hf cp@11"]);
        let everywhere = format!("permissions:\n  id-token: write\n{text}");
        assert!(hits(wf, &everywhere).is_empty());
        // A reusable workflow known to upload (doc-builder's), given the token as a secret.
        let docs = "jobs:
  build:
    uses: huggingface/doc-builder/.github/workflows/build_main_documentation.yml@main
    with:
      package: acme
    secrets:
      hf_token: ${{ secrets.HF_DOC_BUILD_PUSH }}
  pr:
    uses: huggingface/doc-builder/.github/workflows/build_pr_documentation.yml@main
    secrets:
      hf_token: ${{ secrets.HF_DOC_BUILD_PUSH }}
";
        let got = hits(wf, docs);
        assert_eq!(got.len(), 2);
        assert_eq!(
            reach(&got[0])[0].2,
            ["uses: huggingface/doc-builder/.github/workflows/build_main_documentation.yml@3"]
        );
        assert!(
            reach(&got[1])[0].2.is_empty(),
            "building a PR's docs uploads nothing"
        );
        assert_eq!(
            got[0].handed_to.as_deref(),
            Some("the reusable workflow's `hf_token` secret")
        );
    }

    #[test]
    fn workflow_secrets_on_command_lines() {
        let wf = ".github/workflows/deploy.yml";
        let text = "jobs:
  deploy:
    steps:
      - name: Upload demos
        run: |
          python scripts/upload_demos.py all_demos \\
            acme/demos \\
            ${{ secrets.SPACES_DEPLOY_TOKEN }} --notify ${{ secrets.SLACK_WEBHOOK_TOKEN }}
      - name: Export
        run: |
          export HF_TOKEN=${{ secrets.NEURON_HUB }}
          python export_models.py
      - name: Push
        run: git push https://${{ secrets.HF_USERNAME }}:${{ secrets.HF_TOKEN }}@huggingface.co/spaces/a/b main
";
        let got = hits(wf, text);
        let seen: Vec<(u64, &str, &str, bool)> = got
            .iter()
            .map(|h| {
                (
                    h.line,
                    h.secret.as_deref().unwrap(),
                    h.variable.as_str(),
                    h.on_command_line,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (8, "SPACES_DEPLOY_TOKEN", "SPACES_DEPLOY_TOKEN", true),
                (11, "NEURON_HUB", "HF_TOKEN", false),
                (14, "HF_TOKEN", "HF_TOKEN", true),
            ],
            "not Slack's, not a user name"
        );
        // An argument's secret is judged by that command only.
        assert_eq!(reach(&got[0])[0].3, ["scripts/upload_demos.py"]);
        assert_eq!(reach(&got[2])[0].2, ["git push@14"]);
    }

    #[test]
    fn workflow_git_pushes_to_the_hub_only() {
        let wf = ".github/workflows/x.yml";
        let cases = [
            (
                "git push https://u:$HF_TOKEN@huggingface.co/spaces/a/b main",
                true,
            ),
            (
                "git clone https://huggingface.co/spaces/a/b s && cd s && git push",
                true,
            ),
            ("git push origin main", false),
            ("git clone https://github.com/a/b && git push", false),
        ];
        for (run, write) in cases {
            let text = format!(
                "jobs:\n  j:\n    steps:\n      - run: {run}\n        env:\n          HF_TOKEN: ${{{{ secrets.HF_TOKEN }}}}\n"
            );
            let got = hits(wf, &text);
            let writes: Vec<String> = reach(&got[0]).into_iter().flat_map(|r| r.2).collect();
            assert_eq!(!writes.is_empty(), write, "{run}: {writes:?}");
        }
    }

    #[test]
    fn workflow_inline_secrets_and_script_paths() {
        let wf = "some/repo/.github/workflows/x.yml";
        let text = "jobs:
  j:
    steps:
      - run: huggingface-cli upload org/m . --token ${{ secrets.HF_TOKEN }}
";
        let got = hits(wf, text);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].line, got[0].variable.as_str()), (4, "HF_TOKEN"));
        assert_eq!(reach(&got[0])[0].2, ["huggingface-cli upload@4"]);
        assert_eq!(
            script_path(wf, "utils/push.py").as_deref(),
            Some("some/repo/utils/push.py")
        );
        assert_eq!(
            script_path(".github/workflows/a.yml", "push.py").as_deref(),
            Some("push.py")
        );
        assert_eq!(script_path("ci/a.yml", "push.py"), None);
    }

    #[test]
    fn workflow_token_files_and_published_files() {
        let wf = ".github/workflows/image.yml";
        let image = "jobs:
  build:
    steps:
      - run: echo ${{ secrets.HF_TOKEN }} > TOKEN_FILE
      - run: docker build . --tag acme/app
";
        let got: Vec<PracticeHit> = hits(wf, image)
            .into_iter()
            .filter(|h| h.rule == "HF013")
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].line, 4);
        assert_eq!(got[0].token_file.as_deref(), Some("TOKEN_FILE"));
        // Handed over as a build secret, or written outside the context: fine.
        for ok in [
            image.replace(
                "docker build .",
                "docker build --secret id=t,src=TOKEN_FILE .",
            ),
            image.replace("> TOKEN_FILE", "> $RUNNER_TEMP/t"),
            image.replace("docker build . --tag acme/app", "echo built"),
        ] {
            assert!(hits(wf, &ok).iter().all(|h| h.rule != "HF013"), "{ok}");
        }
        let pages = "jobs:
  deploy:
    steps:
      - run: echo \"window.KEY = '${{ secrets.HF_API_KEY }}';\" > public/key.js
      - uses: peaceiris/actions-gh-pages@v3
        with:
          publish_dir: ./public
";
        let got: Vec<PracticeHit> = hits(wf, pages)
            .into_iter()
            .filter(|h| h.rule == "HF015")
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].detail.contains("peaceiris/actions-gh-pages"),
            "{}",
            got[0].detail
        );
        let elsewhere = pages.replace("./public", "./site");
        assert!(hits(wf, &elsewhere).iter().all(|h| h.rule != "HF015"));
    }

    #[test]
    fn workflow_secrets_unless_oidc() {
        let wf = ".github/workflows/release.yml";
        let text = "jobs:\n  push:\n    steps:\n      - run: python upload.py\n        env:\n          HF_TOKEN: ${{ secrets.HF_WRITE_TOKEN }}\n";
        assert_eq!(rules(wf, text), [("HF014", 6, "HF_TOKEN".to_owned())]);
        let with =
            "      - uses: acme/push@v1\n        with:\n          token: ${{ secrets.HF_TOKEN }}\n";
        assert_eq!(rules(wf, with), [("HF014", 3, "HF_TOKEN".to_owned())]);
        // What the secret is handed to, for the message: an input, another variable.
        let into = |text: &str| hits(wf, text)[0].handed_to.clone();
        assert_eq!(into(text), None, "HF_TOKEN itself");
        assert_eq!(
            into(with).as_deref(),
            Some("the `token` input of `acme/push`")
        );
        let renamed = text.replace(
            "HF_TOKEN: ${{ secrets.HF_WRITE_TOKEN",
            "HUB_KEY: ${{ secrets.HF_TOKEN",
        );
        assert_eq!(into(&renamed).as_deref(), Some("`HUB_KEY`"));
        let oidc = format!("permissions:\n  id-token: write # OIDC\n{text}");
        assert!(rules(wf, &oidc).is_empty());
        let other = "        env:\n          PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}\n";
        assert!(rules(wf, other).is_empty());
        // Not a GitHub workflow.
        assert!(!fires(".gitlab-ci.yml", text, "HF014"));
    }
}
