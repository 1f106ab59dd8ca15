"""A yes/no question (``y`` confirms, ``n``/``esc`` declines)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ircmd.tui.widgets.safe import safe_block


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._title, classes="prompt-title", markup=False)
            yield Static(safe_block(self._body))
            yield Static(Text("y confirms · n or esc cancels", "dim"), classes="prompt-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
