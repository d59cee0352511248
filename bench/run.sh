#!/usr/bin/env bash
# Benchmark hfaudit against the ripgrep floor on a generated corpus.
#
#   bench/run.sh [--mb N] [--runs N] [--tiny-only] [--keep|--clean]
#
# See bench/README.md for what is measured and the targets.
#
# Environment:
#   HFAUDIT_BENCH_DIR  folder holding make-corpus.py and score.py
#                      (default: ../shared/bench relative to the repo root)
#   HFAUDIT_BENCH_TMP  where corpora and results go (default: /tmp/hfaudit-bench);
#                      must lie outside the repo
#   HFAUDIT_BIN        use this hfaudit binary and skip `cargo build --release`
#   CARGO_TARGET_DIR   honoured by the build; the binary is
#                      ${CARGO_TARGET_DIR:-target}/release/hfaudit
set -euo pipefail

PROG=bench/run.sh
RG_PATTERN='hf_[A-Za-z0-9]{34}|api_org_[A-Za-z0-9]{34}'

usage() {
    cat <<'EOF'
Usage: bench/run.sh [--mb N] [--runs N] [--tiny-only] [--keep|--clean]

Times `hfaudit scan --format json TREE` against the ripgrep floor
(rg -c --hidden --binary 'hf_[A-Za-z0-9]{34}|api_org_[A-Za-z0-9]{34}' TREE)
with hyperfine, measures peak RSS with /usr/bin/time -v and scores the
findings with score.py against the corpus ground truth.

Options:
  --mb N        size of the main corpus in MB (default 1000; 100 is a quick run)
  --runs N      hyperfine runs on the main corpus (default 5, after 1 warm-up)
  --tiny-only   only the 5-file tree: start-up timing, peak RSS and score on it
  --keep        keep the generated corpora for reuse (the default)
  --clean       delete the corpora used by this run at the end
  -h, --help    show this help

Environment: HFAUDIT_BENCH_DIR, HFAUDIT_BENCH_TMP, HFAUDIT_BIN, CARGO_TARGET_DIR
(see the header of this script and bench/README.md).
EOF
}

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
log() { printf '\n==> %s\n' "$*"; }

# Quote one word for a POSIX shell (and for hyperfine's own word splitting).
shq() { printf "'%s'" "${1//"'"/"'\\''"}"; }

