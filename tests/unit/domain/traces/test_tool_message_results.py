"""A LangChain tool called with a tool call returns a ``ToolMessage``; instrumentations
serialise it as the tool's output. ircmd reads its content as the result and its
``tool_call_id`` as the call the span executed; a tool span with no call id joins the
model's request of the same tool and arguments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ircmd.domain.traces.blast import tool_invocations
from ircmd.domain.traces.spans import Span

TID = "1" * 32
MSG = {"content": "refunded 9 to A-2", "type": "tool", "tool_call_id": "call_9", "name": "r"}


def _tool(sid: str, attrs: dict[str, Any]) -> Span:
    return Span(TID, sid, name="issue_refund", attributes=attrs)


@pytest.mark.parametrize(
    "output",
    [
        {"type": "tool", "data": MSG},  # OpenInference
        {"lc": 1, "type": "constructor", "id": ["langchain", "ToolMessage"], "kwargs": MSG},
        {"output": {"type": "tool", "data": MSG}, "kwargs": {}},  # OpenLLMetry envelope
    ],
)
def test_serialised_tool_message_gives_content_and_call_id(output: dict[str, Any]) -> None:
    s = _tool(
        "a" * 16,
        {
            "openinference.span.kind": "TOOL",
            "tool.name": "issue_refund",
            "input.value": json.dumps({"account_id": "A-2"}),
            "output.value": json.dumps(output),
        },
    )
    assert s.tool_result == "refunded 9 to A-2"
    assert s.tool_call_id == "call_9"


def test_other_dicts_are_left_alone() -> None:
    out = {"type": "tool", "data": MSG, "extra": 1}  # not the serialisation's shape
    s = _tool(
        "b" * 16,
        {"openinference.span.kind": "TOOL", "tool.name": "t", "output.value": json.dumps(out)},
    )
    assert s.tool_result == out
    assert s.tool_call_id is None


def _llm(sid: str, args: dict[str, Any]) -> Span:
    msgs = [
        {
            "role": "assistant",
            "parts": [
                {"type": "tool_call", "id": "call_1", "name": "issue_refund", "arguments": args}
            ],
        }
    ]
    return Span(
        TID,
        sid,
        name="chat",
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.output.messages": json.dumps(msgs),
        },
    )


def test_tool_span_without_call_id_joins_the_request_with_the_same_arguments() -> None:
    run = _tool(
        "c" * 16,
        {
            "openinference.span.kind": "TOOL",
            "tool.name": "issue_refund",
            "input.value": json.dumps({"account_id": "A-1"}),
        },
    )
    same = _llm("d" * 16, {"account_id": "A-1"})
    got = tool_invocations([same, run])
    assert [(i.invocation, i.call_id, i.span.span_id) for i in got] == [
        ("both", "call_1", "c" * 16)
    ]
    other = _llm("e" * 16, {"account_id": "A-9"})  # another request: two calls
    got = tool_invocations([other, run])
    assert sorted(i.invocation for i in got) == ["executed", "requested"]
