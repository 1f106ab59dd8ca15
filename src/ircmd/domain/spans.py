"""One normalised span model over OpenTelemetry GenAI and OpenInference conventions.

A :class:`Span` holds what OTLP carries (ids, name, times, status, attributes, events,
links, resource) and derives, *from attributes only* (never from the span name), what an
incident responder asks about: the kind of step (llm, tool, retrieval...), the model and
provider, token usage, the tool call, retrieved documents, the prompt version, the
conversation and the user, and the messages in and out.

Speed and memory matter (a trace file may hold 100,000 spans), so ``Span`` is a plain
``__slots__`` class, not a pydantic model: attribute keys live in a tuple shared by every
span with the same key set (see :func:`intern_keys`), values in a per-span tuple, and every
derived field is computed on first use. :meth:`Span.to_dict` / :meth:`Span.from_dict`
give the canonical JSON-able form used for evidence.

Attribute names used (checked against the OpenTelemetry GenAI semantic conventions and the
OpenInference specification):

* GenAI: ``gen_ai.operation.name``, ``gen_ai.request.model``, ``gen_ai.response.model``,
  ``gen_ai.provider.name`` (deprecated ``gen_ai.system``), ``gen_ai.usage.input_tokens`` /
  ``output_tokens`` (deprecated ``prompt_tokens`` / ``completion_tokens``),
  ``gen_ai.tool.name``, ``gen_ai.tool.call.arguments``, ``gen_ai.tool.call.result``,
  ``gen_ai.data_source.id``, ``gen_ai.retrieval.documents``, ``gen_ai.retrieval.query.text``,
  ``gen_ai.prompt.name``, ``gen_ai.prompt.version``, ``gen_ai.conversation.id``,
  ``gen_ai.input.messages``, ``gen_ai.output.messages``, ``gen_ai.system_instructions``,
  and the older flattened ``gen_ai.prompt.N.role|content`` / ``gen_ai.completion.N.*``.
* OpenInference: ``openinference.span.kind``, ``llm.model_name``, ``llm.provider``,
  ``llm.system``, ``llm.token_count.prompt|completion``, ``llm.prompt_template.version``,
  ``llm.input_messages.N.message.*``, ``llm.output_messages.N.message.*``, ``tool.name``,
  ``tool.parameters``, ``input.value``, ``output.value``, ``retrieval.documents.N.document.*``,
  ``reranker.output_documents.N.document.*``, ``embedding.model_name``,
  ``reranker.model_name``, ``session.id``, ``user.id``, ``prompt.id``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar


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


class StatusCode(StrEnum):
    UNSET = "UNSET"
    OK = "OK"
    ERROR = "ERROR"


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

AttrValue = Any
"""str | bool | int | float | bytes | list[AttrValue] | dict[str, AttrValue] | None"""

_KEY_CACHE: dict[tuple[str, ...], tuple[str, ...]] = {}


def intern_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The one shared tuple for this key sequence (spans of one shape share their keys)."""
    got = _KEY_CACHE.get(keys)
    if got is None:
        if len(_KEY_CACHE) > 100_000:  # hostile input with ever-new key sets
            _KEY_CACHE.clear()
        _KEY_CACHE[keys] = keys
        got = keys
    return got


_EMPTY: tuple[Any, ...] = ()


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


@dataclass(frozen=True, slots=True)
class SpanEvent:
    name: str
    time_ns: int
    attributes: Mapping[str, AttrValue]


@dataclass(frozen=True, slots=True)
class SpanLink:
    trace_id: str
    span_id: str
    attributes: Mapping[str, AttrValue]


_UNSET: Any = object()