# Make a path absolute relative to the directory the script was started from.
abspath() {
    case $1 in
        /*) printf '%s' "$1" ;;
        *) printf '%s/%s' "$START_DIR" "$1" ;;
    esac
}

# ---------------------------------------------------------------- arguments

MB=1000
RUNS=5
TINY_ONLY=0
CLEAN=0
while (($# > 0)); do
    case $1 in
        --mb) (($# >= 2)) || die "--mb needs a value"; MB=$2; shift 2 ;;
        --mb=*) MB=${1#*=}; shift ;;
        --runs) (($# >= 2)) || die "--runs needs a value"; RUNS=$2; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        --tiny-only) TINY_ONLY=1; shift ;;
        --keep) CLEAN=0; shift ;;
        --clean) CLEAN=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $MB =~ ^[0-9]+([.][0-9]+)?$ && ! $MB =~ ^[0.]+$ ]] || die "--mb wants a positive number, got '$MB'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer, got '$RUNS'"

# -------------------------------------------------------------------- paths

START_DIR=$(pwd)
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

command -v python3 >/dev/null 2>&1 ||
    die "python3 not found: it runs make-corpus.py, score.py and parses results (apt-get install -y python3)"

BENCH_DIR=$(abspath "${HFAUDIT_BENCH_DIR:-$REPO_ROOT/../shared/bench}")
for f in make-corpus.py score.py; do
    [[ -f $BENCH_DIR/$f ]] ||
        die "$BENCH_DIR/$f not found: set HFAUDIT_BENCH_DIR to the folder holding make-corpus.py and score.py"
done
BENCH_DIR=$(cd "$BENCH_DIR" && pwd -P)

inside_repo() {
    case "$1/" in
        "$REPO_ROOT"/*) die "HFAUDIT_BENCH_TMP ($1) lies inside the repo: corpora must stay outside it" ;;
    esac
}
TMP_ROOT=$(abspath "${HFAUDIT_BENCH_TMP:-/tmp/hfaudit-bench}")
inside_repo "$TMP_ROOT"
mkdir -p -- "$TMP_ROOT" || die "cannot create $TMP_ROOT (set HFAUDIT_BENCH_TMP)"
TMP_ROOT=$(cd "$TMP_ROOT" && pwd -P)
inside_repo "$TMP_ROOT"

RES="$TMP_ROOT/results/$(date +%Y%m%d-%H%M%S)-$([[ $TINY_ONLY == 1 ]] && echo tiny || echo "mb-$MB")"
mkdir -p -- "$RES"

PENDING=""  # a half-built corpus folder, removed if we are interrupted
cleanup() {
    if [[ -n $PENDING ]]; then rm -rf -- "$PENDING"; fi
    rmdir -- "$RES" 2>/dev/null || true  # only if a failed run left it empty
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -------------------------------------------------------------------- tools

APT_UPDATED=0
as_root() {
    if [[ $(id -u) == 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        return 1
    fi
}

# apt_install PKG...: apt-get install, with one apt-get update and a retry on failure.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    printf 'installing %s with apt-get (log: %s)\n' "$*" "$RES/install.log"
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$RES/install.log" 2>&1; then
        return 0
    fi
    if [[ $APT_UPDATED == 0 ]]; then
        APT_UPDATED=1
        as_root apt-get update -q >>"$RES/install.log" 2>&1 || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$RES/install.log" 2>&1 && return 0
    fi
    return 1
}

# pip fallback for ripgrep: the `ripgrep` package on PyPI ships the rg binary.
pip_install_rg() {
    printf 'installing ripgrep with pip (log: %s)\n' "$RES/install.log"
    python3 -m pip install -q ripgrep >>"$RES/install.log" 2>&1 ||
        python3 -m pip install -q --user ripgrep >>"$RES/install.log" 2>&1 ||
        python3 -m pip install -q --user --break-system-packages ripgrep >>"$RES/install.log" 2>&1 ||
        return 1
    # Put the folder pip installed rg into first on PATH (not a pyenv shim,
    # whose own start-up would be timed with the floor).
    local d
    for d in "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')" \
        "$(python3 -c 'import os, sysconfig; print(sysconfig.get_path("scripts", os.name + "_user"))')"; do
        if [[ -x $d/rg ]]; then
            PATH="$d:$PATH"
            export PATH
            break
        fi
    done
    hash -r
    command -v rg >/dev/null 2>&1
}

install_fail() {
    [[ -s $RES/install.log ]] && tail -n 15 -- "$RES/install.log" >&2
    die "$1"
}

log "tools"
if ! command -v hyperfine >/dev/null 2>&1; then
    apt_install hyperfine || install_fail "could not install hyperfine (apt-get install -y hyperfine)"
fi
if ! command -v rg >/dev/null 2>&1; then
    apt_install ripgrep || pip_install_rg || install_fail "could not install ripgrep (apt-get install -y ripgrep, or pip install ripgrep)"
fi
if [[ ! -x /usr/bin/time ]]; then
    apt_install time || install_fail "could not install /usr/bin/time (apt-get install -y time)"
fi
/usr/bin/time -v true >/dev/null 2>&1 || die "/usr/bin/time does not support -v (GNU time needed: apt-get install -y time)"
RG=$(command -v rg)
if [[ $RG == */shims/rg ]] && command -v pyenv >/dev/null 2>&1; then
    RG=$(pyenv which rg 2>/dev/null) || RG=$(command -v rg)  # the binary, not the shim
