"""Decoding OTLP trace data in its JSON encoding into :class:`~ircmd.domain.traces.spans.Span`.

Follows the OTLP/JSON rules: lowerCamelCase keys (snake_case accepted too), trace and span
ids as hex in any case (base64 accepted, as some protobuf JSON printers write it), 64-bit
integers as decimal strings or numbers, enums as integers or protobuf names
(``SPAN_KIND_SERVER``, ``STATUS_CODE_ERROR``), unknown fields ignored, every ``AnyValue``
type (string, bool, int, double, bytes, array, kvlist).

A file holds one ``ExportTraceServiceRequest`` or one per line (JSONL), or a JSON array of
them. Nothing here raises on bad data: a broken line or span is skipped and counted in a
:class:`Problems` that names the file and what was wrong.

The decoder is the hot path for 100,000-span files: it builds ``Span`` objects directly
(no validation layer), shares key tuples, trace ids, names and resources between spans,
and runs with the garbage collector paused (the objects it allocates cannot form cycles).
"""

from __future__ import annotations

import base64
import binascii
import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ircmd.domain.traces import logs as _logs
from ircmd.domain.traces.jaeger import decode_jaeger, is_jaeger
from ircmd.domain.traces.otlp_encode import (
    SPAN_KINDS,
    STATUS_CODES,
    encode_attributes,
    encode_spans,
    encode_value,
)
from ircmd.domain.traces.otlp_stream import Unstreamable, stream_request
from ircmd.domain.traces.otlp_values import any_value, attributes_dict
from ircmd.domain.traces.spans import Span, SpanEvent, SpanLink, intern_keys
from ircmd.domain.traces.zipkin import decode_zipkin, is_zipkin

MAX_MESSAGES = 20
"""How many problem lines are kept per file (all are counted)."""


@dataclass
class Problems:
    """What was wrong with one input (a file, a request body), counted and described."""

    origin: str
    messages: list[str] = field(default_factory=list)
    skipped_spans: int = 0
    skipped_lines: int = 0
    count: int = 0

    def add(self, message: str, *, spans: int = 0, lines: int = 0) -> None:
        self.count += 1
        self.skipped_spans += spans
        self.skipped_lines += lines
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(f"{self.origin}: {message}")
        elif len(self.messages) == MAX_MESSAGES:
            self.messages.append(f"{self.origin}: … more problems not listed")

    def __bool__(self) -> bool:
        return self.count > 0

    def merge(self, other: Problems) -> None:
        self.count += other.count
        self.skipped_spans += other.skipped_spans
        self.skipped_lines += other.skipped_lines
        room = MAX_MESSAGES + 1 - len(self.messages)
        self.messages.extend(other.messages[: max(0, room)])

    def summary(self) -> str:
        """One line: the first problem and how much was skipped."""
        if not self.count:
            return f"{self.origin}: ok"
        first = self.messages[0] if self.messages else self.origin
        extra = f" (+{self.count - 1} more)" if self.count > 1 else ""
        skipped = []
        if self.skipped_spans:
            skipped.append(f"{self.skipped_spans} span(s)")
        if self.skipped_lines:
            skipped.append(f"{self.skipped_lines} line(s)")
        tail = f"; skipped {', '.join(skipped)}" if skipped else ""
        return f"{first}{extra}{tail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "problems": self.count,
            "skipped_spans": self.skipped_spans,
            "skipped_lines": self.skipped_lines,
            "messages": list(self.messages),
        }


@dataclass
class ParseResult:
    spans: list[Span]
    problems: Problems


class _BadSpan(ValueError):
    pass


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk allocation (restored afterwards)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# -- ids, numbers, enums --------------------------------------------------------------

_HEX = frozenset("0123456789abcdef")
_FIRST_CHAR = re.compile(r"\s*(\S)")


