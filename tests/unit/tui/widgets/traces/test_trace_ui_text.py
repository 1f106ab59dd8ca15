"""What the trace widgets draw from hostile spans: literal markup, no control characters."""

from __future__ import annotations

from tests.trace_ui_samples import HOSTILE, hostile_trace, refund_trace

from ircmd.domain.traces.tracetree import TraceIndex
from ircmd.tui.screens.warroom.panes.trace_state import LiveFeed, tree_model
from ircmd.tui.widgets.traces.span_detail import pretty_json, span_detail_text
from ircmd.tui.widgets.traces.span_format import format_duration, format_tokens
from ircmd.tui.widgets.traces.trace_list import filter_trace_list, parse_trace_filter

CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\n"] + [chr(c) for c in range(0x7F, 0xA0)]


def test_detail_of_a_hostile_span_is_literal_and_control_free() -> None:
    for span in hostile_trace():
        text = span_detail_text(span, span.start_ns)
        plain = text.plain
        assert "[@click=app.quit]x[/]" in plain
        assert "[link=file:///etc/passwd]" in plain
        assert "␛]52;c;SGVsbG8=" in plain
        bad = [c for c in CONTROLS if c in plain]
        assert not bad, f"control characters reached the screen: {bad!r}"
        # no span of the Text carries a style made from the data (no link/click meta)
        for s in text.spans:
            style = str(s.style)
            assert "click" not in style and "link" not in style


def test_detail_shows_messages_tool_documents_prompt() -> None:
    spans = {s.span_id[0]: s for s in refund_trace()}
    llm = span_detail_text(spans["3"]).plain
    assert "Input messages (2)" in llm and "system" in llm and "Refund me" in llm
    assert "tool call issue_refund" in llm and '"account_id": "ACC-1"' in llm
    assert "gpt-4o" in llm and "version 7" in llm and "tokens in 1200" in llm
    tool = span_detail_text(spans["4"]).plain
    assert "✖ ERROR: refund over policy limit" in tool
    assert '"reason": "over limit"' in tool
    retrieval = span_detail_text(spans["2"]).plain
    assert "policy-12" in retrieval and "score 0.83" in retrieval
    assert "kb-refund-policy-v7" in retrieval


def test_huge_values_are_cut_with_a_note() -> None:
    text = pretty_json("x" * 50_000)
    assert len(text) == 50_000
    span = refund_trace()[3]
    from ircmd.domain.traces.spans import Span

    big = Span(span.trace_id, "9" * 16, attributes={"input.value": "y" * 50_000})
    plain = span_detail_text(big).plain
    assert "more characters not shown" in plain
    assert len(plain) < 20_000


def test_tree_model_shape_errors_and_critical_path() -> None:
    index = TraceIndex()
    index.add(refund_trace())
    tree = index.tree("a" * 32)
    assert tree is not None
    view = tree_model(tree)
    names = [s.name for s in view.spans]
    assert names[0] == "invoke_agent support"
    assert view.model.parents[0] == -1
    assert view.spans[view.model.parents[view.node_of("4" * 16)]].span_id == "3" * 16
    assert [view.spans[i].span_id for i in view.model.errors] == ["4" * 16]
    assert view.model.critical is not None
    assert view.node_of("4" * 16) in view.model.critical()
    info = view.model.info(view.node_of("3" * 16))
    assert (info.kind, info.input_tokens, info.output_tokens) == ("llm", 1200, 85)
    assert view.matches("issue_refund") >= {view.node_of("4" * 16)}


def test_live_feed_coalesces_batches() -> None:
    feed = LiveFeed()
    for i in range(100):
        feed.feed(refund_trace(f"{i:032x}"))
    feed.feed(refund_trace("f" * 32), live=False)
    assert feed.pending == 404 and feed.received == 400
    assert len(feed.drain()) == 404
    assert feed.pending == 0


def test_trace_filter_language() -> None:
    index = TraceIndex()
    index.add(refund_trace() + refund_trace("d" * 32, user="u-2") + hostile_trace())
    summaries = index.summaries()
    assert parse_trace_filter("error model:gpt tool:issue conv:u-2 x").errors_only
    assert len(filter_trace_list(summaries, "")) == 3
    assert len(filter_trace_list(summaries, "model:gpt-4o")) == 2
    assert len(filter_trace_list(summaries, "conv:conv-u-2")) == 1
    assert len(filter_trace_list(summaries, "tool:ISSUE_REFUND")) == 2
    assert len(filter_trace_list(summaries, "user:u-1 error")) == 1
    assert len(filter_trace_list(summaries, "click")) == 1  # the hostile root name
    assert filter_trace_list(summaries, "tool:nope") == []
    assert HOSTILE  # the sample is the one the widgets are tested with


def test_formats() -> None:
    assert format_duration(999) == "999ns"
    assert format_duration(1_500_000) == "1.5ms"
    assert format_duration(2_500_000_000) == "2.50s"
    assert format_duration(125 * 10**9) == "2m05s"
    assert format_tokens(0, 0) == ""
    assert format_tokens(1234, 56) == "1.2k→56"
