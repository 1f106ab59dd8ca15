"""The war room's next stakeholder update: the nearest due one, for the header."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.service.hooks import Deadline
from ircmd.store.base import StoreError

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


def nearest_update(workspace: Workspace, incident: Incident, now: datetime) -> Deadline | None:
    """``update AUDIENCE`` due soonest, or None (none due, or it cannot be read)."""
    from ircmd.service.comms.updates import UpdateService

    try:
        due = UpdateService(workspace.incidents).due(incident.id, now=now)
    except (StoreError, DomainError):  # cannot be read now: no update shown as due
        return None
    return Deadline(f"update {due[0].audience}", due[0].due_at) if due else None


def other_holder(workspace: Workspace, incident: Incident) -> tuple[str, str, datetime] | None:
    """Who holds the incident when that is not the incident lead (a handoff accepted as
    another role): (name, role, since), for the header; None when the lead holds it."""
    from ircmd.domain.incidents.handoff import holder
    from ircmd.domain.incidents.incident import Role

    found = holder(incident, workspace.incidents.timeline(incident.id))
    lead = incident.roles.get(Role.INCIDENT_LEAD)
    if found.role == Role.INCIDENT_LEAD.value and (not lead or found.name == lead):
        return None
    return (found.name, found.role, found.since)


def lead_since(workspace: Workspace, incident: Incident) -> datetime | None:
    """When the current incident lead took the incident (declared, named or handed over),
    for the header's "lead NAME since HH:MMZ"; None when the holder is someone else."""
    from ircmd.domain.incidents.handoff import holder
    from ircmd.domain.incidents.incident import Role

    lead = incident.roles.get(Role.INCIDENT_LEAD)
    if not lead:
        return None
    found = holder(incident, workspace.incidents.timeline(incident.id))
    if found.role != Role.INCIDENT_LEAD.value or found.name != lead:
        return None
    return found.since
