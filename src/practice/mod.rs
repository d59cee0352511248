//! Practice: the habits that cause the next leak, found in a file's text (issue 13, DESIGN §10).
//!
//! HF013 a token variable reaching a container image build, HF014 a GitHub workflow handing a
//! stored Hub token secret to its steps (judged later, with the need of the steps), HF015 a
//! token variable written to output or logs. There is no token literal here: each hit names the
//! token *variable* (`HF_TOKEN` and the configured names).
//!
//! Pure and line-based, like `context`: bytes in, hits out, no file system. Lines longer than
//! [`MAX_LINE`] are skipped (minified files hold no build scripts), and a workflow over
//! [`MAX_WORKFLOW`] is not read: every check stays bounded on generated files.
//! Precision matters as much as recall: reading a variable to pass it to `login()` or a client
//! is the recommended practice and never a hit, nor is a name inside a plain string.
//!
//! One job a file: this one holds the hit, the kinds of file, their lines and [`find_with`],
//! which runs the checks a kind of file gets; `docker` the image builds of HF013 (Dockerfiles,
//! Compose, Bake, `--build-arg`, token files); `shell` the printing of HF015 in shell lines;
//! `code` the printing of HF015 in Python and JavaScript; `workflow` GitHub workflows (HF014's
//! steps and secrets, and their token files and published files).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use crate::allow::{parse_allow, Allow};
use crate::context::{CallLists, Platform, Words};

mod code;
mod docker;
mod shell;
mod workflow;

use code::code_prints;
use docker::{bake_args, build_arg_flags, dockerfile, token_files, yaml_build_args};
use shell::{shell, shell_in};
use workflow::{workflow_published, workflow_secrets, workflow_token_files};
pub use workflow::{Step, StepCall, StepScript};

/// Lines longer than this are not looked at.
const MAX_LINE: usize = 4096;

/// Largest GitHub workflow read for habits (1 MiB): the largest real ones are about 100 KB.
pub const MAX_WORKFLOW: usize = 1 << 20;
/// Snippets are cut to this many characters.
const SNIPPET_WIDTH: usize = 160;

/// The rules whose habits this module finds.
pub const RULES: [&str; 3] = ["HF013", "HF014", "HF015"];

/// One habit found on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeHit {
    /// `HF013`, `HF014` or `HF015`.
    pub rule: &'static str,
    /// The token variable concerned (for HF014, the variable the secret is handed to); empty
    /// for a token file (`token_file`).
    pub variable: String,
    /// What was found, for the message: "`ARG` in a Dockerfile", "`echo`", ….
    pub detail: String,
    /// 1-based.
    pub line: u64,
    pub column: u64,
    pub offset: u64,
    /// The line, redacted and trimmed.
    pub snippet: String,
    /// An `hfaudit:allow` marker on the line or the line above.
    pub allow: Option<Allow>,
    /// HF014: the stored secret handed over (`HF_WRITE_TOKEN`).
    pub secret: Option<String>,
    /// HF014: the steps that get the secret, each with what it does with the Hub; the judge
    /// reads the scripts they run from the other files' facts.
    pub steps: Vec<Arc<Step>>,
    /// HF014: the secret is written right into a command (`--token ${{ secrets.X }}`), not
    /// handed to a variable.
    pub on_command_line: bool,
    /// HF014: what the secret is handed to when that is not `variable` nor a command line
    /// ("the reusable workflow's `hf_token` secret", "the `token` input of `acme/push`").
    pub handed_to: Option<String>,
    /// HF015: where the printed name's value comes from when the name is not a token variable
    /// ("read by `get_token()`", with `variable` the name printed).
    pub origin: Option<String>,
    /// HF013: a token *file* copied into an image (`hf_token`), rather than a variable.
    pub token_file: Option<String>,
}

/// What kind of file this is, for the checks that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dockerfile,
    Compose,
    /// `docker-bake.hcl`: Buildx Bake targets, whose `args` are build arguments.
    Bake,
    Workflow,
    Python,
    Notebook,
    JavaScript,
    /// Shell scripts, Makefiles, CI configuration: files whose lines are commands.
    Shell,
}

fn kind_of(path: &str, platform: Platform, data: &[u8]) -> Option<Kind> {
    match kind_by_path(path, platform) {
        ByPath::Kind(kind) => kind,
        ByPath::Shebang => {
            let shell = data.starts_with(b"#!")
                && data[..data.len().min(64)]
                    .split(|b| *b == b'\n')
                    .next()
                    .is_some_and(|l| l.ends_with(b"sh") || l.windows(3).any(|w| w == b"sh "));
            shell.then_some(Kind::Shell)
        }
    }
}

