"""Sort by column with the keyboard: ``>``/``<`` pick the column, ``=`` reverses, and the
sorted column's header carries ▲/▼ — on the incidents list, the trace list and the board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from textual.app import App, ComposeResult

from ircmd.service import IncidentService, Workspace
from ircmd.service.config import parse_config
from ircmd.store.tinydb.store import TinyDBIncidentStore
from ircmd.tui.app import IrcmdApp
from ircmd.tui.widgets.containment.control_board import ControlBoard
from ircmd.tui.widgets.incidents.incident_table import IncidentTable
from ircmd.tui.widgets.traces.trace_list import TraceList
from tests.support.boards import BoardApp, control_row
from tests.support.configs import support_refunds_toml
from tests.support.waiting import wait_until

NOW = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


def headers(table: IncidentTable | ControlBoard) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


async def test_incidents_sort_by_column_and_back_to_the_screen_order(tmp_path: Path) -> None:
    config = parse_config('author = "maria.ic"\n' + support_refunds_toml())
    store = TinyDBIncidentStore(tmp_path / "store")
    svc = IncidentService(store=store, config=config, actor="maria.ic")
    for title, sev in (("Bravo", "high"), ("Charlie", "low"), ("Alpha", "critical")):
        svc.declare(title, severity=sev)
    app = IrcmdApp(Workspace(config=config, data_dir=tmp_path, store=store, incidents=svc))
    async with app.run_test(size=(140, 30)) as pilot:
        table = await wait_until(pilot, lambda: app.screen.query(IncidentTable).first())
        await wait_until(pilot, lambda: len(table._ids) == 3)
        assert table._ids == ["INC-0003", "INC-0001", "INC-0002"]  # severity, the screen's
        table.focus()
        await pilot.press("greater_than_sign")  # by ID ascending
        assert table._ids == ["INC-0001", "INC-0002", "INC-0003"]
        assert headers(table)[0] == "ID▲"
        assert "sort: ID▲" in str(app.screen.query_one("#incident-counts").render())
        await pilot.press("equals_sign")
        assert table._ids == ["INC-0003", "INC-0002", "INC-0001"] and headers(table)[0] == "ID▼"
        await pilot.press("less_than_sign")  # wraps to TITLE, still descending
        assert headers(table)[-1] == "TITLE▼" and headers(table)[0] == "ID"
        assert table._ids == ["INC-0002", "INC-0001", "INC-0003"]
        await pilot.press("equals_sign")
        assert table._ids == ["INC-0003", "INC-0001", "INC-0002"]
        await pilot.press("s")  # the screen's own sort modes drop the column sort
        assert table.column_sort.column is None and "▲" not in "".join(headers(table))


@dataclass
class Summary:
    trace_id: str
    root_name: str
    span_count: int
    duration_ns: int
    service: str = "svc"
    error_count: int = 0
    start_ns: int = 0


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TraceList()


async def test_trace_list_sorts_and_keeps_the_cursor_on_its_trace() -> None:
    summaries = [
        Summary("a" * 32, "zeta", 5, 3_000_000),
        Summary("b" * 32, "alpha", 900, 1_000_000),
        Summary("c" * 32, "mid", 40, 2_000_000),
    ]
    app = ListApp()
    async with app.run_test(size=(120, 12)) as pilot:
        tl = app.query_one(TraceList)
        tl.show_summaries(summaries)
        tl.focus()
        await pilot.press("j")  # on "alpha"
        assert tl.selected_trace == "b" * 32
        await pilot.press("greater_than_sign")  # ROOT ascending
        assert [tl.row_text(i).split()[0] for i in range(3)] == ["alpha", "mid", "zeta"]
        assert tl.selected_trace == "b" * 32, "the cursor follows its trace"
        assert "ROOT▲" in tl._line(-1, 120).text
        await pilot.press(*["greater_than_sign"] * 4, "equals_sign")  # SPANS descending
        assert [tl.row_text(i).split()[0] for i in range(3)] == ["alpha", "mid", "zeta"]
        assert "SPANS▼" in tl._line(-1, 120).text
        await pilot.press("less_than_sign")  # DURATION descending
        assert [tl.row_text(i).split()[0] for i in range(3)] == ["zeta", "mid", "alpha"]
        # new rows handed in keep the chosen sort
        tl.show_summaries([*summaries, Summary("d" * 32, "long", 1, 9_000_000)])
        assert tl.row_text(0).split()[0] == "long"


async def test_board_sorts_by_column_and_regroups() -> None:
    rows = [control_row("a", "pause"), control_row("a", "review"), control_row("b", "abort")]
    app = BoardApp()
    async with app.run_test(size=(160, 12)) as pilot:
        board = app.query_one(ControlBoard)
        board.show_rows(rows, NOW)
        board.focus()
        await pilot.press("greater_than_sign", "greater_than_sign")  # CONTROL ascending
        assert [r.id for r in board.rows_shown] == ["b/abort", "a/pause", "a/review"]
        assert "CONTROL▲" in headers(board)
        # the workflow is named again wherever it changes
        assert str(board.get_cell("a/pause", "workflow")) == "a"
        await pilot.press("equals_sign")
        assert [r.id for r in board.rows_shown] == ["a/review", "a/pause", "b/abort"]
        assert "CONTROL▼" in headers(board)
        # a reconcile with the same rows keeps the sort
        board.show_rows(rows, NOW)
        assert [r.id for r in board.rows_shown] == ["a/review", "a/pause", "b/abort"]
