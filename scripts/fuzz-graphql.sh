#!/usr/bin/env bash
# Bounded black-box fuzz of POST /graphql with schemathesis (queries generated from the schema by
# introspection), with a fixed seed and a time budget. Fails when any answer is a 5xx, is not a
# JSON object, or carries a GraphQL error whose extensions.code is INTERNAL, when schemathesis
# itself reports an error, or when the server dies or panics. Expected GraphQL errors
# (GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED, CONFLICT,
# RATE_LIMITED, ...) are not failures.
#
# usage: scripts/fuzz-graphql.sh [--postgres | --database-url URL]
#   (default)           a temporary SQLite file
#   --postgres          a database sanal_fuzz_<pid> created on $SANAL_FUZZ_PG_URL
#                       (default postgres://postgres@127.0.0.1:5432) and dropped afterwards
#   --database-url URL  an existing database (the demo data is loaded only if it is empty)
#
# Environment (all optional):
#   SANAL_FUZZ_SECONDS   total fuzzing budget in seconds, split over the passes (default 180)
#   SANAL_FUZZ_SEED      seed (default 20261201)
#   SANAL_FUZZ_EXAMPLES  test cases per operation per round (default 50; rounds repeat with
#                        seed+1, seed+2, ... until the budget is spent)
#   SANAL_FUZZ_WORKERS   concurrent schemathesis workers (default 2)
#   SANAL_FUZZ_DEMO      0: skip `sanal demo` (default 1)
#   SANAL_FUZZ_BIN       server binary to use instead of building target/debug/sanal
#   SANAL_FUZZ_REPORT    where logs, statistics and failures are kept (default target/fuzz-report/<db>)
#   SANAL_FUZZ_TRACE     debugging: a file that receives every request and answer (JSON lines)
#   SANAL_FUZZ_RENEW_SECS renew the admin's access token this often (default 600; tokens last 900)
#
# Passes, in this order, on one server with the demo data:
#   api-key   (15% of the budget) X-Api-Key of a key covering every institution: issueInvitation
#             and the catalogue
#   admin     (55%) bearer token of an administrator signed in before fuzzing (renewed with
#             refreshSession), every operation but `logout` (the fuzzer must not end its session)
#   public    (15%) no credentials: survey answers (invitation, submitResponse,
#             submitOpenResponse), login, refreshSession, public catalogue and conclusions
#   anonymous (15%) no credentials, every operation, also schema-violating queries
# The first three generate schema-conforming queries only. Ids and strings of known kinds,
# dates and instants are partly drawn from the existing data (scripts/fuzz/seed_values.py issues
# invitations, opens channels and registers kiosks for that; scripts/fuzz/hooks.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ beside scripts/fuzz/hooks.py

SECONDS_BUDGET=${SANAL_FUZZ_SECONDS:-180}
SEED=${SANAL_FUZZ_SEED:-20261201}
EXAMPLES=${SANAL_FUZZ_EXAMPLES:-50}
WORKERS=${SANAL_FUZZ_WORKERS:-2}
DEMO=${SANAL_FUZZ_DEMO:-1}
PG_URL=${SANAL_FUZZ_PG_URL:-postgres://postgres@127.0.0.1:5432}
ADMIN_EMAIL=fuzz-admin@example.mn
ADMIN_PASSWORD='correct horse battery staple'
VENV=$ROOT/target/fuzz-venv
REQUIREMENTS=$ROOT/scripts/fuzz/requirements.txt

db_kind=sqlite
db_url=
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) db_kind=postgres ;;
    --database-url) db_kind=given; db_url=${2:?--database-url needs a URL}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

REPORT=${SANAL_FUZZ_REPORT:-$ROOT/target/fuzz-report/$db_kind}
rm -rf "$REPORT"
mkdir -p "$REPORT"
SERVER_LOG=$REPORT/server.log
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sanal-fuzz.XXXXXX")
server_pid=
pg_db=

cleanup() {
  local rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_db" ]; then
    psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 ||
      echo "fuzz: could not drop database $pg_db" >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "== fuzz: $*"; }

