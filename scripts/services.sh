#!/usr/bin/env bash
# The real servers the tests use: PostgreSQL 15, Prometheus Alertmanager, Arize Phoenix,
# Unleash (on that PostgreSQL) and Chromium for the browser seat. Everything binds 127.0.0.1.
#
# Sourced by scripts/test.sh:   source scripts/services.sh; trap services_stop EXIT; services_start
# In your own shell:            source scripts/services.sh && services_start   ... services_stop
# Or, from anywhere:            eval "$(scripts/services.sh start)"  ...  scripts/services.sh stop
#
# services_start installs what is missing (as root: apt-get for alertmanager and chromium,
# pip into .services/phoenix-venv, npm into .services/unleash; installs run in parallel),
# starts every service, waits until each answers, exports
#   IRCMD_TEST_PG_DSN  IRCMD_TEST_ALERTMANAGER_URL  IRCMD_TEST_PHOENIX_URL
#   IRCMD_TEST_UNLEASH_URL  IRCMD_TEST_UNLEASH_TOKEN  IRCMD_TEST_CHROMIUM
# and prints one line per service: its URL, or "skipped: why" / "FAILED: why" (with the tail
# of its log). A service that cannot be installed (not root) or started is left unset: its
# tests skip, or fail under IRCMD_REQUIRE_SERVICES=1. services_start itself returns 0.
#
# Knobs: IRCMD_SERVICES="postgres alertmanager phoenix unleash chromium" (the subset to start;
# unleash needs postgres; "none" starts nothing), IRCMD_SERVICES_HOME (default REPO/.services:
# state, logs, installs; IRCMD_PHOENIX_VENV / IRCMD_UNLEASH_HOME point at existing installs).
# A variable already set (e.g. IRCMD_TEST_PHOENIX_URL pointing at a server you run) is kept
# and that service is not started. Logs: .services/logs/<name>.log.
# Per-service scripts (also for private instances in tests): scripts/services/<name>.sh.

_IRCMD_SVC_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/services
_IRCMD_SVC_ALL="postgres alertmanager phoenix unleash chromium litellm"

_svc_home() { echo "${IRCMD_SERVICES_HOME:-$(cd "$_IRCMD_SVC_SCRIPTS/../.." && pwd)/.services}"; }

_svc_var() { # the variable whose presence means "this service is available"
  case $1 in
    postgres) echo IRCMD_TEST_PG_DSN ;;
    alertmanager) echo IRCMD_TEST_ALERTMANAGER_URL ;;
    phoenix) echo IRCMD_TEST_PHOENIX_URL ;;
    unleash) echo IRCMD_TEST_UNLEASH_URL ;;
    chromium) echo IRCMD_TEST_CHROMIUM ;;
    litellm) echo IRCMD_LITELLM_VENV ;; # install only: the tests start private proxies
  esac
}

_svc_state() { # state dir of the shared instance
  case $1 in
    unleash) echo "$(_svc_home)/unleash-state" ;;
    *) echo "$(_svc_home)/$1" ;;
  esac
}

_svc_now() { date +%s.%N; }
_svc_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# _svc_status NAME LINE: the chain's result (read by services_start once all chains end).
_svc_status() { echo "$2" >"$(_svc_home)/run/$1.status"; }

# _svc_install NAME: run <name>.sh install; 0 ok, 3 skipped, 1 failed (status written).
_svc_install() {
  local name=$1 out rc=0
  out=$("$_IRCMD_SVC_SCRIPTS/$name.sh" install 2>>"$(_svc_home)/logs/$name.install.log") || rc=$?
  case $rc in
    0) return 0 ;;
    3) _svc_status "$name" "${out:-skipped: not installed}"; return 3 ;;
    *)
      _svc_status "$name" "FAILED: install failed (see $(_svc_home)/logs/$name.install.log)"
      tail -n 15 "$(_svc_home)/logs/$name.install.log" | sed "s/^/  $name install: /" >&2
      return 1
      ;;
  esac
}

