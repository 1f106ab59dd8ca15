"""The war room's next stakeholder update: the nearest due one, for the header."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ircmd.domain.incidents.incident import Incident
from ircmd.service.hooks import Deadline

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


def nearest_update(workspace: Workspace, incident: Incident, now: datetime) -> Deadline | None:
    """``update AUDIENCE`` due soonest, or None (none due, or it cannot be read)."""
    from ircmd.service.comms.updates import UpdateService

    try:
        due = UpdateService(workspace.incidents).due(incident.id, now=now)
    except Exception:
        return None
    return Deadline(f"update {due[0].audience}", due[0].due_at) if due else None
