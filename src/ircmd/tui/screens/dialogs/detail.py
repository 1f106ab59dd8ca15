"""Read one row in full: ``enter`` on a timeline entry, signal or control, ``i`` on an incident
(``esc``/``enter``/``q`` closes; the body scrolls when it is taller than the terminal).

The tables themselves (full text wrapped, times in UTC and local, every data field, ids and
links) are built in :mod:`ircmd.tui.widgets.details`. Untrusted text is never markup."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.domain.text import one_line
from ircmd.tui.widgets.details import LINK_FIELDS, event_detail

__all__ = ["LINK_FIELDS", "DetailScreen", "EventDetailScreen", "event_detail"]


class DetailScreen(ModalScreen[None]):
    """A titled, scrolling modal around one detail table."""

    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen #detail-body { width: 100; max-width: 95%; height: auto; max-height: 90%; }
    """
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="detail.close")]

    def __init__(self, title: str, body: RenderableType) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body", classes="prompt"):
            yield Static(
                Text(f"{one_line(self.title_text, 80)}  (esc closes)", style="bold"),
                classes="prompt-title",
            )
            yield Static(self.body, id="detail-table")


class EventDetailScreen(DetailScreen):
    def __init__(self, event: TimelineEvent) -> None:
        super().__init__(f"{event.kind.label} #{event.seq}", event_detail(event))
        self.event = event
