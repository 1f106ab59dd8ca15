#!/usr/bin/env bash
# A real LiteLLM proxy (pip litellm[proxy], pinned) for the replay tests: config-file mode, no
# database, a generated strong master key, LITELLM_LOCAL_MODEL_COST_MAP=True (no download),
# bound to 127.0.0.1, forwarding model gpt-4o-mini to an OpenAI-compatible UPSTREAM (the
# tests' local server). With GUARD=on a litellm_content_filter guardrail (pre_call, on by
# default) blocks any request that mentions "refund".
#
#   scripts/services/litellm.sh install        pip install into $IRCMD_LITELLM_VENV
#                                              (default .services/litellm-venv), reused
#   scripts/services/litellm.sh start STATE_DIR PORT UPSTREAM_URL [on|off]  -> prints the PID
#   scripts/services/litellm.sh stop STATE_DIR
#
# start writes STATE_DIR/service.env (PID, PORT, URL, IRCMD_TEST_LITELLM_URL,
# IRCMD_TEST_LITELLM_KEY: the master key, file mode 600). Ready when /health/liveliness
# answers (~60-90 s on 2 cores). litellm-proxy for the newest litellm is not on every index,
# hence the pin to 1.80.0 (it carries the proxy extras itself).
set -euo pipefail
SVC_NAME=litellm
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

VENV=${IRCMD_LITELLM_VENV:-$SERVICES_HOME/litellm-venv}
VERSION=${IRCMD_LITELLM_VERSION:-1.80.0}

installed() {
  [ -x "$VENV/bin/litellm" ] &&
    compgen -G "$VENV/lib/python3*/site-packages/litellm-$VERSION.dist-info" >/dev/null
}

cmd_install() {
  if installed; then exit 0; fi
  python3 -m venv "$VENV" || svc_die "cannot create venv $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "litellm[proxy]==$VERSION" >&2 ||
    svc_die "pip install litellm[proxy]==$VERSION failed"
}

cmd_start() {
  svc_prepare "${1:-}" "${2:-0}"
  local upstream=${3:?upstream url}
  local guard=${4:-off}
  [ -x "$VENV/bin/litellm" ] || svc_die "no LiteLLM venv at $VENV (run litellm.sh install)"
  local key
  key="sk-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  local cfg=$STATE_DIR/config.yaml
  cat >"$cfg" <<YAML
model_list:
  - model_name: gpt-4o-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: "$upstream"
      api_key: upstream-test-key
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
litellm_settings:
  telemetry: false
YAML
  if [ "$guard" = on ]; then
    cat >>"$cfg" <<'YAML'
guardrails:
  - guardrail_name: refunds-content-filter
    litellm_params:
      guardrail: litellm_content_filter
      mode: pre_call
      default_on: true
      blocked_words:
        - keyword: refund
          action: BLOCK
          description: refunds are paused during the incident
YAML
  fi
  LITELLM_MASTER_KEY=$key LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_TELEMETRY=False \
    DISABLE_SCHEMA_UPDATE=true svc_spawn "$VENV/bin/litellm" --config "$cfg" \
    --host 127.0.0.1 --port "$PORT" --num_workers 1
  local pid=$SPAWNED_PID url="http://127.0.0.1:$PORT"
  if ! svc_wait_http "$url/health/liveliness" "$pid" "${IRCMD_SERVICE_TIMEOUT:-240}"; then
    svc_stop_pid "$pid"
    svc_log_tail
    exit 1
  fi
  (umask 077; svc_write_env "$STATE_DIR" "$pid" "URL=$url" "IRCMD_TEST_LITELLM_URL=$url" \
    "IRCMD_TEST_LITELLM_KEY=$key")
  echo "$pid"
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; svc_stop_recorded "$@" ;;
  *) echo "usage: $0 install | start STATE_DIR PORT UPSTREAM_URL [on|off] | stop STATE_DIR" >&2; exit 2 ;;
esac
