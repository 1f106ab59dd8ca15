"""JSON shapes of incidents and timeline events shared by several commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ircmd.domain.incidents.incident import Incident
    from ircmd.domain.incidents.timeline import TimelineEvent


def incident_json(inc: Incident) -> dict[str, Any]:
    return inc.model_dump(mode="json")


def event_json(ev: TimelineEvent) -> dict[str, Any]:
    return ev.to_record()
