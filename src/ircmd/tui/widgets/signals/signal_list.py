"""The signals list beside the incidents table: alerts from the signal sources.

Renders what it is handed (rows, each source's health) and posts messages up; it never
polls anything itself. New and changed signals carry a mark until a responder has seen
them (the screen records "seen" when the cursor rests on one while the list has focus).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ircmd.domain.incidents.incident import format_age
from ircmd.domain.signals.signals import SeenMark, Signal, SignalState, severity_hint
from ircmd.domain.text import one_line
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.styles import SEVERITY_STYLE

STATE_STYLE = {
    SignalState.FIRING: "bold red",
    SignalState.SUPPRESSED: "yellow",
    SignalState.RESOLVED: "green",
}
MARK_TEXT = {
    SeenMark.NEW: ("NEW", "bold black on magenta"),
    SeenMark.CHANGED: ("CHG", "bold magenta"),
    SeenMark.SEEN: ("", ""),
}


@dataclass
class SignalRow:
    signal: Signal
    mark: SeenMark = SeenMark.SEEN
    incidents: list[str] = field(default_factory=list)


@dataclass
class SourceStatus:
    """One source's health as the list shows it (built by the screen from the service)."""

    name: str
    ok: bool | None
    error: str = ""
    count: int = 0
    checked_at: datetime | None = None


def short_error(name: str, error: str) -> str:
    """The error without the ``signal source 'name' (Alertmanager at URL):`` preamble the
    list already shows."""
    prefix = f"signal source {name!r}"
    if error.startswith(prefix):
        error = error[len(prefix) :].lstrip()
        if error.startswith("(") and ")" in error:
            error = error[error.index(")") + 1 :]
        error = error.lstrip(": ")
    return error or "unreachable"


def status_text(statuses: Sequence[SourceStatus], polling: bool, now: datetime) -> Text:
    """One line per source: ok with its count, or what is wrong (the last known signals stay)."""
    t = Text(no_wrap=False)
    if not statuses:
        t.append("no signal sources configured", "italic dim")
        t.append("  ([[signal_sources]] in the config)", "dim")
        return t
    for i, s in enumerate(statuses):
        if i:
            t.append("\n")
        if s.ok is None:
            t.append("… ", "dim")
            t.append_text(safe_text(s.name, "bold"))
            t.append("  polling…" if polling else "  not polled yet", "dim italic")
        elif s.ok:
            t.append("● ", "green")
            t.append_text(safe_text(s.name, "bold"))
            t.append(f"  {s.count} alert{'s' if s.count != 1 else ''}", "")
            if s.checked_at is not None:
                t.append(f"  checked {format_age((now - s.checked_at).total_seconds())} ago", "dim")
        else:
            t.append("✗ ", "bold red")
            t.append_text(safe_text(s.name, "bold red"))
            t.append("  DOWN: ", "bold red")
            t.append(one_line(short_error(s.name, s.error), 200), "red")
            t.append("  (showing last known)", "dim")
    return t


def detail_text(row: SignalRow | None, now: datetime) -> Text:
    """The selected signal: headline, labels, annotations, links. All of it is data."""
    if row is None:
        return Text("no signal selected", style="dim italic")
    s = row.signal
    t = Text()
    t.append_text(safe_text(s.headline(), "bold"))
    t.append("\n")
    t.append(s.state.value, STATE_STYLE[s.state])
    t.append("  ")
    t.append_text(safe_text(s.source, "dim"))
    t.append(f"  {s.fingerprint}", "dim")
    if s.starts_at:
        t.append(f"  since {format_age((now - s.starts_at).total_seconds())}", "dim")
    if row.incidents:
        t.append("  → ", "dim")
        t.append(", ".join(row.incidents), "bold cyan")
    for key, value in sorted(s.labels.items()):
        t.append("\n  ")
        t.append_text(safe_text(key, "cyan", limit=30))
        t.append("=", "dim")
        t.append_text(safe_text(value, limit=80))
    for key, value in sorted(s.annotations.items()):
        t.append("\n  ")
        t.append_text(safe_text(key, "magenta", limit=30))
        t.append(": ", "dim")
        t.append_text(safe_text(value, limit=160))
    if s.silenced_by:
        t.append("\n  silenced by ", "dim")
        t.append_text(safe_text(", ".join(s.silenced_by), "yellow"))
    if s.generator_url:
        t.append("\n  ")
        t.append_text(safe_text(s.generator_url, "dim underline", limit=120))
    return t


