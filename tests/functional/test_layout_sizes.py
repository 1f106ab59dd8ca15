"""At 80×24, 100×30, 160×48 and 200×60 (issue 13): ids are never cut (a cut workflow or control
id names another one), the incidents keep TITLE, every demo signal has a row on screen, and
the board's header keeps the title on line 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ircmd.tui.screens.containment.board import ContainmentScreen
from ircmd.tui.widgets.containment.control_board import ControlBoard
from ircmd.tui.widgets.incidents.incident_table import IncidentTable
from ircmd.tui.widgets.signals.signal_list import SignalList
from tests.snapshots.test_containment_snapshot import NOW, SnapApp, seed
from tests.snapshots.test_home_snapshot import _signals_loaded, demo_app
from tests.support.waiting import wait_until

SIZES = [(80, 24), (100, 30), (160, 48), (200, 60)]
IDS = [f"{w}x{h}" for w, h in SIZES]


def _column(table: Any, key: str) -> list[str]:
    """The column's values as drawn: cut to the column's width (a cell wider than its column
    is cut by the table)."""
    column = next((c for k, c in table.columns.items() if str(k.value) == key), None)
    if column is None:
        return []
    values = [table.get_cell(row, key).plain for row in table.rows]
    return [v if len(v) <= column.width else v[: column.width - 1] + "…" for v in values]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_home_keeps_ids_whole_titles_and_every_signal(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await _signals_loaded(pilot)
        table = app.screen.query_one(IncidentTable)
        keys = [str(k.value) for k in table.columns]
        assert "title" in keys and "workflow" in keys, keys
        assert not [v for v in _column(table, "workflow") if "…" in v]
        assert not [v for v in _column(table, "lead") if "…" in v]
        signals = app.screen.query_one(SignalList)
        # the header row and every signal fit in the list's height: none hidden below
        assert signals.scrollable_content_region.height >= len(signals.signal_rows) + 1
        assert table.region.right <= size[0] and signals.region.right <= size[0]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_board_keeps_workflow_and_control_ids_whole(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    ws, inc = seed(tmp_path)
    ws.incidents.clock = lambda: NOW
    app = SnapApp(ws, inc)
    async with app.run_test(size=size) as pilot:
        board = await wait_until(
            pilot,
            lambda: (
                b
                if isinstance(app.screen, ContainmentScreen)
                and (b := app.screen.query_one(ControlBoard)).row_count == 5
                else None
            ),
        )
        await pilot.pause()
        controls = _column(board, "control")
        assert len(controls) == 5
        assert not [v for v in controls + _column(board, "workflow") if "…" in v]
        # no column runs past the board (no sideways scrolling to read a row)
        assert board.virtual_size.width <= board.scrollable_content_region.width
        header = app.screen.query_one("#containment-header")
        line1 = header.render_line(0).text
        assert "Support assistant" in line1, line1


@pytest.mark.parametrize(("size", "list_rows"), [((80, 24), 6), ((100, 30), 7)], ids=IDS[:2])
async def test_explorer_with_many_traces_keeps_room_for_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], list_rows: int
) -> None:
    from ircmd.backends.traces.files import FileTraceSource
    from ircmd.service import Workspace
    from ircmd.service.config import parse_config
    from ircmd.tui.screens.warroom.panes.traces import TracePane
    from ircmd.tui.trace_app import TraceViewApp
    from tests.trace_ui_samples import refund_trace, write_otlp

    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    spans = [s for n in range(30) for s in refund_trace(f"{n + 1:032x}")]
    path = write_otlp(tmp_path / "many.json", spans)
    ws = Workspace.open(parse_config("", "<test>"), tmp_path / "data", actor="maria.ic")
    app = TraceViewApp(ws, [FileTraceSource("files", [str(path)])])
    async with app.run_test(size=size) as pilot:
        pane = await wait_until(
            pilot,
            lambda: (
                p
                if (p := app.screen.query(TracePane).first(None)) is not None  # type: ignore[call-overload]
                and p.view is not None
                and not p.loading
                else None
            ),
        )
        await pilot.pause()
        assert pane.trace_list.region.height <= list_rows
        tree = pane.span_tree
        assert tree.region.height >= 6, tree.region  # the tree keeps rows of its own
        assert not tree.show_horizontal_scrollbar
    ws.close()