fi
# (no `| head` or `| grep -q` on them: a writer killed by SIGPIPE fails under pipefail)
HYPERFINE_VERSION=$(hyperfine --version) && HYPERFINE_VERSION=${HYPERFINE_VERSION%%$'\n'*}
RG_VERSION=$(rg --version) && RG_VERSION=${RG_VERSION%%$'\n'*}
# Neither command needs a shell: skip it where hyperfine supports that (>= 1.13).
HF_SHELL=()
HF_HELP=$(hyperfine --help 2>&1 || true)
if [[ $HF_HELP == *--shell=none* ]]; then HF_SHELL=(-N); fi
printf '%s; %s (%s); python3 %s; %s cores\n' "$HYPERFINE_VERSION" "$RG_VERSION" "$RG" \
    "$(python3 -c 'import platform; print(platform.python_version())')" "$(nproc 2>/dev/null || echo '?')"

# -------------------------------------------------------------------- build

if [[ -n ${HFAUDIT_BIN:-} ]]; then
    BIN=$(abspath "$HFAUDIT_BIN")
    [[ -f $BIN && -x $BIN ]] || die "HFAUDIT_BIN=$HFAUDIT_BIN is not an executable file"
    BUILD_NOTE="HFAUDIT_BIN override, not built from this commit"
    log "binary: $BIN (HFAUDIT_BIN, cargo build skipped)"
else
    command -v cargo >/dev/null 2>&1 ||
        die "cargo not found: install Rust (https://rustup.rs) or point HFAUDIT_BIN at a built hfaudit"
    if [[ -n ${CARGO_TARGET_DIR:-} ]]; then
        CARGO_TARGET_DIR=$(abspath "$CARGO_TARGET_DIR")
        export CARGO_TARGET_DIR
    fi
    log "cargo build --release"
    (cd "$REPO_ROOT" && cargo build --release) || die "cargo build --release failed"
    BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/hfaudit"
    [[ -x $BIN ]] || die "cargo build succeeded but $BIN is missing"
    BUILD_NOTE="cargo build --release"
    log "binary: $BIN"
fi

COMMIT=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $COMMIT != unknown && -n $(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    COMMIT="$COMMIT (+ uncommitted changes)"
fi

# ------------------------------------------------------------------ corpora

# make_corpus NAME MB-OR-EMPTY MAKE-CORPUS-ARGS...: TMP_ROOT/NAME/{tree,truth.json}
make_corpus() {
    local name=$1 mb=$2 dir="$TMP_ROOT/$1" tmp
    shift 2
    if [[ -f $dir/truth.json && -d $dir/tree ]]; then
        printf 'reusing %s\n' "$dir"
        return 0
    fi
    if [[ -e $dir ]]; then
        printf 'removing incomplete corpus %s\n' "$dir"
        rm -rf -- "$dir"
    fi
    if [[ -n $mb ]]; then
        local avail_kb
        avail_kb=$(df -Pk -- "$TMP_ROOT" | awk 'NR == 2 { print $4 }')
        if [[ $avail_kb =~ ^[0-9]+$ ]] && awk -v a="$avail_kb" -v mb="$mb" 'BEGIN { exit !(a < mb * 1000 * 1.1 + 10000) }'; then
            die "not enough space in $TMP_ROOT for a $mb MB corpus ($((avail_kb / 1024)) MB free): set HFAUDIT_BENCH_TMP"
        fi
    fi
    tmp=$(mktemp -d "$TMP_ROOT/.$name.XXXXXX")
    PENDING=$tmp
    printf 'python3 make-corpus.py %s %s --seed 1\n' "$dir/tree" "$*"
    python3 "$BENCH_DIR/make-corpus.py" "$tmp/tree" "$@" --seed 1 || die "make-corpus.py failed"
    [[ -f $tmp/truth.json ]] || die "make-corpus.py wrote no $tmp/truth.json"
    # Atomic publish; if another run published the same corpus meanwhile, use that one.
    if ! mv -T -- "$tmp" "$dir" 2>/dev/null; then
        rm -rf -- "$tmp"
        [[ -f $dir/truth.json ]] || die "could not move the new corpus to $dir"
    fi
    PENDING=""
}

log "corpora in $TMP_ROOT"
if [[ $TINY_ONLY == 0 ]]; then
    make_corpus "mb-$MB" "$MB" --mb "$MB"
fi
make_corpus tiny "" --tiny
TINY_TREE="$TMP_ROOT/tiny/tree"
if [[ $TINY_ONLY == 0 ]]; then
    MAIN_NAME="mb-$MB"
else
    MAIN_NAME=tiny
fi
MAIN_TREE="$TMP_ROOT/$MAIN_NAME/tree"
MAIN_TRUTH="$TMP_ROOT/$MAIN_NAME/truth.json"

CORPUS_INFO=$(python3 - "$MAIN_TRUTH" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))
py = (t.get("source") or {}).get("python")
py = f", python {py}" if py else ""
size = f"{t['bytes'] / 1e6:.1f} MB" if t["bytes"] >= 100_000 else f"{t['bytes']} bytes"
print(f"{size}, {t['files']} files, {len(t['positives'])} positives, "
      f"{len(t['negatives'])} negatives (seed {t.get('seed')}{py})")
