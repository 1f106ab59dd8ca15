"""How the two conventions are read: OpenTelemetry GenAI and OpenInference attributes to
the derived fields of :class:`~ircmd.domain.traces.spans.Span` (kind, model, tokens, tool call,
documents, prompt, messages...). Classification is by attribute, never by span name.

Split from ``spans.py`` so the model stays small; ``spans`` re-exports the public names.
"""

from __future__ import annotations

import ast
import base64
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class _EventLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def attributes(self) -> Mapping[str, Any]: ...


class Span(Protocol):
    """What the derivers read of a span (``spans.Span`` satisfies it; no import cycle)."""

    _attr_keys: tuple[str, ...]
    _attr_values: tuple[Any, ...]
    span_id: str
    name: str
    status_message: str

    def attr(self, key: str, default: Any = None) -> Any: ...
    def attr_items(self) -> Iterator[tuple[str, Any]]: ...
    @property
    def kind(self) -> SpanKind: ...
    @property
    def documents(self) -> tuple[Document, ...]: ...
    @property
    def service(self) -> str: ...
    @property
    def events(self) -> tuple[Any, ...]: ...


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
    # OpenLLMetry vector-database operations
    "vector_db_retrieve": SpanKind.RETRIEVAL,
    "vector_db_query": SpanKind.RETRIEVAL,
    "rerank": SpanKind.RERANKER,
}

# OpenLLMetry (traceloop) ``traceloop.span.kind``
TRACELOOP_KINDS: dict[str, SpanKind] = {
    "workflow": SpanKind.WORKFLOW,
    "task": SpanKind.CHAIN,
    "agent": SpanKind.AGENT,
    "tool": SpanKind.TOOL,
}

# OpenLLMetry legacy ``llm.request.type``
LLM_REQUEST_TYPES: dict[str, SpanKind] = {
    "chat": SpanKind.LLM,
    "completion": SpanKind.LLM,
    "embedding": SpanKind.EMBEDDING,
    "rerank": SpanKind.RERANKER,
}

# Vercel AI SDK ``ai.operationId``
VERCEL_OPERATIONS: dict[str, SpanKind] = {
    "ai.generateText.doGenerate": SpanKind.LLM,
    "ai.streamText.doStream": SpanKind.LLM,
    "ai.generateObject.doGenerate": SpanKind.LLM,
    "ai.streamObject.doStream": SpanKind.LLM,
    "ai.generateText": SpanKind.CHAIN,
    "ai.streamText": SpanKind.CHAIN,
    "ai.generateObject": SpanKind.CHAIN,
    "ai.streamObject": SpanKind.CHAIN,
    "ai.toolCall": SpanKind.TOOL,
    "ai.embed": SpanKind.CHAIN,
    "ai.embedMany": SpanKind.CHAIN,
    "ai.embed.doEmbed": SpanKind.EMBEDDING,
    "ai.embedMany.doEmbed": SpanKind.EMBEDDING,
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


_REQUEST_MODEL_KEYS = ("gen_ai.request.model", "llm.request.model_name", "ai.model.id")
_RESPONSE_MODEL_KEYS = (
    "gen_ai.response.model",
    "llm.response.model_name",
    "llm.model_name",
    "ai.response.model",
    "embedding.model_name",
    "reranker.model_name",
)
_MODEL_KEYS = _REQUEST_MODEL_KEYS + _RESPONSE_MODEL_KEYS
_INPUT_TOKEN_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.token_count.prompt",
    "ai.usage.inputTokens",
    "ai.usage.promptTokens",
)
_OUTPUT_TOKEN_KEYS = (
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.token_count.completion",
    "ai.usage.outputTokens",
    "ai.usage.completionTokens",
)
_TOOL_KEYS = ("gen_ai.tool.name", "tool.name", "ai.toolCall.name")
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
    """No kind attribute at all: only explicit tool/retrieval attributes say what it is.

    A model or provider attribute alone never makes a span ``llm`` (wrappers carry them)."""
    if "gen_ai.tool.name" in keys or "gen_ai.tool.call.arguments" in keys:
        return SpanKind.TOOL
    if "gen_ai.data_source.id" in keys or "gen_ai.retrieval.documents" in keys:
        return SpanKind.RETRIEVAL
    return SpanKind.OTHER


