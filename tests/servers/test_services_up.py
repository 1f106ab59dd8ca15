"""The real servers the backend tests use answer, on loopback only: a broken start shows up
here first, by name, instead of as a pile of skips or odd failures elsewhere."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.services import PrivateService, require_service, start_private, unleash_token

pytestmark = pytest.mark.services


def _listeners_of_port(port: int) -> list[str]:
    """Every listening address of the process that listens on ``port``."""
    if shutil.which("ss") is None:
        pytest.skip("ss (iproute2) not installed")
    rows = subprocess.run(
        ["ss", "-Hltnp"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    pids: set[str] = set()
    for row in rows:
        fields = row.split()
        if len(fields) >= 4 and fields[3].rsplit(":", 1)[-1] == str(port):
            pids.update(re.findall(r"pid=(\d+)", row))
    assert pids, f"nothing listens on port {port}"
    found = []
    for row in rows:
        if set(re.findall(r"pid=(\d+)", row)) & pids:
            found.append(row.split()[3])
    return found


def _assert_loopback_only(port: int) -> None:
    addresses = _listeners_of_port(port)
    for address in addresses:
        host = address.rsplit(":", 1)[0]
        assert host in ("127.0.0.1", "[::1]", "[::ffff:127.0.0.1]"), (
            f"listens on {address}, not loopback only: {addresses}"
        )


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None, url
    return port


def _psql(dsn: str, sql: str) -> str:
    if shutil.which("psql") is None:
        pytest.skip("psql (postgresql-client) not installed")
    out = subprocess.run(
        ["psql", dsn, "-XtAc", sql], capture_output=True, text=True, timeout=30, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


# -- PostgreSQL ------------------------------------------------------------------------------
def test_postgres_answers_on_loopback() -> None:
    dsn = require_service("postgres")
    assert _psql(dsn, "SHOW server_version").startswith("15.")
    assert _psql(dsn, "SHOW listen_addresses") == "127.0.0.1"
    assert _psql(dsn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "t"
    _assert_loopback_only(_port(dsn))


def test_private_postgres_keeps_its_data_across_a_crash(tmp_path: Path) -> None:
    pg = start_private("postgres", tmp_path)
    try:
        assert pg.url != require_service("postgres")
        _psql(pg.url, "CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
        pg.kill()
        assert not pg.running()
        with pytest.raises(AssertionError):
            _psql(pg.url, "SELECT 1")
        pg.start()
        assert _psql(pg.url, "SELECT x FROM t") == "42"
    finally:
        pg.close()
    assert not pg.running()


# -- Alertmanager ----------------------------------------------------------------------------
def test_alertmanager_answers_and_keeps_alerts() -> None:
    url = require_service("alertmanager")
    assert httpx.get(f"{url}/-/ready", timeout=5).status_code == 200
    status = httpx.get(f"{url}/api/v2/status", timeout=5).json()
    assert status["cluster"]["status"] == "disabled"
    name = f"IrcmdUp{uuid.uuid4().hex[:8]}"
    posted = httpx.post(f"{url}/api/v2/alerts", json=[{"labels": {"alertname": name}}], timeout=5)
    assert posted.status_code == 200
    alerts = httpx.get(
        f"{url}/api/v2/alerts", params={"filter": f'alertname="{name}"'}, timeout=5
    ).json()
    assert [a["labels"]["alertname"] for a in alerts] == [name]
    _assert_loopback_only(_port(url))


def test_private_alertmanager_can_be_killed_and_restarted(tmp_path: Path) -> None:
    am = start_private("alertmanager", tmp_path)
    try:
        assert am.url != require_service("alertmanager")
        assert httpx.get(f"{am.url}/-/ready", timeout=5).status_code == 200
        am.kill()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{am.url}/-/ready", timeout=5)
        am.start()
        assert httpx.get(f"{am.url}/-/ready", timeout=5).status_code == 200
    finally:
        am.close()


# -- Phoenix ---------------------------------------------------------------------------------
def test_phoenix_answers_on_loopback_including_grpc() -> None:
    url = require_service("phoenix")
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
    # by name: the list is paged (100 a page) and a long-lived Phoenix holds many projects
    project = httpx.get(f"{url}/v1/projects/default", timeout=10).json()
    assert project["data"]["name"] == "default"
    # Phoenix ingests OTLP protobuf only.
    assert (
        httpx.post(
            f"{url}/v1/traces", content=b"{}", headers={"content-type": "application/json"}
        ).status_code
        == 415
    )
    # HTTP and the (patched) gRPC receiver: nothing on 0.0.0.0 or [::].
    listeners = _listeners_of_port(_port(url))
    assert len(listeners) >= 2, listeners
    _assert_loopback_only(_port(url))


# -- Unleash ---------------------------------------------------------------------------------
def _toggle_kill_switch(url: str, token: str) -> None:
    headers = {"Authorization": token}
    api = f"{url}/api/admin/projects/default/features"
    name = f"ircmd-up-{uuid.uuid4().hex[:8]}"
    with httpx.Client(headers=headers, timeout=10) as client:
        created = client.post(api, json={"name": name, "type": "kill-switch"})
        assert created.status_code in (200, 201), created.text
        assert created.json()["type"] == "kill-switch"
        for state, expected in (("on", True), ("off", False)):
            r = client.post(f"{api}/{name}/environments/development/{state}")
            assert r.status_code == 200, r.text
            feature = client.get(f"{api}/{name}").json()
            envs = {e["name"]: e["enabled"] for e in feature["environments"]}
            assert envs["development"] is expected
        client.delete(f"{api}/{name}")  # archive


def test_unleash_admin_token_toggles_a_kill_switch() -> None:
    url = require_service("unleash")
    token = unleash_token()
    assert httpx.get(f"{url}/health", timeout=5).json()["health"] == "GOOD"
    denied = httpx.get(
        f"{url}/api/admin/projects/default/features",
        headers={"Authorization": "*:*.not-the-token"},
        timeout=5,
    )
    assert denied.status_code == 401
    _toggle_kill_switch(url, token)
    _assert_loopback_only(_port(url))


def test_private_unleash_has_its_own_database_and_survives_a_restart(tmp_path: Path) -> None:
    un: PrivateService = start_private("unleash", tmp_path)
    try:
        assert un.env["DATABASE"] != "unleash"  # not the shared instance's database
        _toggle_kill_switch(un.url, un.token)
        un.kill()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{un.url}/health", timeout=5)
        started = time.monotonic()
        un.start()
        assert time.monotonic() - started < 120
        assert httpx.get(f"{un.url}/health", timeout=5).status_code == 200
    finally:
        un.close()
    dsn = require_service("postgres")
    assert (
        _psql(dsn, f"SELECT count(*) FROM pg_database WHERE datname = '{un.env['DATABASE']}'")
        == "0"
    )


# -- Chromium --------------------------------------------------------------------------------
def test_chromium_renders_a_page(tmp_path: Path) -> None:
    chromium = require_service("chromium")
    out = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            "data:text/html,<p id=x>ircmd-up</p><script>document.getElementById('x')"
            ".textContent += '-ok'</script>",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "ircmd-up-ok" in out.stdout, out.stderr[-2000:]