EOF
) || die "cannot read $MAIN_TRUTH"
printf '%s: %s\n' "$MAIN_NAME" "$CORPUS_INFO"

# ------------------------------------------------------- sanity scan (+ score input)

# Run the scan once before timing it: a crash would otherwise show up as a
# very fast hfaudit under `hyperfine -i`. The report is scored further down.
log "hfaudit scan --format json $MAIN_TREE"
scan_rc=0
"$BIN" scan --format json "$MAIN_TREE" >"$RES/out.json" 2>"$RES/scan.stderr" || scan_rc=$?
if ((scan_rc > 1)); then
    tail -n 20 -- "$RES/scan.stderr" >&2
    die "hfaudit scan exited with status $scan_rc (0 = clean, 1 = findings); stderr: $RES/scan.stderr"
fi
printf 'exit status %s, report %s (%s bytes)\n' "$scan_rc" "$RES/out.json" "$(wc -c <"$RES/out.json" | tr -d ' ')"
# Convert now, so that a malformed report stops the run before the long timings.
python3 - "$RES/out.json" "$RES/out.jsonl" "$MAIN_TREE" <<'EOF' || die "cannot convert $RES/out.json for score.py"
import json, os, re, sys
src, dst, tree = sys.argv[1], sys.argv[2], sys.argv[3]
TOKEN = re.compile(r"(?:hf_|api_org_)[A-Za-z0-9]{34}")
lines_cache = {}

def bytes_at(path, offset):
    """The token at a byte offset of a binary file, or None."""
    if offset is None:
        return None
    try:
        with open(os.path.join(tree, path), "rb") as f:
            f.seek(offset)
            m = TOKEN.match(f.read(64).decode("latin-1"))
    except OSError:
        return None
    return m.group(0) if m else None

def text_at(path, line, column):
    """The token text at path:line:column, read from the corpus (hfaudit never prints it).

    Reading it back checks that the reported position is exact; None when it is not."""
    if column is None:
        return None
    if path not in lines_cache:
        try:
            with open(os.path.join(tree, path), encoding="utf-8", errors="replace", newline="") as f:
                lines_cache[path] = f.read().split("\n")
        except OSError:
            lines_cache[path] = []
    rows = lines_cache[path]
    if not 1 <= line <= len(rows):
        return None
    m = TOKEN.match(rows[line - 1], column - 1)
    return m.group(0) if m else None

try:
    with open(src, encoding="utf-8") as f:
        report = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"cannot read the hfaudit JSON report {src}: {e}")
if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
    sys.exit(f"{src} has no 'findings' list: not an hfaudit JSON report")
