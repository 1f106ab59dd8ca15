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
from typing import Any

from ircmd.domain.traces.conventions import (
    _CACHED,
    _CONVERSATION_KEYS,
    _DERIVERS,
    _PLANS,
    _USER_KEYS,
    EVENT_BODY_KEY,
    GENAI_OPERATION_KINDS,
    OPENINFERENCE_KINDS,
    Document,
    Message,
    SpanKind,
    ToolCall,
    _derive_kind,
    _first_str,
    _jsonable,
    _plan,
    format_value,
    model_matches,
)

__all__ = [
    "EVENT_BODY_KEY",
    "GENAI_OPERATION_KINDS",
    "OPENINFERENCE_KINDS",
    "AttrValue",
    "Document",
    "Message",
    "Span",
    "SpanEvent",
    "SpanKind",
    "SpanLink",
    "StatusCode",
    "ToolCall",
    "format_value",
    "intern_keys",
    "model_matches",
]


class StatusCode(StrEnum):
    UNSET = "UNSET"
    OK = "OK"
    ERROR = "ERROR"


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
    def request_model(self) -> str | None:
        """The model asked for (GenAI request model, OpenInference invocation parameters,
        Vercel ``ai.model.id``)."""
        return self._derived("request_model")  # type: ignore[no-any-return]

    @property
    def response_model(self) -> str | None:
        """The model that answered (GenAI response model, OpenInference ``llm.model_name``)."""
        return self._derived("response_model")  # type: ignore[no-any-return]

    @property
    def operation(self) -> str | None:
        """The raw operation name the producer wrote (``gen_ai.operation.name``, ...)."""
        return self._derived("operation")  # type: ignore[no-any-return]

    @property
    def tool_call_id(self) -> str | None:
        """The id of the tool call a tool span executed."""
        return self._derived("tool_call_id")  # type: ignore[no-any-return]

    @property
    def requested_tool_calls(self) -> tuple[ToolCall, ...]:
        """Tool calls the model asked for in this llm span's output messages."""
        return self._derived("requested_calls")  # type: ignore[no-any-return]

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

    def search_text(self) -> str:
        """Lower-cased text a ``/`` search looks in: name, service, kind, status, attributes."""
        got = self._derived("search_text")
        assert isinstance(got, str)
        return got


# -- helpers ----------------------------------------------------------------------------


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
