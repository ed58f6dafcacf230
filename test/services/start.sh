#!/usr/bin/env bash
# Starts every service the "services" test profile needs (addresses as in test/services/env.ts), each only
# when it does not answer yet, and waits until each one is ready. Safe to run again at any time.
#
#   PostgreSQL         127.0.0.1:5432   pg_ctlcluster
#   Redis              127.0.0.1:6379   redis-server --daemonize (apt redis-server when missing)
#   NATS + JetStream   127.0.0.1:4222   start-stop-daemon (apt nats-server when missing)
#   PgBouncer          127.0.0.1:6432   test/services/pgbouncer.sh
#   s3rver             127.0.0.1:4568   test/services/s3.ts in the background
#   Upstash bridge     127.0.0.1:8079   test/services/upstash-bridge.ts in the background, when the file exists
#
# Needs node_modules (npm ci) for the last two. Logs and pid files of the background Node services go to
# $SERVICES_DIR (default /tmp/consilium-services); SERVICES_WAIT is the per-service timeout in seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

WAIT=${SERVICES_WAIT:-60}
STATE=${SERVICES_DIR:-/tmp/consilium-services}
mkdir -p "$STATE"

log() { echo "[services] $*" >&2; }
die() { echo "[services] ERROR: $*" >&2; exit 1; }

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# wait_for NAME CHECK...: run CHECK every half second until it succeeds, at most $WAIT seconds.
wait_for() {
  local name=$1 deadline=$((SECONDS + WAIT))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
  log "$name ready"
}

apt_install() {
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q "$@" >&2; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update -q >&2 || die "apt-get update failed"
    apt-get install -y -q "$@" >&2 || die "apt-get install -y $* failed"
  fi
}

# --- PostgreSQL -----------------------------------------------------------------------------------
pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }
command -v pg_isready >/dev/null 2>&1 || die "pg_isready not found: PostgreSQL (client) is not installed"
if pg_ready; then
  log "PostgreSQL already running"
else
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n $version ]] || die "PostgreSQL does not answer on 127.0.0.1:5432 and no cluster exists in /etc/postgresql"
  log "starting PostgreSQL $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || log "pg_ctlcluster start returned an error; waiting anyway"
  wait_for PostgreSQL pg_ready ||
    die "PostgreSQL did not answer on 127.0.0.1:5432 within ${WAIT}s (see /var/log/postgresql/postgresql-$version-main.log)"
fi

# --- Redis ----------------------------------------------------------------------------------------
redis_ping() {
  local reply
  if command -v redis-cli >/dev/null 2>&1; then
    [[ $(timeout 3 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]]
  else
    reply=$(timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; printf "PING\r\n" >&3; IFS= read -r -t 2 l <&3; echo "$l"' 2>/dev/null) || return 1
    [[ ${reply%$'\r'} == +PONG ]]
  fi
}
if redis_ping; then
  log "Redis already running"
else
  port_open 127.0.0.1 6379 && die "something listens on 127.0.0.1:6379 but does not answer the Redis PING"
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >&2 || die "redis-server failed to start (see /var/log/redis/ci.log)"
  wait_for Redis redis_ping || {
    tail -n 20 /var/log/redis/ci.log >&2 2>/dev/null || true
    die "Redis did not answer PING on 127.0.0.1:6379 within ${WAIT}s (see /var/log/redis/ci.log)"
  }
fi

# --- NATS with JetStream --------------------------------------------------------------------------
# The server's greeting (INFO {...}) says whether JetStream is enabled.
nats_info() { timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222; IFS= read -r -t 2 l <&3; echo "$l"' 2>/dev/null; }
nats_ready() { [[ $(nats_info) == INFO* ]]; }
if nats_ready; then
  log "NATS already running"
else
  port_open 127.0.0.1 4222 && die "something listens on 127.0.0.1:4222 but does not greet like a NATS server"
  [[ -x /usr/sbin/nats-server ]] || apt_install nats-server
  mkdir -p /var/lib/nats-server
  log "starting NATS with JetStream"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log >&2 ||
    die "start-stop-daemon could not start nats-server"
  wait_for NATS nats_ready || {
    tail -n 20 /var/log/nats-server.log >&2 2>/dev/null || true
    die "NATS did not answer on 127.0.0.1:4222 within ${WAIT}s (see /var/log/nats-server.log)"
  }
fi
[[ $(nats_info) == *'"jetstream":true'* ]] ||
  die "NATS on 127.0.0.1:4222 runs without JetStream; restart it with -js (see the start-stop-daemon line in $0)"

# --- PgBouncer ------------------------------------------------------------------------------------
PGBOUNCER_WAIT=$WAIT bash "$ROOT/test/services/pgbouncer.sh" || die "PgBouncer setup failed (test/services/pgbouncer.sh)"
log "PgBouncer ready"

# --- Node services (s3rver, Upstash bridge) -------------------------------------------------------
# start_node NAME FILE PORT: run FILE with the project's tsx, detached from this shell (own session, no
# inherited stdio, so a CI step never waits on it), unless PORT answers already; then wait for PORT.
# tsx is called directly rather than through npx: npx does not pass SIGTERM on, tsx does.
TSX=$ROOT/node_modules/.bin/tsx
start_node() {
  local name=$1 file=$2 port=$3 logfile=$STATE/$1.log pidfile=$STATE/$1.pid pid
  if port_open 127.0.0.1 "$port"; then
    log "$name already answers on 127.0.0.1:$port"
    return 0
  fi
  [[ -x $TSX ]] || die "$TSX not found: run npm ci before starting $name"
  log "starting $name ($file, log $logfile)"
  setsid nohup "$TSX" "$file" </dev/null >"$logfile" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  node_up() {
    kill -0 "$pid" 2>/dev/null || {
      tail -n 30 "$logfile" >&2 || true
      die "$name exited during startup (log $logfile)"
    }
    port_open 127.0.0.1 "$port"
  }
  wait_for "$name" node_up || {
    tail -n 30 "$logfile" >&2 || true
    die "$name did not answer on 127.0.0.1:$port within ${WAIT}s (log $logfile, pid $pid)"
  }
}

start_node s3rver test/services/s3.ts 4568

if [[ -f $ROOT/test/services/upstash-bridge.ts ]]; then
  redis_ping || die "Redis stopped answering before the Upstash bridge could start"
  start_node upstash-bridge test/services/upstash-bridge.ts 8079
else
  log "test/services/upstash-bridge.ts does not exist yet; Upstash bridge not started"
fi

log "all services ready"
