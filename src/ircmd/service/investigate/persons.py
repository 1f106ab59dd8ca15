"""The incident's "persons affected" suggestion from its recorded blast radius findings
(shown where persons affected is set: ``incident regulatory`` and the ``:regulatory`` verb).
Blocking: call it from a worker or the CLI."""

from __future__ import annotations

from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.traces.persons import PersonsAffected, suggest_persons_affected
from ircmd.service.incidents.service import IncidentService


def persons_affected_suggestion(
    incidents: IncidentService, incident_id: str
) -> PersonsAffected | None:
    """Over the incident's ``finding`` events; None when no blast radius named anyone."""
    return suggest_persons_affected(
        ev.data or {} for ev in incidents.timeline(incident_id) if ev.kind is EventKind.FINDING
    )
