#!/usr/bin/env bash
# Checks Sanal's container files: Dockerfile, .dockerignore and compose.yaml.
#
# 1. Always, with no network and no Docker daemon: scripts/container/lint.py (what it
#    asserts is listed at its top: multi-stage, non-root USER, HEALTHCHECK on
#    /health/ready, EXPOSE 8080, COPY sources present and not ignored, the build context
#    complete, the Rust image at least rust-version, compose with postgres + sanal, a
#    named volume, service_healthy, only real setting names, secrets required from the
#    environment). Then the binary the tests built runs `migrate` in production mode with
#    the environment compose gives the container (its database swapped for a temporary
#    SQLite file): production mode's own checks must accept compose's values. Then, where
#    available: hadolint, and `docker build --check` (BuildKit's lint; needs buildx and a
#    daemon). Any problem exits non-zero.
# 2. Where a Docker daemon is reachable and the base images can be pulled: builds the
#    image with compose, starts PostgreSQL and Sanal in production mode on a throw-away
#    project (random secrets, a random port on 127.0.0.1), waits until the container is
#    healthy, asks /health/ready from the host, checks it does not run as root, creates an
#    administrator as the README says, then removes the project and its volume. Otherwise
#    it prints "container build skipped: <reason>" and exits 0.
#
# usage: scripts/check-container.sh [--lint-only] [--dockerfile F] [--compose F] [--dockerignore F]
#   --lint-only       step 1 only
#   --dockerfile F …  lint other files than ./Dockerfile, ./compose.yaml, ./.dockerignore
#                     (to see the lint fail on a broken copy); implies --lint-only
# Environment (optional):
#   SANAL_CONTAINER_BUILD_TIMEOUT  seconds for building the image (default 2400)
#   SANAL_CONTAINER_READY_TIMEOUT  seconds for the stack to become healthy (default 180)
#   SANAL_BIN                      the binary of the settings check (default target/debug/sanal;
#                                  not run when missing or older than the sources)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONDONTWRITEBYTECODE=1

lint_only=0
lint_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --lint-only) lint_only=1 ;;
    --dockerfile | --compose | --dockerignore)
      lint_args+=("$1" "$(realpath "${2:?$1 needs a file}")"); lint_only=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-container: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
BUILD_TIMEOUT=${SANAL_CONTAINER_BUILD_TIMEOUT:-2400}
READY_TIMEOUT=${SANAL_CONTAINER_READY_TIMEOUT:-180}

log() { echo "container: $*"; }
skipped() {
  echo "container build skipped: $*"
  exit 0
}

# ---------------------------------------------------------------- 1. static lint
# PyYAML reads compose.yaml; when this python3 lacks it, a pinned copy goes into a venv.
PY=python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
  VENV=$ROOT/target/container-venv
  REQUIREMENTS=$ROOT/scripts/container/requirements.txt
  req_hash=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
  if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$req_hash" ] || ! "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
    log "installing PyYAML into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
    echo "$req_hash" >"$VENV/.requirements.sha256"
  fi
  PY=$VENV/bin/python
fi
"$PY" scripts/container/lint.py --root "$ROOT" "${lint_args[@]}"

# Does the real binary accept, in production mode, the environment the container gets?
# (compose's values with the required variables set; only the database is swapped for
# a throw-away SQLite file.) Uses the binary the tests built, when it is up to date.
BIN=${SANAL_BIN:-target/debug/sanal}
if [ ! -x "$BIN" ]; then
  log "production settings not tried on the binary: no $BIN (cargo build makes it)"
elif [ -n "$(find src entity migration Cargo.toml Cargo.lock -newer "$BIN" -print -quit)" ]; then
  log "production settings not tried on the binary: $BIN is older than the sources"
else
  mapfile -d '' container_env < <("$PY" scripts/container/lint.py --root "$ROOT" "${lint_args[@]}" --print-env)
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/sanal-container-env.XXXXXX")
  if out=$(env -i PATH="$PATH" "${container_env[@]}" DATABASE_URL="sqlite://$scratch/sanal.db?mode=rwc" \
    SANAL_DATA_DIR="$scratch" timeout 120 "$BIN" migrate 2>&1); then
    rm -rf "$scratch"
    log "$BIN migrate accepts the container's production settings"
  else
    rm -rf "$scratch"
    echo "$out" | tail -5
    log "$BIN refuses the environment compose.yaml gives the container (see above)"
    exit 1
  fi
fi

