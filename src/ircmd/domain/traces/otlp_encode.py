"""Spans back to OTLP JSON (``ExportTraceServiceRequest``): for tests, round trips and
exports. Re-exported by :mod:`ircmd.domain.traces.otlp`."""

from __future__ import annotations

import base64
from typing import Any

from ircmd.domain.traces.spans import Span

SPAN_KINDS = ("UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER")
STATUS_CODES = ("UNSET", "OK", "ERROR")


def encode_value(v: Any) -> dict[str, Any]:
    """A Python value as an OTLP JSON ``AnyValue``."""
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, bytes):
        return {"bytesValue": base64.b64encode(v).decode("ascii")}
    if isinstance(v, list | tuple):
        return {"arrayValue": {"values": [encode_value(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": encode_attributes(v)}}
    if v is None:
        return {}
    return {"stringValue": str(v)}


def encode_attributes(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": encode_value(v)} for k, v in attrs.items()]


def encode_spans(spans: list[Span]) -> dict[str, Any]:
    """Spans as one OTLP JSON ``ExportTraceServiceRequest`` (grouped by resource, scope)."""
    groups: dict[int, tuple[dict[str, Any], dict[str, list[Span]]]] = {}
    for s in spans:
        res = dict(s.resource)
        g = groups.setdefault(id(s.resource), (res, {}))
        g[1].setdefault(s.scope, []).append(s)
    resource_spans = []
    for res, scopes in groups.values():
        resource_spans.append(
            {
                "resource": {"attributes": encode_attributes(res)},
                "scopeSpans": [
                    {"scope": {"name": scope}, "spans": [_encode_span(s) for s in ss]}
                    for scope, ss in scopes.items()
                ],
            }
        )
    return {"resourceSpans": resource_spans}


def _encode_span(s: Span) -> dict[str, Any]:
    d: dict[str, Any] = {
        "traceId": s.trace_id,
        "spanId": s.span_id,
        "name": s.name,
        "kind": SPAN_KINDS.index(s.otel_kind) if s.otel_kind in SPAN_KINDS else 0,
        "startTimeUnixNano": str(s.start_ns),
        "endTimeUnixNano": str(s.end_ns),
        "attributes": encode_attributes(s.attributes),
        "status": {
            "code": STATUS_CODES.index(s.status_code) if s.status_code in STATUS_CODES else 0
        },
    }
    if s.status_message:
        d["status"]["message"] = s.status_message
    if s.parent_id:
        d["parentSpanId"] = s.parent_id
    if s.events:
        d["events"] = [
            {
                "name": e.name,
                "timeUnixNano": str(e.time_ns),
                "attributes": encode_attributes(dict(e.attributes)),
            }
            for e in s.events
        ]
    if s.links:
        d["links"] = [
            {
                "traceId": lk.trace_id,
                "spanId": lk.span_id,
                "attributes": encode_attributes(dict(lk.attributes)),
            }
            for lk in s.links
        ]
    return d
