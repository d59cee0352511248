#!/usr/bin/env bash
# The GitHub Action's first step (action.yml): install the prebuilt hfaudit wheel of the action's
# own version into a private virtualenv, put it on PATH for later steps, and name the binary in
# the step's outputs. HFAUDIT_BUILD=prebuilt makes `pip install <action folder>` resolve to
# `hfaudit==<the action's Cargo.toml version>` instead of compiling (python/hfaudit_build.py).
# pip's usual variables (PIP_INDEX_URL, PIP_FIND_LINKS) choose where the wheel comes from.
set -euo pipefail
action_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/hfaudit-venv"
python=$(command -v python3 || command -v python || true)
if [ -z "$python" ]; then
  echo "::error title=hfaudit::no Python on this runner: add actions/setup-python before this action" >&2
  exit 2
fi
"$python" -m venv "$venv"
bin="$venv/bin"
[ -d "$venv/Scripts" ] && bin="$venv/Scripts" # Windows
HFAUDIT_BUILD=prebuilt "$bin/python" -m pip install --quiet --disable-pip-version-check "$action_dir"
exe="$bin/hfaudit"
[ -x "$exe.exe" ] && exe="$exe.exe"
"$exe" --version
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "hfaudit=$exe" >>"$GITHUB_OUTPUT"; fi
if [ -n "${GITHUB_PATH:-}" ]; then echo "$bin" >>"$GITHUB_PATH"; fi
