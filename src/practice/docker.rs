//! HF013: a token reaching a container image build. `ARG`/`ENV` in a Dockerfile, a token file
//! copied into an image, a Bake target's `args`, Compose's `build.args`, a CI step's
//! `build-args:` and `--build-arg` on a command line: each puts the token in the image's
//! history, configuration or a layer, for anyone who pulls it.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::shell::{EXPANSION, SHELL_PRINT};
use super::{Hits, Line};

static DOCKER_ARG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*ARG\s+(.+)$").expect("static regex"));
static DOCKER_ENV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*ENV\s+(.+)$").expect("static regex"));
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*").expect("static regex"));
static BUILD_ARG_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"--build-arg(?:=|\s+)["']?([A-Za-z_][A-Za-z0-9_]*)"#).expect("static regex")
});
/// A Buildx Bake override of a target's build argument: `--set '*.args.HF_TOKEN=…'`, or an
/// entry of docker/bake-action's `set:` input (`app.args.HF_TOKEN=${{ env.HF_TOKEN }}`).
static BAKE_SET_ARG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s'"=,])[A-Za-z0-9_*-]+\.args\.([A-Za-z_][A-Za-z0-9_]*)="#)
        .expect("static regex")
});

static SECRET_MOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"--mount=type=secret,([^\s]+)").expect("static regex"));

/// `ARG HF_TOKEN` (its value ends up in the image's history), and `ENV X=$HF_TOKEN` from such a
/// build argument (in the image's configuration, for anyone who pulls it). A Dockerfile that
/// mounts the token as a build secret (`RUN --mount=type=secret,id=HF_TOKEN`) builds the
/// recommended way: an `ARG` of the same name there is a leftover, not how the token comes in.
pub(super) fn dockerfile(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    let mounted: HashSet<String> = hits
        .lines
        .iter()
        .flat_map(|l| SECRET_MOUNT.captures_iter(&l.text).collect::<Vec<_>>())
        .flat_map(|c| {
            c.get(1)
                .expect("group 1")
                .as_str()
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| matches!(*k, "id" | "env"))
                .map(|(_, v)| v.to_ascii_uppercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let names: HashSet<&str> = names
        .iter()
        .copied()
        .filter(|n| !mounted.contains(&n.to_ascii_uppercase()))
        .collect();
    let names = &names;
    let mut args: HashSet<String> = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let text: &str = &line.text;
        if let Some(c) = DOCKER_ARG.captures(text) {
            let list = c.get(1).expect("group 1");
            for word in list.as_str().split_whitespace() {
                let Some(name) = IDENT.find(word) else { break };
                args.insert(name.as_str().to_owned());
                if names.contains(name.as_str()) {
                    hits.push(
                        "HF013",
                        i,
                        list.start(),
                        name.as_str(),
                        "`ARG` in a Dockerfile",
                    );
                }
            }
        } else if let Some(c) = DOCKER_ENV.captures(text) {
            let value = c.get(1).expect("group 1");
            for e in EXPANSION.captures_iter(value.as_str()) {
                let var = e.get(1).or_else(|| e.get(3)).expect("one name group");
                if names.contains(var.as_str()) && args.contains(var.as_str()) {
                    hits.push(
                        "HF013",
                        i,
                        value.start(),
                        var.as_str(),
                        "`ENV` from a build argument in a Dockerfile",
                    );
                }
            }
        }
    }
}

static DOCKER_COPY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(COPY|ADD)\s+(.+)$").expect("static regex"));
static DOCKER_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(RUN|CMD|ENTRYPOINT)\s+(.+)$").expect("static regex"));

/// The first line of a Dockerfile instruction.
static INSTRUCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)\b",
    )
    .expect("static regex")
});

/// Each instruction of a Dockerfile, from its first line to the next instruction's (its
/// continuation lines, comments and heredoc inside): each `RUN` is a shell of its own, so a
/// `set -x` in one traces nothing of another.
pub(super) fn instructions(lines: &[Line<'_>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut continued = false;
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.trim_end();
        let quiet = text.trim_start().is_empty() || text.trim_start().starts_with('#');
        if !continued && !quiet && INSTRUCTION.is_match(text) {
            if let Some(s) = start {
                out.push(s..i);
            }
            start = Some(i);
        }
        if !quiet {
            continued = text.ends_with('\\');
        }
    }
    if let Some(s) = start {
        out.push(s..lines.len());
    }
    out
}

