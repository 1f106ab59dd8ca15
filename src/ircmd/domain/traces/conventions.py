"""How the two conventions are read: OpenTelemetry GenAI and OpenInference attributes to
the derived fields of :class:`~ircmd.domain.traces.spans.Span` (kind, model, tokens, tool call,
documents, prompt, messages...). Classification is by attribute, never by span name.

Split from ``spans.py`` so the model stays small; ``spans`` re-exports the public names.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ircmd.domain.traces.spans import Span


class SpanKind(StrEnum):
    """What kind of AI step a span is (derived from attributes)."""

    AGENT = "agent"
    WORKFLOW = "workflow"
    LLM = "llm"
    EMBEDDING = "embedding"
    RETRIEVAL = "retrieval"
    RERANKER = "reranker"
    TOOL = "tool"
    GUARDRAIL = "guardrail"
    EVALUATOR = "evaluator"
    CHAIN = "chain"
    OTHER = "other"


GENAI_OPERATION_KINDS: dict[str, SpanKind] = {
    "chat": SpanKind.LLM,
    "text_completion": SpanKind.LLM,
    "generate_content": SpanKind.LLM,
    "embeddings": SpanKind.EMBEDDING,
    "execute_tool": SpanKind.TOOL,
    "retrieval": SpanKind.RETRIEVAL,
    "invoke_agent": SpanKind.AGENT,
    "create_agent": SpanKind.AGENT,
    "invoke_workflow": SpanKind.WORKFLOW,
}

OPENINFERENCE_KINDS: dict[str, SpanKind] = {
    "LLM": SpanKind.LLM,
    "TOOL": SpanKind.TOOL,
    "RETRIEVER": SpanKind.RETRIEVAL,
    "EMBEDDING": SpanKind.EMBEDDING,
    "AGENT": SpanKind.AGENT,
    "CHAIN": SpanKind.CHAIN,
    "RERANKER": SpanKind.RERANKER,
    "GUARDRAIL": SpanKind.GUARDRAIL,
    "EVALUATOR": SpanKind.EVALUATOR,
    "PROMPT": SpanKind.OTHER,
    "UNKNOWN": SpanKind.OTHER,
}


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: who spoke and what was said (text; other parts rendered as JSON)."""

    role: str
    content: str
    name: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model asked for inside a message."""

    name: str
    arguments: str = ""
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A retrieved (or reranked) document."""

    id: str | None
    score: float | None = None
    content: str | None = None
    metadata: str | None = None


_INF = float("inf")


def _jsonable(v: Any) -> Any:
    if isinstance(v, bytes):
        return {"bytes": base64.b64encode(v).decode("ascii")}
    if isinstance(v, float) and (v != v or v in (_INF, -_INF)):
        return {"double": repr(v)}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


def _as_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return json.dumps(_jsonable(v), ensure_ascii=False, sort_keys=True)


def _first_str(span: Span, *keys: str) -> str | None:
    for k in keys:
        v = span.attr(k)
        if v is not None and v != "":
            return _as_text(v)
    return None


def _as_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v == v and abs(v) < 1e18:
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            return None
    return None


def _first_int(span: Span, *keys: str) -> int | None:
    for k in keys:
        got = _as_int(span.attr(k))
        if got is not None:
            return got
    return None


def _maybe_json(v: Any) -> Any:
    """Parse ``v`` as JSON when it is a string that looks like an object or array."""
    if isinstance(v, str):
        s = v.strip()
        if s[:1] in ("{", "[") and s[-1:] in ("}", "]"):
            try:
                return json.loads(s)
            except ValueError:
                return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


_MODEL_KEYS = (
    "gen_ai.request.model",
    "llm.model_name",
    "llm.request.model_name",
    "gen_ai.response.model",
    "llm.response.model_name",
    "embedding.model_name",
    "reranker.model_name",
)
_INPUT_TOKEN_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.token_count.prompt",
)
_OUTPUT_TOKEN_KEYS = (
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.token_count.completion",
)
_TOOL_KEYS = ("gen_ai.tool.name", "tool.name")
_CONVERSATION_KEYS = ("gen_ai.conversation.id", "session.id")
_USER_KEYS = ("user.id", "enduser.id")

