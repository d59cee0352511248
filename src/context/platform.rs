//! Platform: where a file runs, from its path alone (DESIGN §4).

use super::Platform;

/// The platform of a file from its relative `/`-separated path. Precedence: notebook, ci,
/// env_file, server, docs, source, other.
pub fn platform_of(path: &str) -> Platform {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let Some(name) = parts.pop() else {
        return Platform::Other;
    };
    let dirs = parts;
    let ext = extension(name);

    if ext == Some("ipynb") {
        Platform::Notebook
    } else if is_log(name, ext) {
        // A log is what a program printed: neither prose nor configuration code reads.
        Platform::Other
    } else if is_ci(&dirs, name) {
        Platform::Ci
    } else if is_env_file(name) {
        Platform::EnvFile
    } else if is_server(&dirs, name, ext) {
        Platform::Server
    } else if is_docs(name, ext) {
        Platform::Docs
    } else if is_source(name, ext) {
        Platform::Source
    } else {
        Platform::Other
    }
}

/// The text after the last dot of a file name; a leading dot (`.env`) does not start one.
pub(super) fn extension(name: &str) -> Option<&str> {
    match name.rfind('.') {
        Some(p) if p > 0 && p + 1 < name.len() => Some(&name[p + 1..]),
        _ => None,
    }
}

/// Whether `word` is one of the space-separated words of `list` (keeps long lists readable).
pub(super) fn listed(list: &str, word: &str) -> bool {
    list.split_ascii_whitespace().any(|w| w == word)
}

pub(super) fn is_ci(dirs: &[&str], name: &str) -> bool {
    const NAMES: &str = ".gitlab-ci.yml .gitlab-ci.yaml azure-pipelines.yml azure-pipelines.yaml \
        .travis.yml .travis.yaml bitbucket-pipelines.yml bitbucket-pipelines.yaml .drone.yml \
        .drone.yaml cloudbuild.yaml cloudbuild.yml appveyor.yml .appveyor.yml";
    const DIRS: &str = ".gitlab-ci .circleci .buildkite .azure-pipelines";
    listed(NAMES, name)
        || name.starts_with("jenkinsfile")
        || dirs.iter().any(|d| listed(DIRS, d))
        || dirs.windows(2).any(|w| {
            // Workflows and the composite actions they run; `.gitlab/ci/` holds GitLab includes.
            matches!(
                (w[0], w[1]),
                (".github", "workflows" | "actions") | (".gitlab", "ci")
            )
        })
}

pub(super) fn is_env_file(name: &str) -> bool {
    // Shell start-up files and `.netrc` are a local machine's settings too.
    const NAMES: &str = ".envrc .bashrc .bash_profile .profile .zshrc .zshenv .netrc";
    let dot_env = name
        .strip_prefix(".env")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']));
    dot_env || extension(name) == Some("env") || listed(NAMES, name)
}

pub(super) fn is_server(dirs: &[&str], name: &str, ext: Option<&str>) -> bool {
    const DIRS: &str = "deploy deployment deployments server k8s kubernetes helm charts";
    const NAMES: &str = "procfile fly.toml render.yaml heroku.yml skaffold.yaml \
        kustomization.yaml kustomization.yml";
    let yaml = matches!(ext, Some("yml" | "yaml"));
    name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || (yaml && (name.starts_with("docker-compose") || name.starts_with("compose.")))
        || ext == Some("service")
        || listed(NAMES, name)
        || dirs.iter().any(|d| listed(DIRS, d))
}

/// A log or captured output (`train.log`, `build-log.txt`, `output.txt`, `stdout.txt`): a
/// `.txt` is prose only when its name says nothing of the kind.
pub(super) fn is_log(name: &str, ext: Option<&str>) -> bool {
    const WORDS: &str = "log logs output outputs stdout stderr trace console";
    match ext {
        Some("log") => true,
        Some("txt") => name[..name.len() - 4]
            .split(['.', '-', '_', ' '])
            .any(|w| listed(WORDS, w)),
        _ => false,
    }
}

pub(super) fn is_docs(name: &str, ext: Option<&str>) -> bool {
    const EXTS: &str = "md mdx markdown rst adoc asciidoc txt";
    // Extension-less top-level prose files (`README`, `CHANGELOG`) are docs as well.
    const NAMES: &str =
        "readme changelog contributing authors notice history news install license copying";
    // Plain-text inputs to tools are not prose.
    let tool_input = name.starts_with("requirements")
        || name.starts_with("constraints")
        || name == "cmakelists.txt";
    !tool_input && (ext.is_some_and(|e| listed(EXTS, e)) || listed(NAMES, name))
}

pub(super) fn is_source(name: &str, ext: Option<&str>) -> bool {
    // Code, then configuration that code reads (a token there is used by code, not by CI).
    const EXTS: &str = "py pyi pyw pyx js ts jsx tsx mjs cjs vue svelte sh bash zsh fish rb go \
        rs java kt kts scala groovy gradle c cc cpp cxx h hh hpp cs php swift dart r jl lua pl \
        pm ps1 psm1 bat cmd sql tf hcl nix ex exs \
        yaml yml toml json jsonc json5 ini cfg conf properties txt";
    const NAMES: &str = "makefile justfile rakefile gemfile vagrantfile";
    ext.is_some_and(|e| listed(EXTS, e)) || listed(NAMES, name)
}
