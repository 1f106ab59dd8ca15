"""The normalised Span: classification and derived fields over GenAI and OpenInference."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ircmd.domain.traces.spans import Span, SpanKind

TID = "5b8efff798038103d269b633813fc60c"


def span(attrs: dict[str, Any], name: str = "whatever", **kw: Any) -> Span:
    return Span(TID, "eee19b7ec3c1b174", name=name, attributes=attrs, **kw)


@pytest.mark.parametrize(
    ("op", "kind"),
    [
        ("chat", SpanKind.LLM),
        ("text_completion", SpanKind.LLM),
        ("generate_content", SpanKind.LLM),
        ("embeddings", SpanKind.EMBEDDING),
        ("execute_tool", SpanKind.TOOL),
        ("retrieval", SpanKind.RETRIEVAL),
        ("invoke_agent", SpanKind.AGENT),
        ("create_agent", SpanKind.AGENT),
        ("invoke_workflow", SpanKind.WORKFLOW),
        ("something_new", SpanKind.OTHER),
    ],
)
def test_genai_operation_name_decides_kind(op: str, kind: SpanKind) -> None:
    assert span({"gen_ai.operation.name": op}).kind is kind


@pytest.mark.parametrize(
    ("oi", "kind"),
    [
        ("LLM", SpanKind.LLM),
        ("TOOL", SpanKind.TOOL),
        ("RETRIEVER", SpanKind.RETRIEVAL),
        ("EMBEDDING", SpanKind.EMBEDDING),
        ("AGENT", SpanKind.AGENT),
        ("CHAIN", SpanKind.CHAIN),
        ("RERANKER", SpanKind.RERANKER),
        ("GUARDRAIL", SpanKind.GUARDRAIL),
        ("EVALUATOR", SpanKind.EVALUATOR),
        ("PROMPT", SpanKind.OTHER),
        ("UNKNOWN", SpanKind.OTHER),
        ("tool", SpanKind.TOOL),
    ],
)
def test_openinference_span_kind_decides_kind(oi: str, kind: SpanKind) -> None:
    assert span({"openinference.span.kind": oi}).kind is kind


def test_kind_never_comes_from_the_span_name() -> None:
    assert span({}, name="chat gpt-4o").kind is SpanKind.OTHER
    assert span({}, name="execute_tool issue_refund").kind is SpanKind.OTHER
    assert span({"gen_ai.operation.name": "chat"}, name="execute_tool x").kind is SpanKind.LLM


def test_genai_current_attributes() -> None:
    s = span(
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.provider.name": "openai",
            "gen_ai.usage.input_tokens": 120,
            "gen_ai.usage.output_tokens": 33,
            "gen_ai.conversation.id": "conv_1",
            "gen_ai.prompt.name": "refund-policy",
            "gen_ai.prompt.version": "7",
            "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be kind"}]),
            "gen_ai.input.messages": json.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": "Refund order 42?"}]}]
            ),
            "gen_ai.output.messages": json.dumps(
                [
                    {
                        "role": "assistant",
                        "parts": [
                            {"type": "text", "content": "Checking"},
                            {
                                "type": "tool_call",
                                "id": "c1",
                                "name": "issue_refund",
                                "arguments": {"account_id": "A-1"},
                            },
                        ],
                        "finish_reason": "tool_call",
                    }
                ]
            ),
            "user.id": "u-9",
        }
    )
    assert s.kind is SpanKind.LLM
    assert s.model == "gpt-4o"
    assert s.response_model == "gpt-4o-2024-08-06"
    assert s.provider == "openai"
    assert (s.input_tokens, s.output_tokens) == (120, 33)
    assert s.conversation_id == "conv_1"
    assert s.user_id == "u-9"
    assert (s.prompt_name, s.prompt_version) == ("refund-policy", "7")
    assert [(m.role, m.content) for m in s.input_messages] == [
        ("system", "Be kind"),
        ("user", "Refund order 42?"),
    ]
    (out,) = s.output_messages
    assert (out.role, out.content) == ("assistant", "Checking")
    assert out.tool_calls[0].name == "issue_refund"
    assert json.loads(out.tool_calls[0].arguments) == {"account_id": "A-1"}


def test_genai_deprecated_attributes() -> None:
    s = span(
        {
            "gen_ai.system": "anthropic",
            "gen_ai.request.model": "claude",
            "gen_ai.usage.prompt_tokens": "11",
            "gen_ai.usage.completion_tokens": 5,
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "hi",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "hello",
        }
    )
    # no operation name or kind attribute: a provider and model alone do not make it llm
    assert s.kind is SpanKind.OTHER
    assert s.provider == "anthropic"
    assert (s.input_tokens, s.output_tokens) == (11, 5)
    assert [(m.role, m.content) for m in s.input_messages] == [("user", "hi")]
    assert [(m.role, m.content) for m in s.output_messages] == [("assistant", "hello")]


def test_genai_tool_and_retrieval() -> None:
    tool = span(
        {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "issue_refund",
            "gen_ai.tool.call.arguments": '{"account_id": "A-1", "amount": 120.5}',
            "gen_ai.tool.call.result": '{"ok": true}',
        }
    )
    assert tool.tool_name == "issue_refund"
    assert tool.tool_arguments == {"account_id": "A-1", "amount": 120.5}
    assert tool.tool_result == {"ok": True}
    ret = span(
        {
            "gen_ai.operation.name": "retrieval",
            "gen_ai.data_source.id": "kb-policies",
            "gen_ai.retrieval.documents": json.dumps(
                [{"id": "doc_1", "score": 0.9}, {"id": "doc_2", "score": 0.5}]
            ),
        }
    )
    assert ret.retrieval_source == "kb-policies"
    assert [(d.id, d.score) for d in ret.documents] == [("doc_1", 0.9), ("doc_2", 0.5)]


def test_openinference_flattened_lists() -> None:
    s = span(
        {
            "openinference.span.kind": "LLM",
            "llm.model_name": "gpt-4o-mini",
            "llm.provider": "openai",
            "llm.token_count.prompt": 40,
            "llm.token_count.completion": 9,
            "llm.prompt_template.version": "v3",
            "llm.input_messages.1.message.role": "user",
            "llm.input_messages.1.message.content": "second",
            "llm.input_messages.0.message.role": "system",
            "llm.input_messages.0.message.content": "first",
            "llm.input_messages.10.message.role": "user",
            "llm.input_messages.10.message.contents.0.message_content.type": "text",
            "llm.input_messages.10.message.contents.0.message_content.text": "eleventh",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": "{}",
            "session.id": "sess-1",
            "user.id": "user-1",
        }
    )
    assert s.kind is SpanKind.LLM
    assert (s.model, s.provider, s.input_tokens, s.output_tokens) == (
        "gpt-4o-mini",
        "openai",
        40,
        9,
    )
    assert s.prompt_version == "v3"
    assert [m.content for m in s.input_messages] == ["first", "second", "eleventh"]
    assert s.output_messages[0].tool_calls[0].name == "lookup"
    assert (s.conversation_id, s.user_id) == ("sess-1", "user-1")


def test_openinference_tool_and_retriever() -> None:
    tool = span(
        {
            "openinference.span.kind": "TOOL",
            "tool.name": "issue_refund",
            "tool.parameters": '{"account_id": "A-7"}',
            "output.value": "refunded",
        }
    )
    assert tool.tool_name == "issue_refund"
    assert tool.tool_arguments == {"account_id": "A-7"}
    assert tool.tool_result == "refunded"
    ret = span(
        {
            "openinference.span.kind": "RETRIEVER",
            "retrieval.documents.0.document.id": "kb-1",
            "retrieval.documents.0.document.score": 0.87,
            "retrieval.documents.0.document.content": "Refunds within 30 days",
            "retrieval.documents.1.document.id": 7,
            "retrieval.documents.1.document.metadata": '{"source": "internal-notes"}',
        }
    )
    docs = ret.documents
    assert [(d.id, d.score, d.content) for d in docs] == [
        ("kb-1", 0.87, "Refunds within 30 days"),
        ("7", None, None),
    ]
    assert ret.retrieval_source == "internal-notes"


def test_garbage_attribute_values_do_not_raise() -> None:
    s = span(
        {
            "gen_ai.operation.name": 5,
            "gen_ai.usage.input_tokens": "lots",
            "gen_ai.input.messages": "{not json",
            "gen_ai.retrieval.documents": "[1, 2",
            "llm.input_messages.x.message.role": "user",
            "gen_ai.tool.call.arguments": b"\xff\xfe",
        }
    )
    assert s.input_tokens is None
    assert s.input_messages == (s.input_messages[0],)
    assert s.input_messages[0].content == "{not json"
    assert s.documents == ()
    assert isinstance(s.tool_arguments, str)
    assert s.kind is SpanKind.TOOL


def test_canonical_json_round_trip_keeps_every_value_type() -> None:
    s = Span(
        TID,
        "eee19b7ec3c1b174",
        parent_id="eee19b7ec3c1b175",
        name="n",
        start_ns=1,
        end_ns=2**62,
        status_code="ERROR",
        status_message="[@click=app.quit]x[/]",
        attributes={
            "b": True,
            "i": 2**63 - 1,
            "f": 1.5,
            "nan": float("nan"),
            "bytes": b"\x00\x1b]52;c;SGVsbG8=\x07",
            "arr": [1, "x", [2.0]],
            "kv": {"a": {"b": None}},
        },
        resource={"service.name": "svc"},
    )
    text = s.canonical_json()
    back = Span.from_dict(json.loads(text))
    assert back.canonical_json() == text
    assert back.attr("bytes") == b"\x00\x1b]52;c;SGVsbG8=\x07"
    assert back.service == "svc"
    assert back.status_message == "[@click=app.quit]x[/]"
