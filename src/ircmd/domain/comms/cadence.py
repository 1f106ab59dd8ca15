"""When each audience's next update is due.

The clock of an audience starts at the incident's awareness (or creation) and restarts at
each ``communication`` event sent to it. Its interval is the cadence of the incident's
severity now; while a regulatory deadline is within a day the interval is halved, and an
update to ``regulators`` is never due after the deadline itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ircmd.domain.comms.audiences import Audience
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, utc

NEAR_DEADLINE = timedelta(hours=24)


@dataclass(frozen=True)
class DueUpdate:
    audience: str
    due_at: datetime
    overdue: bool
    last_at: datetime | None
    tightened: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "audience": self.audience,
            "due_at": utc(self.due_at).isoformat().replace("+00:00", "Z"),
            "overdue": self.overdue,
        }


def last_updates(events: Iterable[TimelineEvent]) -> dict[str, TimelineEvent]:
    """The last ``communication`` event per audience."""
    last: dict[str, TimelineEvent] = {}
    for ev in events:
        if ev.kind == EventKind.COMMUNICATION:
            audience = ev.data.get("audience")
            if isinstance(audience, str) and audience:
                last[audience] = ev
    return last


def next_due(
    audience: Audience,
    incident: Incident,
    last_at: datetime | None,
    now: datetime,
    deadline: datetime | None = None,
) -> DueUpdate | None:
    """The audience's next update, or None when none is due (closed, or no cadence)."""
    if not incident.is_open:
        return None
    interval = audience.interval(incident.severity)
    if interval is None:
        return None
    start = utc(last_at or incident.aware_at or incident.created_at)
    tightened = False
    if deadline is not None and utc(deadline) - utc(now) <= NEAR_DEADLINE:
        interval = interval / 2
        tightened = True
    due = start + interval
    if deadline is not None and audience.template == "regulators":
        due = min(due, utc(deadline))
    return DueUpdate(audience.name, due, utc(now) > due, last_at, tightened)


def next_updates(
    audiences: list[Audience],
    incident: Incident,
    events: Iterable[TimelineEvent],
    now: datetime,
    deadline: datetime | None = None,
) -> list[DueUpdate]:
    """Every audience's next due update, soonest first."""
    last = last_updates(events)
    out: list[DueUpdate] = []
    for a in audiences:
        ev = last.get(a.name)
        due = next_due(a, incident, ev.at if ev else None, now, deadline)
        if due is not None:
            out.append(due)
    return sorted(out, key=lambda d: d.due_at)
