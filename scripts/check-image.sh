#!/usr/bin/env bash
# The Docker image, built and run without a daemon (called by .ci/run after the release build).
#
# buildah (vfs storage, chroot isolation, as root) builds the repository's Dockerfile around the
# release binary CI already built (BINARY: an image holding target/release/hfaudit; nothing is
# compiled in the image) on a Debian base (BASE) that mmdebstrap makes here from Debian's mirror:
# CI reaches Debian, PyPI and crates.io, not a container registry. Then, in the image, as its
# unprivileged user: `hfaudit --version`, the image's own command (ENTRYPOINT + CMD: `hfaudit
# scan`) on a mounted folder holding a fake token (exit 1, the finding redacted), a clean folder
# (exit 0) and `scan --staged` in a mounted git repository that another user owns.
#
# Needs root (or sudo without a password) and apt-get: buildah and mmdebstrap are installed from
# Debian when missing. Images live in their own store (HFAUDIT_IMAGE_STORE), so a second run
# reuses the base and leaves nothing behind but it. docs/install.md#docker says more.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n --preserve-env=HFAUDIT_BIN,CARGO_TARGET_DIR,HFAUDIT_IMAGE_STORE,HFAUDIT_DEBIAN_MIRROR,PYTHON \
      bash "$0" "$@"
  fi
  echo "FAILED: the image check needs root (buildah with vfs storage and chroot isolation)" >&2
  exit 1
fi

