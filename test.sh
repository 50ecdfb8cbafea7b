#!/usr/bin/env bash
# Runs every test tier: unit, component (bUnit), integration (SQLite and PostgreSQL) and end-to-end
# (Playwright in Debian's Chromium). Installs what is missing (Chromium, aiosmtpd, PostgreSQL, Redis) when run as
# root, starts PostgreSQL and Redis on loopback ports for the run and stops them afterwards.
# The last line it prints is "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

log() { printf '== %s\n' "$*" >&2; }

install_debian_packages() {
  if [[ $(id -u) -ne 0 ]]; then
    log "cannot install $* (not root); install them and run again"
    return 1
  fi
  log "installing $*"
  if [[ -z ${APT_UPDATED:-} ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Chromium for Playwright (Playwright's own browser download is not used) ------------------------
if [[ ! -x /usr/bin/chromium ]]; then
  install_debian_packages chromium
fi

# --- SMTP server for the mail tests: Debian's aiosmtpd, run by Debian's python (not the python3 on PATH) ---
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  install_debian_packages python3-aiosmtpd
fi

# --- The independent OIDC provider for the federation tests: node oidc-provider, from npm -----------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  install_debian_packages nodejs npm
fi
log "installing the test identity provider's node packages (npm ci)"
npm ci --prefix tests/PartnerGate.TestIdentityProvider --no-audit --no-fund --silent

# --- PostgreSQL on loopback for the provider tests --------------------------------------------------
pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [[ -n $found && -x $found/initdb ]] && echo "$found"
}
PG_BIN=$(pg_bin || true)
if [[ -z $PG_BIN ]]; then
  install_debian_packages postgresql
  PG_BIN=$(pg_bin)
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PG_DIR=$(mktemp -d /tmp/partnergate-pg.XXXXXX)
PG_PORT=${PARTNERGATE_PG_PORT:-$(free_port)}
PG_USER=$(id -un)
run_pg() {
  # PostgreSQL refuses to run as root.
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$PG_DIR"
  PG_USER=postgres
fi
REDIS_DIR=""
stop_services() {
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  if [[ -n $REDIS_DIR && -f $REDIS_DIR/redis.pid ]]; then
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
  fi
  [[ -n $REDIS_DIR ]] && rm -rf "$REDIS_DIR"
  return 0
}
trap stop_services EXIT
log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
run_pg "$PG_BIN/initdb" -A trust -U "$PG_USER" -D "$PG_DIR/data" >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
export PARTNERGATE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Include Error Detail=true"

# --- Redis on loopback for the scale-out tests (two nodes over one database and one Redis behave as one) ----
if ! command -v redis-server >/dev/null 2>&1; then
  install_debian_packages redis-server
fi
REDIS_DIR=$(mktemp -d /tmp/partnergate-redis.XXXXXX)
REDIS_PORT=${PARTNERGATE_REDIS_PORT:-$(free_port)}
log "starting Redis on 127.0.0.1:$REDIS_PORT"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
  --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log"
for _ in $(seq 1 50); do
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done
export PARTNERGATE_TEST_REDIS="127.0.0.1:$REDIS_PORT"

# --- Build once, then run every test project -----------------------------------------------------------
log "restoring tools and building"
dotnet tool restore >/dev/null
dotnet build PartnerGate.sln -c Release -warnaserror -nologo -v quiet

RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
# The end-to-end tests assert real-time bounds across real processes (a revocation refused by the demo API within
# a second of its commit). Run together with the integration tests, four test hosts share two cores and the
# harness's own HTTP round trips stretch past that bound, so the browser tests run on their own, after the rest.
STATUS=0
set +e
for project in UnitTests ComponentTests IntegrationTests EndToEndTests; do
    log "running tests: $project"
    dotnet test --project "tests/PartnerGate.$project" -c Release --no-build --results-directory "$RESULTS" --report-xunit-trx 2>&1 | tee -a "$RESULTS/dotnet-test.log"
    code=${PIPESTATUS[0]}
    if [ "$code" -ne 0 ]; then STATUS=$code; fi
done
set -e

# Sum the per-project TRX counters into the one line CI reads.
python3 - "$RESULTS" "$STATUS" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
failures = []
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    # Name every failed test with the first lines of its message, so a CI log that keeps only its tail
    # still says what broke.
    for result in root.findall(".//{*}UnitTestResult"):
        if result.get("outcome") not in ("Failed", "Error", "Timeout"):
            continue
        message = result.find(".//{*}ErrorInfo/{*}Message")
        text = (message.text or "").strip().splitlines() if message is not None else []
        failures.append((result.get("testName"), text[:6]))
    counters = root.find(".//{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("notExecuted", 0))
if passed + failed == 0 or sys.argv[2] != "0" and failed == 0:
    failed += 1  # the run itself failed (build, crash, no tests): never report a green zero
for name, lines in failures:
    print(f"FAILED: {name}")
    for line in lines:
        print(f"    {line[:300]}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$STATUS"
