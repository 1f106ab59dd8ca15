"""Playbooks against incidents: list, match, apply (its steps become tasks, once).

Applying writes every new task of the playbook in one store transaction (one
``task_created`` event per step, ``data.playbook``/``data.step`` naming where it came
from), decided inside the store's lock from the current task board: applying twice, or
from two consoles at once, adds nothing the second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ircmd.domain.comms.audiences import audiences
from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.tasks import Task, task_board
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.domain.playbooks.apply import Match, PlannedStep, matching, plan_apply
from ircmd.domain.playbooks.model import Playbook
from ircmd.domain.text import one_line
from ircmd.service.incidents.service import IncidentService, NotFound
from ircmd.service.playbooks.loader import PlaybookError, load_playbooks
from ircmd.store.base import Change, EventDraft


class _NothingNew(Exception):
    """Every step is on the board already: write nothing."""


@dataclass(frozen=True)
class ApplyResult:
    playbook: Playbook
    added: list[Task]
    kept: list[Task]
    """Tasks of this playbook that were on the board already (applying again)."""
    notes: list[str] = field(default_factory=list)
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "playbook": self.playbook.name,
            "reason": self.reason or None,
            "added": [t.to_json() for t in self.added],
            "existing": [t.to_json() for t in self.kept],
            "notes": list(self.notes),
            "regimes": list(self.playbook.regimes),
        }


@dataclass
class PlaybookService:
    incidents: IncidentService
    folder: Path | None = None
    """Where user playbooks live (None: ``<config dir>/playbooks``)."""
    _cache: dict[str, Playbook] | None = None

    def playbooks(self) -> dict[str, Playbook]:
        if self._cache is None:
            self._cache = load_playbooks(self.folder)
        return self._cache

    def get(self, name: str) -> Playbook:
        return find_playbook(self.playbooks(), name)

    def matches(self, incident_id: str) -> list[Match]:
        inc = self.incidents.get(incident_id)
        return matching(self.playbooks().values(), inc, _signal_labels(self.incidents, inc.id))

    def apply(self, incident_id: str, name: str, reason: str = "") -> ApplyResult:
        playbook = self.get(name)
        store = self.incidents.store
        clock = self.incidents.clock
        actor = self.incidents.actor
        config = self.incidents.config
        planned: list[PlannedStep] = []

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            board = task_board(store.events(inc.id))
            now = clock()
            workflow = config.workflow(inc.workflow_id) if inc.workflow_id else None
            roles = {str(role.value): person for role, person in inc.roles.items()}
            known = [a.name for a in audiences(config.comms)]
            planned[:] = plan_apply(playbook, workflow, board, now, roles, known)
            why = f" ({reason})" if reason else ""
            drafts = [
                EventDraft(
                    kind=p.event.kind,
                    at=now,
                    author=actor,
                    text=f"{p.event.text} [playbook {playbook.name}{why}]",
                    data={**p.event.data, "section": p.section},
                )
                for p in planned
                if p.event is not None
            ]
            if not drafts:
                raise _NothingNew
            return Change(incident=inc.model_copy(update={"updated_at": now}), events=drafts)

        try:
            inc, _events = self.incidents._apply(incident_id, decide)
        except _NothingNew:
            inc = self.incidents.get(incident_id)
        board = task_board(self.incidents.timeline(inc.id))
        added_ids = {str(p.event.data["id"]) for p in planned if p.event is not None}
        mine = [t for t in board.ordered() if t.playbook == playbook.name]
        return ApplyResult(
            playbook,
            added=[t for t in mine if t.id in added_ids],
            kept=[t for t in mine if t.id not in added_ids],
            notes=[f"{p.step.id}: {p.note}" for p in planned if p.note and p.event is not None],
            reason=reason,
        )

    def on_declared(self, inc: Incident, _events: list[TimelineEvent]) -> None:
        """Apply every playbook that matches a newly declared incident; a broken playbook
        file is recorded as a note on the incident (the declaration stands)."""
        try:
            found = self.matches(inc.id)
        except PlaybookError as exc:
            self.incidents.note(inc.id, f"Playbooks not matched: {exc}", author="ircmd")
            return
        for m in found:
            self.apply(inc.id, m.playbook.name, reason=f"matched {m.reason}")


def find_playbook(books: Mapping[str, Playbook], name: str) -> Playbook:
    """``name`` exactly, or the one playbook whose name starts with it."""
    key = name.strip().lower().removesuffix(".toml")
    if key in books:
        return books[key]
    close = [n for n in books if n.startswith(key)] if key else []
    if len(close) == 1:
        return books[close[0]]
    known = ", ".join(books) or "none"
    raise NotFound(f"no playbook {one_line(name, 60)!r}; playbooks: {known}")


def _signal_labels(incidents: IncidentService, incident_id: str) -> Mapping[str, str]:
    """Labels of the signal(s) the incident was declared from or linked to."""
    labels: dict[str, str] = {}
    for ev in incidents.timeline(incident_id):
        if ev.kind == EventKind.SIGNAL and isinstance(ev.data.get("labels"), dict):
            for k, v in ev.data["labels"].items():
                labels.setdefault(str(k), str(v))
    return labels


__all__ = ["ApplyResult", "DomainError", "PlaybookService"]