/// What a file's path says of its kind: the kind (or none), or, for a file without an
/// extension, a shell script if its first line says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByPath {
    Kind(Option<Kind>),
    Shebang,
}

fn kind_by_path(path: &str, platform: Platform) -> ByPath {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    if platform == Platform::Docs {
        // Documentation shows commands; it does not run them.
        return ByPath::Kind(None);
    }
    if name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
    {
        return ByPath::Kind(Some(Kind::Dockerfile));
    }
    if name.starts_with("docker-bake") && ext == Some("hcl") {
        return ByPath::Kind(Some(Kind::Bake));
    }
    let yaml = matches!(ext, Some("yml" | "yaml"));
    if yaml && (name.starts_with("docker-compose") || name.starts_with("compose")) {
        return ByPath::Kind(Some(Kind::Compose));
    }
    if yaml && lower.contains(".github/workflows/") {
        return ByPath::Kind(Some(Kind::Workflow));
    }
    let kind = match ext {
        Some("py" | "pyw") => Kind::Python,
        Some("ipynb") => Kind::Notebook,
        Some("js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "jsx" | "tsx") => Kind::JavaScript,
        Some("sh" | "bash" | "zsh" | "ksh" | "mk") => Kind::Shell,
        _ if matches!(
            name,
            "makefile" | "gnumakefile" | "justfile" | "jenkinsfile" | ".envrc"
        ) =>
        {
            Kind::Shell
        }
        // CI configuration is commands; other code and data (Rust, TOML, JSON, …) are not,
        // whatever their strings say.
        _ if platform == Platform::Ci => Kind::Shell,
        None => return ByPath::Shebang,
        _ => return ByPath::Kind(None),
    };
    ByPath::Kind(Some(kind))
}

/// How the file at a path is read for habits, as far as the path tells: the same bytes at two
/// paths with equal readings give the same hits. A git mode looks at each file version once,
/// at the first path it was listed at, and uses this to know when that holds for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading(ByPath);

/// The [`Reading`] of a file at `path`; `None` when no file there can have a habit
/// (documentation, data, most code).
pub fn reading(path: &str) -> Option<Reading> {
    match kind_by_path(path, crate::context::platform_of(path)) {
        ByPath::Kind(None) => None,
        by_path => Some(Reading(by_path)),
    }
}

/// One line of the file: its text (JSON-unescaped quotes in notebooks) and where it starts.
struct Line<'a> {
    number: u64,
    offset: usize,
    raw: &'a [u8],
    /// Borrowed from the file unless it had to change (invalid UTF-8, a notebook's escapes).
    text: Cow<'a, str>,
    /// Bytes of `raw` before `text` starts (a notebook's indentation and opening quote).
    shift: usize,
    /// Whether a token variable's name (or `get_token`) is on the line. Most checks need one
    /// there, so most lines of a file are passed over without running a regex.
    mentions: bool,
}

/// The file's lines. `mentions` holds the sorted offsets where a token variable's name starts.
fn lines<'a>(data: &'a [u8], notebook: bool, mentions: &[usize]) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    // Checked once for the whole file: then every line is a slice of it, not a copy.
    let whole = std::str::from_utf8(data).ok();
    let mut offset = 0;
    let mut next_mention = mentions.iter().copied().peekable();
    loop {
        let end = memchr::memchr(b'\n', &data[offset..]).map_or(data.len(), |p| offset + p);
        let raw = &data[offset..end];
        let raw_line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut shift = 0;
        let text = if raw_line.len() > MAX_LINE {
            Cow::Borrowed("")
        } else {
            let t = match whole {
                Some(w) => Cow::Borrowed(&w[offset..offset + raw_line.len()]),
                None => String::from_utf8_lossy(raw_line),
            };
            if notebook {
                // A source line of a cell: `    "print(x)\n",` → `print(x)",`.
                let bare = t.trim_start().trim_start_matches('"');
                shift = t.len() - bare.len();
                Cow::Owned(bare.replace("\\\"", "\"").replace("\\n", ""))
            } else {
                t
            }
        };
        let mut here = false;
        while let Some(&at) = next_mention.peek() {
            if at >= end {
                break;
            }
            here |= at >= offset;
            next_mention.next();
        }
        out.push(Line {
            number: out.len() as u64 + 1,
            offset,
            raw: raw_line,
            text,
            shift,
            mentions: here,
        });
        if end == data.len() {
            break;
        }
        offset = end + 1;
    }
    out
}