# _svc_chain NAME: install (if needed) then start one service; writes run/NAME.status.
_svc_chain() {
  local name=$1 home t0 t1 t2 state log rc=0
  home=$(_svc_home)
  state=$(_svc_state "$name")
  log="$home/logs/$name.log"
  t0=$(_svc_now)
  case $name in
    alertmanager | chromium) _svc_wait_file "$home/run/apt.done" ;;
  esac
  _svc_install "$name" || return 0
  t1=$(_svc_now)
  if [ "$name" = litellm ]; then
    _svc_status litellm "ok ${IRCMD_LITELLM_VENV:-$home/litellm-venv} (install $(_svc_secs "$t0" "$t1") s; tests start private proxies)"
    return 0
  fi
  if [ "$name" = chromium ]; then
    _svc_status chromium "ok $("$_IRCMD_SVC_SCRIPTS/chromium.sh" path) (install $(_svc_secs "$t0" "$t1") s)"
    return 0
  fi
  local args=("$state" 0)
  if [ "$name" = unleash ]; then
    _svc_wait_file "$home/run/postgres.status"
    local dsn
    dsn=$(sed -n 's/^IRCMD_TEST_PG_DSN=//p' "$(_svc_state postgres)/service.env" 2>/dev/null)
    if [ -n "${IRCMD_TEST_PG_DSN:-}" ]; then dsn=$IRCMD_TEST_PG_DSN; fi
    if [ -z "$dsn" ]; then
      _svc_status unleash "skipped: needs PostgreSQL, which is not available"
      return 0
    fi
    args+=("$dsn" unleash)
  fi
  # A previous run killed before its trap ran: stop what it recorded (by PID) first.
  "$_IRCMD_SVC_SCRIPTS/$name.sh" stop "$state" >/dev/null 2>&1 || true
  IRCMD_SERVICE_LOG=$log "$_IRCMD_SVC_SCRIPTS/$name.sh" start "${args[@]}" \
    >/dev/null 2>"$home/run/$name.err" || rc=$?
  t2=$(_svc_now)
  if [ "$rc" != 0 ]; then
    _svc_status "$name" "FAILED: start failed after $(_svc_secs "$t1" "$t2") s (log $log)"
    return 0
  fi
  _svc_status "$name" "ok $(sed -n 's/^URL=//p' "$state/service.env") (install $(_svc_secs "$t0" "$t1") s, start $(_svc_secs "$t1" "$t2") s)"
}

_svc_wait_file() { # wait (bounded: 20 min) until a file exists
  local i=0
  while [ ! -e "$1" ] && [ "$i" -lt 12000 ]; do sleep 0.1; i=$((i + 1)); done
}

# _svc_apt: one apt-get run for the Debian packages that are missing (apt holds a lock, so
# alertmanager, chromium and tmux are installed together rather than in parallel).
_svc_apt() {
  local home pkgs=() rc=0
  home=$(_svc_home)
  if [[ " $1 " == *" alertmanager "* ]] && ! command -v prometheus-alertmanager >/dev/null; then
    pkgs+=(prometheus-alertmanager)
  fi
  if [[ " $1 " == *" chromium "* ]] && [ ! -x "${IRCMD_CHROMIUM_BIN:-/usr/bin/chromium}" ]; then
    pkgs+=(chromium)
  fi
  # tmux: the real-terminal tests (tests/terminal/) drive ircmd in it
  command -v tmux >/dev/null || pkgs+=(tmux)
  if [ "${#pkgs[@]}" -gt 0 ] && [ "$(id -u)" = 0 ]; then
    (SVC_NAME=apt && source "$_IRCMD_SVC_SCRIPTS/common.sh" && svc_apt_install "${pkgs[@]}") \
      >>"$home/logs/apt.log" 2>&1 || rc=$?
    [ "$rc" = 0 ] || tail -n 15 "$home/logs/apt.log" | sed 's/^/  apt: /' >&2
  fi
  touch "$home/run/apt.done"
}

