"""OTLP protobuf (``ExportTraceServiceRequest``) to spans, ``ExportLogsServiceRequest`` (and
OTLP JSON logs) to :class:`~ircmd.domain.traces.logs.LogRecord`, and OTLP/HTTP response bodies.

Uses the ``opentelemetry-proto`` package for the wire format; the conversion mirrors
:class:`ircmd.domain.traces.otlp.Decoder` (same sharing of strings and key tuples).
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from ircmd.domain.traces.logs import LogRecord
from ircmd.domain.traces.otlp import SPAN_KINDS, STATUS_CODES, Problems, gc_paused
from ircmd.domain.traces.spans import Span, SpanEvent, SpanLink, intern_keys

ExportTraceServiceRequest = trace_service_pb2.ExportTraceServiceRequest
ExportTraceServiceResponse = trace_service_pb2.ExportTraceServiceResponse
ExportLogsServiceRequest = logs_service_pb2.ExportLogsServiceRequest
ExportLogsServiceResponse = logs_service_pb2.ExportLogsServiceResponse


class UndecodableBody(ValueError):
    pass


def _value(v: Any) -> Any:
    which = v.WhichOneof("value")
    if which == "string_value":
        return v.string_value
    if which == "int_value":
        return v.int_value
    if which == "bool_value":
        return v.bool_value
    if which == "double_value":
        return v.double_value
    if which == "bytes_value":
        return bytes(v.bytes_value)
    if which == "array_value":
        return [_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in v.kvlist_value.values}
    return None


def _attrs(kvs: Any) -> dict[str, Any]:
    return {kv.key: _value(kv.value) for kv in kvs}


def _bad_ids(sp: Any) -> bool:
    t, s = sp.trace_id, sp.span_id
    return len(t) != 16 or len(s) != 8 or t == _ZERO16 or s == _ZERO8


_ZERO16 = bytes(16)
_ZERO8 = bytes(8)


def load_request(body: bytes) -> Any:
    """The parsed ``ExportTraceServiceRequest`` (``UndecodableBody`` if it is not one)."""
    return _parse(ExportTraceServiceRequest, body)


def _parse(cls: Any, body: bytes) -> Any:
    """``body`` parsed as the protobuf message ``cls`` (``UndecodableBody`` naming it)."""
    req = cls()
    try:
        req.ParseFromString(body)
    except (DecodeError, ValueError, RuntimeError, RecursionError) as exc:
        raise UndecodableBody(f"not an OTLP protobuf {cls.__name__} ({exc})") from exc
    return req


def validate_request(req: Any, origin: str) -> tuple[int, Problems]:
    """``(valid span count, problems)`` without building spans: the receiver's ack path."""
    problems = Problems(origin)
    ok = n = 0
    for rs in req.resource_spans:
        for ss in rs.scope_spans:
            for sp in ss.spans:
                n += 1
                if _bad_ids(sp):
                    problems.add(_bad_ids_message(n, sp), spans=1)
                else:
                    ok += 1
    return ok, problems


def _bad_ids_message(n: int, sp: Any) -> str:
    return (
        f"span #{n} skipped: trace id must be 16 bytes and span id 8 bytes, not zero "
        f"(got {len(sp.trace_id)} and {len(sp.span_id)})"
    )


def parse_protobuf(body: bytes, origin: str) -> tuple[list[Span], Problems]:
    """Spans from a serialized ``ExportTraceServiceRequest``.

    Raises :class:`UndecodableBody` when the bytes are not that message at all; spans
    with invalid ids are skipped and counted in the returned problems."""
    return spans_from_request(load_request(body), origin)