_KIND_SOURCES: tuple[tuple[str, Mapping[str, SpanKind], bool], ...] = (
    # (attribute, table, upper-case the value)
    ("openinference.span.kind", OPENINFERENCE_KINDS, True),
    ("traceloop.span.kind", TRACELOOP_KINDS, False),
    ("llm.request.type", LLM_REQUEST_TYPES, False),
    ("ai.operationId", VERCEL_OPERATIONS, False),
)

_KindPlan = tuple[int, tuple[tuple[int, Mapping[str, SpanKind], bool], ...], SpanKind]
_KIND_PLANS: dict[tuple[str, ...], _KindPlan] = {}


def _kind_plan(keys: tuple[str, ...]) -> _KindPlan:
    op = "gen_ai.operation.name"
    plan = (
        keys.index(op) if op in keys else -1,
        tuple((keys.index(k), table, up) for k, table, up in _KIND_SOURCES if k in keys),
        _fallback_kind(keys),
    )
    if len(_KIND_PLANS) > 50_000:
        _KIND_PLANS.clear()
    _KIND_PLANS[keys] = plan
    return plan


def _derive_kind(span: Span) -> SpanKind:
    """The kind from explicit attributes: a known GenAI operation, an OpenInference, traceloop
    or Vercel kind, OpenLLMetry's request type. An operation name that is not known is
    ``other`` (its raw name is :attr:`Span.operation`), unless another attribute names it."""
    keys = span._attr_keys
    if not keys:
        return SpanKind.OTHER
    plan = _KIND_PLANS.get(keys)
    if plan is None:
        plan = _kind_plan(keys)
    op_i, sources, fallback = plan
    values = span._attr_values
    unknown_op = False
    if op_i >= 0:
        op = values[op_i]
        if isinstance(op, str):
            got = GENAI_OPERATION_KINDS.get(op)
            if got is None:
                got = GENAI_OPERATION_KINDS.get(op.strip().lower())
            if got is not None:
                return got
            unknown_op = bool(op.strip())
    for i, table, up in sources:
        v = values[i]
        if isinstance(v, str):
            v = v.strip()
            got = table.get(v.upper() if up else v)
            if got is None and not up:
                got = table.get(v.lower())
            # UNKNOWN / unknown say nothing: let the other attributes speak
            if got is not None and not (up and v.upper() == "UNKNOWN"):
                return got
    return SpanKind.OTHER if unknown_op else fallback


def _derive_operation(span: Span) -> str | None:
    """The raw operation name as the producer wrote it."""
    return _first_str(
        span,
        "gen_ai.operation.name",
        "ai.operationId",
        "llm.request.type",
        "traceloop.span.kind",
        "openinference.span.kind",
    )


def _invocation_model(span: Span) -> str | None:
    """OpenInference ``llm.invocation_parameters`` (a JSON string): its ``model``."""
    v = _maybe_json(span.attr("llm.invocation_parameters"))
    if isinstance(v, dict):
        m = v.get("model") or v.get("model_name")
        if isinstance(m, str) and m:
            return m
    return None


def _derive_request_model(span: Span) -> str | None:
    return _first_str(span, *_REQUEST_MODEL_KEYS) or _invocation_model(span)


def _derive_response_model(span: Span) -> str | None:
    return _first_str(span, *_RESPONSE_MODEL_KEYS)


_DATED = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")


def model_matches(wanted: str, model: str | None) -> bool:
    """``model`` is ``wanted`` or a dated release of it (``gpt-4o-mini`` matches
    ``gpt-4o-mini-2024-07-18``; ``gpt-4o`` does not match ``gpt-4o-mini``)."""
    if not model:
        return False
    if model == wanted:
        return True
    if not model.startswith(wanted):
        return False
    m = _DATED.search(model)
    return m is not None and m.start() == len(wanted)


