"""Reading one big OTLP JSON document span by span, without building its whole JSON tree.

``json.loads`` of a 60 MB trace file allocates ~400 MB of small objects; after decoding,
the spans' strings stay scattered over that memory and the process keeps it all. Walking
the document's skeleton (``resourceSpans[] → scopeSpans[] → spans[]``) by hand and
decoding each span with ``raw_decode`` keeps the peak small and the memory held close to
what the spans need.

Only the well-trodden shape is streamed; anything unusual raises :class:`Unstreamable`
and the caller falls back to ``json.loads`` (same results, more memory).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ircmd.domain.traces.spans import Span


class SpanDecoder(Protocol):
    """What the streamer needs of :class:`ircmd.domain.traces.otlp.Decoder` (a protocol, so
    this module does not import ``otlp`` and ``otlp`` can import this one)."""

    def _share(self, s: str) -> str: ...

    def attributes(self, raw: Any) -> dict[str, Any]: ...

    def one(
        self, sp: Any, resource: dict[str, Any], scope: str, out: list[Span], where: str = ""
    ) -> None: ...


_WS = re.compile(r"[ \t\n\r]*")
_raw_decode = json.JSONDecoder().raw_decode


class Unstreamable(Exception):
    """Not the plain shape (or not valid JSON): use the full parser instead."""


class _Cursor:
    __slots__ = ("i", "n", "s")

    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0
        self.n = len(s)

    def peek(self) -> str:
        self.i = _WS.match(self.s, self.i).end()  # type: ignore[union-attr]
        return self.s[self.i] if self.i < self.n else ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise Unstreamable(f"expected {ch!r} at {self.i}")
        self.i += 1

    def value(self) -> Any:
        self.peek()
        try:
            obj, self.i = _raw_decode(self.s, self.i)
        except json.JSONDecodeError as exc:
            raise Unstreamable(str(exc)) from None
        except RecursionError:
            raise Unstreamable("nested too deeply") from None
        return obj

    def members(self) -> Iterator[str]:
        """Each key of an object; the caller consumes the value before the next one."""
        self.expect("{")
        if self.peek() == "}":
            self.i += 1
            return
        while True:
            self.expect('"')
            try:
                key, self.i = scanstring(self.s, self.i)
            except json.JSONDecodeError as exc:
                raise Unstreamable(str(exc)) from None
            self.expect(":")
            yield key
            c = self.peek()
            self.i += 1
            if c == "}":
                return
            if c != ",":
                raise Unstreamable(f"expected ',' or '}}' at {self.i - 1}")

    def elements(self) -> Iterator[None]:
        """Once per array element; the caller consumes the element each time."""
        self.expect("[")
        if self.peek() == "]":
            self.i += 1
            return
        while True:
            yield None
            c = self.peek()
            self.i += 1
            if c == "]":
                return
            if c != ",":
                raise Unstreamable(f"expected ',' or ']' at {self.i - 1}")


def stream_request(text: str, dec: SpanDecoder) -> list[Span]:
    """Spans of ``text`` holding one ``ExportTraceServiceRequest`` (``Unstreamable`` if
    it is anything else, including JSONL and documents without ``resourceSpans``)."""
    c = _Cursor(text)
    out: list[Span] = []
    if c.peek() != "{":
        raise Unstreamable("not an object")
    found = False
    for key in c.members():
        if key not in ("resourceSpans", "resource_spans"):
            if key in ("resourceLogs", "resource_logs", "resourceMetrics", "resource_metrics"):
                raise Unstreamable("logs or metrics: the full parser names them")
            c.value()
            continue
        found = True
        if c.peek() != "[":
            raise Unstreamable("resourceSpans is not a list")
        for _ in c.elements():
            if c.peek() != "{":
                raise Unstreamable("resourceSpans entry is not an object")
            resource: dict[str, Any] = {}  # filled in place, even if it comes last
            for rkey in c.members():
                if rkey == "resource":
                    res = c.value()
                    if isinstance(res, dict):
                        resource.update(dec.attributes(res.get("attributes")))
                elif rkey in ("scopeSpans", "scope_spans"):
                    if c.peek() != "[":
                        raise Unstreamable("scopeSpans is not a list")
                    for _ in c.elements():
                        _scope_spans(c, dec, resource, out)
                else:
                    c.value()
    if c.peek() != "":
        raise Unstreamable("data after the document")
    if not found:
        raise Unstreamable("no resourceSpans: the full parser names what this is")
    return out


def _scope_spans(c: _Cursor, dec: SpanDecoder, resource: dict[str, Any], out: list[Span]) -> None:
    if c.peek() != "{":
        raise Unstreamable("scopeSpans entry is not an object")
    scope = ""
    first = len(out)
    for key in c.members():
        if key == "scope":
            sc = c.value()
            name = sc.get("name") if isinstance(sc, dict) else None
            scope = dec._share(name) if isinstance(name, str) else ""
            for s in out[first:]:  # the scope came after its spans
                s.scope = scope
        elif key == "spans":
            if c.peek() != "[":
                raise Unstreamable("spans is not a list")
            for _ in c.elements():
                dec.one(c.value(), resource, scope, out)
        else:
            c.value()
