"""The incidents list (home screen): order, sort modes, filter and counts. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum

from ircmd.domain.incidents.incident import Incident, Role, Severity, Status

_LIFECYCLE = list(Status)


class SortMode(StrEnum):
    SEVERITY = "severity"
    AGE = "age"
    STATUS = "status"

    def next(self) -> SortMode:
        modes = list(SortMode)
        return modes[(modes.index(self) + 1) % len(modes)]


def order_incidents(
    incidents: Iterable[Incident], mode: SortMode = SortMode.SEVERITY
) -> list[Incident]:
    """Open incidents first, sorted by ``mode``; then closed ones, most recent first.

    - severity: most severe first, then newest;
    - age: newest first (most recently declared);
    - status: earliest lifecycle step first (detected before remediating), then severity.
    """

    def open_key(i: Incident) -> tuple[int, ...]:
        if mode == SortMode.AGE:
            return (-i.number,)
        if mode == SortMode.STATUS:
            return (_LIFECYCLE.index(i.status), -i.severity.rank, -i.number)
        return (-i.severity.rank, -i.number)

    items = list(incidents)
    open_ = sorted((i for i in items if i.is_open), key=open_key)
    closed = sorted(
        (i for i in items if not i.is_open),
        key=lambda i: (-(i.resolved_at or i.updated_at).timestamp(), -i.number),
    )
    return open_ + closed


def matches(inc: Incident, text: str) -> bool:
    """Case-insensitive: every word of ``text`` appears in id, title, workflow, status,
    severity, classification, a role holder or a tag."""
    words = text.lower().split()
    if not words:
        return True
    hay = " ".join(
        [
            inc.id,
            inc.title,
            inc.workflow_id or "",
            inc.status.value,
            inc.severity.value,
            inc.classification.value if inc.classification else "",
            *inc.roles.values(),
            *inc.tags,
        ]
    ).lower()
    return all(w in hay for w in words)


def filter_incidents(
    incidents: Iterable[Incident], text: str = "", open_only: bool = False
) -> list[Incident]:
    return [i for i in incidents if (i.is_open or not open_only) and matches(i, text)]


def severity_counts(incidents: Iterable[Incident]) -> dict[Severity, int]:
    """Open incidents per severity (every severity present, zero included)."""
    c = Counter(i.severity for i in incidents if i.is_open)
    return {s: c.get(s, 0) for s in Severity}


def lead_of(inc: Incident) -> str:
    return inc.roles.get(Role.INCIDENT_LEAD, "")