dockerfile=Dockerfile
for ((i = 0; i < ${#lint_args[@]}; i += 2)); do
  [ "${lint_args[i]}" = --dockerfile ] && dockerfile=${lint_args[i + 1]}
done

if command -v hadolint >/dev/null; then
  log "hadolint $dockerfile"
  hadolint --failure-threshold warning "$dockerfile"
else
  log "hadolint not installed: not run"
fi

have_docker=0
daemon=0
if command -v docker >/dev/null; then
  have_docker=1
  if timeout 10 docker info >/dev/null 2>&1; then daemon=1; fi
fi

if [ $daemon = 1 ] && docker buildx version >/dev/null 2>&1; then
  log "docker build --check (BuildKit's Dockerfile lint)"
  if ! out=$(timeout 180 docker build --check -f "$dockerfile" . 2>&1); then
    if grep -qiE 'failed to (resolve|fetch|do request)|dial tcp|i/o timeout|TLS handshake|no such host|connection refused' <<<"$out"; then
      log "docker build --check could not reach a registry: not run"
    else
      echo "$out"
      log "docker build --check found problems"
      exit 1
    fi
  else
    grep -v '^\s*$' <<<"$out" | sed 's/^/  /' | tail -5
  fi
else
  log "docker build --check not run: $([ $have_docker = 0 ] && echo "no docker CLI" || { [ $daemon = 0 ] && echo "no Docker daemon reachable" || echo "no buildx plugin"; })"
fi

# ------------------------------------------------- 2. build and run, where possible
[ $lint_only = 1 ] && skipped "--lint-only"
[ $have_docker = 1 ] || skipped "no docker CLI on this machine"
if [ $daemon = 0 ]; then
  why=$(timeout 10 docker info 2>&1 | grep -m1 -iE 'cannot connect|error' | sed 's/^ *//') || true
  skipped "no Docker daemon reachable (${why:-docker info failed})"
fi
docker compose version >/dev/null 2>&1 || skipped "the docker compose plugin is missing"

mapfile -t images < <("$PY" scripts/container/lint.py --root "$ROOT" --images | sort -u)
pull=(--pull) # fresh base images, unless one is only present locally (then use what is there)
for image in "${images[@]}"; do
  [ -n "$image" ] || continue
  if timeout 30 docker manifest inspect "$image" >/dev/null 2>&1; then
    log "base image $image: pullable"
  elif docker image inspect "$image" >/dev/null 2>&1; then
    log "base image $image: present (no registry answers for it)"
    pull=()
  else
    skipped "base image $image is neither present nor pullable (no registry reachable)"
  fi
done

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
project="sanal-check-$$"
# What compose requires (POSTGRES_PASSWORD, SANAL_JWT_SECRET, the https link bases …):
# fresh random secrets, and addresses nobody owns.
while read -r name kind; do
  case "$kind" in
    https) export "$name=https://sanal.example.invalid/${name,,}/" ;;
    *) export "$name=$(hex 32)" ;;
  esac
done < <("$PY" scripts/container/lint.py --root "$ROOT" --required)
export SANAL_IMAGE SANAL_PUBLISH
SANAL_IMAGE=sanal:check
SANAL_PUBLISH=127.0.0.1: # "127.0.0.1::8080": a free port of the host
compose=(docker compose -p "$project" -f compose.yaml)
finish() {
  local rc=$?
  if [ $rc != 0 ]; then
    log "failed; the last log lines:"
    "${compose[@]}" logs --no-color --tail=80 2>&1 || true
  fi
  "${compose[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true
  exit $rc
}
trap finish EXIT

log "docker compose build (at most ${BUILD_TIMEOUT} s)"
start=$(date +%s)
timeout "$BUILD_TIMEOUT" "${compose[@]}" build "${pull[@]}" sanal
log "image $SANAL_IMAGE built in $(($(date +%s) - start)) s: $(docker image inspect -f '{{.Size}}' "$SANAL_IMAGE" | awk '{printf "%.1f MB", $1 / 1e6}')"

timeout 300 "${compose[@]}" up -d
container=$("${compose[@]}" ps -q sanal)
status=starting
for _ in $(seq 1 "$READY_TIMEOUT"); do
  status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$container")
  running=$(docker inspect -f '{{.State.Running}}' "$container")
  [ "$status" = healthy ] && break
  [ "$running" = true ] || { log "the sanal container stopped"; exit 1; }
  sleep 1
done
[ "$status" = healthy ] || { log "the sanal container is $status after ${READY_TIMEOUT} s"; exit 1; }
log "the sanal container is healthy (its HEALTHCHECK on /health/ready)"

addr=$("${compose[@]}" port sanal 8080)
body=$("$PY" - "http://$addr/health/ready" <<'EOF'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    print(r.status, r.read().decode())
EOF
)
case "$body" in
  200*'"database":"ok"'*) log "GET http://$addr/health/ready from the host: $body" ;;
  *) log "GET http://$addr/health/ready answered: $body"; exit 1 ;;
esac

uid=$("${compose[@]}" exec -T sanal id -u)
[ "$uid" != 0 ] || { log "the server runs as root"; exit 1; }
log "the server runs as uid $uid"

# As the README shows it: the password on stdin.
if out=$(printf 'tsagaan sar %s\n' "$(hex 8)" |
  "${compose[@]}" exec -T sanal sanal create-admin --email smoke@example.mn --password-stdin 2>&1) &&
  [[ "$out" == *"administrator smoke@example.mn created"* ]]; then
  log "create-admin in the container: ${out##*$'\n'}"
else
  log "create-admin answered: $out"
  exit 1
fi

log "image built, stack healthy; removing project $project"
