"""A drift that goes away without ircmd acting (the switch turned back in the Unleash UI) is
recorded once, as ``containment_drift_cleared``, against a REAL Unleash; a drift that
ircmd's own confirmed change ends records no such event."""

from __future__ import annotations

from pathlib import Path

import pytest

from ircmd.domain.containment.controls import ControlState, RowHealth, controls_at
from ircmd.domain.incidents.handoff import active_controls
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.service import Workspace
from tests.functional.containment_support import service, workspace
from tests.functional.test_containment_unleash import config, flip, wf_id

pytestmark = pytest.mark.services


def _kinds(ws: Workspace, iid: str, kind: EventKind) -> list[TimelineEvent]:
    return [e for e in ws.incidents.timeline(iid) if e.kind == kind]


def test_drift_cleared_out_of_band_is_recorded_once(
    tmp_path: Path, unleash_admin: tuple[str, str]
) -> None:
    url, token = unleash_admin
    wf = wf_id()
    ref = f"{wf}/pause"
    ws = workspace(tmp_path, config(url, wf))
    svc = service(ws)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id=wf, severity="high")
    assert svc.contain(inc.id, ref, "stop refunds").ok

    flip(url, token, f"{wf}.pause", on=False)  # someone turns it off in the Unleash UI
    assert {r.id: r for r in svc.reconcile(inc.id)}[ref].drift
    assert len(_kinds(ws, inc.id, EventKind.CONTAINMENT_DRIFT)) == 1

    flip(url, token, f"{wf}.pause", on=True)  # and back on, again outside ircmd
    ws2 = workspace(tmp_path, config(url, wf))
    svc2 = service(ws2)
    for s in (svc, svc, svc2):  # several rounds, two consoles: one event
        row = {r.id: r for r in s.reconcile(inc.id)}[ref]
        assert row.health == RowHealth.OK and row.confirmed == ControlState.ON
    cleared = _kinds(ws, inc.id, EventKind.CONTAINMENT_DRIFT_CLEARED)
    assert len(cleared) == 1
    ev = cleared[0]
    assert ev.author == "ircmd"
    assert ev.data == {
        "control": ref,
        "desired": "on",
        "state": "on",
        "drifted": "off",
        "detail": f"flag {wf}.pause in development",
    }
    assert "cleared" in ev.text and "no change by ircmd" in ev.text
    events = ws.incidents.timeline(inc.id)
    # the handoff packet and the board's history read the control as confirmed again
    (active,) = [c for c in active_controls(events) if c["control"] == ref]
    assert active["confirmed"] and not active["drift"]
    (at,) = [c for c in controls_at(events, ev.at).values() if c.ref == ref]
    assert at.state == ControlState.ON and not at.drift

    flip(url, token, f"{wf}.pause", on=False)  # a new drift is a new drift event
    svc.reconcile(inc.id)
    assert len(_kinds(ws, inc.id, EventKind.CONTAINMENT_DRIFT)) == 2
    svc.close()
    svc2.close()


def test_a_drift_ended_by_ircmd_records_no_cleared_event(
    tmp_path: Path, unleash_admin: tuple[str, str]
) -> None:
    url, token = unleash_admin
    wf = wf_id()
    ref = f"{wf}/pause"
    ws = workspace(tmp_path, config(url, wf))
    svc = service(ws)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id=wf, severity="high")
    assert svc.contain(inc.id, ref, "stop refunds").ok
    flip(url, token, f"{wf}.pause", on=False)
    assert {r.id: r for r in svc.reconcile(inc.id)}[ref].drift
    assert svc.contain(inc.id, ref, "on again, from ircmd").ok  # ircmd ends the drift
    for _ in range(2):
        assert {r.id: r for r in svc.reconcile(inc.id)}[ref].health == RowHealth.OK
    assert _kinds(ws, inc.id, EventKind.CONTAINMENT_DRIFT_CLEARED) == []
    assert len(_kinds(ws, inc.id, EventKind.CONTAINMENT_CONFIRMED)) == 2
    svc.close()
