#!/usr/bin/env bash
# Arize Phoenix (pip arize-phoenix, pinned to the version whose REST spec is in
# /work/shared/reference) for tests: HTTP and gRPC on 127.0.0.1 only (gRPC through
# phoenix_launcher.py, since Phoenix binds it on every interface), SQLite in STATE_DIR,
# telemetry off. Ingests OTLP protobuf only (POST /v1/traces; JSON gets 415) and picks the
# project from the resource attribute openinference.project.name.
#
#   scripts/services/phoenix.sh install
#       pip install arize-phoenix==$IRCMD_PHOENIX_VERSION into $IRCMD_PHOENIX_VENV
#       (default .services/phoenix-venv), reused when present.
#   scripts/services/phoenix.sh start [STATE_DIR [PORT [GRPC_PORT]]]  -> prints the PID
#   scripts/services/phoenix.sh stop [STATE_DIR]
#
# start writes STATE_DIR/service.env with PID, PORT, GRPC_PORT, URL and IRCMD_TEST_PHOENIX_URL
# (http://127.0.0.1:PORT; ready when /healthz answers, ~20-25 s on 2 cores).
# Private instance from a test: tests/services.py start_private("phoenix", tmp_path).
set -euo pipefail
SVC_NAME=phoenix
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

VENV=${IRCMD_PHOENIX_VENV:-$REPO_ROOT/.services/phoenix-venv}
VERSION=${IRCMD_PHOENIX_VERSION:-20.26.1}

installed() { # the pinned version's metadata is there (importing phoenix takes ~10 s)
  [ -x "$VENV/bin/python" ] &&
    compgen -G "$VENV/lib/python3*/site-packages/arize_phoenix-$VERSION.dist-info" >/dev/null
}

cmd_install() {
  if installed; then exit 0; fi
  python3 -m venv "$VENV" || svc_die "cannot create venv $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "arize-phoenix==$VERSION" >&2 ||
    svc_die "pip install arize-phoenix==$VERSION failed"
}

cmd_start() {
  svc_prepare "${1:-}" "${2:-0}"
  local grpc_port=${3:-0}
  if [ -z "$grpc_port" ] || [ "$grpc_port" = 0 ]; then grpc_port=$(svc_free_port); fi
  [ -x "$VENV/bin/python" ] || svc_die "no Phoenix venv at $VENV (run phoenix.sh install)"
  mkdir -p "$STATE_DIR/work"
  PHOENIX_HOST=127.0.0.1 PHOENIX_PORT=$PORT PHOENIX_GRPC_PORT=$grpc_port \
    PHOENIX_WORKING_DIR=$STATE_DIR/work PHOENIX_TELEMETRY_ENABLED=false \
    svc_spawn "$VENV/bin/python" "$SERVICES_DIR/phoenix_launcher.py"
  local pid=$SPAWNED_PID url="http://127.0.0.1:$PORT"
  if ! svc_wait_http "$url/healthz" "$pid" "${IRCMD_SERVICE_TIMEOUT:-180}"; then
    svc_stop_pid "$pid"
    svc_log_tail
    exit 1
  fi
  svc_write_env "$STATE_DIR" "$pid" "GRPC_PORT=$grpc_port" "URL=$url" \
    "IRCMD_TEST_PHOENIX_URL=$url"
  echo "$pid"
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; svc_stop_recorded "$@" ;;
  *) echo "usage: $0 install | start [STATE_DIR [PORT [GRPC_PORT]]] | stop [STATE_DIR]" >&2; exit 2 ;;
esac
