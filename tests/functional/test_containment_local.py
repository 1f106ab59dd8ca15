"""The ``local`` controller: honest about not being enforced; drift on a switch nobody
asked for is flagged and recorded once on the incident being watched."""

from __future__ import annotations

from pathlib import Path

from ircmd.backends.controllers.local import COLLECTION, NOT_ENFORCED
from ircmd.domain.containment.controls import ControlState, RowHealth
from ircmd.domain.incidents.timeline import EventKind
from tests.functional.containment_support import service, workspace

CONFIG = """
[[workflows]]
id = "kb"

[[workflows.controls]]
id = "notes"
kind = "block_source"
source = "internal-notes"
"""


def test_local_switch_is_labelled_and_drift_without_a_request_is_recorded_once(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path, CONFIG)
    svc = service(ws)
    inc, _ = ws.incidents.declare("Notes leaked", workflow_id="kb")
    rows = svc.reconcile(inc.id)
    assert rows[0].health == RowHealth.OK and not rows[0].enforced
    assert rows[0].detail == NOT_ENFORCED

    # Someone flips the switch behind ircmd's back (another tool writing the store).
    ws.store.put_doc(COLLECTION, "kb/notes", {"state": "on"})
    for _ in range(2):
        rows = svc.reconcile(inc.id)
    assert rows[0].drift and rows[0].confirmed == ControlState.ON
    drift = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.CONTAINMENT_DRIFT]
    assert len(drift) == 1 and drift[0].data["desired"] == "off"

    # Taking it over through ircmd clears the drift; no new drift event.
    result = svc.contain(inc.id, "kb/notes", "keep it blocked")
    assert result.ok
    rows = svc.reconcile(inc.id)
    assert rows[0].health == RowHealth.OK
    assert (
        len([e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.CONTAINMENT_DRIFT])
        == 1
    )

    # A garbage stored state reads as unknown, with a reason, not a crash.
    ws.store.put_doc(COLLECTION, "kb/notes", {"state": "[@click=app.quit]"})
    rows = svc.reconcile(inc.id)
    assert rows[0].health == RowHealth.UNREAD and "unreadable" in (rows[0].error or "")
