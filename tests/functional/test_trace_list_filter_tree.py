"""The span tree follows the trace-list filter: it never shows a trace the filter left out."""

from __future__ import annotations

from pathlib import Path

from ircmd.backends.traces.files import FileTraceSource
from ircmd.service import Workspace
from ircmd.tui.trace_app import TraceViewApp
from tests.functional.test_trace_explorer import opened, tree_lines
from tests.support.traces import open_trace_id
from tests.support.waiting import wait_until
from tests.trace_ui_samples import refund_trace, wide_trace, write_otlp


async def test_tree_drops_a_trace_the_list_filter_left_out(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_otlp(tmp_path / "two.json", wide_trace(5) + refund_trace())
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])])
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await opened(pilot)
        pane.open_trace("c" * 32)
        await wait_until(pilot, lambda: open_trace_id(pane) == "c" * 32)
        pane.trace_list.focus()
        await pilot.press("slash", *"tool:issue_refund", "enter")
        # the shown trace was filtered out: the tree moves to the one the list still shows
        await wait_until(pilot, lambda: open_trace_id(pane) == "a" * 32)
        assert pane.current_trace == "a" * 32
        assert pane.trace_list.row_count == 1
        await pilot.pause()
        assert not [ln for ln in tree_lines(pane.span_tree) if "step " in ln]
        # nothing left in the list: nothing in the tree or the detail either
        pane.trace_list.focus()
        await pilot.press("slash", "ctrl+a", "backspace", *"tool:no_such_tool", "enter")
        await wait_until(pilot, lambda: pane.view is None)
        assert pane.current_trace is None
        assert pane.span_tree.model is None
        await pilot.pause()
        assert not [ln for ln in tree_lines(pane.span_tree) if ln.strip()]
        assert pane.current_span is None
