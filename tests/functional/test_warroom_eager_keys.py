"""Keys typed in one burst after the key that opens the ``:`` line land in the line, and a
pane's own key on the same letter still wins over the war room's.

The burst is posted to the app's queue at once while the focused pane is slow to handle a
key. Under Pilot the race does not reproduce reliably (the pane's queue runs between the
app's keys); the real-terminal story (``tests/terminal/test_commander_story.py``, idle and
under load) is the test that failed before the war room's opening keys became priority
bindings (``screens/warroom/eager_keys.py``). These guard the behaviour around it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import events

from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from ircmd.tui.widgets.command_line import CommandLine
from tests.support.waiting import wait_until

from .warroom_support import make_workspace

SIZE = (120, 36)
_NAMES = {" ": "space", "-": "minus", ":": "colon", "/": "slash"}


def burst(app: IrcmdApp, keys: str) -> None:
    focused: Any = app.focused
    handle = focused.handle_key

    async def slow(event: events.Key) -> bool:
        await asyncio.sleep(0.05)  # the behaviour under test: a pane busy for 50 ms a key
        return bool(await handle(event))

    focused.handle_key = slow
    for ch in keys:
        app.post_message(events.Key(_NAMES.get(ch, ch), ch))


def line(app: IrcmdApp) -> CommandLine:
    return app.screen.query_one(CommandLine)


async def open_room(tmp_path: Path, pilot: Any, app: IrcmdApp) -> WarRoomScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen), 10, what="war room")
    screen = app.screen
    assert isinstance(screen, WarRoomScreen)
    await wait_until(pilot, lambda: screen.focused_pane is not None, 10, what="a pane focused")
    return screen


async def test_a_burst_after_m_is_typed_into_the_line_dashes_included(tmp_path: Path) -> None:
    app = IrcmdApp(make_workspace(tmp_path), open_incident="INC-0001")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_room(tmp_path, pilot, app)
        burst(app, "mSupport told --audience leads 2")
        want = "comms Support told --audience leads 2"
        await wait_until(pilot, lambda: line(app).value == want, 10, what=f"line {want!r}")
        assert app.screen is screen  # no "leave the war room?" from the dashes
        assert screen.query_one("#cmdline-row").display


async def test_a_burst_after_colon_keeps_its_digits_and_slash(tmp_path: Path) -> None:
    app = IrcmdApp(make_workspace(tmp_path), open_incident="INC-0001")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_room(tmp_path, pilot, app)
        burst(app, ":note 3/4 done -1")
        await wait_until(
            pilot, lambda: line(app).value == "note 3/4 done -1", 10, what="the typed line"
        )
        assert screen.pane_of(app.focused) is None  # "3" did not move to the board


async def test_a_pane_key_on_the_same_letter_wins_over_the_war_room(tmp_path: Path) -> None:
    """``t`` on the containment board toggles a control; elsewhere it opens ``:tag``."""
    app = IrcmdApp(make_workspace(tmp_path), open_incident="INC-0001")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_room(tmp_path, pilot, app)
        await pilot.press("3")
        await wait_until(
            pilot,
            lambda: (p := screen.focused_pane) is not None and p.id == "pane-containment",
            10,
            what="board focused",
        )
        await pilot.press("t")
        await pilot.pause()
        assert line(app).value != "tag "
        assert not screen.query_one("#cmdline-row").display
        await pilot.press("1")
        await pilot.press("t")
        await wait_until(pilot, lambda: line(app).value == "tag ", 10, what=":tag line")
