"""Messages written as a Python ``repr`` in a GenAI text part (the Agents SDK v2
instrumentation): read as literals with ``ast.literal_eval``, bounded, never ``eval``."""

from __future__ import annotations

import json

import pytest

from ircmd.domain.traces.blast import SimilarQuery, distinct_argument_values, find_similar
from ircmd.domain.traces.conventions import REPR_MAX_CHARS
from ircmd.domain.traces.spans import Span

TID = "5b8efff798038103d269b633813fc60c"
REPLY = (
    "{'content': None, 'refusal': None, 'role': 'assistant', 'annotations': None, "
    "'audio': None, 'function_call': None, 'tool_calls': [{'id': 'call_1', 'function': "
    "{'arguments': '{\"account_id\": \"A-7\", \"amount\": 3.5}', 'name': 'issue_refund'}, "
    "'type': 'function'}]}"
)


def llm(text: str) -> Span:
    out = [{"role": "assistant", "parts": [{"type": "text", "content": text}]}]
    return Span(
        TID,
        "eee19b7ec3c1b174",
        name="chat gpt-4o-mini",
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.output.messages": json.dumps(out),
        },
    )


def test_repr_reply_gives_its_tool_calls_and_text() -> None:
    s = llm(REPLY)
    (m,) = s.output_messages
    assert m.role == "assistant" and m.content == ""
    assert [(c.name, json.loads(c.arguments), c.id) for c in m.tool_calls] == [
        ("issue_refund", {"account_id": "A-7", "amount": 3.5}, "call_1")
    ]
    res = find_similar([s], SimilarQuery(tool="issue_refund", tool_args=(("account_id", "A-7"),)))
    assert [x["invocation"] for x in res.to_dict()["matches"]] == ["requested"]
    assert [v.value for v in distinct_argument_values([s], "issue_refund", "account_id")] == ["A-7"]
    with_text = llm("{'role': 'assistant', 'content': 'Done.', 'tool_calls': None}")
    assert [(m.content, m.tool_calls) for m in with_text.output_messages] == [("Done.", ())]


@pytest.mark.parametrize(
    "text",
    [
        "{'role': 'assistant', 'content': __import__('os').system('echo pwned')}",
        "{'role': 'assistant', 'content': (lambda: 1)()}",
        "{'role': 'assistant', 'content': 'x'" + " " * REPR_MAX_CHARS + "}",
        "{'role': " * 5000 + "}",
        "{'role': 'a', 'content': " + "[" * 30000 + "]" * 30000 + "}",
        "{'no role': 1, 'content': 'x'}",
        "{'role': 'assistant'}",
        "I said {'role': 'assistant', 'content': 'x'}",
    ],
)
def test_anything_else_stays_text(text: str) -> None:
    (m,) = llm(text).output_messages
    assert m.content == text and m.tool_calls == ()
