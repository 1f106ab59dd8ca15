"""The honest span model: kinds from explicit attributes, request/response models, tool calls
requested by a model as invocations, messages from every place, GenAI log events, scope."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ircmd.domain.traces.blast import (
    SimilarQuery,
    distinct_argument_values,
    find_similar,
    tool_invocations,
)
from ircmd.domain.traces.logs import attach_logs, decode_logs_json
from ircmd.domain.traces.spans import Span, SpanKind, model_matches

TID = "5b8efff798038103d269b633813fc60c"


def span(attrs: dict[str, Any], sid: str = "eee19b7ec3c1b174", **kw: Any) -> Span:
    return Span(TID, sid, name="n", attributes=attrs, **kw)


@pytest.mark.parametrize(
    ("attrs", "kind"),
    [
        ({"gen_ai.operation.name": "unknown", "gen_ai.system": "openai"}, SpanKind.OTHER),
        ({"gen_ai.operation.name": "vector_db_retrieve", "gen_ai.system": "x"}, SpanKind.RETRIEVAL),
        ({"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o"}, SpanKind.OTHER),
        ({"llm.request.type": "embedding", "gen_ai.system": "openai"}, SpanKind.EMBEDDING),
        ({"llm.request.type": "chat", "gen_ai.system": "openai"}, SpanKind.LLM),
        ({"traceloop.span.kind": "workflow"}, SpanKind.WORKFLOW),
        ({"traceloop.span.kind": "tool"}, SpanKind.TOOL),
        ({"ai.operationId": "ai.generateText.doGenerate"}, SpanKind.LLM),
        ({"ai.operationId": "ai.toolCall"}, SpanKind.TOOL),
        ({"ai.operationId": "ai.embed.doEmbed"}, SpanKind.EMBEDDING),
        ({"openinference.span.kind": "UNKNOWN", "llm.model_name": "m"}, SpanKind.OTHER),
    ],
)
def test_kind_from_explicit_attributes_only(attrs: dict[str, object], kind: SpanKind) -> None:
    assert span(attrs).kind is kind


def test_unknown_operation_keeps_its_raw_name() -> None:
    s = span({"gen_ai.operation.name": "unknown", "gen_ai.provider.name": "openai"})
    assert (s.kind, s.operation) == (SpanKind.OTHER, "unknown")


def test_openinference_request_model_from_invocation_parameters() -> None:
    s = span(
        {
            "openinference.span.kind": "LLM",
            "llm.model_name": "gpt-4o-mini-2024-07-18",
            "llm.invocation_parameters": json.dumps({"model": "gpt-4o-mini", "temperature": 0}),
        }
    )
    assert s.request_model == "gpt-4o-mini"
    assert s.response_model == "gpt-4o-mini-2024-07-18"
    only_response = span(
        {"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini-2024-07-18"}
    )
    assert find_similar([only_response], SimilarQuery(model="gpt-4o-mini")).spans == 1
    assert find_similar([only_response], SimilarQuery(model="gpt-4o")).spans == 0


@pytest.mark.parametrize(
    ("wanted", "model", "ok"),
    [
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18", True),
        ("gpt-4o", "gpt-4o-mini-2024-07-18", False),
        ("gpt-4o", "gpt-4o-mini", False),
        ("claude-3-5-sonnet", "claude-3-5-sonnet-20241022", True),
        ("gpt-4", "gpt-4-0613", True),
        ("gpt-4o-mini", "gpt-4o-mini", True),
        ("gpt-4o-mini", None, False),
    ],
)
def test_model_family_matching(wanted: str, model: str | None, ok: bool) -> None:
    assert model_matches(wanted, model) is ok


def test_vercel_ai_sdk_spans() -> None:
    s = span(
        {
            "ai.operationId": "ai.generateText.doGenerate",
            "ai.model.id": "gpt-4o-mini",
            "ai.usage.promptTokens": 12,
            "ai.usage.completionTokens": 7,
            "ai.prompt.messages": json.dumps(
                [{"role": "user", "content": [{"type": "text", "text": "refund A-1"}]}]
            ),
            "ai.response.text": "",
            "ai.response.toolCalls": json.dumps(
                [
                    {
                        "toolCallType": "function",
                        "toolCallId": "c1",
                        "toolName": "issue_refund",
                        "args": '{"account_id": "A-1", "amount": 5}',
                    }
                ]
            ),
        }
    )
    assert (s.kind, s.request_model, s.input_tokens, s.output_tokens) == (
        SpanKind.LLM,
        "gpt-4o-mini",
        12,
        7,
    )
    assert [(m.role, m.content) for m in s.input_messages] == [("user", "refund A-1")]
    (call,) = s.output_messages[0].tool_calls
    assert (call.name, call.id, json.loads(call.arguments)) == (
        "issue_refund",
        "c1",
        {"account_id": "A-1", "amount": 5},
    )


def test_legacy_indexed_tool_calls_and_whole_strings() -> None:
    s = span(
        {
            "llm.request.type": "chat",
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "refund A-1",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.tool_calls.0.name": "issue_refund",
            "gen_ai.completion.0.tool_calls.0.arguments": '{"account_id": "A-1"}',
            "gen_ai.completion.0.tool_calls.0.id": "call_1",
        }
    )
    (call,) = s.output_messages[0].tool_calls
    assert (call.name, call.id, call.arguments) == (
        "issue_refund",
        "call_1",
        '{"account_id": "A-1"}',
    )
    whole = span({"gen_ai.prompt": "what is up", "gen_ai.completion": "nothing"})
    assert [(m.role, m.content) for m in whole.input_messages] == [("user", "what is up")]
    assert [(m.role, m.content) for m in whole.output_messages] == [("assistant", "nothing")]


def test_system_instructions_not_duplicated() -> None:
    sys_text = "You are a refunds agent."
    s = span(
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.system_instructions": json.dumps([{"type": "text", "content": sys_text}]),
            "gen_ai.input.messages": json.dumps(
                [
                    {"role": "system", "parts": [{"type": "text", "content": sys_text}]},
                    {"role": "user", "parts": [{"type": "text", "content": "hi"}]},
                ]
            ),
        }
    )
    assert [m.role for m in s.input_messages] == ["system", "user"]
    alone = span(
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.system_instructions": sys_text,
            "gen_ai.input.messages": [
                {"role": "user", "parts": [{"type": "text", "content": "hi"}]}
            ],
        }
    )
    assert [(m.role, m.content) for m in alone.input_messages] == [
        ("system", sys_text),
        ("user", "hi"),
    ]


def test_openinference_document_id_from_metadata() -> None:
    s = span(
        {
            "openinference.span.kind": "RETRIEVER",
            "retrieval.documents.0.document.content": "policy",
            "retrieval.documents.0.document.metadata": json.dumps({"id": "kb-7", "source": "kb"}),
        }
    )
    assert [d.id for d in s.documents] == ["kb-7"]
    assert s.retrieval_source == "kb"


def _llm(trace: str, sid: str, call_id: str, account: str) -> Span:
    out = [
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": call_id,
                    "name": "issue_refund",
                    "arguments": {"account_id": account, "amount": 5},
                }
            ],
        }
    ]
    return Span(
        trace * 32,
        sid * 16,
        name="chat",
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.output.messages": json.dumps(out),
        },
        resource={"service.name": f"svc-{trace}"},
    )


def test_requested_calls_are_invocations_and_join_executed_by_id() -> None:
    spans = [
        _llm("a", "1", "c1", "A-1"),
        Span(
            "a" * 32,
            "2" * 16,
            parent_id="1" * 16,
            name="tool",
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "issue_refund",
                "gen_ai.tool.call.id": "c1",
                "gen_ai.tool.call.arguments": '{"account_id": "A-1", "amount": 5}',
            },
        ),
        _llm("b", "3", "c2", "A-2"),
        _llm("c", "4", "c3", "A-2"),
    ]
    invs = tool_invocations(spans, "issue_refund")
    assert [(i.span.span_id[0], i.invocation) for i in invs] == [
        ("2", "both"),
        ("3", "requested"),
        ("4", "requested"),
    ]
    res = find_similar(spans, SimilarQuery(tool="issue_refund"))
    assert (res.spans, res.traces) == (3, 3)
    assert [m["invocation"] for m in res.to_dict()["matches"]] == ["both", "requested", "requested"]
    vals = distinct_argument_values(spans, "issue_refund", "account_id")
    assert [(v.value, v.count) for v in vals] == [("A-2", 2), ("A-1", 1)]
    narrowed = find_similar(
        spans, SimilarQuery(tool="issue_refund", tool_args=(("account_id", "A-2"),))
    )
    assert narrowed.traces == 2
    # scope: no conversation or user ids anywhere
    assert res.scope == "unknown"
    assert (
        res.scope_reason == "no conversation or user ids in these spans; 3 traces across 3 services"
    )
    assert res.to_dict()["dimensions"] == ["traces", "services"]


def test_langchain_envelope_unwrapped() -> None:
    env = {
        "input_str": "{'account_id': 'A-9'}",
        "tags": [],
        "metadata": {},
        "inputs": {"account_id": "A-9", "amount": 3},
        "kwargs": {},
    }
    s = span(
        {
            "traceloop.span.kind": "tool",
            "traceloop.entity.name": "issue_refund",
            "gen_ai.tool.name": "issue_refund",
            "traceloop.entity.input": json.dumps(env),
        }
    )
    assert s.tool_arguments == {"account_id": "A-9", "amount": 3}
    assert [v.value for v in distinct_argument_values([s], "issue_refund", "account_id")] == ["A-9"]


def _logs_doc(trace: str, span_id: str) -> dict[str, object]:
    def kv(k: str, v: object) -> dict[str, object]:
        return {"key": k, "value": {"stringValue": v}}

    return {
        "resourceLogs": [
            {
                "resource": {"attributes": [kv("service.name", "svc")]},
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "timeUnixNano": "2",
                                "traceId": trace,
                                "spanId": span_id,
                                "eventName": "gen_ai.client.inference.operation.details",
                                "attributes": [
                                    kv(
                                        "gen_ai.output.messages",
                                        json.dumps(
                                            [
                                                {
                                                    "role": "assistant",
                                                    "parts": [
                                                        {
                                                            "type": "tool_call",
                                                            "id": "c9",
                                                            "name": "issue_refund",
                                                            "arguments": {"account_id": "A-5"},
                                                        }
                                                    ],
                                                }
                                            ]
                                        ),
                                    )
                                ],
                            },
                            {
                                "timeUnixNano": "1",
                                "traceId": trace,
                                "spanId": span_id,
                                "eventName": "gen_ai.user.message",
                                "body": {"kvlistValue": {"values": [kv("content", "refund A-5")]}},
                            },
                            {
                                "timeUnixNano": "3",
                                "traceId": "",
                                "spanId": "",
                                "body": {"stringValue": "plain"},
                            },
                        ]
                    }
                ],
            }
        ]
    }


def test_logs_decode_and_attach() -> None:
    recs = decode_logs_json(_logs_doc(TID.upper(), "EEE19B7EC3C1B174"))
    assert [(r.trace_id, r.span_id, r.event_name) for r in recs][:2] == [
        (TID, "eee19b7ec3c1b174", "gen_ai.client.inference.operation.details"),
        (TID, "eee19b7ec3c1b174", "gen_ai.user.message"),
    ]
    assert recs[1].body == {"content": "refund A-5"} and recs[0].service == "svc"
    s = span({"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"})
    assert s.output_messages == ()  # derived before the join: must not stick
    assert attach_logs([s], recs) == 2
    assert [(m.role, m.content) for m in s.input_messages] == [("user", "refund A-5")]
    joined: list[Any] = list(s.output_messages)  # re-derived after the join
    assert joined[0].tool_calls[0].name == "issue_refund"
    assert find_similar([s], SimilarQuery(tool="issue_refund")).spans == 1


def test_choice_event_body() -> None:
    s = span({"gen_ai.operation.name": "chat"})
    doc = {
        "resourceLogs": [
            {
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "traceId": TID,
                                "spanId": "eee19b7ec3c1b174",
                                "attributes": [
                                    {"key": "event.name", "value": {"stringValue": "gen_ai.choice"}}
                                ],
                                "body": {
                                    "kvlistValue": {
                                        "values": [
                                            {
                                                "key": "message",
                                                "value": {
                                                    "kvlistValue": {
                                                        "values": [
                                                            {
                                                                "key": "content",
                                                                "value": {"stringValue": "done"},
                                                            }
                                                        ]
                                                    }
                                                },
                                            }
                                        ]
                                    }
                                },
                            }
                        ]
                    }
                ]
            }
        ]
    }
    attach_logs([s], decode_logs_json(doc))
    assert [(m.role, m.content) for m in s.output_messages] == [("assistant", "done")]


def test_trace_summary_lists_requested_tools() -> None:
    from ircmd.domain.traces.tracetree import TraceIndex

    spans = [_llm("a", "1", "c1", "A-1"), _llm("b", "2", "c2", "A-2")]
    spans.append(
        Span(
            "d" * 32,
            "5" * 16,
            name="chat",
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.output.messages": json.dumps(
                    [{"role": "assistant", "parts": [{"type": "text", "content": "no tools"}]}]
                ),
            },
        )
    )
    index = TraceIndex()
    index.add(spans)
    tools = {t: getattr(index.summary(t), "tools", None) for t in ("a" * 32, "d" * 32)}
    assert tools == {"a" * 32: ("issue_refund",), "d" * 32: ()}
