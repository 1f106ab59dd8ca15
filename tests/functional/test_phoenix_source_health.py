"""Phoenix as a trace source in the status bar and the trace pane: its health comes from
the last load or poll (down with the reason while Phoenix is unreachable, ok once read),
and its problems are labelled with the source, not as file problems."""

from __future__ import annotations

import socket
import uuid

import pytest
from textual.widgets import Static

from ircmd.backends.traces.phoenix import PhoenixTraceSource
from ircmd.service import Workspace
from ircmd.service.traces.health import receiver_health_lines
from ircmd.tui.trace_app import TraceViewApp
from tests.functional import test_trace_explorer as _explorer
from tests.functional.test_trace_phoenix import ingest, phoenix_url, wait_for_spans
from tests.support.waiting import wait_until

workspace = _explorer.workspace  # the fixture: a workspace in tmp_path


def _dead_url() -> str:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _health(name: str) -> tuple[str, str] | None:
    got = [(h.state, h.detail) for h in receiver_health_lines(None) if h.name == name]  # type: ignore[arg-type]
    return got[0] if got else None


async def test_phoenix_down_is_down_in_health_with_the_reason() -> None:
    src = PhoenixTraceSource("phx-down", _dead_url(), "p", timeout=2)
    try:
        assert _health("phx-down") == ("unknown", "not read yet")
        batch = await src.load()
        assert not batch.spans
        state, detail = _health("phx-down") or ("", "")
        assert state == "down" and detail and "Traceback" not in detail
    finally:
        await src.close()
    assert _health("phx-down") is None  # a closed source is not reported


@pytest.mark.services
async def test_real_phoenix_is_ok_once_read() -> None:
    url = phoenix_url()
    project = f"ircmd-h-{uuid.uuid4().hex[:8]}"
    ingest(url, project, 1)
    src = PhoenixTraceSource("phx-ok", url, project)
    try:
        await wait_for_spans(src, 4)
        await src.load()
        assert _health("phx-ok") == ("ok", f"Phoenix project {project}")
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
        await pilot.pause()
        status = str(pane.query_one("#trace-status", Static).visual)
        assert "1 problem(s) from phoenix 'prod': " in status
        assert "file problem" not in status