/// Whether a file name is a token's (`hf_token`, `.hf_token`, `token.txt`, `HF_TOKEN`, the
/// saved-token file `huggingface/token`).
fn is_token_file(path: &str, names: &HashSet<&str>) -> bool {
    let path = path.trim_matches(|c| c == '"' || c == '\'' || c == ',' || c == '[' || c == ']');
    if path.ends_with("huggingface/token") {
        return true;
    }
    let base = path.rsplit('/').next().unwrap_or(path);
    let base = base.strip_prefix('.').unwrap_or(base);
    let stem = [".txt", ".secret", ".key"]
        .iter()
        .find_map(|e| base.strip_suffix(e))
        .unwrap_or(base);
    let lower = stem.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "token"
            | "hf_token"
            | "hf-token"
            | "hftoken"
            | "hub_token"
            | "huggingface_token"
            | "huggingface-token"
            | "hf_api_token"
            | "hf_hub_token"
    ) || names.contains(stem.to_ascii_uppercase().as_str())
}

/// The files a command line reads, and whether each read feeds a token to something: `cat F
/// | xargs hf auth login --token`, `--token "$(cat F)"`, `HF_TOKEN=$(< F)`, `--token-file F`.
fn token_file_reads(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let words: Vec<(usize, &str)> = text
        .split_inclusive(|c: char| {
            c.is_whitespace() || c == '(' || c == ')' || c == '`' || c == ';'
        })
        .scan(0, |at, w| {
            let start = *at;
            *at += w.len();
            Some((start, w))
        })
        .map(|(start, w)| {
            let t = w.trim_end_matches(|c: char| {
                c.is_whitespace() || c == '(' || c == ')' || c == '`' || c == ';'
            });
            (start, t)
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    for (k, &(at, w)) in words.iter().enumerate() {
        let next = words.get(k + 1).map(|x| x.1);
        let (file, direct) = match w {
            "--token-file" | "--token_file" | "--token-path" => (next, true),
            w if w.starts_with("--token-file=") => (w.split_once('=').map(|(_, v)| v), true),
            "cat" | "<" => (next, false),
            w if w.starts_with('<') && w.len() > 1 && !w.starts_with("<<") => {
                (Some(&w[1..]), false)
            }
            _ => (None, false),
        };
        let Some(file) = file else { continue };
        let file = file.trim_matches(|c| c == '"' || c == '\'');
        // What the read is part of: a pipe into a login, or a `$( … )` given to a token option.
        let before = text[..at]
            .trim_end()
            .trim_end_matches(['(', '$', '`', '"', '\''])
            .trim_end();
        let rest = &text[at..];
        let piped_to_login = rest.find('|').is_some_and(|p| {
            let tail = &rest[p..];
            let tail = &tail[..tail.find([';', '&']).unwrap_or(tail.len())];
            tail.contains("login") || tail.contains("--token")
        });
        let given = before.ends_with("--token")
            || before.ends_with("--token=")
            || before.ends_with("TOKEN=")
            || before.ends_with("token=");
        out.push((file, direct || piped_to_login || given));
    }
    out
}

/// A token file copied into the image: `COPY hf_token /root/.cache/huggingface/token`, or
/// `COPY .hf_token /tmp/t` then `RUN hf auth login --token "$(cat /tmp/t)"`, or `COPY . .` then
/// a `RUN` that reads a token file of the build context. The file stays in the `COPY`'s layer
/// even when a later layer deletes it; a build secret (`RUN --mount=type=secret`) never
/// enters one.
pub(super) fn token_files(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    // (line, source, destination, named like a token file) of each COPY/ADD of the context.
    let mut copies: Vec<(usize, String, String, bool)> = Vec::new();
    // The first `COPY . DEST` (line, destination).
    let mut whole_context: Option<(usize, String)> = None;
    for (i, line) in lines.iter().enumerate() {
        let text: &str = &line.text;
        if let Some(c) = DOCKER_COPY.captures(text) {
            let args: Vec<&str> = c
                .get(2)
                .expect("group 2")
                .as_str()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(|ch: char| ch.is_whitespace() || ch == ',')
                .map(|w| w.trim_matches('"'))
                .filter(|w| !w.is_empty())
                .collect();
            if args.iter().any(|a| a.starts_with("--from")) {
                continue; // another stage's files, not the build context
            }
            let plain: Vec<&str> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
            let Some((dest, sources)) = plain.split_last() else {
                continue;
            };
            for src in sources {
                if matches!(*src, "." | "./" | "*") {
                    whole_context.get_or_insert((i, (*dest).to_owned()));
                    continue;
                }
                let token_named = is_token_file(src, names);
                let base = src.rsplit('/').next().unwrap_or(src);
                let dest = if dest.ends_with('/') || *dest == "." {
                    format!("{}/{base}", dest.trim_end_matches('/'))
                } else {
                    (*dest).to_owned()
                };
                if token_named && dest.ends_with("huggingface/token") {
                    let col = text.find(src).unwrap_or(0);
                    let detail = format!(
                        "`{}` copied to huggingface_hub's token file",
                        c.get(1).expect("group 1").as_str()
                    );
                    if let Some(hit) = hits.push("HF013", i, col, "", &detail) {
                        hit.token_file = Some((*src).to_owned());
                    }
                } else {
                    // Any copied file is a token file if a later line logs in from it.
                    copies.push((i, (*src).to_owned(), dest, token_named));
                }
            }
            continue;
        }
        let Some(c) = DOCKER_RUN.captures(text) else {
            continue;
        };
        let command = c.get(2).expect("group 2").as_str();
        if command.contains("type=secret") {
            continue;
        }
        for (read, feeds) in token_file_reads(command) {
            if read.starts_with("/run/secrets") {
                continue;
            }
            let base = read.rsplit('/').next().unwrap_or(read);
            let source = copies.iter().find(|(_, src, dest, _)| {
                let dest = dest.trim_start_matches("./");
                dest == read.trim_start_matches("./")
                    || dest.ends_with(&format!("/{base}"))
                    || (src.rsplit('/').next() == Some(base)
                        && dest.rsplit('/').next() == Some(base))
            });
            if let Some((at, src, _, named)) = source {
                if !named && !feeds {
                    continue;
                }
                let (at, src) = (*at, src.clone());
                let detail = format!("`COPY` of a token file, read at line {}", lines[i].number);
                let col = lines[at].text.find(src.as_str()).unwrap_or(0);
                if let Some(hit) = hits.push("HF013", at, col, "", &detail) {
                    hit.token_file = Some(src);
                }
            } else if let Some((at, _)) = whole_context.as_ref().filter(|(_, dest)| {
                let dest = format!("{}/", dest.trim_end_matches('/'));
                is_token_file(read, names)
                    && (!read.starts_with('/') || read.starts_with(&dest))
                    && !read.starts_with('$')
                    && !read.starts_with('~')
            }) {
                let at = *at;
                let detail = format!(
                    "a token file of the build context, copied into the image at line {}",
                    lines[at].number
                );
                let col = text.find(read).unwrap_or(0);
                if let Some(hit) = hits.push("HF013", i, col, "", &detail) {
                    hit.token_file = Some(read.to_owned());
                }
            }
        }
    }
}

static HCL_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=\s*(.*)$"#).expect("static regex")
});

