"""The board inside the war room: its ``:`` verbs, ``/`` filter, and the resolve warning
while a control is still on (the active-controls hook)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from ircmd.domain.containment.controls import ControlState
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import hooks
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.dialogs.confirm import ConfirmScreen
from ircmd.tui.screens.warroom.panes.containment import ContainmentPane
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from tests.functional.containment_support import workspace
from tests.support.configs import KB_WORKFLOW, PAUSE, REVIEW, support_refunds_toml
from tests.support.waiting import settle

CONFIG = support_refunds_toml(PAUSE, REVIEW) + KB_WORKFLOW


async def command(pilot: Pilot[int], app: IrcmdApp, line: str) -> None:
    await pilot.press("colon", *list(line), "enter")
    await settle(pilot)


def board(app: IrcmdApp) -> ContainmentPane:
    return app.screen.query_one(ContainmentPane)


async def test_verbs_filter_and_resolve_warning_in_the_war_room(tmp_path: Path) -> None:
    ws = workspace(tmp_path, CONFIG)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id="support-refunds", severity="high")
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(160, 44)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WarRoomScreen)
        await command(pilot, app, "contain review --reason refunds need a human")
        row = next(r for r in board(app).board.rows_shown if r.id == "support-refunds/review")
        assert (row.desired, row.confirmed) == (ControlState.ON, ControlState.ON)
        events = ws.incidents.timeline(inc.id)
        assert events[-1].kind == EventKind.CONTAINMENT_CONFIRMED
        assert events[-1].data["reason"] == "refunds need a human"

        # / filters the board when it has focus.
        await pilot.press("3", "slash", *list("kb"), "enter")
        await settle(pilot)
        assert [r.id for r in board(app).board.rows_shown] == ["kb/notes"]
        await command(pilot, app, "filter")  # no text clears

        assert len(board(app).board.rows_shown) == 3

        # Resolving while a control is on asks first, naming the control.
        assert hooks.active_controls(ws, inc.id) == [
            "support-refunds/review: confirmed on, desired on"
        ]
        await command(pilot, app, "status resolved --reason fixed")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert ws.incidents.get(inc.id).resolved_at is None

        await command(pilot, app, "release review --reason fix deployed")
        assert hooks.active_controls(ws, inc.id) == []
        health = {h.name: h for h in hooks.backend_health(ws)}
        assert health["local"].state == "ok" and "not enforced" in health["local"].detail
