#!/usr/bin/env bash
# Wall time and requests by class (API, resolve, git, CDN) of `hfaudit scan hf://bench` on an
# organisation of 200 models x 20 files served by a local mock Hub (bench/mock_hub_org.py,
# 127.0.0.1 only: the real Hub is never contacted) that waits 50 ms before every answer and
# serves each repository over git as well (dumb HTTP by default, or `git http-backend`).
#
#   bench/hub.sh [--repos N] [--files N] [--latency-ms MS] [--git dumb|smart]
#
# Runs, in order: one request a file (--per-file, how hfaudit read the Hub before), a full
# run through git recording a state (--state), a second run with nothing changed, a run after
# one push, and three shards (--shard K/3) in parallel, merged with `hfaudit merge`, then each
# shard alone (as on its own runner of a CI matrix).
# HFAUDIT_BIN=path skips the build; CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."

repos=200 files=20 latency=50 gitmode=dumb
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repos) repos=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --latency-ms) latency=$2; shift 2 ;;
    --git) gitmode=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

source bench/mock-lib.sh

start_mock bench/mock_hub_org.py --repos "$repos" --files "$files" --latency-ms "$latency" \
  --git "$gitmode" --dir "$work/git"

scan=(env -u HF_TOKEN HF_HOME="$work/home" "$HFAUDIT_BIN" scan hf://bench --endpoint "$endpoint"
      --format json --no-config --no-progress)

# CPU time (user + system) of hfaudit and the git it runs, when GNU time is there.
timed() {
  local out=$1; shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "%U %S" -o "$out" "$@"
  else
    echo "0 0" >"$out"; "$@"
  fi
}

# run NAME ARGS...: one timed run; prints a table row (requests by class are the mock's count).
run() {
  local name=$1; shift
  local before after start end status
  before=$(count)
  start=$(date +%s.%N)
  set +e
  timed "$work/$name.cpu" "${scan[@]}" -o "$work/$name.json" "$@" 2>"$work/$name.err"
  status=$?
  set -e
  end=$(date +%s.%N)
  after=$(count)
  row "$name" "$status" "$start" "$end" "$before" "$after" "$work/$name.cpu" "$work/$name.json"
}

row() {
  python3 - "$repos" "$@" <<'PY'
import json, sys
repos, name, status, start, end, before, after, *files = sys.argv[1:]
cpus = [f for f in files if f.endswith(".cpu")]
reports = [f for f in files if f.endswith(".json")]
b, a = json.loads(before), json.loads(after)
d = {k: a[k] - b[k] for k in a}
cpu = sum(sum(float(x) for x in open(c).read().split()[-2:]) for c in cpus)
findings = scanned = 0
for r in reports:
    rep = json.load(open(r))
    findings += len(rep["findings"])
    scanned += rep["summary"]["files_scanned"]
n = int(repos)
total = sum(d.values())
print(f"| {name} | {float(end) - float(start):.2f} s | {cpu:.1f} s | {d['api']} | {d['resolve']} | "
      f"{d['git']} | {total / n:.2f} | {d['api'] / n:.2f} | {scanned} | {findings} | {status} |")
PY
}

echo "$repos repos x $files files, ${latency} ms per request, git over $gitmode HTTP;" \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | wall | CPU | API | resolve | git | requests a repository | API a repository | files read | findings | exit |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
run per-file --per-file
run full --state "$work/state.json"
run unchanged --state "$work/state.json"
python3 -c "import urllib.request as u; u.urlopen(u.Request('$endpoint/push?repo=bench/model-0007', method='POST')).read()"
run after-push --state "$work/state.json"

# Three shards in parallel, each a full run of its part, then merged.
before=$(count)
start=$(date +%s.%N)
pids=()
for k in 1 2 3; do
  timed "$work/shard-$k.cpu" "${scan[@]}" --shard "$k/3" -o "$work/shard-$k.json" \
    2>"$work/shard-$k.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
end=$(date +%s.%N)
after=$(count)
row "3 shards in parallel" "-" "$start" "$end" "$before" "$after" \
  "$work"/shard-{1,2,3}.cpu "$work"/shard-{1,2,3}.json
# Each shard alone, as each runs on a runner of its own in a CI matrix: the largest one's wall
# is the matrix's wall.
for k in 1 2 3; do
  run "shard-$k-alone" --shard "$k/3"
done
set +e
"$HFAUDIT_BIN" merge --no-config --format json "$work"/shard-{1,2,3}.json >"$work/merged.json" 2>/dev/null
set -e
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
key = lambda r: sorted((f["rule"], f["path"], f["line"]) for f in r["findings"])
full, after, merged = (json.load(open(f"{w}/{n}.json")) for n in ("full", "after-push", "merged"))
print()
print(f"merged shards = full run's findings: {key(merged) == key(after)} "
      f"({len(merged['findings'])} findings; the push added "
      f"{len(after['findings']) - len(full['findings'])})")
PY
# What the split allows: each fetch is a chain of requests one after the other, eight chains
# at a time, so a run of P repositories takes about ceil(P / 8) chains' time; the largest
# part's ceil against the whole's is the best ratio any run of the parts can reach.
python3 - "$work" "$repos" <<'PY'
import math, re, sys
w, total = sys.argv[1], int(sys.argv[2])
parts = []
for k in (1, 2, 3):
    m = re.search(r"--shard \d+/\d+: (\d+) of", open(f"{w}/shard-{k}.err").read())
    parts.append(int(m.group(1)) if m else 0)
rounds = lambda n: math.ceil(n / 8)
print(f"parts: {', '.join(map(str, parts))} of {total}; at 8 fetches at once the largest is "
      f"{rounds(max(parts))} rounds of fetches against {rounds(total)}: "
      f"{rounds(max(parts)) / rounds(total):.2f} of a full run at best")
PY
grep -h "^note: read" "$work"/full.err "$work"/unchanged.err | sed 's/^/  /'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