/// `args = { HF_TOKEN = "${HF_TOKEN}" }` in a Buildx Bake target: build arguments, recorded in
/// the image like `--build-arg`.
pub(super) fn bake_args(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    let mut depth_in_args: Option<usize> = None;
    let mut depth = 0usize;
    for (i, line) in lines.iter().enumerate() {
        let text: &str = &line.text;
        let code = text.split("//").next().unwrap_or(text);
        let code = code.split(" #").next().unwrap_or(code);
        if code.trim_start().starts_with('#') {
            continue;
        }
        if let Some(c) = HCL_ASSIGN.captures(code) {
            let (key, value) = (c.get(1).expect("group 1"), c.get(2).expect("group 2"));
            if depth_in_args.is_none()
                && key.as_str() == "args"
                && value.as_str().trim_start().starts_with('{')
            {
                depth_in_args = Some(depth);
            } else if depth_in_args.is_some() && names.contains(key.as_str()) {
                hits.push(
                    "HF013",
                    i,
                    key.start(),
                    key.as_str(),
                    "`args` of a docker-bake target",
                );
            }
        }
        for ch in code.chars() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth_in_args == Some(depth) {
                        depth_in_args = None;
                    }
                }
                _ => {}
            }
        }
    }
}

/// `docker build --build-arg HF_TOKEN=…` in a script, a Makefile or a CI step; not in a
/// message that tells how to build (`echo "… --build-arg HF_TOKEN=your_token"`).
pub(super) fn build_arg_flags(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    for (i, line) in lines.iter().enumerate() {
        if !line.mentions {
            continue; // the flag names a token variable on its line
        }
        let text: &str = &line.text;
        let flags = BUILD_ARG_FLAG
            .captures_iter(text)
            .map(|c| (c, "`--build-arg`"));
        let sets = BAKE_SET_ARG
            .captures_iter(text)
            .map(|c| (c, "a Buildx Bake `set` of a target's `args`"));
        for (c, detail) in flags.chain(sets) {
            let name = c.get(1).expect("group 1");
            let start = c.get(0).expect("whole match").start();
            let command_start = text[..start].rfind([';', '&', '|']).map_or(0, |p| p + 1);
            if SHELL_PRINT.is_match(&text[command_start..start]) {
                continue;
            }
            if names.contains(name.as_str()) {
                hits.push("HF013", i, name.start(), name.as_str(), detail);
            }
        }
    }
}

