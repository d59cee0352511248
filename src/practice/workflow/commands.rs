//! A `run:` script as shell commands: split into simple commands, each split into words and
//! classified (a test runner, a script in the tree, `cd`, a print, a copy to or from the Hub,
//! anything else).

/// Shell words of a command: quotes removed, `${{ … }}` kept whole.
pub(super) fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    let chars: Vec<char> = command.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                has = true;
            }
            None if c == '$'
                && chars.get(k + 1) == Some(&'{')
                && chars.get(k + 2) == Some(&'{') =>
            {
                let end = chars[k..]
                    .windows(2)
                    .position(|w| w == ['}', '}'])
                    .map_or(chars.len(), |p| k + p + 2);
                cur.extend(&chars[k..end]);
                has = true;
                k = end;
                continue;
            }
            None if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            _ => cur.push(c),
        }
        k += 1;
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The simple commands of a run script: (line index, command text). Splits on `;`, `&&`,
/// `||`, `|`, `&`, `$(`, `(`, `)` and backquotes outside single quotes (a command inside
/// `$( … )` in double quotes runs too), joins `\`-continued lines, drops comments.
pub(super) fn commands(run: &[(usize, String)]) -> Vec<(usize, String)> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (line, text) in run {
        let (start, mut acc) = pending.take().unwrap_or((*line, String::new()));
        let text = if acc.is_empty() {
            text.as_str()
        } else {
            text.trim_start()
        };
        if let Some(body) = text.strip_suffix('\\') {
            acc.push_str(body.trim_end());
            acc.push(' ');
            pending = Some((start, acc));
        } else {
            acc.push_str(text);
            logical.push((start, acc));
        }
    }
    logical.extend(pending);
    let mut out = Vec::new();
    for (line, text) in logical {
        let mut cur = String::new();
        let mut quote: Option<char> = None;
        let chars: Vec<char> = text.chars().collect();
        let mut k = 0;
        let flush = |cur: &mut String, out: &mut Vec<(usize, String)>| {
            let t = cur.trim();
            if !t.is_empty() {
                out.push((line, t.to_owned()));
            }
            cur.clear();
        };
        while k < chars.len() {
            let c = chars[k];
            let prev = if k == 0 { ' ' } else { chars[k - 1] };
            match (quote, c) {
                (Some('\''), '\'') => quote = None,
                (Some('\''), _) => {}
                (Some('"'), '"') if prev != '\\' => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev.is_whitespace() || k == 0 => break,
                (None, ';' | '&' | '|' | '(' | ')' | '`') | (Some('"'), '`') => {
                    flush(&mut cur, &mut out);
                    k += 1;
                    continue;
                }
                (_, '$') if chars.get(k + 1) == Some(&'(') => {
                    flush(&mut cur, &mut out);
                    k += 2;
                    continue;
                }
                _ => {}
            }
            if quote == Some('"') && c == ')' {
                // The end of a `$( … )` inside double quotes.
                flush(&mut cur, &mut out);
                k += 1;
                continue;
            }
            cur.push(c);
            k += 1;
        }
        flush(&mut cur, &mut out);
    }
    out
}

/// What a simple command is, for HF014.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Command {
    /// A test runner or `make`: whatever it does is unknown, and its arguments (`-k
    /// push_to_hub`) are no calls.
    Opaque,
    /// Runs a script in the tree.
    Script(Vec<String>),
    Cd(String),
    /// Prints text (`echo`, `printf`): its arguments are no calls.
    Print,
    /// `hf buckets sync`/`cp`, `hf sync`, `hf cp`: a write when the destination is on the Hub.
    Copy {
        to_hub: bool,
        from_hub: bool,
    },
    /// Anything else: its text is searched for calls.
    Plain,
}

const TEST_RUNNERS: &[&str] = &["pytest", "py.test", "tox", "nox", "make", "gmake", "ctest"];
const TEST_MODULES: &[&str] = &["pytest", "unittest", "tox", "nox", "nose", "doctest"];
/// Tools whose `test` subcommand runs a test suite.
const TEST_SUBCOMMANDS: &[&str] = &["npm", "yarn", "pnpm", "cargo", "go", "hatch", "uv", "bun"];

