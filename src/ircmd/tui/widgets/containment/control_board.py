"""The containment board: one row per control, grouped by workflow.

Renders :class:`~ircmd.domain.containment.controls.ControlRow` values handed down to it; never reads
the store or a backend. A row whose confirmed state differs from the desired one (drift,
failed, pending, unread) is drawn in red with a ``!`` so nobody misses it. ``<``/``>`` sort
by a column and ``=`` reverses it (``▲``/``▼`` in the header); unsorted, rows keep the order
handed in (grouped by workflow).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ircmd.domain.containment.controls import ControlRow, ControlState, RowHealth
from ircmd.tui.widgets.column_sort import ColumnSort, sort_bindings, sort_rows
from ircmd.tui.widgets.safe import safe_text

STATE_STYLE = {
    ControlState.ON: "bold yellow",
    ControlState.OFF: "green",
    ControlState.UNKNOWN: "bold magenta",
}

HEALTH_LABEL = {
    RowHealth.OK: "",
    RowHealth.PENDING: "… UNCONFIRMED",
    RowHealth.FAILED: "✗ FAILED",
    RowHealth.DRIFT: "≠ DRIFT",
    RowHealth.UNREAD: "? UNREAD",
}

MISMATCH_STYLE = "bold white on dark_red"

_EPOCH = datetime.min.replace(tzinfo=UTC)

SORT_KEYS: dict[str, Callable[[ControlRow], Any]] = {
    "mark": lambda r: not r.mismatch,
    "workflow": lambda r: r.ref.workflow_id.lower(),
    "control": lambda r: r.ref.control_id.lower(),
    "kind": lambda r: r.kind.label,
    "desired": lambda r: r.desired.value,
    "confirmed": lambda r: (r.health.value, r.confirmed.value),
    "changed": lambda r: r.changed_at or _EPOCH,
    "by": lambda r: (r.changed_by or "").lower(),
    "why": lambda r: (r.reason or r.detail or "").lower(),
}


def confirmed_cell(row: ControlRow, inflight: bool = False) -> Text:
    """The CONFIRMED column: the backend's state, and loudly what is wrong with it."""
    if inflight:
        return Text(f"{row.confirmed.value} … applying", style="bold black on yellow")
    label = HEALTH_LABEL[row.health]
    if not label:
        return Text(f"{row.confirmed.value} ✓", style=STATE_STYLE[row.confirmed])
    if row.confirmed == ControlState.UNKNOWN:  # short: "? FAILED", "? UNREAD"
        return Text(f"? {label.split(' ', 1)[1]}", style=MISMATCH_STYLE)
    return Text(f"{row.confirmed.value} {label}", style=MISMATCH_STYLE)


def _sig(text: Text | None) -> object:
    if text is None:
        return None
    return (text.plain, str(text.style), tuple(text.spans))


