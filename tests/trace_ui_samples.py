"""Small OTLP JSON traces for the trace explorer's tests (the refund story + hostile text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ircmd.domain.traces.otlp import encode_spans
from ircmd.domain.traces.spans import Span

HOSTILE = (
    "[@click=app.quit]x[/] [link=file:///etc/passwd]p[/link] [/] \x1b]52;c;SGVsbG8=\x07 \x9b31m"
)
T0 = 1_760_000_000_000_000_000
MS = 1_000_000
RES = {"service.name": "support-bot", "openinference.project.name": "support"}


def _span(
    trace: str,
    sid: str,
    parent: str | None,
    name: str,
    start_ms: float,
    end_ms: float,
    attrs: dict[str, Any],
    *,
    error: str | None = None,
) -> Span:
    return Span(
        trace_id=trace,
        span_id=sid,
        parent_id=parent,
        name=name,
        start_ns=T0 + int(start_ms * MS),
        end_ns=T0 + int(end_ms * MS),
        status_code="ERROR" if error else "OK",
        status_message=error or "",
        attributes=attrs,
        resource=RES,
        scope="tests",
    )


def refund_trace(trace: str = "a" * 32, *, account: str = "ACC-1", user: str = "u-1") -> list[Span]:
    """An agent run: retrieval, an LLM call, a refund tool call that fails."""
    conv = {"gen_ai.conversation.id": f"conv-{user}", "user.id": user}
    return [
        _span(
            trace,
            "1" * 16,
            None,
            "invoke_agent support",
            0,
            900,
            {"gen_ai.operation.name": "invoke_agent", **conv},
        ),
        _span(
            trace,
            "2" * 16,
            "1" * 16,
            "retrieve policy",
            10,
            120,
            {
                "openinference.span.kind": "RETRIEVER",
                "gen_ai.data_source.id": "kb-refund-policy-v7",
                "retrieval.documents.0.document.id": "policy-12",
                "retrieval.documents.0.document.score": 0.83,
                "retrieval.documents.0.document.content": "Refunds within 30 days.",
                "retrieval.documents.1.document.id": "policy-99",
                "retrieval.documents.1.document.score": 0.41,
            },
        ),
        _span(
            trace,
            "3" * 16,
            "1" * 16,
            "chat gpt-4o",
            130,
            700,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.provider.name": "openai",
                "gen_ai.usage.input_tokens": 1200,
                "gen_ai.usage.output_tokens": 85,
                "gen_ai.prompt.name": "refund-agent",
                "gen_ai.prompt.version": "7",
                "gen_ai.input.messages": json.dumps(
                    [
                        {"role": "system", "parts": [{"type": "text", "content": "Be nice."}]},
                        {"role": "user", "parts": [{"type": "text", "content": "Refund me"}]},
                    ]
                ),
                "gen_ai.output.messages": json.dumps(
                    [
                        {
                            "role": "assistant",
                            "parts": [
                                {
                                    "type": "tool_call",
                                    "name": "issue_refund",
                                    "arguments": {"account_id": account, "amount": 120},
                                }
                            ],
                        }
                    ]
                ),
            },
        ),
        _span(
            trace,
            "4" * 16,
            "3" * 16,
            "execute_tool issue_refund",
            710,
            890,
            {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "issue_refund",
                "gen_ai.tool.call.arguments": json.dumps({"account_id": account, "amount": 120}),
                "gen_ai.tool.call.result": json.dumps({"ok": False, "reason": "over limit"}),
            },
            error="refund over policy limit",
        ),
    ]


def hostile_trace(trace: str = "b" * 32) -> list[Span]:
    """Markup and escape sequences in every place a trace can put text."""
    return [
        _span(
            trace,
            "5" * 16,
            None,
            HOSTILE,
            0,
            50,
            {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": HOSTILE,
                "gen_ai.tool.call.arguments": json.dumps({HOSTILE: HOSTILE, "q": HOSTILE}),
                "gen_ai.tool.call.result": HOSTILE,
                "gen_ai.conversation.id": HOSTILE,
                "user.id": HOSTILE,
                HOSTILE: HOSTILE,
            },
            error=HOSTILE,
        ),
        _span(
            trace,
            "6" * 16,
            "5" * 16,
            "[/]",
            5,
            20,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": HOSTILE,
                "gen_ai.input.messages": json.dumps(
                    [{"role": HOSTILE, "parts": [{"type": "text", "content": HOSTILE}]}]
                ),
            },
        ),
    ]


def write_otlp(path: Path, spans: list[Span]) -> Path:
    path.write_text(json.dumps(encode_spans(spans)), encoding="utf-8")
    return path


def wide_trace(children: int, trace: str = "c" * 32) -> list[Span]:
    """A root with ``children`` tool-call children (every 7th failing)."""
    out = [_span(trace, f"{1:016x}", None, "batch", 0, children + 10, {})]
    for i in range(children):
        out.append(
            _span(
                trace,
                f"{i + 2:016x}",
                f"{1:016x}",
                f"step {i}",
                i,
                i + 5,
                {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": f"t{i % 5}"},
                error="boom" if i % 7 == 3 else None,
            )
        )
    return out
