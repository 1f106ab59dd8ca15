"""``rollback_prompt`` against a REAL Phoenix: the ``production`` tag moves to an earlier
version and back, confirmed by reading the tag; an out-of-band tag move is drift."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from ircmd.domain.containment.controls import ControlState, RowHealth
from ircmd.domain.incidents.timeline import EventKind
from tests.functional.containment_support import service, workspace
from tests.support.configs import control, controller, support_refunds_toml

pytestmark = pytest.mark.services


def make_prompt(url: str, name: str, n: int = 3) -> list[str]:
    """Create ``name`` with ``n`` versions; tag the newest ``production``; ids oldest first."""
    ids = []
    for i in range(1, n + 1):
        body = {
            "prompt": {"name": name},
            "version": {
                "model_provider": "OPENAI",
                "model_name": "gpt-4o-mini",
                "template": {
                    "type": "chat",
                    "messages": [{"role": "system", "content": f"refund policy v{i}"}],
                },
                "template_type": "CHAT",
                "template_format": "MUSTACHE",
                "invocation_parameters": {"type": "openai", "openai": {}},
            },
        }
        r = httpx.post(f"{url}/v1/prompts", json=body, timeout=10)
        r.raise_for_status()
        ids.append(r.json()["data"]["id"])
    tag(url, ids[-1])
    return ids


def tag(url: str, version_id: str) -> None:
    r = httpx.post(
        f"{url}/v1/prompt_versions/{version_id}/tags", json={"name": "production"}, timeout=10
    )
    r.raise_for_status()


def production(url: str, name: str) -> str:
    r = httpx.get(f"{url}/v1/prompts/{name}/tags/production", timeout=10)
    r.raise_for_status()
    return str(r.json()["data"]["id"])


def config(url: str, prompt: str, version: str | None = None) -> str:
    keys = {"version": version} if version else {}
    rollback = control("prompt", "rollback_prompt", controller="prompts", prompt=prompt, **keys)
    return (
        controller("prompts", "phoenix-prompts", url, timeout=5)
        + "\n"
        + support_refunds_toml(rollback)
    )


@pytest.fixture
def phoenix(phoenix_url: str) -> str:
    return phoenix_url


def test_rollback_to_previous_and_release_on_real_phoenix(tmp_path: Path, phoenix: str) -> None:
    name = "refund-" + uuid.uuid4().hex[:10]
    v1, v2, v3 = make_prompt(phoenix, name)
    ws = workspace(tmp_path, config(phoenix, name))
    svc = service(ws)
    inc, _ = ws.incidents.declare("Prompt regression", workflow_id="support-refunds")

    assert (svc.observe())["support-refunds/prompt"].state == ControlState.OFF
    result = svc.contain(inc.id, "support-refunds/prompt", "v3 promises refunds")
    assert result.ok, result.error
    assert production(phoenix, name) == v2  # really moved in Phoenix
    confirmed = ws.incidents.timeline(inc.id)[-1]
    assert confirmed.kind == EventKind.CONTAINMENT_CONFIRMED
    assert v2 in confirmed.data["detail"]

    rows = {r.id: r for r in svc.reconcile(inc.id)}
    assert rows["support-refunds/prompt"].confirmed == ControlState.ON
    assert rows["support-refunds/prompt"].health == RowHealth.OK

    released = svc.release(inc.id, "support-refunds/prompt", "v4 fixed")
    assert released.ok and released.confirmed == ControlState.OFF
    assert production(phoenix, name) == v3  # back where it was
    assert v1 != v2
    svc.close()


def test_named_version_and_drift_on_real_phoenix(tmp_path: Path, phoenix: str) -> None:
    name = "refund-" + uuid.uuid4().hex[:10]
    v1, _v2, v3 = make_prompt(phoenix, name)
    ws = workspace(tmp_path, config(phoenix, name, version=v1))
    svc = service(ws)
    inc, _ = ws.incidents.declare("Prompt regression", workflow_id="support-refunds")
    assert (svc.contain(inc.id, "support-refunds/prompt", "back to v1")).ok
    assert production(phoenix, name) == v1

    tag(phoenix, v3)  # someone re-tags production in Phoenix
    rows = {r.id: r for r in svc.reconcile(inc.id)}
    assert rows["support-refunds/prompt"].drift
    svc.reconcile(inc.id)
    drift = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.CONTAINMENT_DRIFT]
    assert len(drift) == 1 and drift[0].data["state"] == "off"
    svc.close()


def test_unknown_prompt_fails_with_one_line(tmp_path: Path, phoenix: str) -> None:
    ws = workspace(tmp_path, config(phoenix, "no-such-prompt-" + uuid.uuid4().hex[:6]))
    svc = service(ws)
    inc, _ = ws.incidents.declare("x", workflow_id="support-refunds")
    result = svc.contain(inc.id, "support-refunds/prompt", "try")
    assert not result.ok
    assert "HTTP 404" in (result.error or "") or "no 'production' tag" in (result.error or "")
    assert "\n" not in (result.error or "")
    svc.close()