def _norm_id(raw: Any, nbytes: int, what: str) -> str:
    if not isinstance(raw, str):
        raise _BadSpan(f"{what} is {type(raw).__name__}, not a string")
    n = nbytes * 2
    if len(raw) == n:
        low = raw.lower()
        if _HEX.issuperset(low):
            return low
    # some protobuf JSON printers write bytes fields as base64
    try:
        b = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        b = b""
    if len(b) == nbytes:
        return b.hex()
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    raise _BadSpan(f"{what} {shown!r} is not {n} hex digits")


def _int64(raw: Any, what: str) -> int:
    if type(raw) is int:
        return raw
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            pass
    elif isinstance(raw, float) and raw.is_integer():
        return int(raw)
    elif raw is None:
        return 0
    raise _BadSpan(f"{what} {str(raw)[:40]!r} is not an integer")


def _enum(raw: Any, names: tuple[str, ...], prefix: str, default: str) -> str:
    if raw is None:
        return default
    if type(raw) is int:
        return names[raw] if 0 <= raw < len(names) else default
    if isinstance(raw, str):
        s = raw.upper()
        if s.startswith(prefix):
            s = s[len(prefix) :]
        if s in names:
            return s
        if s.isdigit():
            i = int(s)
            return names[i] if i < len(names) else default
    return default


# -- the decoder ---------------------------------------------------------------------------


