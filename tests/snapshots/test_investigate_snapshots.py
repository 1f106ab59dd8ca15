"""The look of the investigation views: the diff of two runs and a conversation, at 80×24
and 160×48 (review the SVG when it changes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ircmd.backends.traces.files import FileTraceSource
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.tui.screens.investigate.conversation_view import ConversationScreen
from ircmd.tui.screens.investigate.diff_view import DiffScreen
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.trace_app import TraceViewApp
from tests.snapshots.settle import settle
from tests.support.traces import loaded_trace_pane, open_trace
from tests.support.waiting import wait_until
from tests.trace_ui_samples import hostile_trace, refund_trace, write_otlp

A, B = "a" * 32, "c" * 32
SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def fixed_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # a folder of this test's own (a shared fixed path let a parallel run rewrite the traces)
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    return tmp_path


def _app(fixed_dir: Path) -> tuple[Workspace, TraceViewApp]:
    spans = refund_trace(A) + refund_trace(B, account="ACC-9")
    path = write_otlp(fixed_dir / "runs.json", spans + hostile_trace())
    ws = Workspace.open(parse_config("", "<snapshot>"), fixed_dir / "data", actor="maria.ic")
    inc, _ = ws.incidents.declare("Refund to the wrong account", severity="high")
    app = TraceViewApp(ws, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    return ws, app


async def _until(pilot: Pilot[Any], cond: Callable[[], object], what: str) -> None:
    await wait_until(pilot, cond, what=what)


async def _open(pilot: Pilot[Any], app: TraceViewApp, trace: str) -> TracePane:
    pane = await loaded_trace_pane(pilot)
    await open_trace(pilot, pane, trace)
    return pane


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_diff_view_snapshot(snap_compare: Any, fixed_dir: Path, size: tuple[int, int]) -> None:
    ws, app = _app(fixed_dir)

    async def run_before(pilot: Any) -> None:
        pane = await _open(pilot, app, A)
        await pilot.press("D")
        await open_trace(pilot, pane, B)
        await pilot.press("D")
        await _until(
            pilot,
            lambda: isinstance(app.screen, DiffScreen) and app.screen.diff is not None,
            "diff not shown",
        )
        app.clear_notifications()
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        ws.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_conversation_view_snapshot(
    snap_compare: Any, fixed_dir: Path, size: tuple[int, int]
) -> None:
    ws, app = _app(fixed_dir)

    async def run_before(pilot: Any) -> None:
        await _open(pilot, app, A)
        await pilot.press("c")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ConversationScreen) and app.screen.conversation is not None
            ),
            "conversation not shown",
        )
        app.clear_notifications()
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        ws.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_icicle_view_snapshot(snap_compare: Any, fixed_dir: Path, size: tuple[int, int]) -> None:
    from ircmd.tui.screens.investigate.icicle_view import IcicleScreen

    ws, app = _app(fixed_dir)

    async def run_before(pilot: Any) -> None:
        await _open(pilot, app, A)
        await pilot.press("I")
        await _until(
            pilot,
            lambda: isinstance(app.screen, IcicleScreen) and bool(app.screen.query("#icicle")),
            "icicle not shown",
        )
        await pilot.press("j", "l")  # the LLM call
        app.clear_notifications()
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        ws.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_changes_view_snapshot(snap_compare: Any, fixed_dir: Path, size: tuple[int, int]) -> None:
    from ircmd.tui.screens.investigate.changes_view import ChangesScreen
    from tests.functional.test_investigate_views import versioned_file

    path = versioned_file(fixed_dir)
    ws = Workspace.open(parse_config("", "<snapshot>"), fixed_dir / "data", actor="maria.ic")
    inc, _ = ws.incidents.declare("Refunds refused", severity="high")
    app = TraceViewApp(ws, [FileTraceSource("files", [str(path)])], incident_id=inc.id)

    async def run_before(pilot: Any) -> None:
        await _open(pilot, app, f"{1:032x}")
        await pilot.press("C")
        await _until(
            pilot,
            lambda: isinstance(app.screen, ChangesScreen) and app.screen.report is not None,
            "changes not shown",
        )
        app.clear_notifications()
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        ws.close()
