"""Blast radius: find similar and distinct argument values."""

from __future__ import annotations

import pytest

from ircmd.domain.traces.blast import (
    SimilarQuery,
    distinct_argument_values,
    find_similar,
    query_from_span,
    suggest_dimensions,
)
from ircmd.domain.traces.spans import Span


def span(
    trace: str, sid: str, parent: str | None, attrs: dict[str, object], start: int = 0
) -> Span:
    return Span(
        trace * 32,
        sid * 16,
        parent_id=parent * 16 if parent else None,
        name="x",
        start_ns=start,
        end_ns=start + 10,
        attributes=attrs,
    )


def run(
    trace: str, user: str, conv: str, account: str, start: int = 0, model: str = "gpt-4o"
) -> list[Span]:
    return [
        span(trace, "1", None, {"user.id": user, "gen_ai.conversation.id": conv}, start),
        span(
            trace,
            "2",
            "1",
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": model,
                "gen_ai.prompt.name": "refund",
                "gen_ai.prompt.version": "7",
            },
            start,
        ),
        span(
            trace,
            "3",
            "1",
            {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "issue_refund",
                "gen_ai.tool.call.arguments": f'{{"account_id": "{account}", "n": 1}}',
            },
            start,
        ),
        span(
            trace,
            "4",
            "1",
            {
                "openinference.span.kind": "RETRIEVER",
                "retrieval.documents.0.document.id": f"doc-{account}",
                "gen_ai.data_source.id": "internal-notes",
            },
            start,
        ),
    ]


SPANS = (
    run("a", "u1", "c1", "ACME-1", 0)
    + run("b", "u1", "c1", "ACME-1", 100)
    + run("c", "u2", "c2", "ACME-2", 200, model="claude")
    + run("d", "u3", "c3", "OTHER-9", 300)
)


def test_find_by_tool_counts_traces_conversations_users_from_the_whole_trace() -> None:
    r = find_similar(SPANS, SimilarQuery(tool="issue_refund"))
    assert (r.traces, r.spans, r.conversations, r.users) == (4, 4, 3, 3)
    assert r.scope == "the whole system"


def test_argument_pattern_and_time_window_narrow_it() -> None:
    q = SimilarQuery(tool="issue_refund", tool_args=(("account_id", "ACME-*"),))
    r = find_similar(SPANS, q)
    assert (r.traces, r.users) == (3, 2)
    r = find_similar(
        SPANS, SimilarQuery(tool="issue_refund", tool_args=(("account_id", "ACME-1"),))
    )
    assert (r.traces, r.conversations, r.users, r.scope) == (2, 1, 1, "one user")
    r = find_similar(SPANS, SimilarQuery(tool="issue_refund", since_ns=150, until_ns=250))
    assert r.trace_ids == ["c" * 32]
    r = find_similar(SPANS, SimilarQuery(tool="issue_refund", tool_args=(("n", "1"),)))
    assert r.traces == 4  # non-string values matched on their JSON text


def test_other_dimensions() -> None:
    assert find_similar(SPANS, SimilarQuery(model="claude")).trace_ids == ["c" * 32]
    assert find_similar(SPANS, SimilarQuery(prompt_name="refund", prompt_version="7")).traces == 4
    assert find_similar(SPANS, SimilarQuery(prompt_name="refund", prompt_version="6")).traces == 0
    assert find_similar(SPANS, SimilarQuery(retrieval_source="internal-notes")).traces == 4
    assert find_similar(SPANS, SimilarQuery(document_id="doc-ACME-2")).users == 1
    none = find_similar(SPANS, SimilarQuery(tool="delete_account"))
    assert (none.traces, none.scope) == (0, "no match")


def test_query_from_span_and_suggestions() -> None:
    tool = SPANS[2]
    assert suggest_dimensions(tool) == ["tool"]
    assert query_from_span(tool, "tool").tool == "issue_refund"
    assert query_from_span(SPANS[1], "prompt").prompt_version == "7"
    assert query_from_span(SPANS[3], "document").document_id == "doc-ACME-1"
    with pytest.raises(ValueError, match="not a tool call"):
        query_from_span(SPANS[0], "tool")


def test_distinct_argument_values_with_trace_links() -> None:
    vals = distinct_argument_values(SPANS, "issue_refund", "account_id")
    assert [(v.value, v.count) for v in vals] == [("ACME-1", 2), ("ACME-2", 1), ("OTHER-9", 1)]
    assert vals[0].trace_ids == ["a" * 32, "b" * 32]
    missing = distinct_argument_values(SPANS, "issue_refund", "reason")
    assert [(v.value, v.count) for v in missing] == [("(missing)", 4)]
