"""Issue 13 checked by hand in tmux: the gaps found there, each pinned by a Pilot test."""

from __future__ import annotations

from pathlib import Path

from ircmd.demo.seed import seed_demo
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.warroom.help import HelpScreen
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.support.waiting import wait_until

from .test_leaving_and_feedback import _screen_text
from .test_warroom_keys import settle


def demo_app(tmp_path: Path, read_only: bool = False) -> IrcmdApp:
    demo = seed_demo(tmp_path / "demo", read_only=read_only)
    return IrcmdApp(demo.workspace, open_incident=demo.incident_id)


async def open_room(pilot: object, app: IrcmdApp) -> WarRoomScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))  # type: ignore[arg-type]
    await settle(pilot)
    assert isinstance(app.screen, WarRoomScreen)
    return app.screen


async def test_help_shows_what_each_key_does_beside_long_command_usages(tmp_path: Path) -> None:
    """The demo's ``:regulatory`` usage (100 cells) took the whole key column: every
    description in ``?`` was squeezed out, only the keys were left."""
    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await open_room(pilot, app)
            await pilot.press("2")
            await settle(pilot)
            await pilot.press("question_mark")
            assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await settle(pilot)
            text = _screen_text(app)
            # keys the footer does not show: only the help can have put these on screen
            assert "Where time went" in text and "Reverse sort" in text, text
            # generic scrolling is navigation, after the pane's own actions
            investigate = text.index("traces · investigate")
            assert text.index("Open trace") > investigate
            assert text.index("Page Left") > text.index("traces · navigate") > investigate
            app.screen.query_one("#help-body").scroll_end(animate=False)
            await settle(pilot)
            text = _screen_text(app)
            assert ":regulatory HARM" in text and "flag a potential serious" in text, text[-3000:]
    finally:
        app.workspace.close()


async def test_a_cut_timeline_row_ends_with_an_ellipsis_beside_the_scrollbar(
    tmp_path: Path,
) -> None:
    """With more events than rows the scrollbar took the rows' last two cells, the ``…``
    among them: a cut row read as if it ended there ("Status detected → triaged: c")."""
    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            room = await open_room(pilot, app)
            view = room.query_one(TimelineView)
            await wait_until(pilot, lambda: len(view.events) > view.size.height)
            await settle(pilot)
            width = view.scrollable_content_region.width
            assert width < view.size.width  # the scrollbar is there
            texts = [view.render_line(y).text for y in range(view.size.height)]
            assert all(len(t) <= width for t in texts), texts
            cut = [t for t in texts if "Status detected → triaged" in t]
            assert cut and cut[0].rstrip().endswith("…"), texts
            assert "Status detected → triaged" in _screen_text(app)
    finally:
        app.workspace.close()
