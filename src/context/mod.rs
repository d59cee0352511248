//! Context of a token occurrence: where it lives (platform), how it is used (usage), and what the
//! code around it must do on the Hub (need), as DESIGN §4 defines them.
//!
//! Everything here is a pure function over a path string or a file's bytes: no file system, no
//! network, no knowledge of the token itself beyond its byte range. Inputs are untrusted, so every
//! function is linear (or bounded per call), never recurses, and never panics — on invalid UTF-8,
//! truncated JSON, or a 10 MB single-line file alike.

use std::collections::BTreeSet;

use memchr::memmem;
use serde::{Deserialize, Serialize};

mod calls;
mod notebook;
mod platform;
pub mod repos;
mod usage;
mod words;

pub use calls::{calls_in, calls_in_scope, env_reads, CallLists, Calls, STANDARD_TOKEN_VARS};
pub use notebook::notebook_cells;
pub use platform::platform_of;
pub use repos::{hub_uses, HubUse};
pub use usage::usage_at;
pub(crate) use usage::{ESCAPED_NEWLINE, ESCAPED_NEWLINE_REV};
pub use words::Words;

/// Where a file runs, judged from its path (DESIGN §4). The Hub advises one token per platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Notebook,
    Ci,
    Server,
    EnvFile,
    Source,
    Docs,
    Other,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Notebook => "notebook",
            Platform::Ci => "ci",
            Platform::Server => "server",
            Platform::EnvFile => "env_file",
            Platform::Source => "source",
            Platform::Docs => "docs",
            Platform::Other => "other",
        }
    }
}

/// How the token text is used on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    LoginCall,
    TokenArgument,
    BearerHeader,
    UrlCredential,
    EnvAssignment,
    Literal,
    /// No literal: a practice rule (HF013–HF015) about a token variable (`context.env_var`).
    TokenVariable,
}

impl Usage {
    pub fn as_str(self) -> &'static str {
        match self {
            Usage::LoginCall => "login_call",
            Usage::TokenArgument => "token_argument",
            Usage::BearerHeader => "bearer_header",
            Usage::UrlCredential => "url_credential",
            Usage::EnvAssignment => "env_assignment",
            Usage::Literal => "literal",
            Usage::TokenVariable => "token_variable",
        }
    }
}

/// What the code in scope must be able to do with the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Read,
    Write,
    Unknown,
}

impl Need {
    pub fn as_str(self) -> &'static str {
        match self {
            Need::Read => "read",
            Need::Write => "write",
            Need::Unknown => "unknown",
        }
    }

    /// The need of two scopes together: write beats read beats unknown.
    #[must_use]
    pub fn combine(self, other: Need) -> Need {
        match (self, other) {
            (Need::Write, _) | (_, Need::Write) => Need::Write,
            (Need::Read, _) | (_, Need::Read) => Need::Read,
            _ => Need::Unknown,
        }
    }
}

/// Which part of a notebook cell holds an occurrence: code someone wrote, or output a run printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellPart {
    Source,
    Output,
}

/// A notebook location: the 0-based cell index and the part of the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct NotebookCell {
    pub index: usize,
    pub part: CellPart,
}

#[cfg(test)]
mod tests {
    use super::notebook::MAX_JSON_DEPTH;
    use super::*;

    /// A fake token built at run time: `hf_` + 34 alphanumerics, never a literal in the source.
    fn tok() -> String {
        format!("hf_{}", "aB3".repeat(11) + "x")
    }

    /// Replaces `§` in a template with the fake token; returns the text and the token's offset.
    fn place(template: &str) -> (String, usize) {
        let t = tok();
        let off = template.find('§').expect("template has §");
        (template.replacen('§', &t, 1), off)
    }

    fn usage(template: &str) -> (Usage, Option<String>) {
        let (text, off) = place(template);
        usage_at(text.as_bytes(), off, tok().len())
    }