/// Sorted offsets in `data` where a token variable's name (or `get_token`) starts.
fn mention_offsets(data: &[u8], names: &Words) -> Vec<usize> {
    static GET_TOKEN_WORD: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new("get_token"));
    let mut out: Vec<usize> = names.find_all(data).map(|(at, _)| at).collect();
    out.extend(GET_TOKEN_WORD.find_iter(data));
    out.sort_unstable();
    out
}

/// Most practice hits one file gives: a real file gives a handful; a generated one with a
/// hundred thousand steps each handing over a secret must not cost a hundred thousand findings.
pub const MAX_HITS_PER_FILE: usize = 1_000;

/// Collects hits for one file.
struct Hits<'a> {
    lines: &'a [Line<'a>],
    out: Vec<PracticeHit>,
    /// Rule, line and (HF014) detail of each hit: one hit each, looked up, not searched for.
    seen: HashSet<(&'static str, u64, String)>,
}

impl Hits<'_> {
    /// Records a hit, unless the rule already has one on this line; returns it so the caller
    /// can add what only its rule knows.
    fn push(
        &mut self,
        rule: &'static str,
        i: usize,
        column: usize,
        variable: &str,
        detail: &str,
    ) -> Option<&mut PracticeHit> {
        // One hit a rule and line; HF014 one a secret (a line may hand over two).
        if self.out.len() >= MAX_HITS_PER_FILE {
            return None;
        }
        let key_detail = if rule == "HF014" { detail } else { "" };
        if !self
            .seen
            .insert((rule, self.lines[i].number, key_detail.to_owned()))
        {
            return None;
        }
        let line = &self.lines[i];
        let column = column + line.shift;
        let mut snippet: String =
            crate::output::escape(crate::output::redact_lossy(line.raw).trim()).into_owned();
        if snippet.chars().count() > SNIPPET_WIDTH {
            snippet = snippet.chars().take(SNIPPET_WIDTH).collect::<String>() + "…";
        }
        let allow = parse_allow(line.raw).or_else(|| {
            i.checked_sub(1)
                .and_then(|p| parse_allow(self.lines[p].raw))
        });
        self.out.push(PracticeHit {
            rule,
            variable: variable.to_owned(),
            detail: detail.to_owned(),
            line: line.number,
            column: column as u64 + 1,
            offset: (line.offset + column.min(line.raw.len())) as u64,
            snippet,
            allow,
            secret: None,
            steps: Vec::new(),
            on_command_line: false,
            handed_to: None,
            origin: None,
            token_file: None,
        });
        self.out.last_mut()
    }
}

/// Files whose habits show without a token variable's name, so worth the practice rules' look
/// even when they name none: a GitHub workflow that hands over a secret (`secrets.` anywhere:
/// the secret may be named anything), and a Dockerfile (it may copy a token file). Every file
/// with nothing else to look at comes here, so the path is looked at first, cheaply.
pub fn worth_a_look(path: &str, data: &[u8]) -> bool {
    let bytes = path.as_bytes();
    let name = match memchr::memrchr(b'/', bytes) {
        Some(at) => &bytes[at + 1..],
        None => bytes,
    };
    let yaml = name.ends_with(b".yml") || name.ends_with(b".yaml");
    if yaml {
        return memchr::memmem::find(bytes, b".github/workflows/").is_some()
            && memchr::memmem::find(data, b"secrets.").is_some();
    }
    let lower = |n: &[u8], p: &[u8]| n.len() >= p.len() && n[..p.len()].eq_ignore_ascii_case(p);
    lower(name, b"dockerfile")
        || lower(name, b"containerfile")
        || (name.len() > 11 && name[name.len() - 11..].eq_ignore_ascii_case(b".dockerfile"))
}

/// The built-in Hub call lists, for [`find`].
static BUILTIN_CALLS: LazyLock<CallLists> = LazyLock::new(CallLists::builtin);

/// The habits of HF013, HF014 and HF015 in one file, with the built-in Hub call lists.
/// `names` are the token variables.
pub fn find(path: &str, platform: Platform, data: &[u8], words: &Words) -> Vec<PracticeHit> {
    find_with(path, platform, data, words, &BUILTIN_CALLS)
}

