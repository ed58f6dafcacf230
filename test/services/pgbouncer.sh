#!/usr/bin/env bash
# PgBouncer in transaction mode in front of the machine's PostgreSQL, for the "services" test profile.
#
# Idempotent: installs pgbouncer when missing, makes sure PostgreSQL runs, creates role and database
# "consilium" when missing, writes a private config (never the system /etc/pgbouncer one) and starts
# PgBouncer as a daemon unless 127.0.0.1:6432 already serves the consilium database.
#
# Addresses match test/services/env.ts:
#   DATABASE_URL      postgres://consilium:consilium@127.0.0.1:6432/consilium   (this pooler)
#   directPostgresUrl postgres://postgres@127.0.0.1:5432/postgres                (the server behind it)
#
# Overridable: PGBOUNCER_DIR (config, userlist, pid and log; default /tmp/consilium-pgbouncer),
# PGBOUNCER_WAIT (seconds to wait for each readiness check; default 30).
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
BOUNCER_HOST=127.0.0.1
BOUNCER_PORT=6432
DB_NAME=consilium
DB_USER=consilium
DB_PASS=consilium
RUN_AS=postgres
DIR=${PGBOUNCER_DIR:-/tmp/consilium-pgbouncer}
WAIT=${PGBOUNCER_WAIT:-30}
INI=$DIR/pgbouncer.ini
USERLIST=$DIR/userlist.txt
PIDFILE=$DIR/pgbouncer.pid
LOGFILE=$DIR/pgbouncer.log
POOLER_URL="postgres://$DB_USER:$DB_PASS@$BOUNCER_HOST:$BOUNCER_PORT/$DB_NAME"

log() { echo "[pgbouncer.sh] $*" >&2; }
die() { echo "[pgbouncer.sh] ERROR: $*" >&2; exit 1; }

# A TCP port answers (bash's /dev/tcp, so no netcat needed).
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# psql as the superuser straight to PostgreSQL, bypassing the pooler.
psql_admin() {
  PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres "$@"
}

# A query through the pooler as the application user, exactly as the tests connect.
pooler_ok() {
  PGCONNECT_TIMEOUT=3 psql -X -q -At "$POOLER_URL" -c 'select 1' 2>/dev/null | grep -qx 1
}

# The pgbouncer daemon this script started, if it still runs.
our_pid() {
  local pid
  [[ -s $PIDFILE ]] || return 1
  pid=$(<"$PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# --- 1. pgbouncer binary --------------------------------------------------------------------------
if ! command -v pgbouncer >/dev/null 2>&1 && [[ ! -x /usr/sbin/pgbouncer ]]; then
  log "installing pgbouncer"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q pgbouncer >&2; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update -q >&2 || die "apt-get update failed"
    apt-get install -y -q pgbouncer >&2 || die "apt-get install -y pgbouncer failed"
  fi
fi
PGBOUNCER_BIN=$(command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer)
[[ -x $PGBOUNCER_BIN ]] || die "pgbouncer binary not found after install"
command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql-client)"

# --- 2. PostgreSQL --------------------------------------------------------------------------------
if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n $version ]] || die "PostgreSQL is not answering on $PG_HOST:$PG_PORT and no cluster exists in /etc/postgresql"
  log "starting PostgreSQL $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || log "pg_ctlcluster start returned an error; waiting anyway"
  for ((i = 0; i < WAIT; i++)); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
    sleep 1
  done
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || die "PostgreSQL did not become ready on $PG_HOST:$PG_PORT within ${WAIT}s"
fi

# --- 3. role and database -------------------------------------------------------------------------
# The password is (re)set every run so the userlist below always matches the server.
psql_admin >/dev/null <<SQL || die "could not create or update role $DB_USER"
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASS';
  ELSE
    ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASS';
  END IF;
EXCEPTION WHEN duplicate_object THEN
  NULL; -- created concurrently by another run
