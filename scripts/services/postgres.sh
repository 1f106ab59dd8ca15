#!/usr/bin/env bash
# PostgreSQL 15 (Debian) for tests: initdb + pg_ctl, 127.0.0.1 only, trust auth for user
# postgres on loopback (tests only!). Run as root it runs the server as the `postgres` user;
# run as anyone else it runs as that user.
#
#   scripts/services/postgres.sh install
#   scripts/services/postgres.sh start [STATE_DIR [PORT]]  -> prints the postmaster PID
#   scripts/services/postgres.sh stop [STATE_DIR]          (pg_ctl stop -m fast, then the PID)
# STATE_DIR defaults to .services/postgres.
#
# start writes STATE_DIR/service.env with PID, PID_START, PORT, PGDATA, URL and
# IRCMD_TEST_PG_DSN=postgresql://postgres@127.0.0.1:PORT/postgres (superuser: create your own
# database). The cluster lives in STATE_DIR/data and is reused by the next start with the same
# STATE_DIR (data survives stop/start: a test can stop it mid-test and start it again on the
# same PORT). When the postgres user cannot reach STATE_DIR (e.g. pytest's 0700 tmp dirs) the
# cluster goes to a fresh /tmp/ircmd-pg.* directory recorded in STATE_DIR/pgdata.
# Private instance from a test: `postgres.sh start "$tmp/pg" 0` then `postgres.sh stop "$tmp/pg"`
# (tests/services.py: start_private("postgres", tmp_path)).
set -euo pipefail
SVC_NAME=postgres
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_BIN=${IRCMD_PG_BIN:-/usr/lib/postgresql/15/bin}

run_pg() { # run a PostgreSQL binary as the right user
  if svc_is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgdata_for() { # pgdata_for STATE_DIR: the data directory of this state dir (may create it)
  local state=$1
  if [ -f "$state/pgdata" ]; then cat "$state/pgdata"; return; fi
  if svc_is_root && ! runuser -u postgres -- test -x "$state"; then
    local tmp
    tmp=$(mktemp -d /tmp/ircmd-pg.XXXXXX)
    chown postgres: "$tmp"
    echo "$tmp/data" >"$state/pgdata"
    echo "$tmp/data"
    return
  fi
  echo "$state/data"
}

cmd_install() {
  if [ -x "$PG_BIN/pg_ctl" ]; then exit 0; fi
  svc_apt_install postgresql-15
}

cmd_start() {
  svc_prepare "${1:-}" "${2:-0}"
  [ -x "$PG_BIN/pg_ctl" ] || svc_die "no PostgreSQL binaries in $PG_BIN (set IRCMD_PG_BIN)"
  if svc_is_root && ! id postgres >/dev/null 2>&1; then svc_die "no postgres user"; fi
  local pgdata
  pgdata=$(pgdata_for "$STATE_DIR")
  mkdir -p "$pgdata"
  if svc_is_root; then
    chown postgres: "$pgdata"
    case "$pgdata" in "$STATE_DIR"/*) chown postgres: "$STATE_DIR" ;; esac
  fi
  chmod 700 "$pgdata"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    run_pg "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust --no-locale -E UTF8 \
      >>"$LOG" 2>&1 || { svc_log_tail; svc_die "initdb failed"; }
  fi
  # pg_ctl without -l: the server's stderr is the file we (maybe root) opened for it.
  if ! run_pg "$PG_BIN/pg_ctl" start -D "$pgdata" -w -t "${IRCMD_SERVICE_TIMEOUT:-60}" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='' -c max_connections=200" \
    >>"$LOG" 2>&1 </dev/null; then
    svc_log_tail
    svc_die "pg_ctl start failed (port $PORT)"
  fi
  local pid
  pid=$(head -n 1 "$pgdata/postmaster.pid")
  local dsn="postgresql://postgres@127.0.0.1:$PORT/postgres"
  svc_write_env "$STATE_DIR" "$pid" "PGDATA=$pgdata" "URL=$dsn" "IRCMD_TEST_PG_DSN=$dsn"
  echo "$pid"
}

cmd_stop() {
  local state pgdata pid
  state=$(svc_state_arg "${1:-}")
  pgdata=$(svc_env_get "$state" PGDATA)
  pid=$(svc_recorded_pid "$state")
  if [ -n "$pid" ] && [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then
    run_pg "$PG_BIN/pg_ctl" stop -D "$pgdata" -m fast -w -t 30 >/dev/null 2>&1 || true
  fi
  svc_stop_pid "$pid"
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 install | start [STATE_DIR [PORT]] | stop [STATE_DIR]" >&2; exit 2 ;;
esac
