"""OTLP log records that belong to spans: the GenAI events some instrumentations write as logs.

With message capture set to ``EVENT_ONLY`` (or ``SPAN_AND_EVENT``), the official OpenTelemetry
GenAI instrumentation writes the messages of a model call as OTLP **log records**
(``gen_ai.client.inference.operation.details``; older ones ``gen_ai.user.message``,
``gen_ai.choice`` …) that carry the trace and span id of the span they belong to.

:class:`LogRecord` is the one shape every reader produces (OTLP JSON files, the receiver's
protobuf and JSON bodies, gRPC); joining records to their spans is done here, once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ircmd.domain.traces.otlp_values import any_value, attributes_dict
from ircmd.domain.traces.spans import EVENT_BODY_KEY, Span, SpanEvent


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One OTLP log record, reduced to what joining it to a span needs."""

    trace_id: str  # lower-case hex, "" when the record has none
    span_id: str  # lower-case hex, "" when the record has none
    time_ns: int
    event_name: str  # OTLP ``eventName``, else the ``event.name`` attribute, else ""
    attributes: Mapping[str, Any]
    body: Any  # the decoded AnyValue body (str, dict, list, …) or None
    service: str = ""  # resource ``service.name``


def _hex_id(raw: Any, nbytes: int) -> str:
    """An OTLP JSON id (hex, any case; base64 tolerated) as lower-case hex, else ""."""
    if not isinstance(raw, str) or not raw:
        return ""
    s = raw.strip().lower()
    if len(s) == 2 * nbytes and all(c in "0123456789abcdef" for c in s):
        return "" if s.strip("0") == "" else s
    try:
        b = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return ""
    if len(b) != nbytes:
        return ""
    h = b.hex()
    return "" if h.strip("0") == "" else h


def _time(raw: Any) -> int:
    if isinstance(raw, bool):
        return 0
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            return 0
    return 0


def decode_logs_json(doc: dict[str, Any]) -> list[LogRecord]:
    """The log records of one OTLP JSON ``{"resourceLogs": [...]}`` document.

    Records that are not objects are skipped; ids are lower-case hex ("" when absent)."""
    out: list[LogRecord] = []
    rls = doc.get("resourceLogs", doc.get("resource_logs"))
    if not isinstance(rls, list):
        return out
    for rl in rls:
        if not isinstance(rl, dict):
            continue
        res = rl.get("resource")
        rattrs = attributes_dict(res.get("attributes")) if isinstance(res, dict) else {}
        service = rattrs.get("service.name")
        service = service if isinstance(service, str) else ""
        sls = rl.get("scopeLogs", rl.get("scope_logs"))
        if not isinstance(sls, list):
            continue
        for sl in sls:
            if not isinstance(sl, dict):
                continue
            recs = sl.get("logRecords", sl.get("log_records"))
            if not isinstance(recs, list):
                continue
            for r in recs:
                if not isinstance(r, dict):
                    continue
                attrs = attributes_dict(r.get("attributes"))
                name = r.get("eventName", r.get("event_name"))
                if not isinstance(name, str) or not name:
                    ev = attrs.get("event.name")
                    name = ev if isinstance(ev, str) else ""
                t = _time(r.get("timeUnixNano", r.get("time_unix_nano")))
                if not t:
                    t = _time(r.get("observedTimeUnixNano", r.get("observed_time_unix_nano")))
                out.append(
                    LogRecord(
                        trace_id=_hex_id(r.get("traceId", r.get("trace_id")), 16),
                        span_id=_hex_id(r.get("spanId", r.get("span_id")), 8),
                        time_ns=t,
                        event_name=name,
                        attributes=attrs,
                        body=any_value(r.get("body")) if r.get("body") is not None else None,
                        service=service,
                    )
                )
    return out


def record_event(rec: LogRecord) -> SpanEvent:
    """A log record as a span event (its body under :data:`EVENT_BODY_KEY`)."""
    attrs = dict(rec.attributes)
    if rec.body is not None:
        attrs[EVENT_BODY_KEY] = rec.body
    return SpanEvent(rec.event_name, rec.time_ns, attrs)


def attach_logs(spans: Iterable[Span], records: Iterable[LogRecord]) -> int:
    """Join log records to their spans by (trace id, span id): each becomes an event of its
    span (after the span's own events, in time order), so the span's messages include what
    the records carry. Returns how many records found a span; the others are left out."""
    by_span: dict[tuple[str, str], list[LogRecord]] = {}
    for r in records:
        if r.trace_id and r.span_id:
            by_span.setdefault((r.trace_id, r.span_id), []).append(r)
    if not by_span:
        return 0
    joined = 0
    for s in spans:
        got = by_span.get((s.trace_id, s.span_id))
        if not got:
            continue
        got.sort(key=lambda r: r.time_ns)
        s.events = (*s.events, *(record_event(r) for r in got))
        s._cache = None  # messages derived before the join are stale
        joined += len(got)
        # a span id seen twice (duplicates) takes the records once
        del by_span[(s.trace_id, s.span_id)]
    return joined