END
\$\$;
SQL
db_exists() { [[ $(psql_admin -At -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") == 1 ]]; }
if ! db_exists; then
  log "creating database $DB_NAME"
  # CREATE DATABASE cannot run in a DO block; tolerate a concurrent run having won the race.
  psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null || db_exists || die "could not create database $DB_NAME"
fi

# --- 4. private config ----------------------------------------------------------------------------
# What postgres.js (node_modules/postgres/src/startup.js, v4) sends in its startup packet: user, database,
# client_encoding=UTF8 and application_name, plus anything in its `connection` option or extra URL query
# parameters. PgBouncer tracks client_encoding, DateStyle, TimeZone, standard_conforming_strings and
# application_name itself; extra_float_digits (pgjdbc, older drivers) and options (psql PGOPTIONS, some ORMs)
# are ignored instead of rejected. Anything else in `connection` is refused by PgBouncer: SET it in a
# transaction instead.
mkdir -p "$DIR"
chown "$RUN_AS:" "$DIR"
chmod 700 "$DIR"

tmp_ini=$(mktemp "$DIR/.ini.XXXXXX")
tmp_users=$(mktemp "$DIR/.users.XXXXXX")
trap 'rm -f "$tmp_ini" "$tmp_users"' EXIT

cat >"$tmp_ini" <<INI
; Generated by test/services/pgbouncer.sh; rewritten on every run, edits are lost.
; Test-only pooler on the loopback interface, separate from any system /etc/pgbouncer instance.

[databases]
$DB_NAME = host=$PG_HOST port=$PG_PORT dbname=$DB_NAME
; Any other database (e.g. one a test creates as consilium) is forwarded to the same server.
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = $BOUNCER_HOST
listen_port = $BOUNCER_PORT
; The unix socket stays in this private directory, away from /var/run/postgresql and /tmp.
unix_socket_dir = $DIR
pidfile = $PIDFILE
logfile = $LOGFILE

; Clients authenticate with SCRAM against the plain-text password in the userlist; PgBouncer reuses that
; password if the server ever asks for one (the machine's pg_hba trusts 127.0.0.1 today).
auth_type = scram-sha-256
auth_file = $USERLIST
stats_users = $DB_USER

pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
min_pool_size = 0
reserve_pool_size = 5
reserve_pool_timeout = 3
; PostgreSQL has max_connections = 100 here; keep room for direct connections from tests and tools.
max_db_connections = 60

ignore_startup_parameters = extra_float_digits,options

server_reset_query = DISCARD ALL
server_check_delay = 10
server_idle_timeout = 60
query_wait_timeout = 60
log_connections = 0
log_disconnections = 0
log_pooler_errors = 1
INI

printf '"%s" "%s"\n' "$DB_USER" "$DB_PASS" >"$tmp_users"

changed=0
install_file() { # install_file SRC DST: replace DST by SRC (owned by $RUN_AS, mode 600) when they differ
  if ! cmp -s "$1" "$2"; then
    chown "$RUN_AS:" "$1"
    chmod 600 "$1"
    mv -f "$1" "$2"
    changed=1
  fi
}
install_file "$tmp_ini" "$INI"
install_file "$tmp_users" "$USERLIST"

# --- 5. pgbouncer daemon --------------------------------------------------------------------------
if pid=$(our_pid) && [[ $changed == 1 ]]; then
  log "config changed; reloading pgbouncer (pid $pid)"
  kill -HUP "$pid"
  sleep 1
fi

if port_open "$BOUNCER_HOST" "$BOUNCER_PORT"; then
  if pooler_ok; then
    log "already running on $BOUNCER_HOST:$BOUNCER_PORT"
    exit 0
  fi
  if ! our_pid >/dev/null; then
    # Not ours: most likely the distribution's own instance, started by the package's init script.
    if [[ -s /run/postgresql/pgbouncer.pid ]] && kill -0 "$(</run/postgresql/pgbouncer.pid)" 2>/dev/null; then
      log "stopping the system pgbouncer instance that holds port $BOUNCER_PORT"
      kill -TERM "$(</run/postgresql/pgbouncer.pid)" || true
      for ((i = 0; i < 10; i++)); do port_open "$BOUNCER_HOST" "$BOUNCER_PORT" || break; sleep 1; done
    fi
    port_open "$BOUNCER_HOST" "$BOUNCER_PORT" &&
      die "something else listens on $BOUNCER_HOST:$BOUNCER_PORT but does not serve $POOLER_URL (see: ss -ltnp 'sport = :$BOUNCER_PORT')"
  fi
fi

if ! port_open "$BOUNCER_HOST" "$BOUNCER_PORT"; then
  if pid=$(our_pid); then
    log "pgbouncer pid $pid runs but does not listen; restarting it"
    kill -TERM "$pid" || true
    sleep 1
  fi
  log "starting pgbouncer on $BOUNCER_HOST:$BOUNCER_PORT (config $INI, log $LOGFILE)"
  # pgbouncer refuses to run as root. max_client_conn needs about as many file descriptors: raise the soft
  # limit inside the user switch (PAM may reset limits), up to the hard limit; only a warning if it can't.
  launch='ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" -d "$1"'
  if command -v runuser >/dev/null 2>&1; then
    runuser -u "$RUN_AS" -- /bin/sh -c "$launch" "$PGBOUNCER_BIN" "$INI" >&2
  else
    su "$RUN_AS" -s /bin/sh -c "$launch" "$PGBOUNCER_BIN" "$INI" >&2
  fi || { tail -n 20 "$LOGFILE" >&2 2>/dev/null || true; die "pgbouncer failed to start"; }
fi

for ((i = 0; i < WAIT; i++)); do
  pooler_ok && { log "ready: $POOLER_URL"; exit 0; }
  sleep 1
done
tail -n 20 "$LOGFILE" >&2 2>/dev/null || true
PGCONNECT_TIMEOUT=3 psql -X -At "$POOLER_URL" -c 'select 1' >&2 || true
die "pgbouncer did not serve $POOLER_URL within ${WAIT}s"