# --- schemathesis, pinned, in target/fuzz-venv -----------------------------------------------
req_hash=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$req_hash" ] || ! "$VENV/bin/schemathesis" --version >/dev/null 2>&1; then
  log "installing schemathesis into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
  echo "$req_hash" >"$VENV/.requirements.sha256"
fi
PY=$VENV/bin/python
ST_VERSION=$("$VENV/bin/schemathesis" --version)

# --- the server ------------------------------------------------------------------------------
if [ -n "${SANAL_FUZZ_BIN:-}" ]; then
  BIN=$SANAL_FUZZ_BIN
else
  log "cargo build --bin sanal"
  cargo build --quiet --bin sanal
  BIN=$ROOT/target/debug/sanal
fi

case "$db_kind" in
  sqlite) db_url="sqlite://$tmp/sanal.db?mode=rwc" ;;
  postgres)
    if ! pg_isready -d "$PG_URL/postgres" -q; then
      log "starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
      for _ in $(seq 1 30); do pg_isready -d "$PG_URL/postgres" -q && break; sleep 1; done
    fi
    pg_db=sanal_fuzz_$$
    psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db"
    db_url=$PG_URL/$pg_db
    ;;
esac

mkdir -p "$tmp/data" "$tmp/work"
# Everything the server reads is set here, so that settings of the calling shell do not leak in.
server_env=(
  env
  DATABASE_URL="$db_url"
  SANAL_DATA_DIR="$tmp/data"
  SANAL_BIND=127.0.0.1:0
  SANAL_PRODUCTION=false
  NO_COLOR=1
  RUST_LOG=info,sqlx=warn
  RUST_BACKTRACE=1
  SANAL_ADMIN_EMAIL="$ADMIN_EMAIL"
  SANAL_ADMIN_PASSWORD="$ADMIN_PASSWORD"
  SANAL_ACCESS_TOKEN_TTL_SECS=900
  # Let random input get past the throttles (RATE_LIMITED answers still are no failures).
  SANAL_LOGIN_MAX_FAILURES_PER_ACCOUNT=1000000
  SANAL_LOGIN_MAX_FAILURES_PER_CLIENT=1000000
  SANAL_INVITATION_MISSES_PER_CLIENT=1000000
  SANAL_OPEN_RESPONSES_PER_CLIENT=1000000
  SANAL_OPEN_RESPONSES_PER_KIOSK=1000000
)

if [ "$DEMO" = 1 ]; then
  log "loading the demo data"
  if ! "${server_env[@]}" "$BIN" demo >"$REPORT/demo.log" 2>&1; then
    if [ "$db_kind" = given ]; then
      log "demo refused (not an empty database?), fuzzing the data that is there: $(tail -1 "$REPORT/demo.log")"
    else
      tail -20 "$REPORT/demo.log"
      echo "fuzz: sanal demo failed" >&2
      exit 1
    fi
  fi
fi

log "starting the server ($db_kind)"
"${server_env[@]}" "$BIN" serve >"$SERVER_LOG" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    tail -40 "$SERVER_LOG"
    echo "fuzz: the server exited during start-up" >&2
    exit 1
  fi
  port=$(sed -n 's/.*Sanal is serving.* port=\([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -1)
  if [ -n "$port" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ]; then
    break
  fi
  port=
  sleep 0.1
done
if [ -z "$port" ]; then
  tail -40 "$SERVER_LOG"
  echo "fuzz: the server did not become ready in 60 s" >&2
  exit 1
fi
URL=http://127.0.0.1:$port/graphql
log "server ready at $URL (pid $server_pid)"

# --- sign in before fuzzing (the fuzzer's random logins must not throttle this one) ----------
"$PY" - "$URL" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" >"$tmp/login.env" <<'EOF'
import json, sys, urllib.request
url, email, password = sys.argv[1:]
def gql(query, variables, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, json.dumps({"query": query, "variables": variables}).encode(), headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)
r = gql("mutation($e:String!,$p:String!){ login(email:$e, password:$p){ accessToken refreshToken } }",
        {"e": email, "p": password})
if r.get("errors"):
    sys.exit(f"fuzz: sign-in failed: {r['errors']}")
t = r["data"]["login"]
me = gql("{ me { id } }", {}, t["accessToken"])["data"]["me"]["id"]
print(f"ACCESS={t['accessToken']}\nREFRESH={t['refreshToken']}\nADMIN_ID={me}")
EOF
ACCESS=$(sed -n 's/^ACCESS=//p' "$tmp/login.env")
REFRESH=$(sed -n 's/^REFRESH=//p' "$tmp/login.env")
ADMIN_ID=$(sed -n 's/^ADMIN_ID=//p' "$tmp/login.env")

VALUES=$REPORT/seed-values.json
"$PY" "$ROOT/scripts/fuzz/seed_values.py" "$URL" "$ACCESS" "$VALUES" "$ADMIN_ID"
API_KEY=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("apiKey") or "")' "$VALUES")