def when_text(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "—"
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m ago"
    return at.strftime("%m-%d %H:%M")


class ControlBoard(DataTable[Text]):
    """Rows of controls; the pane owns the actions (toggle, retry, contain)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="controls.down"),
        Binding("k", "cursor_up", "Up", show=False, id="controls.up"),
        Binding("g", "scroll_top", "Top", show=False, id="controls.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="controls.bottom"),
        Binding("enter", "open", "Read control", id="controls.detail"),
        *sort_bindings("controls"),
    ]

    @dataclass
    class Opened(Message):
        """``enter``: read this control in full."""

        row: ControlRow

    # key, label, width (None: takes the rest); compact boards (narrow panes) drop some.
    FULL = (
        ("mark", " ", 1),
        ("workflow", "WORKFLOW", 16),
        ("control", "CONTROL", 20),
        ("kind", "KIND", 19),
        ("desired", "DESIRED", 7),
        ("confirmed", "CONFIRMED", 16),
        ("changed", "CHANGED", 8),
        ("by", "BY", 10),
        ("why", "WHY / BACKEND", None),
    )
    # Narrower panes keep what matters most: the control, desired, CONFIRMED, why.
    COMPACT = {"workflow": 12, "control": 16, "confirmed": 14}
    TINY = {"control": 14, "confirmed": 13}
    COMPACT_KEYS = ("mark", "workflow", "control", "desired", "confirmed", "why")
    TINY_KEYS = ("mark", "control", "desired", "confirmed", "why")
    COMPACT_BELOW = 130
    TINY_BELOW = 72
    # WORKFLOW and CONTROL are as wide as their longest id (a cut id names another control),
    # at most this; the WHY column gives up the room first.
    FIT_CONTENT = {"workflow": 24, "control": 28}
    WHY_MIN = 8
    PACKED_BELOW = 100
    """Narrower boards pack their columns: no cell padding, one blank column of each cell's own."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._rows: list[ControlRow] = []
        self._given: list[ControlRow] = []
        self.column_sort = ColumnSort()
        self._layout: tuple[tuple[tuple[str, str, int], ...], ColumnSort] | None = None
        self._now: datetime | None = None
        self._inflight: frozenset[str] = frozenset()
        self._shown: dict[str, dict[str, Text]] = {}

    def _longest(self, key: str, keys: Collection[str]) -> int:
        if key == "workflow":
            return max((len(r.ref.workflow_id) for r in self._given), default=0)
        marked = "kind" not in keys  # "pause ‼" when no KIND column says it is critical
        return max(
            (len(r.ref.control_id) + (2 if marked and r.critical else 0) for r in self._given),
            default=0,
        )

    def _columns_for(self, width: int) -> list[tuple[str, str, int]]:
        packed = width < self.PACKED_BELOW
        pad = 0 if packed else 2
        if width >= self.COMPACT_BELOW:
            cols = list(self.FULL)
        else:
            tiny = width < self.TINY_BELOW
            sizes = self.TINY if tiny else (self.COMPACT if width < 100 else {})
            keys = self.TINY_KEYS if tiny else self.COMPACT_KEYS
            cols = [
                (k, label, sizes.get(k, w) if w is not None else None)
                for k, label, w in self.FULL
                if k in keys
            ]
        if self._given:
            shown = [k for k, _l, _w in cols]
            fitted: list[tuple[str, str, int | None]] = []
            for k, label, w in cols:
                if k in self.FIT_CONTENT and w is not None:
                    head = len(label) + (2 if self.column_sort.column == k else 0)
                    w = min(self.FIT_CONTENT[k], max(head, self._longest(k, shown)))
                fitted.append((k, label, w))
            cols = fitted
        if packed:  # each cell keeps one blank column of its own instead of padding
            cols = [(k, label, w + 1 if w is not None else None) for k, label, w in cols]
        fixed = sum(w + pad for _k, _l, w in cols if w is not None)
        rest = width - fixed - pad - 2
        if rest < 8 and width < self.TINY_BELOW:
            return [(k, label, w) for k, label, w in cols if w is not None]
        out = [(k, label, w if w is not None else max(self.WHY_MIN, rest)) for k, label, w in cols]
        # a label is shortened to its column, never cut ("WHY / BACKEN")
        return [(k, "WHY" if k == "why" and w < len(label) else label, w) for k, label, w in out]

    def _ensure_columns(self) -> list[tuple[str, str, int]]:
        width = self.size.width or 160
        cols = self._columns_for(width)
        layout = (tuple(cols), self.column_sort)
        if layout != self._layout:
            self.cell_padding = 0 if width < self.PACKED_BELOW else 1
            self.clear(columns=True)
            for key, label, w in cols:
                self.add_column(self.column_sort.header(key, label), key=key, width=w)
            self._layout = layout
        return cols

    def on_resize(self) -> None:
        if self._now is not None:
            self.show_rows(self._given, self._now, self._inflight)

    @property
    def rows_shown(self) -> list[ControlRow]:
        return self._rows

    def show_rows(
        self, rows: Sequence[ControlRow], now: datetime, inflight: Collection[str] = ()
    ) -> None:
        """Show ``rows``. When the same controls are shown again (a reconcile), only the
        cells that changed are redrawn, so a 300-control board stays cheap to refresh."""
        selected = self.selected_id
        cursor = self.cursor_row
        layout_before = self._layout
        self._given = list(rows)  # before the columns: WORKFLOW and CONTROL fit their ids
        cols = self._ensure_columns()
        keys = [k for k, _l, _w in cols]
        why_width = cols[-1][2] if "why" in keys else 0
        rows = sort_rows(self._given, self.column_sort, SORT_KEYS)
        table = [
            self._cells(row, rows, i, now, inflight, keys, why_width) for i, row in enumerate(rows)
        ]
        same_rows = [r.id for r in rows] == [r.id for r in self._rows]
        self._rows = rows
        self._now = now
        self._inflight = frozenset(inflight)
        if same_rows and layout_before == self._layout and self._shown:
            for row, cells in zip(rows, table, strict=True):
                before = self._shown.get(row.id, {})
                for key in keys:
                    if _sig(before.get(key)) != _sig(cells[key]):
                        self.update_cell(row.id, key, cells[key])
            self._shown = {row.id: cells for row, cells in zip(rows, table, strict=True)}
            return
        self.clear()
        for row, cells in zip(rows, table, strict=True):
            self.add_row(*(cells[k] for k in keys), key=row.id)
        self._shown = {row.id: cells for row, cells in zip(rows, table, strict=True)}
        ids = [r.id for r in rows]
        if selected in ids:
            self.move_cursor(row=ids.index(selected))
        elif 0 <= cursor < len(ids):
            self.move_cursor(row=cursor)

    @staticmethod
    def _cells(
        row: ControlRow,
        rows: Sequence[ControlRow],
        index: int,
        now: datetime,
        inflight: Collection[str],
        keys: Sequence[str],
        why_width: int,
    ) -> dict[str, Text]:
        first = index == 0 or rows[index - 1].ref.workflow_id != row.ref.workflow_id
        busy = row.id in inflight
        bad = row.mismatch and not busy
        if row.health == RowHealth.DRIFT:
            why = f"changed outside ircmd: {row.detail}"
        elif row.error and row.mismatch:
            why = row.error
        elif not row.enforced:
            why = row.reason
        else:
            why = row.reason or row.detail
        if not row.enforced:
            why = f"[local: not enforced] {why}".rstrip()
        return {
            "mark": Text(
                "!" if bad else ("…" if busy else " "), style=MISMATCH_STYLE if bad else ""
            ),
            "workflow": safe_text(row.ref.workflow_id, "bold") if first else Text(""),
            "control": safe_text(
                row.ref.control_id + (" ‼" if row.critical and "kind" not in keys else ""),
                "bold" if row.confirmed == ControlState.ON else "",
            ),
            "kind": Text(
                row.kind.label + (" ‼" if row.critical else ""),
                style="bold red" if row.critical else "dim",
            ),
            "desired": Text(row.desired.value, style=STATE_STYLE[row.desired]),
            "confirmed": confirmed_cell(row, busy),
            "changed": Text(when_text(row.changed_at, now), style="dim"),
            "by": safe_text(row.changed_by or "—", "italic"),
            "why": safe_text(why or "", "bold red" if bad else "", limit=max(1, why_width)),
        }

    @property
    def selected(self) -> ControlRow | None:
        if not self._rows or self.cursor_row < 0 or self.cursor_row >= len(self._rows):
            return None
        return self._rows[self.cursor_row]

    @property
    def selected_id(self) -> str | None:
        row = self.selected
        return row.id if row is not None else None

    def action_open(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.Opened(row))

    def sortable(self) -> list[str]:
        width = self.size.width or 160
        return [key for key, _label, _w in self._columns_for(width) if key != "mark"]

    def _resort(self, sort: ColumnSort) -> None:
        self.column_sort = sort
        if self._now is not None:
            self.show_rows(self._given, self._now, self._inflight)
        else:
            self._ensure_columns()

    def action_sort_column(self, delta: int) -> None:
        self._resort(self.column_sort.step(self.sortable(), delta))

    def action_sort_reverse(self) -> None:
        self._resort(self.column_sort.reversed(self.sortable()))
