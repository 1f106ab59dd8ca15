"""Response metrics over the store: milestones per incident, overdue updates and tasks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ircmd.domain.comms.audiences import audiences
from ircmd.domain.comms.cadence import next_updates
from ircmd.domain.incidents.incident import format_age
from ircmd.domain.incidents.metrics import metrics, milestones
from ircmd.domain.incidents.tasks import task_board

if TYPE_CHECKING:  # a type only: comms does not depend on the incidents package
    from ircmd.service.incidents.service import IncidentService


def response_metrics(
    service: IncidentService, now: datetime, since: datetime | None = None, by: str | None = None
) -> dict[str, Any]:
    """``ircmd metrics``' numbers (see :func:`ircmd.domain.incidents.metrics.metrics`)."""
    from ircmd.service.comms.updates import regulatory_due

    auds = audiences(service.config.comms)
    rows = []
    for inc in service.list_incidents():
        events = service.timeline(inc.id)
        # due as the war-room header counts it: tightened near a regulatory deadline
        deadline = regulatory_due(service, inc, now) if inc.is_open else None
        due = next_updates(auds, inc, events, now, deadline)
        overdue_updates = sum(1 for d in due if d.overdue)
        overdue_tasks = len(task_board(events).overdue(now)) if inc.is_open else 0
        rows.append((inc, milestones(inc, events), overdue_updates, overdue_tasks))
    return metrics(rows, since=since, by=by)


def summary_line(m: dict[str, Any]) -> str:
    """One short line for the incidents screen: medians and what is overdue ("" when the
    store has no incident). Fits 80 columns for usual values."""
    if not m.get("count"):
        return ""

    def median(key: str) -> str:
        s = m[key]
        return format_age(s["median_s"]) if s.get("count") else "—"

    return (
        f"median ack {median('time_to_acknowledge')} · contain {median('time_to_contain')}"
        f" · resolve {median('time_to_resolve')} · overdue: {m['overdue_updates']} updates,"
        f" {m['overdue_tasks']} tasks"
    )
