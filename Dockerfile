# hfaudit in a container: for `language: docker` pre-commit hooks (the hfaudit-docker hook) and CI
# images. Two stages: a static (musl) build, then Alpine with git, which the git modes run.
#
#   docker build -t hfaudit .
#   docker run --rm -v "$PWD:/src" hfaudit scan            # a tree scan of the current folder
#   docker run --rm -v "$PWD:/src" hfaudit scan --staged   # what the next commit records

FROM rust:1.88-alpine AS build
# ring compiles a little C and assembly.
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
COPY data ./data
COPY README.md ./
RUN cargo build --release --locked \
    && install -D -m 0755 target/release/hfaudit /out/hfaudit

FROM alpine:3.22
# git for --staged/--since/--range/--history; nothing else: TLS roots for --verify are built in.
# A mounted repository belongs to the host's user, not this one: safe.directory lets git read it.
RUN apk add --no-cache git \
    && adduser -D -u 10001 hfaudit \
    && git config --system safe.directory '*'
COPY --from=build /out/hfaudit /usr/local/bin/hfaudit
USER hfaudit
WORKDIR /src
ENTRYPOINT ["hfaudit"]
CMD ["scan"]
