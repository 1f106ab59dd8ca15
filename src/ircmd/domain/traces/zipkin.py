"""Zipkin v2 JSON (``/api/v2/spans`` bodies, ``/api/v2/trace/{id}`` and ``/api/v2/traces``
answers) read as spans.

Shape (``zipkin2-api.yaml``): a list of spans (or a list of such lists), each ``{"traceId",
"id", "parentId", "name", "kind", "timestamp", "duration", "localEndpoint":
{"serviceName"}, "remoteEndpoint", "annotations": [{"timestamp", "value"}], "tags":
{str: str}}``; times in microseconds. Annotations become span events; status comes from
``otel.status_code`` or the ``error`` tag. Tag values are strings; JSON-looking values stay
strings (as GenAI attributes written by OpenTelemetry's Zipkin exporter are).
"""

from __future__ import annotations

from typing import Any

from ircmd.domain.traces.jaeger import JaegerError, hex_id, kind_of, status_of
from ircmd.domain.traces.spans import Span, SpanEvent


def _looks_span(x: Any) -> bool:
    return isinstance(x, dict) and "traceId" in x and "id" in x and "spanId" not in x


def is_zipkin(obj: Any) -> bool:
    """True for a Zipkin v2 list of spans (or list of traces)."""
    if not isinstance(obj, list) or not obj:
        return False
    first = obj[0]
    if isinstance(first, list):
        first = first[0] if first else None
    return _looks_span(first)


def _us(raw: Any) -> int:
    if isinstance(raw, bool):
        raise JaegerError("timestamp is not a number")
    if isinstance(raw, int):
        return raw * 1000
    if isinstance(raw, float):
        return int(raw * 1000)
    if isinstance(raw, str) and raw.isdigit():
        return int(raw) * 1000
    if raw is None:
        return 0
    raise JaegerError(f"timestamp {str(raw)[:40]!r} is not a number")


def _span(sp: dict[str, Any], origin: str) -> Span:
    trace_id = hex_id(sp.get("traceId"), 16, "traceId")
    span_id = hex_id(sp.get("id"), 8, "id")
    parent = hex_id(sp["parentId"], 8, "parentId") if sp.get("parentId") else None
    start = _us(sp.get("timestamp"))
    end = start + _us(sp.get("duration"))
    raw_tags = sp.get("tags")
    tags: dict[str, Any] = dict(raw_tags) if isinstance(raw_tags, dict) else {}
    code, message = status_of(tags)
    events = [
        SpanEvent(str(a.get("value", "")), _us(a.get("timestamp")), {})
        for a in sp.get("annotations") or ()
        if isinstance(a, dict)
    ]
    resource: dict[str, Any] = {}
    local = sp.get("localEndpoint")
    if isinstance(local, dict) and isinstance(local.get("serviceName"), str):
        resource["service.name"] = local["serviceName"]
    remote = sp.get("remoteEndpoint")
    if isinstance(remote, dict) and isinstance(remote.get("serviceName"), str):
        tags.setdefault("peer.service", remote["serviceName"])
    scope = tags.pop("otel.scope.name", None) or tags.pop("otel.library.name", None) or ""
    return Span(
        trace_id,
        span_id,
        parent if parent != span_id else None,
        str(sp.get("name") or ""),
        start,
        end,
        code,
        message,
        tags,
        events,
        (),
        resource,
        str(scope),
        kind_of(sp.get("kind")),
        origin,
    )


def decode_zipkin(obj: Any, origin: str) -> tuple[list[Span], list[str]]:
    """Spans of a Zipkin v2 list and one line per span that was skipped."""
    flat: list[Any] = []
    for item in obj if isinstance(obj, list) else ():
        flat.extend(item if isinstance(item, list) else [item])
    spans: list[Span] = []
    problems: list[str] = []
    for i, sp in enumerate(flat, 1):
        try:
            if not isinstance(sp, dict):
                raise JaegerError("not an object")
            spans.append(_span(sp, origin))
        except JaegerError as exc:
            problems.append(f"Zipkin span #{i} skipped: {exc}")
    return spans, problems
