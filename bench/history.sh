#!/usr/bin/env bash
# Benchmark hfaudit's git modes on a generated repository with a long history.
#
#   bench/history.sh [--commits N] [--runs N] [--clean]
#
# 1. generates (with bench/make-history.py and `git fast-import`) a repository of N commits
#    (default 3000) touching 1-4 files each, with merged feature branches and unmerged
#    work-in-progress branches; some commits add fake tokens, later ones delete some;
# 2. checks that `hfaudit scan --history` reports exactly the (path, token) pairs the
#    generator introduced;
# 3. times, with hyperfine (warm cache, same call),
#      hfaudit scan --history --format json
#    against
#      git log -p --all | rg -c 'hf_[A-Za-z0-9]{34}'
#    and prints the medians and their ratio (below 1.0: hfaudit is faster);
# 4. stages a 10-file change and times `hfaudit scan --staged --format json` (the cost of the
#    pre-commit hook), next to `git diff --cached | rg` for scale.
#
# The repository is kept and reused by later runs with the same --commits (--clean removes
# it at the end). Results (hyperfine JSON, the report, summary.txt) go to
# $HFAUDIT_BENCH_TMP/results/.
#
# Environment:
#   HFAUDIT_BIN        use this binary instead of building one (`cargo build --release`,
#                      honouring CARGO_TARGET_DIR)
#   HFAUDIT_BENCH_TMP  where the repository and results go (default /tmp/hfaudit-bench)
set -euo pipefail

PROG=bench/history.sh
PATTERN='hf_[A-Za-z0-9]{34}'
COMMITS=3000
RUNS=10
CLEAN=0

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
log() { printf '\n==> %s\n' "$*"; }

