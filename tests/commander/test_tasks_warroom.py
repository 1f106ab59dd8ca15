"""Pilot: tasks from the war room's ``:`` line and the tasks screen (add, assign, tick)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from ircmd.domain.config import Config
from ircmd.domain.incidents.tasks import TaskState
from ircmd.service.incidents.tasks import TaskService
from ircmd.service.workspace import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.commander.tasks import TasksScreen
from ircmd.tui.screens.dialogs.prompt import TextPrompt
from tests.support.waiting import wait_until


def workspace(tmp_path: Path) -> tuple[Workspace, str]:
    ws = Workspace.open(Config(), tmp_path / "data", actor="alice")
    inc, _ = ws.incidents.declare("Refunds outside policy", severity="low")
    return ws, inc.id


async def test_task_verbs_and_tasks_screen(tmp_path: Path) -> None:
    ws, iid = workspace(tmp_path)
    svc = TaskService(ws.incidents)
    app = IrcmdApp(ws, open_incident=iid)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        await pilot.press("colon", *"task add Call legal --owner bob --due +1h", "enter")
        await wait_until(pilot, lambda: len(svc.tasks(iid)) == 4, what="T-4 added")
        t4 = svc.board(iid).get("T-4")
        assert (t4.title, t4.owner) == ("Call legal", "bob") and t4.due_at is not None
        await pilot.press("colon", *"task add Check the span --span 00bbbbbb --finding 12", "enter")
        await wait_until(pilot, lambda: len(svc.tasks(iid)) == 5, what="T-5 added")
        t5 = svc.board(iid).get("T-5")
        assert (t5.title, t5.link) == ("Check the span", {"span": "00bbbbbb", "finding": "12"})

        await pilot.press("colon", *"tasks", "enter")
        screen = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, TasksScreen) else None
        )
        options = screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 5, what="five rows")
        assert "span 00bbbbbb  finding 12" in str(options.get_option_at_index(4).prompt)
        # tick the first (the low checklist's "Log the issue")
        options.highlighted = 0
        await pilot.press("space")
        await wait_until(pilot, lambda: svc.board(iid).get("T-1").state == TaskState.DONE)
        # assign the second
        options.highlighted = 1
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"carol", "enter")
        await wait_until(pilot, lambda: svc.board(iid).get("T-2").owner == "carol")
        # add one with the key
        await wait_until(pilot, lambda: isinstance(app.screen, TasksScreen))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"Rotate [b]key[/b]", "enter")
        await wait_until(pilot, lambda: len(svc.tasks(iid)) == 6)
        await wait_until(pilot, lambda: options.option_count == 6, what="six rows")
        assert "[b]key[/b]" in str(options.get_option_at_index(5).prompt)  # no markup
        # tick again reopens
        options.highlighted = 0
        await pilot.press("space")
        await wait_until(pilot, lambda: svc.board(iid).get("T-1").is_open)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TasksScreen))
    ws.close()


async def test_overdue_is_marked(tmp_path: Path) -> None:
    ws, iid = workspace(tmp_path)
    TaskService(ws.incidents).add(iid, "Late one", due="2020-01-01T00:00Z")
    app = IrcmdApp(ws, open_incident=iid)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        app.push_screen(TasksScreen(ws, iid))
        screen = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, TasksScreen) else None
        )
        options = screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 4)
        row = str(options.get_option_at_index(3).prompt)
        assert row.startswith("[!] T-4") and "OVERDUE" in row
    ws.close()


async def test_a_opens_the_tasks_and_help_lists_it(tmp_path: Path) -> None:
    from ircmd.tui.screens.warroom.help import HelpScreen

    ws, iid = workspace(tmp_path)
    app = IrcmdApp(ws, open_incident=iid)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        await pilot.press("question_mark")
        help_screen = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, HelpScreen) else None
        )
        assert any(row[1] == "a" and "Tasks" in row[2] for row in help_screen._rows)
        await pilot.press("escape")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        await pilot.press("a")
        screen = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, TasksScreen) else None
        )
        options = screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 3, what="the checklist tasks")
    ws.close()
