"""The incidents list: id, severity, status, age, workflow, lead, title.

Sorted by column with ``<``/``>`` (which column) and ``=`` (reverse); the sorted column's
header shows ``▲``/``▼``. Without a column sort the rows keep the order handed in (the
screen's ``s`` modes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ircmd.domain.incidents.incident import Incident, Role, format_age
from ircmd.tui.widgets.column_sort import ColumnSort, sort_bindings, sort_rows
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.styles import SEVERITY_STYLE, STATUS_STYLE


class IncidentTable(DataTable[Text]):
    """Rows of incidents; ``enter`` posts :class:`IncidentTable.Opened`, ``i``
    :class:`IncidentTable.Inspected`."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="incidents.open"),
        Binding("i", "inspect", "Details", id="incidents.detail"),
        Binding("j", "cursor_down", "Down", show=False, id="incidents.down"),
        Binding("k", "cursor_up", "Up", show=False, id="incidents.up"),
        Binding("g", "scroll_top", "Top", show=False, id="incidents.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="incidents.bottom"),
        *sort_bindings("incidents"),
    ]

    @dataclass
    class Opened(Message):
        incident_id: str

    @dataclass
    class Inspected(Message):
        """``i``: read this incident's details in full (``enter`` opens its war room)."""

        incident: Incident

    class Sorted(Message):
        """The column sort changed (the screen's summary line names it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._ids: list[str] = []
        self._by_id: dict[str, Incident] = {}
        self._shown: tuple[list[Incident], datetime] | None = None
        self._shown_layout: tuple[tuple[tuple[str, str, int], ...], int, int] | None = None
        self.column_sort = ColumnSort()
        self._header_sort = ColumnSort()

    COLUMNS: tuple[tuple[str, str, int], ...] = (
        ("ID", "id", 9),
        ("SEV", "severity", 8),
        ("STATUS", "status", 13),
        ("AGE", "age", 6),
        ("WORKFLOW", "workflow", 24),
        ("LEAD", "lead", 16),
    )
    """Label, key, width; WORKFLOW and LEAD are as wide as their longest value, at most this."""
    FIT_CONTENT = ("workflow", "lead")
    OPTIONAL = ("lead", "workflow")
    """Dropped in this order when the table is too narrow for a readable TITLE."""
    TITLE_MIN = 24
    NARROW_BELOW = 100
    """Narrower tables (80×24) pack their columns: no cell padding. Wider ones pack too when
    the padding would cut a title that fits whole without it."""
    NARROW: dict[str, int] = {"id": 9, "severity": 9, "status": 14, "age": 6}
    NARROW_TITLE_MIN = 20

    LABELS = {key: label for label, key, _ in COLUMNS} | {"title": "TITLE"}
    SORT_KEYS: dict[str, Callable[[Incident], Any]] = {
        "id": lambda i: i.number,
        "severity": lambda i: i.severity.rank,
        "status": lambda i: i.status.value,
        "age": lambda i: -(i.aware_at or i.created_at).timestamp(),
        "workflow": lambda i: (i.workflow_id or "").lower(),
        "lead": lambda i: i.roles.get(Role.INCIDENT_LEAD, "").lower(),
        "title": lambda i: i.title.lower(),
    }

    def on_mount(self) -> None:
        self._set_columns()

    def _fits(self, columns: tuple[tuple[str, str, int], ...], padding: int | None = None) -> int:
        pad = self.cell_padding if padding is None else padding
        width = self.scrollable_content_region.width
        return width - sum(w for _, _, w in columns) - 2 * pad * (len(columns) + 1) - 1

    def _longest(self) -> dict[str, int]:
        """The longest value of each content-sized column, and of TITLE, among the rows."""
        incidents = self._shown[0] if self._shown is not None else []
        values: dict[str, list[str]] = {
            "workflow": [i.workflow_id or "—" for i in incidents],
            "lead": [i.roles.get(Role.INCIDENT_LEAD, "—") for i in incidents],
            "title": [i.title for i in incidents],
        }
        return {key: max((len(v) for v in vs), default=0) for key, vs in values.items()}

    def _packed_columns(self, packed: bool) -> tuple[tuple[tuple[str, str, int], ...], int]:
        """The columns at this width (packed or padded) and the TITLE's least readable width."""
        longest = self._longest()
        columns: list[tuple[str, str, int]] = []
        for label, key, width in self.COLUMNS:
            if key in self.FIT_CONTENT:
                head = len(label) + (2 if self.column_sort.column == key else 0)  # "LEAD ▲"
                width = min(width, max(head, longest[key])) + (1 if packed else 0)
            elif packed:
                width = self.NARROW.get(key, width)
            columns.append((label, key, width))
        return tuple(columns), self.NARROW_TITLE_MIN if packed else self.TITLE_MIN

    def _narrow(self) -> bool:
        """Pack the columns: below NARROW_BELOW, or when padding would cut a title that
        packing shows whole."""
        width = self.size.width
        if width <= 0:
            return False
        if width < self.NARROW_BELOW:
            return True
        columns, _ = self._packed_columns(False)
        return self._fits(columns, 1) < self._longest()["title"]

    def _columns(self) -> tuple[tuple[str, str, int], ...]:
        packed = self._narrow()
        columns, title_min = self._packed_columns(packed)
        padding = 0 if packed else 1
        for key in self.OPTIONAL:
            if self._fits(columns, padding) >= title_min:
                break
            columns = tuple(c for c in columns if c[1] != key)
        return columns

    def _set_columns(self) -> None:
        padding = 0 if self._narrow() else 1
        if self.cell_padding != padding:
            self.cell_padding = padding
            self.clear(columns=True)
        wanted = self._columns()
        if (
            self.columns
            and self._header_sort == self.column_sort
            and tuple((str(k.value), c.width) for k, c in self.columns.items())[:-1]
            == tuple((key, w) for _, key, w in wanted)
        ):
            return
        self._header_sort = self.column_sort
        self.clear(columns=True)
        for label, key, width in wanted:
            self.add_column(self.column_sort.header(key, label), key=key, width=width)
        self.add_column(self.column_sort.header("title", "TITLE"), key="title")

    def _title_width(self) -> int:
        """What is left for TITLE: it is cut to fit rather than scrolled sideways."""
        return max(10, self._fits(self._columns(), 0 if self._narrow() else 1))

    def _layout(self) -> tuple[tuple[tuple[str, str, int], ...], int, int]:
        """What the rows' cells depend on besides the incidents: columns, title width, padding."""
        return (self._columns(), self._title_width(), self.cell_padding)

    def on_resize(self) -> None:
        selected = self.selected_id  # new columns clear the rows (and the cursor) first
        self._set_columns()
        # rebuilt only when the cells would change (a resize at start-up often changes nothing)
        if self._shown is not None and self._layout() != self._shown_layout:
            self._show(*self._shown, selected=selected)

    def show_incidents(self, incidents: list[Incident], now: datetime) -> None:
        self._show(incidents, now, selected=self.selected_id)

    def _show(self, incidents: list[Incident], now: datetime, selected: str | None) -> None:
        """The rows, the cursor kept on ``selected`` (read before a column change cleared
        the table: a sort by a new column moved the cursor to another incident)."""
        self._shown = (incidents, now)
        self._set_columns()
        self._shown_layout = self._layout()
        keys = [key for _, key, _ in self._columns()]
        title_width = self._title_width()
        narrow = self.cell_padding == 0
        widths = {key: w for _, key, w in self._columns()}
        self.clear()
        self._ids = []
        self._by_id = {}
        for inc in sort_rows(incidents, self.column_sort, self.SORT_KEYS):
            cells = {
                "id": Text(inc.id, style="bold"),
                "severity": Text(inc.severity.value, style=SEVERITY_STYLE[inc.severity.value]),
                "status": Text(inc.status.value, style=STATUS_STYLE[inc.status.value]),
                "age": Text(format_age(inc.age_seconds(now)), justify="right"),
                "workflow": safe_text(inc.workflow_id or "—", "dim" if not inc.workflow_id else ""),
                "lead": safe_text(inc.roles.get(Role.INCIDENT_LEAD, "—")),
            }
            if narrow:  # no cell padding: each cell keeps one blank column of its own
                for key, width in widths.items():
                    cell = cells[key]
                    cell.truncate(width - 1, overflow="ellipsis")
                    if cell.justify == "right":  # rich drops trailing blanks of a right cell
                        cell.justify = "left"
                        cell.pad_left(width - 1 - cell.cell_len)
                    cell.append(" ")
            self.add_row(
                *(cells[k] for k in keys),
                safe_text(inc.title, "" if inc.is_open else "dim", limit=title_width),
                key=inc.id,
            )
            self._ids.append(inc.id)
            self._by_id[inc.id] = inc
        if selected in self._ids:
            self.move_cursor(row=self._ids.index(selected))

    def action_inspect(self) -> None:
        inc = self._by_id.get(self.selected_id or "")
        if inc is not None:
            self.post_message(self.Inspected(inc))
        else:
            self._nothing_selected()

    def _nothing_selected(self) -> None:
        """``enter``/``i`` on an empty list: say so rather than do nothing."""
        text = "no incident selected"
        if not self._ids:
            text = "no incidents here" + (
                "" if getattr(self.app, "read_only", False) else ": n declares one"
            )
        self.notify(text, severity="warning", markup=False, timeout=4)

    def sortable(self) -> list[str]:
        return [key for _, key, _ in self._columns()] + ["title"]

    def _resort(self, sort: ColumnSort) -> None:
        selected = self.selected_id
        self.column_sort = sort
        if self._shown is not None:
            self._show(*self._shown, selected=selected)
        else:
            self._set_columns()
        self.post_message(self.Sorted())

    def action_sort_column(self, delta: int) -> None:
        self._resort(self.column_sort.step(self.sortable(), delta))

    def action_sort_reverse(self) -> None:
        self._resort(self.column_sort.reversed(self.sortable()))

    def sort_label(self) -> str | None:
        """``TITLE ▲`` for the summary line, or ``None`` without a column sort."""
        if self.column_sort.column is None:
            return None
        return self.column_sort.header(
            self.column_sort.column, self.LABELS.get(self.column_sort.column, "")
        )

    def clear_sort(self) -> None:
        """Back to the order handed in (the screen's own sort modes)."""
        if self.column_sort.column is not None:
            self.column_sort = ColumnSort()
            self._set_columns()

    @property
    def selected_id(self) -> str | None:
        if not self._ids or self.cursor_row < 0 or self.cursor_row >= len(self._ids):
            return None
        return self._ids[self.cursor_row]

    def action_open(self) -> None:
        if self.selected_id:
            self.post_message(self.Opened(self.selected_id))
        else:
            self._nothing_selected()
