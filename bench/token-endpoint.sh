#!/usr/bin/env bash
# Token endpoint bench: client_credentials tokens/s and latency of PartnerGate against node oidc-provider,
# on this machine, in one run. See bench/README.md ("Token endpoint").
#
#   bench/token-endpoint.sh [--partnergate | --no-partnergate] [--variants pinned,unpinned]
#                           [--duration S] [--warmup S] [--concurrency N] [--out FILE]
#
# Without --partnergate / --no-partnergate, PartnerGate is measured when its source has a token endpoint.
# Variants: "pinned" gives the server (and its database) core 0 and the driver core 1: the fair per-core
# comparison. "unpinned" lets every process use every core. Both run by default on a machine with 2+ cores.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=20
WARMUP=15  # .NET tiers its JIT up over the first seconds under load; 5 s measured a half-warm PartnerGate
CONCURRENCY=32
PARTNERGATE=auto
VARIANTS=
OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --partnergate) PARTNERGATE=yes ;;
    --no-partnergate) PARTNERGATE=no ;;
    --variants) VARIANTS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

CPUS=$(nproc)
if [[ -z $VARIANTS ]]; then
  if [[ $CPUS -ge 2 ]] && command -v taskset >/dev/null; then VARIANTS=pinned,unpinned; else VARIANTS=unpinned; fi
fi
IFS=, read -r -a VARIANT_LIST <<<"$VARIANTS"
for variant in "${VARIANT_LIST[@]}"; do
  [[ $variant == pinned || $variant == unpinned ]] || { echo "unknown variant: $variant" >&2; exit 2; }
  [[ $variant == unpinned || $CPUS -ge 2 ]] || { echo "pinned needs 2 cores, this machine has $CPUS" >&2; exit 2; }
done

