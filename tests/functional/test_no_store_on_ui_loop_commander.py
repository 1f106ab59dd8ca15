"""No store call on Textual's event loop, on the screens added after the first guard run:
the commander's (``:task``, ``:tasks``, ``:update``, ``:handoff``, ``:playbook``) and the
investigation views opened from the trace pane (``:changes``, ``:icicle``, ``:diff``,
``:conversation``). Same guard as ``test_no_store_on_ui_loop.py``: every store method
called on the loop's thread is recorded, and the test fails listing them."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from textual.screen import Screen

from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.commander.tasks import TasksScreen
from ircmd.tui.screens.commander.update import UpdateScreen
from ircmd.tui.screens.investigate.changes_view import ChangesScreen
from ircmd.tui.screens.investigate.conversation_view import ConversationScreen
from ircmd.tui.screens.investigate.diff_view import DiffScreen
from ircmd.tui.screens.investigate.icicle_view import IcicleScreen
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from tests.functional.test_no_store_on_ui_loop import command, guarded_workspace, idle
from tests.support.waiting import wait_until


async def test_commander_and_investigation_screens_never_call_the_store_on_the_ui_loop(
    tmp_path: Path,
) -> None:
    await asyncio.wait_for(drive(tmp_path), timeout=120)


async def drive(tmp_path: Path) -> None:
    ws, iid, guard = guarded_workspace(tmp_path)
    app = IrcmdApp(ws)
    guard.ui_thread = threading.get_ident()
    async with app.run_test(size=(180, 50)) as pilot:
        await idle(pilot, app)
        app.open_incident(iid)
        await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen), 30)
        room = app.screen

        async def back_to_room() -> None:
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is room, 30)

        async def opens(line: str, kind: type[Screen[Any]]) -> None:
            await command(pilot, app, line)
            await wait_until(pilot, lambda: isinstance(app.screen, kind), 30)
            await idle(pilot, app)
            await back_to_room()

        # the commander's loop
        await command(pilot, app, "task add call the refund desk")
        await opens("tasks", TasksScreen)
        await command(pilot, app, "tasks")
        await wait_until(pilot, lambda: isinstance(app.screen, TasksScreen), 30)
        await pilot.press("space")  # tick the task (a write worker), then the list reloads
        await idle(pilot, app)
        await back_to_room()
        await opens("update customers", UpdateScreen)
        await command(pilot, app, "handoff sam.oncall")
        await command(pilot, app, "playbook customer-misinformation")
        # the investigation views, on the demo's loaded traces
        pane = room.query_one(TracePane)
        await wait_until(pilot, lambda: len(pane.summaries) >= 2, 30)
        first, second = pane.summaries[0].trace_id, pane.summaries[1].trace_id
        await opens("changes", ChangesScreen)
        await opens(f"icicle {first}", IcicleScreen)
        await opens(f"diff {first} {second}", DiffScreen)
        await opens(f"conversation {first}", ConversationScreen)
        await idle(pilot, app)
    assert guard.on_ui_loop == [], "store called on the UI loop:\n" + "\n".join(
        sorted(set(guard.on_ui_loop))
    )
