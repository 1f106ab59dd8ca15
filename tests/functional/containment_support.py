"""Helpers for the containment tests: workspaces in tmp dirs and real-service lookup."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from ircmd.config import parse_config
from ircmd.service import Workspace
from ircmd.service.containment import ContainmentService


def require_env(name: str, what: str) -> str:
    """The env var's value; skip when absent, FAIL under IRCMD_REQUIRE_SERVICES=1."""
    value = os.environ.get(name)
    if value:
        return value
    message = f"{what} not available: set {name} (scripts/services.sh starts it)"
    if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def workspace(tmp_path: Path, config_text: str, *, read_only: bool = False) -> Workspace:
    config = parse_config(config_text, "<test config>")
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return Workspace.open(config, data, actor="maria.ic", read_only=read_only)


def service(ws: Workspace) -> ContainmentService:
    return ContainmentService.for_workspace(ws)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateUnleash:
    """An Unleash of the test's own (own database, own port) that the test may kill."""

    def __init__(
        self,
        url: str,
        token: str,
        pid: int,
        cleanup: list[list[str]],
        owned: tuple[object, object] | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.pid = pid
        self._cleanup = cleanup
        self._owned = owned  # (Popen, log file) when this helper started node itself

    def kill(self) -> None:
        import signal

        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def stop(self) -> None:
        import subprocess

        self.kill()
        if self._owned is not None:
            proc, log = self._owned
            proc.wait(timeout=30)  # type: ignore[attr-defined]
            log.close()  # type: ignore[attr-defined]
            self._owned = None
        for cmd in self._cleanup:
            subprocess.run(cmd, capture_output=True, timeout=30, check=False)


def start_private_unleash(state_dir: Path) -> PrivateUnleash:
    """Start a private Unleash: through ``scripts/services/unleash.sh`` when the services
    scripts are there, else from ``$IRCMD_TEST_UNLEASH_SERVER_JS`` on the test PostgreSQL."""
    import subprocess
    import time
    import uuid

    import httpx

    token = "*:*.private-" + uuid.uuid4().hex
    port = free_port()
    root = Path(__file__).resolve().parents[2]
    script = root / "scripts" / "services" / "unleash.sh"
    cleanup: list[list[str]] = []
    owned: tuple[object, object] | None = None
    if script.exists():
        # The services script creates the same admin token as the shared instance.
        token = require_env("IRCMD_TEST_UNLEASH_TOKEN", "the Unleash admin token")
        out = subprocess.run(
            ["bash", str(script), "start", str(state_dir), str(port)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if out.returncode != 0:
            pytest.fail(f"scripts/services/unleash.sh failed: {out.stderr.strip()[-300:]}")
        pid = int(out.stdout.strip().split()[-1])
    else:
        server_js = require_env("IRCMD_TEST_UNLEASH_SERVER_JS", "a private Unleash")
        dsn = require_env("IRCMD_TEST_PG_DSN", "PostgreSQL")
        from urllib.parse import urlparse

        u = urlparse(dsn)
        db = "unleash_private_" + uuid.uuid4().hex[:10]
        psql = ["psql", dsn, "-v", "ON_ERROR_STOP=1", "-qc"]
        subprocess.run([*psql, f"create database {db}"], check=True, capture_output=True)
        cleanup.append([*psql, f"drop database if exists {db} with (force)"])
        env = {
            **os.environ,
            "PGHOST": u.hostname or "127.0.0.1",
            "PGPORT": str(u.port or 5432),
            "PGDATABASE": db,
            "UNLEASH_PORT": str(port),
            "UNLEASH_ADMIN_TOKEN": token,
        }
        log = open(state_dir / "unleash.log", "wb")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            ["node", server_js],
            cwd=str(Path(server_js).parent),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        pid = proc.pid
        owned = (proc, log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return PrivateUnleash(url, token, pid, cleanup, owned)
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    PrivateUnleash(url, token, pid, cleanup, owned).stop()
    pytest.fail("private Unleash did not become healthy within 120 s")