/// The habits of HF013, HF014 and HF015 in one file. Pure: the file's path, platform, bytes,
/// the token variables and the Hub call lists in, hits out. A git mode can run it on the whole
/// file as it is after a change and keep the hits on the lines the change adds; HF014's hits
/// name the scripts their steps run, which the judge reads from the other files' facts.
pub fn find_with(
    path: &str,
    platform: Platform,
    data: &[u8],
    words: &Words,
    calls: &CallLists,
) -> Vec<PracticeHit> {
    let Some(kind) = kind_of(path, platform, data) else {
        return Vec::new();
    };
    let names: HashSet<&str> = words.as_slice().iter().map(String::as_str).collect();
    let lines = lines(data, kind == Kind::Notebook, &mention_offsets(data, words));
    let mut hits = Hits {
        lines: &lines,
        out: Vec::new(),
        seen: HashSet::new(),
    };
    match kind {
        Kind::Dockerfile => {
            dockerfile(&mut hits, &names);
            token_files(&mut hits, &names);
            shell_in(&mut hits, &names, &docker::instructions(&lines), &[]);
        }
        Kind::Compose => {
            yaml_build_args(
                &mut hits,
                &names,
                "args",
                Some("build"),
                "compose `build.args`",
            );
            shell(&mut hits, &names);
        }
        // The workflow checks relate every step to every secret of its job: past MAX_WORKFLOW
        // (a real workflow is a few kilobytes) a generated file would cost their product.
        Kind::Workflow if data.len() > MAX_WORKFLOW => {}
        Kind::Workflow => {
            yaml_build_args(
                &mut hits,
                &names,
                "build-args",
                None,
                "`build-args` of a CI step",
            );
            workflow_secrets(&mut hits, &names, calls);
            workflow_token_files(&mut hits, &names);
            workflow_published(&mut hits, &names);
            let aliases = workflow::secret_aliases(&lines, &names);
            shell_in(&mut hits, &names, &workflow::run_blocks(&lines), &aliases);
        }
        Kind::Bake => bake_args(&mut hits, &names),
        Kind::Python | Kind::Notebook | Kind::JavaScript => code_prints(&mut hits, &names),
        Kind::Shell => shell(&mut hits, &names),
    }
    // A Dockerfile builds no image itself: a `--build-arg` there is in a message.
    if !matches!(
        kind,
        Kind::Python | Kind::Notebook | Kind::JavaScript | Kind::Dockerfile
    ) {
        build_arg_flags(&mut hits, &names);
    }
    let mut out = hits.out;
    out.sort_by(|a, b| (a.line, a.rule).cmp(&(b.line, b.rule)));
    out
}

/// The report path of a script a workflow's step runs: `script` is relative to the repository
/// root, the folder holding `.github/`, which is where `workflow` (a report path) sits. `None`
/// when `workflow` is not under `.github/workflows/`.
pub fn script_path(workflow: &str, script: &str) -> Option<String> {
    let root = if workflow.starts_with(".github/workflows/") {
        ""
    } else {
        let at = workflow.rfind("/.github/workflows/")?;
        &workflow[..=at]
    };
    Some(format!("{root}{script}"))
}

/// Whether a token variable is `name` (environment variable names are case-sensitive, but an
/// action input such as `hf_token` names the same thing).
fn is_token_var(names: &HashSet<&str>, name: &str) -> bool {
    names.contains(name) || names.contains(name.to_ascii_uppercase().as_str())
}

#[cfg(test)]
mod testing {
    //! What the tests of every check share: `find` on a text at a path.

    use super::*;
    use crate::context::platform_of;
    use crate::engine::env_names;

    pub(super) fn rules(path: &str, text: &str) -> Vec<(&'static str, u64, String)> {
        find(path, platform_of(path), text.as_bytes(), &env_names(&[]))
            .into_iter()
            .map(|h| (h.rule, h.line, h.variable))
            .collect()
    }

    pub(super) fn fires(path: &str, text: &str, rule: &str) -> bool {
        rules(path, text).iter().any(|(r, _, _)| *r == rule)
    }

