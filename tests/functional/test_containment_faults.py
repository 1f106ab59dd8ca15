"""Faults on top of the real-server tests: timeouts, 401/403, 5xx and garbage answers from a
control plane leave the control unconfirmed/failed, on the board and in the timeline."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ircmd.backends.controllers.phoenix_prompts import PhoenixPromptsController
from ircmd.backends.controllers.unleash import UnleashController
from ircmd.domain.config import ControllerConfig
from ircmd.domain.containment.controls import ControlState, RowHealth
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import Workspace
from ircmd.service.containment.service import ContainmentService
from tests.functional.containment_support import service, workspace
from tests.support.configs import flags_and_prompts_toml

TOKEN = "*:*.s3cret-token-never-stored"

CONFIG = flags_and_prompts_toml(
    "http://unleash.test", "http://phoenix.test", token_prefix="FAULT", timeout=0.5
)

Handler = Callable[[httpx.Request], httpx.Response]


def feature(enabled: bool) -> dict[str, object]:
    return {
        "name": "support-refunds.pause",
        "environments": [{"name": "development", "enabled": enabled, "hasEnabledStrategies": True}],
    }


def unleash_handler(*, toggle: int = 200, read: object = None, status: int = 200) -> Handler:
    state = {"enabled": False}

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == TOKEN
        if request.method == "POST" and request.url.path.endswith(("/on", "/off")):
            if toggle == 200:
                state["enabled"] = request.url.path.endswith("/on")
            return httpx.Response(toggle, json={"message": "nope"} if toggle != 200 else {})
        if request.method == "GET":
            if read is not None:
                return httpx.Response(status, content=read if isinstance(read, bytes) else b"")
            return httpx.Response(200, json=feature(state["enabled"]))
        return httpx.Response(404)

    return handle


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULT_UNLEASH_TOKEN", TOKEN)
    monkeypatch.setenv("FAULT_PHOENIX_TOKEN", TOKEN)


def setup(tmp_path: Path, handler: Handler) -> tuple[Workspace, ContainmentService, str]:
    ws = workspace(tmp_path, CONFIG)
    svc = service(ws)
    cfg = ws.config.controllers["flags"]
    svc.controllers["flags"] = UnleashController(
        cfg, name="flags", transport=httpx.MockTransport(handler)
    )
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id="support-refunds", severity="high")
    return ws, svc, inc.id


def test_mock_happy_path_confirms_and_sets_contained_time(tmp_path: Path, env: None) -> None:
    ws, svc, inc = setup(tmp_path, unleash_handler())
    result = svc.contain(inc, "support-refunds/pause", "refunds wrong")
    assert result.ok and result.confirmed == ControlState.ON
    events = ws.incidents.timeline(inc)
    assert [e.kind for e in events[-2:]] == [
        EventKind.CONTAINMENT_REQUESTED,
        EventKind.CONTAINMENT_CONFIRMED,
    ]
    assert events[-1].data["control"] == "support-refunds/pause"
    assert events[-1].author == "maria.ic" and events[-1].data["reason"] == "refunds wrong"
    assert ws.incidents.get(inc).contained_at == events[-1].at
    svc.close()


@pytest.mark.parametrize(
    ("handler", "expect"),
    [
        (unleash_handler(toggle=401), "HTTP 401 (check the token in $FAULT_UNLEASH_TOKEN)"),
        (unleash_handler(toggle=403), "HTTP 403"),
        (unleash_handler(toggle=503), "HTTP 503"),
        (unleash_handler(read=b"<html>gateway</html>"), "not JSON"),
        (unleash_handler(read=b'{"name": 1}'), "unexpected answer"),
        (unleash_handler(read=b"", status=500), "HTTP 500"),
    ],
    ids=["401", "403", "503", "garbage-html", "garbage-json", "read-500"],
)
def test_faults_leave_the_control_failed_everywhere(
    tmp_path: Path, env: None, handler: Handler, expect: str
) -> None:
    ws, svc, inc = setup(tmp_path, handler)
    result = svc.contain(inc, "support-refunds/pause", "refunds wrong")
    assert not result.ok
    assert expect in (result.error or "")
    last = ws.incidents.timeline(inc)[-1]
    assert last.kind == EventKind.CONTAINMENT_FAILED
    assert expect in last.data["error"] and "NOT confirmed" in last.text
    row = next(r for r in svc.rows() if r.id == "support-refunds/pause")
    assert row.health == RowHealth.FAILED and row.mismatch
    assert row.desired == ControlState.ON and row.confirmed != ControlState.ON
    assert ws.incidents.get(inc).contained_at is None
    store_text = Path(ws.store.location).read_text()
    assert TOKEN not in store_text and "s3cret" not in store_text
    svc.close()


def test_backend_that_does_not_change_is_not_confirmed(tmp_path: Path, env: None) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=feature(False))
        return httpx.Response(200, json={})  # says yes, does nothing

    ws, svc, inc = setup(tmp_path, handle)
    result = svc.contain(inc, "support-refunds/pause", "stop")
    assert not result.ok and result.confirmed == ControlState.OFF
    assert result.error == "backend reports off after the change"
    assert ws.incidents.timeline(inc)[-1].kind == EventKind.CONTAINMENT_FAILED


def test_slow_backend_times_out_within_the_bound(tmp_path: Path, env: None) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)  # the behaviour under test: a backend slower than the bound
        return httpx.Response(200, json={})

    class SlowTransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return await slow(request)

    ws = workspace(tmp_path, CONFIG)
    svc = service(ws)
    svc.controllers["flags"] = UnleashController(
        ws.config.controllers["flags"], name="flags", transport=SlowTransport()
    )
    inc, _ = ws.incidents.declare("x", workflow_id="support-refunds")
    t0 = time.monotonic()
    result = svc.contain(inc.id, "support-refunds/pause", "stop", timeout=0.3)
    assert time.monotonic() - t0 < 2.5
    assert not result.ok and result.error == "no confirmation within 0.3s (timeout)"
    assert result.confirmed == ControlState.UNKNOWN
    rows = svc.reconcile(inc.id)
    row = next(r for r in rows if r.id == "support-refunds/pause")
    assert row.health == RowHealth.FAILED
    assert row.confirmed == ControlState.UNKNOWN


def test_httpx_timeout_is_one_line(tmp_path: Path, env: None) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    _ws, svc, inc = setup(tmp_path, handle)
    result = svc.contain(inc, "support-refunds/pause", "stop")
    path = "/api/admin/projects/default/features/support-refunds.pause/environments/development/on"
    assert result.error == f"flags: POST {path} timed out after 0.5s"


def test_missing_token_env_says_which_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FAULT_UNLEASH_TOKEN", raising=False)
    _ws, svc, inc = setup(tmp_path, unleash_handler())
    result = svc.contain(inc, "support-refunds/pause", "stop")
    assert result.error == (
        "flags: environment variable FAULT_UNLEASH_TOKEN (token_env) is not set"
    )


async def test_batched_read_is_one_request_and_flags_missing_controls() -> None:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        feats = [feature(True) | {"name": f"wf{i}.pause"} for i in range(0, 50, 2)]
        return httpx.Response(200, json={"features": feats})

    from ircmd.backends.protocols import ControlTarget
    from ircmd.domain.incidents.workflow import ControlSpec

    ctrl = UnleashController(
        ControllerConfig(kind="unleash", url="http://u.test"),
        transport=httpx.MockTransport(handle),
    )
    targets = [
        ControlTarget(f"wf{i}/pause", ControlSpec(id="pause", kind="pause_workflow"))
        for i in range(50)
    ]
    got = await ctrl.read(targets)
    assert calls == ["GET /api/admin/projects/default/features"]
    assert got["wf0/pause"].state == ControlState.ON
    assert got["wf1/pause"].state == ControlState.OFF
    assert "does not exist" in got["wf1/pause"].detail
    await ctrl.aclose()


def test_phoenix_garbage_and_403(tmp_path: Path, env: None) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        if request.url.path.endswith("/tags/production"):
            return httpx.Response(200, json={"data": {"no": "id"}})
        return httpx.Response(403, text="Forbidden")

    ws = workspace(tmp_path, CONFIG)
    svc = service(ws)
    svc.controllers["prompts"] = PhoenixPromptsController(
        ws.config.controllers["prompts"], name="prompts", transport=httpx.MockTransport(handle)
    )
    inc, _ = ws.incidents.declare("x", workflow_id="support-refunds")
    result = svc.contain(inc.id, "support-refunds/prompt", "bad prompt")
    assert not result.ok and "has no data.id" in (result.error or "")
    observed = svc.observe()
    assert observed["support-refunds/prompt"].state == ControlState.UNKNOWN
    assert "has no data.id" in (observed["support-refunds/prompt"].error or "")
    dump = json.dumps([e.to_record() for e in ws.incidents.timeline(inc.id)])
    assert TOKEN not in dump
