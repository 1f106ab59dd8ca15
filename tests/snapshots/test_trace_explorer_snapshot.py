"""The look of the full-screen trace explorer (review the SVG when it changes)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
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
def fixed_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # a fixed path: the status bar shows the store's location
    root = Path(tempfile.gettempdir()) / "ircmd-snapshot-trace-ui"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    monkeypatch.setenv("IRCMD_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(root / "none.toml"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_trace_explorer_snapshot(snap_compare: Any, fixed_dir: Path) -> None:
    spans = refund_trace() + refund_trace("d" * 32, account="ACC-2", user="u-2")
    path = write_otlp(fixed_dir / "refunds.json", spans + hostile_trace())
    ws = Workspace.open(parse_config("", "<snapshot>"), fixed_dir / "data", actor="maria.ic")
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
        assert snap_compare(app, terminal_size=(150, 42), run_before=run_before)
    finally:
        ws.close()