services_start() {
  local home name want=() pids=() t0
  home=$(_svc_home)
  t0=$(_svc_now)
  if [ "${IRCMD_SERVICES:-}" = none ]; then
    echo "services: none started (IRCMD_SERVICES=none)"
    return 0
  fi
  mkdir -p "$home/logs" "$home/run"
  rm -f "$home/run/"*.status "$home/run/"*.err "$home/run/apt.done"
  for name in ${IRCMD_SERVICES:-$_IRCMD_SVC_ALL}; do
    case " $_IRCMD_SVC_ALL " in
      *" $name "*) ;;
      *) echo "services: unknown service '$name' in IRCMD_SERVICES" >&2; continue ;;
    esac
    local var
    var=$(_svc_var "$name")
    if [ -n "${!var:-}" ]; then
      _svc_status "$name" "ok ${!var} (from the environment, not started here)"
      continue
    fi
    want+=("$name")
  done
  case " ${IRCMD_SERVICES:-$_IRCMD_SVC_ALL} " in
    *" postgres "*) ;;
    *) _svc_status postgres "skipped: not in IRCMD_SERVICES" ;;
  esac
  printf '%s\n' "${want[@]}" >"$home/run/started"
  echo "services: starting ${want[*]:-nothing} (logs in $home/logs)"
  _svc_apt "${want[*]:-}" &
  pids+=($!)
  for name in "${want[@]}"; do
    _svc_chain "$name" &
    pids+=($!)
  done
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  for name in ${IRCMD_SERVICES:-$_IRCMD_SVC_ALL}; do
    local status_file="$home/run/$name.status" line
    [ -f "$status_file" ] || continue
    line=$(cat "$status_file")
    case $line in
      ok\ *)
        local state
        state=$(_svc_state "$name")
        if [ "$name" = litellm ]; then
          export IRCMD_LITELLM_VENV=${IRCMD_LITELLM_VENV:-$home/litellm-venv}
        elif [ "$name" = chromium ]; then
          if [ -z "${IRCMD_TEST_CHROMIUM:-}" ]; then
            export IRCMD_TEST_CHROMIUM
            IRCMD_TEST_CHROMIUM=$("$_IRCMD_SVC_SCRIPTS/chromium.sh" path)
          fi
        elif [ -f "$state/service.env" ] && [[ $line != *"from the environment"* ]]; then
          local kv
          while IFS= read -r kv; do
            case $kv in IRCMD_TEST_*=*) export "${kv?}" ;; esac
          done <"$state/service.env"
        fi
        printf 'services: %-13s %s\n' "$name" "${line#ok }"
        ;;
      *)
        printf 'services: %-13s %s\n' "$name" "$line"
        if [[ $line == FAILED* ]]; then
          sed "s/^/    /" "$home/run/$name.err" 2>/dev/null | tail -n 40 || true
        fi
        ;;
    esac
  done
  echo "services: ready in $(_svc_secs "$t0" "$(_svc_now)") s"
  return 0
}

services_stop() {
  local name state home
  home=$(_svc_home)
  [ -f "$home/run/started" ] || return 0
  # unleash before the postgres it uses; the others in any order. Only what we started.
  for name in unleash phoenix alertmanager postgres; do
    grep -qx "$name" "$home/run/started" || continue
    state=$(_svc_state "$name")
    [ -f "$state/service.env" ] || continue
    "$_IRCMD_SVC_SCRIPTS/$name.sh" stop "$state" >/dev/null 2>&1 || true
    rm -f "$state/service.env"
  done
  rm -f "$home/run/started"
  return 0
}

# Executed rather than sourced: start (export lines on stdout for eval) or stop.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      services_start >&2
      for _v in IRCMD_TEST_PG_DSN IRCMD_TEST_ALERTMANAGER_URL IRCMD_TEST_PHOENIX_URL \
        IRCMD_TEST_UNLEASH_URL IRCMD_TEST_UNLEASH_TOKEN IRCMD_TEST_CHROMIUM; do
        if [ -n "${!_v:-}" ]; then printf 'export %s=%q\n' "$_v" "${!_v}"; fi
      done
      ;;
    stop) services_stop ;;
    *) echo "usage: $0 start | stop   (or source it and call services_start/services_stop)" >&2; exit 2 ;;
  esac
fi
