# Sanal's production image: built in a Rust image, run in a small Debian one as an
# unprivileged user. `compose.yaml` runs it with PostgreSQL; see the README's "Running in a
# container". `scripts/check-container.sh` lints this file (CI) and builds it where the
# base images can be pulled.
#
# Only what the classic builder also understands (no RUN --mount, no heredocs), so it
# builds with BuildKit and without it.

# At least `rust-version` of Cargo.toml (the lint checks). Both stages use the same
# Debian release, so the binary finds the glibc it was linked against.
ARG RUST_VERSION=1.94
ARG DEBIAN_RELEASE=trixie

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
ENV CARGO_TERM_COLOR=never
WORKDIR /src

# Dependencies first, in their own layer: it stays cached while only sources change.
# Cargo reads every workspace member's manifest, and a manifest needs a target, so the
# members get empty stand-ins until their sources arrive.
COPY Cargo.toml Cargo.lock ./
COPY entity/Cargo.toml entity/
COPY migration/Cargo.toml migration/
COPY bench/Cargo.toml bench/
RUN mkdir -p src entity/src migration/src bench/src \
    && touch src/lib.rs entity/src/lib.rs migration/src/lib.rs \
    && echo 'fn main() {}' > src/main.rs \
    && cp src/main.rs bench/src/main.rs \
    && cargo fetch --locked

# The sources, and GraphiQL's files (embedded with include_bytes!).
COPY entity entity
COPY migration migration
COPY bench bench
COPY assets assets
COPY src src
RUN cargo build --release --locked -p sanal \
    && cp target/release/sanal /usr/local/bin/sanal \
    && /usr/local/bin/sanal --help

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
LABEL org.opencontainers.image.title="sanal" \
      org.opencontainers.image.description="Citizen satisfaction surveys for public services: GraphQL API" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

# wget only for the health check below (the binary itself needs no OpenSSL and no CA
# certificates: it speaks plain HTTP behind a TLS proxy, and PostgreSQL on a private
# network). Versions are Debian's current ones for the release, not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 sanal \
    && useradd --system --uid 10001 --gid sanal --home-dir /var/lib/sanal \
       --no-create-home --shell /usr/sbin/nologin sanal \
    && install -d -o sanal -g sanal -m 0700 /var/lib/sanal

COPY --from=build /usr/local/bin/sanal /usr/local/bin/sanal

# Listen on every interface of the container; the data directory holds the SQLite file and
# the dev-mode secret when the image runs alone (`docker run -p 8080:8080 IMAGE`: dev mode
# on SQLite). compose.yaml sets PostgreSQL and production mode.
ENV SANAL_BIND=0.0.0.0:8080 \
    SANAL_DATA_DIR=/var/lib/sanal \
    DATABASE_URL=sqlite:///var/lib/sanal/sanal.db?mode=rwc
WORKDIR /var/lib/sanal
USER 10001:10001
EXPOSE 8080

# Ready = the process serves and the database answers (503 otherwise, which fails wget).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["wget", "--quiet", "--no-proxy", "--tries=1", "--timeout=4", "--output-document=/dev/null", "http://127.0.0.1:8080/health/ready"]

# SIGTERM (docker stop) makes the server finish its requests within 30 s and exit.
ENTRYPOINT ["/usr/local/bin/sanal"]
CMD ["serve"]
