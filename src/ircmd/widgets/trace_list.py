"""The trace list: one row per trace (root name, service, duration, spans, errors, tokens).

Rows come from trace summaries handed down; ``filter_summaries`` (pure) narrows them with
a small query language: ``error``, ``model:NAME``, ``tool:NAME``, ``conv:ID``, ``user:ID``,
``service:NAME`` and free words matched against the root name, service and trace id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ircmd.widgets.safe import safe_text
from ircmd.widgets.span_format import compact_count, format_duration

FILTER_KEYS = {
    "model": "models",
    "tool": "tools",
    "conv": "conversations",
    "conversation": "conversations",
    "user": "users",
    "service": "services",
}


@dataclass(frozen=True)
class TraceFilter:
    errors_only: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.errors_only or self.fields or self.words)


def parse_trace_filter(query: str) -> TraceFilter:
    """``error model:gpt-4o tool:issue_refund conv:c-1 refund`` → a :class:`TraceFilter`."""
    errors = False
    fields: list[tuple[str, str]] = []
    words: list[str] = []
    for token in query.split():
        low = token.lower()
        if low in ("error", "errors", "is:error", "status:error"):
            errors = True
            continue
        key, sep, value = token.partition(":")
        if sep and key.lower() in FILTER_KEYS and value:
            fields.append((FILTER_KEYS[key.lower()], value.lower()))
        else:
            words.append(low)
    return TraceFilter(errors, tuple(fields), tuple(words))


def _values(summary: Any, attr: str) -> Iterable[str]:
    v = getattr(summary, attr, None)
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    if isinstance(v, dict):
        return (str(k) for k in v)
    return (str(x) for x in v)


def summary_matches(summary: Any, flt: TraceFilter) -> bool:
    if flt.errors_only and not getattr(summary, "error_count", 0):
        return False
    for attr, value in flt.fields:
        if not any(value in x.lower() for x in _values(summary, attr)):
            return False
    if flt.words:
        hay = " ".join(
            str(getattr(summary, a, "") or "") for a in ("root_name", "service", "trace_id")
        ).lower()
        if not all(w in hay for w in flt.words):
            return False
    return True


def filter_trace_list(summaries: Sequence[Any], query: str) -> list[Any]:
    flt = parse_trace_filter(query)
    if flt.empty:
        return list(summaries)
    return [s for s in summaries if summary_matches(s, flt)]


class TraceList(DataTable[Text]):
    """Rows of trace summaries; ``enter`` (or moving onto a row) posts ``Chosen``."""

    BINDINGS = [
        Binding("enter", "choose", "Open trace", id="tracelist.open"),
        Binding("j", "cursor_down", "Down", show=False, id="tracelist.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tracelist.up"),
        Binding("g", "scroll_top", "Top", show=False, id="tracelist.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="tracelist.bottom"),
    ]

    @dataclass
    class Chosen(Message):
        trace_list: TraceList
        trace_id: str

        @property
        def control(self) -> TraceList:
            return self.trace_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._ids: list[str] = []

    def on_mount(self) -> None:
        self.add_column("ROOT", key="root", width=44)
        self.add_column("SERVICE", key="service", width=16)
        self.add_column("STARTED", key="started", width=8)
        self.add_column("DURATION", key="duration", width=9)
        self.add_column("SPANS", key="spans", width=7)
        self.add_column("ERR", key="errors", width=5)
        self.add_column("TOKENS", key="tokens", width=13)
        self.add_column("TRACE", key="trace", width=10)

    @property
    def selected_trace(self) -> str | None:
        if 0 <= self.cursor_row < len(self._ids):
            return self._ids[self.cursor_row]
        return None

    def show_summaries(self, summaries: Sequence[Any]) -> None:
        """Replace the rows, keeping the cursor on the same trace when it is still there."""
        selected = self.selected_trace
        self.clear()
        self._ids = []
        for s in summaries:
            errors = int(getattr(s, "error_count", 0) or 0)
            tin = int(getattr(s, "input_tokens", 0) or 0)
            tout = int(getattr(s, "output_tokens", 0) or 0)
            start_ns = int(getattr(s, "start_ns", 0) or 0)
            started = (
                datetime.fromtimestamp(start_ns / 1e9, UTC).strftime("%H:%M:%S")
                if start_ns
                else "—"
            )
            trace_id = str(s.trace_id)
            self.add_row(
                safe_text(getattr(s, "root_name", "") or "(no root)", "bold red" if errors else ""),
                safe_text(getattr(s, "service", "") or "—", "dim"),
                Text(started, style="dim"),
                Text(format_duration(int(getattr(s, "duration_ns", 0) or 0)), justify="right"),
                Text(compact_count(int(getattr(s, "span_count", 0) or 0)), justify="right"),
                Text(
                    str(errors) if errors else "·", "bold red" if errors else "dim", justify="right"
                ),
                Text(f"{compact_count(tin)}→{compact_count(tout)}" if tin or tout else "", "cyan"),
                safe_text(trace_id[:8], "dim"),
                key=trace_id,
            )
            self._ids.append(trace_id)
        if selected in self._ids:
            self.move_cursor(row=self._ids.index(selected), animate=False)

    def action_choose(self) -> None:
        trace_id = self.selected_trace
        if trace_id is not None:
            self.post_message(self.Chosen(self, trace_id))
