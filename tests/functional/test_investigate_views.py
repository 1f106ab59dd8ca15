"""The investigation views of the trace explorer, driven with Pilot: the diff of two runs
(``D`` twice, ``n``/``N``, ``p`` pins it) and the conversation (``c``, ``enter``, ``p``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from ircmd.backends.traces.files import FileTraceSource
from ircmd.domain.incidents.timeline import sha256_hex
from ircmd.service import Workspace
from ircmd.service.traces.service import TraceService
from ircmd.tui.screens.investigate.conversation_view import PREVIEW, ConversationScreen
from ircmd.tui.screens.investigate.diff_view import DiffScreen
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.trace_app import TraceViewApp
from tests.support.traces import loaded_trace_pane, open_trace, open_trace_id
from tests.support.waiting import settle, wait_until
from tests.trace_ui_samples import HOSTILE, _span, hostile_trace, refund_trace, write_otlp

A, B, C = "a" * 32, "c" * 32, "d" * 32


def runs_file(tmp_path: Path) -> Path:
    """Two turns of conversation ``conv-u-1`` (A, B: another refund account in B), one of
    ``conv-u-2`` (C), and a hostile trace."""
    spans = refund_trace(A) + refund_trace(B, account="ACC-9") + refund_trace(C, user="u-2")
    return write_otlp(tmp_path / "runs.json", spans + hostile_trace())


async def loaded(pilot: Pilot[Any], trace: str) -> TracePane:
    pane = await loaded_trace_pane(pilot)
    await open_trace(pilot, pane, trace)
    return pane


async def open_diff(pilot: Pilot[Any], pane: TracePane, other: str) -> DiffScreen:
    await pilot.press("D")
    assert pane.diff_mark == pane.current_trace
    pane.open_trace(other)
    await wait_until(pilot, lambda: open_trace_id(pane) == other)
    await pilot.press("D")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, DiffScreen))
    screen = pilot.app.screen
    assert isinstance(screen, DiffScreen)
    await wait_until(pilot, lambda: screen.diff is not None)
    await pilot.pause()
    return screen


async def test_diff_view_steps_through_differences_and_pins_the_diff(
    workspace: Workspace, tmp_path: Path
) -> None:
    inc, _ = workspace.incidents.declare("Refund to the wrong account", severity="high")
    app = TraceViewApp(
        workspace, [FileTraceSource("files", [str(runs_file(tmp_path))])], incident_id=inc.id
    )
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await loaded(pilot, A)
        screen = await open_diff(pilot, pane, B)
        diff = screen.diff
        assert diff is not None and diff.trace_a == A and diff.trace_b == B
        diffs = diff.differences()
        assert diffs, "the refund account differs between the two runs"
        table = screen.query_one(DataTable)
        assert table.row_count == len(diff.pairs)
        assert table.cursor_row == diffs[0]  # opens on the first difference
        changed = diff.pairs[diffs[0]]
        assert "tool_arguments" in changed.changes or "tool_calls_requested" in changed.changes
        detail = str(screen.query_one("#diff-detail", Static).render())
        assert "ACC-9" in detail and "ACC-1" in detail
        # n wraps round the differences, N goes back
        await pilot.press("n")
        assert table.cursor_row == diffs[1 % len(diffs)]
        await pilot.press("N")
        assert table.cursor_row == diffs[0]
        await pilot.press("N")
        assert table.cursor_row == diffs[-1]
        # p pins the diff as ONE evidence item: both digests plus the diff
        await pilot.press("p")
        svc = TraceService.for_workspace(workspace)
        await wait_until(pilot, lambda: bool(svc.evidence(inc.id)))
        (doc,) = svc.evidence(inc.id)
        assert doc["type"] == "trace_diff"
        assert doc["trace_id"] == A and doc["trace_b"] == B
        assert doc["sha256"] == sha256_hex(doc["canonical_json"])
        body = json.loads(doc["canonical_json"])
        assert "ACC-9" in doc["canonical_json"] and body
        assert workspace.incidents.timeline(inc.id)[-1].kind.value == "evidence_pinned"
        # pinning again keeps one item
        await pilot.press("p")
        await settle(pilot, ignore_groups={"trace-sources"})  # the second pin has run
        await wait_until(pilot, lambda: screen.pinned is not None)
        assert len(svc.evidence(inc.id)) == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, DiffScreen))


def test_cost_difference_is_signed_before_the_dollar() -> None:
    from ircmd.tui.screens.investigate.diff_view import signed_usd

    assert signed_usd(-0.005658) == "-$0.005658"
    assert signed_usd(0.00012) == "+$0.000120" and signed_usd(0.0) == "+$0.000000"


async def test_diff_of_a_run_with_itself_says_so_and_pin_is_hidden_without_incident(
    workspace: Workspace, tmp_path: Path
) -> None:
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(runs_file(tmp_path))])])
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await loaded(pilot, A)
        await pilot.press("D", "D")  # the same trace twice unmarks it
        assert pane.diff_mark is None
        screen = await open_diff(pilot, pane, C)
        assert screen.check_action("pin", ()) is None  # no incident: not offered
        assert screen.diff is not None and screen.diff.summary["removed"] == 0


async def test_conversation_view_shows_turns_expands_and_pins(
    workspace: Workspace, tmp_path: Path
) -> None:
    inc, _ = workspace.incidents.declare("Refunds outside policy", severity="high")
    app = TraceViewApp(
        workspace, [FileTraceSource("files", [str(runs_file(tmp_path))])], incident_id=inc.id
    )
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await loaded(pilot, B)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ConversationScreen)
        await wait_until(pilot, lambda: screen.conversation is not None)
        conv = screen.conversation
        assert conv is not None and conv.conversation_id == "conv-u-1"
        assert [t.trace_id for t in conv.turns] == [A, B]  # C is another conversation
        turns = screen.query_one(OptionList)
        assert turns.option_count == 2
        first = str(turns.get_option_at_index(0).prompt)
        assert "issue_refund" in first and "Refund me" in first
        header = str(screen.query_one("#conv-header", Static).render())
        assert "2 turns" in header and "$" in header  # gpt-4o is priced
        # p pins the LLM call of the turn under the cursor
        await pilot.press("p")
        svc = TraceService.for_workspace(workspace)
        await wait_until(pilot, lambda: bool(svc.evidence(inc.id)))
        (doc,) = svc.evidence(inc.id)
        assert doc["span_id"] == "3" * 16 and doc["trace_id"] == A
        assert pane is not None


async def test_conversation_cuts_long_text_and_enter_expands(
    workspace: Workspace, tmp_path: Path
) -> None:
    long = "word " * 200
    msgs = [{"role": "user", "parts": [{"type": "text", "content": long + "THE-END"}]}]
    conv = {"gen_ai.conversation.id": "conv-long", "gen_ai.operation.name": "chat"}
    spans = [
        _span(A, "1" * 16, None, "chat", 0, 50, {**conv, "gen_ai.input.messages": json.dumps(msgs)})
    ]
    path = write_otlp(tmp_path / "long.json", spans + hostile_trace())
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, A)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ConversationScreen)
        await wait_until(pilot, lambda: screen.conversation is not None)
        turns = screen.query_one(OptionList)
        short = str(turns.get_option_at_index(0).prompt)
        assert "THE-END" not in short and "enter shows the whole turn" in short
        assert screen.check_action("pin", ()) is None
        await pilot.press("enter")
        assert "THE-END" in str(turns.get_option_at_index(0).prompt)
        await pilot.press("enter")
        assert "THE-END" not in str(turns.get_option_at_index(0).prompt)
        assert len(short) < PREVIEW * 3


async def test_hostile_conversation_is_shown_literally(
    workspace: Workspace, tmp_path: Path
) -> None:
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(runs_file(tmp_path))])])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, "b" * 32)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ConversationScreen)
        await wait_until(pilot, lambda: screen.conversation is not None)
        header = str(screen.query_one("#conv-header", Static).render())
        assert "[@click" in header or "@click" in header  # shown as text, not run
        assert "\x1b" not in header
        assert app.is_running
    assert HOSTILE


async def test_icicle_view_navigates_spans_by_time_and_depth(
    workspace: Workspace, tmp_path: Path
) -> None:
    from ircmd.tui.screens.investigate.icicle_view import IcicleScreen
    from ircmd.tui.widgets.investigate.icicle import Icicle

    app = TraceViewApp(workspace, [FileTraceSource("files", [str(runs_file(tmp_path))])])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, A)
        await pilot.press("I")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, IcicleScreen))
        screen = pilot.app.screen
        assert isinstance(screen, IcicleScreen)
        await wait_until(pilot, lambda: bool(screen.query(Icicle)))
        chart = screen.query_one(Icicle)
        await pilot.pause()

        def at() -> str:
            return str(chart.current["name"]) if chart.current else ""

        def detail() -> str:
            return str(screen.query_one("#icicle-detail", Static).render())

        assert at() == "invoke_agent support" and chart.depth == 3
        assert "900.0 ms (100% of the trace)" in detail()
        await pilot.press("j")  # first child in time: the retrieval at +10 ms
        assert at() == "retrieve policy"
        await pilot.press("l")
        assert at() == "chat gpt-4o"
        await pilot.wait_for_scheduled_animations()
        # the tool call (710–890 ms) lies after its parent (130–700 ms) ends: no overlap
        assert "chat gpt-4o  llm  570.0 ms (63% of the trace)  self 570.0 ms" in detail()
        await pilot.press("j")
        assert at() == "execute_tool issue_refund"
        await pilot.press("l")  # alone at its depth: stays
        assert at() == "execute_tool issue_refund"
        await pilot.press("k", "k")
        assert at() == "invoke_agent support"
        # time on x: the root fills the width, the LLM call starts 130/900 of the way in
        lines = chart.render().plain.split("\n")
        width = chart.size.width
        assert lines[0].startswith("▏invoke_agent") and len(lines[0]) == width
        assert lines[1].index("▏chat") == 130 * width // 900
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, IcicleScreen))


def versioned_file(tmp_path: Path) -> Path:
    """Three runs with prompt ``refund-policy`` v6 that succeed, then three with v7 that fail."""
    spans = []
    for i in range(6):
        v = "6" if i < 3 else "7"
        attrs = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.prompt.name": "refund-policy",
            "gen_ai.prompt.version": v,
        }
        err = "policy refused" if v == "7" else None
        spans.append(
            _span(
                f"{i + 1:032x}",
                f"{i + 1:016x}",
                None,
                "chat",
                i * 60_000,
                i * 60_000 + 500,
                attrs,
                error=err,
            )
        )
    return write_otlp(tmp_path / "versioned.json", spans)


async def test_changes_view_lists_the_change_point_and_records_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    from ircmd.tui.screens.investigate.changes_view import ChangesScreen

    inc, _ = workspace.incidents.declare("Refunds refused", severity="high")
    path = versioned_file(tmp_path)
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, f"{1:032x}")
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChangesScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ChangesScreen)
        await wait_until(pilot, lambda: screen.report is not None)
        await pilot.pause()
        cp = screen.current_point
        assert cp is not None and cp.dimension == "prompt"
        assert (cp.error_rate_before, cp.error_rate_after) == (0.0, 1.0)
        assert "7" in cp.to_value and "6" in (cp.from_value or "")
        table = screen.query_one("#change-points", DataTable)
        row = " ".join(str(c) for c in table.get_row_at(0))
        assert "0.0% → 100.0%" in row
        await pilot.press("r")
        await wait_until(pilot, lambda: bool(screen.recorded))
        ev = workspace.incidents.timeline(inc.id)[-1]
        assert ev.kind.value == "finding" and ev.data["kind"] == "change_point"
        assert ev.data["error_rate_after"] == 1.0 and ev.data["dimension"] == "prompt"
        assert "errors rose from 0.0% to 100.0% when prompt" in ev.text
        assert "appeared at 2025-10-09 08:56:20 UTC" in ev.text  # v7's first run, T0 + 3 min


async def test_changes_view_without_change_points_and_read_only(
    workspace: Workspace, tmp_path: Path
) -> None:
    from ircmd.tui.screens.investigate.changes_view import ChangesScreen

    app = TraceViewApp(workspace, [FileTraceSource("files", [str(runs_file(tmp_path))])])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, A)
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChangesScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ChangesScreen)
        await wait_until(pilot, lambda: screen.report is not None)
        assert screen.check_action("record", ()) is None  # no incident
        assert screen.report is not None
        versions = screen.query_one("#versions", DataTable)
        assert versions.row_count == sum(len(v) for v in screen.report.dimensions.values()) > 0


async def test_conversation_by_the_apps_own_attribute_from_config(tmp_path: Path) -> None:
    """``[traces] conversation_attributes``: an app naming its conversations ``app.thread_id``
    gets them in ``c`` and in the blast radius's conversation count."""
    from ircmd.domain.traces.blast import find_similar, query_from_span
    from ircmd.domain.traces.spans import Span
    from ircmd.service.config import parse_config

    def own_ids(spans: list[Span], thread: str) -> list[Span]:
        out = []
        for s in spans:
            if s.attr("gen_ai.conversation.id"):
                attrs = {k: v for k, v in s.attr_items() if k != "gen_ai.conversation.id"}
                attrs["app.thread_id"] = thread
                s = Span(
                    s.trace_id,
                    s.span_id,
                    s.parent_id,
                    s.name,
                    s.start_ns,
                    s.end_ns,
                    s.status_code,
                    s.status_message,
                    attributes=attrs,
                    resource=s.resource,
                )
            out.append(s)
        return out

    spans = [
        *own_ids(refund_trace(A), "thread-1"),
        *own_ids(refund_trace(B, account="ACC-9"), "thread-1"),
        *own_ids(refund_trace(C, user="u-2"), "thread-2"),
    ]
    path = write_otlp(tmp_path / "threads.json", spans)
    config = parse_config('[traces]\nconversation_attributes = ["app.thread_id"]\n', "<test>")
    ws = Workspace.open(config, tmp_path / "data", actor="tester")
    try:
        app = TraceViewApp(ws, [FileTraceSource("files", [str(path)])])
        async with app.run_test(size=(160, 48)) as pilot:
            pane = await loaded(pilot, B)
            await pilot.press("c")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))
            screen = pilot.app.screen
            assert isinstance(screen, ConversationScreen)
            await wait_until(pilot, lambda: screen.conversation is not None)
            conv = screen.conversation
            assert conv is not None and conv.conversation_id == "thread-1"
            assert [t.trace_id for t in conv.turns] == [A, B]
            assert pane.conversation_keys == ["app.thread_id"]
        tool = next(s for s in spans if s.tool_name == "issue_refund")
        q = query_from_span(tool, "tool")
        assert find_similar(spans, q).conversations == 0  # without the config key
        assert find_similar(spans, q, ["app.thread_id"]).conversation_ids == [
            "thread-1",
            "thread-2",
        ]
    finally:
        ws.close()


