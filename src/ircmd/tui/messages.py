"""Messages shared by the app and its screens (Textual-only module)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """Another console (or this one) wrote to the store."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


@dataclass
class ActionFailed(Message):
    """A command was refused or failed; ``message`` is one line for the user."""

    message: str