def spans_from_request(req: Any, origin: str) -> tuple[list[Span], Problems]:
    """Spans of a parsed ``ExportTraceServiceRequest`` (invalid ones skipped, counted)."""
    problems = Problems(origin)
    out: list[Span] = []
    strings: dict[str, str] = {}
    n = 0
    with gc_paused():
        for rs in req.resource_spans:
            resource = _attrs(rs.resource.attributes)
            for ss in rs.scope_spans:
                scope = ss.scope.name
                for sp in ss.spans:
                    n += 1
                    tid_b = sp.trace_id
                    sid_b = sp.span_id
                    if _bad_ids(sp):
                        problems.add(_bad_ids_message(n, sp), spans=1)
                        continue
                    tid = tid_b.hex()
                    tid = strings.setdefault(tid, tid)
                    sid = sid_b.hex()
                    pid_b = sp.parent_span_id
                    pid = pid_b.hex() if len(pid_b) == 8 and any(pid_b) else None
                    if pid == sid:
                        pid = None
                    name = sp.name
                    name = strings.setdefault(name, name)
                    keys: list[str] = []
                    values: list[Any] = []
                    for kv in sp.attributes:
                        v = kv.value
                        if v.WhichOneof("value") == "string_value":
                            sv = v.string_value
                            if len(sv) <= 48:  # repeated short values: one shared copy
                                sv = strings.setdefault(sv, sv)
                            values.append(sv)
                        else:
                            values.append(_value(v))
                        keys.append(kv.key)
                    if len(set(keys)) != len(keys):
                        d = dict(zip(keys, values, strict=True))
                        keys, values = list(d), list(d.values())
                    code = sp.status.code
                    kind = sp.kind
                    events = tuple(
                        SpanEvent(e.name, e.time_unix_nano, _attrs(e.attributes)) for e in sp.events
                    )
                    links = tuple(
                        SpanLink(lk.trace_id.hex(), lk.span_id.hex(), _attrs(lk.attributes))
                        for lk in sp.links
                    )
                    out.append(
                        Span.fast(
                            tid,
                            sid,
                            pid,
                            name,
                            sp.start_time_unix_nano,
                            sp.end_time_unix_nano or sp.start_time_unix_nano,
                            STATUS_CODES[code] if 0 <= code < 3 else "UNSET",
                            sp.status.message,
                            intern_keys(tuple(keys)),
                            tuple(values),
                            events,
                            links,
                            resource,
                            scope,
                            SPAN_KINDS[kind] if 0 <= kind < len(SPAN_KINDS) else "UNSPECIFIED",
                            origin,
                        )
                    )
    return out, problems


def count_protobuf_spans(body: bytes) -> int:
    req = ExportTraceServiceRequest()
    req.ParseFromString(body)
    return sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)


def response_body(rejected: int, message: str, *, protobuf: bool) -> bytes:
    """An ``ExportTraceServiceResponse`` (with ``partial_success`` when spans were rejected)."""
    return _export_response(
        ExportTraceServiceResponse, "rejected_spans", "rejectedSpans", rejected, message, protobuf
    )


def _export_response(
    cls: Any, field: str, json_field: str, rejected: int, message: str, protobuf: bool
) -> bytes:
    """An OTLP export response, protobuf or JSON: empty, or ``partial_success`` with the
    count rejected (in ``field``/``json_field``) and the message."""
    if protobuf:
        resp = cls()
        if rejected or message:
            setattr(resp.partial_success, field, rejected)
            resp.partial_success.error_message = message
        return bytes(resp.SerializeToString())
    if rejected or message:
        return json.dumps(
            {"partialSuccess": {json_field: str(rejected), "errorMessage": message}}
        ).encode()
    return b"{}"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def status_body(code: int, message: str, *, protobuf: bool) -> bytes:
    """A ``google.rpc.Status`` for an error response (hand-encoded: two fields)."""
    if not protobuf:
        return json.dumps({"code": code, "message": message}).encode()
    msg = message.encode("utf-8")
    return b"\x08" + _varint(code) + b"\x12" + _varint(len(msg)) + msg


def _set_value(av: Any, v: Any) -> None:
    if isinstance(v, bool):
        av.bool_value = v
    elif isinstance(v, int):
        av.int_value = v
    elif isinstance(v, float):
        av.double_value = v
    elif isinstance(v, bytes):
        av.bytes_value = v
    elif isinstance(v, list | tuple):
        arr = av.array_value
        for x in v:
            _set_value(arr.values.add(), x)
    elif isinstance(v, dict):
        kvl = av.kvlist_value
        for k, x in v.items():
            kv = kvl.values.add()
            kv.key = str(k)
            _set_value(kv.value, x)
    elif v is not None:
        av.string_value = str(v)


