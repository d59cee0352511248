//! HF015 in shell lines (scripts, Makefiles, CI steps, a Dockerfile's `RUN`/`CMD`): `echo` or
//! `printf` of a token variable to the log, `set -x` in a script that expands one, an
//! exec-form `CMD` that runs a shell to print one. Also the shell expansions every check of
//! shell text shares (`$X`, `${X}`, `$(X)`, `${{ secrets.X }}`).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::Hits;

pub(super) static EXPANSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=?]?[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
        .expect("static regex")
});
pub(super) static SHELL_PRINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s;&|({`@])(echo|printf)(?:\s|$)").expect("static regex"));
static SET_X: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s;&])(?:set\s+-[A-Za-z]*x[A-Za-z]*\b|set\s+-o\s+xtrace\b|(?:ba|z|k)?sh\s+-[A-Za-z]*x[A-Za-z]*\b)")
        .expect("static regex")
});
/// `set +x`, `set +o xtrace`: tracing off.
static SET_PLUS_X: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s;&])set\s+(?:\+[A-Za-z]*x[A-Za-z]*\b|\+o\s+xtrace\b)")
        .expect("static regex")
});
/// `${{ secrets.X }}` and `${{ env.X }}` in a workflow.
pub(super) static ACTIONS_EXPR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\{\s*(?:secrets|env)\.([A-Za-z0-9_]+)\s*\}\}").expect("static regex")
});
/// `$(X)` in a Makefile.
static MAKE_VAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\$?\(([A-Za-z_][A-Za-z0-9_]*)\)").expect("static regex"));

/// The token variables a piece of shell text expands (`$X`, `${X}`, `$(X)`, `${{ secrets.X }}`);
/// `${X:+set}` and `${#X}` say whether it is set or how long it is, not what it is.
fn shell_expansions<'t>(text: &'t str, names: &HashSet<&str>) -> Vec<&'t str> {
    let mut out = Vec::new();
    for c in EXPANSION.captures_iter(text) {
        if let Some(m) = c.get(1) {
            let op = c.get(2).map_or("", |o| o.as_str());
            if op.starts_with(":+") || op.starts_with('+') {
                continue;
            }
            if names.contains(m.as_str()) {
                out.push(m.as_str());
            }
        } else if let Some(m) = c.get(3) {
            if names.contains(m.as_str()) {
                out.push(m.as_str());
            }
        }
    }
    for re in [&*ACTIONS_EXPR, &*MAKE_VAR] {
        for c in re.captures_iter(text) {
            let m = c.get(1).expect("group 1");
            if names.contains(m.as_str()) {
                out.push(m.as_str());
            }
        }
    }
    out
}

/// `echo $HF_TOKEN` (not into a pipe or a file: `echo "$HF_TOKEN" | hf auth login
/// --token-stdin` is how to pass it), and `set -x` in a script that expands a token variable.
pub(super) fn shell(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    shell_in(hits, names, &[], &[]);
}

/// [`shell`] where `units` are the line ranges each run by a shell of its own (a workflow's
/// `run:` scripts): `set -x` traces what its shell runs after it, until `set +x`, so it is a
/// hit only when that expands a token variable. A line outside every unit is traced to the
/// end of the file. `aliases` are more variables that hold a token (a workflow's
/// `HFTOKEN: ${{ secrets.HF_TOKEN }}`).
pub(super) fn shell_in(
    hits: &mut Hits<'_>,
    names: &HashSet<&str>,
    units: &[Range<usize>],
    aliases: &[String],
) {
    let lines = hits.lines;
    let n = lines.len();
    let extended: HashSet<&str>;
    let names = if aliases.is_empty() {
        names
    } else {
        extended = names
            .iter()
            .copied()
            .chain(aliases.iter().map(String::as_str))
            .collect();
        &extended
    };
    // Each line's code (`None`: a comment), and whether it names a token variable (most checks
    // need one there), worked out once for both passes below.
    let codes: Vec<Option<&str>> = lines
        .iter()
        .map(|l| {
            let text: &str = &l.text;
            let code = text.split(" #").next().unwrap_or(text);
            (!code.trim_start().starts_with('#')).then_some(code)
        })
        .collect();
    let mentions: Vec<bool> = lines
        .iter()
        .map(|l| l.mentions || aliases.iter().any(|a| l.text.contains(a.as_str())))
        .collect();
    // Where each line's shell ends; from the end, the first line at or after each that
    // expands a token variable (and which), and the first after it that turns tracing off.
    // One pass each way, so a file of many `set -x` costs no more than its lines.
    let mut unit_end = vec![n; n];
    for u in units {
        for end in unit_end.iter_mut().take(u.end.min(n)).skip(u.start) {
            *end = u.end.min(n);
        }
    }
    let mut next_use: Vec<Option<(usize, &str)>> = vec![None; n + 1];
    let mut next_off = vec![n; n + 1];
    for i in (0..n).rev() {
        let code = codes[i];
        let used = code
            .filter(|_| mentions[i])
            .and_then(|c| shell_expansions(c, names).first().copied());
        next_use[i] = used.map(|v| (i, v)).or(next_use[i + 1]);
        let off = code.is_some_and(|c| {
            memchr::memchr(b'+', c.as_bytes()).is_some() && SET_PLUS_X.is_match(c)
        });
        next_off[i] = if off { i } else { next_off[i + 1] };
    }
    for (i, code) in codes.iter().enumerate() {
        let Some(code) = *code else { continue };
        // Every `set -x` form has a `-`; an `echo` is only a hit if it expands a token
        // variable, whose name is then on the line.
        let set_x = memchr::memchr(b'-', code.as_bytes()).and_then(|_| SET_X.find(code));
        if let Some(m) = set_x {
            let traced_until = unit_end[i].min(next_off[i + 1]);
            if let Some((_, used)) = next_use[i].filter(|(j, _)| *j < traced_until) {
                hits.push(
                    "HF015",
                    i,
                    m.start(),
                    used,
                    "`set -x` traces every command, with the variable's value",
                );
            }
        }
        if !mentions[i] {
            continue;
        }
        if let Some((column, var, verb)) = shell_print(code, names) {
            hits.push("HF015", i, column, &var, &format!("`{verb}`"));
        }
        if let Some((column, var, verb)) = exec_form_print(code, names) {
            hits.push(
                "HF015",
                i,
                column,
                &var,
                &format!("`{verb}` in an exec-form shell"),
            );
        }
    }
}

/// Where a command of `code` ends: the first `;`, `&&`, `||` or backquote outside quotes.
fn command_end(args: &str) -> usize {
    let mut quote: Option<char> = None;
    let bytes = args.as_bytes();
    for (k, &b) in bytes.iter().enumerate() {
        let c = b as char;
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ';' || c == '`' => return k,
            None if (c == '&' || c == '|') && bytes.get(k + 1) == Some(&b) => return k,
            _ => {}
        }
    }
    args.len()
}

