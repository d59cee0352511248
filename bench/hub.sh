#!/usr/bin/env bash
# Wall time and requests of `hfaudit scan hf://bench` on an organisation of 200 models x 20
# files served by a local mock Hub (bench/mock_hub_org.py, 127.0.0.1 only: the real Hub is never
# contacted) that waits 50 ms before every answer.
#
#   bench/hub.sh [--repos N] [--files N] [--latency-ms MS] [--runs N]
#
# HFAUDIT_BIN=path skips the build; CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."

repos=200 files=20 latency=50 runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repos) repos=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --latency-ms) latency=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

source bench/mock-lib.sh

start_mock bench/mock_hub_org.py --repos "$repos" --files "$files" --latency-ms "$latency"

cmd=(env -u HF_TOKEN HF_HOME="$work/home" "$HFAUDIT_BIN" scan hf://bench --endpoint "$endpoint"
     --format json --no-config --no-progress)
echo "$repos repos x $files files, ${latency} ms per request"
for i in $(seq "$runs"); do
  before=$(count)
  start=$(date +%s.%N)
  set +e
  "${cmd[@]}" >"$work/report.json" 2>/dev/null
  status=$?
  set -e
  end=$(date +%s.%N)
  after=$(count)
  python3 - "$work/report.json" "$status" "$start" "$end" "$((after - before))" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
print(f"run: exit {sys.argv[2]}, {float(sys.argv[4]) - float(sys.argv[3]):.2f} s, "
      f"{sys.argv[5]} requests, {s['files_scanned']} files, {s['findings']} findings, "
      f"{len(r['errors'])} errors")
PY
done