class Decoder:
    """Decodes ``ExportTraceServiceRequest`` JSON objects into spans, sharing strings.

    One decoder per input (file, request) keeps per-input caches of trace ids and names
    so that spans of one trace share one id string.
    """

    def __init__(self, origin: str, problems: Problems | None = None) -> None:
        self.origin = origin
        self.problems = problems if problems is not None else Problems(origin)
        self._strings: dict[str, str] = {}
        self._ids: dict[Any, str] = {}  # raw id text -> normalised (shared) id
        self._span_no = 0
        self.metric_docs = 0  # OTLP metrics documents/lines skipped (one summary line)
        self.log_docs = 0  # OTLP logs documents/lines
        self.log_records: list[Any] = []  # decoded LogRecords, joined to spans at the end
        self.formats: set[str] = set()  # non-OTLP formats read ("Jaeger UI JSON", …)

    def attributes(self, raw: Any) -> dict[str, Any]:
        return attributes_dict(raw)

    def _logs(self, obj: dict[str, Any], where: str) -> None:
        self.log_docs += 1
        try:
            got = _logs.decode_logs_json(obj)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            self.problems.add(f"{where}OTLP logs not readable ({exc})")
            return
        if isinstance(got, list):
            self.log_records.extend(got)

    def other(self, obj: Any, where: str = "") -> list[Span]:
        """Spans of a JSON value that is not an OTLP traces request: Jaeger UI JSON and
        Zipkin v2 JSON are read; OTLP metrics and logs are counted (see :meth:`finish`);
        anything else is one problem naming what it is."""
        if is_jaeger(obj):
            spans, lines = decode_jaeger(obj, self.origin)
            self.formats.add("Jaeger UI JSON")
        elif is_zipkin(obj):
            spans, lines = decode_zipkin(obj, self.origin)
            self.formats.add("Zipkin v2 JSON")
        else:
            self.problems.add(f"{where}{describe(obj)}")
            return []
        for line in lines:
            self.problems.add(f"{where}{line}", spans=1)
        return spans

    def finish(self, spans: list[Span]) -> list[Span]:
        """After the last document: one summary line for skipped metrics, a line when only
        logs were found, and log records joined to their spans."""
        if self.metric_docs:
            what = "line(s)" if self.metric_docs > 1 else "document"
            self.problems.add(
                f"OTLP metrics (not traces): {self.metric_docs} {what} skipped",
                lines=self.metric_docs if self.metric_docs > 1 else 0,
            )
        if self.log_docs and not spans:
            n = len(self.log_records)
            self.problems.add(
                f"OTLP logs only: {n} log record(s), no spans to attach them to"
                if n
                else "OTLP logs only: no spans in this input"
            )
        elif self.log_records:
            _logs.attach_logs(spans, self.log_records)  # in place: records become span events
        return spans

    def _share(self, s: str) -> str:
        got = self._strings.get(s)
        if got is None:
            if len(self._strings) > 200_000:
                self._strings.clear()
            self._strings[s] = s
            return s
        return got

    def request(self, obj: Any, where: str = "") -> list[Span]:
        """Every span of one ``ExportTraceServiceRequest`` object."""
        out: list[Span] = []
        if not isinstance(obj, dict):
            return self.other(obj, where)
        rss = obj.get("resourceSpans")
        if rss is None:
            rss = obj.get("resource_spans")
        if rss is None:
            if "resourceMetrics" in obj or "resource_metrics" in obj:
                self.metric_docs += 1
            elif "resourceLogs" in obj or "resource_logs" in obj:
                self._logs(obj, where)
            elif obj:
                return self.other(obj, where)
            return out
        if not isinstance(rss, list):
            self.problems.add(f"{where}resourceSpans is not a list")
            return out
        for rs in rss:
            if not isinstance(rs, dict):
                self.problems.add(f"{where}a resourceSpans entry is not an object")
                continue
            res = rs.get("resource")
            resource = attributes_dict(res.get("attributes")) if isinstance(res, dict) else {}
            sss = rs.get("scopeSpans")
            if sss is None:
                sss = rs.get("scope_spans")
            if sss is None:
                sss = rs.get("instrumentationLibrarySpans")
            if not isinstance(sss, list):
                continue
            for ss in sss:
                if not isinstance(ss, dict):
                    continue
                sc = ss.get("scope") or ss.get("instrumentationLibrary")
                scope_name = sc.get("name") if isinstance(sc, dict) else None
                scope = self._share(scope_name) if isinstance(scope_name, str) else ""
                spans = ss.get("spans")
                if not isinstance(spans, list):
                    continue
                for sp in spans:
                    self.one(sp, resource, scope, out, where)
        return out

    def one(
        self, sp: Any, resource: dict[str, Any], scope: str, out: list[Span], where: str = ""
    ) -> None:
        """Decode one span into ``out``, or count it as skipped with the reason."""
        self._span_no += 1
        try:
            out.append(self.span(sp, resource, scope))
        except _BadSpan as exc:
            self.problems.add(f"{where}span #{self._span_no} skipped: {exc}", spans=1)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            self.problems.add(f"{where}span #{self._span_no} skipped: malformed ({exc})", spans=1)

    def span(self, sp: Any, resource: dict[str, Any], scope: str) -> Span:
        if not isinstance(sp, dict):
            raise _BadSpan("not an object")
        share = self._share
        tid = sp.get("traceId")
        if tid is None:
            tid = sp.get("trace_id")
        sid = sp.get("spanId")
        if sid is None:
            sid = sp.get("span_id")
        if tid is None or sid is None:
            raise _BadSpan("traceId or spanId missing")
        ids = self._ids
        trace_id = ids.get(tid) if type(tid) is str else None
        if trace_id is None or len(trace_id) != 32:
            trace_id = ids[tid] = _norm_id(tid, 16, "traceId")
        span_id = ids.get(sid) if type(sid) is str else None
        if span_id is None or len(span_id) != 16:
            span_id = ids[sid] = _norm_id(sid, 8, "spanId")
        pid = sp.get("parentSpanId")
        if pid is None:
            pid = sp.get("parent_span_id")
        if pid:
            parent_id = ids.get(pid) if type(pid) is str else None
            if parent_id is None or len(parent_id) != 16:
                parent_id = ids[pid] = _norm_id(pid, 8, "parentSpanId")
        else:
            parent_id = None
        if parent_id == span_id:
            parent_id = None
        name = sp.get("name")
        name = share(name) if isinstance(name, str) else ""
        st = sp.get("startTimeUnixNano")
        if st is None:
            st = sp.get("start_time_unix_nano")
        en = sp.get("endTimeUnixNano")
        if en is None:
            en = sp.get("end_time_unix_nano")
        start_ns = int(st) if type(st) is str and st.isdigit() else _int64(st, "startTimeUnixNano")
        if en is None:
            end_ns = start_ns
        else:
            end_ns = int(en) if type(en) is str and en.isdigit() else _int64(en, "endTimeUnixNano")
        status = sp.get("status")
        if isinstance(status, dict):
            code = _enum(status.get("code"), STATUS_CODES, "STATUS_CODE_", "UNSET")
            msg = status.get("message")
            status_message = msg if isinstance(msg, str) else ""
        else:
            code = "UNSET"
            status_message = ""
        otel_kind = _enum(sp.get("kind"), SPAN_KINDS, "SPAN_KIND_", "UNSPECIFIED")

        attrs = sp.get("attributes")
        if attrs:
            keys: list[str] = []
            values: list[Any] = []
            if type(attrs) is list:
                strings = self._strings
                if len(strings) > 200_000:  # hostile input with ever-new values
                    strings.clear()
                try:  # fast path: well-formed KeyValues
                    for kv in attrs:
                        k = kv["key"]
                        v = kv["value"]
                        if type(k) is not str or type(v) is not dict:
                            raise TypeError
                        keys.append(k)
                        if "stringValue" in v:
                            val = v["stringValue"]
                            # short values repeat (models, operations, ids): share them
                            if type(val) is str and len(val) <= 48:
                                got = strings.get(val)
                                if got is None:
                                    strings[val] = val
                                else:
                                    val = got
                            values.append(val)
                        else:
                            values.append(any_value(v))
                except (TypeError, KeyError):
                    keys, values = _slow_attributes(attrs)
                if len(set(keys)) != len(keys):
                    d = dict(zip(keys, values, strict=True))
                    keys, values = list(d), list(d.values())
            attr_keys = intern_keys(tuple(keys))
            attr_values = tuple(values)
        else:
            attr_keys = ()
            attr_values = ()

        evs = sp.get("events")
        events: tuple[SpanEvent, ...] = ()
        if evs and isinstance(evs, list):
            events = tuple(
                SpanEvent(
                    share(e["name"]) if isinstance(e.get("name"), str) else "",
                    _int64(e.get("timeUnixNano", e.get("time_unix_nano")), "event time"),
                    attributes_dict(e.get("attributes")),
                )
                for e in evs
                if isinstance(e, dict)
            )
        lks = sp.get("links")
        links: tuple[SpanLink, ...] = ()
        if lks and isinstance(lks, list):
            links = tuple(
                SpanLink(
                    _norm_id(lk.get("traceId", lk.get("trace_id")), 16, "link traceId"),
                    _norm_id(lk.get("spanId", lk.get("span_id")), 8, "link spanId"),
                    attributes_dict(lk.get("attributes")),
                )
                for lk in lks
                if isinstance(lk, dict)
            )
        return Span.fast(
            trace_id,
            span_id,
            parent_id,
            name,
            start_ns,
            end_ns,
            code,
            status_message,
            attr_keys,
            attr_values,
            events,
            links,
            resource,
            scope,
            otel_kind,
            self.origin,
        )


