#!/usr/bin/env bash
# The fuzz targets' smoke run (CI): each target replays its committed corpus, then fuzzes for a
# few seconds; any crash fails the run (its input lands in fuzz/artifacts/TARGET/). New inputs
# go to a temporary folder: the committed corpora are never changed here.
#
#   scripts/fuzz-smoke.sh                     every target, FUZZ_SECONDS (5) each
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh inspect archive
#
# Needs the nightly toolchain (rustup) and installs cargo-fuzz from crates.io when missing.
# Built without a sanitizer and without optimisation (`--dev`), with debug assertions and
# overflow checks: on two cores that build costs about 3.6 CPU-minutes cold, where an
# optimised one costs 6.2 and an AddressSanitizer one 8.7, and a smoke run is mostly the
# replay of a few hundred inputs. The crate forbids unsafe code; the long runs (fuzz/README.md)
# are optimised and use AddressSanitizer. FUZZ_SANITIZER=address and FUZZ_PROFILE=--release
# change it; FUZZ_TARGET_DIR builds elsewhere than fuzz/target.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
seconds=${FUZZ_SECONDS:-5}
sanitizer=${FUZZ_SANITIZER:-none}
build=(--sanitizer "$sanitizer" "${FUZZ_PROFILE:---dev}")
if [ -n "${FUZZ_TARGET_DIR:-}" ]; then
    build+=(--target-dir "$FUZZ_TARGET_DIR")
fi

if ! rustup toolchain list | grep '^nightly' >/dev/null; then
    echo "fuzz-smoke: the nightly toolchain is missing: rustup toolchain install nightly --profile minimal" >&2
    exit 1
fi
if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# The longest input worth trying per target (bytes).
max_len() {
    case "$1" in
        archive | inspect) echo 20000 ;;
        git_parse | config) echo 4096 ;;
        *) echo 8192 ;;
    esac
}

cd fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build "${build[@]}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t" "corpus/$t"
    echo "fuzz-smoke: $t (${seconds}s)"
    log="$scratch/$t.log"
    if ! cargo +nightly fuzz run "${build[@]}" "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz-smoke: $t failed; the input is in fuzz/artifacts/$t/ (see fuzz/README.md)" >&2
        exit 1
    fi
    grep -E '^stat::number_of_executed_units' "$log" || true
done