_Plan = tuple[tuple[Any, tuple[int, ...]], ...]
_PLANS: dict[tuple[str, ...], _Plan] = {}


def _plan(keys: tuple[str, ...]) -> _Plan:
    def idx(names: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(keys.index(n) for n in names if n in keys)

    plan: _Plan = (
        (_as_int, idx(_INPUT_TOKEN_KEYS)),
        (_as_int, idx(_OUTPUT_TOKEN_KEYS)),
        (_as_text, idx(_MODEL_KEYS)),
        (_as_text, idx(_TOOL_KEYS)),
        (_as_text, idx(_CONVERSATION_KEYS)),
        (_as_text, idx(_USER_KEYS)),
    )
    if len(_PLANS) > 50_000:
        _PLANS.clear()
    _PLANS[keys] = plan
    return plan


def _fallback_kind(keys: tuple[str, ...]) -> SpanKind:
    """No explicit kind: what the attributes describe."""
    if "gen_ai.tool.name" in keys or "gen_ai.tool.call.arguments" in keys:
        return SpanKind.TOOL
    if "gen_ai.data_source.id" in keys or "gen_ai.retrieval.documents" in keys:
        return SpanKind.RETRIEVAL
    if (
        "gen_ai.request.model" in keys
        or "gen_ai.system" in keys
        or "gen_ai.provider.name" in keys
        or "llm.model_name" in keys
    ):
        return SpanKind.LLM
    return SpanKind.OTHER


_KindPlan = tuple[int, int, SpanKind]
_KIND_PLANS: dict[tuple[str, ...], _KindPlan] = {}


def _kind_plan(keys: tuple[str, ...]) -> _KindPlan:
    op = "gen_ai.operation.name"
    oi = "openinference.span.kind"
    plan = (
        keys.index(op) if op in keys else -1,
        keys.index(oi) if oi in keys else -1,
        _fallback_kind(keys),
    )
    if len(_KIND_PLANS) > 50_000:
        _KIND_PLANS.clear()
    _KIND_PLANS[keys] = plan
    return plan


def _derive_kind(span: Span) -> SpanKind:
    keys = span._attr_keys
    if not keys:
        return SpanKind.OTHER
    plan = _KIND_PLANS.get(keys)
    if plan is None:
        plan = _kind_plan(keys)
    op_i, oi_i, fallback = plan
    values = span._attr_values
    if op_i >= 0:
        op = values[op_i]
        if isinstance(op, str):
            got = GENAI_OPERATION_KINDS.get(op)
            if got is None:
                got = GENAI_OPERATION_KINDS.get(op.strip().lower())
            if got is not None:
                return got
    if oi_i >= 0:
        oi = values[oi_i]
        if isinstance(oi, str):
            oi = oi.strip().upper()
            # UNKNOWN says nothing: let the other attributes speak
            if oi != "UNKNOWN":
                got = OPENINFERENCE_KINDS.get(oi)
                if got is not None:
                    return got
    return fallback


def _derive_model(span: Span) -> str | None:
    return _first_str(span, *_MODEL_KEYS)


def _derive_provider(span: Span) -> str | None:
    return _first_str(span, "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")


def _derive_input_tokens(span: Span) -> int | None:
    return _first_int(span, *_INPUT_TOKEN_KEYS)


def _derive_output_tokens(span: Span) -> int | None:
    return _first_int(span, *_OUTPUT_TOKEN_KEYS)


def _derive_tool_name(span: Span) -> str | None:
    return _first_str(span, *_TOOL_KEYS)


def _derive_tool_arguments(span: Span) -> Any:
    v = span.attr("gen_ai.tool.call.arguments")
    if v is not None:
        return _maybe_json(v)
    if span.kind == SpanKind.TOOL:
        # OpenInference: the call's input is input.value; tool.parameters is the
        # (sometimes filled-in) parameter object.
        iv = _maybe_json(span.attr("input.value"))
        if isinstance(iv, dict):
            return iv
        tp = span.attr("tool.parameters")
        if tp is not None:
            return _maybe_json(tp)
        return iv
    tp = span.attr("tool.parameters")
    return _maybe_json(tp) if tp is not None else None


def _derive_tool_result(span: Span) -> Any:
    v = span.attr("gen_ai.tool.call.result")
    if v is not None:
        return _maybe_json(v)
    if span.kind == SpanKind.TOOL:
        return _maybe_json(span.attr("output.value"))
    return None


def _derive_retrieval_source(span: Span) -> str | None:
    got = _first_str(span, "gen_ai.data_source.id", "retrieval.source", "db.system.name")
    if got is not None or span.kind not in (SpanKind.RETRIEVAL, SpanKind.RERANKER):
        return got
    for doc in span.documents:
        meta = _maybe_json(doc.metadata) if doc.metadata else None
        if isinstance(meta, dict) and isinstance(meta.get("source"), str):
            return str(meta["source"])
    return None


def _indexed(span: Span, prefix: str) -> dict[int, dict[str, Any]]:
    """Rebuild a flattened list: ``prefix.N.rest`` -> ``{N: {rest: value}}``."""
    out: dict[int, dict[str, Any]] = {}
    plen = len(prefix) + 1
    for k, v in span.attr_items():
        if not k.startswith(prefix) or len(k) <= plen or k[plen - 1] != ".":
            continue
        idx, dot, rest = k[plen:].partition(".")
        if not dot or not idx.isdigit():
            continue
        out.setdefault(int(idx), {})[rest] = v
    return dict(sorted(out.items()))


def _as_float(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _docs_from_flat(span: Span, prefix: str) -> list[Document]:
    docs = []
    for item in _indexed(span, prefix).values():
        docs.append(
            Document(
                id=_as_text(item.get("document.id")),
                score=_as_float(item.get("document.score")),
                content=_as_text(item.get("document.content")),
                metadata=_as_text(item.get("document.metadata")),
            )
        )
    return docs


def _docs_from_json(v: Any) -> list[Document]:
    v = _maybe_json(v)
    if isinstance(v, dict):
        v = [v]
    if not isinstance(v, list):
        return []
    docs = []
    for d in v:
        if not isinstance(d, dict):
            continue
        meta = d.get("metadata")
        docs.append(
            Document(
                id=_as_text(d.get("id")),
                score=_as_float(d.get("score")),
                content=_as_text(d.get("content", d.get("text"))),
                metadata=_as_text(meta) if meta is not None else None,
            )
        )
    return docs


def _derive_documents(span: Span) -> tuple[Document, ...]:
    docs = _docs_from_flat(span, "retrieval.documents")
    if not docs:
        docs = _docs_from_flat(span, "reranker.output_documents")
    if not docs:
        docs = _docs_from_json(span.attr("gen_ai.retrieval.documents"))
    return tuple(docs)


def _derive_prompt_name(span: Span) -> str | None:
    return _first_str(span, "gen_ai.prompt.name", "prompt.name", "prompt.id")


def _derive_prompt_version(span: Span) -> str | None:
    return _first_str(span, "gen_ai.prompt.version", "llm.prompt_template.version")


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return _as_text(part) or ""
    ptype = part.get("type")
    if ptype in ("text", "reasoning", "thinking", None) and "content" in part:
        return _as_text(part.get("content")) or ""
    if "text" in part and isinstance(part["text"], str):
        return str(part["text"])
    if ptype == "tool_call":
        return ""  # shown as a ToolCall
    if ptype == "tool_call_response":
        return _as_text(part.get("response", part.get("result"))) or ""
    return json.dumps(_jsonable(part), ensure_ascii=False, sort_keys=True)


def _genai_messages(v: Any) -> list[Message]:
    v = _maybe_json(v)
    if isinstance(v, dict):
        v = [v]
    if not isinstance(v, list):
        return [Message("", _as_text(v) or "")] if v not in (None, "") else []
    out = []
    for m in v:
        if not isinstance(m, dict):
            out.append(Message("", _as_text(m) or ""))
            continue
        role = _as_text(m.get("role")) or ""
        parts = m.get("parts")
        calls: list[ToolCall] = []
        if isinstance(parts, list):
            texts = [t for t in (_part_text(p) for p in parts) if t]
            for p in parts:
                if isinstance(p, dict) and p.get("type") == "tool_call":
                    args = p.get("arguments")
                    calls.append(
                        ToolCall(
                            name=_as_text(p.get("name")) or "",
                            arguments=_as_text(args) or "" if args is not None else "",
                            id=_as_text(p.get("id")),
                        )
                    )
            content = "\n".join(texts)
        else:
            content = _as_text(m.get("content")) or ""
        out.append(Message(role, content, _as_text(m.get("name")), tuple(calls)))
    return out


def _oi_messages(span: Span, prefix: str) -> list[Message]:
    out = []
    for item in _indexed(span, prefix).values():
        role = _as_text(item.get("message.role")) or ""
        content = _as_text(item.get("message.content"))
        if content is None:
            texts: dict[int, str] = {}
            calls_by_idx: dict[int, dict[str, Any]] = {}
            for k, v in item.items():
                if k.startswith("message.contents."):
                    idx, _, rest = k[len("message.contents.") :].partition(".")
                    if idx.isdigit() and rest == "message_content.text":
                        texts[int(idx)] = _as_text(v) or ""
            content = "\n".join(t for _, t in sorted(texts.items()))
        else:
            calls_by_idx = {}
        for k, v in item.items():
            if k.startswith("message.tool_calls."):
                idx, _, rest = k[len("message.tool_calls.") :].partition(".")
                if idx.isdigit():
                    calls_by_idx.setdefault(int(idx), {})[rest] = v
        calls = tuple(
            ToolCall(
                name=_as_text(c.get("tool_call.function.name")) or "",
                arguments=_as_text(c.get("tool_call.function.arguments")) or "",
                id=_as_text(c.get("tool_call.id")),
            )
            for _, c in sorted(calls_by_idx.items())
        )
        out.append(Message(role, content, _as_text(item.get("message.name")), calls))
    return out


def _legacy_messages(span: Span, prefix: str) -> list[Message]:
    out = []
    for item in _indexed(span, prefix).values():
        out.append(Message(_as_text(item.get("role")) or "", _as_text(item.get("content")) or ""))
    return out


def _derive_input_messages(span: Span) -> tuple[Message, ...]:
    msgs: list[Message] = []
    sys_instr = span.attr("gen_ai.system_instructions")
    if sys_instr is not None:
        parsed = _maybe_json(sys_instr)
        if isinstance(parsed, list):
            text = "\n".join(t for t in (_part_text(p) for p in parsed) if t)
        else:
            text = _as_text(parsed) or ""
        msgs.append(Message("system", text))
    v = span.attr("gen_ai.input.messages")
    if v is not None:
        msgs.extend(_genai_messages(v))
    if len(msgs) <= (1 if sys_instr is not None else 0):
        msgs.extend(_oi_messages(span, "llm.input_messages"))
    if not msgs:
        msgs.extend(_legacy_messages(span, "gen_ai.prompt"))
    return tuple(msgs)


def _derive_output_messages(span: Span) -> tuple[Message, ...]:
    v = span.attr("gen_ai.output.messages")
    msgs = _genai_messages(v) if v is not None else []
    if not msgs:
        msgs = _oi_messages(span, "llm.output_messages")
    if not msgs:
        msgs = _legacy_messages(span, "gen_ai.completion")
    return tuple(msgs)


def _derive_search_text(span: Span) -> str:
    parts = [span.name, span.service, span.kind.value, span.status_message, span.span_id]
    for k, v in span.attr_items():
        parts.append(k)
        parts.append(_as_text(v) or "")
    return "\n".join(parts).lower()


_DERIVERS: dict[str, Any] = {
    "kind": _derive_kind,
    "model": _derive_model,
    "provider": _derive_provider,
    "input_tokens": _derive_input_tokens,
    "output_tokens": _derive_output_tokens,
    "tool_name": _derive_tool_name,
    "tool_arguments": _derive_tool_arguments,
    "tool_result": _derive_tool_result,
    "retrieval_source": _derive_retrieval_source,
    "documents": _derive_documents,
    "prompt_name": _derive_prompt_name,
    "prompt_version": _derive_prompt_version,
    "input_messages": _derive_input_messages,
    "output_messages": _derive_output_messages,
    "search_text": _derive_search_text,
}
_CACHED = frozenset(
    {"tool_arguments", "tool_result", "documents", "input_messages", "output_messages"}
)


def format_value(v: Any) -> str:
    """An attribute value as display text (JSON for lists/maps, base64-free bytes)."""
    return _as_text(v) or ""