# --- the passes ------------------------------------------------------------------------------
FAILURES=$REPORT/failures.jsonl
: >"$FAILURES"
overall=0
total_requests=0
total_failures=0
summary_lines=()
started=$(date +%s)

# run_pass NAME SECONDS MODE [extra schemathesis arguments...]; extra environment in PASS_ENV.
run_pass() {
  local name=$1 secs=$2 mode=$3
  shift 3
  local stats=$REPORT/$name.stats.json
  local cmd=(
    "$VENV/bin/schemathesis" run "$URL"
    --checks sanal_no_server_error
    --mode "$mode"
    --seed "$SEED"
    --max-examples "$EXAMPLES"
    --max-time "$secs"
    --workers "$WORKERS"
    --request-timeout 60
    --generation-database none
    --continue-on-failure
    --no-color
    "$@"
  )
  log "pass $name: ${secs}s"
  echo "   SCHEMATHESIS_HOOKS=scripts/fuzz/hooks.py $(printf '%q ' "${cmd[@]}" | sed -e "s#$ROOT/##g" -e 's/X-Api-Key:\\ [^ ]*/X-Api-Key:\\ <key>/')"
  local t0=$SECONDS rc=0
  # Run from a scratch directory: Hypothesis keeps a cache directory in the working directory.
  (cd "$tmp/work" && env "${PASS_ENV[@]}" \
    SCHEMATHESIS_HOOKS="$ROOT/scripts/fuzz/hooks.py" \
    SANAL_FUZZ_VALUES="$VALUES" \
    SANAL_FUZZ_STATS="$stats" \
    SANAL_FUZZ_FAILURES="$FAILURES" \
    SANAL_FUZZ_GRAPHQL_URL="$URL" \
    "${cmd[@]}") >"$REPORT/$name.log" 2>&1 || rc=$?
  local took=$((SECONDS - t0))
  # schemathesis prints its summary last; the failures and errors come before it.
  if [ "$rc" -ne 0 ]; then cat "$REPORT/$name.log"; else sed -n '/^=* SUMMARY =*$/,$p' "$REPORT/$name.log"; fi
  local line
  line=$("$PY" - "$stats" "$name" "$took" "$rc" <<'EOF'
import json, sys
path, name, took, rc = sys.argv[1:]
try:
    s = json.load(open(path))
except (OSError, ValueError):
    s = {"requests": 0, "failures": 0, "operations": 0, "codes": {}, "status": {}, "lost_session": 0, "renewals": 0}
codes = ", ".join(f"{k} {v}" for k, v in s["codes"].items())
status = ", ".join(f"{k}: {v}" for k, v in sorted(s["status"].items()))
extra = f"; token renewed {s['renewals']} times" if s.get("renewals") else ""
if s.get("lost_session"):
    extra += f"; WARNING: admin session lost on {s['lost_session']} answers (see {path})"
print(f"{name}\t{s['requests']}\t{s['failures']}\t{name}: {s['operations']} operations, {s['requests']} requests in {took}s, "
      f"{s['failures']} failures, schemathesis exit {rc}; HTTP {status}; answers: {codes}{extra}")
EOF
)
  IFS=$'\t' read -r _ reqs fails text <<<"$line"
  summary_lines+=("  $text")
  total_requests=$((total_requests + reqs))
  total_failures=$((total_failures + fails))
  if [ "$rc" -ne 0 ] || [ "$fails" -ne 0 ]; then overall=1; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "fuzz: the server died during pass $name" >&2
    overall=1
    return 1
  fi
}