def _slow_attributes(attrs: list[Any]) -> tuple[list[str], list[Any]]:
    """Attributes with anything odd in them: bad entries are dropped, not the span."""
    keys: list[str] = []
    values: list[Any] = []
    for kv in attrs:
        k = kv.get("key") if isinstance(kv, dict) else None
        if isinstance(k, str):
            keys.append(k)
            values.append(any_value(kv.get("value")))
    return keys, values


def _json_error(exc: json.JSONDecodeError) -> str:
    return f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"


def parse_document(obj: Any, origin: str) -> ParseResult:
    """Spans from an already-loaded JSON value (a request or a list of requests)."""
    dec = Decoder(origin)
    with gc_paused():
        spans = dec.finish(_document(obj, dec))
    return ParseResult(spans, dec.problems)


def _document(obj: Any, dec: Decoder) -> list[Span]:
    if isinstance(obj, list) and not is_zipkin(obj):
        if obj and not any(isinstance(x, dict) for x in obj):
            dec.problems.add(describe(obj))
            return []
        spans: list[Span] = []
        for i, item in enumerate(obj, 1):
            spans.extend(dec.request(item, where=f"item {i}: "))
        return spans
    return dec.request(obj)


def describe(obj: Any) -> str:
    """One line naming what a JSON value that holds no readable spans is."""
    if isinstance(obj, dict):
        if "resourceMetrics" in obj or "resource_metrics" in obj:
            return "OTLP metrics, not traces"
        if "resourceLogs" in obj or "resource_logs" in obj:
            return "OTLP logs only, no spans"
        if "data" in obj and isinstance(obj["data"], list):
            return 'not OTLP: no resourceSpans/resourceLogs (a {"data": [...]} object)'
        keys = ", ".join(list(obj)[:4])
        return f"not OTLP: no resourceSpans/resourceLogs (keys: {keys})"
    if isinstance(obj, list):
        return "not OTLP: a JSON array of neither OTLP requests nor Zipkin v2 spans"
    return f"not OTLP: a JSON {type(obj).__name__}"


