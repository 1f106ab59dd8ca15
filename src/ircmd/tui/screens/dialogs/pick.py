"""Pick one of a few things (an open incident to attach a signal to, to silence under)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class PickPrompt(ModalScreen[str | None]):
    """``enter`` returns the highlighted option's value, ``esc`` cancels (None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, options: list[tuple[Text, str]], hint: str = "") -> None:
        super().__init__()
        self._title = title
        self._options = options
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._title, classes="prompt-title", markup=False)
            yield OptionList(
                *[Option(label, id=value) for label, value in self._options], id="pick-list"
            )
            yield Label(
                self._hint or "enter picks · esc cancels", classes="prompt-hint", markup=False
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