# Budget shares, in percent: api-key, admin, public, anonymous.
shares=(15 55 15 15)
budget() { local v=$((SECONDS_BUDGET * $1 / 100)); [ "$v" -ge 5 ] || v=5; echo "$v"; }

# What an API key may do (issue invitations, read the catalogue it covers).
KEY_OPERATIONS='\.(issueInvitation|institutions?|services?|servicePoints?|regions|surveyTemplates)$'
# What needs no account: citizens answering surveys, signing in, the public catalogue and results.
PUBLIC_OPERATIONS='\.(invitation|submitResponse|submitOpenResponse|login|refreshSession|conclusions?|institutions?|services?|servicePoints?|regions|surveyTemplates)$'

server_alive=yes
if [ -n "$API_KEY" ]; then
  PASS_ENV=()
  run_pass api-key "$(budget "${shares[0]}")" positive -H "X-Api-Key: $API_KEY" \
    --include-name-regex "$KEY_OPERATIONS" || server_alive=no
else
  log "no API key: api-key pass skipped"
fi
if [ "$server_alive" = yes ]; then
  PASS_ENV=(SANAL_FUZZ_ACCESS_TOKEN="$ACCESS" SANAL_FUZZ_REFRESH_TOKEN="$REFRESH" SANAL_FUZZ_RENEW_SECS="${SANAL_FUZZ_RENEW_SECS:-600}")
  run_pass admin "$(budget "${shares[1]}")" positive --exclude-name-regex '\.logout$' || server_alive=no
fi
if [ "$server_alive" = yes ]; then
  PASS_ENV=()
  run_pass public "$(budget "${shares[2]}")" positive --include-name-regex "$PUBLIC_OPERATIONS" || server_alive=no
fi
if [ "$server_alive" = yes ]; then
  PASS_ENV=()
  run_pass anonymous "$(budget "${shares[3]}")" all || server_alive=no
fi

# --- verdict ---------------------------------------------------------------------------------
if [ "$server_alive" = yes ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" != 200 ]; then
  echo "fuzz: /health/ready does not answer 200 after fuzzing" >&2
  server_alive=no
  overall=1
fi
panics=$(grep -c 'panicked' "$SERVER_LOG" || true)
if [ "$panics" -gt 0 ]; then
  echo "fuzz: the server log has $panics panic(s):" >&2
  grep -A3 'panicked' "$SERVER_LOG" | head -40 >&2
  overall=1
fi

if [ -s "$FAILURES" ]; then
  echo "== fuzz: failing answers (all in $FAILURES):"
  "$PY" - "$FAILURES" <<'EOF'
import json, sys
seen = set()
for line in open(sys.argv[1], encoding="utf-8"):
    f = json.loads(line)
    key = (f["operation"], f["reason"][:120])
    if key in seen:
        continue
    seen.add(key)
    print(f"-- {f['operation']}: {f['reason']}")
    try:
        print("   query:", json.loads(f["request"])["query"].replace("\n", " "))
    except (ValueError, KeyError, TypeError):
        print("   request:", f["request"][:2000])
    print("   answer:", f["response"][:1000])
EOF
fi
if [ "$overall" -ne 0 ]; then
  echo "== fuzz: last lines of the server log ($SERVER_LOG):"
  grep -v 'actix_http::h1::dispatcher: stream error: request parse error' "$SERVER_LOG" | tail -40
fi

echo "== fuzz: $ST_VERSION, seed $SEED, budget ${SECONDS_BUDGET}s, $db_kind; reports in $REPORT"
printf '%s\n' "${summary_lines[@]}"
verdict=PASSED
[ "$overall" -eq 0 ] || verdict=FAILED
operations=$("$PY" -c '
import glob, json, sys
names = set()
for path in glob.glob(sys.argv[1] + "/*.stats.json"):
    names.update(json.load(open(path)).get("operation_names", []))
print(len(names))' "$REPORT")
alive_text="server alive"
[ "$server_alive" = yes ] || alive_text="SERVER DIED"
echo "fuzz-graphql ($db_kind): $verdict: $total_requests requests over $operations operations in $(($(date +%s) - started))s, $total_failures failures (5xx/INTERNAL), $panics panics, $alive_text"
exit "$overall"
