#!/usr/bin/env bash
# Wall time of `hfaudit scan --verify` on 50 unique fake tokens against a local mock Hub that
# answers every whoami-v2 request after 200 ms (bench/mock_hub.py, 127.0.0.1 only: the real Hub
# is never contacted). Target: a few seconds, not ten (50 × 200 ms one at a time would be 10 s).
#
#   bench/verify.sh [--tokens N] [--latency-ms MS] [--runs N]
#
# HFAUDIT_BIN=path skips the build; CARGO_TARGET_DIR is honoured. Uses hyperfine when installed,
# else /usr/bin/time (else bash's time).
set -euo pipefail
cd "$(dirname "$0")/.."

tokens=50 latency=200 runs=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tokens) tokens=$2; shift 2 ;;
    --latency-ms) latency=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

source bench/mock-lib.sh

# The tree: one file per token, a read-only use each. Tokens are random, made here.
python3 - "$work/tree" "$tokens" <<'PY'
import os, secrets, string, sys
root, n = sys.argv[1], int(sys.argv[2])
alnum = string.ascii_letters + string.digits
os.makedirs(root)
for i in range(n):
    body = "".join(secrets.choice(alnum) for _ in range(33)) + secrets.choice(string.digits)
    with open(os.path.join(root, f"job{i:03}.py"), "w") as f:
        f.write("from huggingface_hub import hf_hub_download\n")
        f.write(f'hf_hub_download("org/model", "config.json", token="hf_{body}")\n')
PY

start_mock bench/mock_hub.py --latency-ms "$latency"

cmd=("$HFAUDIT_BIN" scan --verify --endpoint "$endpoint" --format json --no-config "$work/tree")

# One checked run: every token answered, each asked once.
before=$(count)
set +e
"${cmd[@]}" >"$work/report.json"
status=$?
set -e
after=$(count)
verified=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['verified_tokens'])" "$work/report.json")
echo "check: exit $status, $verified of $tokens tokens verified, $((after - before)) requests"
if [[ "$verified" != "$tokens" || $((after - before)) != "$tokens" ]]; then
  echo "check failed" >&2
  exit 1
fi

echo "timing: $tokens unique tokens, mock latency ${latency} ms"
if command -v hyperfine >/dev/null; then
  hyperfine --runs "$runs" --warmup 1 -i --export-json "$work/hyperfine.json" \
    "$(printf '%q ' "${cmd[@]}")"
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f'wall time: median {r[\"median\"]:.2f} s, min {r[\"min\"]:.2f} s, max {r[\"max\"]:.2f} s over {len(r[\"times\"])} runs')" "$work/hyperfine.json"
elif [[ -x /usr/bin/time ]]; then
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$work/time.$i" "${cmd[@]}" >/dev/null || true
  done
  cat "$work"/time.* | sort -n | python3 -c "import sys; t=[float(x) for x in sys.stdin]; print(f'wall time: median {t[len(t)//2]:.2f} s, min {t[0]:.2f} s, max {t[-1]:.2f} s over {len(t)} runs')"
else
  time { "${cmd[@]}" >/dev/null || true; }
fi
