"""War-room glue: the Art. 73 deadline provider, the change warning, export from the room."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.evidence_fixtures import open_workspace, seed_incident

from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.regulatory.art73 import deadline
from ircmd.service.evidence.export import verify_bundle
from ircmd.service.evidence.hooks import art73_change_warning, art73_deadlines, export_from_room
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


def test_export_from_room_defaults_to_the_data_dir(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    result = export_from_room(ws, iid, profile="legal")
    assert result.path.parent == ws.data_dir / "exports"
    assert result.path.name.startswith(f"{iid}-") and result.path.name.endswith("-legal")
    assert verify_bundle(result.path)[0] == []
    assert ws.incidents.timeline(iid)[-1].kind == EventKind.EXPORT
    tar = export_from_room(ws, iid, str(tmp_path / "x.tar.gz"))
    assert tar.format == "tar.gz" and verify_bundle(tar.path)[0] == []
    ws.close()