fn is_python(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name == "py"
        || name == "pypy3"
        || name
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_shell(word: &str) -> bool {
    matches!(word, "bash" | "sh" | "zsh" | "source" | ".")
}

/// Whether a word can be a path in the tree (no variables, no URL).
fn pathlike(word: &str) -> bool {
    !word.is_empty()
        && !word.contains('$')
        && !word.contains("://")
        && !word.starts_with('-')
        && !word.starts_with('~')
}

/// Skips leading assignments, shell keywords and wrappers that run the rest as a command.
fn strip_wrappers(words: &[String]) -> &[String] {
    let mut w = words;
    loop {
        let Some(first) = w.first() else { return w };
        let f = first.as_str();
        let assignment = f.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let keyword = matches!(
            f,
            "if" | "then"
                | "else"
                | "elif"
                | "do"
                | "while"
                | "until"
                | "!"
                | "{"
                | "time"
                | "exec"
                | "nohup"
                | "command"
                | "builtin"
        );
        if assignment || keyword {
            w = &w[1..];
            continue;
        }
        // A wrapper and its options: what follows its first plain word is the command.
        let (skip_words, options_with_value): (usize, &[&str]) = match f {
            "sudo" => (1, &["-u", "-g"]),
            "env" | "nice" | "stdbuf" | "xvfb-run" => (1, &["-u", "-n", "-s", "-a"]),
            "timeout" => (2, &["-s", "-k"]),
            "uv" | "poetry" | "pipenv" | "pdm" | "rye" | "pixi"
                if w.get(1).is_some_and(|s| s == "run") =>
            {
                (
                    2,
                    &[
                        "--with",
                        "--python",
                        "-p",
                        "--extra",
                        "--group",
                        "--package",
                        "--env-file",
                        "--directory",
                        "--project",
                        "-e",
                        "--environment",
                    ],
                )
            }
            "conda" | "mamba" | "micromamba" if w.get(1).is_some_and(|s| s == "run") => {
                (2, &["-n", "--name", "-p", "--prefix"])
            }
            "accelerate" if w.get(1).is_some_and(|s| s == "launch") => (
                2,
                &[
                    "--config_file",
                    "--num_processes",
                    "--num_machines",
                    "--mixed_precision",
                    "--main_process_port",
                    "--machine_rank",
                ],
            ),
            "torchrun" | "deepspeed" => (
                1,
                &[
                    "--nproc_per_node",
                    "--nnodes",
                    "--node_rank",
                    "--master_addr",
                    "--master_port",
                    "--num_gpus",
                    "--include",
                    "--hostfile",
                ],
            ),
            "coverage" if w.get(1).is_some_and(|s| s == "run") => {
                (2, &["--source", "--rcfile", "--include", "--omit"])
            }
            _ => return w,
        };
        let mut k = skip_words.min(w.len());
        if f == "timeout" {
            // `timeout 10m cmd`: its first plain word is the duration, already skipped.
            k = 1;
            while k < w.len() && w[k].starts_with('-') {
                k += 1 + usize::from(options_with_value.contains(&w[k].as_str()));
            }
            k += 1;
        } else {
            while k < w.len() && (w[k].starts_with('-') || (f == "env" && w[k].contains('='))) {
                k += 1 + usize::from(options_with_value.contains(&w[k].as_str()));
            }
        }
        if k >= w.len() {
            return &w[w.len()..];
        }
        w = &w[k..];
        if f == "coverage" && w.first().is_some_and(|s| s == "-m") {
            // `coverage run -m pytest`
            return if w.get(1).is_some_and(|m| TEST_MODULES.contains(&m.as_str())) {
                &w[1..2]
            } else {
                &w[1..]
            };
        }
    }
}

pub(super) fn classify(words: &[String]) -> Command {
    let w = strip_wrappers(words);
    let Some(first) = w.first() else {
        return Command::Plain;
    };
    let f = first.as_str();
    if TEST_RUNNERS.contains(&f)
        || (TEST_SUBCOMMANDS.contains(&f)
            && (w.get(1).is_some_and(|s| s == "test")
                || (w.get(1).is_some_and(|s| s == "run")
                    && w.get(2).is_some_and(|s| s.starts_with("test")))))
    {
        return Command::Opaque;
    }
    match f {
        "echo" | "printf" => return Command::Print,
        "cd" | "pushd" => {
            return match w.get(1) {
                Some(dir) if pathlike(dir) || dir == "-" => Command::Cd(dir.clone()),
                _ => Command::Cd("$".into()),
            }
        }
        _ => {}
    }
    if f == "hf" || f == "huggingface-cli" {
        let sub: Vec<&str> = w[1..]
            .iter()
            .map(String::as_str)
            .filter(|s| !s.starts_with('-'))
            .collect();
        let copy = match sub.as_slice() {
            ["buckets", "sync" | "cp", args @ ..] | ["sync" | "cp", args @ ..] => {
                Some(args.to_vec())
            }
            _ => None,
        };
        if let Some(args) = copy {
            let to_hub = args.last().is_some_and(|a| a.starts_with("hf://"));
            let from_hub = args.iter().rev().skip(1).any(|a| a.starts_with("hf://"));
            return Command::Copy { to_hub, from_hub };
        }
        return Command::Plain;
    }
    if is_python(f) {
        let mut k = 1;
        while k < w.len() && w[k].starts_with('-') {
            match w[k].as_str() {
                "-c" => return Command::Plain,
                "-m" => {
                    let Some(module) = w.get(k + 1) else {
                        return Command::Plain;
                    };
                    let top = module.split('.').next().unwrap_or_default();
                    if TEST_MODULES.contains(&top) {
                        return Command::Opaque;
                    }
                    if !pathlike(module) || module.contains('/') {
                        return Command::Plain;
                    }
                    let base = module.replace('.', "/");
                    return Command::Script(vec![
                        format!("{base}.py"),
                        format!("{base}/__main__.py"),
                    ]);
                }
                "-W" | "-X" | "--check-hash-based-pycs" => k += 2,
                _ => k += 1,
            }
        }
        return match w.get(k) {
            Some(script) if pathlike(script) => Command::Script(vec![script.clone()]),
            _ => Command::Plain,
        };
    }
    if is_shell(f) {
        let mut k = 1;
        while k < w.len() && w[k].starts_with('-') {
            if w[k] == "-c" {
                return Command::Plain;
            }
            k += 1;
        }
        return match w.get(k) {
            Some(script) if pathlike(script) => Command::Script(vec![script.clone()]),
            _ => Command::Plain,
        };
    }
    let ext = std::path::Path::new(f)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let script_name = matches!(ext.as_deref(), Some("sh" | "py" | "bash"));
    if pathlike(f) && (f.starts_with("./") || script_name) {
        return Command::Script(vec![f.to_owned()]);
    }
    Command::Plain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words(s)
    }

    #[test]
    fn commands_split_like_a_shell() {
        let run = vec![
            (0, "cd benchmarks && python push_results.py".to_owned()),
            (1, "LABELS=$(python utils/label_issues.py)".to_owned()),
            (
                2,
                "echo \"a; b\" | hf auth login --token-stdin # login".to_owned(),
            ),
            (3, "pytest -n 1 \\".to_owned()),
            (4, "  -k push_to_hub tests/".to_owned()),
        ];
        let got: Vec<String> = commands(&run).into_iter().map(|c| c.1).collect();
        assert_eq!(
            got,
            [
                "cd benchmarks",
                "python push_results.py",
                "LABELS=",
                "python utils/label_issues.py",
                "echo \"a; b\"",
                "hf auth login --token-stdin",
                "pytest -n 1 -k push_to_hub tests/",
            ]
        );
    }

    #[test]
    fn commands_are_classified() {
        assert_eq!(classify(&w("pytest -k push_to_hub")), Command::Opaque);
        assert_eq!(classify(&w("make test")), Command::Opaque);
        assert_eq!(classify(&w("PYTEST_ADDOPTS=x make test")), Command::Opaque);
        assert_eq!(classify(&w("python -m pytest tests")), Command::Opaque);
        assert_eq!(classify(&w("uv run pytest")), Command::Opaque);
        assert_eq!(classify(&w("npm run test:unit")), Command::Opaque);
        assert_eq!(
            classify(&w("python -u utils/push.py --x 1")),
            Command::Script(vec!["utils/push.py".into()])
        );
        assert_eq!(
            classify(&w("uv run --with x python scripts/a.py")),
            Command::Script(vec!["scripts/a.py".into()])
        );
        assert_eq!(
            classify(&w("python3 -m pkg.mod")),
            Command::Script(vec!["pkg/mod.py".into(), "pkg/mod/__main__.py".into()])
        );
        assert_eq!(
            classify(&w("bash scripts/x.sh arg")),
            Command::Script(vec!["scripts/x.sh".into()])
        );
        assert_eq!(
            classify(&w("./deploy.sh")),
            Command::Script(vec!["./deploy.sh".into()])
        );
        assert_eq!(
            classify(&w("accelerate launch --num_processes 2 train.py")),
            Command::Script(vec!["train.py".into()])
        );
        assert_eq!(classify(&w("python -c \"import x\"")), Command::Plain);
        assert_eq!(classify(&w("python $SCRIPT")), Command::Plain);
        assert_eq!(
            classify(&w("hf buckets sync ./out hf://buckets/a/b")),
            Command::Copy {
                to_hub: true,
                from_hub: false
            }
        );
        assert_eq!(
            classify(&w("hf sync hf://buckets/a/b ./in")),
            Command::Copy {
                to_hub: false,
                from_hub: true
            }
        );
        assert_eq!(classify(&w("echo hf upload")), Command::Print);
    }
}
