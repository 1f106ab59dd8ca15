"""Phoenix as a trace source in the status bar and the trace pane: its health comes from
the last load or poll (down with the reason while Phoenix is unreachable, ok once read),
and its problems are labelled with the source, not as file problems."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from textual.widgets import Static

from ircmd.backends.traces.phoenix import PhoenixTraceSource
from ircmd.service import Workspace
from ircmd.service.traces.health import receiver_health_lines
from ircmd.tui.trace_app import TraceViewApp
from tests.functional.test_trace_phoenix import ingest, phoenix_url, wait_for_spans
from tests.support.apps import make_workspace
from tests.support.waiting import wait_until


def _dead_url() -> str:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _health(workspace: Workspace, name: str) -> tuple[str, str] | None:
    got = [(h.state, h.detail) for h in receiver_health_lines(workspace) if h.name == name]
    return got[0] if got else None


async def test_phoenix_down_is_down_in_health_with_the_reason(workspace: Workspace) -> None:
    src = PhoenixTraceSource("phx-down", _dead_url(), "p", timeout=2)
    workspace.open_trace_sources.add([src])
    try:
        assert _health(workspace, "phx-down") == ("unknown", "not read yet")
        batch = await src.load()
        assert not batch.spans
        state, detail = _health(workspace, "phx-down") or ("", "")
        assert state == "down" and detail and "Traceback" not in detail
    finally:
        await src.close()
    assert _health(workspace, "phx-down") is None  # a closed source is not reported


async def test_a_source_is_reported_only_by_the_workspace_that_opened_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The leak that broke the war-room snapshots after this file: health was a process-wide
    list, so a source one workspace (test) left open showed up in every other's status bar."""
    other = make_workspace(tmp_path / "other")
    src = PhoenixTraceSource("phx-mine", _dead_url(), "p", timeout=2)
    try:
        workspace.open_trace_sources.add([src])
        assert _health(workspace, "phx-mine") == ("unknown", "not read yet")
        assert _health(other, "phx-mine") is None
        assert [h for h in receiver_health_lines(None) if h.name == "phx-mine"] == []
    finally:
        await src.close()
        other.close()


async def test_the_trace_pane_registers_its_sources_and_drops_them_on_unmount(
    workspace: Workspace,
) -> None:
    src = PhoenixTraceSource("phx-pane", _dead_url(), "p", timeout=2)
    app = TraceViewApp(workspace, [src])
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: _health(workspace, "phx-pane"), what="phx-pane")
        # the app has exited: its pane is unmounted, the (still open) source is not reported
        assert not src.closed
        assert _health(workspace, "phx-pane") is None
    finally:
        await src.close()


@pytest.mark.services
async def test_real_phoenix_is_ok_once_read(workspace: Workspace) -> None:
    url = phoenix_url()
    project = f"ircmd-h-{uuid.uuid4().hex[:8]}"
    ingest(url, project, 1)
    src = PhoenixTraceSource("phx-ok", url, project)
    workspace.open_trace_sources.add([src])
    try:
        await wait_for_spans(src, 4)
        await src.load()
        assert _health(workspace, "phx-ok") == ("ok", f"Phoenix project {project}")
    finally:
        await src.close()


async def test_trace_pane_names_phoenix_as_the_source_of_its_problem(
    workspace: Workspace,
) -> None:
    app = TraceViewApp(workspace, [PhoenixTraceSource("prod", _dead_url(), "p", timeout=2)])
    async with app.run_test(size=(160, 40)) as pilot:
        from ircmd.tui.screens.warroom.panes.traces import TracePane

        await wait_until(pilot, lambda: bool(app.screen.query(TracePane)))
        pane = app.screen.query_one(TracePane)
        await wait_until(pilot, lambda: bool(pane.problems))
        status = str(pane.query_one("#trace-status", Static).visual)
        assert "1 problem(s) from phoenix 'prod': " in status
        assert "file problem" not in status
