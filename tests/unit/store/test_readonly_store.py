from __future__ import annotations

from pathlib import Path

import pytest

from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.store.readonly import ReadOnlySeat


def test_a_read_only_workspace_refuses_every_incident_write(isolated_dirs: Path) -> None:
    writer = Workspace.open(parse_config(""), isolated_dirs, actor="ic")
    inc, _ = writer.incidents.declare("observed")
    seat = Workspace.open(parse_config(""), isolated_dirs, actor="observer", read_only=True)
    with pytest.raises(ReadOnlySeat, match="read-only seat"):
        seat.incidents.note(inc.id, "should not land")
    with pytest.raises(ReadOnlySeat):
        seat.incidents.declare("nor this")
    with pytest.raises(ReadOnlySeat):
        seat.incidents.set_status(inc.id, "triaged")
    assert [e.kind.value for e in seat.incidents.timeline(inc.id)] == ["declared"]
    seat.store.put_doc("presence", "observer", {"at": "now"})  # heartbeats still work
    assert writer.store.get_doc("presence", "observer") == {"at": "now"}
    writer.incidents.note(inc.id, "the IC can write")
    assert seat.incidents.timeline(inc.id)[-1].text == "the IC can write"
