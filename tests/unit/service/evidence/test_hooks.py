"""War-room glue of the evidence area: export from the room (``:export``)."""

from __future__ import annotations

from pathlib import Path

from tests.evidence_fixtures import open_workspace, seed_incident

from ircmd.domain.incidents.timeline import EventKind
from ircmd.service.evidence.export import verify_bundle
from ircmd.service.evidence.hooks import export_from_room


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