async def test_changes_view_counts_the_incidents_findings(
    workspace: Workspace, tmp_path: Path
) -> None:
    """No errors, but the incident's blast radius names every run after doc-b appeared: a
    change point in findings, shown as such."""
    from ircmd.domain.traces.blast import SimilarQuery, find_similar
    from ircmd.tui.screens.investigate.changes_view import ChangesScreen

    spans = []
    for i in range(20):
        attrs = {
            "openinference.span.kind": "RETRIEVER",
            "retrieval.documents.0.document.id": "doc-a" if i < 10 else "doc-b",
        }
        spans.append(
            _span(f"{i + 1:032x}", f"{i + 1:016x}", None, "retrieve", i * 1000, i * 1000 + 5, attrs)
        )
    path = write_otlp(tmp_path / "docs.json", spans)
    inc, _ = workspace.incidents.declare("Stale document", severity="high")
    svc = TraceService.for_workspace(workspace)
    svc.record_finding(inc.id, find_similar(spans, SimilarQuery(document_id="doc-b")))
    app = TraceViewApp(workspace, [FileTraceSource("files", [str(path)])], incident_id=inc.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, f"{1:032x}")
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChangesScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ChangesScreen)
        await wait_until(pilot, lambda: screen.report is not None)
        cp = screen.current_point
        assert cp is not None and cp.by_findings and cp.to_value == "doc-b"
        row = " ".join(str(c) for c in screen.query_one("#change-points", DataTable).get_row_at(0))
        assert "findings 0.0% → 100.0%" in row
