"""The trace explorer driven like a user: keys, search, live spans, hostile text."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from textual.widgets import Static

from ircmd.backends.traces.files import FileTraceSource
from ircmd.service import Workspace
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.trace_app import TraceViewApp
from ircmd.tui.widgets.traces.span_detail import SpanDetail
from ircmd.tui.widgets.traces.span_tree import SpanTree
from ircmd.tui.widgets.traces.trace_list import TraceList
from tests.support.traces import loaded_trace_pane, open_trace_id
from tests.support.waiting import settle, wait_until
from tests.trace_ui_samples import (
    hostile_trace,
    refund_trace,
    wide_trace,
    write_otlp,
)

CONTROLS = [chr(c) for c in range(0x20) if chr(c) != "\n"] + [chr(c) for c in range(0x7F, 0xA0)]


def pane_of(app: TraceViewApp) -> TracePane:
    return app.screen.query_one(TracePane)


opened = loaded_trace_pane  # the name the trace tests use


def tree_lines(tree: SpanTree) -> list[str]:
    return [tree.render_line(y).text for y in range(tree.size.height)]


async def test_keys_move_expand_collapse_and_jump_to_errors(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_otlp(tmp_path / "wide.json", wide_trace(1000))
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])])
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await opened(pilot)
        tree = pane.span_tree
        assert tree.has_focus
        # 1,001 spans > the initial row budget: only the root shows, collapsed
        assert tree.rows.rows == [0]
        await pilot.press("l")
        assert len(tree.rows.rows) == 1001
        await pilot.press("j", "j", "down")
        assert tree.cursor == 3
        await pilot.press("k", "up")
        assert tree.cursor == 1
        await pilot.press("G")
        assert tree.cursor == 1000
        await pilot.press("g")
        assert tree.cursor == 0
        await pilot.press("e")
        first_error = tree.current_node
        assert pane.current_span is not None and pane.current_span.is_error
        await pilot.press("e")
        assert tree.current_node != first_error and pane.current_span.is_error
        await pilot.press("E")
        assert tree.current_node == first_error
        await pilot.press("h")  # on a leaf: go to the parent
        assert tree.current_node == 0
        await pilot.press("h")  # on the expanded root: collapse
        assert tree.rows.rows == [0]
        await pilot.press("space")
        assert len(tree.rows.rows) == 1001
        await pilot.press("H")
        assert tree.rows.rows == [0]
        await pilot.press("L")
        assert len(tree.rows.rows) == 1001
        # the detail pane follows the cursor
        await pilot.press("j")
        await wait_until(pilot, lambda: "step 0" in _detail_plain(pane.detail))


def _detail_plain(detail: SpanDetail) -> str:
    return detail.plain


async def test_search_filters_to_matches_and_ancestors(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_otlp(tmp_path / "t.json", refund_trace())
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])])
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await opened(pilot)
        tree = pane.span_tree
        assert len(tree.rows.rows) == 4
        await pilot.press("slash")
        await pilot.press(*"issue_refund")
        await pilot.press("enter")
        await wait_until(pilot, lambda: tree.filtered)
        assert pane.view is not None
        shown = [pane.view.spans[n].name for n in tree.rows.rows]
        # the tool span, its ancestors (agent, llm); the retrieval sibling is hidden
        assert shown == ["invoke_agent support", "chat gpt-4o", "execute_tool issue_refund"]
        assert tree.has_focus
        await pilot.press("escape")
        assert not tree.filtered and len(tree.rows.rows) == 4
        await pilot.press("t")
        assert tree.show_critical
        await wait_until(pilot, lambda: any(line.startswith("▌") for line in tree_lines(tree)))
        # esc with no search left is the screen's "back": never quits ``ircmd trace view``
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        await pilot.press("q")  # q does
        await wait_until(pilot, lambda: not app.is_running)


async def test_hostile_text_is_shown_literally_and_clicks_run_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_otlp(tmp_path / "evil.json", hostile_trace() + refund_trace())
    (tmp_path / "[@click=app.quit]x[").mkdir()
    bad = tmp_path / "[@click=app.quit]x[" / "] \x1b]52;c;SGVsbG8=\x07.json"
    bad.write_text('{"resourceSpans": [', encoding="utf-8")
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path), str(bad)])])
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await opened(pilot)
        trace_list = pane.query_one(TraceList)
        assert trace_list.display  # two traces: the list shows
        pane.open_trace("b" * 32)
        await wait_until(pilot, lambda: open_trace_id(pane) == "b" * 32)
        tree = pane.span_tree
        tree.action_expand_all()
        await wait_until(
            pilot, lambda: any("[@click=app.quit]x[/]" in line for line in tree_lines(tree))
        )
        lines = tree_lines(tree)
        assert any("[/]" in line for line in lines)
        # the list cell, the detail and the status line show the text literally too
        cells = [trace_list.row_text(r) for r in range(trace_list.row_count)]
        assert any("[@click=app.quit]x[/]" in c for c in cells)
        await wait_until(pilot, lambda: "[@click=app.quit]x[/]" in _detail_plain(pane.detail))
        status = str(pane.query_one("#trace-status", Static).visual)
        assert "problem" in status
        # the notification about the bad file is shown without markup
        notes = [n.message for n in app._notifications]
        assert any("[@click=app.quit]x[/]" in m for m in notes)
        assert not [c for m in notes for c in CONTROLS if c in m]
        # click everywhere text from the trace is drawn: nothing runs, nothing crashes
        for widget in (tree, pane.detail, trace_list):
            region = widget.region
            for y in range(region.y, region.bottom, 4):
                for x in range(region.x, region.right, 17):
                    await pilot.click(offset=(x, y))
        await settle(pilot, ignore_groups={"trace-sources"})  # what the clicks started has run
        assert app.is_running and app.return_code is None
        # nothing rendered carries a control character
        screen_text = "\n".join(tree_lines(tree)) + _detail_plain(pane.detail)
        assert not [c for c in CONTROLS if c in screen_text]


async def test_live_spans_show_up_without_a_key_and_are_coalesced(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_otlp(tmp_path / "t.json", refund_trace())
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])])
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await opened(pilot)
        tree = pane.span_tree
        assert pane.view is not None and len(pane.view.spans) == 4
        trace = "a" * 32
        from tests.trace_ui_samples import _span

        def produce() -> None:
            for i in range(300):
                pane.feed([_span(trace, f"{0xE000 + i:016x}", "4" * 16, f"live {i}", 1, 2, {})])

        t0 = time.monotonic()
        thread = threading.Thread(target=produce)
        thread.start()
        thread.join()
        await wait_until(pilot, lambda: pane.view is not None and len(pane.view.spans) == 304)
        elapsed = time.monotonic() - t0
        # 300 batches arrived; the view was rebuilt a handful of times, not 300
        assert pane.refreshes <= max(3, int(elapsed / pane.TICK_SECONDS) + 2)
        # the new children show under their parent without a key press
        await wait_until(pilot, lambda: any("live 0" in line for line in tree_lines(tree)))
        assert pane.live.received == 300


async def test_spans_posted_to_the_receiver_show_up_by_themselves(
    workspace: Workspace, tmp_path: Path
) -> None:
    import urllib.request

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    from ircmd.backends.traces.otlp_receiver import OtlpReceiverSource

    source = OtlpReceiverSource("receiver", port=0, data_dir=tmp_path / "data")
    app = TraceViewApp(workspace, [source])
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: source.receiver.running)
        pane = pane_of(app)

        def post(trace: bytes, n: int) -> None:
            req = ExportTraceServiceRequest()
            ss = req.resource_spans.add().scope_spans.add()
            for i in range(n):
                sp = ss.spans.add()
                sp.trace_id, sp.span_id = trace, bytes([1, 2, 3, 4, 5, 6, 7, i + 1])
                if i:
                    sp.parent_span_id = bytes([1, 2, 3, 4, 5, 6, 7, 1])
                sp.name = f"[@click=app.quit]live {i}[/]"
                sp.start_time_unix_nano, sp.end_time_unix_nano = 1_000 + i, 2_000 + i
            http = urllib.request.Request(
                source.receiver.url,
                data=req.SerializeToString(),
                headers={"Content-Type": "application/x-protobuf"},
            )
            with urllib.request.urlopen(http, timeout=10) as resp:
                assert resp.status == 200

        await asyncio.to_thread(post, b"\x11" * 16, 3)
        await wait_until(pilot, lambda: pane.view is not None and len(pane.view.spans) == 3)
        await asyncio.to_thread(post, b"\x22" * 16, 2)
        await wait_until(pilot, lambda: len(pane.index) == 2)
        assert pane.live.received == 5
        lines = tree_lines(pane.span_tree)
        assert any("[@click=app.quit]live 0[/]" in line for line in lines)
        assert app.is_running
