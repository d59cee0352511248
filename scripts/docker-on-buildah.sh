#!/usr/bin/env bash
# `docker` for pre-commit's `language: docker` hooks, done by buildah: scripts/check-image.sh puts
# it on PATH (as `docker`) to run the hfaudit-docker hook where there is no Docker daemon. It
# knows the three commands pre-commit 4 runs, as pre-commit runs them:
#
#   docker build --tag T --label PRE_COMMIT [--pull] .   (in its clone of the hook's repository)
#   docker system info --format '{{ json . }}'           (rootless or not: `{}`, not)
#   docker run --rm [--tty] -u UID:GID -v CWD:/src:rw,Z --workdir /src --entrypoint E T ARGS...
#
# The build gets the build arguments BASE and BINARY from the variables HFAUDIT_IMAGE_BASE and
# HFAUDIT_IMAGE_BINARY (no registry is reachable); storage is HFAUDIT_IMAGE_STORE's, vfs. The
# run needs `sh` in the image (Debian's): the hook's output comes back through a file.
set -uo pipefail
store=${HFAUDIT_IMAGE_STORE:?}
b() { buildah --root "$store/storage" --runroot "$store/run" --storage-driver vfs "$@"; }
export BUILDAH_ISOLATION=chroot

case "${1:-}" in
  build)
    shift
    tag=""
    while [ $# -gt 1 ]; do
      case "$1" in
        --tag) tag=$2 && shift 2 ;;
        --label) shift 2 ;;
        *) shift ;; # --pull: the base is local
      esac
    done
    b bud --quiet --layers --pull=false --build-arg BASE="${HFAUDIT_IMAGE_BASE:?}" \
      --build-arg BINARY="${HFAUDIT_IMAGE_BINARY:?}" --tag "$tag" "$1" >/dev/null
    ;;
  system)
    echo '{}' # no daemon to describe: pre-commit takes it as rootful and passes -u
    ;;
  run)
    shift
    opts=()
    entry=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --rm | --tty) shift ;;
        -u) opts+=(--user "$2") && shift 2 ;;
        -v) opts+=(--volume "${2%:rw,Z}:rw") && shift 2 ;; # no SELinux relabelling here
        --workdir) opts+=(--workingdir "$2") && shift 2 ;;
        --entrypoint) entry=$2 && shift 2 ;;
        *) break ;;
      esac
    done
    container=$(b from --pull=false "$1") || exit 2
    shift
    # The output comes back through a file: `buildah run` with chroot isolation now and then
    # loses a quick command's standard output.
    io=$(mktemp -d)
    chmod 0777 "$io"
    b run ${opts[@]+"${opts[@]}"} --volume "$io:/io" "$container" -- \
      sh -c '"$@" >/io/out 2>&1; echo $? >/io/code' sh ${entry:+"$entry"} "$@"
    cat "$io/out" 2>/dev/null
    code=$(cat "$io/code" 2>/dev/null || echo 2)
    rm -rf "$io"
    b rm "$container" >/dev/null
    exit "$code"
    ;;
  *)
    echo "docker-on-buildah.sh: \`docker ${1:-}\` is not supported" >&2
    exit 2
    ;;
esac
