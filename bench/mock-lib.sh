# Shared by bench/hub.sh and bench/verify.sh (sourced, not run): the binary, a scratch folder
# removed on exit, and a mock Hub on 127.0.0.1 (the real Hub is never contacted).

# HFAUDIT_BIN, built with `cargo build --release` unless it is set.
if [[ -z "${HFAUDIT_BIN:-}" ]]; then
  cargo build --release --quiet
  HFAUDIT_BIN="${CARGO_TARGET_DIR:-target}/release/hfaudit"
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_mock SCRIPT [ARG ...]: runs a mock Hub script that prints its port, sets `endpoint`.
start_mock() {
  python3 "$@" >"$work/port" &
  server_pid=$!
  # (a mock that makes git repositories first takes a while)
  for _ in $(seq 1200); do [[ -s "$work/port" ]] && break; sleep 0.1; done
  endpoint="http://127.0.0.1:$(head -1 "$work/port")"
}

# The number of requests the mock has answered.
count() { python3 -c "import urllib.request as u; print(u.urlopen('$endpoint/count').read().decode())"; }
