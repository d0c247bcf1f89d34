#!/usr/bin/env bash
# Validates the open data as a re-user would: a server with the demo data on a temporary SQLite
# file, then the Frictionless tool (pinned, from PyPI) validates /open-data/datapackage.json and
# every CSV it lists (field names, types, missing values), and each dataset answers a conditional
# GET with 304. Fails on any error.
#
# usage: scripts/check-open-data.sh
# Environment (optional): SANAL_OPEN_DATA_BIN, a server binary to use instead of building
# target/debug/sanal.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/target/open-data-venv
REQUIREMENTS=$ROOT/scripts/open-data/requirements.txt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sanal-open-data.XXXXXX")
server_pid=
log() { echo "open-data: $*"; }
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- frictionless, pinned, in target/open-data-venv --------------------------------------------
req_hash=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$req_hash" ]; then
  log "installing frictionless into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
  echo "$req_hash" >"$VENV/.requirements.sha256"
fi

# --- a server with the demo data ----------------------------------------------------------------
if [ -n "${SANAL_OPEN_DATA_BIN:-}" ]; then
  BIN=$SANAL_OPEN_DATA_BIN
else
  cargo build --quiet --bin sanal
  BIN=$ROOT/target/debug/sanal
fi
mkdir -p "$tmp/data"
server_env=(env DATABASE_URL="sqlite://$tmp/sanal.db?mode=rwc" SANAL_DATA_DIR="$tmp/data"
  SANAL_BIND=127.0.0.1:0 SANAL_PRODUCTION=false NO_COLOR=1 RUST_LOG=info,sqlx=warn)
log "loading the demo data"
"${server_env[@]}" "$BIN" demo >"$tmp/demo.log" 2>&1 || { tail -20 "$tmp/demo.log"; exit 1; }
"${server_env[@]}" "$BIN" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 600); do
  kill -0 "$server_pid" 2>/dev/null || { tail -40 "$tmp/server.log"; echo "open-data: the server exited" >&2; exit 1; }
  port=$(sed -n 's/.*Sanal is serving.* port=\([0-9][0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
  if [ -n "$port" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ]; then
    break
  fi
  port=
  sleep 0.1
done
[ -n "$port" ] || { tail -40 "$tmp/server.log"; echo "open-data: the server did not become ready" >&2; exit 1; }
BASE=http://127.0.0.1:$port/open-data

# --- the package, validated by Frictionless ----------------------------------------------------
log "frictionless validate $BASE/datapackage.json"
if ! "$VENV/bin/frictionless" validate --trusted "$BASE/datapackage.json" >"$tmp/report.txt" 2>&1; then
  cat "$tmp/report.txt"
  echo "open-data: the data package is not valid" >&2
  exit 1
fi
tail -n +1 "$tmp/report.txt" | grep -iE "valid|rows" | head -20 || true

# --- every dataset: rows, and 304 on revalidation --------------------------------------------------
for name in $(curl -sf "$BASE/" | "$VENV/bin/python" -c 'import json,sys; print(" ".join(d["name"] for d in json.load(sys.stdin)["datasets"]))'); do
  for ext in csv json; do
    etag=$(curl -sf -D - -o "$tmp/$name.$ext" "$BASE/$name.$ext" | sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p')
    [ -n "$etag" ] || { echo "open-data: $name.$ext has no ETag" >&2; exit 1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$BASE/$name.$ext")
    [ "$code" = 304 ] || { echo "open-data: $name.$ext answered $code to a current ETag" >&2; exit 1; }
  done
  log "$name: $(($(wc -l <"$tmp/$name.csv") - 1)) rows, 304 on revalidation"
done
log "valid"
