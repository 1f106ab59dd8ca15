"""The containment board: one row per control, grouped by workflow.

Renders :class:`~ircmd.domain.containment.ControlRow` values handed down to it; never reads
the store or a backend. A row whose confirmed state differs from the desired one (drift,
failed, pending, unread) is drawn in red with a ``!`` so nobody misses it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from ircmd.domain.containment import ControlRow, ControlState, RowHealth
from ircmd.widgets.safe import safe_text

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


def confirmed_cell(row: ControlRow, inflight: bool = False) -> Text:
    """The CONFIRMED column: the backend's state, and loudly what is wrong with it."""
    if inflight:
        return Text(f"{row.confirmed.value} … applying", style="bold black on yellow")
    label = HEALTH_LABEL[row.health]
    if not label:
        return Text(f"{row.confirmed.value} ✓", style=STATE_STYLE[row.confirmed])
    return Text(f"{row.confirmed.value} {label}", style=MISMATCH_STYLE)


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
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._rows: list[ControlRow] = []

    def on_mount(self) -> None:
        self.add_column(" ", key="mark", width=1)
        self.add_column("WORKFLOW", key="workflow", width=18)
        self.add_column("CONTROL", key="control", width=16)
        self.add_column("KIND", key="kind", width=18)
        self.add_column("DESIRED", key="desired", width=7)
        self.add_column("CONFIRMED", key="confirmed", width=18)
        self.add_column("CHANGED", key="changed", width=9)
        self.add_column("BY", key="by", width=10)
        self.add_column("WHY / BACKEND", key="why")

    @property
    def rows_shown(self) -> list[ControlRow]:
        return self._rows

    def show_rows(
        self, rows: Sequence[ControlRow], now: datetime, inflight: Collection[str] = ()
    ) -> None:
        selected = self.selected_id
        self.clear()
        self._rows = list(rows)
        previous_workflow = None
        for row in self._rows:
            first = row.ref.workflow_id != previous_workflow
            previous_workflow = row.ref.workflow_id
            busy = row.id in inflight
            bad = row.mismatch and not busy
            kind = row.kind.label + (" ‼" if row.critical else "")
            why = row.error if row.error and row.mismatch else (row.reason or row.detail)
            if not row.enforced:
                why = f"[local: not enforced] {why}"
            self.add_row(
                Text("!" if bad else ("…" if busy else " "), style=MISMATCH_STYLE if bad else ""),
                safe_text(row.ref.workflow_id, "bold") if first else Text(""),
                safe_text(row.ref.control_id, "bold" if row.confirmed == ControlState.ON else ""),
                Text(kind, style="bold red" if row.critical else "dim"),
                Text(row.desired.value, style=STATE_STYLE[row.desired]),
                confirmed_cell(row, busy),
                Text(when_text(row.changed_at, now), style="dim"),
                safe_text(row.changed_by or "—", "italic"),
                safe_text(why or "", "bold red" if bad else ""),
                key=row.id,
            )
        ids = [r.id for r in self._rows]
        if selected in ids:
            self.move_cursor(row=ids.index(selected))

    @property
    def selected(self) -> ControlRow | None:
        if not self._rows or self.cursor_row < 0 or self.cursor_row >= len(self._rows):
            return None
        return self._rows[self.cursor_row]

    @property
    def selected_id(self) -> str | None:
        row = self.selected
        return row.id if row is not None else None
