"""The board widget alone: refreshes redraw changed cells, layouts follow the width, and
hostile text is shown literally."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ircmd.domain.containment.controls import ControlState, RowHealth
from ircmd.tui.widgets.containment.control_board import ControlBoard
from tests.support.boards import BoardApp
from tests.support.boards import control_row as row

NOW = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


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
