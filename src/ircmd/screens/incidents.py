"""Home: open incidents first, then recent ones; ``n`` declares, ``enter`` opens."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from ircmd.domain.incident import Incident, Severity
from ircmd.messages import StoreChanged
from ircmd.screens.prompt import DeclarePrompt
from ircmd.service.incidents import IncidentService
from ircmd.widgets.incident_table import IncidentTable
from ircmd.widgets.styles import SEVERITY_STYLE


def order_incidents(incidents: list[Incident]) -> list[Incident]:
    """Open first (most severe, newest first), then closed (newest first)."""
    return sorted(
        incidents, key=lambda i: (not i.is_open, -i.severity.rank if i.is_open else 0, -i.number)
    )


class IncidentsScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "declare", "Declare", id="incidents.declare"),
        Binding("r", "refresh", "Refresh", show=False, id="incidents.refresh"),
    ]
    AUTO_FOCUS = "#incident-table"

    def __init__(self, service: IncidentService) -> None:
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        yield Static(id="app-header")
        yield Static(id="incident-counts")
        yield IncidentTable(id="incident-table")
        yield Static(id="status-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#app-header", Static).update(
            Text.assemble(("ircmd", "bold"), "  incidents", style="")
        )
        self.app.update_status_bar(self)  # type: ignore[attr-defined]
        self.load()

    @work(thread=True, exclusive=True, group="incidents-load", exit_on_error=False)
    def load(self) -> None:
        incidents = order_incidents(self.service.list_incidents())
        self.app.call_from_thread(self._show, incidents)

    def _show(self, incidents: list[Incident]) -> None:
        now = self.service.clock()
        self.query_one(IncidentTable).show_incidents(incidents, now)
        open_ = [i for i in incidents if i.is_open]
        counts = Counter(i.severity for i in open_)
        line = Text()
        line.append(f" {len(open_)} open", "bold")
        line.append(f" · {len(incidents) - len(open_)} closed   ", "dim")
        for sev in reversed(list(Severity)):
            line.append(f" {sev.value} {counts.get(sev, 0)} ", SEVERITY_STYLE[sev.value])
        if not incidents:
            line.append("   no incidents yet: press n to declare one", "italic")
        self.query_one("#incident-counts", Static).update(line)

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load()

    def on_incident_table_opened(self, event: IncidentTable.Opened) -> None:
        self.app.open_incident(event.incident_id)  # type: ignore[attr-defined]

    def action_refresh(self) -> None:
        self.load()

    def action_declare(self) -> None:
        workflows = [
            (f"{w.id} ({w.name})" if w.name else w.id, w.id) for w in self.service.config.workflows
        ]

        def done(result: tuple[str, str, str | None] | None) -> None:
            if result is None:
                return
            title, severity, workflow = result
            self._declare(title, severity, workflow)

        self.app.push_screen(DeclarePrompt(workflows), done)

    @work(thread=True, group="incidents-write", exit_on_error=False)
    def _declare(self, title: str, severity: str, workflow: str | None) -> None:
        try:
            inc, _ = self.service.declare(title, severity=severity, workflow_id=workflow)
        except Exception as exc:
            self.app.call_from_thread(self.app.report_error, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self.app.open_incident, inc.id)  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "declare" and getattr(self.app, "read_only", False))