def parse_bytes(data: bytes | str, origin: str) -> ParseResult:
    """Spans from OTLP JSON text: one request, a JSON array of them, or one per line.

    A single request is read span by span (see :mod:`ircmd.domain.traces.otlp_stream`), keeping
    memory low; anything else goes through ``json.loads``."""
    dec = Decoder(origin)
    problems = dec.problems
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("utf-8", "replace")
            problems.add(f"not UTF-8 at byte {exc.start}; undecodable bytes replaced")
    else:
        text = data
    if not text.strip():
        problems.add("empty file")
        return ParseResult([], problems)
    with gc_paused():
        first = _FIRST_CHAR.match(text)
        if first is not None and first.group(1) == "{":
            sdec = Decoder(origin)
            try:
                spans = stream_request(text, sdec)
            except Unstreamable:
                pass  # not the plain shape: the full parser below says what is wrong
            else:
                problems.merge(sdec.problems)
                return ParseResult(spans, problems)
        try:
            obj = json.loads(text)
        except RecursionError:
            problems.add("JSON nested too deeply to read")
            return ParseResult([], problems)
        except json.JSONDecodeError as exc:
            # JSONL ("Extra data" after the first line's object), or JSONL with a
            # broken line: read it line by line so one bad line costs only itself
            if exc.msg == "Extra data" or _looks_jsonl(text):
                return ParseResult(dec.finish(_parse_lines(text, dec)), problems)
            problems.add(_json_error(exc))
            return ParseResult([], problems)
        del text
        spans = dec.finish(_document(obj, dec))
        del obj
    return ParseResult(spans, problems)


def _looks_jsonl(text: str) -> bool:
    lines = [ln for ln in text.split("\n", 3)[:3] if ln.strip()]
    return len(lines) >= 2 and all(ln.lstrip().startswith("{") for ln in lines)


def split_lines(text: str) -> list[str]:
    """JSONL lines: split on ``\n`` only (``str.splitlines`` would also split on U+2028,
    U+2029, U+0085 … which JSON allows raw inside strings); a trailing ``\r`` is JSON
    whitespace and harmless."""
    return text.split("\n")


def _parse_lines(text: str, dec: Decoder) -> list[Span]:
    spans: list[Span] = []
    loads = json.loads
    for lineno, line in enumerate(split_lines(text), 1):
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as exc:
            dec.problems.add(f"line {lineno}: not valid JSON ({exc.msg})", lines=1)
            continue
        except RecursionError:
            dec.problems.add(f"line {lineno}: JSON nested too deeply to read", lines=1)
            continue
        spans.extend(dec.request(obj, where=f"line {lineno}: "))
    return spans


__all__ = [
    "SPAN_KINDS",
    "STATUS_CODES",
    "Decoder",
    "ParseResult",
    "Problems",
    "any_value",
    "attributes_dict",
    "describe",
    "encode_attributes",
    "encode_spans",
    "encode_value",
    "gc_paused",
    "parse_bytes",
    "parse_document",
    "split_lines",
]
