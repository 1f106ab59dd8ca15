"""The tasks screen of the war room: the incident's tasks, overdue marked, with keys to add
(``a``), assign (``o``) and tick or reopen (``space``). Reads and writes run in workers and
come back as messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ircmd.domain.incidents.tasks import Task, owner_label
from ircmd.domain.text import one_line
from ircmd.service.incidents.tasks import TaskService
from ircmd.service.workspace import Workspace
from ircmd.tui.messages import StoreChanged
from ircmd.tui.screens.dialogs.prompt import TextPrompt

OWNER_WIDTH = 16  # "comms (unfilled)" whole; a longer name is cut, the columns stay aligned


def task_detail(task: Task, roles: Mapping[str, str] | None = None) -> Text:
    """The highlighted task in full: id, state, owner, title, control and links, wrapped."""
    t = Text()
    t.append(f"{task.id} {task.state.value}", "bold")
    t.append(f" · {one_line(owner_label(task.owner, roles)) or 'no owner'} · ", "dim")
    t.append(one_line(task.title))
    if task.control:
        t.append(f" · control {one_line(task.control)}", "magenta")
    for key in ("span", "finding"):
        if task.link.get(key):
            t.append(f" · {key} {one_line(task.link[key])}", "dim")
    return t


def task_row(task: Task, now: datetime, roles: Mapping[str, str] | None = None) -> Text:
    """One task as a line: tick box, id, owner, due (overdue in red), title, control. One
    line, cut with ``…`` (a long title wrapped back to column 0); the highlighted task is shown
    whole below the list (:func:`task_detail`)."""
    row = Text(no_wrap=True, overflow="ellipsis")
    if not task.is_open:
        row.append("[x] ", style="green")
    elif task.overdue(now):
        row.append("[!] ", style="bold red")
    else:
        row.append("[ ] ")
    row.append(f"{task.id:<5} ", style="bold")
    owner = owner_label(task.owner, roles)
    row.append(
        f"{one_line(owner, OWNER_WIDTH) or '-':<{OWNER_WIDTH}} ",
        style="dim italic" if owner.endswith("(unfilled)") else "cyan",
    )
    if task.due_at is not None:
        due = task.due_at.strftime("%H:%MZ %d %b")
        row.append(f"{due:<13} ", style="bold red" if task.overdue(now) else "")
        if task.overdue(now):
            row.append("OVERDUE ", style="bold red")
    else:
        row.append(f"{'-':<13} ")
    if task.control and task.confirm:  # before the title: the row is cut at the width
        if task.drift:
            row.append("⟂ DRIFT ", style="bold red")
        elif task.is_open:
            row.append(f"⟂ awaits {task.confirm} ", style="magenta")
        else:
            row.append(f"⟂ confirmed {task.confirm} ", style="green")
    row.append(one_line(task.title, 80), style="dim" if not task.is_open else "")
    if task.control:
        row.append(f"  ⟂ {one_line(task.control, 40)}", style="magenta")
    for key in ("span", "finding"):
        if task.link.get(key):
            row.append(f"  {key} {one_line(task.link[key], 24)}", style="dim")
    return row


class TasksScreen(ModalScreen[None]):
    """The incident's tasks; ``a`` add, ``o`` assign, ``space`` tick/reopen, ``esc`` close."""

    BINDINGS = [
        Binding("a", "add", "Add", id="tasks.add"),
        Binding("o", "assign", "Assign", id="tasks.assign"),
        Binding("space,x", "tick", "Tick / reopen", id="tasks.tick"),
        Binding("escape,q", "close", "Close", id="tasks.close"),
    ]

    @dataclass
    class Loaded(Message):
        tasks: list[Task]
        roles: dict[str, str]

    @dataclass
    class Failed(Message):
        text: str

    def __init__(self, workspace: Workspace, incident_id: str, read_only: bool = False) -> None:
        super().__init__()
        self.workspace = workspace
        self.incident_id = incident_id
        self.read_only = read_only
        self.service = TaskService(workspace.incidents)
        self.tasks: list[Task] = []
        self.roles: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt tasks-dialog"):
            yield Label(f"Tasks of {self.incident_id}", classes="prompt-title", markup=False)
            yield OptionList(id="tasks-list")
            yield Label("", id="tasks-detail", markup=False)
            yield Label("", id="tasks-status", markup=False)
            yield Label(self._keys_hint(), id="tasks-keys", classes="prompt-hint", markup=False)

    def _keys_hint(self) -> str:
        """The keys, always on screen (the list has no footer of its own)."""
        if self.read_only:
            return "read-only seat: esc closes"
        return "a add · o assign · space tick or reopen · esc closes"

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="tasks-load", exit_on_error=False)
    def load(self) -> None:
        try:
            roles = {
                r.value: n for r, n in self.workspace.incidents.get(self.incident_id).roles.items()
            }
            self.post_message(self.Loaded(self.service.tasks(self.incident_id), roles))
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(self.Failed(one_line(str(exc) or type(exc).__name__)))

    @work(thread=True, group="tasks-write", exit_on_error=False)
    def write(self, what: str, task_id: str = "", value: str = "") -> None:
        try:
            if what == "add":
                task, _ = self.service.add(self.incident_id, value)
            elif what == "assign":
                task, _ = self.service.assign(self.incident_id, task_id, value)
            elif what == "done":
                task, _ = self.service.done(self.incident_id, task_id)
            else:
                task, _ = self.service.reopen(self.incident_id, task_id)
            self.post_message(self.Failed(f"{task.id} {task.state.value}: {task.title}"))
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(self.Failed(one_line(str(exc) or type(exc).__name__)))
        self.load()

    def on_tasks_screen_loaded(self, message: Loaded) -> None:
        self.tasks = message.tasks
        self.roles = message.roles
        now = datetime.now(UTC)
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        rows = [Option(task_row(t, now, message.roles), id=t.id) for t in self.tasks]
        options.add_options(rows)
        if self.tasks:
            options.highlighted = min(keep or 0, len(self.tasks) - 1)
        if not self.tasks:
            self._status("no tasks yet: a adds one")

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        task = self._current()
        detail = task_detail(task, self.roles) if task is not None else Text("")
        self.query_one("#tasks-detail", Label).update(detail)

    def on_store_changed(self, _: StoreChanged) -> None:
        """Another console (or a backend's confirmation) changed the store: re-read, so a
        control-bound step turns done when its control is confirmed."""
        self.load()

    def on_tasks_screen_failed(self, message: Failed) -> None:
        self._status(message.text)

    def _status(self, text: str) -> None:
        self.query_one("#tasks-status", Label).update(Text(text))

    def _current(self) -> Task | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.tasks):
            return None
        return self.tasks[index]

    def _writable(self) -> bool:
        if self.read_only:
            self._status("read-only seat: nothing is written")
            return False
        return True

    def action_add(self) -> None:
        if not self._writable():
            return

        def added(title: str | None) -> None:
            if title:
                self.write("add", value=title)

        self.app.push_screen(TextPrompt("New task", placeholder="what needs doing"), added)

    def _selected(self) -> Task | None:
        task = self._current()
        if task is None:
            self._status("no task selected: a adds one")
        return task

    def action_assign(self) -> None:
        if not self._writable():
            return
        task = self._selected()
        if task is None:
            return

        def chosen(name: str | None) -> None:
            if name:
                self.write("assign", task.id, name)

        self.app.push_screen(TextPrompt(f"Assign {task.id} to", value=task.owner), chosen)

    def action_tick(self) -> None:
        if not self._writable():
            return
        task = self._selected()
        if task is None:
            return
        self.write("done" if task.is_open else "reopen", task.id)

    def action_close(self) -> None:
        self.dismiss(None)
