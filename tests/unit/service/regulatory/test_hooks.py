"""War-room providers of the regulatory area: the Art. 73 deadline and the change warning."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.evidence_fixtures import open_workspace, seed_incident

from ircmd.domain.regulatory.art73 import deadline
from ircmd.service.regulatory.hooks import art73_change_warning, art73_deadlines
from ircmd.service.regulatory.service import flag_incident


def test_deadline_provider_and_warning(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws, resolve=False)
    inc = ws.incidents.get(iid)
    now = inc.created_at + timedelta(hours=1)
    assert art73_deadlines(ws, inc, now) == []
    assert art73_change_warning(ws, iid, "pause") is None
    flag = flag_incident(ws.incidents, iid, harm="critical-infrastructure", member_state="NL")
    (d,) = art73_deadlines(ws, inc, now)
    assert d.label == "Art.73(3) report NL" and len(d.label) <= 32
    assert d.due == deadline(flag)
    warning = art73_change_warning(ws, iid, "disable tool refunds")
    assert warning is not None and warning.startswith("disable tool refunds:")
    flag_incident(ws.incidents, iid, harm="critical-infrastructure", member_state="NL",
                  reported="initial")  # fmt: skip
    (d,) = art73_deadlines(ws, inc, now)
    assert d.label.endswith("(initial sent)")
    flag_incident(ws.incidents, iid, harm="critical-infrastructure", member_state="NL",
                  reported="complete")  # fmt: skip
    assert art73_deadlines(ws, inc, now) == []
    ws.close()
