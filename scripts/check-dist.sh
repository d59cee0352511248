#!/usr/bin/env bash
# Distribution checks, run by .ci/run after `cargo build --release --locked` (whose build every
# step here reuses): the wheel from a fresh virtualenv with cargo off PATH, `pip install .` and
# `pipx install .` from this clone, the pre-commit hook with the wheel served locally, the GitHub
# Action's scripts, the release archives, the sdist and `cargo package` (each with the licence
# texts), and the workflows against GitHub's schemas. Reaches PyPI (the tools, maturin) and nothing else; the pre-commit
# and Action checks install with PIP_NO_INDEX, so only the wheel built here can be used.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
work=$(mktemp -d "${TMPDIR:-/tmp}/hfaudit-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT
python=${PYTHON:-python3}
passed=0

ok() {
  passed=$((passed + 1))
  echo "ok: $*"
}
die() {
  echo "FAILED: $*" >&2
  echo "dist checks: $passed passed, 1 failed"
  exit 1
}
# expect_in TEXT NEEDLE WHAT
expect_in() { [[ $1 == *"$2"* ]] || die "$3: no \"$2\" in:"$'\n'"$1"; }
expect_not_in() { [[ $1 != *"$2"* ]] || die "$3"; }

# PATH without any folder that holds cargo or rustc: "no Rust toolchain on this machine".
nocargo=""
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  if [ -n "$d" ] && [ ! -e "$d/cargo" ] && [ ! -e "$d/rustc" ]; then nocargo="${nocargo:+$nocargo:}$d"; fi
done
if PATH=$nocargo command -v cargo >/dev/null; then die "cargo still on the reduced PATH"; fi
PATH=$nocargo command -v git >/dev/null || die "git must stay on the reduced PATH"

echo "== tools (PyPI)"
"$python" -m venv "$work/tools"
tools="$work/tools/bin"
"$tools/pip" install --quiet --disable-pip-version-check \
  "maturin==1.16.0" "pre-commit==4.7.0" "check-jsonschema==0.39.0" "pipx==1.8.0"

echo "== the wheel (reuses target/release)"
"$tools/maturin" build --release --locked --out "$work/dist" 2>&1 | tail -n 2
shopt -s nullglob
wheels=("$work/dist/hfaudit-$version-py3-none-"*.whl)
shopt -u nullglob
[ ${#wheels[@]} -eq 1 ] || die "one py3-none wheel of version $version: $(ls "$work/dist")"
wheel=${wheels[0]}
listing=$("$python" -m zipfile -l "$wheel")
expect_in "$listing" "hfaudit-$version.data/scripts/hfaudit" "the wheel holds the binary"
for f in LICENSE-MIT LICENSE-APACHE; do
  expect_in "$listing" "hfaudit-$version.dist-info/licenses/$f" "the wheel's licence texts"
done
metadata=$("$python" -c 'import sys, zipfile
w = zipfile.ZipFile(sys.argv[1]); print(w.read(sys.argv[2]).decode())' "$wheel" "hfaudit-$version.dist-info/METADATA")
home=$(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
expect_in "$metadata" "Project-URL: Source Code, $home" "the wheel's home, derived from Cargo.toml"
expect_in "$metadata" "License-Expression: MIT OR Apache-2.0" "the wheel's licence"
ok "wheel $(basename "$wheel") (binary, licence texts, home from Cargo.toml)"

echo "== a fresh virtualenv, cargo off PATH"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
run_venv() { env PATH="$work/venv/bin:$nocargo" "$@"; }
[ "$(run_venv sh -c 'command -v hfaudit')" = "$work/venv/bin/hfaudit" ] || die "hfaudit on PATH from the venv"
[ "$(run_venv hfaudit --version)" = "hfaudit $version" ] || die "hfaudit --version"
ok "hfaudit --version from the venv"
cp -R fixtures/basic "$work/basic"
set +e
out=$(cd "$work/basic" && run_venv hfaudit scan --no-progress 2>&1)
code=$?
set -e
[ $code -eq 1 ] || die "scan of the basic fixture: exit $code"$'\n'"$out"
expect_in "$out" "error[HF001] leaked-token" "scan from the venv"
(cd "$root" && run_venv hfaudit scan --no-progress >/dev/null) || die "this repository scans clean from the venv"
ok "scans from the venv (rules and data are embedded)"

echo "== pip install . and pipx install . from this clone (compiles; reuses target/)"
"$python" -m venv "$work/src-venv"
"$work/src-venv/bin/pip" install --quiet --disable-pip-version-check "$root"
[ "$("$work/src-venv/bin/hfaudit" --version)" = "hfaudit $version" ] || die "pip install ."
ok "pip install . puts hfaudit in the venv"
PIPX_HOME="$work/pipx" PIPX_BIN_DIR="$work/pipx-bin" PIPX_MAN_DIR="$work/pipx-man" \
  "$tools/pipx" install --quiet "$root" >/dev/null 2>&1
[ "$("$work/pipx-bin/hfaudit" --version)" = "hfaudit $version" ] || die "pipx install ."
ok "pipx install . puts hfaudit on PATH"

echo "== pip install . without cargo: the prebuilt wheel of this version"
"$python" -m venv "$work/shim-venv"
env PATH="$nocargo" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/dist" \
  "$work/shim-venv/bin/pip" install --quiet --disable-pip-version-check "$root"
pkgs=$("$work/shim-venv/bin/pip" list --disable-pip-version-check --format freeze)
expect_in "$pkgs" "hfaudit==$version" "prebuilt install"
expect_in "$pkgs" "hfaudit-prebuilt==$version" "prebuilt install"
[ "$("$work/shim-venv/bin/hfaudit" --version)" = "hfaudit $version" ] || die "prebuilt hfaudit"
ok "without cargo, pip install . installs hfaudit==$version from the wheel"
"$python" -m unittest discover -s python -q 2>&1 | tail -n 1
ok "build backend unit tests"

# Fake tokens made here, never written into this repository (it scans itself).
fake_token() {
  "$python" -c 'import random, string, sys
r = random.Random(int(sys.argv[1])); a = string.ascii_letters + string.digits
print("hf_" + "".join(r.choice(a) for _ in range(32)) + "Q7")' "$1"
}
redacted() { echo "${1:0:7}…${1: -4}"; }

echo "== pre-commit: the python hook, wheel from PIP_FIND_LINKS, cargo off PATH"
rev=$(git rev-parse HEAD)
scratch="$work/scratch"
git init --quiet "$scratch"
cat >"$scratch/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $root
    rev: $rev
    hooks:
      - id: hfaudit
EOF
pc_env=(env PATH="$nocargo" PRE_COMMIT_HOME="$work/pre-commit-home" PIP_NO_INDEX=1
  PIP_FIND_LINKS="$work/dist" PRE_COMMIT_COLOR=never)
(cd "$scratch" && "${pc_env[@]}" "$tools/pre-commit" install >/dev/null)
token=$(fake_token 12)
printf 'from huggingface_hub import login\nlogin(token="%s")\n' "$token" >"$scratch/app.py"
git -C "$scratch" add .pre-commit-config.yaml app.py
set +e
out=$(cd "$scratch" && "${pc_env[@]}" git commit --quiet -m "leak" 2>&1)
code=$?
set -e
[ $code -ne 0 ] || die "a staged token must block the commit"$'\n'"$out"
expect_in "$out" "error[HF001] leaked-token" "the hook's report"
expect_in "$out" "app.py:2:14" "the hook's report"
expect_in "$out" "$(redacted "$token")" "the hook's report"
expect_not_in "$out" "$token" "the hook printed a full token"
git -C "$scratch" rev-parse --verify --quiet HEAD >/dev/null && die "the blocked commit was made"
# shellcheck disable=SC2001 # every line, not one substitution
sed 's/^/  | /' <<<"$out"
ok "a staged token blocks the commit, reported redacted"
git -C "$scratch" rm --cached --quiet app.py
rm "$scratch/app.py"
printf 'print("no secrets here")\n' >"$scratch/ok.py"
git -C "$scratch" add ok.py
out=$(cd "$scratch" && "${pc_env[@]}" git commit --quiet -m "clean" 2>&1) || die "a clean commit must pass"$'\n'"$out"
expect_in "$out" "hfaudit (Hugging Face tokens)" "the hook ran"
[ "$(git -C "$scratch" rev-list --count HEAD)" = 1 ] || die "the clean commit was not made"
envs=("$work"/pre-commit-home/repo*/py_env-*)
[ -d "${envs[0]}" ] || die "pre-commit's hook environment"
installed=$("${envs[0]}/bin/pip" list --disable-pip-version-check --format freeze)
expect_in "$installed" "hfaudit-prebuilt==$version" "the hook environment"
ok "a clean commit passes; the hook installed the prebuilt wheel (no compile)"
# The hooks take the file names pre-commit passes: a commit scans the files it changes, and
# `pre-commit run --all-files` every file, so a token committed past the hook is still found.
token=$(fake_token 14)
printf 'HF_TOKEN = "%s"\n' "$token" >"$scratch/legacy.py"
git -C "$scratch" add legacy.py
git -C "$scratch" commit --quiet --no-verify -m "legacy"
printf 'print("still no secrets")\n' >"$scratch/ok.py"
git -C "$scratch" add ok.py
out=$(cd "$scratch" && "${pc_env[@]}" git commit --quiet -m "edit" 2>&1) ||
  die "a commit that changes only a clean file must pass"$'\n'"$out"
ok "a commit scans the files it changes (a token elsewhere in the tree does not block it)"
set +e
out=$(cd "$scratch" && "${pc_env[@]}" "$tools/pre-commit" run --all-files 2>&1)
code=$?
set -e
[ $code -ne 0 ] || die "pre-commit run --all-files must fail on a token in the tree"$'\n'"$out"
expect_in "$out" "legacy.py:1:13" "pre-commit run --all-files"
expect_in "$out" "$(redacted "$token")" "pre-commit run --all-files"
expect_not_in "$out" "$token" "pre-commit run --all-files printed a full token"
ok "pre-commit run --all-files scans every file"
"$tools/pre-commit" validate-manifest .pre-commit-hooks.yaml
ok ".pre-commit-hooks.yaml is a valid manifest"

echo "== the GitHub Action's scripts"
runner="$work/runner"
mkdir -p "$runner"
export GITHUB_OUTPUT="$runner/output" GITHUB_PATH="$runner/path" GITHUB_STEP_SUMMARY="$runner/summary.md"
env PATH="$nocargo" RUNNER_TEMP="$runner" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/dist" \
  bash scripts/action-install.sh >/dev/null
bin=$(sed -n 's/^hfaudit=//p' "$GITHUB_OUTPUT")
[ "$("$bin" --version)" = "hfaudit $version" ] || die "action-install.sh"
[ "$(cat "$GITHUB_PATH")" = "$runner/hfaudit-venv/bin" ] || die "action-install.sh adds the venv to PATH"
ok "the Action installs the wheel of its own version"
repo="$work/action-repo"
git init --quiet "$repo"
printf 'print("hello")\n' >"$repo/main.py"
git -C "$repo" add main.py
git -C "$repo" commit --quiet -m "first"
before=$(git -C "$repo" rev-parse HEAD)
token=$(fake_token 13)
printf 'HF_TOKEN = "%s"\n' "$token" >"$repo/app.py"
git -C "$repo" add app.py
git -C "$repo" commit --quiet -m "leak"
head=$(git -C "$repo" rev-parse HEAD)
# action_scan EVENT BASE FAIL_ON [FORMAT [VARIABLE=VALUE...]]: runs the Action's scan step in
# $repo; sets out, summary and code.
action_scan() {
  : >"$GITHUB_OUTPUT"
  : >"$GITHUB_STEP_SUMMARY"
  set +e
  out=$(cd "$repo" && env HFAUDIT="$bin" RUNNER_TEMP="$runner" GITHUB_EVENT_NAME="$1" \
    PR_BASE="$2" PUSH_BEFORE="$2" INPUT_FAIL_ON="$3" INPUT_FORMAT="${4:-github}" INPUT_UPLOAD_SARIF=true \
    INPUT_SUMMARY=true "${@:5}" bash "$root/scripts/action-scan.sh" 2>&1)
  code=$?
  set -e
  summary=$(cat "$GITHUB_STEP_SUMMARY")
}
action_scan push "$before" warning
[ $code -eq 1 ] || die "Action on a push that adds a token: exit $code"$'\n'"$out"
expect_in "$out" "::error file=app.py,line=1,col=13,title=HF001 leaked-token::" "annotations"
expect_in "$(cat "$GITHUB_STEP_SUMMARY")" "| error | HF001 leaked-token | app.py:1:13 in ${head:0:12} |" "job summary"
expect_in "$(cat "$GITHUB_OUTPUT")" "exit-code=1" "step outputs"
expect_in "$(cat "$GITHUB_OUTPUT")" "sarif-file=$runner/hfaudit.sarif" "step outputs"
"$python" -c 'import json, sys; r = json.load(open(sys.argv[1]))["runs"][0]["results"]; assert r[0]["ruleId"] == "HF001", r' "$runner/hfaudit.sarif" ||
  die "SARIF file"
for file in "$GITHUB_STEP_SUMMARY" "$runner/hfaudit.sarif"; do
  expect_not_in "$(cat "$file")" "$token" "a full token in $file"
done
expect_not_in "$out" "$token" "a full token in the Action's log"
ok "push range: annotations, job summary, SARIF, exit 1"
action_scan push "$before" never
[ $code -eq 0 ] || die "fail-on never: exit $code"
ok "fail-on never passes"
expect_in "$summary" "Scanned the commits this push added, after \`${before:0:12}\`." "job summary"
action_scan pull_request "$head" warning
[ $code -eq 0 ] || die "a pull request that adds nothing: exit $code"$'\n'"$out"
expect_in "$summary" "### hfaudit: no Hugging Face token found" "clean summary"
expect_in "$summary" "Scanned the commits of this pull request, after its base \`${head:0:12}\`." "clean summary"
ok "pull request range with nothing new passes; the summary says what was scanned"
action_scan push 0000000000000000000000000000000000000000 warning
[ $code -eq 1 ] || die "a new branch scans the whole tree: exit $code"
expect_in "$summary" "Scanned the whole tree at \`${head:0:12}\` (a new branch)." "job summary"
ok "a new branch (before = zeros) scans the whole tree"
action_scan push 0000000000000000000000000000000000000000 warning human INPUT_PATH="main.py gone.py"
[ $code -eq 2 ] || die "a path that cannot be read: exit $code"$'\n'"$out"
expect_in "$out" "::error " "a path that cannot be read, as an annotation"
expect_in "$out" "gone.py" "a path that cannot be read, as an annotation"
ok "with --format human, a path that cannot be read is still an ::error:: annotation (exit 2)"
action_scan push "$before" warning github INPUT_SINCE=no-such-revision
[ $code -eq 2 ] || die "a bad revision: exit $code"$'\n'"$out"
expect_in "$out" "::error title=hfaudit::bad revision" "a bad revision, as an annotation"
expect_in "$summary" "### hfaudit: the scan failed" "a bad revision, in the job summary"
ok "a scan that cannot start is an ::error:: annotation, and the job summary says so"
unset GITHUB_OUTPUT GITHUB_PATH GITHUB_STEP_SUMMARY

echo "== release archives, sdist, cargo package"
"$python" scripts/release-archives.py --out "$work/archives" "$wheel" >/dev/null
archives=("$work/archives/hfaudit-$version-"*.tar.gz)
tar -xzf "${archives[0]}" -C "$work/archives"
unpacked=("$work/archives/hfaudit-$version-"*/)
[ "$("${unpacked[0]}hfaudit" --version)" = "hfaudit $version" ] || die "archive binary"
bash -n "${unpacked[0]}completions/hfaudit.bash" || die "archive bash completion"
head -n 5 "${unpacked[0]}man/hfaudit-scan.1" | grep -q '^\.TH hfaudit-scan 1' || die "archive man page"
grep -q "  $(basename "${archives[0]}")\$" "$work/archives/SHA256SUMS" || die "SHA256SUMS"
for f in LICENSE-MIT LICENSE-APACHE README.md; do
  cmp -s "$f" "${unpacked[0]}$f" || die "the release archive's $f"
done
ok "release archive $(basename "${archives[0]}") (binary, licence texts, man pages, completions)"
# The Windows archive is a zip: made here from this wheel under a Windows platform tag.
mkdir -p "$work/win"
cp "$wheel" "$work/win/hfaudit-$version-py3-none-win_amd64.whl"
"$python" scripts/release-archives.py --out "$work/win-archives" "$wheel" \
  "$work/win/hfaudit-$version-py3-none-win_amd64.whl" >/dev/null
winzip=$("$python" -m zipfile -l "$work/win-archives/hfaudit-$version-x86_64-pc-windows-msvc.zip")
for f in hfaudit LICENSE-MIT LICENSE-APACHE README.md completions/_hfaudit.ps1; do
  expect_in "$winzip" "hfaudit-$version-x86_64-pc-windows-msvc/$f " "the Windows archive"
done
ok "the Windows archive (a zip) carries the licence texts too"
"$tools/maturin" sdist --out "$work/sdist" >/dev/null 2>&1
sdist=$(tar -tzf "$work"/sdist/hfaudit-"$version".tar.gz)
for f in pyproject.toml python/hfaudit_build.py Cargo.toml Cargo.lock build.rs src/main.rs \
  rules/HF001-leaked-token.toml data/calls.toml README.md LICENSE-MIT LICENSE-APACHE; do
  expect_in "$sdist" "hfaudit-$version/$f" "the sdist"
done
expect_not_in "$sdist" "fixtures/" "the sdist carries the fake-token fixtures"
ok "the sdist carries the build backend, the licence texts and everything cargo reads"
crate=$(cargo package --list --locked --allow-dirty 2>/dev/null)
for f in LICENSE-MIT LICENSE-APACHE README.md; do
  grep -qx "$f" <<<"$crate" || die "the crate lacks $f"
done
cargo package --quiet --locked --allow-dirty >/dev/null 2>&1 || cargo package --locked --allow-dirty
ok "cargo package builds from the packaged files (the licence texts among them)"

echo "== workflows and action against GitHub's schemas"
"$tools/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml docs/github-workflow.yml
"$tools/check-jsonschema" --builtin-schema vendor.github-actions action.yml
ok "release.yml, ci.yml, docs/github-workflow.yml and action.yml validate"

echo "dist checks: $passed passed, 0 failed"
