"""No store call on Textual's event loop (DESIGN: "the UI never freezes on I/O").

The demo workspace's store is wrapped in a guard that records every method called on the
thread running the app's loop; Pilot then drives the home screen, the war room (every pane,
the ``:`` verbs that read), the containment board and the review screen. Any store call
outside a thread worker is recorded with the caller, and the test fails listing them.
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from ircmd.demo.seed import seed_demo
from ircmd.service import Workspace
from ircmd.store import IncidentStore
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.containment.board import ContainmentScreen
from ircmd.tui.screens.evidence.review import ReviewScreen
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from tests.support import settle, wait_until

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


class UiLoopGuard:
    """Wraps a store; records each method call made on ``ui_thread`` (with its caller)."""

    def __init__(self, inner: IncidentStore) -> None:
        self._inner = inner
        self.location = inner.location
        self.ui_thread: int | None = None
        self.on_ui_loop: list[str] = []

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == self.ui_thread:
                where = traceback.extract_stack(limit=3)[0]
                self.on_ui_loop.append(f"{name}() from {where.filename}:{where.lineno}")
            return value(*args, **kwargs)

        return guarded


def guarded_workspace(tmp_path: Path) -> tuple[Workspace, str, UiLoopGuard]:
    demo = seed_demo(tmp_path, now=NOW)
    ws = demo.workspace
    guard = UiLoopGuard(ws.store)
    store: Any = guard
    ws.store = store
    ws.incidents.store = store
    ws.signals.store = store
    ws.rebuild_services("containment", "traces", "extensions")
    return ws, demo.incident_id, guard


STEP_SECONDS = 20.0
LIVE_GROUPS = {"trace-sources"}  # runs as long as the pane (live trace sources)


async def idle(pilot: Pilot[Any], app: IrcmdApp) -> None:
    """The step's whole effect: the app idle, the workers it started finished."""
    await settle(pilot, STEP_SECONDS, ignore_groups=LIVE_GROUPS)


def feedback(app: IrcmdApp) -> str:
    return str(app.screen.query_one("#cmd-feedback", Static).render())


async def command(pilot: Pilot[Any], app: IrcmdApp, line: str) -> None:
    await pilot.press("colon")
    await pilot.press(*line)
    await pilot.press("enter")
    await idle(pilot, app)


async def test_screens_never_call_the_store_on_the_ui_loop(tmp_path: Path) -> None:
    # Bounded: a step that never settles fails the test instead of hanging the suite.
    await asyncio.wait_for(drive_screens(tmp_path), timeout=90)


async def drive_screens(tmp_path: Path) -> None:
    ws, iid, guard = guarded_workspace(tmp_path)
    app = IrcmdApp(ws)
    guard.ui_thread = threading.get_ident()  # run_test runs the app's loop on this thread
    async with app.run_test(size=(180, 50)) as pilot:
        await idle(pilot, app)
        await pilot.press("o", "s", "r")  # home: open-only, sort, refresh
        await idle(pilot, app)
        app.open_incident(iid)
        await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen), STEP_SECONDS)
        for key in ("1", "2", "3", "4", "tab"):
            await pilot.press(key)
            await idle(pilot, app)
        await command(pilot, app, "controls-at now")
        await pilot.press("escape")
        await idle(pilot, app)
        await pilot.press("colon", *"eval add ", "tab", "tab")  # digest completion
        await idle(pilot, app)
        await pilot.press("escape")
        await idle(pilot, app)
        await command(
            pilot, app, "contain support-refunds/human-review --reason guard test"
        )  # a real toggle
        await wait_until(pilot, lambda: "confirmed" in feedback(app), STEP_SECONDS)
        await pilot.press("3", "c")  # containment pane: contain workflow (plan dialog)
        await idle(pilot, app)
        await pilot.press("escape")
        await idle(pilot, app)
        app.push_screen(ContainmentScreen(ws, iid))
        await wait_until(pilot, lambda: isinstance(app.screen, ContainmentScreen), STEP_SECONDS)
        await pilot.press("R", "j", "t")  # re-read, select, toggle (reason dialog)
        await idle(pilot, app)
        await pilot.press("escape")
        await idle(pilot, app)
        app.pop_screen()
        await idle(pilot, app)
        app.push_screen(ReviewScreen(ws, iid))
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen), STEP_SECONDS)
        await idle(pilot, app)
        app.pop_screen()
        await idle(pilot, app)
    assert guard.on_ui_loop == [], "store called on the UI loop:\n" + "\n".join(
        sorted(set(guard.on_ui_loop))
    )
