"""The look of the full-screen trace explorer at the four sizes of issue 13: 80×24, 100×30,
160×48 and 200×60 (review the SVGs when they change)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ircmd.backends.traces.files import FileTraceSource
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.tui.trace_app import TraceViewApp
from tests.snapshots.settle import settle
from tests.support.traces import loaded_trace_pane, open_trace
from tests.support.waiting import wait_until
from tests.trace_ui_samples import hostile_trace, refund_trace, write_otlp


@pytest.fixture
def fixed_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # a folder of this test's own: a shared fixed path let another run of the same test
    # rewrite the trace file under this one (its tail then read "live 10 received")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    return tmp_path


SIZES = [(80, 24), (100, 30), (160, 48), (200, 60)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_trace_explorer_sizes(snap_compare: Any, fixed_dir: Path, size: tuple[int, int]) -> None:
    spans = refund_trace() + refund_trace("d" * 32, account="ACC-2", user="u-2")
    path = write_otlp(fixed_dir / "refunds.json", spans + hostile_trace())
    ws = Workspace.open(parse_config("", "<snapshot>"), fixed_dir / "data", actor="maria.ic")
    ws.store.location = "<snapshot store>"  # the status bar names it: the same on every run
    inc, _ = ws.incidents.declare("Refunds outside policy", severity="high")
    app = TraceViewApp(
        ws, [FileTraceSource("files", [str(path)])], incident_id=inc.id, title="refunds.json"
    )

    async def run_before(pilot: Pilot[Any]) -> None:
        pane = await loaded_trace_pane(pilot)
        await open_trace(pilot, pane, "a" * 32)
        await pilot.press("e", "t")
        await wait_until(pilot, lambda: pane.span_tree._critical is not None, what="critical path")
        await settle(pilot)  # the detail pane follows the cursor after a short delay

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        ws.close()
