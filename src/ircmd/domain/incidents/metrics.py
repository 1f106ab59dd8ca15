"""Response metrics from the chain: milestones per incident, then count/mean/median by group.

Milestones: detected (the first signal, else the declaration), acknowledged (the first
lead assignment or status change after the declaration), declared, contained-confirmed
(the first containment confirmed by its backend), resolved (the last move to resolved),
reviewed. Times to acknowledge, contain and resolve are counted from ``detected``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ircmd.domain.incidents.incident import DomainError, Incident, Role
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, utc

DIMENSIONS = ("severity", "workflow", "classification")


@dataclass(frozen=True)
class Milestones:
    incident_id: str
    detected: datetime
    declared: datetime | None = None
    acknowledged: datetime | None = None
    contained: datetime | None = None
    resolved: datetime | None = None
    reviewed: datetime | None = None

    def seconds(self, name: str) -> float | None:
        at: datetime | None = getattr(self, name)
        return (at - self.detected).total_seconds() if at is not None else None


def milestones(incident: Incident, events: Sequence[TimelineEvent]) -> Milestones:
    detected: datetime | None = None
    declared = acknowledged = contained = resolved = reviewed = None
    for ev in events:
        if ev.kind == EventKind.SIGNAL and detected is None:
            detected = ev.at
        elif ev.kind == EventKind.DECLARED and declared is None:
            declared = ev.at
        elif ev.kind == EventKind.CONTAINMENT_CONFIRMED and contained is None:
            contained = ev.at
        elif ev.kind == EventKind.STATUS_CHANGE:
            to = ev.data.get("to")
            if acknowledged is None:
                acknowledged = ev.at
            if to == "resolved":
                resolved = ev.at
            elif to == "reviewed":
                reviewed = ev.at
            elif ev.data.get("from") == "resolved":
                resolved = None  # reopened
        elif (
            ev.kind in (EventKind.ROLE_CHANGE, EventKind.HANDOFF_ACCEPTED)
            and acknowledged is None
            and (ev.data.get("role") == Role.INCIDENT_LEAD.value)
        ):
            acknowledged = ev.at
    start = detected or declared or incident.occurred_at or incident.created_at
    return Milestones(
        incident.id, utc(start), declared, acknowledged, contained, resolved, reviewed
    )


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "mean_s": None, "median_s": None}
    return {
        "count": len(values),
        "mean_s": round(statistics.fmean(values), 1),
        "median_s": round(statistics.median(values), 1),
    }


def group_key(incident: Incident, by: str) -> str:
    if by == "severity":
        return incident.severity.value
    if by == "workflow":
        return incident.workflow_id or "(none)"
    if by == "classification":
        return incident.classification.value if incident.classification else "(none)"
    raise DomainError(f"cannot group by {by!r}; choose {', '.join(DIMENSIONS)}")


def summarise(rows: Iterable[tuple[Incident, Milestones, int, int]]) -> dict[str, Any]:
    """``rows``: (incident, milestones, overdue updates, overdue tasks)."""
    tta: list[float] = []
    ttc: list[float] = []
    ttr: list[float] = []
    count = overdue_updates = overdue_tasks = 0
    for _inc, m, upd, tasks in rows:
        count += 1
        overdue_updates += upd
        overdue_tasks += tasks
        for name, bucket in (("acknowledged", tta), ("contained", ttc), ("resolved", ttr)):
            s = m.seconds(name)
            if s is not None:
                bucket.append(max(0.0, s))
    return {
        "count": count,
        "time_to_acknowledge": _stats(tta),
        "time_to_contain": _stats(ttc),
        "time_to_resolve": _stats(ttr),
        "overdue_updates": overdue_updates,
        "overdue_tasks": overdue_tasks,
    }


def metrics(
    rows: Sequence[tuple[Incident, Milestones, int, int]],
    *,
    since: datetime | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    chosen = [r for r in rows if since is None or r[1].detected >= utc(since)]
    out: dict[str, Any] = {"since": utc(since).isoformat() if since else None, **summarise(chosen)}
    if by:
        groups: dict[str, list[tuple[Incident, Milestones, int, int]]] = {}
        for r in chosen:
            groups.setdefault(group_key(r[0], by), []).append(r)
        out["by"] = by
        out["groups"] = {k: summarise(v) for k, v in sorted(groups.items())}
    return out