    #[test]
    fn platform_table() {
        use Platform::*;
        let cases = [
            ("nb/train.ipynb", Notebook),
            ("X.IPYNB", Notebook),
            (".github/workflows/x.yml", Ci),
            ("sub/.github/workflows/release.yaml", Ci),
            (".github/actions/setup/action.yml", Ci),
            (".gitlab-ci.yml", Ci),
            (".gitlab-ci/build.yml", Ci),
            (".circleci/config.yml", Ci),
            ("Jenkinsfile", Ci),
            ("azure-pipelines.yml", Ci),
            (".travis.yml", Ci),
            ("bitbucket-pipelines.yml", Ci),
            (".buildkite/pipeline.yml", Ci),
            (".drone.yml", Ci),
            ("cloudbuild.yaml", Ci),
            (".env", EnvFile),
            (".env.local", EnvFile),
            ("config/prod.env", EnvFile),
            (".envrc", EnvFile),
            ("deploy/.env", EnvFile),
            ("Dockerfile", Server),
            ("docker/Dockerfile.gpu", Server),
            ("api.dockerfile", Server),
            ("docker-compose.yml", Server),
            ("docker-compose.prod.yaml", Server),
            ("compose.yaml", Server),
            ("Procfile", Server),
            ("etc/app.service", Server),
            ("deploy/values.yaml", Server),
            ("deployments/run.sh", Server),
            ("src/server/main.py", Server),
            ("k8s/secret.yaml", Server),
            ("kubernetes/x.yml", Server),
            ("helm/chart/values.yaml", Server),
            ("charts/app/templates/d.yaml", Server),
            ("docs/x.md", Docs),
            ("guide.MDX", Docs),
            ("index.rst", Docs),
            ("a.adoc", Docs),
            ("notes.txt", Docs),
            ("README", Docs),
            ("train_log.txt", Other),
            ("logs/build-log.txt", Other),
            ("output.txt", Other),
            ("run.stdout.txt", Other),
            ("server.log", Other),
            ("catalog.txt", Docs),
            ("a.PY", Source),
            ("src/index.ts", Source),
            ("run.sh", Source),
            ("config.yaml", Source),
            ("settings.json", Source),
            ("setup.cfg", Source),
            ("requirements.txt", Source),
            ("Makefile", Source),
            ("app.py", Source),
            ("model.bin", Other),
            ("LICENSE-MIT.pdf", Other),
            ("weird", Other),
            ("", Other),
            ("/", Other),
        ];
        let mut failures = Vec::new();
        for (path, want) in cases {
            let got = platform_of(path);
            if got != want {
                failures.push(format!("{path}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn platform_precedence() {
        // notebook > ci > env_file > server > docs > source
        assert_eq!(platform_of("deploy/x.ipynb"), Platform::Notebook);
        assert_eq!(
            platform_of(".github/workflows/nb.ipynb"),
            Platform::Notebook
        );
        assert_eq!(platform_of(".circleci/deploy/x.yml"), Platform::Ci);
        assert_eq!(platform_of("server/.env"), Platform::EnvFile);
        assert_eq!(platform_of("deploy/README.md"), Platform::Server);
        assert_eq!(platform_of("docs/conf.py"), Platform::Source);
        assert_eq!(Platform::EnvFile.as_str(), "env_file");
    }

    #[test]
    fn usage_table() {
        use Usage::*;
        let env = |n: &str| (EnvAssignment, Some(n.to_owned()));
        let cases: Vec<(&str, (Usage, Option<String>))> = vec![
            // URL credentials
            (
                "git remote add origin https://user:§@huggingface.co/x",
                (UrlCredential, None),
            ),
            (
                "url = \"https://§@huggingface.co/spaces/a/b\"",
                (UrlCredential, None),
            ),
            (
                "git clone https://oauth:§@hf.co/datasets/x.git",
                (UrlCredential, None),
            ),
            (
                "curl https://example.com/api?token=§",
                (UrlCredential, None),
            ),
            (
                "u = f\"https://x/y?a=1&access_token=§\"",
                (UrlCredential, None),
            ),
            // bearer
            ("-H \"Authorization: Bearer §\"", (BearerHeader, None)),
            (
                "headers = {\"Authorization\": \"bearer §\"}",
                (BearerHeader, None),
            ),
            // login
            ("login(token=\"§\")", (LoginCall, None)),
            ("huggingface_hub.login(\"§\")", (LoginCall, None)),
            ("notebook_login(§)", (LoginCall, None)),
            ("interpreter_login(token='§')", (LoginCall, None)),
            ("!huggingface-cli login --token §", (LoginCall, None)),
            ("hf auth login --token §", (LoginCall, None)),
            (
                "run: hf login --token § --add-to-git-credential",
                (LoginCall, None),
            ),
            // env assignments
            ("HF_TOKEN=§", env("HF_TOKEN")),
            ("HF_TOKEN=\"§\"", env("HF_TOKEN")),
            ("export HF_TOKEN=§", env("HF_TOKEN")),
            ("export hf_home_token='§'", env("hf_home_token")),
            ("ENV HF_TOKEN=§", env("HF_TOKEN")),
            (
                "ENV HUGGING_FACE_HUB_TOKEN §",
                env("HUGGING_FACE_HUB_TOKEN"),
            ),
            ("ARG HF_TOKEN=§", env("HF_TOKEN")),
            ("os.environ[\"HF_TOKEN\"] = \"§\"", env("HF_TOKEN")),
            ("os.environ['HF_TOKEN']='§'", env("HF_TOKEN")),
            (
                "os.environ.setdefault(\"HF_TOKEN\", \"§\")",
                env("HF_TOKEN"),
            ),
            ("process.env.HF_TOKEN = \"§\";", env("HF_TOKEN")),
            ("%env HF_TOKEN=§", env("HF_TOKEN")),
            ("    HF_TOKEN: \"§\"", env("HF_TOKEN")),
            (
                "  HUGGINGFACEHUB_API_TOKEN: §",
                env("HUGGINGFACEHUB_API_TOKEN"),
            ),
            ("      - HF_TOKEN=§", env("HF_TOKEN")),
            ("docker run -e HF_TOKEN=§ img", env("HF_TOKEN")),
            ("$env:HF_TOKEN = \"§\"", env("HF_TOKEN")),
            ("HF_TOKEN=§ huggingface-cli login", env("HF_TOKEN")),
            ("- name: HF_TOKEN\n  value: \"§\"", env("HF_TOKEN")),
            // token arguments
            (
                "hf_hub_download(\"a/b\", \"c\", token=\"§\")",
                (TokenArgument, None),
            ),
            (
                "from_pretrained(m, use_auth_token=\"§\")",
                (TokenArgument, None),
            ),
            ("TrainingArguments(hub_token='§')", (TokenArgument, None)),
            ("InferenceClient(api_key=\"§\")", (TokenArgument, None)),
            ("cfg(hf_token = \"§\")", (TokenArgument, None)),
            ("{\"access_token\": \"§\"}", (TokenArgument, None)),
            ("{\"token\": \"§\"}", (TokenArgument, None)),
            ("  token: §", (TokenArgument, None)),
            ("hf download a/b --token §", (TokenArgument, None)),
            ("hf upload a/b . --token=§", (TokenArgument, None)),
            // literals
            ("§", (Literal, None)),
            ("print(\"§\")", (Literal, None)),
            ("if token == \"§\":", (Literal, None)),
            ("tokens = [\"§\"]", (Literal, None)),
            ("my_login(\"§\")", (Literal, None)),
            ("https://huggingface.co/§/x", (Literal, None)),
            ("self.HF_TOKEN = \"§\"", (TokenArgument, None)),
            ("self.secret = \"§\"", (Literal, None)),
            ("  value: §", (Literal, None)),
            // notebook JSON-escaped source lines (list form)
            ("    \"login(token=\\\"§\\\")\\n\",", (LoginCall, None)),
            (
                "    \"os.environ[\\\"HF_TOKEN\\\"] = \\\"§\\\"\\n\",",
                env("HF_TOKEN"),
            ),
            (
                "    \"api = HfApi(token=\\\"§\\\")\\n\",",
                (TokenArgument, None),
            ),
            ("    \"%env HF_TOKEN=§\\n\",", env("HF_TOKEN")),
            (
                "    \"headers = {\\\"Authorization\\\": \\\"Bearer §\\\"}\"",
                (BearerHeader, None),
            ),
            // single-string form: the `\n` escape ends the previous line
            (
                "\"source\": \"from huggingface_hub import login\\nlogin(\\\"§\\\")\"",
                (LoginCall, None),
            ),
            ("\"source\": \"login()\\nx = \\\"§\\\"\"", (Literal, None)),
            ("\"text\": \"Token is valid\\n§\\n\"", (Literal, None)),
            // CRLF
            ("login(\r\n    token=\"§\"\r\n)", (TokenArgument, None)),
        ];
        let mut failures = Vec::new();
        for (template, want) in cases {
            let got = usage(template);
            if got != want {
                failures.push(format!("{template:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn usage_is_bounded_on_huge_lines() {
        // Login call far away on the same (minified) line is out of the window: literal.
        let t = tok();
        let mut data = b"login(".to_vec();
        data.extend(std::iter::repeat_n(b'x', 1 << 20));
        data.push(b' ');
        let off = data.len();
        data.extend_from_slice(t.as_bytes());
        data.extend(std::iter::repeat_n(b'y', 1 << 20));
        assert_eq!(usage_at(&data, off, t.len()), (Usage::Literal, None));
        // Out-of-range offsets and lengths do not panic.
        let _ = usage_at(&data, data.len() + 10, 40);
        let _ = usage_at(&data, 5, usize::MAX);
        let _ = usage_at(b"", 0, 0);
    }

    fn notebook_json(source_cell: &str, output_text: &str, single_string: bool) -> String {
        let source = if single_string {
            serde_json::Value::String(source_cell.to_owned())
        } else {
            serde_json::Value::Array(
                source_cell
                    .split_inclusive('\n')
                    .map(|l| serde_json::Value::String(l.to_owned()))
                    .collect(),
            )
        };
        let output = if single_string {
            serde_json::Value::String(output_text.to_owned())
        } else {
            serde_json::Value::Array(vec![serde_json::Value::String(output_text.to_owned())])
        };
        let nb = serde_json::json!({
            "cells": [
                {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "Some text"]},
                {"cell_type": "code", "execution_count": 1, "metadata": {"tags": []},
                 "source": source, "outputs": []},
                {"cell_type": "code", "execution_count": 2, "metadata": {},
                 "source": ["whoami()"],
                 "outputs": [{"name": "stdout", "output_type": "stream", "text": output}]},
            ],
            "metadata": {"kernelspec": {"name": "python3", "note": "META"}},
            "nbformat": 4,
            "nbformat_minor": 5
        });
        serde_json::to_string_pretty(&nb).unwrap()
    }

    #[test]
    fn notebook_source_and_output() {
        let t = tok();
        for single in [false, true] {
            let src = format!("import os\nlogin(token=\"{t}\")\nprint(1)\n");
            let out = format!("Logged in\n{t}\n");
            let text = notebook_json(&src, &out, single);
            let data = text.as_bytes();
            let hits: Vec<usize> = memmem::find_iter(data, t.as_bytes()).collect();
            assert_eq!(hits.len(), 2, "{text}");
            let meta = text.find("META").unwrap();
            let title = text.find("# Title").unwrap();
            let cells = notebook_cells(data, &[hits[0], hits[1], meta, 0, title, data.len() + 5])
                .expect("valid notebook");
            assert_eq!(
                cells,
                vec![
                    Some(NotebookCell {
                        index: 1,
                        part: CellPart::Source
                    }),
                    Some(NotebookCell {
                        index: 2,
                        part: CellPart::Output
                    }),
                    None,
                    None,
                    Some(NotebookCell {
                        index: 0,
                        part: CellPart::Source
                    }),
                    None,
                ],
                "single_string={single}"
            );
            // The output token follows a `\n` escape: a literal, not the login call above it.
            assert_eq!(usage_at(data, hits[1], t.len()).0, Usage::Literal);
            assert_eq!(usage_at(data, hits[0], t.len()).0, Usage::LoginCall);
        }
    }

    #[test]
    fn notebook_compact_and_nbformat3() {
        let t = tok();
        let compact = format!(
            "\u{feff}{{\"cells\":[{{\"cell_type\":\"code\",\"source\":\"x=\\\"{t}\\\"\",\"outputs\":[{{\"data\":{{\"text/plain\":[\"'{t}'\"]}}}}]}}],\"metadata\":{{}}}}"
        );
        let data = compact.as_bytes();
        let hits: Vec<usize> = memmem::find_iter(data, t.as_bytes()).collect();
        let cells = notebook_cells(data, &hits).expect("valid");
        assert_eq!(
            cells,
            vec![
                Some(NotebookCell {
                    index: 0,
                    part: CellPart::Source
                }),
                Some(NotebookCell {
                    index: 0,
                    part: CellPart::Output
                }),
            ]
        );

        let v3 = format!(
            r#"{{"worksheets": [{{"cells": [{{"cell_type": "markdown", "source": "hi"}}, {{"cell_type": "code", "input": ["tok = '{t}'"], "outputs": []}}]}}], "nbformat": 3}}"#
        );
        let off = v3.find(&t).unwrap();
        assert_eq!(
            notebook_cells(v3.as_bytes(), &[off]),
            Some(vec![Some(NotebookCell {
                index: 1,
                part: CellPart::Source
            })])
        );
    }

    #[test]
    fn notebook_malformed_is_none() {
        let t = tok();
        let good = notebook_json(&format!("x = '{t}'\n"), "out", false);
        let cases: Vec<String> = vec![
            good[..good.len() / 2].to_owned(),
            good[..good.len() - 1].to_owned(),
            format!("{good} trailing"),
            good.replacen(':', "", 1),
            good.replacen(',', ",,", 1),
            "[1, 2, 3]".to_owned(),
            "\"just a string\"".to_owned(),
            String::new(),
            "{\"cells\": [{\"source\": \"unterminated}]}".to_owned(),
            "{\"a\": tru}".to_owned(),
            "{\"a\" 1}".to_owned(),
            "{\"a\": 1]".to_owned(),
            "[".repeat(MAX_JSON_DEPTH + 10),
            format!("{{\"a\":{}1{}}}", "[".repeat(5000), "]".repeat(5000)),
        ];
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(notebook_cells(case.as_bytes(), &[0, 3]), None, "case {i}");
        }
        assert!(notebook_cells(good.as_bytes(), &[0]).is_some());
        // Valid JSON object without cells: every offset is outside a cell.
        assert_eq!(
            notebook_cells(b"{\"metadata\": {}}", &[2]),
            Some(vec![None])
        );
    }

    #[test]
    fn call_lists_builtin_parse() {
        // Every DESIGN §4 name is listed, and `calls_in` finds it on a line of its own.
        const READ: &str = "from_pretrained|hf_hub_download|snapshot_download|load_dataset|\
            InferenceClient|AsyncInferenceClient|model_info|dataset_info|space_info|list_models|\
            list_datasets|list_repo_files|file_exists|repo_exists|whoami|hf download|\
            huggingface-cli download|api-inference.huggingface.co|router.huggingface.co|pipeline(";
        const WRITE: &str = "push_to_hub|upload_file|upload_folder|upload_large_folder|\
            create_repo|delete_repo|delete_file|delete_files|delete_folder|create_commit|\
            create_branch|create_tag|update_repo_settings|update_repo_visibility|move_repo|\
            add_space_secret|add_space_variable|create_discussion|create_pull_request|run_job|\
            hf upload|huggingface-cli upload|huggingface-cli repo create|hf repo create|\
            --push-to-hub|--push_to_hub|push_to_hub=True";
        let lists = CallLists::builtin();
        for name in READ.split('|') {
            assert!(
                lists.read().iter().any(|n| n == name),
                "read list lacks {name}"
            );
            let found = calls_in(format!("x = {name} y\n").as_bytes(), &lists);
            assert!(found.reads.iter().any(|n| n == name), "{name}: {found:?}");
            assert_eq!(found.need(), Need::Read, "{name}");
        }
        for name in WRITE.split('|') {
            assert!(
                lists.write().iter().any(|n| n == name),
                "write list lacks {name}"
            );
            let found = calls_in(format!("x = {name} y\n").as_bytes(), &lists);
            assert!(found.writes.iter().any(|n| n == name), "{name}: {found:?}");
        }
    }

    fn calls(text: &str) -> Calls {
        calls_in(text.as_bytes(), &CallLists::builtin())
    }

    #[test]
    fn calls_table() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let cases: Vec<(&str, Vec<String>, Vec<String>, Need)> = vec![
            (
                "m = AutoModel.from_pretrained('a/b')",
                s(&["from_pretrained"]),
                s(&[]),
                Need::Read,
            ),
            (
                "from_pretrained(x)\nmodel.push_to_hub('a/b')",
                s(&["from_pretrained"]),
                s(&["push_to_hub"]),
                Need::Write,
            ),
            (
                "args = TrainingArguments(out, push_to_hub=True)",
                s(&[]),
                s(&["push_to_hub", "push_to_hub=True"]),
                Need::Write,
            ),
            (
                "args = TrainingArguments(out, push_to_hub=False)",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            (
                "args = TrainingArguments(out, push_to_hub = False)",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            ("{\"push_to_hub\": false}", s(&[]), s(&[]), Need::Unknown),
            ("push_to_hub: false", s(&[]), s(&[]), Need::Unknown),
            (
                "def train(push_to_hub: bool = False):",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            (
                "python train.py --push_to_hub",
                s(&[]),
                s(&["--push_to_hub", "push_to_hub"]),
                Need::Write,
            ),
            ("my_upload_file_helper(x)", s(&[]), s(&[]), Need::Unknown),
            ("upload_files_later()", s(&[]), s(&[]), Need::Unknown),
            (
                "api.upload_file(path_or_fileobj=f)",
                s(&[]),
                s(&["upload_file"]),
                Need::Write,
            ),
            (
                "api.delete_files(x)",
                s(&[]),
                s(&["delete_files"]),
                Need::Write,
            ),
            (
                "p = pipeline('text-generation')",
                s(&["pipeline("]),
                s(&[]),
                Need::Read,
            ),
            ("p = my_pipeline('x')", s(&[]), s(&[]), Need::Unknown),
            (
                "hf upload me/model .",
                s(&[]),
                s(&["hf upload"]),
                Need::Write,
            ),
            (
                "hf download me/model",
                s(&["hf download"]),
                s(&[]),
                Need::Read,
            ),
            ("git push origin main", s(&[]), s(&[]), Need::Unknown),
            (
                "git remote add hub https://huggingface.co/spaces/a/b\ngit push hub main",
                s(&[]),
                s(&["git push"]),
                Need::Write,
            ),
            (
                "git clone https://github.com/a/b",
                s(&[]),
                s(&[]),
                Need::Unknown,
            ),
            (
                "git clone https://huggingface.co/a/b",
                s(&["git clone"]),
                s(&[]),
                Need::Read,
            ),
            (
                "requests.post('https://router.huggingface.co/v1/chat')",
                s(&["router.huggingface.co"]),
                s(&[]),
                Need::Read,
            ),
            (
                "whoami()\nwhoami()\nload_dataset('x')",
                s(&["load_dataset", "whoami"]),
                s(&[]),
                Need::Read,
            ),
            ("nothing here", s(&[]), s(&[]), Need::Unknown),
        ];
        let mut failures = Vec::new();
        for (text, reads, writes, need) in cases {
            let got = calls(text);
            let want = Calls { reads, writes };
            if got != want || got.need() != need {
                failures.push(format!(
                    "{text:?}: got {got:?} ({:?}), want {want:?} ({need:?})",
                    got.need()
                ));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn call_lists_extend_and_merge() {
        let mut lists = CallLists::builtin();
        lists.extend(&["fetch_weights"], &["publish_model", ""]);
        let got = calls_in(b"fetch_weights()\npublish_model()", &lists);
        assert_eq!(got.reads, vec!["fetch_weights".to_owned()]);
        assert_eq!(got.writes, vec!["publish_model".to_owned()]);
        // Conditional calls survive a rebuild.
        let got = calls_in(b"git push https://huggingface.co/x", &lists);
        assert_eq!(got.writes, vec!["git push".to_owned()]);

        let mut a = calls("whoami()");
        a.merge(&calls("upload_file(x)\nload_dataset(y)"));
        assert_eq!(
            a.reads,
            vec!["load_dataset".to_owned(), "whoami".to_owned()]
        );
        assert_eq!(a.need(), Need::Write);
    }

    #[test]
    fn need_combine() {
        use Need::*;
        for (a, b, want) in [
            (Read, Write, Write),
            (Write, Unknown, Write),
            (Unknown, Read, Read),
            (Read, Read, Read),
            (Unknown, Unknown, Unknown),
        ] {
            assert_eq!(a.combine(b), want);
            assert_eq!(b.combine(a), want);
        }
        assert_eq!(Need::Unknown.as_str(), "unknown");
    }

    #[test]
    fn env_reads_table() {
        let reads = [
            "token = os.environ[\"HF_TOKEN\"]",
            "token = os.environ['HF_TOKEN']",
            "token = os.environ.get(\"HF_TOKEN\")",
            "token = os.getenv('HF_TOKEN', None)",
            "char *t = getenv(\"HF_TOKEN\");",
            "t := os.Getenv(\"HF_TOKEN\")",
            "  HF_TOKEN: ${{ secrets.HF_TOKEN }}",
            "run: echo ${{ env.HF_TOKEN }}",
            "  HF_TOKEN: ${{ secrets.HUB_WRITE }}",
            "huggingface-cli login --token $HF_TOKEN",
            "curl -H \"Authorization: Bearer ${HF_TOKEN}\"",
            "const t = process.env.HF_TOKEN;",
            "const t = process.env[\"HF_TOKEN\"];",
            "t = ENV[\"HF_TOKEN\"]",
            "t = ENV.fetch(\"HF_TOKEN\")",
            "let t = std::env::var(\"HF_TOKEN\")?;",
            "from google.colab import userdata\nt = userdata.get('HF_TOKEN')",
            "    \"token = os.environ[\\\"HF_TOKEN\\\"]\\n\",",
            "if os.environ[\"HF_TOKEN\"] == x:",
            "environment:\n  - HF_TOKEN\n",
            "docker run -e HF_TOKEN img",
            "ARG HF_TOKEN\n",
            "$t = $env:HF_TOKEN",
            "\tcurl -H \"Authorization: Bearer $(HF_TOKEN)\" $(URL)",
            "set T=%HF_TOKEN%",
        ];
        let not_reads = [
            "HF_TOKEN=hf_abc",
            "export HF_TOKEN=hf_abc",
            "os.environ[\"HF_TOKEN\"] = \"x\"",
            "process.env.HF_TOKEN = \"x\";",
            "  HF_TOKEN: plain",
            "MY_HF_TOKEN_X = os.getenv(\"OTHER\")",
            "# HF_TOKEN is documented here",
            "print(\"HF_TOKEN\")",
            "- HF_TOKEN=abc",
            "$env:HF_TOKEN = \"x\"",
        ];
        let mut failures = Vec::new();
        for text in reads {
            let got = env_reads(text.as_bytes(), &Words::new(STANDARD_TOKEN_VARS));
            if got != vec!["HF_TOKEN".to_owned()] {
                failures.push(format!("must read: {text:?}: {got:?}"));
            }
        }
        for text in not_reads {
            let got = env_reads(text.as_bytes(), &Words::new(STANDARD_TOKEN_VARS));
            if !got.is_empty() {
                failures.push(format!("must not read: {text:?}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");

        let both = b"a = os.getenv('HF_API_KEY')\nb = $HF_TOKEN";
        assert_eq!(
            env_reads(
                both,
                &Words::new(["HF_TOKEN", "HF_API_KEY", "", "HF_TOKEN"])
            ),
            vec!["HF_TOKEN".to_owned(), "HF_API_KEY".to_owned()]
        );
    }

    #[test]
    fn serializes_snake_case() {
        let cell = NotebookCell {
            index: 3,
            part: CellPart::Output,
        };
        assert_eq!(
            serde_json::to_string(&cell).unwrap(),
            r#"{"index":3,"part":"output"}"#
        );
        assert_eq!(
            serde_json::to_string(&Platform::EnvFile).unwrap(),
            "\"env_file\""
        );
        assert_eq!(
            serde_json::to_string(&Usage::UrlCredential).unwrap(),
            "\"url_credential\""
        );
        assert_eq!(serde_json::to_string(&Need::Write).unwrap(), "\"write\"");
    }

    /// xorshift64*: deterministic pseudo-random bytes without a crate.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        // Biased toward bytes that steer the parsers, plus raw noise.
        const ALPHABET: &[u8] = b"{}[]\":,\\n \r\t=$'`@/?&#.-_hfHFTOKENloginenvsecrets()0123456789";
        let std_vars = Words::new(STANDARD_TOKEN_VARS);
        let lists = CallLists::builtin();
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let nb = notebook_json("x = 1\nlogin(token=\"hf_zzz\")\n", "out\n", false).into_bytes();
        for round in 0..3000 {
            let len = (rng.next() % 600) as usize;
            let mut data: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rng.next();
                    if r.is_multiple_of(3) {
                        (r >> 8) as u8
                    } else {
                        ALPHABET[((r >> 8) % ALPHABET.len() as u64) as usize]
                    }
                })
                .collect();
            if round % 4 == 0 {
                // Mutate a real notebook: truncate and flip bytes.
                data = nb[..(rng.next() as usize % (nb.len() + 1))].to_vec();
                for _ in 0..(rng.next() % 4) {
                    if !data.is_empty() {
                        let i = rng.next() as usize % data.len();
                        data[i] = ALPHABET[rng.next() as usize % ALPHABET.len()];
                    }
                }
            }
            let offsets: Vec<usize> = (0..8).map(|_| rng.next() as usize % (len + 20)).collect();
            for &off in &offsets {
                let _ = usage_at(&data, off, (rng.next() % 50) as usize);
            }
            let _ = notebook_cells(&data, &offsets);
            let _ = calls_in(&data, &lists);
            let _ = env_reads(&data, &std_vars);
            let _ = platform_of(&String::from_utf8_lossy(&data));
        }
    }

    #[test]
    fn calls_in_whole_line_comments_do_not_count() {
        let lists = CallLists::builtin();
        let need = |text: &str| calls_in(text.as_bytes(), &lists).need();
        assert_eq!(
            need("# never call push_to_hub here\nhf_hub_download('a', 'b')\n"),
            Need::Read
        );
        assert_eq!(
            need("  // TODO: upload_file later\nconst m = await fetch(x)\n"),
            Need::Unknown
        );
        assert_eq!(
            need("\"source\": [\"# push_to_hub is disabled\\n\", \"snapshot_download('a')\"]"),
            Need::Read
        );
        assert_eq!(
            need("model.push_to_hub('a')  # publish\n"),
            Need::Write,
            "code before a comment counts"
        );
        assert_eq!(
            need("url = 'https://x/#frag'; api.upload_file(path_or_fileobj=f)\n"),
            Need::Write
        );
        assert_eq!(
            need("python train.py \\\n  --push-to-hub\n"),
            Need::Write,
            "a continued command"
        );
    }

    #[test]
    fn makefile_assignments() {
        assert_eq!(usage("HF_TOKEN := §").1.as_deref(), Some("HF_TOKEN"));
        assert_eq!(usage("export HF_TOKEN ?= §").1.as_deref(), Some("HF_TOKEN"));
        assert_eq!(
            usage("    token := \"§\"").1,
            None,
            "Go's := on an ordinary name"
        );
    }

    #[test]
    fn one_letter_constants_are_not_environment_variables() {
        assert_eq!(usage("T = \"§\""), (Usage::Literal, None));
        assert_eq!(usage("TK = \"§\"").1.as_deref(), Some("TK"));
    }
}
