"""Pilot: the next update in the header, ``u`` → ``:update AUDIENCE``, edit, copy, send."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Static, TextArea

from ircmd.domain.config import Config
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service.workspace import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.commander.update import UpdateScreen
from tests.support.waiting import wait_until


async def test_send_an_update_and_see_the_due_timer(tmp_path: Path) -> None:
    ws = Workspace.open(Config(), tmp_path / "data", actor="alice")
    inc, _ = ws.incidents.declare("Refund bot misleads", severity="high")
    ws.incidents.decide(inc.id, "Pause the refund bot")
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(200, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        room = app.screen
        header = room.query_one("#warroom-header", Static)
        await wait_until(pilot, lambda: "✉ update executives in" in str(header.render()))

        await pilot.press("u", *"executives", "enter")
        screen = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, UpdateScreen) else None
        )
        area = screen.query_one(TextArea)
        await wait_until(pilot, lambda: "Decision: Pause the refund bot" in area.text)
        await pilot.press("ctrl+t")
        assert app.clipboard == area.text
        await pilot.press("ctrl+y")
        assert app.clipboard.startswith("## Update for executives\n\n- ")
        area.load_text(area.text + "\nWe will brief the board at noon.")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, UpdateScreen))
        feedback = room.query_one("#cmd-feedback", Static)
        await wait_until(pilot, lambda: "update to executives sent" in str(feedback.render()))

        last = ws.incidents.timeline(inc.id)[-1]
        assert last.kind == EventKind.COMMUNICATION and last.data["audience"] == "executives"
        assert last.text.endswith("We will brief the board at noon.") and last.data["edited"]
        hashes = {e.hash for e in ws.incidents.timeline(inc.id)}
        assert last.data["sources"] and set(last.data["sources"]) <= hashes
        # executives restarted: support is now the nearest
        await wait_until(pilot, lambda: "✉ update support in" in str(header.render()))
    ws.close()


async def test_overdue_update_is_said_once(tmp_path: Path) -> None:
    ws = Workspace.open(Config(), tmp_path / "data", actor="alice")
    inc, _ = ws.incidents.declare("Old one", severity="critical")
    real = ws.incidents.clock
    ws.incidents.clock = lambda: real() + timedelta(hours=2)
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(200, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        room = app.screen
        header = room.query_one("#warroom-header", Static)
        await wait_until(pilot, lambda: "OVERDUE" in str(header.render()))
        feedback = room.query_one("#cmd-feedback", Static)
        await wait_until(pilot, lambda: "is overdue" in str(feedback.render()))
        assert "update executives is overdue" in str(feedback.render())
    ws.close()
