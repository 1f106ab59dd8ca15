"""Real servers for tests: the shared ones started by ``scripts/services.sh`` and private ones
a test starts (and may kill) itself.

    from tests.services import require_service, start_private, free_port

    url = require_service("alertmanager")       # URL/DSN, else skip (fail when required)
    am = start_private("alertmanager", tmp_path)  # own state dir + port, ready on return
    am.url; am.kill(); am.start(); am.stop()

Names: postgres (superuser DSN), alertmanager, phoenix, unleash (URL; the admin token is
``unleash_token()``), chromium (path of the binary). A missing service skips the test, or fails
it when ``IRCMD_REQUIRE_SERVICES=1`` (as ``.ci/run`` sets).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts" / "services"

ENV_VARS = {
    "postgres": "IRCMD_TEST_PG_DSN",
    "alertmanager": "IRCMD_TEST_ALERTMANAGER_URL",
    "phoenix": "IRCMD_TEST_PHOENIX_URL",
    "unleash": "IRCMD_TEST_UNLEASH_URL",
    "chromium": "IRCMD_TEST_CHROMIUM",
}
UNLEASH_TOKEN_VAR = "IRCMD_TEST_UNLEASH_TOKEN"
PRIVATE = ("postgres", "alertmanager", "phoenix", "unleash")


def services_required() -> bool:
    return os.environ.get("IRCMD_REQUIRE_SERVICES") == "1"


def missing(message: str) -> None:
    """Skip the test, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{message} (IRCMD_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


# Set by the autouse ``_services_marker_guard`` fixture (tests/conftest.py): whether the running
# test carries the ``services`` marker. A test that reaches a real server without it fails, so
# ``pytest -m "not services"`` never needs one. None outside a test (e.g. module-scope set-up).
CURRENT_TEST_MARKED: bool | None = None


def _check_marked(name: str) -> None:
    if CURRENT_TEST_MARKED is False:
        pytest.fail(
            f"this test uses the real {name} but has no services marker: add "
            "@pytest.mark.services (or use a service fixture, which adds it)",
            pytrace=False,
        )


def require_service(name: str) -> str:
    """The URL (DSN for postgres, binary path for chromium) of a shared service."""
    if name not in ENV_VARS:
        raise ValueError(f"unknown service {name!r}; known: {', '.join(ENV_VARS)}")
    _check_marked(name)
    var = ENV_VARS[name]
    value = os.environ.get(var, "")
    if not value:
        missing(f"{name} not available: {var} is unset (start it with scripts/services.sh)")
    return value


def unleash_token() -> str:
    """The admin API token of the shared Unleash (send it as the Authorization header)."""
    require_service("unleash")
    token = os.environ.get(UNLEASH_TOKEN_VAR, "")
    if not token:
        missing(f"unleash admin token not available: {UNLEASH_TOKEN_VAR} is unset")
    return token


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _read_env(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key] = value
    return out


@dataclass
class PrivateService:
    """One instance a test owns: started by ``scripts/services/<name>.sh`` with its own state
    dir and port. ``kill()`` (SIGKILL) and ``stop()`` keep the state; ``start()`` brings it
    back on the same port with the same data."""

    name: str
    state_dir: Path
    port: int
    extra: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 240.0

    @property
    def url(self) -> str:
        return self.env["URL"]

    @property
    def pid(self) -> int:
        return int(self.env["PID"])

    @property
    def token(self) -> str:
        """Unleash only: the admin API token."""
        return self.env[UNLEASH_TOKEN_VAR]

    @property
    def log(self) -> Path:
        return self.state_dir / "service.log"

    def start(self) -> PrivateService:
        cmd = [str(SCRIPTS / f"{self.name}.sh"), "start", str(self.state_dir), str(self.port)]
        try:
            proc = subprocess.run(
                [*cmd, *self.extra],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                env={k: v for k, v in os.environ.items() if k != "IRCMD_SERVICE_LOG"},
            )
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"private {self.name} did not start within {self.timeout:.0f} s")
        if proc.returncode != 0:
            pytest.fail(
                f"private {self.name} failed to start (exit {proc.returncode}):\n"
                f"{proc.stderr[-3000:]}",
                pytrace=False,
            )
        self.env = _read_env(self.state_dir / "service.env")
        return self

    def running(self) -> bool:
        if not self.env:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL, as a crash would (PostgreSQL recovers its data on the next start)."""
        if self.running():
            os.kill(self.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while self.running() and time.monotonic() < deadline:
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop gracefully (pg_ctl stop for postgres), by the recorded PID."""
        subprocess.run(
            [str(SCRIPTS / f"{self.name}.sh"), "stop", str(self.state_dir)],
            capture_output=True,
            timeout=60,
            check=False,
        )

    def close(self) -> None:
        """Stop and remove what lives outside ``state_dir`` (Unleash's database, a PostgreSQL
        data dir placed in /tmp because pytest's tmp dirs are closed to the postgres user)."""
        self.stop()
        if self.name == "unleash" and self.env.get("DATABASE"):
            subprocess.run(
                [
                    "psql",
                    self.extra[0],
                    "-Xqc",
                    f'DROP DATABASE IF EXISTS "{self.env["DATABASE"]}"',
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
        marker = self.state_dir / "pgdata"
        if self.name == "postgres" and marker.exists():
            pgdata = marker.read_text(encoding="utf-8").strip()
            if pgdata.startswith("/tmp/ircmd-pg."):
                shutil.rmtree(Path(pgdata).parent, ignore_errors=True)


def start_private(name: str, tmp_path: Path, *, port: int = 0) -> PrivateService:
    """Start a private instance of ``name`` under ``tmp_path/<name>`` (ready on return).

    Skips (or fails when required) when the shared instance is not available, since the
    software is then missing. Unleash gets its own database on the shared PostgreSQL.
    Clean up with ``close()``, or use the ``private_service`` fixture which does."""
    if name not in PRIVATE:
        raise ValueError(f"no private instances of {name!r}; possible: {', '.join(PRIVATE)}")
    require_service(name)
    extra: tuple[str, ...] = ()
    if name == "unleash":
        extra = (require_service("postgres"),)
    state = tmp_path / name
    state.mkdir(parents=True, exist_ok=True)
    return PrivateService(name, state, port or free_port(), extra).start()
