"""Messages shared by the app and its screens (Textual-only module)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.notifications import SeverityLevel


@dataclass
class StoreChanged(Message):
    """Another console (or this one) wrote to the store."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


@dataclass
class StoreHealth(Message):
    """The store's own health changed (PostgreSQL: its connection's state, in memory), as
    the app's store poll read it; ``line`` says why when it is down. Sent to each screen;
    it does not bubble back to the app."""

    bubble = False
    ok: bool
    line: str = ""


@dataclass
class ActionFailed(Message):
    """A command was refused or failed; ``message`` is one line for the user."""

    message: str


@dataclass
class ReportError(Message):
    """A worker's unexpected failure, for the app's error report (bubbles to the app)."""

    error: Exception


@dataclass
class Notice(Message):
    """A worker's one-line outcome, shown as a notification (bubbles to the app).
    ``text`` is never markup."""

    text: str
    severity: SeverityLevel = "information"


class FirstData(Message):
    """A pane (or the war room's header) shows its first data: ``name`` is what it is
    (``timeline``, ``traces``, …). The war room paints its first frame once every pane
    has said so (see ``FrameHoldScreen``); it bubbles, and nothing else needs to handle it."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