def encode_protobuf(spans: list[Span]) -> bytes:
    """Spans as a serialized ``ExportTraceServiceRequest`` (grouped by resource)."""
    req = ExportTraceServiceRequest()
    groups: dict[int, Any] = {}
    for s in spans:
        ss = groups.get(id(s.resource))
        if ss is None:
            rs = req.resource_spans.add()
            for k, v in s.resource.items():
                kv = rs.resource.attributes.add()
                kv.key = k
                _set_value(kv.value, v)
            ss = groups[id(s.resource)] = rs.scope_spans.add()
            ss.scope.name = s.scope
        p = ss.spans.add()
        p.trace_id = bytes.fromhex(s.trace_id)
        p.span_id = bytes.fromhex(s.span_id)
        if s.parent_id:
            p.parent_span_id = bytes.fromhex(s.parent_id)
        p.name = s.name
        p.start_time_unix_nano = s.start_ns
        p.end_time_unix_nano = s.end_ns
        p.kind = SPAN_KINDS.index(s.otel_kind) if s.otel_kind in SPAN_KINDS else 0
        p.status.code = STATUS_CODES.index(s.status_code) if s.status_code in STATUS_CODES else 0
        p.status.message = s.status_message
        for k, v in s.attr_items():
            kv = p.attributes.add()
            kv.key = k
            _set_value(kv.value, v)
        for e in s.events:
            pe = p.events.add()
            pe.name = e.name
            pe.time_unix_nano = e.time_ns
            for k, v in e.attributes.items():
                kv = pe.attributes.add()
                kv.key = k
                _set_value(kv.value, v)
    return bytes(req.SerializeToString())


# -- logs ---------------------------------------------------------------------------------


def load_logs_request(body: bytes) -> Any:
    """The parsed ``ExportLogsServiceRequest`` (``UndecodableBody`` if it is not one)."""
    return _parse(ExportLogsServiceRequest, body)


def count_log_records(req: Any) -> int:
    return sum(len(sl.log_records) for rl in req.resource_logs for sl in rl.scope_logs)


def logs_from_request(req: Any) -> list[LogRecord]:
    """Every log record of a parsed ``ExportLogsServiceRequest``."""
    out: list[LogRecord] = []
    for rl in req.resource_logs:
        service = ""
        for kv in rl.resource.attributes:
            if kv.key == "service.name":
                service = str(_value(kv.value) or "")
        for sl in rl.scope_logs:
            for lr in sl.log_records:
                attrs = _attrs(lr.attributes)
                name = getattr(lr, "event_name", "") or str(attrs.get("event.name") or "")
                out.append(
                    LogRecord(
                        trace_id=bytes(lr.trace_id).hex() if len(lr.trace_id) == 16 else "",
                        span_id=bytes(lr.span_id).hex() if len(lr.span_id) == 8 else "",
                        time_ns=int(lr.time_unix_nano or lr.observed_time_unix_nano),
                        event_name=name,
                        attributes=attrs,
                        body=_value(lr.body) if lr.HasField("body") else None,
                        service=service,
                    )
                )
    return out


def parse_logs_protobuf(body: bytes) -> list[LogRecord]:
    try:
        return logs_from_request(load_logs_request(body))
    except RecursionError as exc:
        raise UndecodableBody(f"log record nested too deeply ({exc})") from None


def _json_id(raw: Any, nbytes: int) -> str:
    if isinstance(raw, str) and len(raw) == nbytes * 2:
        low = raw.lower()
        try:
            bytes.fromhex(low)
        except ValueError:
            return ""
        return "" if low == "0" * (nbytes * 2) else low
    return ""


def logs_response_body(rejected: int, message: str, *, protobuf: bool) -> bytes:
    """An ``ExportLogsServiceResponse`` (``partial_success`` when records were rejected)."""
    return _export_response(
        ExportLogsServiceResponse,
        "rejected_log_records",
        "rejectedLogRecords",
        rejected,
        message,
        protobuf,
    )