/// Where the printed text of a command stops: a pipe or a redirect outside quotes.
fn output_split(command: &str) -> usize {
    let mut quote: Option<char> = None;
    for (k, c) in command.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '|' || c == '>' => return k,
            _ => {}
        }
    }
    command.len()
}

/// `echo $HF_TOKEN` in one line of shell: (column, variable, `echo`/`printf`). A pipe or a
/// redirect to a file sends the value somewhere other than the log.
fn shell_print(code: &str, names: &HashSet<&str>) -> Option<(usize, String, &'static str)> {
    for c in SHELL_PRINT.captures_iter(code) {
        let verb = c.get(1).expect("group 1");
        let args = &code[verb.end()..];
        let command = &args[..command_end(args)];
        let split = output_split(command);
        let (printed, tail) = (&command[..split], &command[split..]);
        let to_log = tail.is_empty()
            || tail.starts_with(">&2")
            || tail.starts_with(">&1")
            || tail.starts_with("> /dev/stderr")
            || tail.starts_with(">/dev/stderr");
        if !to_log {
            continue;
        }
        if let Some(var) = shell_expansions(printed, names).first() {
            let verb = if verb.as_str() == "echo" {
                "echo"
            } else {
                "printf"
            };
            return Some((c.get(1).expect("group 1").start(), (*var).to_owned(), verb));
        }
    }
    None
}

static EXEC_FORM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:CMD|ENTRYPOINT|RUN)\s*(\[.*\])\s*$").expect("static regex")
});

/// `CMD ["sh", "-c", "echo … $HF_TOKEN"]`: an exec form that runs a shell, whose command
/// prints the variable.
fn exec_form_print(code: &str, names: &HashSet<&str>) -> Option<(usize, String, &'static str)> {
    let c = EXEC_FORM.captures(code)?;
    let list = c.get(1).expect("group 1");
    let args: Vec<String> = serde_json::from_str(list.as_str()).ok()?;
    let shell = args.first()?.rsplit('/').next()?;
    if !matches!(shell, "sh" | "bash" | "zsh" | "dash" | "ash") {
        return None;
    }
    let at = args
        .iter()
        .position(|a| a.starts_with('-') && a.contains('c'))?;
    let command = args.get(at + 1)?;
    let (_, var, verb) = shell_print(command, names)?;
    Some((list.start(), var, verb))
}
#[cfg(test)]
mod tests {
    use super::super::testing::fires;

