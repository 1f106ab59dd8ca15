"""esc backs out one step and never leaves; ``-`` and ``q`` ask when the seat can act; refused
keys say why; help is a cheat sheet; the palette finds actions by their description."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ircmd.domain.config import Config
from ircmd.service import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.dialogs.confirm import ConfirmScreen
from ircmd.tui.screens.dialogs.detail import EventDetailScreen, event_detail
from ircmd.tui.screens.incidents import IncidentsScreen
from ircmd.tui.screens.traces.explorer import TraceScreen
from ircmd.tui.screens.warroom.help import HelpScreen
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from ircmd.tui.trace_app import TraceViewApp
from ircmd.tui.widgets.incidents.severity_matrix import SeverityMatrix
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.support.waiting import settle, wait_until

from .test_warroom_keys import SIZE, app_for, feedback, room, type_command


async def test_esc_never_leaves_the_war_room(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z", "slash", "x", "escape", "escape", "escape", "escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, WarRoomScreen)
        assert app.is_running


async def test_minus_asks_in_a_seat_that_can_act_then_leaves(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("minus")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # no: still in the war room
        assert await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        await pilot.press("minus")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await wait_until(pilot, lambda: isinstance(app.screen, IncidentsScreen))


async def test_read_only_seat_leaves_without_a_question(tmp_path: Path) -> None:
    app = app_for(tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("minus")
        assert await wait_until(pilot, lambda: isinstance(app.screen, IncidentsScreen))


async def test_q_asks_and_q_bang_does_not(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # esc declines
        assert await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        assert app.is_running
        await type_command(pilot, "q")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        assert await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        await type_command(pilot, "q!")
        assert await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_read_only_keys_say_why(tmp_path: Path) -> None:
    app = app_for(tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, what in (("n", "Note"), ("t", "Tag"), ("s", "Status")):
            await pilot.press(key)
            await settle(pilot)
            assert f"{what}: not in a read-only seat" in feedback(app)
            assert not room(app).query_one("#cmdline-row").display


def _empty(tmp_path: Path, read_only: bool) -> Workspace:
    ws = Workspace.open(Config(), tmp_path / "empty", actor="tester", read_only=False)
    ws.read_only = read_only
    return ws


async def test_home_read_only_declare_and_no_signal_keys_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _empty(tmp_path, read_only=True)
    app = IrcmdApp(ws)
    said: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            real = app.notify

            def notify(message: str, *args: Any, **kwargs: Any) -> None:
                said.append(message)
                real(message, *args, **kwargs)

            monkeypatch.setattr(app, "notify", notify)
            for screen in app.screen_stack:
                monkeypatch.setattr(screen, "notify", notify)
            await settle(pilot)
            await pilot.press("n", "D")
            await settle(pilot)
            assert isinstance(app.screen, IncidentsScreen)
    finally:
        ws.close()
    assert "Declare: not in a read-only seat" in said
    assert "Declare from signal: not in a read-only seat" in said


async def test_trace_view_esc_does_not_quit(tmp_path: Path) -> None:
    ws = _empty(tmp_path, read_only=False)
    app = TraceViewApp(ws, [], title="nothing")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("escape", "escape", "escape")
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, TraceScreen)
    finally:
        ws.close()


async def test_help_is_a_cheat_sheet_without_class_names(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = room(app).help_rows()
        sections = [r[0] for r in rows]
        assert sections[0].startswith("timeline · ")  # the focused pane's keys come first
        assert "global · respond" in sections and "global · navigate" in sections
        first_global = next(i for i, s in enumerate(sections) if s.startswith("global"))
        assert all(s.startswith("timeline") for s in sections[:first_global])
        assert not any("View" in s or "App" in s or "Screen" in s for s in sections)
        respond = {r[2] for r in rows if r[0] == "global · respond"}
        assert {"Note", "Decide"} <= respond
        await pilot.press("question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_help_shows_remapped_keys(tmp_path: Path) -> None:
    app = app_for(tmp_path, keymap={"warroom.note": "N"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = room(app).help_rows()
        assert ("global · respond", "N", "Note") in rows


async def test_palette_finds_an_action_by_its_description(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        titles = [t for t, _h, _c in room(app).palette_commands()]
        assert "Pin evidence" in titles, titles
        assert "Rel/abs time" not in titles  # the timeline's keys only while it has focus


async def test_enter_on_a_timeline_row_reads_it_in_full(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    long_text = "customer quoted a refund of 4000 EUR; " * 12 + "END-OF-NOTE"
    app.workspace.incidents.note("INC-0001", long_text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = room(app).query_one(TimelineView)
        await wait_until(pilot, lambda: len(view.events) == 2, what="the note")
        await pilot.press("1", "G")
        await pilot.press("right")
        await wait_until(pilot, lambda: view.scroll_offset.x > 0, what="the row scrolled right")
        await pilot.press("left")
        await wait_until(pilot, lambda: view.scroll_offset.x == 0, what="back to the left")
        await pilot.press("enter")
        detail = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, EventDetailScreen) else None
        )
        assert detail.event.text == long_text
        text = _screen_text(app)
        assert "END-OF-NOTE" in text  # wrapped, not cut
        assert "tester" in text and "UTC" in text and "kind:note" in text
        full = _rendered(event_detail(detail.event))  # further down: scrolls at 80×24
        assert detail.event.hash in full and "INC-0001" in full
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))


def _screen_text(app: IrcmdApp) -> str:
    """What the terminal shows, as plain text (the screenshot SVG's text, unescaped)."""
    import html
    import re

    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def _rendered(renderable: object) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


async def test_filter_kinds_by_row_label_and_the_error_lists_every_kind(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    svc = app.workspace.incidents
    svc.note("INC-0001", "first")
    svc.comms("INC-0001", "customers told")
    async with app.run_test(size=(160, 40)) as pilot:
        view = room(app).query_one(TimelineView)
        await wait_until(pilot, lambda: len(view.events) == 3, what="three events")
        await pilot.press("slash", *"kind:comms")
        assert await wait_until(
            pilot, lambda: [e.kind.value for e in view.events] == ["communication"]
        )
        await pilot.press("enter", "slash")
        await pilot.press(*",nonsense")  # "kind:comms,n" names note on the way: not kept
        await wait_until(pilot, lambda: "unknown event kind" in feedback(app))
        assert [e.kind.value for e in view.events] == ["communication"]  # the filter before
        text = _screen_text(app)
        assert "export" in text and "comms" in text  # the list's last kind: shown, not cut
        await pilot.press("escape")
        assert [e.kind.value for e in view.events] == ["communication"]


async def test_severity_pane_space_and_g_on_a_factor_say_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(tmp_path)
    said: list[str] = []
    real = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        real(message, *args, **kwargs)

    monkeypatch.setattr(app, "notify", notify)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        matrix = room(app).query_one(SeverityMatrix)
        await wait_until(pilot, lambda: matrix.option_count > 0 and app.focused is matrix)
        await pilot.press("space")
        assert await wait_until(pilot, lambda: any("ticks a checklist item" in m for m in said))
        await pilot.press("G")
        await wait_until(pilot, lambda: matrix.highlighted == matrix.option_count - 1)
        await pilot.press("plus")
        assert await wait_until(pilot, lambda: any("score a factor" in m for m in said))
        await pilot.press("g")
        await wait_until(pilot, lambda: matrix.highlighted == 0)


async def test_esc_after_maximise_keeps_the_timeline_where_it_was(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    for n in range(60):
        app.workspace.incidents.note("INC-0001", f"note {n}")
    async with app.run_test(size=SIZE) as pilot:
        view = room(app).query_one(TimelineView)
        await wait_until(pilot, lambda: len(view.events) == 61, what="61 events")
        await pilot.press("1", "G")
        await wait_until(pilot, lambda: view.scroll_offset.y > 0, what="scrolled to the end")
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)

        def cursor_in_view() -> bool:
            top = view.scroll_offset.y
            return view.cursor == 60 and top <= view.cursor < top + view.size.height

        assert await wait_until(pilot, cursor_in_view, what="the last row still in view")
        assert room(app).maximized is None


async def test_status_completion_offers_only_allowed_moves(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: room(app).incident is not None, what="the incident")
        offered = room(app).registry.complete("status ", read_only=False)
        words = {c.split()[-1] for c in offered}
        assert words == {"triaged", "contained", "investigating", "resolved"}, offered
        assert "reviewed" not in words and "detected" not in words


async def test_comms_audience_is_on_its_row(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    app.workspace.incidents.comms("INC-0001", "refunds paused", audience="customers")
    async with app.run_test(size=(160, 40)) as pilot:
        view = room(app).query_one(TimelineView)
        await wait_until(pilot, lambda: len(view.events) == 2, what="the comms")
        text = _screen_text(app)
        assert "→ customers: refunds paused" in text