def _derive_model(span: Span) -> str | None:
    return _derive_request_model(span) or _derive_response_model(span)


def _derive_provider(span: Span) -> str | None:
    return _first_str(span, "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")


def _derive_input_tokens(span: Span) -> int | None:
    return _first_int(span, *_INPUT_TOKEN_KEYS)


def _derive_output_tokens(span: Span) -> int | None:
    return _first_int(span, *_OUTPUT_TOKEN_KEYS)


def _derive_tool_name(span: Span) -> str | None:
    return _first_str(span, *_TOOL_KEYS)


_ENVELOPE_KEYS = frozenset({"input_str", "tags", "metadata", "inputs", "kwargs", "name", "run_id"})


def unwrap_arguments(v: Any) -> Any:
    """Tool arguments without LangChain's run envelope
    (``{"input_str", "tags", "metadata", "inputs": {...}, "kwargs"}`` -> the ``inputs``)."""
    v = _maybe_json(v)
    if isinstance(v, dict) and ("inputs" in v or "input_str" in v) and set(v) <= _ENVELOPE_KEYS:
        inner = v.get("inputs")
        if isinstance(inner, dict) and inner:
            return inner
        kw = v.get("kwargs")
        if isinstance(kw, dict) and kw:
            return kw
        got = _maybe_json(v.get("input_str"))
        if isinstance(got, dict):
            return got
        return inner if inner is not None else got
    return v


def _derive_tool_arguments(span: Span) -> Any:
    return unwrap_arguments(_raw_tool_arguments(span))


_TOOL_ARGUMENT_KEYS = (
    "gen_ai.tool.call.arguments",
    ("ai.toolCall.args", "ai.toolCall.input"),
    "traceloop.entity.input",
)
_TOOL_RESULT_KEYS = (
    "gen_ai.tool.call.result",
    ("ai.toolCall.result", "ai.toolCall.output"),
    "traceloop.entity.output",
)


def _explicit_tool_value(span: Span, genai: str, vercel: tuple[str, str], traceloop: str) -> Any:
    """A tool call's arguments or result where a convention names them: GenAI, Vercel AI
    SDK (two spellings), OpenLLMetry's entity input/output on a tool span; else None."""
    v = span.attr(genai)
    if v is None:
        v = span.attr(vercel[0], span.attr(vercel[1]))
    if v is None and span.attr("traceloop.span.kind") == "tool":
        v = span.attr(traceloop)
    return _maybe_json(v) if v is not None else None


def _raw_tool_arguments(span: Span) -> Any:
    v = _explicit_tool_value(span, *_TOOL_ARGUMENT_KEYS)
    if v is not None:
        return v
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


def unwrap_result(v: Any) -> Any:
    """A tool result without LangChain's envelope (``{"output": ..., "kwargs": {...}}``)
    and without the serialised ``ToolMessage`` a tool called with a tool call returns
    (its ``content``)."""
    v = _without_output_envelope(_maybe_json(v))
    msg = _tool_message(v)
    if msg is not None and "content" in msg:
        return _maybe_json(msg["content"])
    return v


def _without_output_envelope(v: Any) -> Any:
    if isinstance(v, dict) and "output" in v and set(v) <= {"output", "kwargs"}:
        return _maybe_json(v["output"])
    return v


def _tool_message(v: Any) -> dict[str, Any] | None:
    """The fields of a serialised LangChain ``ToolMessage``: OpenInference writes
    ``{"type": "tool", "data": {...}}``, OpenLLMetry LangChain's serialisation
    ``{"lc": 1, "type": "constructor", "id": [..., "ToolMessage"], "kwargs": {...}}``."""
    if not isinstance(v, dict):
        return None
    kind = v.get("type")
    if kind == "tool" and set(v) <= {"type", "data"}:
        data = v.get("data")
        return data if isinstance(data, dict) else None
    ident = v.get("id")
    if kind == "constructor" and isinstance(ident, list) and ident[-1:] == ["ToolMessage"]:
        kw = v.get("kwargs")
        return kw if isinstance(kw, dict) else None
    return None


