"""Read one timeline entry in full: ``enter`` on a row (``esc``/``enter``/``q`` closes).

Everything the row cuts: the full text wrapped, the author, the time in UTC and in local time,
the kind (its label and its filter name), every data field, the hash, and the pinned spans and
controls the entry points at. Untrusted text is never markup."""

from __future__ import annotations

import json
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.tui.widgets.safe import safe_block

# data fields that point at something else the incident holds
LINK_FIELDS = ("span_id", "trace_id", "control", "control_id", "signal_id", "evidence_id")


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def event_detail(ev: TimelineEvent) -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", ratio=1, overflow="fold")
    table.add_row("entry", Text(f"#{ev.seq} of {ev.incident_id}"))
    table.add_row("kind", Text(f"{ev.kind.label}  (filter kind:{ev.kind.value})"))
    table.add_row("author", safe_block(ev.author))
    table.add_row("time UTC", Text(ev.at.strftime("%Y-%m-%d %H:%M:%S UTC")))
    table.add_row("local", Text(ev.at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")))
    table.add_row("", "")
    table.add_row("text", safe_block(ev.text or "(no text)"))
    links = [(k, ev.data[k]) for k in LINK_FIELDS if ev.data.get(k)]
    if links:
        table.add_row("", "")
        for key, value in links:
            table.add_row(f"→ {key}", safe_block(_value(value)))
    others = [(k, v) for k, v in ev.data.items() if k not in LINK_FIELDS]
    if others:
        table.add_row("", "")
        for key, value in sorted(others):
            table.add_row(safe_block(key), safe_block(_value(value)))
    table.add_row("", "")
    table.add_row("hash", Text(ev.hash or "(none)", style="dim"))
    if ev.mac:
        table.add_row("mac", Text(ev.mac, style="dim"))
    return table


class EventDetailScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    EventDetailScreen { align: center middle; }
    EventDetailScreen #detail-body { width: 100; max-width: 95%; height: auto; max-height: 90%; }
    """
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="detail.close")]

    def __init__(self, event: TimelineEvent) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body", classes="prompt"):
            yield Static(
                Text(f"{self.event.kind.label} #{self.event.seq}  (esc closes)", style="bold"),
                classes="prompt-title",
            )
            yield Static(event_detail(self.event), id="detail-table")