log() { printf '== %s\n' "$*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# --- clean-up: every process this script starts is recorded here and stopped on exit ---------------------
WORK=$(mktemp -d /tmp/partnergate-tokenbench.XXXXXX)
PIDS=()
PG_DIR=
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  stop_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts "$@" in its own process group (so the whole tree stops with it) and sets STARTED_PID.
start_background() {
  local logfile=$1; shift
  setsid "$@" >"$logfile" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

stop_background() {
  local pid=$1 kept=() p
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  PIDS=("${kept[@]}")
}

wait_for_http() {
  local url=$1 pid=$2 logfile=$3 seconds=${4:-120} i
  for ((i = 0; i < seconds * 4; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process for $url exited; its log:"; tail -n 40 "$logfile" >&2; return 1
    fi
    sleep 0.25
  done
  log "$url not ready after ${seconds}s; log:"; tail -n 40 "$logfile" >&2
  return 1
}

# Pinning: the server (and its database) on core 0, the driver on core 1.
server_prefix() { [[ $1 == pinned ]] && echo "taskset -c 0" || true; }
driver_prefix() { [[ $1 == pinned ]] && echo "taskset -c 1" || true; }

describe_affinity() {
  local name=$1 pid=$2 p list=
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    list+="$(taskset -pc "$p" 2>/dev/null | sed 's/.*: //')"$'\n'
  done
  list=$(sort -u <<<"$list" | paste -sd' ' | sed 's/^ //')
  log "$name (pid $pid and its children) may run on cpu(s): ${list:-unknown}"
}

# --- build once, before any run ------------------------------------------------------------------------
log "installing the peer (npm ci) and building the driver (Release)"
npm ci --prefix bench/oidc-peer --no-audit --no-fund --silent
dotnet build bench/PartnerGate.TokenLoad -c Release -warnaserror -nologo -v quiet -o "$WORK/driver" >"$WORK/driver-build.log" \
  || { cat "$WORK/driver-build.log" >&2; exit 1; }
DRIVER=(dotnet "$WORK/driver/PartnerGate.TokenLoad.dll")

# --- the private_key_jwt client's key: private PEM for the driver, public PEM for PartnerGate, JWK for the peer
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/client-key.pem" 2>/dev/null
openssl pkey -in "$WORK/client-key.pem" -pubout -out "$WORK/client-public.pem"
node -e 'const { createPublicKey } = require("node:crypto"); const fs = require("node:fs");
  fs.writeFileSync(process.argv[2], JSON.stringify(createPublicKey(fs.readFileSync(process.argv[1])).export({ format: "jwk" })));' \
  "$WORK/client-public.pem" "$WORK/client-public.jwk"

# --- is there a PartnerGate token endpoint to measure? ------------------------------------------------------
if [[ $PARTNERGATE == auto ]]; then
  if grep -rqsE 'SetTokenEndpointUris|AllowClientCredentialsFlow' src/; then PARTNERGATE=yes; else PARTNERGATE=no; fi
  log "PartnerGate token endpoint in src/: $PARTNERGATE"
fi
PG_JWT_CLIENT=no
if [[ $PARTNERGATE == yes ]] && grep -rqs 'PrivateKeyJwtClient' src/; then PG_JWT_CLIENT=yes; fi

RUN=0
RESULTS="$WORK/results.jsonl"
PAIRS="$WORK/pairs.tsv"
: >"$RESULTS"
: >"$PAIRS"

# run_driver VARIANT LABEL SERVER_PIDS DRIVER-ARGS...: one measured run, its line appended to $RESULTS.
run_driver() {
  local variant=$1 label=$2 server_pids=$3; shift 3
  local status=0
  RUN=$((RUN + 1))
  label="$label#$RUN" # the same configuration runs more than once (interleaving): keep every label unique
  LAST_LABEL=$label
  # shellcheck disable=SC2046  # the prefix is meant to split into words
  $(driver_prefix "$variant") "${DRIVER[@]}" "$@" --label "$label" --concurrency "$CONCURRENCY" \
    --duration "$DURATION" --warmup "$WARMUP" --server-pid "$server_pids" --json "$RESULTS" \
    | sed 's/^/   /' >&2 || status=$?
  if [[ $status -ne 0 ]]; then
    log "$label: driver failed (exit $status); see the lines above"
    printf '{"label":"%s","failed":true}\n' "$label" >>"$RESULTS"
  fi
}

start_peer() {
  local variant=$1 port
  port=$(free_port)
  # shellcheck disable=SC2046
  start_background "$WORK/peer-$variant.log" $(server_prefix "$variant") node bench/oidc-peer/peer.mjs --port "$port" --jwk "$WORK/client-public.jwk"
  PEER_PID=$STARTED_PID
  PEER_URL="http://127.0.0.1:$port/token"
  wait_for_http "http://127.0.0.1:$port/.well-known/openid-configuration" "$PEER_PID" "$WORK/peer-$variant.log" 30
  describe_affinity "peer (node $(node --version))" "$PEER_PID"
}

run_peer() {
  local variant=$1 auth=$2
  if [[ $auth == secret ]]; then
    run_driver "$variant" "peer-secret@$variant" "$PEER_PID" --url "$PEER_URL" --client-id bench-secret --secret bench-secret-secret --scope orders.read
  else
    run_driver "$variant" "peer-jwt@$variant" "$PEER_PID" --url "$PEER_URL" --client-id bench-jwt --private-key "$WORK/client-key.pem" --scope orders.read
  fi
  LAST_PEER_LABEL=$LAST_LABEL
}

# --- PostgreSQL: throw-away cluster as in test.sh, but with default durability (fsync on) for a fair bench --
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
run_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  local variant=$1
  [[ -n $PG_BIN && -x $PG_BIN/initdb ]] || { log "PostgreSQL not installed: skipping the PostgreSQL runs"; return 1; }
  PG_DIR=$(mktemp -d /tmp/partnergate-tokenbench-pg.XXXXXX)
  PG_USER=$(id -un)
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$PG_DIR"; PG_USER=postgres; fi
  PG_PORT=$(free_port)
  run_pg "$PG_BIN/initdb" -A trust -U "$PG_USER" -D "$PG_DIR/data" >/dev/null
  # shellcheck disable=SC2046
  run_pg $(server_prefix "$variant") "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  PG_POSTMASTER=$(head -1 "$PG_DIR/data/postmaster.pid")
  describe_affinity "postgres $("$PG_BIN/postgres" --version | awk '{print $3}')" "$PG_POSTMASTER"
}
stop_postgres() {
  if [[ -n $PG_DIR ]]; then
    run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=
  fi
}

if [[ $PARTNERGATE == yes ]]; then
  log "building PartnerGate (Release)"
  dotnet build src/PartnerGate.Web -c Release -nologo -v quiet >"$WORK/partnergate-build.log" \
    || { cat "$WORK/partnergate-build.log" >&2; exit 1; }
fi

# start_partnergate VARIANT PROVIDER CONNECTION-STRING: sets PG_APP_PID and PG_APP_URL.
start_partnergate() {
  local variant=$1 provider=$2 connection=$3 port logfile
  port=$(free_port)
  logfile="$WORK/partnergate-$provider-$variant.log"
  # --no-build: built once above; a build inside the measured server's start would only cost time.
  # shellcheck disable=SC2046
  start_background "$logfile" env \
    ASPNETCORE_ENVIRONMENT=Development \
    Demo__Seed=true \
    Demo__PrivateKeyJwtClient__PublicKeyPemPath="$WORK/client-public.pem" \
    Database__Provider="$provider" \
    ConnectionStrings__PartnerGate="$connection" \
    Logging__LogLevel__Default=Warning \
    $(server_prefix "$variant") dotnet run -c Release --no-build --no-launch-profile --project src/PartnerGate.Web --urls "http://127.0.0.1:$port"
  PG_APP_PID=$STARTED_PID
  PG_APP_URL="http://127.0.0.1:$port"
  wait_for_http "$PG_APP_URL/health/ready" "$PG_APP_PID" "$logfile" 180
  describe_affinity "PartnerGate ($provider)" "$PG_APP_PID"
}

# run_partnergate VARIANT NAME AUTH SERVER_PIDS: one PartnerGate run, paired with the peer run just before it.
run_partnergate() {
  local variant=$1 name=$2 auth=$3 server_pids=$4 label
  label="partnergate-$name-$auth@$variant"
  if [[ $auth == secret ]]; then
    run_driver "$variant" "$label" "$server_pids" --url "$PG_APP_URL/connect/token" --client-id boltnut-erp --secret boltnut-erp-demo-secret --scope orders.read
  else
    run_driver "$variant" "$label" "$server_pids" --url "$PG_APP_URL/connect/token" --client-id boltnut-erp-jwt --private-key "$WORK/client-key.pem" --assertion-audience "$PG_APP_URL/" --scope orders.read
  fi
  printf '%s\t%s\n' "$LAST_LABEL" "$LAST_PEER_LABEL" >>"$PAIRS"
}

# Interleaved so the machine's noise hits both sides: peer, PartnerGate, peer, PartnerGate, ...
measure_partnergate() {
  local variant=$1 name=$2 provider=$3 connection=$4 server_pids=$5
  start_partnergate "$variant" "$provider" "$connection" || { log "PartnerGate ($provider) did not start: skipped"; return 0; }
  local auth
  for auth in secret jwt; do
    if [[ $auth == jwt && $PG_JWT_CLIENT != yes ]]; then
      log "PartnerGate has no Demo:PrivateKeyJwtClient yet: private_key_jwt run skipped"; continue
    fi
    run_peer "$variant" "$auth"
    run_partnergate "$variant" "$name" "$auth" "$server_pids,$PG_APP_PID"
  done
  stop_background "$PG_APP_PID"
}

log "machine: $CPUS cpu(s), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "driver: concurrency $CONCURRENCY, warm-up ${WARMUP}s, measured ${DURATION}s per run; variants: $VARIANTS"

for variant in "${VARIANT_LIST[@]}"; do
  if [[ $variant == pinned ]]; then
    log "variant pinned: servers (and PostgreSQL) on cpu 0, driver on cpu 1"
  else
    log "variant unpinned: servers, PostgreSQL and the driver all share the $CPUS cpu(s)"
  fi
  start_peer "$variant"

  if [[ $PARTNERGATE == yes ]]; then
    mkdir -p "$WORK/sqlite-$variant"
    measure_partnergate "$variant" sqlite Sqlite "Data Source=$WORK/sqlite-$variant/bench.db" ""
    if start_postgres "$variant"; then
      run_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" partnergate_bench
      measure_partnergate "$variant" postgres PostgreSql \
        "Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Database=partnergate_bench" "$PG_POSTMASTER"
      stop_postgres
    fi
  else
    run_peer "$variant" secret
    run_peer "$variant" jwt
  fi
  stop_background "$PEER_PID"
done

# --- summary ---------------------------------------------------------------------------------------------
if [[ -n $OUT ]]; then
  mkdir -p "$(dirname "$OUT")"
  cp "$RESULTS" "$OUT"
  log "results (JSON lines) written to $OUT"
fi
python3 - "$RESULTS" "$PAIRS" "$CPUS" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
pairs = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]) if line.strip())
by_label = {row["label"]: row for row in rows}

