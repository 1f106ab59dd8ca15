#!/usr/bin/env bash
# Prometheus Alertmanager (Debian package prometheus-alertmanager) for tests: 127.0.0.1 only,
# clustering off, a config holding only a route to a `null` receiver.
#
#   scripts/services/alertmanager.sh install               (apt-get install when root)
#   scripts/services/alertmanager.sh start [STATE_DIR [PORT]] -> prints the PID
#   scripts/services/alertmanager.sh stop [STATE_DIR]
#
# start writes STATE_DIR/service.env with PID, PORT, URL and IRCMD_TEST_ALERTMANAGER_URL
# (http://127.0.0.1:PORT, ready at /-/ready). Alerts posted without endsAt expire after 5 min.
# Private instance from a test: tests/services.py start_private("alertmanager", tmp_path).
set -euo pipefail
SVC_NAME=alertmanager
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

AM_BIN=${IRCMD_ALERTMANAGER_BIN:-$(command -v prometheus-alertmanager || echo /usr/bin/prometheus-alertmanager)}

cmd_install() {
  if [ -x "$AM_BIN" ]; then exit 0; fi
  svc_apt_install prometheus-alertmanager
}

cmd_start() {
  svc_prepare "${1:-}" "${2:-0}"
  [ -x "$AM_BIN" ] || svc_die "prometheus-alertmanager not installed"
  mkdir -p "$STATE_DIR/data"
  cat >"$STATE_DIR/am.yml" <<'YML'
route:
  receiver: "null"
receivers:
  - name: "null"
YML
  svc_spawn "$AM_BIN" --config.file="$STATE_DIR/am.yml" --storage.path="$STATE_DIR/data" \
    --web.listen-address="127.0.0.1:$PORT" --cluster.listen-address=
  local pid=$SPAWNED_PID url="http://127.0.0.1:$PORT"
  if ! svc_wait_http "$url/-/ready" "$pid" "${IRCMD_SERVICE_TIMEOUT:-30}"; then
    svc_stop_pid "$pid"
    svc_log_tail
    exit 1
  fi
  svc_write_env "$STATE_DIR" "$pid" "URL=$url" "IRCMD_TEST_ALERTMANAGER_URL=$url"
  echo "$pid"
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; svc_stop_recorded "$@" ;;
  *) echo "usage: $0 install | start [STATE_DIR [PORT]] | stop [STATE_DIR]" >&2; exit 2 ;;
esac
