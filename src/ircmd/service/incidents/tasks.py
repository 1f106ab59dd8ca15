"""Tasks of an incident: add, assign, tick, reopen, list (one chained event per command).

The task board is folded from the incident's events inside the store's lock, so two
consoles adding a task at the same moment get T-1 and T-2, never the same id twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.tasks import (
    Task,
    TaskBoard,
    TaskEvent,
    assign_task,
    create_task,
    finish_task,
    reopen_task,
    task_board,
)
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import Change, EventDraft


@dataclass
class TaskService:
    incidents: IncidentService

    def board(self, incident_id: str) -> TaskBoard:
        inc = self.incidents.get(incident_id)
        return task_board(self.incidents.timeline(inc.id))

    def tasks(self, incident_id: str) -> list[Task]:
        return self.board(incident_id).ordered()

    def _record(
        self, incident_id: str, make: Callable[[TaskBoard, datetime], TaskEvent]
    ) -> tuple[Task, TimelineEvent]:
        store = self.incidents.store
        clock = self.incidents.clock
        actor = self.incidents.actor

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            board = task_board(store.events(inc.id))
            now = clock()
            ev = make(board, now)
            draft = EventDraft(kind=ev.kind, at=now, author=actor, text=ev.text, data=ev.data)
            return Change(incident=inc.model_copy(update={"updated_at": now}), events=[draft])

        inc, events = self.incidents._apply(incident_id, decide)
        board = task_board(self.incidents.timeline(inc.id))
        return board.get(str(events[0].data["id"])), events[0]

    def add(
        self,
        incident_id: str,
        title: str,
        *,
        owner: str = "",
        due: str = "",
        control: str = "",
        link: dict[str, str] | None = None,
    ) -> tuple[Task, TimelineEvent]:
        if control:
            self._check_control(control)
        return self._record(
            incident_id,
            lambda board, now: create_task(
                board, title, now=now, owner=owner, due=due, control=control, link=link
            ),
        )

    def _check_control(self, control: str) -> None:
        """A configured workflow's control must exist (nothing configured: any name)."""
        config = self.incidents.config
        wf_id, _, ctrl_id = control.partition("/")
        if not config.workflows:
            return
        wf = config.workflow(wf_id)
        if wf is None:
            known = ", ".join(w.id for w in config.workflows)
            raise DomainError(f"unknown workflow {wf_id!r} in {control!r}; configured: {known}")
        if not any(c.id == ctrl_id for c in wf.controls):
            known = ", ".join(c.id for c in wf.controls) or "none"
            raise DomainError(f"workflow {wf_id} has no control {ctrl_id!r}; controls: {known}")

    def assign(self, incident_id: str, task_id: str, owner: str) -> tuple[Task, TimelineEvent]:
        return self._record(incident_id, lambda board, _now: assign_task(board, task_id, owner))

    def done(self, incident_id: str, task_id: str) -> tuple[Task, TimelineEvent]:
        ticked = self._tick_checklist(incident_id, task_id, True)
        if ticked is not None:
            return ticked
        return self._record(incident_id, lambda board, _now: finish_task(board, task_id))

    def reopen(
        self, incident_id: str, task_id: str, reason: str = ""
    ) -> tuple[Task, TimelineEvent]:
        ticked = self._tick_checklist(incident_id, task_id, False)
        if ticked is not None:
            return ticked
        return self._record(incident_id, lambda board, _now: reopen_task(board, task_id, reason))

    def _tick_checklist(
        self, incident_id: str, task_id: str, done: bool
    ) -> tuple[Task, TimelineEvent] | None:
        """A task that came from the severity checklist is ticked (or reopened) on the
        checklist itself: one ``checklist`` event, which the task board follows. None when
        the task is not a checklist item (or the checklist already says so)."""
        from ircmd.service.incidents.severity import SeverityService

        task = self.board(incident_id).get(task_id)
        if not task.checklist_item or task.is_open != done:
            return None
        severity = SeverityService(self.incidents)
        if severity.assessment(incident_id).ticked(task.checklist_item) == done:
            return None
        _inc, events = severity.tick(incident_id, task.checklist_item, done)
        return self.board(incident_id).get(task.id), events[0]