def num(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"

print()
print(f"token endpoint, client_credentials, {sys.argv[3]} cpu(s); driver on the same machine")
header = f"{'run':<42} {'tokens/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'srv cpu%':>9} {'tok/cpu-s':>10}  ratio vs peer"
print(header)
print("-" * len(header))
for row in rows:
    label = row["label"]
    if row.get("failed"):
        print(f"{label:<42} {'failed':>9}")
        continue
    ratio = ""
    peer = by_label.get(pairs.get(label, ""))
    if peer and not peer.get("failed") and peer["tokens_per_s"]:
        ratio = f"{row['tokens_per_s'] / peer['tokens_per_s']:.2f}x tokens/s"
        if row.get("tokens_per_server_cpu_s") and peer.get("tokens_per_server_cpu_s"):
            ratio += f", {row['tokens_per_server_cpu_s'] / peer['tokens_per_server_cpu_s']:.2f}x per cpu-s"
        ratio += f" (vs {peer['label']})"
    print(f"{label:<42} {num(row['tokens_per_s']):>9} {num(row['p50_ms'], 2):>8} {num(row['p99_ms'], 2):>8} "
          f"{row['errors']:>7} {num(row.get('server_cpu_pct')):>9} {num(row.get('tokens_per_server_cpu_s')):>10}  {ratio}")
PY
