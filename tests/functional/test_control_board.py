"""The board widget alone: refreshes redraw changed cells, layouts follow the width, and
hostile text is shown literally."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from textual.app import App, ComposeResult

from ircmd.domain.containment.controls import ControlRef, ControlRow, ControlState, RowHealth
from ircmd.domain.incidents.workflow import ControlKind
from ircmd.tui.widgets.containment.control_board import ControlBoard

NOW = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


def row(wf: str, ctrl: str, **kw: object) -> ControlRow:
    base = ControlRow(
        ref=ControlRef(wf, ctrl),
        workflow_name="",
        kind=ControlKind.PAUSE_WORKFLOW,
        critical=False,
        controller="flags",
        enforced=True,
        desired=ControlState.OFF,
        confirmed=ControlState.OFF,
        health=RowHealth.OK,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


class BoardApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ControlBoard()


async def test_refresh_updates_changed_cells_and_keeps_the_cursor() -> None:
    app = BoardApp()
    rows = [row("a", "pause"), row("a", "review"), row("b", "notes")]
    async with app.run_test(size=(160, 20)) as pilot:
        board = app.query_one(ControlBoard)
        board.show_rows(rows, NOW)
        await pilot.pause()
        board.move_cursor(row=2)
        drifted = replace(rows[1], confirmed=ControlState.ON, health=RowHealth.DRIFT, detail="x")
        board.show_rows([rows[0], drifted, rows[2]], NOW)
        await pilot.pause()
        assert str(board.get_cell("a/review", "confirmed")) == "on ≠ DRIFT"
        assert str(board.get_cell("a/review", "mark")) == "!"
        assert str(board.get_cell("a/review", "why")) == "changed outside ircmd: x"
        assert board.cursor_row == 2 and board.selected_id == "b/notes"
        # A different set of controls rebuilds, grouping by workflow again.
        board.show_rows([rows[2], rows[0]], NOW)
        await pilot.pause()
        assert [r.id for r in board.rows_shown] == ["b/notes", "a/pause"]
        assert str(board.get_cell("a/pause", "workflow")) == "a"


async def test_narrow_boards_keep_the_confirmed_column() -> None:
    app = BoardApp()
    async with app.run_test(size=(50, 12)) as pilot:
        board = app.query_one(ControlBoard)
        board.show_rows(
            [
                row(
                    "a",
                    "pause",
                    confirmed=ControlState.UNKNOWN,
                    health=RowHealth.FAILED,
                    error="HTTP 503",
                )
            ],
            NOW,
        )
        await pilot.pause()
        labels = [str(c.label) for c in board.columns.values()]
        assert labels[:4] == [" ", "CONTROL", "DESIRED", "CONFIRMED"]
        assert str(board.get_cell("a/pause", "confirmed")) == "? FAILED"


async def test_hostile_text_is_literal() -> None:
    app = BoardApp()
    hostile = "[@click=app.quit]x[/] [link=file:///etc/passwd]p \x1b]52;c;SGVsbG8=\x07 [/]"
    async with app.run_test(size=(240, 12)) as pilot:
        board = app.query_one(ControlBoard)
        board.show_rows([row("a", "pause", reason=hostile, changed_by="\x9b31m")], NOW)
        await pilot.pause()
        why = str(board.get_cell("a/pause", "why"))
        assert why.startswith("[@click=app.quit]x[/] [link=file:///etc/passwd]p ␛]52")
        assert "\x1b" not in why and "\x07" not in why
        assert str(board.get_cell("a/pause", "by")) == "\\x9b31m"
        assert app.is_running
