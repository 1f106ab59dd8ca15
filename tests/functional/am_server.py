"""A real Prometheus Alertmanager for tests: $IRCMD_TEST_ALERTMANAGER_URL when the services
helper started one, else a private instance started here (127.0.0.1, stopped by PID).
Missing both: skip, or FAIL under IRCMD_REQUIRE_SERVICES=1."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

AM_CONFIG = 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n'


def _missing(why: str) -> None:
    if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"Alertmanager required (IRCMD_REQUIRE_SERVICES=1): {why}")
    pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@contextmanager
def private_alertmanager(state_dir: Path) -> Iterator[str]:
    binary = os.environ.get("IRCMD_ALERTMANAGER_BIN") or shutil.which("prometheus-alertmanager")
    if not binary:
        _missing(
            "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)"
        )
    assert binary
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "am.yml").write_text(AM_CONFIG)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(state_dir / "am.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={state_dir / 'am.yml'}",
            f"--storage.path={state_dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while not _ready(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (state_dir / "am.log").read_text(errors="replace")[-500:]
                pytest.fail(f"private Alertmanager did not start: {tail}")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def alertmanager(state_dir: Path) -> Iterator[str]:
    url = os.environ.get("IRCMD_TEST_ALERTMANAGER_URL")
    if url:
        if not _ready(url):
            _missing(f"IRCMD_TEST_ALERTMANAGER_URL={url} is not ready")
        yield url.rstrip("/")
        return
    with private_alertmanager(state_dir) as private:
        yield private


def _call(method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=5) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def post_alerts(url: str, alerts: list[dict[str, Any]]) -> None:
    _call("POST", f"{url}/api/v2/alerts", alerts)


def resolve_alert(url: str, labels: dict[str, str]) -> None:
    """Post the alert again with endsAt in the past: Alertmanager stops listing it."""
    post_alerts(url, [{"labels": labels, "endsAt": iso(datetime.now(UTC) - timedelta(seconds=1))}])


def get_silence(url: str, silence_id: str) -> dict[str, Any]:
    result: dict[str, Any] = _call("GET", f"{url}/api/v2/silence/{silence_id}")
    return result


def get_alerts(url: str, flt: str) -> list[dict[str, Any]]:
    from urllib.parse import quote

    result: list[dict[str, Any]] = _call("GET", f"{url}/api/v2/alerts?filter={quote(flt)}")
    return result


def run_id() -> str:
    """A label value unique to one test, so tests sharing one Alertmanager never collide."""
    return uuid.uuid4().hex[:12]