written = skipped = 0
with open(dst, "w", encoding="utf-8") as out:
    for f in report["findings"]:
        if not isinstance(f, dict):
            continue
        # One line per location; the finding itself when it lists none.
        locations = f.get("locations") or [f]
        for loc in locations:
            if not isinstance(loc, dict):
                continue
            path, line = loc.get("path") or f.get("path"), loc.get("line")
            if path is None:
                skipped += 1
                continue
            # hfaudit prints paths as named (here under the corpus folder): score.py wants
            # them relative to the tree.
            if os.path.isabs(path) or path.startswith(tree.rstrip("/") + "/"):
                path = os.path.relpath(os.path.join(os.getcwd(), path), tree)
            # hfaudit never prints full tokens: the harness reads the text at the reported
            # line and column (or, in a binary file, byte offset) back from the corpus, so
            # score.py can match it exactly.
            if line is None:
                match = bytes_at(path, f.get("offset"))
            else:
                match = text_at(path, line, loc.get("column"))
            out.write(json.dumps({"path": path, "line": line, "match": match}) + "\n")
            written += 1
print(f"{len(report['findings'])} findings -> {written} locations in {dst}"
      f" ({skipped} without a path skipped)")
EOF

# --------------------------------------------------------------- timing

# medians JSON: prints "rg_median_s hfaudit_median_s ratio" from a hyperfine export
# (results in the order rg, hfaudit) and warns about failing runs.
medians() {
    python3 - "$1" <<'EOF'
import json, statistics, sys
res = json.load(open(sys.argv[1], encoding="utf-8"))["results"]
med = []
for r, ok in zip(res, ({0}, {0, 1})):  # rg: 0 = matches; hfaudit: 1 = findings
    m = r.get("median")
    med.append(m if m is not None else statistics.median(r["times"]))
    bad = sorted({c for c in r.get("exit_codes") or [] if c not in ok})
    if bad:
        print(f"warning: {r['command']} exited with {bad}: its timing is suspect", file=sys.stderr)
print(f"{med[0]:.6f} {med[1]:.6f} {med[1] / med[0]:.3f}")
EOF
}

# time_pair LABEL TREE WARMUP RUNS: hyperfine rg vs hfaudit, sets MED_RG MED_HF RATIO
time_pair() {
    local label=$1 tree=$2 warmup=$3 runs=$4 out
    local floor_cmd hf_cmd
    floor_cmd="$(shq "$RG") -c --hidden --binary $(shq "$RG_PATTERN") $(shq "$tree")"
    hf_cmd="$(shq "$BIN") scan --format json $(shq "$tree")"
    log "hyperfine on $label: -w $warmup -r $runs"
    hyperfine "${HF_SHELL[@]}" -w "$warmup" -r "$runs" -i \
        --export-json "$RES/hyperfine-$label.json" \
        -n rg "$floor_cmd" -n hfaudit "$hf_cmd" ||
        die "hyperfine failed on $label"
    out=$(medians "$RES/hyperfine-$label.json") || die "cannot parse $RES/hyperfine-$label.json"
    read -r MED_RG MED_HF RATIO <<<"$out"
}

ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
sec() { awk -v s="$1" 'BEGIN { printf "%.3f s", s }'; }

if [[ $TINY_ONLY == 0 ]]; then
    time_pair "$MAIN_NAME" "$MAIN_TREE" 1 "$RUNS"
    BIG_RG=$MED_RG BIG_HF=$MED_HF BIG_RATIO=$RATIO
    printf 'median: rg %s, hfaudit %s, ratio hfaudit/rg %s\n' "$(sec "$BIG_RG")" "$(sec "$BIG_HF")" "$BIG_RATIO"
fi
time_pair tiny "$TINY_TREE" 3 30
TINY_RG=$MED_RG TINY_HF=$MED_HF TINY_RATIO=$RATIO
printf 'median: rg %s, hfaudit %s, ratio hfaudit/rg %s\n' "$(ms "$TINY_RG")" "$(ms "$TINY_HF")" "$TINY_RATIO"

# --------------------------------------------------------------- memory

log "/usr/bin/time -v hfaudit scan --format json $MAIN_TREE"
time_rc=0
/usr/bin/time -v -o "$RES/time-v.txt" "$BIN" scan --format json "$MAIN_TREE" >/dev/null 2>"$RES/time-v.stderr" ||
    time_rc=$?
