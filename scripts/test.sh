#!/usr/bin/env bash
# The whole test suite: installs the test extra into .venv, starts the real services the
# tests need (when run as root, as CI does), then runs the static checks and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
# a third-party backend package, so the tests prove plug-in kinds work through the config
.venv/bin/python -m pip install -q --no-deps -e tests/plugins/ircmd_testplugin

if [ -x scripts/services.sh ]; then
  # shellcheck disable=SC1091
  source scripts/services.sh
  trap services_stop EXIT
  services_start
fi

echo "== ruff format"; .venv/bin/ruff format --check src tests benchmarks
echo "== ruff check";  .venv/bin/ruff check src tests benchmarks
echo "== mypy";        .venv/bin/mypy
echo "== lint-imports"; .venv/bin/lint-imports
echo "== pytest";      .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
