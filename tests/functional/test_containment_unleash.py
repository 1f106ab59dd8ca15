"""Containment against a REAL Unleash on PostgreSQL: toggle and confirm, release, drift after
an out-of-band change (recorded once), and a controller killed mid-test → failed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ircmd.cli import main
from ircmd.domain.containment.controls import ControlState, RowHealth
from ircmd.domain.incidents.timeline import EventKind
from tests.functional.containment_support import service, workspace
from tests.services import PrivateService

pytestmark = pytest.mark.services


def config(url: str, wf: str, token_env: str = "IRCMD_TEST_UNLEASH_TOKEN") -> str:
    return f"""
[controllers.flags]
kind = "unleash"
url = "{url}"
token_env = "{token_env}"
project = "default"
environment = "development"
timeout = 3

[[workflows]]
id = "{wf}"

[[workflows.controls]]
id = "pause"
kind = "pause_workflow"
controller = "flags"
flag = "{wf}.pause"
critical = true

[[workflows.controls]]
id = "review"
kind = "force_human_review"
controller = "flags"
"""


@pytest.fixture
def unleash(unleash_admin: tuple[str, str]) -> tuple[str, str]:
    return unleash_admin


def wf_id() -> str:
    return "wf-" + uuid.uuid4().hex[:10]


def flag_enabled(url: str, token: str, flag: str, env: str = "development") -> bool:
    r = httpx.get(
        f"{url}/api/admin/projects/default/features/{flag}",
        headers={"Authorization": token},
        timeout=5,
    )
    r.raise_for_status()
    return bool(next(e["enabled"] for e in r.json()["environments"] if e["name"] == env))


def flip(url: str, token: str, flag: str, on: bool) -> None:
    r = httpx.post(
        f"{url}/api/admin/projects/default/features/{flag}/environments/development/"
        + ("on" if on else "off"),
        headers={"Authorization": token},
        timeout=5,
    )
    r.raise_for_status()


def test_toggle_confirm_and_release_on_real_unleash(
    tmp_path: Path, unleash: tuple[str, str]
) -> None:
    url, token = unleash
    wf = wf_id()
    ws = workspace(tmp_path, config(url, wf))
    svc = service(ws)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id=wf, severity="high")

    before = svc.observe()
    assert before[f"{wf}/pause"].state == ControlState.OFF
    assert "does not exist" in before[f"{wf}/pause"].detail

    result = svc.contain(inc.id, f"{wf}/pause", "refunds outside policy")
    assert result.ok, result.error
    assert result.confirmed == ControlState.ON
    # The flag really is on in Unleash (created as a kill switch).
    assert flag_enabled(url, token, f"{wf}.pause")
    r = httpx.get(
        f"{url}/api/admin/projects/default/features/{wf}.pause",
        headers={"Authorization": token},
    )
    assert r.json()["type"] == "kill-switch"
    assert ws.incidents.get(inc.id).contained_at is not None

    rows = {r.id: r for r in svc.reconcile(inc.id)}
    assert rows[f"{wf}/pause"].confirmed == ControlState.ON
    assert rows[f"{wf}/pause"].health == RowHealth.OK
    assert rows[f"{wf}/review"].confirmed == ControlState.OFF

    released = svc.release(inc.id, f"{wf}/pause", "fix deployed")
    assert released.ok and released.confirmed == ControlState.OFF
    assert not flag_enabled(url, token, f"{wf}.pause")
    kinds = [e.kind for e in ws.incidents.timeline(inc.id)]
    assert kinds.count(EventKind.CONTAINMENT_CONFIRMED) == 2
    assert kinds.count(EventKind.CONTAINMENT_REQUESTED) == 2
    store_text = Path(ws.store.location).read_text()
    assert token not in store_text
    svc.close()


def test_drift_after_out_of_band_change_is_recorded_once(
    tmp_path: Path, unleash: tuple[str, str]
) -> None:
    url, token = unleash
    wf = wf_id()
    ws = workspace(tmp_path, config(url, wf))
    svc = service(ws)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id=wf, severity="high")
    assert (svc.contain(inc.id, f"{wf}/pause", "stop refunds")).ok

    flip(url, token, f"{wf}.pause", on=False)  # someone turns it off in the Unleash UI

    for _ in range(3):  # several reconcile rounds, one drift event
        rows = {r.id: r for r in svc.reconcile(inc.id)}
        assert rows[f"{wf}/pause"].drift
        assert rows[f"{wf}/pause"].desired == ControlState.ON
        assert rows[f"{wf}/pause"].confirmed == ControlState.OFF
    drift = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.CONTAINMENT_DRIFT]
    assert len(drift) == 1
    assert drift[0].data == {
        "control": f"{wf}/pause",
        "desired": "on",
        "state": "off",
        "detail": f"flag {wf}.pause in development",
    }
    # A second console reconciling the same store does not record it again.
    ws2 = workspace(tmp_path, config(url, wf))
    service(ws2).reconcile(inc.id)
    assert (
        len([e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.CONTAINMENT_DRIFT])
        == 1
    )

    flip(url, token, f"{wf}.pause", on=True)  # back as asked: drift clears
    rows = {r.id: r for r in svc.reconcile(inc.id)}
    assert rows[f"{wf}/pause"].health == RowHealth.OK
    flip(url, token, f"{wf}.pause", on=False)  # and a new drift is a new event
    svc.reconcile(inc.id)
    drift = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.CONTAINMENT_DRIFT]
    assert len(drift) == 2
    svc.close()
    service(ws2).close()


@pytest.fixture
def private_unleash(private_service: Callable[[str], PrivateService]) -> PrivateService:
    return private_service("unleash")


def test_controller_killed_mid_test_is_failed_not_confirmed(
    tmp_path: Path,
    private_unleash: PrivateService,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PRIVATE_UNLEASH_TOKEN", private_unleash.token)
    wf = wf_id()
    text = config(private_unleash.url, wf, token_env="PRIVATE_UNLEASH_TOKEN")
    ws = workspace(tmp_path, text)
    svc = service(ws)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id=wf, severity="high")
    assert (svc.contain(inc.id, f"{wf}/pause", "stop refunds")).ok

    private_unleash.kill()

    result = svc.release(inc.id, f"{wf}/pause", "fixed")
    assert not result.ok
    assert "cannot reach" in (result.error or "") or "timed out" in (result.error or "")
    assert result.confirmed == ControlState.UNKNOWN
    last = ws.incidents.timeline(inc.id)[-1]
    assert last.kind == EventKind.CONTAINMENT_FAILED
    rows = {r.id: r for r in svc.reconcile(inc.id)}
    row = rows[f"{wf}/pause"]
    assert row.health == RowHealth.FAILED and row.mismatch
    assert row.confirmed == ControlState.UNKNOWN  # never claims off
    # The war room's resolve hook sees it as still active.
    assert [r.id for r in svc.active_controls(inc.id)] == [f"{wf}/pause"]
    svc.close()

    # Headless: exits 1 with one line, records the failure.
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    monkeypatch.setenv("IRCMD_CONFIG", str(cfg))
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    ws.close()
    capsys.readouterr()
    argv = ["contain", inc.id, f"{wf}/pause", "--off", "--reason", "retry", "--timeout", "2"]
    argv += ["--confirm", wf]  # pause is critical: the workflow id is typed back
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "NOT confirmed off" in err
    assert private_unleash.token not in err