((time_rc <= 1)) || warn "hfaudit exited with status $time_rc under /usr/bin/time (see $RES/time-v.stderr)"
RSS_KB=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$RES/time-v.txt")
[[ $RSS_KB =~ ^[0-9]+$ ]] || die "no 'Maximum resident set size' line in $RES/time-v.txt"
RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
printf 'peak RSS %s MB (%s kB)\n' "$RSS_MB" "$RSS_KB"

# ---------------------------------------------------------------- score

log "score.py $MAIN_TRUTH"
python3 "$BENCH_DIR/score.py" "$MAIN_TRUTH" "$RES/out.jsonl" --root "$MAIN_TREE" --format jsonl |
    tee "$RES/score.txt" || die "score.py failed"
python3 "$BENCH_DIR/score.py" "$MAIN_TRUTH" "$RES/out.jsonl" --root "$MAIN_TREE" --format jsonl --json \
    >"$RES/score.json" || die "score.py --json failed"
SCORE_LINE=$(head -n 1 "$RES/score.txt")
SCORE_VERDICT=$(python3 - "$RES/score.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
nd = r.get("negatives_by_difficulty", {})
bad = {d: nd[d][0] for d in ("boundary", "shape") if d in nd and nd[d][0]}
ok = r["recall"] == 1.0 and not bad
extra = ", ".join(f"{d} negatives reported {n}" for d, n in bad.items())
print(("met" if ok else "MISSED") + (f" ({extra})" if extra else ""))
EOF
) || SCORE_VERDICT="?"

# -------------------------------------------------------------- summary

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print ((v + 0 <= t + 0) ? "met" : "MISSED") }'; }

{
    printf '\n================ hfaudit benchmark summary ================\n'
    printf 'hfaudit commit     %s\n' "$COMMIT"
    printf 'binary             %s (%s)\n' "$BIN" "$BUILD_NOTE"
    printf 'corpus             %s: %s\n' "$MAIN_NAME" "$CORPUS_INFO"
    if [[ $TINY_ONLY == 0 ]]; then
        printf '%-18s rg %s | hfaudit %s | ratio hfaudit/rg %s\n' "median, $MAIN_NAME" \
            "$(sec "$BIG_RG")" "$(sec "$BIG_HF")" "$BIG_RATIO"
        printf '%-18s (%s runs after 1 warm-up; target ratio <= 1.0 on the 1 GB corpus: %s)\n' "" \
            "$RUNS" "$(verdict "$BIG_RATIO" 1.0)"
    fi
    printf '%-18s rg %s | hfaudit %s | ratio hfaudit/rg %s\n' "median, tiny" \
        "$(ms "$TINY_RG")" "$(ms "$TINY_HF")" "$TINY_RATIO"
    printf '%-18s (5 files, 30 runs after 3 warm-ups; target hfaudit < 20 ms: %s)\n' "" \
        "$(verdict "$TINY_HF" 0.0199999)"
    printf '%-18s %s MB (%s kB, /usr/bin/time -v on %s; target < 200 MB: %s)\n' "peak RSS" \
        "$RSS_MB" "$RSS_KB" "$MAIN_NAME" "$(verdict "$RSS_MB" 199.9999)"
    printf 'score              %s\n' "$SCORE_LINE"
    printf '                   (target recall 1.0, no boundary/shape negatives: %s)\n' "$SCORE_VERDICT"
    printf 'tools              %s; %s; %s cores\n' "$HYPERFINE_VERSION" "$RG_VERSION" "$(nproc 2>/dev/null || echo '?')"
    printf 'note               warm-cache medians (page cache warmed by the warm-up runs) on a shared,\n'
    printf '                   noisy machine: compare ratios measured in one run, not absolute times\n'
    printf 'results            %s\n' "$RES"
} | tee "$RES/summary.txt"

if [[ $CLEAN == 1 ]]; then
    log "--clean: removing the corpora of this run"
    if [[ $TINY_ONLY == 0 ]]; then rm -rf -- "${TMP_ROOT:?}/mb-$MB"; fi
    rm -rf -- "${TMP_ROOT:?}/tiny"
fi
