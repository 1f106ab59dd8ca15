"""One incident: header and timeline (the war room's panes land here)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from ircmd.domain.incident import Incident, Role, format_age
from ircmd.domain.timeline import TimelineEvent
from ircmd.messages import StoreChanged
from ircmd.screens.prompt import TextPrompt
from ircmd.service.incidents import IncidentService
from ircmd.widgets.safe import safe_text
from ircmd.widgets.styles import SEVERITY_STYLE, STATUS_STYLE
from ircmd.widgets.timeline import TimelineView


def header_text(inc: Incident, now: datetime) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(f" {inc.id} ", "bold reverse")
    t.append(" ")
    t.append_text(safe_text(inc.title, "bold"))
    t.append("   ")
    t.append(f" {inc.severity.value.upper()} ", SEVERITY_STYLE[inc.severity.value] + " reverse")
    t.append(" ")
    t.append(inc.status.value, STATUS_STYLE[inc.status.value])
    lead = inc.roles.get(Role.INCIDENT_LEAD)
    t.append("   lead ", "dim")
    t.append_text(safe_text(lead or "unassigned", "" if lead else "italic red"))
    t.append("   aware ", "dim")
    t.append(format_age(inc.age_seconds(now)))
    if inc.classification:
        t.append("   ", "")
        t.append(inc.classification.label, "italic")
    return t


class IncidentScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="incident.back"),
        Binding("n", "note", "Note", id="incident.note"),
        Binding("d", "decision", "Decision", id="incident.decision"),
    ]
    AUTO_FOCUS = "#timeline"

    def __init__(self, service: IncidentService, incident_id: str) -> None:
        super().__init__()
        self.service = service
        self.incident_id = incident_id
        self.incident: Incident | None = None
        self._last_seq = 0

    def compose(self) -> ComposeResult:
        yield Static(id="incident-header")
        yield TimelineView(id="timeline")
        yield Static(id="status-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.app.update_status_bar(self)  # type: ignore[attr-defined]
        self.load(full=True)
        self.set_interval(1.0, self._tick_header)

    @work(thread=True, exclusive=True, group="incident-load", exit_on_error=False)
    def load(self, full: bool = False) -> None:
        inc = self.service.get(self.incident_id)
        after = 0 if full else self._last_seq
        events = self.service.timeline(self.incident_id, after_seq=after)
        self.app.call_from_thread(self._show, inc, events, full)

    def _show(self, inc: Incident, events: list[TimelineEvent], full: bool) -> None:
        self.incident = inc
        timeline = self.query_one(TimelineView)
        if full:
            timeline.set_events(events)
        else:
            events = [e for e in events if e.seq > self._last_seq]
            timeline.append_events(events)
        if events:
            self._last_seq = max(self._last_seq, events[-1].seq)
        self._tick_header()

    def _tick_header(self) -> None:
        if self.incident is not None:
            self.query_one("#incident-header", Static).update(
                header_text(self.incident, self.service.clock())
            )

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.switch_home()  # type: ignore[attr-defined]

    def _ask(self, title: str, kind: str) -> None:
        def done(text: str | None) -> None:
            if text:
                self._write(kind, text)

        self.app.push_screen(TextPrompt(title), done)

    def action_note(self) -> None:
        self._ask(f"Note on {self.incident_id}", "note")

    def action_decision(self) -> None:
        self._ask(f"Decision on {self.incident_id}", "decision")

    @work(thread=True, group="incident-write", exit_on_error=False)
    def _write(self, kind: str, text: str) -> None:
        try:
            if kind == "note":
                self.service.note(self.incident_id, text)
            else:
                self.service.decide(self.incident_id, text)
        except Exception as exc:
            self.app.call_from_thread(self.app.report_error, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self.load)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("note", "decision") and getattr(self.app, "read_only", False))
