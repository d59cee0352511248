#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml). Chooses what to scan from the event, writes the job
# summary (--format markdown) and, when asked, a SARIF file, then prints the report in the chosen
# format and exits with its code: 0 clean, 1 findings at or above fail-on, 2 an error.
# Everything comes in through variables (INPUT_*, PR_BASE, PUSH_BEFORE, GITHUB_*), so a branch
# name or an input can never become shell code.
set -uo pipefail
hfaudit=${HFAUDIT:-hfaudit}
notice() { echo "::notice title=hfaudit::$*"; }

is_commit() { [ -n "$1" ] && git cat-file -e "$1^{commit}" 2>/dev/null; }
zeros='^0+$'

# --since/--range need the base commit and the history up to it: a shallow checkout lacks them.
unshallow() {
  if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
    notice "fetching the full history (set fetch-depth: 0 on actions/checkout to skip this)"
    git fetch --quiet --no-tags --unshallow origin || true
  fi
}

mode=()
if [ -n "${INPUT_RANGE:-}" ]; then
  unshallow
  mode=(--range "$INPUT_RANGE")
elif [ -n "${INPUT_SINCE:-}" ]; then
  unshallow
  mode=(--since "$INPUT_SINCE")
else
  base=""
  case "${GITHUB_EVENT_NAME:-}" in
    pull_request | pull_request_target) base=${PR_BASE:-} ;;
    push) base=${PUSH_BEFORE:-} ;;
  esac
  if [ -n "$base" ] && ! [[ $base =~ $zeros ]]; then
    is_commit "$base" || unshallow
    if is_commit "$base"; then
      mode=(--since "$base")
    else
      notice "base commit ${base:0:12} is not in this repository (a force push?): scanning the whole tree"
    fi
  fi
fi

# ${a[@]+"${a[@]}"}: an empty array under `set -u` on the bash 3.2 of macOS runners.
common=(scan ${mode[@]+"${mode[@]}"} --no-progress)
[ "${INPUT_VERIFY:-false}" = true ] && common+=(--verify)
# Word splitting on purpose: lists separated by spaces.
# shellcheck disable=SC2206
extra=(${INPUT_ARGS:-})
# shellcheck disable=SC2206
paths=(${INPUT_PATH:-})
common+=(${extra[@]+"${extra[@]}"})
[ ${#paths[@]} -gt 0 ] && common+=(-- "${paths[@]}")

work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
if [ "${INPUT_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  "$hfaudit" "${common[@]}" --format markdown --fail-on never --output "$work/hfaudit-summary.md" 2>/dev/null
  [ -f "$work/hfaudit-summary.md" ] && cat "$work/hfaudit-summary.md" >>"$GITHUB_STEP_SUMMARY"
fi
if [ "${INPUT_UPLOAD_SARIF:-false}" = true ]; then
  sarif="$work/hfaudit.sarif"
  "$hfaudit" "${common[@]}" --format sarif --fail-on never --output "$sarif" 2>/dev/null
  if [ -f "$sarif" ] && [ -n "${GITHUB_OUTPUT:-}" ]; then echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"; fi
fi
"$hfaudit" "${common[@]}" --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-warning}"
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "exit-code=$code" >>"$GITHUB_OUTPUT"; fi
exit "$code"