class Span:
    """One span, normalised. Plain data + lazily derived fields; treat as immutable."""

    __slots__ = (
        "_attr_keys",
        "_attr_values",
        "_cache",
        "_kind",
        "end_ns",
        "events",
        "links",
        "name",
        "origin",
        "otel_kind",
        "parent_id",
        "resource",
        "scope",
        "span_id",
        "start_ns",
        "status_code",
        "status_message",
        "trace_id",
    )

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_ns: int
    end_ns: int
    status_code: str
    status_message: str
    otel_kind: str
    resource: Mapping[str, AttrValue]
    scope: str
    events: tuple[SpanEvent, ...]
    links: tuple[SpanLink, ...]
    origin: str | None
    _attr_keys: tuple[str, ...]
    _attr_values: tuple[AttrValue, ...]
    _cache: dict[str, Any] | None
    _kind: SpanKind | None

    def __init__(
        self,
        trace_id: str,
        span_id: str,
        parent_id: str | None = None,
        name: str = "",
        start_ns: int = 0,
        end_ns: int = 0,
        status_code: str = "UNSET",
        status_message: str = "",
        attributes: Mapping[str, AttrValue] | None = None,
        events: Iterable[SpanEvent] = (),
        links: Iterable[SpanLink] = (),
        resource: Mapping[str, AttrValue] | None = None,
        scope: str = "",
        otel_kind: str = "INTERNAL",
        origin: str | None = None,
    ) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.parent_id = parent_id or None
        self.name = name
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.status_code = status_code
        self.status_message = status_message
        if attributes:
            self._attr_keys = intern_keys(tuple(attributes))
            self._attr_values = tuple(attributes.values())
        else:
            self._attr_keys = _EMPTY
            self._attr_values = _EMPTY
        self.events = tuple(events)
        self.links = tuple(links)
        self.resource = resource if resource is not None else {}
        self.scope = scope
        self.otel_kind = otel_kind
        self.origin = origin
        self._cache = None
        self._kind = None

    @classmethod
    def fast(
        cls,
        trace_id: str,
        span_id: str,
        parent_id: str | None,
        name: str,
        start_ns: int,
        end_ns: int,
        status_code: str,
        status_message: str,
        attr_keys: tuple[str, ...],
        attr_values: tuple[AttrValue, ...],
        events: tuple[SpanEvent, ...],
        links: tuple[SpanLink, ...],
        resource: Mapping[str, AttrValue],
        scope: str,
        otel_kind: str,
        origin: str | None,
    ) -> Span:
        """Build without copying (the decoder's hot path; ``attr_keys`` already interned)."""
        s = cls.__new__(cls)
        s.trace_id = trace_id
        s.span_id = span_id
        s.parent_id = parent_id
        s.name = name
        s.start_ns = start_ns
        s.end_ns = end_ns
        s.status_code = status_code
        s.status_message = status_message
        s._attr_keys = attr_keys
        s._attr_values = attr_values
        s.events = events
        s.links = links
        s.resource = resource
        s.scope = scope
        s.otel_kind = otel_kind
        s.origin = origin
        s._cache = None
        s._kind = None
        return s

    # -- plain data ------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Span({self.name!r}, trace={self.trace_id[:8]}, span={self.span_id}, {self.kind})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    @property
    def key(self) -> tuple[str, str]:
        return (self.trace_id, self.span_id)

    @property
    def attributes(self) -> dict[str, AttrValue]:
        """The span's attributes as a fresh dict (later keys win on duplicates)."""
        return dict(zip(self._attr_keys, self._attr_values, strict=True))

    def attr(self, key: str, default: Any = None) -> Any:
        """One attribute's value (the last one when a key repeats), or ``default``."""
        keys = self._attr_keys
        if key not in keys:
            return default
        return self._attr_values[keys.index(key)]

    def attr_items(self) -> Iterator[tuple[str, AttrValue]]:
        return zip(self._attr_keys, self._attr_values, strict=True)

    @property
    def service(self) -> str:
        v = self.resource.get("service.name")
        return v if isinstance(v, str) else ""

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    @property
    def is_error(self) -> bool:
        return self.status_code == "ERROR"

    def summary_fields(
        self,
    ) -> tuple[int | None, int | None, str | None, str | None, str | None, str | None]:
        """``(input_tokens, output_tokens, model, tool_name, conversation_id, user_id)`` in
        one go, through a lookup plan shared by every span with the same attribute keys
        (the trace list's hot path over 100,000 spans)."""
        keys = self._attr_keys
        if not keys:
            return (None, None, None, None, None, None)
        plan = _PLANS.get(keys)
        if plan is None:
            plan = _plan(keys)
        vals = self._attr_values
        out: list[Any] = []
        for conv, idxs in plan:
            got = None
            for i in idxs:
                got = conv(vals[i])
                if got is not None and got != "":
                    break
                got = None
            out.append(got)
        return (out[0], out[1], out[2], out[3], out[4], out[5])

    # -- derived (lazy; the costly ones cached) ---------------------------------------
    def _derived(self, name: str) -> Any:
        if name not in _CACHED:
            return _DERIVERS[name](self)
        cache = self._cache
        if cache is None:
            cache = self._cache = {}
        got = cache.get(name, _UNSET)
        if got is _UNSET:
            got = cache[name] = _DERIVERS[name](self)
        return got

    @property
    def kind(self) -> SpanKind:
        k = self._kind
        if k is None:
            k = self._kind = _derive_kind(self)
        return k

    @property
    def model(self) -> str | None:
        """The model asked for (request model), else the one that answered."""
        return self._derived("model")  # type: ignore[no-any-return]

    @property
    def response_model(self) -> str | None:
        return _first_str(self, "gen_ai.response.model", "llm.response.model_name")

    @property
    def provider(self) -> str | None:
        return self._derived("provider")  # type: ignore[no-any-return]

    @property
    def input_tokens(self) -> int | None:
        return self._derived("input_tokens")  # type: ignore[no-any-return]

    @property
    def output_tokens(self) -> int | None:
        return self._derived("output_tokens")  # type: ignore[no-any-return]

    @property
    def tool_name(self) -> str | None:
        return self._derived("tool_name")  # type: ignore[no-any-return]

    @property
    def tool_arguments(self) -> Any:
        """The tool call's arguments: a parsed JSON value when they are JSON, else the text."""
        return self._derived("tool_arguments")

    @property
    def tool_result(self) -> Any:
        """The tool call's result: a parsed JSON value when it is JSON, else the text."""
        return self._derived("tool_result")

    @property
    def retrieval_source(self) -> str | None:
        return self._derived("retrieval_source")  # type: ignore[no-any-return]

    @property
    def retrieval_query(self) -> str | None:
        return _first_str(self, "gen_ai.retrieval.query.text", "reranker.query")

    @property
    def documents(self) -> tuple[Document, ...]:
        return self._derived("documents")  # type: ignore[no-any-return]

    @property
    def prompt_name(self) -> str | None:
        return self._derived("prompt_name")  # type: ignore[no-any-return]

    @property
    def prompt_version(self) -> str | None:
        return self._derived("prompt_version")  # type: ignore[no-any-return]

    @property
    def conversation_id(self) -> str | None:
        return _first_str(self, *_CONVERSATION_KEYS)

    @property
    def user_id(self) -> str | None:
        return _first_str(self, *_USER_KEYS)

    @property
    def input_value(self) -> str | None:
        return _first_str(self, "input.value")

    @property
    def output_value(self) -> str | None:
        return _first_str(self, "output.value")

    @property
    def input_messages(self) -> tuple[Message, ...]:
        return self._derived("input_messages")  # type: ignore[no-any-return]

    @property
    def output_messages(self) -> tuple[Message, ...]:
        return self._derived("output_messages")  # type: ignore[no-any-return]

    # -- canonical form ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of everything the span carries (bytes as ``{"bytes": b64}``)."""
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_id": self.parent_id,
            "name": self.name,
            "start_ns": self.start_ns,
            "end_ns": self.end_ns,
            "status": {"code": self.status_code, "message": self.status_message},
            "otel_kind": self.otel_kind,
            "scope": self.scope,
            "attributes": [[k, _jsonable(v)] for k, v in self.attr_items()],
            "events": [
                {"name": e.name, "time_ns": e.time_ns, "attributes": _jsonable(dict(e.attributes))}
                for e in self.events
            ],
            "links": [
                {
                    "trace_id": lk.trace_id,
                    "span_id": lk.span_id,
                    "attributes": _jsonable(dict(lk.attributes)),
                }
                for lk in self.links
            ],
            "resource": _jsonable(dict(self.resource)),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], origin: str | None = None) -> Span:
        """The inverse of :meth:`to_dict` (raises ``KeyError``/``TypeError`` on bad input)."""
        status = d.get("status") or {}
        attrs = d.get("attributes") or []
        pairs = attrs.items() if isinstance(attrs, Mapping) else ((k, v) for k, v in attrs)
        keys: list[str] = []
        values: list[Any] = []
        for k, v in pairs:
            keys.append(str(k))
            values.append(_from_jsonable(v))
        return cls.fast(
            trace_id=str(d["trace_id"]),
            span_id=str(d["span_id"]),
            parent_id=d.get("parent_id") or None,
            name=str(d.get("name", "")),
            start_ns=int(d.get("start_ns", 0)),
            end_ns=int(d.get("end_ns", 0)),
            status_code=str(status.get("code", "UNSET")),
            status_message=str(status.get("message", "")),
            attr_keys=intern_keys(tuple(keys)),
            attr_values=tuple(values),
            events=tuple(
                SpanEvent(
                    str(e.get("name", "")),
                    int(e.get("time_ns", 0)),
                    _from_jsonable(e.get("attributes") or {}),
                )
                for e in d.get("events") or ()
            ),
            links=tuple(
                SpanLink(
                    str(lk["trace_id"]),
                    str(lk["span_id"]),
                    _from_jsonable(lk.get("attributes") or {}),
                )
                for lk in d.get("links") or ()
            ),
            resource=_from_jsonable(d.get("resource") or {}),
            scope=str(d.get("scope", "")),
            otel_kind=str(d.get("otel_kind", "INTERNAL")),
            origin=origin,
        )

    def canonical_json(self) -> str:
        """Deterministic JSON (sorted keys, no spaces): what evidence hashes are taken of."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name", "service", "kind", "status_message")

    def search_text(self) -> str:
        """Lower-cased text a ``/`` search looks in: name, service, kind, status, attributes."""
        got = self._derived("search_text")
        assert isinstance(got, str)
        return got


# -- helpers ----------------------------------------------------------------------------

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


def _from_jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        if len(v) == 1 and "bytes" in v and isinstance(v["bytes"], str):
            try:
                return base64.b64decode(v["bytes"], validate=True)
            except ValueError:
                return v
        if len(v) == 1 and "double" in v and isinstance(v["double"], str):
            try:
                return float(v["double"])
            except ValueError:
                return v
        return {k: _from_jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_jsonable(x) for x in v]
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


def _derive_kind(span: Span) -> SpanKind:
    keys = span._attr_keys
    if "gen_ai.operation.name" in keys:
        op = span.attr("gen_ai.operation.name")
        if isinstance(op, str):
            got = GENAI_OPERATION_KINDS.get(op.strip().lower())
            if got is not None:
                return got
    if "openinference.span.kind" in keys:
        oi = span.attr("openinference.span.kind")
        if isinstance(oi, str):
            oi = oi.strip().upper()
            got = OPENINFERENCE_KINDS.get(oi)
            # UNKNOWN says nothing: let the other attributes speak
            if got is not None and oi != "UNKNOWN":
                return got
    if not keys:
        return SpanKind.OTHER
    # no explicit kind: fall back on what the attributes describe
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
