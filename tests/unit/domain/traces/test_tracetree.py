"""Trace trees: split batches, orphans, clock skew, cycles, critical path, search, errors."""

from __future__ import annotations

from ircmd.domain.traces.spans import Span
from ircmd.domain.traces.tracetree import TraceIndex, TraceTree, filter_summaries

T1 = "a" * 32
T2 = "b" * 32


def mk(
    sid: str,
    parent: str | None,
    start: int,
    end: int,
    *,
    trace: str = T1,
    error: bool = False,
    attrs: dict[str, object] | None = None,
) -> Span:
    return Span(
        trace,
        sid.rjust(16, "0"),
        parent_id=parent.rjust(16, "0") if parent else None,
        name=f"span-{sid}",
        start_ns=start,
        end_ns=end,
        status_code="ERROR" if error else "UNSET",
        attributes=attrs,
        resource={"service.name": "svc"},
    )


def sid(s: str) -> str:
    return s.rjust(16, "0")


def test_batches_merge_and_orphans_become_roots() -> None:
    idx = TraceIndex()
    idx.add([mk("1", None, 0, 100), mk("3", "2", 20, 30)])
    tree = idx.tree(T1)
    assert tree is not None and tree.roots[1].span_id == sid("3")
    assert tree.is_orphan(sid("3"))
    v = idx.version
    changed = idx.add([mk("2", "1", 10, 50)])
    assert changed == {T1} and idx.version > v
    tree = idx.tree(T1)
    assert tree is not None
    assert [(r.span.name, r.depth) for r in tree.walk()] == [
        ("span-1", 0),
        ("span-2", 1),
        ("span-3", 2),
    ]
    assert idx.span_count == 3
    idx.add([mk("2", "1", 10, 50)])  # duplicate replaces
    assert idx.span_count == 3 and len(list(idx.spans(T1))) == 3


def test_clock_skewed_child_stays_under_its_parent() -> None:
    tree = TraceTree(T1, [mk("1", None, 1000, 2000), mk("2", "1", 500, 900)])
    assert [r.depth for r in tree.walk()] == [0, 1]
    parent = tree.parent(sid("2"))
    assert parent is not None and parent.span_id == sid("1")
    assert tree.start_ns == 500


def test_parent_cycle_and_self_parent_do_not_hang() -> None:
    spans = [mk("1", "2", 0, 10), mk("2", "1", 1, 5), mk("3", "3", 2, 3)]
    tree = TraceTree(T1, spans)
    assert sorted(r.span.span_id for r in tree.walk()) == [sid("1"), sid("2"), sid("3")]
    assert len(tree.roots) == 2


def test_deep_chain_has_no_recursion_limit() -> None:
    spans = [mk("1", None, 0, 10**6)] + [
        mk(str(i), str(i - 1), i, 10**6 - i) for i in range(2, 5002)
    ]
    tree = TraceTree(T1, spans)
    rows = list(tree.walk())
    assert rows[-1].depth == 5000
    assert len(tree.critical_path()) == 5001
    assert len(tree.filter_ids("span-5001")) == 5001


def test_critical_path_takes_the_chain_that_ends_last() -> None:
    # root 0..100: a 0..40 then b 45..100 sequential; c 10..30 runs beside a
    spans = [
        mk("1", None, 0, 100),
        mk("a", "1", 0, 40),
        mk("b", "1", 45, 100),
        mk("c", "1", 10, 30),
        mk("d", "b", 50, 90),
    ]
    assert TraceTree(T1, spans).critical_path() == [sid("1"), sid("a"), sid("b"), sid("d")]


def test_search_keeps_matches_and_ancestors_only() -> None:
    spans = [
        mk("1", None, 0, 100),
        mk("2", "1", 1, 50),
        mk("3", "2", 2, 10, attrs={"gen_ai.tool.name": "issue_refund"}),
        mk("4", "1", 60, 70),
    ]
    tree = TraceTree(T1, spans)
    assert tree.filter_ids("ISSUE_REFUND") == {sid("1"), sid("2"), sid("3")}
    assert tree.filter_ids("nothing like it") == set()


def test_next_error_wraps_in_display_order() -> None:
    spans = [
        mk("1", None, 0, 100),
        mk("2", "1", 1, 50, error=True),
        mk("3", "1", 60, 70),
        mk("4", "3", 61, 62, error=True),
    ]
    tree = TraceTree(T1, spans)
    assert tree.next_error() == sid("2")
    assert tree.next_error(sid("2")) == sid("4")
    assert tree.next_error(sid("4")) == sid("2")
    assert tree.next_error(sid("2"), backwards=True) == sid("4")
    assert TraceTree(T1, [mk("1", None, 0, 1)]).next_error() is None


def test_summary_counts_tokens_errors_and_lists_filters() -> None:
    idx = TraceIndex()
    idx.add(
        [
            mk("1", None, 0, 100, attrs={"gen_ai.conversation.id": "c1"}),
            mk(
                "2",
                "1",
                1,
                50,
                error=True,
                attrs={
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": "gpt-4o",
                    "gen_ai.usage.input_tokens": 10,
                    "gen_ai.usage.output_tokens": 4,
                },
            ),
            mk("9", None, 500, 900, trace=T2),
        ]
    )
    s1 = idx.summary(T1)
    assert s1 is not None
    assert (s1.root_name, s1.service, s1.span_count, s1.error_count) == ("span-1", "svc", 2, 1)
    assert (s1.input_tokens, s1.output_tokens, s1.duration_ns) == (10, 4, 100)
    assert s1.models == ("gpt-4o",) and s1.conversations == ("c1",)
    assert [s.trace_id for s in idx.summaries()] == [T2, T1]
    assert [s.trace_id for s in filter_summaries(idx.summaries(), errors_only=True)] == [T1]
    assert [s.trace_id for s in filter_summaries(idx.summaries(), model="gpt-4o")] == [T1]
    assert filter_summaries(idx.summaries(), conversation="nope") == []
