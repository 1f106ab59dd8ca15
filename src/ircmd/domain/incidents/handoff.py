"""Shift handoff: who holds the incident since when, and the packet handed over.

``handoff_offered`` (to a name, with the packet) and ``handoff_accepted`` (by that name, as a
role) are chained events. The holder is the last accepted handoff; before any, the incident
lead (since their role change), else whoever declared it. Pure: events in, values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ircmd.domain.incidents.incident import DomainError, Incident, Role
from ircmd.domain.incidents.tasks import TaskBoard
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, utc


def _iso(dt: datetime) -> str:
    return utc(dt).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Holder:
    name: str
    role: str
    since: datetime

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "since": _iso(self.since)}


def holder(incident: Incident, events: Sequence[TimelineEvent]) -> Holder:
    found = Holder(incident.created_by or "unknown", Role.INCIDENT_LEAD.value, incident.created_at)
    for ev in events:
        if ev.kind == EventKind.DECLARED and ev.data.get("incident_lead"):
            found = Holder(str(ev.data["incident_lead"]), Role.INCIDENT_LEAD.value, ev.at)
        elif ev.kind == EventKind.HANDOFF_ACCEPTED:
            found = Holder(str(ev.data.get("name")), str(ev.data.get("role")), ev.at)
        elif (
            ev.kind == EventKind.ROLE_CHANGE
            and ev.data.get("role") == Role.INCIDENT_LEAD.value
            and ev.data.get("to")
        ):
            found = Holder(str(ev.data["to"]), Role.INCIDENT_LEAD.value, ev.at)
    return found


def pending_offer(events: Sequence[TimelineEvent]) -> TimelineEvent | None:
    """The last offer not yet accepted (a later offer replaces an earlier one)."""
    offer: TimelineEvent | None = None
    for ev in events:
        if ev.kind == EventKind.HANDOFF_OFFERED:
            offer = ev
        elif ev.kind == EventKind.HANDOFF_ACCEPTED:
            offer = None
    return offer


def active_controls(events: Sequence[TimelineEvent]) -> list[dict[str, Any]]:
    """Each control's last containment event: state, and whether it is confirmed or drifted."""
    last: dict[str, TimelineEvent] = {}
    kinds = {
        EventKind.CONTAINMENT_REQUESTED,
        EventKind.CONTAINMENT_CONFIRMED,
        EventKind.CONTAINMENT_FAILED,
        EventKind.CONTAINMENT_DRIFT,
        EventKind.CONTAINMENT_DRIFT_CLEARED,
    }
    for ev in events:
        if ev.kind in kinds and ev.data.get("control"):
            last[str(ev.data["control"])] = ev
    return [
        {
            "control": ref,
            "state": ev.data.get("state") or ev.data.get("desired"),
            "confirmed": ev.kind
            in (EventKind.CONTAINMENT_CONFIRMED, EventKind.CONTAINMENT_DRIFT_CLEARED),
            "drift": ev.kind == EventKind.CONTAINMENT_DRIFT,
            "at": _iso(ev.at),
        }
        for ref, ev in last.items()
    ]


def _unreviewed(events: Sequence[TimelineEvent], board: TaskBoard) -> tuple[set[int], set[int]]:
    """Seqs of the pins and findings nobody has taken on: recorded since the last accepted
    handoff (the previous shift did not hand them over) and not linked by any task (a pin by
    its span id, a finding by its seq, ``#seq`` or its event hash prefix)."""
    accepted = max((e.seq for e in events if e.kind == EventKind.HANDOFF_ACCEPTED), default=0)
    spans = {t.link["span"] for t in board.tasks.values() if t.link.get("span")}
    found = {t.link["finding"].lstrip("#") for t in board.tasks.values() if t.link.get("finding")}
    pins: set[int] = set()
    findings: set[int] = set()
    for ev in events:
        if ev.seq <= accepted:
            continue
        if ev.kind == EventKind.EVIDENCE_PINNED and str(ev.data.get("span_id", "")) not in spans:
            pins.add(ev.seq)
        elif ev.kind == EventKind.FINDING and not (
            str(ev.seq) in found or any(len(f) >= 8 and ev.hash.startswith(f) for f in found)
        ):
            findings.add(ev.seq)
    return pins, findings


def build_packet(
    incident: Incident,
    events: Sequence[TimelineEvent],
    board: TaskBoard,
    now: datetime,
    *,
    to: str,
    deadlines: Sequence[dict[str, Any]] = (),
    due_updates: Sequence[dict[str, Any]] = (),
    decisions: int = 5,
) -> dict[str, Any]:
    to = to.strip()
    if not to:
        raise DomainError("a handoff goes to a name (--to NAME)")
    current = holder(incident, events)
    if to == current.name:
        raise DomainError(f"{to} already holds {incident.id}")
    open_tasks = board.open_tasks()
    last_decisions = [e for e in events if e.kind == EventKind.DECISION][-decisions:]
    findings = [e for e in events if e.kind == EventKind.FINDING]
    pins = [e for e in events if e.kind == EventKind.EVIDENCE_PINNED]
    new_pins, new_findings = _unreviewed(events, board)
    return {
        "incident": incident.id,
        "from": current.to_json(),
        "to": to,
        "at": _iso(now),
        "status": incident.status.value,
        "severity": incident.severity.value,
        "open_tasks": [t.to_json() | {"overdue": t.overdue(now)} for t in open_tasks],
        "overdue_tasks": [t.id for t in open_tasks if t.overdue(now)],
        "controls": active_controls(events),
        "deadlines": list(deadlines),
        "due_updates": list(due_updates),
        "pins": [{"seq": e.seq, "text": e.text, "reviewed": e.seq not in new_pins} for e in pins],
        "findings": [
            {"seq": e.seq, "text": e.text, "reviewed": e.seq not in new_findings} for e in findings
        ],
        "unreviewed_pins": sorted(new_pins),
        "unreviewed_findings": sorted(new_findings),
        "decisions": [{"seq": e.seq, "at": _iso(e.at), "text": e.text} for e in last_decisions],
    }


def check_accept(events: Sequence[TimelineEvent], who: str) -> TimelineEvent:
    offer = pending_offer(events)
    if offer is None:
        raise DomainError("no handoff is offered on this incident (ircmd handoff INC --to NAME)")
    to = str(offer.data.get("to") or "")
    if to != who:
        raise DomainError(f"the handoff is offered to {to}, not {who}")
    return offer
