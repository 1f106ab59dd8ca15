"""Small modal prompts: one line of text (note, decision), or a new incident."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ircmd.domain.incidents.incident import Severity


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line; ``enter`` returns it, ``esc`` cancels (returns None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self._title = title
        self._placeholder = placeholder
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._title, classes="prompt-title", markup=False)
            yield Input(value=self._value, placeholder=self._placeholder, id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeclarePrompt(ModalScreen[tuple[str, str, str | None] | None]):
    """Title, severity and workflow of a new incident."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="declare.cancel")]

    def __init__(
        self,
        workflows: list[tuple[str, str]],
        *,
        title: str = "",
        severity: str = "medium",
        workflow: str | None = None,
        heading: str = "Declare an incident",
        detail: Text | None = None,
    ) -> None:
        """``title``/``severity``/``workflow`` prefill the form (e.g. from a signal);
        ``detail`` is shown under the heading (rendered as given, never as markup)."""
        super().__init__()
        self._workflows = workflows
        self._title = title
        self._severity = severity
        self._workflow = workflow
        self._heading = heading
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._heading, classes="prompt-title", markup=False)
            if self._detail is not None:
                yield Static(self._detail, classes="prompt-detail")
            yield Input(
                value=self._title, placeholder="title (what is going wrong?)", id="declare-title"
            )
            yield Select(
                [(s.value, s.value) for s in Severity],
                value=self._severity,
                allow_blank=False,
                id="declare-severity",
            )
            if self._workflows:
                known = {value for _, value in self._workflows}
                yield Select(
                    self._workflows,
                    prompt="workflow (optional)",
                    id="declare-workflow",
                    value=self._workflow if self._workflow in known else Select.NULL,
                )
            yield Label("enter declares · esc cancels", classes="prompt-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        title = event.value.strip()
        if not title:
            self.notify("An incident needs a title.", severity="warning", markup=False)
            return
        severity = self.query_one("#declare-severity", Select).value
        workflow: str | None = None
        if self._workflows:
            value = self.query_one("#declare-workflow", Select).value
            workflow = value if isinstance(value, str) else None
        self.dismiss((title, str(severity), workflow))

    def action_cancel(self) -> None:
        self.dismiss(None)
