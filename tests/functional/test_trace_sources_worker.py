"""Live trace sources run on the one concurrency model (docs/architecture.md): the pane's
loads and polls are thread workers that run the sources' coroutines on the workspace's
backend loop and post Messages; nothing of a source runs on Textual's loop, and the
sources are closed on that same backend loop when the pane goes away."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from ircmd.backends.protocols import TraceBatch
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.trace_app import TraceViewApp
from tests.support.waiting import wait_until
from tests.trace_ui_samples import _span, refund_trace


class RecordingSource:
    """A trace source (the protocol, nothing faked underneath) that notes where each of its
    coroutines ran: one trace on load, one live span on the second poll, then a warning."""

    name = "recorder"
    kind = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, asyncio.AbstractEventLoop]] = []
        self.polls = 0

    def _note(self, what: str) -> None:
        self.calls.append((what, threading.current_thread().name, asyncio.get_running_loop()))

    async def load(self) -> TraceBatch:
        self._note("load")
        return TraceBatch(spans=refund_trace())

    async def poll(self) -> TraceBatch:
        self._note("poll")
        self.polls += 1
        if self.polls == 2:
            return TraceBatch(spans=[_span("a" * 32, "e" * 16, "4" * 16, "live one", 1, 2, {})])
        if self.polls == 3:
            return TraceBatch(warnings=["recorder: upstream is slow"])
        return TraceBatch()

    async def close(self) -> None:
        self._note("close")

    def describe(self) -> str:
        return "recorder: in-process"


def pane_of(app: TraceViewApp) -> TracePane | None:
    panes = list(app.screen.query(TracePane))
    return panes[0] if panes else None


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    ws = Workspace.open(parse_config("", "<test>"), tmp_path / "data", actor="tester")
    yield ws
    ws.close()


async def test_sources_load_and_poll_in_thread_workers_on_the_backend_loop(
    workspace: Workspace,
) -> None:
    source = RecordingSource()
    app = TraceViewApp(workspace, [source])
    async with app.run_test(size=(140, 40)) as pilot:
        ui_thread = threading.current_thread().name
        pane = await wait_until(pilot, lambda: pane_of(app))
        await wait_until(pilot, lambda: pane.view is not None and len(pane.view.spans) == 5)
        await wait_until(pilot, lambda: "recorder: upstream is slow" in pane.problems)
        assert pane.problem_sources["recorder: upstream is slow"] == "recorder"
    kinds = [what for what, _, _ in source.calls]
    assert kinds[0] == "load" and kinds.count("poll") >= 3
    assert "close" not in kinds  # handed in: the caller (``ircmd trace view``) closes them
    loops = {loop for _, _, loop in source.calls}
    threads = {thread for _, thread, _ in source.calls}
    assert len(loops) == 1 and threads == {"ircmd-backends"}  # the workspace's one loop
    assert ui_thread not in threads


async def test_a_source_failing_is_one_problem_line_and_polling_goes_on(
    workspace: Workspace,
) -> None:
    class Failing(RecordingSource):
        name = "flaky"

        async def load(self) -> TraceBatch:
            self._note("load")
            raise ConnectionError("refused at 127.0.0.1:9")

        async def poll(self) -> TraceBatch:
            self._note("poll")
            self.polls += 1
            if self.polls == 1:
                raise TimeoutError("no answer in 2 s")
            return TraceBatch()

    source = Failing()
    app = TraceViewApp(workspace, [source])
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await wait_until(pilot, lambda: pane_of(app))
        await wait_until(pilot, lambda: not pane.loading, what="the load to end")
        assert pane.problems == ["flaky: ConnectionError: refused at 127.0.0.1:9"]
        await wait_until(pilot, lambda: source.polls >= 3, what="polls after a failed one")
        assert "flaky: TimeoutError: no answer in 2 s" in pane.problems
        assert app.is_running


class OwnPaneApp(App[None]):
    """A pane that owns its sources (as the war room's does, built from the config)."""

    def __init__(self, workspace: Workspace, source: RecordingSource) -> None:
        super().__init__()
        self.workspace = workspace
        self.source = source

    def compose(self) -> ComposeResult:
        pane = TracePane(self.workspace, sources=[self.source])
        pane.owns_sources = True
        yield pane


async def test_owned_sources_are_closed_on_the_backend_loop_when_the_pane_goes(
    workspace: Workspace,
) -> None:
    source = RecordingSource()
    app = OwnPaneApp(workspace, source)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = app.query_one(TracePane)
        await wait_until(pilot, lambda: source.polls >= 1, what="a first poll")
        await pane.remove()
        closes = [(thread, loop) for what, thread, loop in source.calls if what == "close"]
        assert [thread for thread, _ in closes] == ["ircmd-backends"]
        assert {loop for _, _, loop in source.calls} == {closes[0][1]}
        polls = source.polls
        await pilot.pause(3 * TracePane.TICK_SECONDS)  # what a removed pane must not do
        assert source.polls == polls
