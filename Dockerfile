# hfaudit in a container: for `language: docker` pre-commit hooks (the hfaudit-docker hook) and CI
# images. A release build on Debian, then Debian slim with git, which the git modes run. Debian
# rather than Alpine (196 MB, where an Alpine image would be a fraction of it): CI builds and
# runs this very file around its own glibc build, on a base it can make from Debian's mirror
# (docs/install.md).
#
#   docker build -t hfaudit .
#   docker run --rm -v "$PWD:/src" hfaudit scan            # a tree scan of the current folder
#   docker run --rm -v "$PWD:/src" hfaudit scan --staged   # what the next commit records
#
# Two build arguments let an image package a binary built elsewhere (CI does: scripts/check-image.sh
# builds this file with buildah, offline, from the release build it already has):
#   BINARY  an image holding the binary at /out/hfaudit, instead of compiling it here
#   BASE    the image the binary runs in (a glibc one: Debian 13 or newer for a binary built on
#           Debian 12 or Ubuntu 24.04)
ARG BASE=debian:trixie-slim
ARG BINARY=compiled

FROM rust:1.88-slim-bookworm AS compiled
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
COPY data ./data
RUN cargo build --release --locked \
    && install -D -m 0755 target/release/hfaudit /out/hfaudit

FROM ${BINARY} AS binary

FROM ${BASE}
# git for --staged/--since/--range/--history, ca-certificates for the HTTPS clone of
# `--history hf://…`; nothing else: hfaudit's own TLS roots (--verify, hf://) are built in.
# A mounted repository belongs to the host's user, not this one: safe.directory lets git read it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin hfaudit \
    && git config --system safe.directory '*'
COPY --from=binary /out/hfaudit /usr/local/bin/hfaudit
COPY LICENSE-MIT LICENSE-APACHE /usr/share/doc/hfaudit/
USER hfaudit
WORKDIR /src
ENTRYPOINT ["hfaudit"]
CMD ["scan"]
