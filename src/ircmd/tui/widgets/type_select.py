"""A :class:`~textual.widgets.Select` that picks by typing while it is closed.

Textual's Select searches by typing only once its menu is open; closed, a letter did nothing
(``prompt`` typed on the review's root cause was lost without a word), and a ``q`` or ``?``
in the word ran the app's quit or help. Here the letters typed on the closed Select (within
:attr:`TypeToPickSelect.RESET_SECONDS` of each other) pick the first option whose label
starts with them, or else contains them; they are the Select's, so no letter reaches a
binding. ``space``, ``enter`` and the arrows open the menu as before.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable
from typing import Any, Generic, TypeVar

from textual import events
from textual.widgets import Select

T = TypeVar("T", bound=Hashable)


class TypeToPickSelect(Select[T], Generic[T]):
    RESET_SECONDS = 1.0
    """A pause longer than this starts a new word."""

    def __init__(self, options: Iterable[tuple[str, T]], **kwargs: Any) -> None:
        choices = list(options)
        super().__init__(choices, **kwargs)
        self._choices = [(label.lower(), value) for label, value in choices]
        self._typed = ""
        self._typed_at = 0.0

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Printable letters are the Select's (``space`` still opens the menu)."""
        return character is not None and character.isprintable() and character != " "

    def pick(self, typed: str) -> T | None:
        """The value of the first label starting with ``typed``, else containing it."""
        typed = typed.lower()
        for test in (str.startswith, str.__contains__):
            for label, value in self._choices:
                if test(label, typed):
                    return value
        return None

    def on_key(self, event: events.Key) -> None:
        char = event.character
        if not self.has_focus or self.expanded or not self.check_consume_key(event.key, char):
            return  # the open menu searches by itself; keys from it bubble here
        assert char is not None
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        if now - self._typed_at > self.RESET_SECONDS:
            self._typed = ""
        self._typed_at = now
        value = self.pick(self._typed + char)
        if value is None:  # no label goes on with this letter: it starts a new word
            value = self.pick(char)
            self._typed = ""
        self._typed += char
        if value is not None:
            self.value = value
        else:
            self.notify(f"no choice matches {self._typed!r}", severity="warning", markup=False)
            self._typed = ""
