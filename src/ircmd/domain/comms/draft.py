"""The grounded, deterministic draft of a stakeholder update.

Built only from the timeline since the audience's last update (and the state now), each
sentence with the hashes of the events it came from, so a reviewer can check every claim
against the chain. The ``customers`` template names no person, id, workflow or span and
goes through the ``external`` redaction profile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ircmd.domain.comms.audiences import Audience
from ircmd.domain.incidents.incident import Incident, Status
from ircmd.domain.incidents.severity import Factor
from ircmd.domain.incidents.tasks import TaskBoard, owner_label
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, utc
from ircmd.domain.text import one_line
from ircmd.domain.traces.persons import is_blast_radius


@dataclass(frozen=True)
class Sentence:
    text: str
    sources: tuple[str, ...]


@dataclass
class Draft:
    audience: str
    sentences: list[Sentence]
    since_seq: int
    next_due_at: datetime | None
    template: str = "internal"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.sentences:
            for h in s.sources:
                seen.setdefault(h, None)
        return list(seen)

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sentences)

    def markdown(self, title: str) -> str:
        return f"## {title}\n\n" + "\n".join(f"- {s.text}" for s in self.sentences) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "audience": self.audience,
            "text": self.text,
            "sources": self.sources,
            "since_seq": self.since_seq,
            "next_due_at": _iso(self.next_due_at),
            "sentences": [{"text": s.text, "sources": list(s.sources)} for s in self.sentences],
        }


def _iso(dt: datetime | None) -> str | None:
    return utc(dt).isoformat().replace("+00:00", "Z") if dt else None


def _hhmm(dt: datetime) -> str:
    return utc(dt).strftime("%H:%M UTC on %d %b %Y")


_PUBLIC_STATUS = {
    Status.DETECTED: "We are aware of an issue and are investigating.",
    Status.TRIAGED: "We are aware of an issue and are investigating.",
    Status.INVESTIGATING: "We are investigating the cause of the issue.",
    Status.CONTAINED: "We have contained the issue and continue to investigate.",
    Status.REMEDIATING: "We have contained the issue and are putting a fix in place.",
    Status.RESOLVED: "The issue is resolved.",
    Status.REVIEWED: "The issue is resolved.",
}

_LEVEL_KINDS = (EventKind.DECLARED, EventKind.STATUS_CHANGE, EventKind.SEVERITY_CHANGE)
_CHANGE_KINDS = frozenset(
    {
        EventKind.STATUS_CHANGE,
        EventKind.SEVERITY_CHANGE,
        EventKind.CLASSIFICATION,
        EventKind.DECISION,
        EventKind.FINDING,
        EventKind.CONTAINMENT_DRIFT,
        EventKind.CONTAINMENT_DRIFT_CLEARED,
        EventKind.CONTAINMENT_FAILED,
    }
)


def _change(ev: TimelineEvent) -> str:
    """``Decision: …``; a text that already names its kind (``Status detected → triaged``)
    is not prefixed again."""
    label = ev.kind.label.capitalize()
    if ev.text.startswith(label.split()[0]):
        return ev.text
    return f"{label}: {ev.text}"


def _factor_scores(factors: Sequence[TimelineEvent]) -> str:
    """The severity matrix's factor scores since the last update, as one sentence: each
    factor's last score, and the level the matrix computes after the last of them."""
    scores: dict[str, object] = {}
    for ev in factors:
        raw = str(ev.data.get("factor"))
        try:
            label = Factor(raw).label
        except ValueError:  # a factor this version does not know: its id
            label = raw.replace("_", " ")
        scores[label] = ev.data.get("to")
    text = "Severity factors scored: " + ", ".join(f"{k} {v}" for k, v in scores.items())
    computed = factors[-1].data.get("computed")
    return text + (f"; computed level {computed}." if computed else ".")


def build_draft(
    audience: Audience,
    incident: Incident,
    events: Sequence[TimelineEvent],
    board: TaskBoard,
    next_due_at: datetime | None,
    *,
    redact: Callable[[str], str] | None = None,
) -> Draft:
    """The draft for ``audience`` from everything after its last update."""
    since_seq = 0
    state_sources: list[str] = []
    confirmed: dict[str, TimelineEvent] = {}
    for ev in events:
        if ev.kind == EventKind.COMMUNICATION and ev.data.get("audience") == audience.name:
            since_seq = ev.seq
        if ev.kind in _LEVEL_KINDS:
            state_sources.append(ev.hash)
        key = str(ev.data.get("control") or "")
        if ev.kind in (EventKind.CONTAINMENT_CONFIRMED, EventKind.CONTAINMENT_DRIFT_CLEARED):
            confirmed[key] = ev  # a cleared drift: the backend shows the asked state again
        elif ev.kind in (EventKind.CONTAINMENT_DRIFT, EventKind.CONTAINMENT_FAILED):
            confirmed.pop(key, None)
    latest_state = tuple(state_sources[-2:]) or ((events[0].hash,) if events else ())
    new = [ev for ev in events if ev.seq > since_seq]
    customers = audience.external
    clean = redact or (lambda s: s)
    out: list[Sentence] = []

    def say(text: str, sources: Sequence[str]) -> None:
        out.append(Sentence(clean(one_line(text, 400)), tuple(sources)))

    if customers:
        say(_PUBLIC_STATUS[incident.status], latest_state)
        if confirmed and incident.status.is_open:
            say(
                "Safeguards are in place and confirmed while we work on the issue.",
                [e.hash for e in confirmed.values()],
            )
        if next_due_at is not None and incident.is_open:
            say(f"Our next update will follow by {_hhmm(next_due_at)}.", latest_state)
        return Draft(audience.name, out, since_seq, next_due_at, audience.template)

    say(
        f"{incident.id} ({one_line(incident.title, 120)}) is {incident.status.value}, "
        f"severity {incident.severity.value}.",
        latest_state,
    )
    factors = [e for e in new if e.kind == EventKind.SEVERITY_CHANGE and e.data.get("factor")]
    for ev in new:
        if ev.kind not in _CHANGE_KINDS:
            continue
        if factors and ev is factors[0]:  # the factor scores: one sentence, every score cited
            say(_factor_scores(factors), [e.hash for e in factors])
        elif not (factors and ev in factors):
            say(_change(ev), (ev.hash,))
    for key, ev in confirmed.items():
        state = ev.data.get("state") or ev.data.get("observed") or "active"
        say(f"Containment confirmed by its backend: {key} ({state}).", (ev.hash,))
    impacts = [ev for ev in events if ev.kind == EventKind.FINDING and is_blast_radius(ev.data)]
    if impacts:
        ev = impacts[-1]
        say(f"Impact (blast radius): {ev.text}", (ev.hash,))
    open_tasks = board.open_tasks()
    for task in open_tasks[:5]:
        owner = f" ({owner_label(task.owner, incident.roles)})" if task.owner else ""
        say(f"Next step {task.id}: {task.title}{owner}.", task.sources)
    if len(open_tasks) > 5:
        hashes = [h for t in open_tasks[5:] for h in t.sources[:1]]
        say(f"{len(open_tasks) - 5} more open tasks.", hashes)
    if next_due_at is not None and incident.is_open:
        say(f"Next update by {_hhmm(next_due_at)}.", latest_state)
    return Draft(audience.name, out, since_seq, next_due_at, audience.template)
