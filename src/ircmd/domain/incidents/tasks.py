"""Tasks during an incident: who does what by when, as a projection of the timeline.

A task exists because of chained events: ``task_created`` (id, title, owner, due, link),
``task_assigned``, ``task_done`` and ``task_reopened``. The seed's immediate-response
checklist becomes tasks when the level is set: a ``declared`` or ``severity_change`` event
creates one task per checklist item of the new level (once per item), and ticking the
item on the severity checklist marks that task done. Everything here is pure: the same
events always give the same tasks, ids included (``T-1``, ``T-2`` … in order of creation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ircmd.domain.incidents.incident import DomainError, Role, Severity
from ircmd.domain.incidents.severity import IMMEDIATE_RESPONSE
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, utc


def owner_label(owner: str, roles: Mapping[Any, str] | None = None) -> str:
    """How a task's owner reads. A playbook step owned by a role (``comms``,
    ``incident_lead``…) whose role was unfilled when it was applied keeps the role id; it
    reads as whoever fills the role now, else as the role's label and ``(unfilled)``."""
    try:
        role = Role(owner)
    except ValueError:
        return owner
    who = (roles or {}).get(role, "")  # a Role is its str value: either key kind works
    return who or f"{role.label} (unfilled)"


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    owner: str = ""
    due_at: datetime | None = None
    state: TaskState = TaskState.OPEN
    control: str = ""
    """``WORKFLOW/CONTROL`` of a board control this task is about ("" for none)."""
    link: dict[str, str] = field(default_factory=dict)
    """Other things the task points at: ``{"span": ID}``, ``{"finding": ID}``."""
    checklist_item: str = ""
    """The immediate-response checklist item this task came from ("" for a typed task)."""
    playbook: str = ""
    step: str = ""
    """The playbook and its step id this task came from ("" for none)."""
    confirm: str = ""
    """``on``/``off``: the task is done only while the backend confirms ``control`` in that
    state (a playbook's containment step); "" for a task ticked by hand."""
    drift: bool = False
    """The control drifted away from ``confirm`` (the backend shows another state)."""
    created_at: datetime | None = None
    done_at: datetime | None = None
    sources: tuple[str, ...] = ()
    """Hashes of the events that made the task what it is now."""

    @property
    def is_open(self) -> bool:
        return self.state == TaskState.OPEN

    def overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at is not None and utc(now) > self.due_at

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "owner": self.owner or None,
            "due_at": _iso(self.due_at),
            "state": self.state.value,
            "control": self.control or None,
            "link": dict(self.link),
            "checklist_item": self.checklist_item or None,
            "playbook": self.playbook or None,
            "step": self.step or None,
            "confirm": self.confirm or None,
            "drift": self.drift,
        }


def _iso(dt: datetime | None) -> str | None:
    return utc(dt).isoformat().replace("+00:00", "Z") if dt is not None else None


_TASK_ID = re.compile(r"^[Tt]-?(\d+)$")


def normalise_task_id(value: str) -> str:
    """``T-3``, ``t3`` or ``3`` -> ``T-3``."""
    text = value.strip()
    if text.isdigit():
        return f"T-{int(text)}"
    m = _TASK_ID.match(text)
    if not m:
        raise DomainError(f"not a task id: {value!r} (expected T-1)")
    return f"T-{int(m.group(1))}"