    pub(super) fn hits(path: &str, text: &str) -> Vec<PracticeHit> {
        find(path, platform_of(path), text.as_bytes(), &env_names(&[]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::platform_of;
    use crate::engine::env_names;

    /// Generated files cost bounded work and give a bounded number of hits: a file of a
    /// thousand writes gives MAX_HITS_PER_FILE, a workflow over MAX_WORKFLOW is not read, and a
    /// workflow of thousands of steps still relates the early ones.
    #[test]
    fn generated_files_give_bounded_hits() {
        let shell = "echo $HF_TOKEN\n".repeat(MAX_HITS_PER_FILE + 500);
        let got = testing::hits("run.sh", &shell);
        assert_eq!(got.len(), MAX_HITS_PER_FILE);
        assert!(got.iter().all(|h| h.rule == "HF015"));

        let step = |i: usize| {
            format!("      - run: echo $HF_TOKEN > f{i}.txt\n      - run: docker build .\n")
        };
        let head = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    env:\n      HF_TOKEN: ${{ secrets.HF_TOKEN }}\n    steps:\n";
        let small: String = std::iter::once(head.to_owned())
            .chain((0..3).map(step))
            .collect();
        let path = ".github/workflows/w.yml";
        assert!(testing::fires(path, &small, "HF013"), "{small}");
        let mut big = small.clone();
        let mut i = 3;
        while big.len() <= MAX_WORKFLOW {
            big.push_str(&step(i));
            i += 1;
        }
        assert!(
            testing::rules(path, &big).is_empty(),
            "a workflow over {MAX_WORKFLOW} bytes is not read"
        );
        big.truncate(MAX_WORKFLOW - 200);
        let cut = big.rfind("\n      - run: echo").unwrap();
        big.truncate(cut + 1);
        let got = testing::rules(path, &big);
        let writes = got.iter().filter(|(r, _, _)| *r == "HF013").count();
        assert_eq!(writes, MAX_HITS_PER_FILE - 1, "{} hits", got.len());
        assert!(got.len() <= MAX_HITS_PER_FILE);
    }

    #[test]
    fn allow_markers_and_positions() {
        let hits = find(
            "run.sh",
            Platform::Source,
            b"ls\n# hfaudit:allow HF015\necho $HF_TOKEN\n  echo $HF_TOKEN\n",
            &env_names(&[]),
        );
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].allow, Some(Allow::Rules(vec!["HF015".into()])));
        assert_eq!((hits[1].line, hits[1].column), (4, 3));
        assert_eq!(hits[1].offset, 3 + 22 + 15 + 2);
        assert_eq!(hits[1].snippet, "echo $HF_TOKEN");
        assert_eq!(hits[1].allow, None);
    }

    #[test]
    fn configured_names_count() {
        let names = env_names(&["ACME_HUB_TOKEN".to_owned()]);
        let hits = find(
            "Dockerfile",
            Platform::Server,
            b"ARG ACME_HUB_TOKEN\n",
            &names,
        );
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn hostile_input_is_fine() {
        let names = env_names(&[]);
        for data in [
            &b""[..],
            b"\xff\xfe(((((",
            b"print(",
            b"echo ${",
            b"ARG",
            b"args:\n- \n",
        ] {
            for path in [
                "a.py",
                "run.sh",
                "Dockerfile",
                "compose.yml",
                ".github/workflows/a.yml",
            ] {
                let _ = find(path, platform_of(path), data, &names);
            }
        }
        let long = format!("echo $HF_TOKEN {}\n", "x".repeat(MAX_LINE));
        assert!(find("run.sh", Platform::Source, long.as_bytes(), &names).is_empty());
    }

    /// Workflows, Dockerfiles and Bake files stitched from the pieces the readers look for, in
    /// any order and indentation: no panic, and every hit is on a line of the file.
    #[test]
    fn stitched_workflows_never_break_the_readers() {
        use rand::{rngs::StdRng, Rng, SeedableRng};
        let pieces = [
            "jobs:",
            "  a:",
            "    steps:",
            "      - run: |",
            "      - name: x",
            "- ",
            "-",
            "        env:",
            "          HF_TOKEN: ${{ secrets.X_TOKEN }}",
            "run: hf upload a .",
            "  cd é && python -m p.q",
            "python ./s.py \\",
            "git remote add s https://huggingface.co/x",
            "git push s",
            "echo ${{ secrets.HF_TOKEN }} > f",
            "docker build .",
            "\"",
            "'",
            "${{",
            "permissions:",
            "  id-token: write",
            "uses: a/b@c",
            "COPY . .",
            "COPY t /t",
            "RUN cat /t | hf auth login --token",
            "CMD [\"sh\", \"-c\", \"echo $HF_TOKEN\"]",
            "args = {",
            "HF_TOKEN = \"x\"",
            "}",
            "with:",
            "  publish_dir: ./p",
            "#",
            "  ",
            "😀: ü",
        ];
        let names = env_names(&[]);
        let mut rng = StdRng::seed_from_u64(18);
        let mut fired = 0;
        for _ in 0..1500 {
            let n = rng.gen_range(1..30);
            let mut text = String::new();
            for _ in 0..n {
                text.push_str(&" ".repeat(rng.gen_range(0..10)));
                text.push_str(pieces[rng.gen_range(0..pieces.len())]);
                text.push('\n');
            }
            let count = text.lines().count() as u64;
            for path in [".github/workflows/a.yml", "Dockerfile", "docker-bake.hcl"] {
                for h in find(path, platform_of(path), text.as_bytes(), &names) {
                    assert!(h.line >= 1 && h.line <= count.max(1), "{text}");
                    fired += 1;
                }
            }
        }
        assert!(fired > 100, "the pieces make hits often: {fired}");
    }
}
