"""Issue 13 checked by hand in tmux: the gaps found there, each pinned by a Pilot test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from ircmd.backends.traces.files import FileTraceSource
from ircmd.demo.seed import seed_demo
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.commander.tasks import TasksScreen
from ircmd.tui.screens.warroom.help import HelpScreen
from ircmd.tui.screens.warroom.panes.trace_dialogs import ChoiceDialog, RecordsDialog
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from ircmd.tui.trace_app import TraceViewApp
from ircmd.tui.widgets.containment.control_board import ControlBoard
from ircmd.tui.widgets.incidents.severity_matrix import SeverityMatrix
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.support.waiting import settle, wait_until
from tests.trace_ui_samples import refund_trace, write_otlp

from .test_leaving_and_feedback import _screen_text
from .test_trace_incident_actions import loaded
from .test_warroom_keys import feedback, type_command


def demo_app(tmp_path: Path, read_only: bool = False) -> IrcmdApp:
    demo = seed_demo(tmp_path / "demo", read_only=read_only)
    return IrcmdApp(demo.workspace, open_incident=demo.incident_id)


async def open_room(pilot: Pilot[Any], app: IrcmdApp) -> WarRoomScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
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


async def test_records_csv_goes_to_a_stated_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records CSV was offered as ``INC-0001-….csv`` (relative) and the message named it
    relatively; now the prompt offers an absolute path and a typed relative one is made
    absolute from the current directory, which the message names."""
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    ws = Workspace.open(parse_config("", "<test>"), tmp_path / "data", actor="tester")
    try:
        inc, _ = ws.incidents.declare("Refunds outside policy", severity="high")
        path = write_otlp(tmp_path / "refunds.json", refund_trace())
        app = TraceViewApp(ws, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
        async with app.run_test(size=(150, 45)) as pilot:
            pane = await loaded(pilot)
            pane.open_trace("a" * 32)
            await wait_until(pilot, lambda: pane.view.tree.trace_id == "a" * 32)  # type: ignore[union-attr]
            for typed, expected in (
                (None, (tmp_path / "data").resolve() / "exports"),
                ("out/records.csv", cwd / "out" / "records.csv"),
            ):
                await pilot.press("e", "x")
                await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
                await pilot.press("enter")
                await wait_until(pilot, lambda: isinstance(app.screen, RecordsDialog))
                await pilot.press("c")
                box = await wait_until(pilot, lambda: app.screen.query(Input).first(None))  # type: ignore[call-overload]
                offered = Path(box.value)
                assert offered.is_absolute() and offered.suffix == ".csv", box.value
                if typed is None:
                    assert offered.parent == expected
                    target = offered
                else:
                    box.value = typed
                    target = expected
                await pilot.press("enter")
                await wait_until(pilot, target.exists, what=str(target))
                said = [str(n.message) for n in app._notifications]
                assert any(f"Wrote {target}" in m for m in said), said
                await pilot.press("escape")
                await wait_until(pilot, lambda: not isinstance(app.screen, RecordsDialog))
    finally:
        ws.close()


async def test_export_in_the_throwaway_demo_goes_to_the_current_dir_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's store is removed at quit: ``:export`` without a path wrote into it (gone
    with it); a relative path was named relatively. Both now land at a stated absolute path."""
    (tmp_path / "demo").mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    app = demo_app(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            room = await open_room(pilot, app)
            await type_command(pilot, "export")
            await wait_until(pilot, lambda: any(cwd.glob("INC-0003-*-internal")), what="package")
            (package,) = cwd.glob("INC-0003-*-internal")
            await wait_until(pilot, lambda: str(package) in feedback(app), what=feedback(app))
            await type_command(pilot, "export pkg.tar.gz --tar")
            await wait_until(pilot, lambda: (cwd / "pkg.tar.gz").exists(), what="tarball")
            await wait_until(pilot, lambda: str(cwd / "pkg.tar.gz") in feedback(app))
            assert not (room.workspace.data_dir / "exports").exists()
    finally:
        app.workspace.close()


async def test_board_write_keys_in_a_read_only_seat_name_the_board_action(
    tmp_path: Path,
) -> None:
    """``t``/``space``, ``c`` and ``r`` on the board of a read-only seat fell through to the
    war room and were refused as "Tag", "Classify", "Role" (or, for space, said nothing)."""
    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path, read_only=True)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await open_room(pilot, app)
            await pilot.press("3")
            await settle(pilot)
            for key, what in (
                ("t", "Toggle control"),
                ("c", "Contain workflow"),
                ("space", "Toggle control"),
                ("r", "Retry"),
            ):
                await pilot.press(key)
                await wait_until(
                    pilot,
                    lambda what=what: f"{what}: not in a read-only seat" in feedback(app),  # type: ignore[misc]
                    what=f"{key}: {feedback(app)}",
                )
                room = app.screen
                assert isinstance(room, WarRoomScreen)
                room.say("-")  # so the next key's line is its own
    finally:
        app.workspace.close()


async def test_tasks_screen_shows_its_keys_and_says_when_nothing_is_selected(
    tmp_path: Path,
) -> None:
    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await open_room(pilot, app)
            await pilot.press("a")
            screen = await wait_until(
                pilot, lambda: app.screen if isinstance(app.screen, TasksScreen) else None
            )
            options = screen.query_one(OptionList)
            await wait_until(pilot, lambda: options.option_count > 0, what="the tasks")
            text = _screen_text(app)
            assert "a add · o assign · space tick or reopen · esc closes" in text
            options.highlighted = None
            status = screen.query_one("#tasks-status", Label)
            for key in ("space", "o"):
                await pilot.press(key)
                await wait_until(pilot, lambda: "no task selected" in str(status.render()))
                status.update("")
            assert isinstance(app.screen, TasksScreen)
    finally:
        app.workspace.close()


async def test_header_names_the_audience_of_the_last_update(tmp_path: Path) -> None:
    """The comms ``--audience`` was on the timeline row only; the header now says who the
    last update went to, beside the comms role, and follows a new one."""
    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            room = await open_room(pilot, app)

            def header() -> str:
                return str(room.query_one("#warroom-header").render())

            await wait_until(pilot, lambda: "last → support" in header(), what=header())
            await type_command(pilot, "comms Refunds held while we check --audience executives")
            await wait_until(pilot, lambda: "last → executives 0s ago" in header(), what=header())
            view = room.query_one(TimelineView)
            # the header and the timeline are fed by separate reads: wait for the row too
            await wait_until(
                pilot,
                lambda: "→ executives: Refunds held" in view.render_line(view.size.height - 1).text,
                what="the comms row at the timeline's foot",
            )
    finally:
        app.workspace.close()


async def test_a_confirmed_pause_keeps_its_checklist_item_ticked_at_critical(
    tmp_path: Path,
) -> None:
    """HIGH's "Pause the affected workflow" was unticked although the pause was confirmed,
    and raising the level to CRITICAL dropped it from the checklist altogether."""
    from ircmd.service.containment.service import ContainmentService
    from ircmd.service.incidents.severity import SeverityService

    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path)
    ws = app.workspace
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            room = await open_room(pilot, app)
            matrix = room.query_one(SeverityMatrix)

            def line(text: str) -> str:
                for i in range(matrix.option_count):
                    prompt = str(matrix.get_option_at_index(i).prompt)
                    if text in prompt:
                        return prompt
                return ""

            await wait_until(pilot, lambda: line("Pause the affected workflow").startswith("[ ]"))
            ContainmentService.for_workspace(ws).set_control(
                "INC-0003", "support-refunds/pause", "on", "stop refunds", author="sam.eng"
            )
            await wait_until(
                pilot,
                lambda: line("Pause the affected workflow").startswith("[x]"),
                what=line("Pause"),
            )
            assert "pause confirmed" in line("Pause the affected workflow")
            SeverityService(ws.incidents).override("INC-0003", "critical", "regulator asked")
            await wait_until(pilot, lambda: line("immediate response · CRITICAL") != "")
            await wait_until(pilot, lambda: line("Pause the affected workflow").startswith("[x]"))
            assert line("Disable or isolate the system").startswith("[ ]")
            assert line("Escalate to a cross-functional").startswith("[x]")  # ticked at HIGH
    finally:
        ws.close()


async def test_board_legend_stays_whole_at_80_columns_and_after_a_message(
    tmp_path: Path,
) -> None:
    """The ``‼`` legend was the last piece of the board's status line: cut at 80 columns
    ("‼ critical (typed") and pushed off by any message ("… nothing to")."""
    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path, read_only=True)
    legend = "‼ critical: typed confirmation · ✓ as asked"
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            room = await open_room(pilot, app)
            await pilot.press("3")
            status = room.query_one("#containment-status")

            def line() -> str:
                return str(status.render())

            def fits() -> bool:  # whole on screen, not cut at the pane's edge
                return len(line()) <= status.size.width

            await wait_until(pilot, lambda: legend in line() and fits(), what="legend")
            assert "READ-ONLY" in line() and "5 controls" in line()
            board = room.query_one(ControlBoard)  # and no column title cut ("WHY / BACKEN")
            assert all(len(str(c.label)) <= c.width for c in board.columns.values()), [
                (str(c.label), c.width) for c in board.columns.values()
            ]
            await pilot.press("t")  # refused: said on the feedback line; the legend stays
            await wait_until(pilot, lambda: "not in a read-only seat" in feedback(app))
            await settle(pilot)
            assert legend in line() and "READ-ONLY" in line() and fits(), line()
    finally:
        app.workspace.close()


async def test_sorting_the_incidents_keeps_the_cursor_on_the_same_incident(
    tmp_path: Path,
) -> None:
    """A sort by a new column rebuilt the columns (clearing the cursor) before it read which
    incident was selected: ``>`` ``>`` ``=`` then ``enter`` opened another incident."""
    from ircmd.tui.widgets.incidents.incident_table import IncidentTable

    (tmp_path / "demo").mkdir()
    demo = seed_demo(tmp_path / "demo")
    app = IrcmdApp(demo.workspace)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            table = await wait_until(pilot, lambda: app.screen.query(IncidentTable).first(None))  # type: ignore[call-overload]
            await wait_until(pilot, lambda: table.selected_id == "INC-0003")
            for key, column in (
                ("greater_than_sign", "ID▲"),
                ("greater_than_sign", "SEV▲"),
                ("equals_sign", "SEV▼"),
            ):
                await pilot.press(key)
                await settle(pilot)
                assert table.sort_label() == column
                assert table.selected_id == "INC-0003", (column, table.cursor_row)
            await pilot.press("enter")
            room = await open_room(pilot, app)
            assert room.incident_id == "INC-0003"
    finally:
        demo.workspace.close()


async def test_enter_and_i_on_an_empty_incidents_list_say_so(tmp_path: Path) -> None:
    ws = Workspace.open(parse_config("", "<test>"), tmp_path / "data", actor="tester")
    app = IrcmdApp(ws)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for key in ("enter", "i"):
                app.clear_notifications()
                await pilot.press(key)
                await wait_until(
                    pilot,
                    lambda: any(
                        "no incidents here: n declares one" in str(n.message)
                        for n in app._notifications
                    ),
                    what=key,
                )
            assert app.is_running
    finally:
        ws.close()


async def test_w_wraps_timeline_rows_and_keeps_the_cursor_in_view(tmp_path: Path) -> None:
    """The optional wrap mode of issue 13: ``w`` wraps every row to the pane's width (a
    long note reads whole in the list), ``w`` again gives one line per row."""
    (tmp_path / "demo").mkdir()
    app = demo_app(tmp_path)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            room = await open_room(pilot, app)
            view = room.query_one(TimelineView)
            long_text = "refund promised past the window; " * 6 + "END-OF-NOTE"
            app.workspace.incidents.note("INC-0003", long_text)
            await wait_until(pilot, lambda: view.events and view.events[-1].text == long_text)
            await pilot.press("1", "G")
            await settle(pilot)

            def shown() -> str:
                return "\n".join(view.render_line(y).text for y in range(view.size.height))

            assert "END-OF-NOTE" not in shown()
            lines_before = view.virtual_size.height
            await pilot.press("w")
            await wait_until(pilot, lambda: view.wrap and "END-OF-NOTE" in shown(), what=shown())
            assert view.virtual_size.height > lines_before  # long rows take several lines
            width = view.scrollable_content_region.width
            assert all(len(view.render_line(y).text) <= width for y in range(view.size.height))
            await pilot.press("k")  # the cursor moves by event, and stays in view
            await settle(pilot)
            assert view.cursor == len(view.events) - 2
            first, _count = view._event_lines(view.cursor)
            assert view.scroll_offset.y <= first < view.scroll_offset.y + view.size.height
            await pilot.press("w")
            await wait_until(pilot, lambda: not view.wrap and "END-OF-NOTE" not in shown())
            assert view.virtual_size.height == len(view.events)
    finally:
        app.workspace.close()
