#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml). Chooses what to scan from the event, writes the job
# summary (--format markdown) and, when asked, a SARIF file, then prints the report in the chosen
# format and exits with its code: 0 clean, 1 findings at or above fail-on, 2 an error.
# Everything comes in through variables (INPUT_*, PR_BASE, PUSH_BEFORE, GITHUB_*), so a branch
# name or an input can never become shell code.
set -uo pipefail
hfaudit=${HFAUDIT:-hfaudit}
notice() { echo "::notice title=hfaudit::$*"; }
# A workflow command's message: the runner reads %, CR and LF as escapes.
command_data() {
  local text=${1//%/%25}
  text=${text//$'\r'/%0D}
  printf '%s' "${text//$'\n'/%0A}"
}
# Text for a Markdown code span in the job summary: no backtick, no line break.
span() {
  local text=${1//\`/}
  printf '`%s`' "${text//$'\n'/ }"
}

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
# What was scanned, in words, for the job summary.
scope=""
if [ -n "${INPUT_RANGE:-}" ]; then
  unshallow
  mode=(--range "$INPUT_RANGE")
  scope="the commits in $(span "$INPUT_RANGE")"
elif [ -n "${INPUT_SINCE:-}" ]; then
  unshallow
  mode=(--since "$INPUT_SINCE")
  scope="the commits after $(span "$INPUT_SINCE")"
else
  base=""
  case "${GITHUB_EVENT_NAME:-}" in
    pull_request | pull_request_target) base=${PR_BASE:-} ;;
    push) base=${PUSH_BEFORE:-} ;;
  esac
  why="no base commit to compare with"
  if [ -n "$base" ] && [[ $base =~ $zeros ]]; then why="a new branch"; fi
  if [ -n "$base" ] && ! [[ $base =~ $zeros ]]; then
    is_commit "$base" || unshallow
    if is_commit "$base"; then
      mode=(--since "$base")
      case "$GITHUB_EVENT_NAME" in
        push) scope="the commits this push added, after $(span "${base:0:12}")" ;;
        *) scope="the commits of this pull request, after its base $(span "${base:0:12}")" ;;
      esac
    else
      why="the base commit ${base:0:12} is not in this repository"
      notice "base commit ${base:0:12} is not in this repository (a force push?): scanning the whole tree"
    fi
  fi
  if [ -z "$scope" ]; then
    head=$(git rev-parse --short=12 HEAD 2>/dev/null || true)
    scope="the whole tree${head:+ at $(span "$head")} ($why)"
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

[ ${#paths[@]} -gt 0 ] && scope+=", limited to $(span "${paths[*]}")"

work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
if [ "${INPUT_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  summary="$work/hfaudit-summary.md"
  rm -f "$summary"
  "$hfaudit" "${common[@]}" --format markdown --fail-on never --output "$summary" 2>"$work/hfaudit-summary.err"
  if [ -f "$summary" ]; then
    cat "$summary" >>"$GITHUB_STEP_SUMMARY"
  else
    # No report at all: the scan could not start (a bad revision, a bad config).
    {
      echo "### hfaudit: the scan failed"
      echo
      sed 's/^/    /' "$work/hfaudit-summary.err"
    } >>"$GITHUB_STEP_SUMMARY"
  fi
  printf '\nScanned %s.\n' "$scope" >>"$GITHUB_STEP_SUMMARY"
fi
if [ "${INPUT_UPLOAD_SARIF:-false}" = true ]; then
  sarif="$work/hfaudit.sarif"
  "$hfaudit" "${common[@]}" --format sarif --fail-on never --output "$sarif" 2>/dev/null
  if [ -f "$sarif" ] && [ -n "${GITHUB_OUTPUT:-}" ]; then echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"; fi
fi
format=${INPUT_FORMAT:-github}
"$hfaudit" "${common[@]}" --format "$format" --fail-on "${INPUT_FAIL_ON:-warning}" 2>"$work/hfaudit.err"
code=$?
cat "$work/hfaudit.err" >&2
if [ "$code" -eq 2 ]; then
  # Errors become annotations whatever the format. A fatal one (the scan could not run) is on
  # stderr; files that could not be read are in the report, which --format github already
  # prints as annotations.
  while IFS= read -r line; do
    case "$line" in
      error:*) echo "::error title=hfaudit::$(command_data "${line#error: }")" ;;
    esac
  done <"$work/hfaudit.err"
  if [ "$format" != github ]; then
    plain=() # the same arguments less --verify: no second question to the Hub
    for arg in "${common[@]}"; do [ "$arg" = --verify ] || plain+=("$arg"); done
    "$hfaudit" "${plain[@]}" --format github --fail-on never 2>/dev/null | grep '^::error file=' || true
  fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "exit-code=$code" >>"$GITHUB_OUTPUT"; fi
exit "$code"
