#!/usr/bin/env bash
# Chromium (Debian package chromium) for the browser-seat tests; the tests launch it
# themselves (headless, --no-sandbox, own --user-data-dir), so there is nothing to start.
#
#   scripts/services/chromium.sh install   (apt-get install when root)
#   scripts/services/chromium.sh path      -> prints the binary (IRCMD_TEST_CHROMIUM)
set -euo pipefail
SVC_NAME=chromium
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIN=${IRCMD_CHROMIUM_BIN:-/usr/bin/chromium}

case "${1:-}" in
  install) if [ -x "$BIN" ]; then exit 0; fi; svc_apt_install chromium ;;
  path) [ -x "$BIN" ] || svc_die "$BIN not installed"; echo "$BIN" ;;
  *) echo "usage: $0 install | path" >&2; exit 2 ;;
esac
