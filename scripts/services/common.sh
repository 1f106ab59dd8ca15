# Helpers shared by the per-service scripts in scripts/services/ (sourced, not run).
# Every service script understands:
#   <name>.sh install
#       install the software when missing (root only); exit 0 ready, 3 skipped (why on
#       stdout), 1 failed.
#   <name>.sh start [STATE_DIR [PORT ...]]
#       start one instance with its state in STATE_DIR (default .services/<name>) on
#       127.0.0.1:PORT (a free port when PORT is 0 or absent), wait until it is ready, print
#       its PID on stdout and write STATE_DIR/service.env (KEY=VALUE lines: PID, PID_START,
#       PORT, URL and the IRCMD_TEST_* variables it provides). Exit 1 when it did not start.
#   <name>.sh stop [STATE_DIR]
#       stop the instance recorded in STATE_DIR (by PID, checked against its start time).
# The log goes to $IRCMD_SERVICE_LOG when set, else STATE_DIR/service.log; on a failed start
# its tail is printed on stderr. Readiness waits at most $IRCMD_SERVICE_TIMEOUT seconds.

SERVICES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SERVICES_DIR/../.." && pwd)

svc_die() { echo "$SVC_NAME: $*" >&2; exit 1; }

svc_free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

svc_is_root() { [ "$(id -u)" = 0 ]; }

# svc_prepare STATE_DIR PORT: sets STATE_DIR (absolute), PORT (free one when 0/empty), LOG.
svc_prepare() {
  local state
  state=$(svc_state_arg "${1:-}")
  mkdir -p "$state"
  STATE_DIR=$(cd "$state" && pwd)
  if [ -n "$(svc_recorded_pid "$STATE_DIR")" ]; then
    svc_die "already running from $STATE_DIR (pid $(svc_recorded_pid "$STATE_DIR")); stop it first"
  fi
  PORT=${2:-0}
  if [ -z "$PORT" ] || [ "$PORT" = 0 ]; then PORT=$(svc_free_port); fi
  LOG=${IRCMD_SERVICE_LOG:-$STATE_DIR/service.log}
  mkdir -p "$(dirname "$LOG")"
  : >"$LOG"
  rm -f "$STATE_DIR/service.env"
}

svc_log_tail() {
  echo "$SVC_NAME: --- last lines of $LOG ---" >&2
  tail -n "${1:-30}" "$LOG" >&2 || true
  echo "$SVC_NAME: ---" >&2
}

# svc_wait_http URL PID [TIMEOUT]: 0 once URL answers 2xx, 1 on timeout or when PID died.
svc_wait_http() {
  local url=$1 pid=$2 timeout=${3:-${IRCMD_SERVICE_TIMEOUT:-120}} waited=0
  while [ "$waited" -lt $((timeout * 10)) ]; do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$SVC_NAME: process $pid exited before $url answered" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "$SVC_NAME: $url did not answer within ${timeout}s" >&2
  return 1
}

# svc_spawn CMD...: run CMD detached (own session, log to $LOG), set SPAWNED_PID.
svc_spawn() {
  setsid "$@" >>"$LOG" 2>&1 </dev/null &
  SPAWNED_PID=$!
}

# svc_stop_pid PID: TERM, then KILL after ~10 s. Only ever the PID we recorded.
svc_stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

svc_state_arg() { echo "${1:-${SVC_DEFAULT_STATE:-$REPO_ROOT/.services/$SVC_NAME}}"; }

svc_env_get() { # svc_env_get STATE_DIR KEY
  [ -f "$1/service.env" ] || return 0
  sed -n "s/^$2=//p" "$1/service.env" | tail -n 1
}

# svc_pid_start PID: the process start time (clock ticks since boot) — with the PID it names
# one process for good, so a stop never signals a recycled PID.
svc_pid_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }

# svc_recorded_pid STATE_DIR: the recorded PID when that very process still runs, else empty.
svc_recorded_pid() {
  local pid started
  pid=$(svc_env_get "$1" PID)
  started=$(svc_env_get "$1" PID_START)
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  if [ -n "$started" ] && [ "$(svc_pid_start "$pid")" != "$started" ]; then return 0; fi
  echo "$pid"
}

svc_stop_recorded() { # generic stop by the PID in STATE_DIR/service.env
  svc_stop_pid "$(svc_recorded_pid "$(svc_state_arg "${1:-}")")"
}

# svc_write_env STATE_DIR PID KEY=VALUE...: record the running instance.
svc_write_env() {
  local state=$1 pid=$2
  shift 2
  {
    echo "PID=$pid"
    echo "PID_START=$(svc_pid_start "$pid")"
    echo "PORT=$PORT"
    printf '%s\n' "$@"
  } >"$state/service.env.tmp"
  mv "$state/service.env.tmp" "$state/service.env"
}

# svc_apt_install PKG...: apt-get install when root (apt-get update first unless the package
# lists are younger than an hour). Exits 3 (skipped) when not root.
svc_apt_install() {
  if ! svc_is_root; then
    echo "skipped: $* not installed and not root (cannot apt-get install)"
    exit 3
  fi
  local lists=/var/lib/apt/lists
  if [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages' -mmin -60 2>/dev/null | head -n 1)" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || svc_die "apt-get update failed"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "$@" >&2 \
    || svc_die "apt-get install $* failed"
}
