"""Pilot tests of the war room's keyboard model and ``:`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.dialogs.confirm import ConfirmScreen
from ircmd.tui.screens.warroom.help import HelpScreen
from ircmd.tui.screens.warroom.screen import IncidentScreen, WarRoomScreen
from ircmd.tui.widgets.command_line import CommandLine
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.support.waiting import settle, wait_until

from .warroom_support import make_workspace

SIZE = (120, 36)


def app_for(
    tmp_path: Path, *, read_only: bool = False, keymap: dict[str, str] | None = None
) -> IrcmdApp:
    ws = make_workspace(tmp_path, read_only=read_only, keymap=keymap)
    return IrcmdApp(ws, open_incident="INC-0001")


def room(app: IrcmdApp) -> WarRoomScreen:
    assert isinstance(app.screen, WarRoomScreen)
    return app.screen


def feedback(app: IrcmdApp) -> str:
    return str(room(app).query_one("#cmd-feedback").render())


def pane_of_focus(app: IrcmdApp) -> str:
    pane = room(app).pane_of(app.focused)
    return pane.id or "" if pane is not None else ""


async def type_command(pilot: Pilot[Any], line: str) -> None:
    await pilot.press("colon")
    await pilot.press(*list(line))
    await pilot.press("enter")
    await settle(pilot)


def test_incident_screen_name_is_kept() -> None:
    assert IncidentScreen is WarRoomScreen


async def test_number_keys_tab_and_maximise(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert pane_of_focus(app) == "pane-timeline"
        await pilot.press("4")
        assert pane_of_focus(app) == "pane-severity"
        await pilot.press("2")
        assert pane_of_focus(app) == "pane-traces"
        await pilot.press("tab")
        assert pane_of_focus(app) == "pane-containment"
        await pilot.press("shift+tab")
        assert pane_of_focus(app) == "pane-traces"
        await pilot.press("1", "z")
        screen = room(app)
        assert isinstance(screen.maximized, Widget)
        assert screen.maximized.id == "pane-timeline"
        await pilot.press("3")  # another pane while maximised: it takes the space
        assert screen.maximized.id == "pane-containment"
        await pilot.press("escape")
        assert screen.maximized is None
        assert isinstance(app.screen, WarRoomScreen)  # esc restored, did not leave


async def test_note_from_the_command_line_and_the_n_key(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_command(pilot, "note customer's refund was wrong")
        await pilot.press("n")
        line = app.screen.query_one(CommandLine)
        assert line.value == "note "
        await pilot.press(*list("second one"), "enter")
        view = app.screen.query_one(TimelineView)
        assert await wait_until(pilot, lambda: len(view.events) == 3)
        texts = [e.text for e in view.events]
        assert texts[-2:] == ["customer's refund was wrong", "second one"]
        assert app.workspace.store.verify() == []
        assert "note added" in feedback(app)
        assert line.display is False or not app.screen.query_one("#cmdline-row").display


async def test_wrong_verb_and_argument_give_one_line_with_usage(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_command(pilot, "frobnicate now")
        text = feedback(app)
        assert "unknown command 'frobnicate'" in text and "usage: help" in text
        assert app.screen.query_one("#cmdline-row").display  # left open to fix the line
        await pilot.press("escape")
        await type_command(pilot, "status sideways")
        assert "unknown status 'sideways'" in feedback(app)
        await pilot.press("escape")
        await type_command(pilot, "severity high")
        assert "usage: severity LEVEL" in feedback(app)
        await pilot.press("escape")
        await type_command(pilot, "tag LLM11")
        assert "LLM01…LLM10" in feedback(app)
        await pilot.press("escape")
        await type_command(pilot, "status triaged")
        inc = app.workspace.incidents.get("INC-0001")
        assert await wait_until(
            pilot, lambda: app.workspace.incidents.get("INC-0001").status.value == "triaged"
        ), inc


async def test_completion_and_history(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon", *list("stat"), "tab")
        line = app.screen.query_one(CommandLine)
        assert line.value == "status "
        await pilot.press(*list("tri"), "tab")
        assert line.value == "status triaged "
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("colon", "up")
        assert line.value.strip() == "status triaged"
        await pilot.press("escape")
        assert not app.screen.query_one("#cmdline-row").display


async def test_filter_focused_pane_and_escape_clears(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    svc = app.workspace.incidents
    svc.note("INC-0001", "refund queue checked")
    svc.decide("INC-0001", "pause refunds")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one(TimelineView)
        assert len(view.events) == 3
        await pilot.press("slash", *list("kind:decision"))
        await settle(pilot)
        assert [e.kind for e in view.events] == [EventKind.DECISION]
        await pilot.press("enter")
        assert pane_of_focus(app) == "pane-timeline"
        await pilot.press("escape")  # first esc clears the filter
        assert len(view.events) == 3
        assert isinstance(app.screen, WarRoomScreen)
        await pilot.press("slash", *list("kind:nonsense"))
        await settle(pilot)
        assert "unknown event kind" in feedback(app)
        await pilot.press("escape")  # esc in the filter line restores the previous filter
        assert len(view.events) == 3
        await pilot.press("escape", "escape")  # esc with nothing to undo never leaves
        await settle(pilot)
        assert isinstance(app.screen, WarRoomScreen)
        assert "- leaves the war room" in feedback(app)


async def test_help_lists_keys_and_commands(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = room(app).help_rows()
        descriptions = {r[2] for r in rows}
        assert {"Note", "Filter", "Max", "Rel/abs time"} <= descriptions
        assert any(r[1].startswith(":severity LEVEL") for r in rows)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, WarRoomScreen)


async def test_read_only_seat_sees_everything_and_runs_nothing(tmp_path: Path) -> None:
    app = app_for(tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.workspace.store.event_count("INC-0001")
        screen = room(app)
        shown = {b.binding.description for b in screen.active_bindings.values()}
        assert "Note" not in shown and "Status" not in shown
        assert "Filter" in shown
        await pilot.press("n")  # hidden action: nothing opens
        assert not screen.query_one("#cmdline-row").display
        await type_command(pilot, "note sneaky")
        assert "read-only seat: note" in feedback(app)
        await pilot.press("escape")
        await pilot.press("4", "plus", "space")
        await settle(pilot)
        assert isinstance(app.screen, WarRoomScreen)
        assert not any(r[1].startswith(":note") for r in screen.help_rows())
        assert app.workspace.store.event_count("INC-0001") == before
        assert "READ-ONLY" in str(screen.query_one("#status-bar").render())


async def test_keymap_from_config_remaps_a_binding(tmp_path: Path) -> None:
    app = app_for(tmp_path, keymap={"warroom.note": "N"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("N")
        assert app.screen.query_one(CommandLine).value == "note "


async def test_resolving_with_active_controls_asks_first(tmp_path: Path) -> None:
    def active(_ws: object, incident_id: str) -> list[str]:
        return [f"pause-refunds on {incident_id}: requested, not confirmed"]

    app = app_for(tmp_path)
    app.workspace.extensions.active_controls.append(active)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_command(pilot, "status resolved")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert "not resolved" in feedback(app)
        assert app.workspace.incidents.get("INC-0001").status.value == "detected"
        await type_command(pilot, "status resolved --reason refunds fixed")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        svc = app.workspace.incidents
        assert await wait_until(pilot, lambda: svc.get("INC-0001").status.value == "resolved")
        last = svc.timeline("INC-0001")[-1]
        assert "refunds fixed" in last.text and "pause-refunds" in last.text


async def test_severity_pane_scores_and_ticks_from_the_keyboard(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4", "plus")  # blast radius 0 -> 1: asks why
        await settle(pilot)
        await pilot.press(*list("one ticket"), "enter")
        svc = app.workspace.incidents
        assert await wait_until(
            pilot, lambda: svc.timeline("INC-0001")[-1].kind == EventKind.SEVERITY_CHANGE
        )
        ev = svc.timeline("INC-0001")[-1]
        assert ev.data["factor"] == "blast_radius" and ev.data["to"] == 1
        assert ev.author == "tester" and "one ticket" in ev.text
        assert svc.get("INC-0001").severity.value == "high"  # incomplete matrix: level kept
        for _ in range(10):  # 8 factors, a separator and the heading are skipped
            await pilot.press("down")
        await pilot.press("space")
        assert await wait_until(
            pilot, lambda: svc.timeline("INC-0001")[-1].kind == EventKind.CHECKLIST
        )
        assert svc.timeline("INC-0001")[-1].data["item"].startswith("high.")
        await type_command(pilot, "severity critical --reason regulator called")
        assert await wait_until(pilot, lambda: svc.get("INC-0001").severity.value == "critical")


@pytest.mark.parametrize(
    "payload",
    [
        "[@click=app.quit]x[/]",
        "[link=file:///etc/passwd]y",
        "unbalanced [/]",
        "\x1b]52;c;SGVsbG8=\x07 \x9b31m",
    ],
)
async def test_hostile_text_renders_as_data(tmp_path: Path, payload: str) -> None:
    ws = make_workspace(tmp_path)
    ws.incidents.note("INC-0001", payload)
    ws.incidents.assign_role("INC-0001", "incident_lead", payload)
    app = IrcmdApp(ws, open_incident="INC-0001")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_command(pilot, f"note {payload}")
        await settle(pilot)
        assert isinstance(app.screen, WarRoomScreen)
        header = str(room(app).query_one("#warroom-header").render())
        assert "\x1b" not in header and "\x9b" not in header
        assert app.return_code is None


async def test_palette_lists_commands_and_prefills_the_line(tmp_path: Path) -> None:
    from textual.command import CommandPalette

    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [t for t, _, _ in room(app).palette_commands()]
        assert any(t.startswith(":severity LEVEL") for t in titles)
        assert "Focus pane 4: severity" in titles
        await pilot.press("ctrl+p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*list("decide"))
        await settle(pilot)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        assert await wait_until(pilot, lambda: app.screen.query_one(CommandLine).value == "decide ")


async def test_keys_typed_fast_after_colon_or_n_are_not_lost(tmp_path: Path) -> None:
    from textual import events

    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for opener in ("colon", "n"):
            # one burst, as a fast typist or a paste delivers it
            for key in (opener, "s", "e", "v"):
                app.post_message(events.Key(key, ":" if key == "colon" else key))
            await settle(pilot)
            line = app.screen.query_one(CommandLine)
            assert line.value == ("sev" if opener == "colon" else "note sev")
            await pilot.press("escape")


async def test_header_shows_the_next_deadline_from_a_provider(tmp_path: Path) -> None:
    from datetime import timedelta

    from ircmd.service.hooks import Deadline

    def clock(_ws: object, inc: Incident, now: object) -> list[Deadline]:
        aware = inc.aware_at or inc.created_at
        return [Deadline("EU AI Act report", aware + timedelta(hours=72))]

    app = app_for(tmp_path)
    app.workspace.extensions.deadlines.append(clock)
    async with app.run_test(size=(160, 36)) as pilot:
        header = room(app).query_one("#warroom-header")
        assert await wait_until(pilot, lambda: "EU AI Act report in" in str(header.render()))
        assert "2d23h" in str(header.render()) or "3d" in str(header.render())