_RELATIVE = re.compile(r"^\+\s*(\d+(?:\.\d+)?)\s*([smhdw])$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_due(value: str, now: datetime) -> datetime:
    """A due time: relative (``+30m``, ``+2h``, ``+1d``) from ``now``, or absolute ISO-8601
    (``2026-11-28T18:00Z``; a time without a zone is UTC)."""
    text = value.strip()
    m = _RELATIVE.match(text)
    if m:
        amount = float(m.group(1))
        return utc(now) + timedelta(seconds=amount * _UNIT_SECONDS[m.group(2).lower()])
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return utc(datetime.fromisoformat(iso))
    except ValueError:
        raise DomainError(
            f"not a due time: {value!r} (use +30m, +2h, +1d or 2026-11-28T18:00Z)"
        ) from None


TASK_KINDS = frozenset(
    {
        EventKind.TASK_CREATED,
        EventKind.TASK_ASSIGNED,
        EventKind.TASK_DONE,
        EventKind.TASK_REOPENED,
    }
)


def _number(task_id: str) -> int:
    return int(task_id.split("-", 1)[1])


@dataclass
class TaskBoard:
    """The tasks of one incident, folded from its events in order."""

    tasks: dict[str, Task] = field(default_factory=dict)
    last_number: int = 0
    control_states: dict[str, str] = field(default_factory=dict)
    """The last state a backend reported for each control (confirmed or drifted)."""

    def next_id(self) -> str:
        return f"T-{self.last_number + 1}"

    def get(self, task_id: str) -> Task:
        tid = normalise_task_id(task_id)
        task = self.tasks.get(tid)
        if task is None:
            known = ", ".join(self.tasks) or "none yet"
            raise DomainError(f"no task {tid}; tasks: {known}")
        return task

    def by_checklist(self, item_id: str) -> Task | None:
        for task in self.tasks.values():
            if task.checklist_item == item_id:
                return task
        return None

    def by_step(self, playbook: str, step: str) -> Task | None:
        for task in self.tasks.values():
            if task.playbook == playbook and task.step == step:
                return task
        return None

    def ordered(self) -> list[Task]:
        return sorted(self.tasks.values(), key=lambda t: _number(t.id))

    def open_tasks(self) -> list[Task]:
        return [t for t in self.ordered() if t.is_open]

    def overdue(self, now: datetime) -> list[Task]:
        return [t for t in self.ordered() if t.overdue(now)]

    # -- folding ------------------------------------------------------------------------
    def _add(self, task: Task) -> None:
        self.tasks[task.id] = task
        self.last_number = max(self.last_number, _number(task.id))

    def _checklist_level(self, level: str, ev: TimelineEvent) -> None:
        try:
            sev = Severity(level)
        except ValueError:
            return
        for item_id, title in IMMEDIATE_RESPONSE[sev]:
            if self.by_checklist(item_id) is None:
                self._add(
                    Task(
                        id=self.next_id(),
                        title=title,
                        checklist_item=item_id,
                        created_at=ev.at,
                        sources=(ev.hash,),
                    )
                )

    def _update(self, task_id: object, ev: TimelineEvent, **changes: Any) -> None:
        if not isinstance(task_id, str) or task_id not in self.tasks:
            return
        task = self.tasks[task_id]
        self.tasks[task_id] = replace(task, sources=(*task.sources, ev.hash), **changes)

    def _control_seen(self, ev: TimelineEvent) -> None:
        """A backend reported a control's state: bound tasks follow it (done while it is
        the state they wait for, open again when it drifts or is released)."""
        ref, state = ev.data.get("control"), ev.data.get("state")
        if not isinstance(ref, str) or state not in ("on", "off"):
            return
        self.control_states[ref] = str(state)
        drift = ev.kind == EventKind.CONTAINMENT_DRIFT
        for task in list(self.tasks.values()):
            if task.control != ref or not task.confirm:
                continue
            if state == task.confirm:
                done_at = task.done_at if not task.is_open else ev.at
                self._update(task.id, ev, state=TaskState.DONE, done_at=done_at, drift=False)
            else:
                self._update(task.id, ev, state=TaskState.OPEN, done_at=None, drift=drift)

    def fold(self, ev: TimelineEvent) -> None:
        data = ev.data
        if ev.kind in (
            EventKind.CONTAINMENT_CONFIRMED,
            EventKind.CONTAINMENT_DRIFT,
            EventKind.CONTAINMENT_DRIFT_CLEARED,
            EventKind.CONTAINMENT_FAILED,
        ):
            self._control_seen(ev)
        elif ev.kind == EventKind.DECLARED:
            self._checklist_level(str(data.get("severity") or ""), ev)
        elif ev.kind == EventKind.SEVERITY_CHANGE:
            self._checklist_level(str(data.get("to") or ""), ev)
        elif ev.kind == EventKind.CHECKLIST:
            task = self.by_checklist(str(data.get("item") or ""))
            if task is not None:
                done = bool(data.get("done", True))
                state = TaskState.DONE if done else TaskState.OPEN
                self._update(task.id, ev, state=state, done_at=ev.at if done else None)
        elif ev.kind == EventKind.TASK_CREATED:
            tid = data.get("id")
            if not isinstance(tid, str) or not _TASK_ID.match(tid):
                return
            due = data.get("due_at")
            link = data.get("link")
            control = str(data.get("control") or "")
            confirm = str(data.get("confirm") or "") if control else ""
            if confirm not in ("on", "off"):
                confirm = ""
            done = bool(confirm) and self.control_states.get(control) == confirm
            self._add(
                Task(
                    id=tid,
                    title=str(data.get("title") or ev.text),
                    owner=str(data.get("owner") or ""),
                    due_at=_parse_stored(due),
                    control=control,
                    confirm=confirm,
                    state=TaskState.DONE if done else TaskState.OPEN,
                    done_at=ev.at if done else None,
                    link={str(k): str(v) for k, v in link.items()}
                    if isinstance(link, dict)
                    else {},
                    playbook=str(data.get("playbook") or ""),
                    step=str(data.get("step") or ""),
                    created_at=ev.at,
                    sources=(ev.hash,),
                )
            )
        elif ev.kind == EventKind.COMMUNICATION and data.get("audience"):
            # a playbook's communication step is done by the update sent to its audience
            for task in list(self.tasks.values()):
                if task.is_open and task.playbook and task.link.get("audience") == data["audience"]:
                    self._update(task.id, ev, state=TaskState.DONE, done_at=ev.at)
        elif ev.kind == EventKind.TASK_ASSIGNED:
            self._update(data.get("id"), ev, owner=str(data.get("owner") or ""))
        elif ev.kind == EventKind.TASK_DONE:
            bound = self.tasks.get(str(data.get("id")))
            if bound is not None and bound.confirm:
                return  # only the backend's confirmation ticks a control-bound task
            self._update(data.get("id"), ev, state=TaskState.DONE, done_at=ev.at)
        elif ev.kind == EventKind.TASK_REOPENED:
            self._update(data.get("id"), ev, state=TaskState.OPEN, done_at=None)


def _parse_stored(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_due(value, datetime.fromtimestamp(0))
    except DomainError:
        return None


def task_board(events: Iterable[TimelineEvent]) -> TaskBoard:
    board = TaskBoard()
    for ev in events:
        board.fold(ev)
    return board


# -- what a command records (pure: the service turns these into event drafts) -------------


@dataclass(frozen=True)
class TaskEvent:
    kind: EventKind
    text: str
    data: dict[str, Any]


def create_task(
    board: TaskBoard,
    title: str,
    *,
    now: datetime,
    owner: str = "",
    due: str = "",
    control: str = "",
    link: dict[str, str] | None = None,
    playbook: str = "",
    step: str = "",
    confirm: str = "",
) -> TaskEvent:
    title = " ".join(title.split())
    if not title:
        raise DomainError("a task needs a title")
    if control and "/" not in control:
        raise DomainError(f"a task's control is WORKFLOW/CONTROL, not {control!r}")
    due_at = parse_due(due, now) if due else None
    tid = board.next_id()
    data: dict[str, Any] = {
        "id": tid,
        "title": title,
        "owner": owner.strip() or None,
        "due_at": _iso(due_at),
        "control": control or None,
        "link": dict(link or {}),
    }
    if playbook:
        data["playbook"] = playbook
        data["step"] = step
    if confirm and control:
        data["confirm"] = confirm
    text = f"Task {tid}: {title}"
    if owner.strip():
        # a playbook's role owner still a role id was unfilled when the playbook was applied
        shown = owner_label(owner.strip()) if playbook else owner.strip()
        text += f" (owner {shown})"
    if due_at is not None:
        text += f", due {_iso(due_at)}"
    return TaskEvent(EventKind.TASK_CREATED, text, data)


def assign_task(board: TaskBoard, task_id: str, owner: str) -> TaskEvent:
    task = board.get(task_id)
    owner = owner.strip()
    if not owner:
        raise DomainError("a task is assigned to a name")
    if owner == task.owner:
        raise DomainError(f"{task.id} is already {owner}'s")
    return TaskEvent(
        EventKind.TASK_ASSIGNED,
        f"Task {task.id} assigned to {owner}",
        {"id": task.id, "from": task.owner or None, "owner": owner},
    )


def finish_task(board: TaskBoard, task_id: str) -> TaskEvent:
    task = board.get(task_id)
    if not task.is_open:
        raise DomainError(f"{task.id} is already done")
    if task.confirm:
        raise DomainError(
            f"{task.id} is done when the backend confirms {task.control} {task.confirm} "
            f"(use: contain INC {task.control} --{task.confirm}); it is not ticked by hand"
        )
    return TaskEvent(EventKind.TASK_DONE, f"Task {task.id} done: {task.title}", {"id": task.id})


def reopen_task(board: TaskBoard, task_id: str, reason: str = "") -> TaskEvent:
    task = board.get(task_id)
    if task.is_open:
        raise DomainError(f"{task.id} is open already")
    text = f"Task {task.id} reopened: {task.title}" + (f" ({reason})" if reason else "")
    return TaskEvent(EventKind.TASK_REOPENED, text, {"id": task.id, "reason": reason})
