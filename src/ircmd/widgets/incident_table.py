"""The incidents list: id, severity, status, age, workflow, lead, title."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ircmd.domain.incident import Incident, Role, format_age
from ircmd.widgets.safe import safe_text
from ircmd.widgets.styles import SEVERITY_STYLE, STATUS_STYLE


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

    def on_mount(self) -> None:
        self.add_column("ID", key="id", width=9)
        self.add_column("SEV", key="severity", width=8)
        self.add_column("STATUS", key="status", width=13)
        self.add_column("AGE", key="age", width=6)
        self.add_column("WORKFLOW", key="workflow", width=18)
        self.add_column("LEAD", key="lead", width=14)
        self.add_column("TITLE", key="title")

    FIXED_WIDTH = 9 + 8 + 13 + 6 + 18 + 14

    def _title_width(self) -> int:
        """What is left for TITLE: it is cut to fit rather than scrolled sideways."""
        padding = 2 * self.cell_padding * 7
        return max(10, self.scrollable_content_region.width - self.FIXED_WIDTH - padding - 1)

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show_incidents(*self._shown)

    def show_incidents(self, incidents: list[Incident], now: datetime) -> None:
        self._shown = (incidents, now)
        title_width = self._title_width()
        selected = self.selected_id
        self.clear()
        self._ids = []
        for inc in incidents:
            age = format_age(inc.age_seconds(now))
            self.add_row(
                Text(inc.id, style="bold"),
                Text(inc.severity.value, style=SEVERITY_STYLE[inc.severity.value]),
                Text(inc.status.value, style=STATUS_STYLE[inc.status.value]),
                Text(age, justify="right"),
                safe_text(inc.workflow_id or "—", "dim" if not inc.workflow_id else ""),
                safe_text(inc.roles.get(Role.INCIDENT_LEAD, "—")),
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