fn indent(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// The YAML key of a line (`  build:` → `build`), if it is a key line.
fn yaml_key(text: &str) -> Option<(&str, &str)> {
    let t = text.trim_start().trim_start_matches("- ");
    let (key, rest) = t.split_once(':')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.contains(' ')).then_some((key, rest.trim()))
}

/// Compose `build: args:` and a CI step's `build-args:` (docker/build-push-action): entries
/// such as `- HF_TOKEN`, `HF_TOKEN: ${HF_TOKEN}`, `HF_TOKEN=${{ secrets.HF_TOKEN }}`.
pub(super) fn yaml_build_args(
    hits: &mut Hits<'_>,
    names: &HashSet<&str>,
    key_name: &str,
    parent: Option<&str>,
    detail: &str,
) {
    let lines = hits.lines;
    for (i, line) in lines.iter().enumerate() {
        let Some((key, inline)) = yaml_key(&line.text) else {
            continue;
        };
        if key != key_name {
            continue;
        }
        let own = indent(&line.text);
        if let Some(parent) = parent {
            let up = lines[..i]
                .iter()
                .rev()
                .filter(|l| !l.text.trim().is_empty() && !l.text.trim_start().starts_with('#'))
                .find(|l| indent(&l.text) < own);
            if up.and_then(|l| yaml_key(&l.text)).map(|(k, _)| k) != Some(parent) {
                continue;
            }
        }
        let mut entries: Vec<(usize, String)> = Vec::new();
        if !inline.is_empty() && !inline.starts_with('|') && !inline.starts_with('>') {
            let flow = inline.trim_matches(|c| c == '[' || c == ']' || c == '{' || c == '}');
            for part in flow.split(',') {
                entries.push((i, part.trim().to_owned()));
            }
        }
        for (j, l) in lines.iter().enumerate().skip(i + 1) {
            if l.text.trim().is_empty() {
                continue;
            }
            if indent(&l.text) <= own {
                break;
            }
            entries.push((j, l.text.trim().trim_start_matches("- ").to_owned()));
        }
        for (j, entry) in entries {
            let entry = entry.trim_matches(|c| c == '"' || c == '\'');
            let Some(name) = IDENT.find(entry) else {
                continue;
            };
            let rest = entry[name.end()..].trim_start();
            let is_entry = rest.is_empty() || rest.starts_with('=') || rest.starts_with(':');
            if is_entry && names.contains(name.as_str()) {
                let col = lines[j].text.find(name.as_str()).unwrap_or(0);
                hits.push("HF013", j, col, name.as_str(), detail);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, hits, rules};

    #[test]
    fn image_builds() {
        let yes = [
            ("Dockerfile", "FROM python:3.12\nARG HF_TOKEN\nRUN python download.py\n"),
            ("docker/Dockerfile.gpu", "ARG HUGGING_FACE_HUB_TOKEN=\n"),
            ("app.dockerfile", "arg HF_TOKEN\n"),
            ("build.sh", "docker build --build-arg HF_TOKEN=$HF_TOKEN -t app .\n"),
            ("Makefile", "image:\n\tdocker build --build-arg=HUGGINGFACEHUB_API_TOKEN .\n"),
            (
                "release.sh",
                "docker buildx bake --push --set '*.args.HF_TOKEN=$HF_TOKEN'\n",
            ),
            (
                ".github/workflows/release.yml",
                "    steps:\n      - uses: docker/bake-action@v2\n        with:\n          push: true\n          \
                 set: |\n            worker.args.HF_TOKEN=${{ env.HF_TOKEN }}\n",
            ),
            (
                "docker-compose.yml",
                "services:\n  app:\n    build:\n      context: .\n      args:\n        - HF_TOKEN=${HF_TOKEN}\n",
            ),
            (
                "compose.yaml",
                "services:\n  app:\n    build:\n      args:\n        HF_TOKEN: ${HF_TOKEN}\n",
            ),
            (
                ".github/workflows/image.yml",
                "    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          build-args: |\n            HF_TOKEN=${{ secrets.HF_TOKEN }}\n",
            ),
            (
                "docker-bake.hcl",
                "target \"app\" {\n  args = {\n    MODEL = \"x\"\n    HF_TOKEN = \"${HF_TOKEN}\"\n  }\n}\n",
            ),
        ];
        for (path, text) in yes {
            assert!(fires(path, text, "HF013"), "{path}: {text}");
        }
        let no = [
            ("Dockerfile", "ARG HF_HOME=/data\nENV HF_HOME=$HF_HOME\n"),
            (
                "Dockerfile",
                "RUN --mount=type=secret,id=HF_TOKEN,env=HF_TOKEN python download.py\n",
            ),
            ("Dockerfile", "ENV HF_TOKEN_PATH=/run/secrets/hf\nENV HF_TOKEN=$HF_TOKEN\n"),
            (
                "Dockerfile",
                "ARG HF_TOKEN\nRUN --mount=type=secret,id=hf_token HF_TOKEN=$(cat /run/secrets/hf_token) python x.py\n",
            ),
            ("build.sh", "docker build --secret id=HF_TOKEN,env=HF_TOKEN --build-arg MODEL=x .\n"),
            (
                "docker-compose.yml",
                "services:\n  app:\n    build: .\n    environment:\n      HF_TOKEN: ${HF_TOKEN}\n    args:\n      - HF_TOKEN\n",
            ),
            ("docs/build.md", "docker build --build-arg HF_TOKEN=$HF_TOKEN .\n"),
            ("src/cli.rs", "// docker build --build-arg HF_TOKEN=$HF_TOKEN .\n"),
            ("config.toml", "cmd = \"docker build --build-arg HF_TOKEN .\"\n"),
            (
                "docker-bake.hcl",
                "variable \"HF_TOKEN\" {\n  default = \"\"\n}\ntarget \"app\" {\n  args = { MODEL = \"x\" }\n  secret = [\"id=HF_TOKEN,env=HF_TOKEN\"]\n}\n",
            ),
            ("download.py", "# docker build --build-arg HF_TOKEN\n"),
            (
                "Dockerfile",
                "ARG X\nRUN echo \"Please provide it using: --build-arg HF_TOKEN=your_token\"\n",
            ),
            ("build.sh", "echo 'use --build-arg HF_TOKEN=...'\n"),
            ("release.sh", "docker buildx bake --set '*.args.VERSION=1.2'\n"),
            ("release.sh", "echo \"docker buildx bake --set *.args.HF_TOKEN=your_token\"\n"),
            ("train.py", "args.HF_TOKEN = os.environ['HF_TOKEN']\n"),
        ];
        for (path, text) in no {
            assert!(!fires(path, text, "HF013"), "{path}: {text}");
        }
        let both = rules("Dockerfile", "ARG HF_TOKEN\nENV HF_TOKEN=${HF_TOKEN}\n");
        assert_eq!(
            both,
            [
                ("HF013", 1, "HF_TOKEN".to_owned()),
                ("HF013", 2, "HF_TOKEN".to_owned())
            ]
        );
    }

    #[test]
    fn dockerfile_token_files() {
        let yes = [
            "COPY TONEK_FILE TONEK_FILE\nRUN cat TONEK_FILE | xargs huggingface-cli login --token\nRUN rm TONEK_FILE\n",
            "COPY .hf_token /tmp/\nRUN HF_TOKEN=$(cat /tmp/.hf_token) python dl.py\n",
            "COPY hf_token /root/.cache/huggingface/token\n",
            "COPY . /app\nRUN hf auth login --token \"$(cat /app/hf_token)\"\n",
            "COPY t.txt /t\nRUN hf download org/m --token-file /t\n",
        ];
        for text in yes {
            let got = hits("Dockerfile", text);
            assert!(
                got.iter()
                    .any(|h| h.rule == "HF013" && h.token_file.is_some()),
                "{text}: {got:?}"
            );
        }
        let no = [
            "COPY config.json .\nRUN cat config.json && huggingface-cli login --token $HF_TOKEN\n",
            "COPY requirements.txt .\nRUN cat requirements.txt | xargs pip install\n",
            "RUN --mount=type=secret,id=hf_token HF_TOKEN=$(cat /run/secrets/hf_token) python dl.py\n",
            "COPY --from=build /out/token /app/token\nRUN cat /app/token\n",
            "COPY . .\nRUN cat README.md\n",
        ];
        for text in no {
            let got = hits("Dockerfile", text);
            assert!(
                got.iter().all(|h| h.token_file.is_none()),
                "{text}: {got:?}"
            );
        }
    }
}
