"""Resolving an incident offers to expire the Alertmanager silences ircmd created for it.

The war room calls :func:`offer_expire_silences` after a status change to ``resolved``
succeeded; it looks the silences up in a worker, asks only when there are some (``y``
expires them all, ``n``/``esc`` keeps them) and reports each outcome in one line. The
workers' results go to the app as Messages (:class:`SilencesFound`, and the shared
``Notice``/``ReportError``), which :class:`~ircmd.tui.app.IrcmdApp` handles.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ircmd.domain.signals.signals import SilenceRecord
from ircmd.domain.text import one_line
from ircmd.service.signals.service import signal_service
from ircmd.tui.messages import Notice, ReportError
from ircmd.tui.widgets.safe import safe_text


class SilencesFound(Message):
    """Active silences of a resolved incident (found by a worker): ask to expire them."""

    def __init__(self, incident_id: str, records: list[SilenceRecord]) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.records = records


class ExpireSilencesPrompt(ModalScreen[bool]):
    """``y`` expires the listed silences, ``n`` or ``esc`` keeps them."""

    BINDINGS = [
        Binding("y", "answer(True)", "Expire them", id="silences.expire"),
        Binding("n,escape", "answer(False)", "Keep them", id="silences.keep"),
    ]

    def __init__(self, incident_id: str, records: list[SilenceRecord]) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.records = records

    def compose(self) -> ComposeResult:
        n = len(self.records)
        body = Text()
        for rec in self.records:
            body.append("• ")
            body.append_text(safe_text(rec.alertname or rec.fingerprint, "bold"))
            body.append(" at ")
            body.append_text(safe_text(rec.source))
            body.append(f"  until {rec.ends_at:%Y-%m-%d %H:%M}Z", "dim")
            body.append(f"  ({rec.silence_id})\n", "dim")
        with Vertical(classes="prompt"):
            yield Label(
                f"{self.incident_id} is resolved but {n} silence{'s' if n != 1 else ''} "
                "still mute its alerts. Expire them now?",
                classes="prompt-title",
                markup=False,
            )
            yield Static(body)
            yield Label("y expires · n / esc keeps them", classes="prompt-hint", markup=False)

    def action_answer(self, expire: bool) -> None:
        self.dismiss(expire)


def offer_expire_silences(app: App[object], incident_id: str) -> None:
    """After ``incident_id`` moved to resolved: offer to expire its active silences.

    Call it from the UI thread; the lookup and the expiry run in thread workers. Nothing
    happens when the incident has no active silence, or in read-only mode."""
    workspace = getattr(app, "workspace", None)
    if workspace is None or getattr(app, "read_only", False):
        return

    def lookup() -> None:
        try:
            records = signal_service(workspace).silences_for(incident_id)
        except Exception as exc:  # reported on the app, never a crash
            app.post_message(ReportError(exc))
            return
        if records:
            app.post_message(SilencesFound(incident_id, records))

    app.run_worker(lookup, thread=True, group="silences", exit_on_error=False)


def ask_expire_silences(app: App[Any], found: SilencesFound) -> None:
    """On the UI loop (the app's handler of :class:`SilencesFound`): ask, then expire in a
    worker; each outcome comes back as a ``Notice``."""
    workspace = getattr(app, "workspace", None)
    if workspace is None:
        return
    incident_id = found.incident_id

    def expire() -> None:
        try:
            outcomes = signal_service(workspace).expire_silences(incident_id)
        except Exception as exc:  # reported on the app, never a crash
            app.post_message(ReportError(exc))
            return
        for o in outcomes:
            text = f"Silence {o.silence_id}: {one_line(o.message, 160)}"
            app.post_message(Notice(text, "information" if o.ok else "error"))

    def done(answer: bool | None) -> None:
        if answer:
            app.run_worker(expire, thread=True, group="silences", exit_on_error=False)

    app.push_screen(ExpireSilencesPrompt(incident_id, found.records), done)