def _derive_tool_result(span: Span) -> Any:
    return unwrap_result(_raw_tool_result(span))


def _raw_tool_result(span: Span) -> Any:
    v = _explicit_tool_value(span, *_TOOL_RESULT_KEYS)
    if v is not None:
        return v
    if span.kind == SpanKind.TOOL:
        return _maybe_json(span.attr("output.value"))
    return None


def _derive_tool_call_id(span: Span) -> str | None:
    got = _first_str(span, "gen_ai.tool.call.id", "tool_call.id", "ai.toolCall.id")
    if got is None and span.kind == SpanKind.TOOL:
        # LangChain: the ToolMessage a tool returned names the call it answers
        msg = _tool_message(_without_output_envelope(_raw_tool_result(span)))
        cid = msg.get("tool_call_id") if msg is not None else None
        got = cid if isinstance(cid, str) and cid else None
    return got


def _derive_requested_calls(span: Span) -> tuple[ToolCall, ...]:
    """The tool calls a model asked for in this (llm) span's output messages."""
    if span.kind != SpanKind.LLM:
        return ()
    out: list[ToolCall] = []
    for m in span.output_messages:  # type: ignore[attr-defined]
        out.extend(c for c in m.tool_calls if c.name)
    return tuple(out)


_CALL_KEY_PLANS: dict[tuple[str, ...], tuple[int, ...]] = {}


def _call_key_plan(keys: tuple[str, ...]) -> tuple[int, ...]:
    got = tuple(
        i
        for i, k in enumerate(keys)
        if k in ("gen_ai.output.messages", "ai.response.toolCalls", "gen_ai.completion")
        or (k.startswith(("llm.output_messages.", "gen_ai.completion.")) and ".tool_calls." in k)
    )
    if len(_CALL_KEY_PLANS) > 50_000:
        _CALL_KEY_PLANS.clear()
    _CALL_KEY_PLANS[keys] = got
    return got


def requested_tool_names(span: Span) -> tuple[str, ...]:
    """Names of the tools a model asked for in this span (cheap when it asked for none:
    the trace list calls this for every span)."""
    keys = span._attr_keys
    plan = _CALL_KEY_PLANS.get(keys)
    if plan is None:
        plan = _call_key_plan(keys)
    if not plan and not span.events:
        return ()
    if plan and not span.events:
        vals = span._attr_values
        hit = False
        for i in plan:
            v = vals[i]
            if not isinstance(v, str) or "tool" in v or "Tool" in v or keys[i].endswith(".name"):
                hit = True
                break
        if not hit:
            return ()
    names = dict.fromkeys(c.name for c in _derive_requested_calls(span))
    return tuple(names)


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


def _doc_id(raw_id: Any, metadata: Any) -> str | None:
    """The document's id, else the id its metadata names (OpenInference puts it there)."""
    got = _as_text(raw_id) if raw_id not in (None, "") else None
    if got is not None:
        return got
    meta = _maybe_json(metadata)
    if isinstance(meta, dict):
        for k in ("id", "document_id", "doc_id", "_id"):
            v = meta.get(k)
            if v not in (None, ""):
                return _as_text(v)
    return None


