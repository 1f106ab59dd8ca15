"""The person who declares becomes the incident lead unless one is named."""

from __future__ import annotations

from pathlib import Path

from ircmd.domain.incidents.incident import Role
from ircmd.service.incidents.service import IncidentService
from ircmd.store.tinydb.store import TinyDBIncidentStore


def _svc(tmp_path: Path) -> IncidentService:
    return IncidentService(store=TinyDBIncidentStore(tmp_path), actor="maria.ic")


def test_the_declarer_leads(tmp_path: Path) -> None:
    svc = _svc(tmp_path)
    inc, events = svc.declare("Refund bot over-promising")
    assert inc.roles[Role.INCIDENT_LEAD] == "maria.ic"
    assert svc.get(inc.id).roles[Role.INCIDENT_LEAD] == "maria.ic"  # stored, not only returned
    assert events[-1].data["incident_lead"] == "maria.ic"
    assert len(events) == 1  # no extra role event


def test_a_named_lead_wins(tmp_path: Path) -> None:
    svc = _svc(tmp_path)
    inc, _ = svc.declare("Refund bot", lead="sam.oncall")
    assert svc.get(inc.id).roles[Role.INCIDENT_LEAD] == "sam.oncall"
