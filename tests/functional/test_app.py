"""Pilot tests of the first screens: list, open, note, help, read-only, hostile text."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ircmd.service import IncidentService, Workspace
from ircmd.store.tinydb.store import TinyDBIncidentStore
from ircmd.tui.screens.dialogs.confirm import ConfirmScreen
from ircmd.tui.screens.dialogs.detail import EventDetailScreen
from ircmd.tui.screens.warroom.help import HelpScreen
from ircmd.tui.screens.warroom.screen import IncidentScreen
from ircmd.tui.widgets.incidents.incident_table import IncidentTable
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.conftest import StepClock
from tests.support.apps import make_app, make_workspace
from tests.support.waiting import shown, wait_until

HOSTILE = "[@click=app.quit]x[/] [link=file:///etc/passwd]y \x1b]52;c;SGVsbG8=\x07 [/]"


def workspace(data: Path, clock: StepClock, read_only: bool = False) -> Workspace:
    return make_workspace(data, clock=clock, read_only=read_only)


async def test_list_open_and_write_a_note(isolated_dirs: Path, step_clock: StepClock) -> None:
    ws = workspace(isolated_dirs, step_clock)
    ws.incidents.declare("Low one", severity="low")
    ws.incidents.declare("Refund bot", severity="critical")
    app = make_app(ws)
    async with app.run_test(size=(120, 30)) as pilot:
        table = await wait_until(pilot, lambda: shown(app, IncidentTable))
        await wait_until(pilot, lambda: table.selected_id is not None, what="a selected row")
        assert table.selected_id == "INC-0002"  # the critical one is listed first
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentScreen))
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        await pilot.press("n")
        await pilot.press(*"customer 88412 quoted", "enter")
        await wait_until(pilot, lambda: timeline.events[-1].text == "customer 88412 quoted")
        await pilot.press("escape")  # esc never leaves the war room
        assert isinstance(app.screen, IncidentScreen)
        await pilot.press("minus")  # "-" does, after asking (this seat can act)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not isinstance(app.screen, IncidentScreen))
    assert ws.incidents.timeline("INC-0002")[-1].author == "tester"


async def test_a_note_from_another_console_appears_without_a_key(
    isolated_dirs: Path, step_clock: StepClock
) -> None:
    ws = workspace(isolated_dirs, step_clock)
    inc, _ = ws.incidents.declare("shared")
    other = IncidentService(store=TinyDBIncidentStore(isolated_dirs), actor="other-console")
    app = make_app(ws, open_incident=inc.id)
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        other.note(inc.id, "written elsewhere")
        await wait_until(pilot, lambda: timeline.events[-1].text == "written elsewhere")


async def test_help_lists_the_keys(isolated_dirs: Path, step_clock: StepClock) -> None:
    app = make_app(workspace(isolated_dirs, step_clock))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        rows = {(r[1], r[2]) for r in app.screen._rows}
        assert ("n", "Declare") in rows and ("q", "Quit") in rows
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen), what="help closed")


async def test_read_only_seat_cannot_declare_or_write(
    isolated_dirs: Path, step_clock: StepClock
) -> None:
    ws = workspace(isolated_dirs, step_clock, read_only=True)
    ws.incidents.declare("observed")
    app = make_app(ws)
    async with app.run_test(size=(120, 30)) as pilot:
        table = await wait_until(pilot, lambda: shown(app, IncidentTable))
        await wait_until(pilot, lambda: table.selected_id is not None, what="a selected row")
        await pilot.press("n")
        await pilot.pause()  # the key's handlers have run
        assert len(app.screen_stack) == 2  # no declare prompt opened
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentScreen))
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        await pilot.press("n", "x")
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)  # n refused (and said why), no line
        await pilot.press("enter")  # reading is allowed: the entry opens in full
        await wait_until(pilot, lambda: isinstance(app.screen, EventDetailScreen))
    assert [e.kind.value for e in ws.incidents.timeline("INC-0001")] == ["declared"]


async def test_hostile_text_is_shown_literally_and_never_runs(
    isolated_dirs: Path, step_clock: StepClock
) -> None:
    ws = workspace(isolated_dirs, step_clock)
    inc, _ = ws.incidents.declare(HOSTILE)
    ws.incidents.note(inc.id, HOSTILE, author="[b]mallory[/b]")
    app = make_app(ws)
    # wide enough that the whole title is in the header after lead, holder-since and updates
    async with app.run_test(size=(220, 30)) as pilot:
        table = await wait_until(pilot, lambda: shown(app, IncidentTable))
        await wait_until(pilot, lambda: table.selected_id is not None, what="a selected row")
        await pilot.click(IncidentTable, offset=(60, 1))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentScreen))
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 2, what="declared + note")
        await pilot.click(TimelineView, offset=(60, 1))
        await pilot.click(TimelineView, offset=(60, 2))
        await pilot.pause()  # the clicks' actions (if any) have run
        assert app.is_running  # the [@click=app.quit] payload did not run
        screen_text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "[@click=app.quit]x[/]" in screen_text
        assert "\x1b" not in screen_text and "␛]52;c;SGVsbG8=\\x07" in screen_text


async def test_the_app_closes_its_workspace_on_exit(
    isolated_dirs: Path, step_clock: StepClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = workspace(isolated_dirs, step_clock)
    ws.incidents.declare("closing")
    closed: list[str] = []
    real_close = ws.store.close

    def close() -> None:
        closed.append("store")
        real_close()

    monkeypatch.setattr(ws.store, "close", close)
    app = make_app(ws)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: shown(app, IncidentTable))
        await asyncio.to_thread(ws.backend_loop.run, asyncio.sleep(0))
        assert ws.backend_loop.running
        assert closed == []
    assert closed == ["store"]
    assert not ws.backend_loop.running  # the loop thread was stopped, not leaked
