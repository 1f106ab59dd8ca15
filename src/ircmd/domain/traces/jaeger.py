"""Jaeger UI JSON exports (the "Download JSON" of a trace page, or ``/api/traces`` answers)
read as spans.

Shape (``jaeger-ui`` ``types/trace.ts``): ``{"data": [trace, …]}`` or one trace, where a trace
is ``{"traceID", "spans": [...], "processes": {id: {"serviceName", "tags"}}}`` and a span is
``{"traceID", "spanID", "operationName", "references": [{"refType", "traceID", "spanID"}],
"startTime", "duration", "tags": [{"key", "type", "value"}], "logs": [{"timestamp",
"fields"}], "processID"}``. Times are microseconds. The parent is the first ``CHILD_OF``
reference in the same trace (else the first ``FOLLOWS_FROM``); other references become links.
Kind comes from the ``span.kind`` tag, status from ``otel.status_code`` or the ``error`` tag.
"""

from __future__ import annotations

from typing import Any

from ircmd.domain.traces.spans import Span, SpanEvent, SpanLink

_KINDS = {
    "client": "CLIENT",
    "server": "SERVER",
    "producer": "PRODUCER",
    "consumer": "CONSUMER",
    "internal": "INTERNAL",
}


class JaegerError(ValueError):
    """One span (or trace) that cannot be read; the message says why."""


def is_jaeger(obj: Any) -> bool:
    """True for a Jaeger UI export: ``{"data": [trace…]}`` or one trace object."""
    if isinstance(obj, dict) and isinstance(obj.get("data"), list):
        first = next((t for t in obj["data"] if isinstance(t, dict)), None)
        return (
            first is not None and "spans" in first and ("traceID" in first or "processes" in first)
        )
    return isinstance(obj, dict) and "traceID" in obj and isinstance(obj.get("spans"), list)


def hex_id(raw: Any, nbytes: int, what: str) -> str:
    """A Jaeger/Zipkin hex id, left-padded to its full width (64-bit trace ids exist)."""
    if not isinstance(raw, str) or not raw:
        raise JaegerError(f"{what} missing")
    s = raw.strip().lower()
    if len(s) > nbytes * 2 or any(c not in "0123456789abcdef" for c in s):
        raise JaegerError(f"{what} {raw[:40]!r} is not hex")
    return s.rjust(nbytes * 2, "0")


def _kv(tags: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(tags, list):
        for t in tags:
            if isinstance(t, dict) and isinstance(t.get("key"), str):
                out[t["key"]] = t.get("value")
    return out


def _us(raw: Any, what: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise JaegerError(f"{what} missing")
    try:
        return int(raw) * 1000 if not isinstance(raw, float) else int(raw * 1000)
    except ValueError:
        raise JaegerError(f"{what} {str(raw)[:40]!r} is not a number") from None


def status_of(tags: dict[str, Any]) -> tuple[str, str]:
    """``(code, message)`` from ``otel.status_code``/``otel.status_description``, else the
    ``error`` tag (shared by Jaeger and Zipkin)."""
    code = str(tags.get("otel.status_code", "")).upper().removeprefix("STATUS_CODE_")
    msg = tags.get("otel.status_description") or tags.get("error.message") or ""
    if code in ("ERROR", "OK"):
        return code, str(msg)
    err = tags.get("error")
    if err is True or (isinstance(err, str) and err.lower() not in ("", "false", "0")):
        return "ERROR", str(msg or (err if isinstance(err, str) and err.lower() != "true" else ""))
    return "UNSET", ""


def kind_of(raw: Any) -> str:
    return _KINDS.get(str(raw).lower(), "INTERNAL") if raw else "INTERNAL"


def _span(sp: dict[str, Any], processes: dict[str, Any], trace_default: Any, origin: str) -> Span:
    trace_id = hex_id(sp.get("traceID", trace_default), 16, "traceID")
    span_id = hex_id(sp.get("spanID"), 8, "spanID")
    start = _us(sp.get("startTime"), "startTime")
    duration = _us(sp.get("duration", 0), "duration")
    tags = _kv(sp.get("tags"))
    kind = kind_of(tags.pop("span.kind", None))
    code, message = status_of(tags)
    parent: str | None = None
    links: list[SpanLink] = []
    refs = [r for r in sp.get("references") or () if isinstance(r, dict)]
    for want in ("CHILD_OF", "FOLLOWS_FROM"):
        for r in refs:
            if parent is None and r.get("refType") == want:
                rt = hex_id(r.get("traceID", trace_id), 16, "reference traceID")
                if rt == trace_id:
                    parent = hex_id(r.get("spanID"), 8, "reference spanID")
    for r in refs:
        rt = hex_id(r.get("traceID", trace_id), 16, "reference traceID")
        rs = hex_id(r.get("spanID"), 8, "reference spanID")
        if not (rt == trace_id and rs == parent):
            links.append(SpanLink(rt, rs, {"jaeger.ref_type": str(r.get("refType", ""))}))
    events = []
    for log in sp.get("logs") or ():
        if isinstance(log, dict):
            fields = _kv(log.get("fields"))
            name = fields.pop("event", None)
            events.append(
                SpanEvent(str(name or "log"), _us(log.get("timestamp", 0), "log timestamp"), fields)
            )
    proc = sp.get("process")
    if not isinstance(proc, dict):
        proc = processes.get(str(sp.get("processID", "")))
    resource: dict[str, Any] = {}
    if isinstance(proc, dict):
        resource.update(_kv(proc.get("tags")))
        if isinstance(proc.get("serviceName"), str):
            resource["service.name"] = proc["serviceName"]
    scope = tags.pop("otel.scope.name", None) or tags.pop("otel.library.name", None) or ""
    return Span(
        trace_id,
        span_id,
        parent if parent != span_id else None,
        str(sp.get("operationName") or ""),
        start,
        start + duration,
        code,
        message,
        tags,
        events,
        links,
        resource,
        str(scope),
        kind,
        origin,
    )


def decode_jaeger(obj: Any, origin: str) -> tuple[list[Span], list[str]]:
    """Spans of a Jaeger UI export and one line per span or trace that was skipped."""
    traces = obj["data"] if isinstance(obj, dict) and isinstance(obj.get("data"), list) else [obj]
    spans: list[Span] = []
    problems: list[str] = []
    for ti, tr in enumerate(traces, 1):
        if not isinstance(tr, dict) or not isinstance(tr.get("spans"), list):
            problems.append(f"Jaeger trace #{ti} skipped: no spans list")
            continue
        procs = tr.get("processes")
        processes = procs if isinstance(procs, dict) else {}
        for si, sp in enumerate(tr["spans"], 1):
            try:
                if not isinstance(sp, dict):
                    raise JaegerError("not an object")
                spans.append(_span(sp, processes, tr.get("traceID"), origin))
            except JaegerError as exc:
                problems.append(f"Jaeger trace #{ti} span #{si} skipped: {exc}")
    return spans, problems