started=$SECONDS
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
bin=${HFAUDIT_BIN:-${CARGO_TARGET_DIR:-target}/release/hfaudit}
[ -x "$bin" ] || {
  echo "FAILED: no release binary at $bin: run \`cargo build --release --locked\` first" >&2
  exit 1
}
store=${HFAUDIT_IMAGE_STORE:-/var/tmp/hfaudit-image-store}
mirror=${HFAUDIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
python=${PYTHON:-python3}
# The suite the image runs: newer than the one the binary was built on (glibc is backward
# compatible only), and the Dockerfile's default base.
suite=trixie
base="localhost/hfaudit-ci-base:$suite"
binary_image=localhost/hfaudit-ci-binary:latest
image=localhost/hfaudit:ci
work=$(mktemp -d "${TMPDIR:-/tmp}/hfaudit-image.XXXXXX")
b() { buildah --root "$store/storage" --runroot "$store/run" --storage-driver vfs "$@"; }
# The store is this script's own: every container in it is one of ours (buildah bud leaves one
# behind for the BINARY stage), and images other than the base and the last build can go.
cleanup() {
  b rm --all >/dev/null 2>&1 || true
  for i in $(b images --format '{{.Name}}' 2>/dev/null | grep '/pre-commit-' || true); do
    b rmi "$i" >/dev/null 2>&1 || true
  done
  b rmi --prune >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
ok() {
  passed=$((passed + 1))
  echo "ok: $*"
}
die() {
  echo "FAILED: $*" >&2
  echo "image checks: $passed passed, 1 failed"
  exit 1
}
expect_in() { [[ $1 == *"$2"* ]] || die "$3: no \"$2\" in:"$'\n'"$1"; }
expect_not_in() { [[ $1 != *"$2"* ]] || die "$3"; }

echo "== buildah and mmdebstrap (Debian packages)"
if ! command -v buildah >/dev/null || ! command -v mmdebstrap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq buildah mmdebstrap debian-archive-keyring >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq buildah mmdebstrap debian-archive-keyring >/dev/null; }
fi
export BUILDAH_ISOLATION=chroot
ok "$(buildah --version)"

echo "== the base: Debian $suite (minbase, as debian:$suite-slim), made by mmdebstrap"
if ! b inspect --type image "$base" >/dev/null 2>&1; then
  mmdebstrap --quiet --variant=minbase --mode=root --format=tar \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' "$suite" "$work/rootfs.tar" "$mirror"
  ctr=$(b from scratch)
  b add "$ctr" "$work/rootfs.tar" / >/dev/null
  b config --cmd /bin/bash "$ctr"
  b commit --quiet "$ctr" "$base" >/dev/null
  rm -f "$work/rootfs.tar"
  ok "made $base"
else
  ok "reused $base"
fi

echo "== the image: the Dockerfile, BINARY = this release build"
ctr=$(b from scratch)
b copy --chmod 0755 "$ctr" "$bin" /out/hfaudit >/dev/null
b commit --quiet "$ctr" "$binary_image" >/dev/null
build_started=$SECONDS
b bud --quiet --layers --pull=false --build-arg BASE="$base" \
  --build-arg BINARY="$binary_image" --tag "$image" --file Dockerfile . >"$work/build.log" 2>&1 ||
  die "buildah bud"$'\n'"$(tail -n 30 "$work/build.log")"
size=$(b images --format '{{.Size}}' "$image")
size=${size%%$'\n'*}
ok "built $image from Dockerfile in $((SECONDS - build_started)) s ($size)"
config=$(b inspect --type image "$image")
read -r entrypoint user workdir < <("$python" -c 'import json, sys
c = json.load(sys.stdin)["OCIv1"]["config"]
print(json.dumps(c.get("Entrypoint") + (c.get("Cmd") or []), separators=(",", ":")), c.get("User"), c.get("WorkingDir"))' <<<"$config")
[ "$entrypoint" = '["hfaudit","scan"]' ] || die "ENTRYPOINT + CMD: $entrypoint"
[ "$user" = hfaudit ] && [ "$workdir" = /src ] || die "USER $user, WORKDIR $workdir"
ok "ENTRYPOINT + CMD is hfaudit scan, as user hfaudit in /src"

# One container for every run below (with vfs storage each container is a full copy of the
# image): nothing here writes outside the mounted folder.
running=$(b from --pull=false "$image")
# run_image DIR ARGS...: the image's command line with DIR mounted at /src, as `docker run -v
# DIR:/src IMAGE ARGS...` would run it (buildah run applies USER and WORKDIR, not ENTRYPOINT);
# sets out and code. The output goes through a file in a second mount: `buildah run` with chroot
# isolation now and then loses a quick command's standard output (1 run in 60 here).
run_image() {
  local dir=$1
  shift
  local args=("$@")
  [ ${#args[@]} -gt 0 ] || args=(scan)
  local io="$work/io"
  rm -rf "$io"
  mkdir -p "$io"
  chmod 0777 "$io"
  b run --volume "$dir:/src" --volume "$io:/io" "$running" -- \
    sh -c 'hfaudit "$@" >/io/out 2>&1; echo $? >/io/code' sh "${args[@]}" ||
    die "buildah run hfaudit ${args[*]}"
  out=$(cat "$io/out")
  code=$(cat "$io/code")
}

fake_token() {
  "$python" -c 'import random, string, sys
r = random.Random(int(sys.argv[1])); a = string.ascii_letters + string.digits
print("hf_" + "".join(r.choice(a) for _ in range(32)) + "Q7")' "$1"
}
redacted() { echo "${1:0:7}…${1: -4}"; }

echo "== running the image"
mkdir -p "$work/empty"
run_image "$work/empty" --version
[ $code -eq 0 ] && [ "$out" = "hfaudit $version" ] || die "hfaudit --version: exit $code: $out"
ok "hfaudit --version says $version"
run_image "$work/empty" man
expect_in "$out" ".TH hfaudit 1" "hfaudit man"
ok "the man page renders"
b run "$running" -- sh -c 'test "$(id -u)" = 10001 && test -r /usr/share/doc/hfaudit/LICENSE-MIT && test -r /usr/share/doc/hfaudit/LICENSE-APACHE && git --version >/dev/null' ||
  die "user 10001, licence texts and git in the image"
ok "runs as uid 10001; git and the licence texts are there"

leaky="$work/leaky"
mkdir -p "$leaky"
token=$(fake_token 21)
printf 'from huggingface_hub import login\nlogin(token="%s")\n' "$token" >"$leaky/app.py"
run_image "$leaky"
[ $code -eq 1 ] || die "the image's scan of a folder with a token: exit $code"$'\n'"$out"
expect_in "$out" "error[HF001] leaked-token" "the image's report"
expect_in "$out" "app.py:2:14" "the image's report"
expect_in "$out" "$(redacted "$token")" "the image's report"
expect_not_in "$out" "$token" "the image printed a full token"
ok "docker run -v DIR:/src hfaudit: exit 1, the token redacted"
printf 'print("no secrets here")\n' >"$work/empty/ok.py"
run_image "$work/empty"
[ $code -eq 0 ] || die "a clean folder: exit $code"$'\n'"$out"
ok "a clean folder: exit 0"

repo="$work/repo"
git init --quiet "$repo"
token=$(fake_token 22)
printf 'HF_TOKEN=%s\n' "$token" >"$repo/.env"
git -C "$repo" add .env
run_image "$repo" scan --staged --format json
[ $code -eq 1 ] || die "scan --staged in the image: exit $code"$'\n'"$out"
expect_in "$out" '"path": ".env"' "scan --staged in the image"
expect_not_in "$out" "$token" "the image printed a full token"
ok "scan --staged reads a mounted repository another user owns (safe.directory)"

echo "== the hfaudit-docker pre-commit hook (its docker commands done by buildah)"
# pre-commit clones this repository at HEAD and builds its Dockerfile: what is committed.
shim="$work/shim"
mkdir -p "$shim"
ln -s "$root/scripts/docker-on-buildah.sh" "$shim/docker"
"$python" -m venv "$work/pc"
"$work/pc/bin/pip" install --quiet --disable-pip-version-check "pre-commit==4.7.0"
scratch="$work/scratch"
git init --quiet "$scratch"
printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: hfaudit-docker\n' \
  "$root" "$(git rev-parse HEAD)" >"$scratch/.pre-commit-config.yaml"
pc_env=(env PATH="$shim:$PATH" PRE_COMMIT_HOME="$work/pre-commit-home" PRE_COMMIT_COLOR=never
  HFAUDIT_IMAGE_STORE="$store" HFAUDIT_IMAGE_BASE="$base" HFAUDIT_IMAGE_BINARY="$binary_image"
  GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.invalid GIT_COMMITTER_NAME=ci
  GIT_COMMITTER_EMAIL=ci@example.invalid)
(cd "$scratch" && "${pc_env[@]}" "$work/pc/bin/pre-commit" install >/dev/null)
token=$(fake_token 23)
printf 'from huggingface_hub import login\nlogin(token="%s")\n' "$token" >"$scratch/app.py"
git -C "$scratch" add .pre-commit-config.yaml app.py
set +e
out=$(cd "$scratch" && "${pc_env[@]}" git commit --quiet -m leak 2>&1)
code=$?
set -e
[ $code -ne 0 ] || die "the hfaudit-docker hook must block a staged token"$'\n'"$out"
expect_in "$out" "error[HF001] leaked-token" "the hfaudit-docker hook"
expect_in "$out" "app.py:2:14" "the hfaudit-docker hook"
expect_in "$out" "$(redacted "$token")" "the hfaudit-docker hook"
expect_not_in "$out" "$token" "the hfaudit-docker hook printed a full token"
ok "the hfaudit-docker hook builds the image and blocks a staged token, redacted"
git -C "$scratch" rm --cached --quiet app.py
rm "$scratch/app.py"
printf 'print("no secrets here")\n' >"$scratch/ok.py"
git -C "$scratch" add ok.py
out=$(cd "$scratch" && "${pc_env[@]}" git commit --quiet -m clean 2>&1) ||
  die "the hfaudit-docker hook must pass a clean commit"$'\n'"$out"
expect_in "$out" "hfaudit (Hugging Face tokens)" "the hfaudit-docker hook ran"
[ "$(git -C "$scratch" rev-list --count HEAD)" = 1 ] || die "the clean commit was not made"
ok "the hfaudit-docker hook passes a clean commit"

echo "image checks: $passed passed, 0 failed ($((SECONDS - started)) s; $image is $size)"
