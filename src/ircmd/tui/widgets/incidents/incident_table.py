"""The incidents list: id, severity, status, age, workflow, lead, title."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ircmd.domain.incidents.incident import Incident, Role, format_age
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.styles import SEVERITY_STYLE, STATUS_STYLE


class IncidentTable(DataTable[Text]):
    """Rows of incidents; ``enter`` posts :class:`IncidentTable.Opened`."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="incidents.open"),
        Binding("j", "cursor_down", "Down", show=False, id="incidents.down"),
        Binding("k", "cursor_up", "Up", show=False, id="incidents.up"),
        Binding("g", "scroll_top", "Top", show=False, id="incidents.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="incidents.bottom"),
    ]

    @dataclass
    class Opened(Message):
        incident_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._ids: list[str] = []
        self._shown: tuple[list[Incident], datetime] | None = None

    COLUMNS: tuple[tuple[str, str, int], ...] = (
        ("ID", "id", 9),
        ("SEV", "severity", 8),
        ("STATUS", "status", 13),
        ("AGE", "age", 6),
        ("WORKFLOW", "workflow", 18),
        ("LEAD", "lead", 14),
    )
    OPTIONAL = ("lead", "workflow")
    """Dropped in this order when the table is too narrow for a readable TITLE."""
    TITLE_MIN = 24

    def on_mount(self) -> None:
        self._set_columns()

    def _fits(self, columns: tuple[tuple[str, str, int], ...]) -> int:
        padding = 2 * self.cell_padding * (len(columns) + 1)
        width = self.scrollable_content_region.width
        return width - sum(w for _, _, w in columns) - padding - 1

    def _columns(self) -> tuple[tuple[str, str, int], ...]:
        columns = self.COLUMNS
        for key in self.OPTIONAL:
            if self._fits(columns) >= self.TITLE_MIN:
                break
            columns = tuple(c for c in columns if c[1] != key)
        return columns

    def _set_columns(self) -> None:
        wanted = self._columns()
        if self.columns and tuple(str(k.value) for k in self.columns)[:-1] == tuple(
            key for _, key, _ in wanted
        ):
            return
        self.clear(columns=True)
        for label, key, width in wanted:
            self.add_column(label, key=key, width=width)
        self.add_column("TITLE", key="title")

    def _title_width(self) -> int:
        """What is left for TITLE: it is cut to fit rather than scrolled sideways."""
        return max(10, self._fits(self._columns()))

    def on_resize(self) -> None:
        self._set_columns()
        if self._shown is not None:
            self.show_incidents(*self._shown)

    def show_incidents(self, incidents: list[Incident], now: datetime) -> None:
        self._shown = (incidents, now)
        self._set_columns()
        keys = [key for _, key, _ in self._columns()]
        title_width = self._title_width()
        selected = self.selected_id
        self.clear()
        self._ids = []
        for inc in incidents:
            cells = {
                "id": Text(inc.id, style="bold"),
                "severity": Text(inc.severity.value, style=SEVERITY_STYLE[inc.severity.value]),
                "status": Text(inc.status.value, style=STATUS_STYLE[inc.status.value]),
                "age": Text(format_age(inc.age_seconds(now)), justify="right"),
                "workflow": safe_text(inc.workflow_id or "—", "dim" if not inc.workflow_id else ""),
                "lead": safe_text(inc.roles.get(Role.INCIDENT_LEAD, "—")),
            }
            self.add_row(
                *(cells[k] for k in keys),
                safe_text(inc.title, "" if inc.is_open else "dim", limit=title_width),
                key=inc.id,
            )
            self._ids.append(inc.id)
        if selected in self._ids:
            self.move_cursor(row=self._ids.index(selected))

    @property
    def selected_id(self) -> str | None:
        if not self._ids or self.cursor_row < 0 or self.cursor_row >= len(self._ids):
            return None
        return self._ids[self.cursor_row]

    def action_open(self) -> None:
        if self.selected_id:
            self.post_message(self.Opened(self.selected_id))