    #[test]
    fn printing_in_shell_and_ci() {
        let yes = [
            ("run.sh", "echo $HF_TOKEN\n"),
            ("run.sh", "echo \"token is ${HF_TOKEN}\" >&2\n"),
            (
                "run.sh",
                "#!/bin/bash\nset -euxo pipefail\nhf download org/m --token \"$HF_TOKEN\"\n",
            ),
            (
                "run.sh",
                "set -x\ncurl -H \"Authorization: Bearer $HF_TOKEN\" https://x\n",
            ),
            (
                ".github/workflows/ci.yml",
                "      - run: echo ${{ secrets.HF_TOKEN }}\n",
            ),
            ("Makefile", "login:\n\t@echo $(HF_TOKEN)\n"),
            ("Dockerfile", "ARG X\nRUN echo $HF_TOKEN\n"),
            ("bin/fetch", "#!/usr/bin/env bash\necho $HF_TOKEN\n"),
            (
                "Dockerfile",
                "CMD [\"sh\", \"-c\", \"echo token $HF_TOKEN && python app.py\"]\n",
            ),
            (
                "Dockerfile",
                "ENTRYPOINT [\"/bin/bash\", \"-lc\", \"echo $HF_TOKEN\"]\n",
            ),
            ("run.sh", "echo \"a;b $HF_TOKEN\"\n"),
            (".gitlab-ci.yml", "job:\n  script:\n    - echo $HF_TOKEN\n"),
        ];
        for (path, text) in yes {
            assert!(fires(path, text, "HF015"), "{path}: {text}");
        }
        let no = [
            ("run.sh", "echo \"HF_TOKEN is set\"\n"),
            ("run.sh", "echo \"${HF_TOKEN:+set}\"\n"),
            (
                "run.sh",
                "echo \"$HF_TOKEN\" | hf auth login --token-stdin\n",
            ),
            (
                "run.sh",
                "echo \"$HF_TOKEN\" > ~/.cache/huggingface/token\n",
            ),
            (
                ".github/workflows/ci.yml",
                "      - run: echo \"HF_TOKEN=${{ secrets.HF_TOKEN }}\" >> \"$GITHUB_ENV\"\n",
            ),
            (
                "run.sh",
                "set -e\nhf download org/m --token \"$HF_TOKEN\"\n",
            ),
            ("run.sh", "set -x\necho building\n"),
            ("run.sh", "# echo $HF_TOKEN\n"),
            ("src/main.rs", "let cmd = \"echo $HF_TOKEN\";\n"),
            // The `;` is inside the quotes: the redirect still sends it to a file.
            ("run.sh", "echo \"export X='$HF_TOKEN';\" > env.sh\n"),
            // Exec form without a shell prints the text `$HF_TOKEN`, not its value.
            ("Dockerfile", "CMD [\"echo\", \"$HF_TOKEN\"]\n"),
            (
                "Dockerfile",
                "CMD [\"sh\", \"-c\", \"echo \\\"$HF_TOKEN\\\" | hf auth login --token-stdin\"]\n",
            ),
        ];
        for (path, text) in no {
            assert!(!fires(path, text, "HF015"), "{path}: {text}");
        }
    }

    /// `set -x` traces what its own shell runs after it, until `set +x`: in a workflow, each
    /// `run:` script is a shell of its own.
    #[test]
    fn set_x_traces_only_its_own_shell_from_there_on() {
        let wf = ".github/workflows/ci.yml";
        let yes = [
            (
                wf,
                "jobs:\n  t:\n    steps:\n      - run: |\n          set -x\n          \
                 hf upload a/b . --token ${{ secrets.HF_TOKEN }}\n",
            ),
            (
                wf,
                "jobs:\n  t:\n    steps:\n      - env:\n          HF_TOKEN: ${{ secrets.HF_TOKEN }}\n        \
                 run: |\n          set -x\n          curl -H \"Authorization: Bearer $HF_TOKEN\" x\n",
            ),
            (
                "run.sh",
                "set -x\nset +x\necho building\nset -x\nhf download m --token \"$HF_TOKEN\"\n",
            ),
            (
                "Dockerfile",
                "FROM python:3.12\nARG HF_TOKEN\nRUN set -x && \\\n    \
                 hf download m --token $HF_TOKEN\n",
            ),
            // The token under another name in the step's environment.
            (
                wf,
                "jobs:\n  t:\n    steps:\n      - env:\n          HFTOKEN: ${{ secrets.HUGGINGFACEHUB_API_TOKEN }}\n        \
                 run: |\n          set -xe\n          helm install x --set global.token=${HFTOKEN}\n",
            ),
        ];
        for (path, text) in yes {
            assert!(fires(path, text, "HF015"), "{path}: {text}");
        }
        let no = [
            // The token is in another step's environment; this step's shell expands nothing.
            (
                wf,
                "jobs:\n  test:\n    steps:\n      - name: Run test\n        env:\n          \
                 HF_TOKEN: ${{ secrets.HF_TOKEN }}\n        run: bash tests/run.sh\n      \
                 - name: Clean up\n        run: |\n          set -x\n          docker system prune -f\n",
            ),
            // A later step's expansion is another shell's.
            (
                wf,
                "jobs:\n  t:\n    steps:\n      - run: |\n          set -x\n          make\n      \
                 - run: hf upload a/b . --token $HF_TOKEN > /dev/null\n",
            ),
            (
                "run.sh",
                "set -x\nmake\nset +x\nhf download m --token \"$HF_TOKEN\"\n",
            ),
            (
                "run.sh",
                "hf download m --token \"$HF_TOKEN\"\nset -x\nmake\n",
            ),
            // Each RUN is a shell of its own.
            (
                "Dockerfile",
                "FROM python:3.12\nARG HF_TOKEN\nRUN set -x && apt-get update\n\
                 RUN hf download m --token $HF_TOKEN\n",
            ),
        ];
        for (path, text) in no {
            assert!(!fires(path, text, "HF015"), "{path}: {text}");
        }
    }
}