class SignalList(DataTable[Text]):
    """Rows of signals. Moving the cursor (while focused) posts :class:`Looked`; ``enter``
    posts :class:`Opened`."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="signals.down"),
        Binding("k", "cursor_up", "Up", show=False, id="signals.up"),
        Binding("enter", "open", "Read alert", id="signals.detail"),
    ]

    @dataclass
    class Looked(Message):
        """The responder's cursor rests on this signal (it counts as seen)."""

        row: SignalRow

    @dataclass
    class Selected(Message):
        row: SignalRow | None

    @dataclass
    class Opened(Message):
        """``enter``: read this signal in full."""

        row: SignalRow

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.signal_rows: list[SignalRow] = []
        self._now: datetime | None = None
        self._compact = False
        self._shown: list[Any] | None = None

    def on_mount(self) -> None:
        self._set_columns()

    def _set_columns(self) -> None:
        """Every column when there is room; mark, state and alert only when narrow."""
        compact = self.scrollable_content_region.width < self.COMPACT_BELOW
        if self.columns and compact == self._compact:
            return
        self._compact = compact
        self.clear(columns=True)
        for label, key, width in self._columns():
            self.add_column(label, key=key, width=width)
        self.add_column("ALERT", key="alert")

    def _columns(self) -> tuple[tuple[str, str, int], ...]:
        return self.COLUMNS[:2] if self._compact else self.COLUMNS

    COLUMNS = (("", "mark", 3), ("STATE", "state", 10), ("AGE", "age", 5), ("INC", "inc", 8))
    ALERT_MIN = 16
    COMPACT_BELOW = 50

    def _alert_width(self) -> int:
        """What is left for the ALERT column (it is cut to fit, never scrolled sideways)."""
        columns = self._columns()
        fixed = sum(w for _, _, w in columns) + 2 * self.cell_padding * (len(columns) + 1)
        return max(self.ALERT_MIN, self.scrollable_content_region.width - fixed - 1)

    def on_resize(self) -> None:
        self._set_columns()
        if self._now is not None:
            self.show_rows(self.signal_rows, self._now)

    def show_rows(self, rows: list[SignalRow], now: datetime) -> None:
        self._now = now
        selected = self.selected.signal.key if self.selected else None
        self._set_columns()
        width = self._alert_width()
        built = [(r.signal.key, self._cells(r, now, width)) for r in rows]
        shown = [
            (key, tuple((c.plain, str(c.style), tuple(c.spans)) for c in cells))
            for key, cells in built
        ]
        if shown == self._shown and self.row_count == len(rows):
            # the same rows on screen: no clear and redraw (a poll every few seconds)
            self.signal_rows = list(rows)
            self.post_message(self.Selected(self.selected))
            return
        self._shown = shown
        self.clear()
        self.signal_rows = list(rows)
        for key, cells in built:
            self.add_row(*cells, key=key)
        keys = [r.signal.key for r in rows]
        if selected in keys:
            self.move_cursor(row=keys.index(selected))
        self.post_message(self.Selected(self.selected))

    def _cells(self, r: SignalRow, now: datetime, width: int) -> list[Text]:
        """One row's cells, the alert last."""
        s = r.signal
        label, style = MARK_TEXT[r.mark]
        sev = severity_hint(s)
        age = format_age((now - s.starts_at).total_seconds()) if s.starts_at else "?"
        alert_style = "dim" if s.state == SignalState.RESOLVED else ""
        alert = safe_text(s.headline(), alert_style, limit=width)
        if sev is not None and s.state == SignalState.FIRING:
            alert.stylize(SEVERITY_STYLE[sev.value], 0, len(s.name))
        cells = [
            Text(label, style=style),
            Text(s.state.value, style=STATE_STYLE[s.state]),
            Text(age, justify="right"),
            Text(r.incidents[-1] if r.incidents else "", style="cyan"),
        ][: len(self._columns())]
        return [*cells, alert]

    @property
    def selected(self) -> SignalRow | None:
        if not self.signal_rows or self.cursor_row < 0 or self.cursor_row >= len(self.signal_rows):
            return None
        return self.signal_rows[self.cursor_row]

    def action_open(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.Opened(row))

    def _looked(self) -> None:
        row = self.selected
        if row is not None and self.has_focus and row.mark != SeenMark.SEEN:
            self.post_message(self.Looked(row))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Selected(self.selected))
        self._looked()

    def on_focus(self) -> None:
        self._looked()
