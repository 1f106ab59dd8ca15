"""The application layer: every command a responder can give, shared by the CLI and the TUI.

Each command is a pure ``decide`` function over the current incident (domain rules) run by
the store under its lock, so two consoles never lose each other's changes, and each one
records what was decided on the timeline.
"""

from __future__ import annotations

import contextlib
import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import (
    Classification,
    DomainError,
    Incident,
    Role,
    Severity,
    Status,
    check_transition,
    normalise_incident_id,
)
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.domain.text import one_line
from ircmd.service.incidents.retry import PendingLines, TypedLine
from ircmd.store.base import CLIENT_ID, Change, EventDraft, IncidentStore, StoreError

Clock = Callable[[], datetime]
T = TypeVar("T")

RECENT_INCIDENTS = 20
"""How many of the newest incidents a retried declare looks through for its first try."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def default_actor() -> str:
    for var in ("IRCMD_USER", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name, no passwd entry, no pwd module
        return "unknown"


class NotFound(DomainError):
    pass


@dataclass
class IncidentService:
    store: IncidentStore
    config: Config = field(default_factory=Config)
    actor: str = field(default_factory=default_actor)
    clock: Clock = system_clock
    on_declared: list[Callable[[Incident, list[TimelineEvent]], None]] = field(default_factory=list)
    """Called after a declaration is written (matching playbooks add their tasks); a hook
    that fails does not undo the declaration."""
    pending: PendingLines = field(init=False)
    """The typed lines of this console whose write has not succeeded yet (see ``retry``)."""

    def __post_init__(self) -> None:
        self.pending = PendingLines(lambda: self.clock())

    # -- helpers -----------------------------------------------------------------------
    def _id(self, incident_id: str) -> str:
        return normalise_incident_id(incident_id)

    def get(self, incident_id: str) -> Incident:
        inc = self.store.get_incident(self._id(incident_id))
        if inc is None:
            raise NotFound(f"no incident {incident_id}")
        return inc

    def list_incidents(self) -> list[Incident]:
        return self.store.list_incidents()

    def timeline(self, incident_id: str, after_seq: int = 0) -> list[TimelineEvent]:
        return self.store.events(self._id(incident_id), after_seq)

    def _apply(
        self, incident_id: str, decide: Callable[[Incident, TimelineEvent | None], Change]
    ) -> tuple[Incident, list[TimelineEvent]]:
        try:
            return self.store.apply(self._id(incident_id), decide)
        except KeyError:
            raise NotFound(f"no incident {incident_id}") from None

    def _draft(
        self,
        kind: EventKind,
        text: str,
        data: dict[str, Any] | None = None,
        author: str | None = None,
        at: datetime | None = None,
        line: TypedLine | None = None,
    ) -> EventDraft:
        return EventDraft(
            kind=kind,
            at=(line.at if line is not None else None) or at or self.clock(),
            author=author or self.actor,
            text=text,
            data=data or {},
            client_id=line.client_id if line is not None else "",
        )

    def _once(
        self, line: TypedLine | None, saved: Callable[[str], T | None], write: Callable[[], T]
    ) -> T:
        """Run ``write`` for a typed ``line`` at most once in effect: a retry of a line
        whose earlier write did land (commit outcome unknown, error shown) returns what was
        saved then instead of writing again. The line is settled once a write succeeds."""
        if line is None:
            return write()
        if line.attempts:
            found = saved(line.client_id)
            if found is not None:
                self.pending.settle(line)
                return found
        line.attempts += 1
        result = write()
        self.pending.settle(line)
        return result

    def _saved_event(self, incident_id: str, client_id: str) -> TimelineEvent | None:
        for event in reversed(self.store.events(self._id(incident_id))):
            if event.data.get(CLIENT_ID) == client_id:
                return event
        return None

    def _saved_declare(self, client_id: str) -> tuple[Incident, list[TimelineEvent]] | None:
        for inc in reversed(self.store.list_incidents()[-RECENT_INCIDENTS:]):
            events = self.store.events(inc.id)
            if any(e.data.get(CLIENT_ID) == client_id for e in events[:2]):
                return inc, [
                    e for e in events[:2] if e.kind in (EventKind.SIGNAL, EventKind.DECLARED)
                ]
        return None

    def saved_where(self, line: TypedLine, incident_id: str | None = None) -> str | None:
        """After a write whose commit outcome was unknown: the id of the incident the typed
        ``line`` is stored on (looked up by its client id; ``incident_id`` None: a declare),
        else None. A line found is settled; one not found stays pending, so retrying it
        reuses its id and time. Raises ``StoreError`` while the store cannot be read."""
        if incident_id is not None:
            event = self._saved_event(incident_id, line.client_id)
            where = event.incident_id if event is not None else None
        else:
            declared = self._saved_declare(line.client_id)
            where = declared[0].id if declared is not None else None
        if where is not None:
            self.pending.settle(line)
        return where

    # -- commands ----------------------------------------------------------------------
    def declare(
        self,
        title: str,
        *,
        workflow_id: str | None = None,
        severity: Severity | str = Severity.MEDIUM,
        severity_reason: str = "",
        classification: Classification | str | None = None,
        occurred_at: datetime | None = None,
        signal: dict[str, Any] | None = None,
        author: str | None = None,
        lead: str | None = None,
        line: TypedLine | None = None,
    ) -> tuple[Incident, list[TimelineEvent]]:
        """Declare an incident; the declarer becomes its incident lead unless ``lead`` names
        someone (recorded in the declared event, so no extra event). With the typed ``line``
        a retried declare never creates a second incident."""
        title = " ".join(title.split())
        if not title:
            raise DomainError("an incident needs a title")
        sev = severity if isinstance(severity, Severity) else Severity.parse(severity)
        cls = (
            Classification.parse(classification)
            if isinstance(classification, str)
            else classification
        )
        if workflow_id and self.config.workflows and self.config.workflow(workflow_id) is None:
            known = ", ".join(w.id for w in self.config.workflows)
            raise DomainError(f"unknown workflow {workflow_id!r}; configured: {known}")
        now = line.at if line is not None else self.clock()
        who = author or self.actor
        leader = " ".join((lead or who).split())

        def make(incident_id: str) -> Change:
            inc = Incident(
                id=incident_id,
                title=title,
                workflow_id=workflow_id,
                severity=sev,
                severity_reason=severity_reason,
                classification=cls,
                created_at=now,
                updated_at=now,
                aware_at=now,
                occurred_at=occurred_at,
                created_by=who,
                roles={Role.INCIDENT_LEAD: leader} if leader else {},
            )
            events = []
            if signal is not None:
                events.append(
                    self._draft(
                        EventKind.SIGNAL,
                        signal.get("summary", title),
                        signal,
                        author=who,
                        at=now,
                        line=line,
                    )
                )
            events.append(
                self._draft(
                    EventKind.DECLARED,
                    f"Declared: {title}",
                    {
                        "title": title,
                        "workflow_id": workflow_id,
                        "severity": sev.value,
                        "classification": cls.value if cls else None,
                        "incident_lead": leader or None,
                    },
                    author=who,
                    at=now,
                    line=None if signal is not None else line,
                )
            )
            return Change(incident=inc, events=events)

        inc, written = self._once(
            line, self._saved_declare, lambda: self.store.create_incident(make)
        )
        # a retried line that had landed runs the hooks again: applying a playbook twice
        # adds nothing
        for hook in list(self.on_declared):
            try:
                hook(inc, written)
            except Exception as exc:  # a hook is extension code; the incident stands: noted
                why = f"{type(exc).__name__}: {exc}" if not isinstance(exc, DomainError) else exc
                with contextlib.suppress(StoreError, DomainError):  # the store may be down
                    self.note(inc.id, f"after declaring: {one_line(why, 300)}", author="ircmd")
        return inc, written

    def add_event(
        self,
        incident_id: str,
        kind: EventKind,
        text: str,
        data: dict[str, Any] | None = None,
        author: str | None = None,
        line: TypedLine | None = None,
    ) -> TimelineEvent:
        text = text.strip()
        if not text and kind in (EventKind.NOTE, EventKind.DECISION, EventKind.COMMUNICATION):
            raise DomainError(f"a {kind.label} needs text")

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            now = self.clock()
            return Change(
                incident=inc.model_copy(update={"updated_at": now}),
                events=[self._draft(kind, text, data, author, at=now, line=line)],
            )

        def write() -> TimelineEvent:
            return self._apply(incident_id, decide)[1][0]

        return self._once(line, lambda cid: self._saved_event(incident_id, cid), write)

    def note(
        self,
        incident_id: str,
        text: str,
        author: str | None = None,
        line: TypedLine | None = None,
    ) -> TimelineEvent:
        return self.add_event(incident_id, EventKind.NOTE, text, author=author, line=line)

    def decide(
        self,
        incident_id: str,
        text: str,
        author: str | None = None,
        line: TypedLine | None = None,
    ) -> TimelineEvent:
        return self.add_event(incident_id, EventKind.DECISION, text, author=author, line=line)

    def comms(
        self,
        incident_id: str,
        text: str,
        audience: str = "",
        author: str | None = None,
        line: TypedLine | None = None,
    ) -> TimelineEvent:
        return self.add_event(
            incident_id,
            EventKind.COMMUNICATION,
            text,
            {"audience": audience} if audience else None,
            author=author,
            line=line,
        )

    def set_status(
        self,
        incident_id: str,
        new: Status | str,
        reason: str = "",
        author: str | None = None,
        line: TypedLine | None = None,
    ) -> tuple[Incident, TimelineEvent]:
        target = new if isinstance(new, Status) else Status.parse(new)

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            check_transition(inc.status, target)
            now = self.clock()
            update: dict[str, Any] = {"status": target, "updated_at": now}
            if target == Status.CONTAINED and inc.contained_at is None:
                update["contained_at"] = now
            if target == Status.RESOLVED:
                update["resolved_at"] = now
            if target == Status.REVIEWED:
                update["reviewed_at"] = now
            if inc.status == Status.RESOLVED and target != Status.REVIEWED:
                update["resolved_at"] = None  # reopened
            text = f"Status {inc.status.value} → {target.value}"
            if reason:
                text += f": {reason}"
            return Change(
                incident=inc.model_copy(update=update),
                events=[
                    self._draft(
                        EventKind.STATUS_CHANGE,
                        text,
                        {"from": inc.status.value, "to": target.value, "reason": reason},
                        author,
                        at=now,
                        line=line,
                    )
                ],
            )

        def write() -> tuple[Incident, TimelineEvent]:
            inc, events = self._apply(incident_id, decide)
            return inc, events[0]

        def saved(client_id: str) -> tuple[Incident, TimelineEvent] | None:
            event = self._saved_event(incident_id, client_id)
            return (self.get(incident_id), event) if event is not None else None

        return self._once(line, saved, write)

    def set_severity(
        self,
        incident_id: str,
        level: Severity | str,
        reason: str,
        data: dict[str, Any] | None = None,
        author: str | None = None,
    ) -> tuple[Incident, TimelineEvent]:
        sev = level if isinstance(level, Severity) else Severity.parse(level)
        reason = reason.strip()
        if not reason:
            raise DomainError("a severity change needs a reason (--reason TEXT)")

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            now = self.clock()
            text = f"Severity {inc.severity.value} → {sev.value}: {reason}"
            payload = {
                "from": inc.severity.value,
                "to": sev.value,
                "reason": reason,
                **(data or {}),
            }
            return Change(
                incident=inc.model_copy(
                    update={"severity": sev, "severity_reason": reason, "updated_at": now}
                ),
                events=[self._draft(EventKind.SEVERITY_CHANGE, text, payload, author, at=now)],
            )

        inc, events = self._apply(incident_id, decide)
        return inc, events[0]

    def classify(
        self,
        incident_id: str,
        classification: Classification | str,
        reason: str = "",
        author: str | None = None,
    ) -> tuple[Incident, TimelineEvent]:
        cls = (
            classification
            if isinstance(classification, Classification)
            else Classification.parse(classification)
        )

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            now = self.clock()
            before = inc.classification.value if inc.classification else None
            text = f"Classified as {cls.label}" + (f": {reason}" if reason else "")
            return Change(
                incident=inc.model_copy(update={"classification": cls, "updated_at": now}),
                events=[
                    self._draft(
                        EventKind.CLASSIFICATION,
                        text,
                        {"from": before, "to": cls.value, "reason": reason},
                        author,
                        at=now,
                    )
                ],
            )

        inc, events = self._apply(incident_id, decide)
        return inc, events[0]

    def assign_role(
        self, incident_id: str, role: Role | str, person: str, author: str | None = None
    ) -> tuple[Incident, TimelineEvent]:
        r = role if isinstance(role, Role) else Role.parse(role)
        person = person.strip()

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            now = self.clock()
            roles = dict(inc.roles)
            before = roles.get(r)
            if person:
                roles[r] = person
                text = f"{r.label.capitalize()}: {person}"
            else:
                roles.pop(r, None)
                text = f"{r.label.capitalize()} unassigned"
            return Change(
                incident=inc.model_copy(update={"roles": roles, "updated_at": now}),
                events=[
                    self._draft(
                        EventKind.ROLE_CHANGE,
                        text,
                        {"role": r.value, "from": before, "to": person or None},
                        author,
                        at=now,
                    )
                ],
            )

        inc, events = self._apply(incident_id, decide)
        return inc, events[0]

    def tag(
        self, incident_id: str, label: str, remove: bool = False, author: str | None = None
    ) -> tuple[Incident, TimelineEvent]:
        label = label.strip()
        if not label:
            raise DomainError("a tag needs a label")

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            now = self.clock()
            tags = [t for t in inc.tags if t != label]
            if not remove:
                tags.append(label)
            text = ("Untagged " if remove else "Tagged ") + label
            return Change(
                incident=inc.model_copy(update={"tags": tags, "updated_at": now}),
                events=[
                    self._draft(
                        EventKind.TAG, text, {"tag": label, "removed": remove}, author, at=now
                    )
                ],
            )

        inc, events = self._apply(incident_id, decide)
        return inc, events[0]

    def verify(self) -> list[str]:
        return self.store.verify()