while (($# > 0)); do
    case $1 in
        --commits) (($# >= 2)) || die "--commits needs a value"; COMMITS=$2; shift 2 ;;
        --runs) (($# >= 2)) || die "--runs needs a value"; RUNS=$2; shift 2 ;;
        --clean) CLEAN=1; shift ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[[ $COMMITS =~ ^[1-9][0-9]*$ ]] || die "--commits wants a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=${HFAUDIT_BENCH_TMP:-/tmp/hfaudit-bench}
WORK=$TMP/history-$COMMITS
RESULTS=$TMP/results/$(date +%Y%m%d-%H%M%S)-history-$COMMITS
mkdir -p "$RESULTS"

# ------------------------------------------------------------------ tools

need_apt() {
    command -v apt-get >/dev/null || die "$1 is missing and apt-get is not available: install $2"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    log "installing $2 (apt-get)"
    "${sudo[@]}" apt-get install -y -q "$2" >/dev/null || {
        "${sudo[@]}" apt-get update -q >/dev/null
        "${sudo[@]}" apt-get install -y -q "$2" >/dev/null
    }
}
command -v git >/dev/null || need_apt git git
command -v python3 >/dev/null || need_apt python3 python3
command -v hyperfine >/dev/null || need_apt hyperfine hyperfine
command -v rg >/dev/null || need_apt rg ripgrep

if [[ -n ${HFAUDIT_BIN:-} ]]; then
    BIN=$HFAUDIT_BIN
else
    log "building hfaudit (release)"
    (cd "$ROOT" && cargo build --release --quiet)
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/hfaudit
    [[ $BIN = /* ]] || BIN=$ROOT/$BIN
fi
[[ -x $BIN ]] || die "no hfaudit binary at $BIN"

# Git must not read the machine's config (hooks, signing, pagers, renames settings).
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid

# ------------------------------------------------------------- repository

REPO=$WORK/repo
if [[ ! -f $WORK/truth.json || ! -d $REPO/.git ]]; then
    log "generating a repository of $COMMITS commits in $REPO"
    rm -rf "$WORK"
    mkdir -p "$REPO"
    git -C "$REPO" init -q -b main
    python3 "$ROOT/bench/make-history.py" --commits "$COMMITS" --truth "$WORK/truth.json" |
        git -C "$REPO" fast-import --quiet
    git -C "$REPO" repack -a -d -q
    git -C "$REPO" reset -q --hard main
else
    log "reusing $REPO"
fi
git -C "$REPO" reset -q --hard main
EXPECTED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expected_findings"])' "$WORK/truth.json")
printf 'commits: %s, refs: %s, blobs: %s, packed size: %s\n' \
    "$(git -C "$REPO" rev-list --all --count)" \
    "$(git -C "$REPO" for-each-ref | wc -l)" \
    "$(git -C "$REPO" rev-list --all --objects | cut -d' ' -f1 | git -C "$REPO" cat-file --batch-check='%(objecttype)' | grep -c blob)" \
    "$(du -sh "$REPO/.git/objects/pack" | cut -f1)"

# ------------------------------------------------------------ correctness

log "checking the --history report"
cd "$REPO"
set +e
"$BIN" scan --history --format json --no-progress >"$RESULTS/history.json"
code=$?
set -e
((code == 0 || code == 1)) || die "hfaudit scan --history exited $code"
FOUND=$(python3 - "$RESULTS/history.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
pairs = {(f["path"], f["token"]["fingerprint"]) for f in report["findings"] if f["rule"] == "HF001"}
missing_commit = [f for f in report["findings"] if not f.get("commit")]
assert not missing_commit, f"{len(missing_commit)} findings without a commit"
print(len(pairs))
EOF
)
printf 'findings: %s (path, token) pairs; the generator introduced %s\n' "$FOUND" "$EXPECTED"
[[ $FOUND == "$EXPECTED" ]] || die "hfaudit found $FOUND, expected $EXPECTED"

# ---------------------------------------------------------------- timings

hf_cmd="$(printf '%q' "$BIN") scan --history --format json --no-progress"
rg_cmd="git log -p --all | rg -c '$PATTERN'"
log "history: $RUNS runs each after 2 warm-ups (warm cache)"
hyperfine --style basic --warmup 2 --runs "$RUNS" -i \
    --export-json "$RESULTS/history-hyperfine.json" \
    -n hfaudit "$hf_cmd" -n "git log -p | rg" "$rg_cmd"

log "staging a 10-file change"
mapfile -t files < <(git ls-files 'src/*.py' | head -n 10)
((${#files[@]} == 10)) || die "expected 10 files under src/"
for f in "${files[@]}"; do printf 'value = compute(%s)\n' "$RANDOM" >>"$f"; done
git add -- "${files[@]}"
staged_cmd="$(printf '%q' "$BIN") scan --staged --format json --no-progress"
# Through a shell (the pipeline needs one); hyperfine subtracts the shell's start-up time.
hyperfine --style basic --warmup 3 --runs 30 -i \
    --export-json "$RESULTS/staged-hyperfine.json" \
    -n "hfaudit --staged" "$staged_cmd" \
    -n "git diff --cached | rg" "git diff --cached | rg -c '$PATTERN'"
git reset -q --hard main

# ---------------------------------------------------------------- summary

python3 - "$RESULTS" "$COMMITS" "$FOUND" <<'EOF' | tee "$RESULTS/summary.txt"
import json, sys
results, commits, found = sys.argv[1], sys.argv[2], sys.argv[3]
hist = {r["command"]: r for r in json.load(open(f"{results}/history-hyperfine.json"))["results"]}
staged = {r["command"]: r for r in json.load(open(f"{results}/staged-hyperfine.json"))["results"]}
hf, rg = hist["hfaudit"]["median"], hist["git log -p | rg"]["median"]
print()
print(f"history ({commits} commits, {found} findings), warm-cache medians:")
print(f"  hfaudit scan --history --format json      {hf * 1000:8.1f} ms")
print(f"  git log -p --all | rg -c PATTERN          {rg * 1000:8.1f} ms")
print(f"  ratio hfaudit / (git log -p | rg)         {hf / rg:8.2f}  ({'faster' if hf < rg else 'SLOWER'})")
print(f"staged (10 files):")
print(f"  hfaudit scan --staged --format json       {staged['hfaudit --staged']['median'] * 1000:8.1f} ms")
print(f"  git diff --cached | rg -c PATTERN         {staged['git diff --cached | rg']['median'] * 1000:8.1f} ms")
EOF
printf '\nresults in %s\n' "$RESULTS"
if ((CLEAN == 1)); then
    rm -rf "$WORK"
fi