def _docs_from_flat(span: Span, prefix: str) -> list[Document]:
    docs = []
    for item in _indexed(span, prefix).values():
        docs.append(
            Document(
                id=_doc_id(item.get("document.id"), item.get("document.metadata")),
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
                id=_doc_id(d.get("id"), meta),
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
    if ptype in ("tool_call", "tool-call"):
        return ""  # shown as a ToolCall
    if ptype in ("tool_call_response", "tool-result"):
        return _as_text(part.get("response", part.get("result", part.get("output")))) or ""
    return json.dumps(_jsonable(part), ensure_ascii=False, sort_keys=True)


def _args_text(v: Any) -> str:
    if v is None:
        return ""
    return _as_text(v) or ""


def _openai_calls(raw: Any) -> list[ToolCall]:
    """OpenAI-shaped tool calls: ``[{id, type, function: {name, arguments}}]`` (also the
    flat ``{id, name, arguments}`` and Vercel ``{toolCallId, toolName, args|input}``)."""
    raw = _maybe_json(raw)
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    out = []
    for c in raw:
        if not isinstance(c, dict):
            continue
        fn = c.get("function")
        if isinstance(fn, dict):
            name, args = fn.get("name"), fn.get("arguments")
        elif "toolName" in c:
            name, args = c.get("toolName"), c.get("args", c.get("input"))
        else:
            name, args = c.get("name"), c.get("arguments", c.get("args"))
        cid = c.get("id", c.get("toolCallId"))
        out.append(ToolCall(_as_text(name) or "", _args_text(args), _as_text(cid) if cid else None))
    return out


REPR_MAX_CHARS = 65_536
"""The longest Python-repr message text that is parsed (longer ones stay text)."""


def _repr_message(text: Any) -> dict[str, Any] | None:
    """A message the instrumentation wrote as a Python ``repr`` of a dict in a text part
    (``opentelemetry-instrumentation-openai-agents-v2`` 0.1.0 writes the model's reply as
    ``"{'content': None, 'role': 'assistant', 'tool_calls': [{'id': …, 'function': …}]}"``):
    read with :func:`ast.literal_eval` (literals only, never ``eval``) on a bounded string;
    ``None`` when it is not such a message."""
    if not isinstance(text, str) or len(text) > REPR_MAX_CHARS:
        return None
    t = text.strip()
    if not (t.startswith("{'") and t.endswith("}")) or "'role'" not in t:
        return None
    try:
        d = ast.literal_eval(t)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(d, dict) or not isinstance(d.get("role"), str):
        return None
    if not ("content" in d or "tool_calls" in d):
        return None
    return d


def _genai_messages(v: Any, default_role: str = "") -> list[Message]:
    v = _maybe_json(v)
    if isinstance(v, dict):
        v = [v]
    if not isinstance(v, list):
        return [Message(default_role, _as_text(v) or "")] if v not in (None, "") else []
    out = []
    for m in v:
        if not isinstance(m, dict):
            out.append(Message(default_role, _as_text(m) or ""))
            continue
        if "message" in m and isinstance(m["message"], dict) and "role" not in m:
            m = m["message"]  # a choice: {index, finish_reason, message}
        role = _as_text(m.get("role")) or default_role
        parts = m.get("parts")
        if parts is None and isinstance(m.get("content"), list):
            parts = m.get("content")  # Vercel / OpenAI content parts
        calls: list[ToolCall] = []
        if isinstance(parts, list):
            texts = []
            for p in parts:
                inner = (
                    _repr_message(p.get("content"))
                    if isinstance(p, dict) and p.get("type") in ("text", None)
                    else None
                )
                if inner is not None:  # a repr of the whole message: its text and calls
                    text = _as_text(inner.get("content")) or ""
                    if inner.get("tool_calls") is not None:
                        calls.extend(_openai_calls(inner.get("tool_calls")))
                else:
                    text = _part_text(p)
                    if isinstance(p, dict) and p.get("type") in ("tool_call", "tool-call"):
                        calls.extend(_openai_calls(p))
                if text:
                    texts.append(text)
            content = "\n".join(texts)
        else:
            content = _as_text(m.get("content")) or ""
        if m.get("tool_calls") is not None:
            calls.extend(_openai_calls(m.get("tool_calls")))
        out.append(Message(role, content, _as_text(m.get("name")), tuple(calls)))
    return out


def _oi_messages(span: Span, prefix: str) -> list[Message]:
    out = []
    for item in _indexed(span, prefix).values():
        role = _as_text(item.get("message.role")) or ""
        content = _as_text(item.get("message.content"))
        if content is None:
            texts: dict[int, str] = {}
            for k, v in item.items():
                if k.startswith("message.contents."):
                    idx, _, rest = k[len("message.contents.") :].partition(".")
                    if idx.isdigit() and rest == "message_content.text":
                        texts[int(idx)] = _as_text(v) or ""
            content = "\n".join(t for _, t in sorted(texts.items()))
        calls_by_idx: dict[int, dict[str, Any]] = {}
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


def _legacy_messages(span: Span, prefix: str, default_role: str) -> list[Message]:
    """OpenLLMetry's indexed ``gen_ai.prompt.N.*`` / ``gen_ai.completion.N.*``, with
    ``tool_calls.M.name|arguments|id``; else the deprecated whole-string attribute."""
    out = []
    for item in _indexed(span, prefix).values():
        calls_by_idx: dict[int, dict[str, Any]] = {}
        for k, v in item.items():
            if k.startswith("tool_calls."):
                idx, _, rest = k[len("tool_calls.") :].partition(".")
                if idx.isdigit():
                    calls_by_idx.setdefault(int(idx), {})[rest] = v
        calls = tuple(
            ToolCall(
                _as_text(c.get("name")) or "",
                _args_text(c.get("arguments")),
                _as_text(c.get("id")) if c.get("id") else None,
            )
            for _, c in sorted(calls_by_idx.items())
        )
        out.append(
            Message(
                _as_text(item.get("role")) or default_role,
                _as_text(item.get("content")) or "",
                None,
                calls,
            )
        )
    if not out:
        whole = span.attr(prefix)
        if whole not in (None, ""):
            out = _genai_messages(whole, default_role)
    return out


def _vercel_input(span: Span) -> list[Message]:
    v = span.attr("ai.prompt.messages")
    if v is not None:
        return _genai_messages(v, "user")
    p = _maybe_json(span.attr("ai.prompt"))
    if isinstance(p, dict):
        msgs: list[Message] = []
        if isinstance(p.get("system"), str):
            msgs.append(Message("system", p["system"]))
        if p.get("messages") is not None:
            msgs.extend(_genai_messages(p["messages"], "user"))
        elif p.get("prompt") is not None:
            msgs.extend(_genai_messages(p["prompt"], "user"))
        return msgs
    if isinstance(p, str) and p:
        return [Message("user", p)]
    return []


def _vercel_output(span: Span) -> list[Message]:
    text = span.attr("ai.response.text")
    calls = _openai_calls(span.attr("ai.response.toolCalls"))
    if text is None and not calls:
        return []
    return [Message("assistant", _as_text(text) or "", None, tuple(calls))]


def _system_text(v: Any) -> str:
    parsed = _maybe_json(v)
    if isinstance(parsed, list):
        return "\n".join(t for t in (_part_text(p) for p in parsed) if t)
    if isinstance(parsed, dict):
        return _part_text(parsed)
    return _as_text(parsed) or ""


def _with_system(sys_instr: Any, msgs: list[Message]) -> list[Message]:
    """``gen_ai.system_instructions`` first, unless the first message already says it."""
    if sys_instr is None:
        return msgs
    text = _system_text(sys_instr)
    if msgs and msgs[0].role == "system" and msgs[0].content.strip() == text.strip():
        return msgs
    return [Message("system", text), *msgs]


# -- GenAI events (span events, or log records attached as events) ---------------------

_INPUT_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
_DETAILS_EVENT = "gen_ai.client.inference.operation.details"
EVENT_BODY_KEY = "event.body"
"""Where :func:`ircmd.domain.traces.logs.attach_logs` keeps a log record's body."""


def _event_field(e: Any, key: str) -> Any:
    attrs = e.attributes
    v = attrs.get(key)
    if v is None:
        body = _maybe_json(attrs.get(EVENT_BODY_KEY))
        if isinstance(body, dict):
            v = body.get(key)
    return v


def _event_message(e: Any, role: str) -> Message:
    body = _maybe_json(e.attributes.get(EVENT_BODY_KEY))
    if not isinstance(body, dict):
        body = {"content": body} if body is not None else {}
    content = body.get("content")
    if isinstance(content, list):
        text = "\n".join(t for t in (_part_text(p) for p in content) if t)
    else:
        text = _as_text(content) or ""
    calls = tuple(_openai_calls(body.get("tool_calls"))) if body.get("tool_calls") else ()
    return Message(_as_text(body.get("role")) or role, text, None, calls)


def _event_messages(span: Span, output: bool) -> list[Message]:
    events = span.events
    if not events:
        return []
    msgs: list[Message] = []
    for e in events:
        name = e.name
        if name == _DETAILS_EVENT:
            if output:
                v = _event_field(e, "gen_ai.output.messages")
                if v is not None:
                    msgs.extend(_genai_messages(v, "assistant"))
            else:
                v = _event_field(e, "gen_ai.input.messages")
                got = _genai_messages(v) if v is not None else []
                msgs.extend(_with_system(_event_field(e, "gen_ai.system_instructions"), got))
        elif output and name == "gen_ai.choice":
            body = _maybe_json(e.attributes.get(EVENT_BODY_KEY))
            if isinstance(body, dict) and isinstance(body.get("message"), dict):
                inner = dict(body["message"])
                inner.setdefault("role", "assistant")
                msgs.extend(_genai_messages([inner], "assistant"))
            else:
                msgs.append(_event_message(e, "assistant"))
        elif not output and name in _INPUT_EVENTS:
            msgs.append(_event_message(e, _INPUT_EVENTS[name]))
    return msgs


def _derive_input_messages(span: Span) -> tuple[Message, ...]:
    v = span.attr("gen_ai.input.messages")
    msgs = _genai_messages(v) if v is not None else []
    if not msgs:
        msgs = _oi_messages(span, "llm.input_messages")
    if not msgs:
        msgs = _legacy_messages(span, "gen_ai.prompt", "user")
    if not msgs:
        msgs = _vercel_input(span)
    msgs = _with_system(span.attr("gen_ai.system_instructions"), msgs)
    if not msgs:
        msgs = _event_messages(span, output=False)
    return tuple(msgs)


def _derive_output_messages(span: Span) -> tuple[Message, ...]:
    v = span.attr("gen_ai.output.messages")
    msgs = _genai_messages(v, "assistant") if v is not None else []
    if not msgs:
        msgs = _oi_messages(span, "llm.output_messages")
    if not msgs:
        msgs = _legacy_messages(span, "gen_ai.completion", "assistant")
    if not msgs:
        msgs = _vercel_output(span)
    if not msgs:
        msgs = _event_messages(span, output=True)
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
    "request_model": _derive_request_model,
    "response_model": _derive_response_model,
    "operation": _derive_operation,
    "provider": _derive_provider,
    "input_tokens": _derive_input_tokens,
    "output_tokens": _derive_output_tokens,
    "tool_name": _derive_tool_name,
    "tool_arguments": _derive_tool_arguments,
    "tool_result": _derive_tool_result,
    "retrieval_source": _derive_retrieval_source,
    "tool_call_id": _derive_tool_call_id,
    "requested_calls": _derive_requested_calls,
    "documents": _derive_documents,
    "prompt_name": _derive_prompt_name,
    "prompt_version": _derive_prompt_version,
    "input_messages": _derive_input_messages,
    "output_messages": _derive_output_messages,
    "search_text": _derive_search_text,
}
_CACHED = frozenset(
    {
        "tool_arguments",
        "tool_result",
        "documents",
        "input_messages",
        "output_messages",
        "requested_calls",
    }
)


def format_value(v: Any) -> str:
    """An attribute value as display text (JSON for lists/maps, base64-free bytes)."""
    return _as_text(v) or ""
