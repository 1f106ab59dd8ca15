"""Task lifecycle as a projection of chained events (pure domain rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.tasks import (
    TaskState,
    assign_task,
    create_task,
    finish_task,
    normalise_task_id,
    parse_due,
    reopen_task,
    task_board,
)
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


class Chain:
    def __init__(self) -> None:
        self.events: list[TimelineEvent] = []

    def add(self, kind: EventKind, data: dict[str, Any], at: datetime = NOW) -> TimelineEvent:
        prev = self.events[-1] if self.events else None
        ev = new_event(incident_id="INC-0001", prev=prev, kind=kind, at=at, author="ana", data=data)
        self.events.append(ev)
        return ev

    def record(self, make: Any, at: datetime = NOW) -> TimelineEvent:
        te = make(task_board(self.events))
        return self.add(te.kind, te.data, at)


def test_parse_due_relative_and_absolute() -> None:
    assert parse_due("+2h", NOW) == NOW + timedelta(hours=2)
    assert parse_due("+30m", NOW) == NOW + timedelta(minutes=30)
    assert parse_due("+1d", NOW) == NOW + timedelta(days=1)
    assert parse_due("2026-11-28T18:00Z", NOW) == datetime(2026, 11, 28, 18, tzinfo=UTC)
    assert parse_due("2026-11-28T18:00+01:00", NOW) == datetime(2026, 11, 28, 17, tzinfo=UTC)
    with pytest.raises(DomainError, match="not a due time"):
        parse_due("tomorrow-ish", NOW)


def test_task_ids_normalised() -> None:
    assert normalise_task_id("t3") == "T-3"
    assert normalise_task_id("12") == "T-12"
    with pytest.raises(DomainError):
        normalise_task_id("INC-1")


def test_lifecycle_create_assign_done_reopen() -> None:
    chain = Chain()
    chain.record(lambda b: create_task(b, "Rotate the key", now=NOW, owner="ana", due="+1h"))
    chain.record(lambda b: create_task(b, "Call legal", now=NOW, control="wf/pause"))
    board = task_board(chain.events)
    assert [t.id for t in board.ordered()] == ["T-1", "T-2"]
    t1 = board.get("T-1")
    assert (t1.owner, t1.due_at, t1.state) == ("ana", NOW + timedelta(hours=1), TaskState.OPEN)
    assert board.get("T-2").control == "wf/pause"
    assert t1.overdue(NOW + timedelta(hours=2)) and not t1.overdue(NOW)

    chain.record(lambda b: assign_task(b, "T-1", "bob"))
    done = chain.record(lambda b: finish_task(b, "t1"))
    board = task_board(chain.events)
    assert board.get("T-1").owner == "bob"
    assert board.get("T-1").state == TaskState.DONE
    assert not board.get("T-1").overdue(NOW + timedelta(hours=2))  # done is never overdue
    assert done.hash in board.get("T-1").sources
    with pytest.raises(DomainError, match="already done"):
        finish_task(board, "T-1")

    chain.record(lambda b: reopen_task(b, "T-1", "the key leaked again"))
    board = task_board(chain.events)
    assert board.get("T-1").is_open
    with pytest.raises(DomainError, match="open already"):
        reopen_task(board, "T-1")
    with pytest.raises(DomainError, match="no task T-9"):
        board.get("T-9")


def test_refusals() -> None:
    board = task_board([])
    with pytest.raises(DomainError, match="needs a title"):
        create_task(board, "   ", now=NOW)
    with pytest.raises(DomainError, match="WORKFLOW/CONTROL"):
        create_task(board, "x", now=NOW, control="pause")


def test_checklist_becomes_tasks_when_the_level_is_set() -> None:
    chain = Chain()
    chain.add(EventKind.DECLARED, {"severity": "medium"})
    board = task_board(chain.events)
    assert [t.checklist_item for t in board.ordered()] == [
        "medium.triage",
        "medium.evidence",
        "medium.owner",
        "medium.fix",
    ]
    chain.record(lambda b: create_task(b, "typed", now=NOW))
    chain.add(EventKind.SEVERITY_CHANGE, {"from": "medium", "to": "high"})
    chain.add(EventKind.SEVERITY_CHANGE, {"from": "high", "to": "medium"})
    chain.add(EventKind.SEVERITY_CHANGE, {"from": "medium", "to": "high"})
    board = task_board(chain.events)
    ids = [t.id for t in board.ordered()]
    assert ids == [f"T-{n}" for n in range(1, 10)]  # 4 medium, 1 typed, 4 high, once each
    assert board.get("T-5").title == "typed"
    assert board.get("T-6").checklist_item == "high.pause"
    # ticking the severity checklist item ticks its task, unticking reopens it
    chain.add(EventKind.CHECKLIST, {"item": "high.pause", "level": "high", "done": True})
    assert task_board(chain.events).get("T-6").state == TaskState.DONE
    chain.add(EventKind.CHECKLIST, {"item": "high.pause", "level": "high", "done": False})
    assert task_board(chain.events).get("T-6").is_open
    # the next typed task continues after the highest id
    assert task_board(chain.events).next_id() == "T-10"


def test_the_tasks_screen_row_reads_an_unfilled_role_owner_by_its_label() -> None:
    from ircmd.domain.incidents.tasks import Task
    from ircmd.tui.screens.commander.tasks import task_row

    task = Task(id="T-9", title="Notify the regulator", owner="comms", playbook="x", step="y")
    assert "comms (unfilled)" in task_row(task, NOW).plain
    assert "dana" in task_row(task, NOW, {"comms": "dana"}).plain


async def test_tasks_screen_rows_stay_one_aligned_line_and_the_highlighted_one_reads_whole(
    tmp_path: Path,
) -> None:
    """A long title is cut on its row (it wrapped back to column 0), a long owner is cut to
    the owner column so the due and title columns stay aligned; the highlighted task's title,
    owner and links are shown whole below the list."""
    from textual.widgets import Label, OptionList

    from ircmd.domain.config import Config
    from ircmd.service.incidents.tasks import TaskService
    from ircmd.service.workspace import Workspace
    from ircmd.tui.app import IrcmdApp
    from ircmd.tui.screens.commander.tasks import TasksScreen
    from tests.support.waiting import wait_until

    ws = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ws.incidents.declare("Bot misleads", severity="low")
    tasks = TaskService(ws.incidents)
    long_title = "Check every refund the bot promised since Monday " * 4
    first, _ = tasks.add(inc.id, long_title.strip(), owner="alexandra.longname-oncall")
    second, _ = tasks.add(inc.id, "Short one", owner="bo", link={"finding": "#3"})
    count = len(tasks.tasks(inc.id))  # the level's checklist tasks come first
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen", 30)
        app.push_screen(TasksScreen(ws, inc.id))
        screen = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, TasksScreen) else None
        )
        options = screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == count, what="every task")
        at = count - 2
        rows = [str(options.get_option_at_index(i).prompt) for i in (at, at + 1)]
        rows = [r.split("\n")[0] for r in rows]
        assert rows[0].index("-") == rows[1].index("-")  # the due column lines up
        assert "alexandra.longn…" in rows[0] and "alexandra.longname-oncall" not in rows[0]
        detail = screen.query_one("#tasks-detail", Label)
        options.highlighted = at
        want = f"{first.id} open"
        await wait_until(pilot, lambda: want in str(detail.render()), what=want)
        assert "alexandra.longname-oncall" in str(detail.render())
        await pilot.press("down")
        await wait_until(pilot, lambda: "finding #3" in str(detail.render()), what="T-2 detail")
        assert second.id in str(detail.render())
        # each row is drawn on one line: as many lines in the list as tasks
        assert options.virtual_size.height == count
    ws.close()
