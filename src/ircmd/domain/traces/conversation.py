"""A conversation as turns: every trace sharing a conversation/session id, in order.

The id is read from ``gen_ai.conversation.id`` (GenAI), ``session.id`` (OpenInference), or an
extra attribute an application uses (``extra_keys``). Each trace is one turn: the user's input,
the assistant's output, the tool calls requested and executed (with arguments), retrieved
document ids, guardrail verdicts, errors, tokens, cost and duration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ircmd.domain.traces.blast import tool_invocations
from ircmd.domain.traces.spans import Span, SpanKind

__all__ = ["Conversation", "Turn", "build_conversation", "conversation_ids_of"]


def _conv_id(s: Span, extra_keys: Sequence[str]) -> str | None:
    got = s.conversation_id
    if got:
        return got
    for k in extra_keys:
        v = s.attr(k)
        if isinstance(v, str) and v:
            return v
    return None


@dataclass
class Turn:
    trace_id: str
    start_ns: int
    end_ns: int
    user_id: str | None = None
    input: str = ""
    output: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    retrievals: list[dict[str, Any]] = field(default_factory=list)
    guardrails: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=lambda: {"input": 0, "output": 0})
    cost_usd: float | None = None
    spans: int = 0

    @property
    def duration_ms(self) -> int:
        return max(0, self.end_ns - self.start_ns) // 1_000_000

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "start": self.start_ns,
            "duration_ms": self.duration_ms,
            "user_id": self.user_id,
            "input": self.input,
            "output": self.output,
            "tool_calls": self.tool_calls,
            "retrievals": self.retrievals,
            "guardrails": self.guardrails,
            "errors": self.errors,
            "tokens": self.tokens,
            "cost_usd": self.cost_usd,
            "spans": self.spans,
        }


@dataclass
class Conversation:
    conversation_id: str
    turns: list[Turn]

    @property
    def user_ids(self) -> list[str]:
        return list(dict.fromkeys(t.user_id for t in self.turns if t.user_id))

    def to_dict(self) -> dict[str, Any]:
        cost = [t.cost_usd for t in self.turns if t.cost_usd is not None]
        return {
            "conversation_id": self.conversation_id,
            "turns": [t.to_dict() for t in self.turns],
            "user_ids": self.user_ids,
            "tokens": {
                "input": sum(t.tokens["input"] for t in self.turns),
                "output": sum(t.tokens["output"] for t in self.turns),
            },
            "cost_usd": round(sum(cost), 10) if cost else None,
        }


def conversation_ids_of(spans: Iterable[Span], extra_keys: Sequence[str] = ()) -> dict[str, str]:
    """``trace_id -> conversation id`` for every trace that names one."""
    out: dict[str, str] = {}
    for s in spans:
        if not s._attr_keys or s.trace_id in out:
            continue
        c = _conv_id(s, extra_keys)
        if c:
            out[s.trace_id] = c
    return out


def _user_text(spans: list[Span]) -> str:
    for s in spans:
        if s.kind is SpanKind.LLM:
            users = [m.content for m in s.input_messages if m.role == "user" and m.content]
            if users:
                return users[-1]
    for s in spans:
        if s.parent_id is None and s.input_value:
            return s.input_value
    return ""


def _assistant_text(spans: list[Span]) -> str:
    for s in reversed(spans):
        if s.kind is SpanKind.LLM:
            said = [m.content for m in s.output_messages if m.content]
            if said:
                return said[-1]
    for s in spans:
        if s.parent_id is None and s.output_value:
            return s.output_value
    return ""


def _turn(trace_id: str, spans: list[Span], cost: Callable[[Span], float | None]) -> Turn:
    spans.sort(key=lambda s: (s.start_ns, s.span_id))
    t = Turn(trace_id, min(s.start_ns for s in spans), max(s.end_ns for s in spans))
    t.spans = len(spans)
    t.input = _user_text(spans)
    t.output = _assistant_text(spans)
    total: float | None = None
    for s in spans:
        if not t.user_id and s._attr_keys:
            t.user_id = s.user_id
        t.tokens["input"] += s.input_tokens or 0
        t.tokens["output"] += s.output_tokens or 0
        c = cost(s)
        if c is not None:
            total = (total or 0.0) + c
        if s.is_error:
            t.errors.append({"span_id": s.span_id, "name": s.name, "message": s.status_message})
        if s.kind in (SpanKind.RETRIEVAL, SpanKind.RERANKER) and s.documents:
            t.retrievals.append(
                {
                    "span_id": s.span_id,
                    "source": s.retrieval_source,
                    "document_ids": [d.id for d in s.documents],
                }
            )
        if s.kind is SpanKind.GUARDRAIL:
            t.guardrails.append(
                {"span_id": s.span_id, "name": s.name, "verdict": s.output_value or s.status_code}
            )
    t.cost_usd = None if total is None else round(total, 10)
    t.tool_calls = [
        {"name": i.name, "arguments": i.arguments, "invocation": i.invocation, "call_id": i.call_id}
        for i in tool_invocations(spans)
    ]
    return t


def build_conversation(
    spans: Iterable[Span],
    conversation_id: str,
    cost: Callable[[Span], float | None] = lambda s: None,
    extra_keys: Sequence[str] = (),
) -> Conversation:
    """The conversation's turns (one per trace naming ``conversation_id``), oldest first."""
    span_list = spans if isinstance(spans, list) else list(spans)
    ids = conversation_ids_of(span_list, extra_keys)
    wanted = {t for t, c in ids.items() if c == conversation_id}
    by_trace: dict[str, list[Span]] = {}
    for s in span_list:
        if s.trace_id in wanted:
            by_trace.setdefault(s.trace_id, []).append(s)
    turns = [_turn(tid, ss, cost) for tid, ss in by_trace.items()]
    turns.sort(key=lambda t: (t.start_ns, t.trace_id))
    return Conversation(conversation_id, turns)
