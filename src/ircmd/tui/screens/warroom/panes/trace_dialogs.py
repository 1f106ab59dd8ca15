"""Dialogs of the trace explorer: pick a dimension, blast radius result, records checklist.

Each dialog only shows what it is handed and returns the user's choice via ``dismiss``;
the pane that opened it does the work (in workers, through the service layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ircmd.domain.text import one_line
from ircmd.domain.traces.blast import SimilarResult
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.traces.checklist import Checklist, ChecklistItem


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few labelled choices (``enter``), ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], hint: str = "") -> None:
        super().__init__(classes="trace-dialog")
        self._title = title
        self._choices = list(choices)
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._title, classes="prompt-title", markup=False)
            yield OptionList(
                *[Option(safe_text(label), id=value) for label, value in self._choices],
                id="choice-list",
            )
            yield Label(self._hint or "enter chooses · esc cancels", classes="prompt-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def similar_text(
    result: SimilarResult, window: str = "", cost: tuple[float, int] | None = None
) -> Text:
    """The blast radius as a few lines of literal text; ``cost``: the matched traces' model
    spend in USD and how many of their spans could not be priced."""
    t = Text()
    t.append("Spans like this one: ", "bold")
    t.append(one_line(result.query.describe(), 200))
    t.append("\n")
    if window:
        t.append(f"window {window}\n", "dim")
    t.append("\n")
    rows = (
        ("traces", result.traces, result.scanned_traces),
        ("spans", result.spans, None),
        ("conversations", result.conversations, None),
        ("users", result.users, None),
        ("error spans", result.error_spans, None),
    )
    for label, n, of in rows:
        t.append(f"{label:>14} ", "dim")
        t.append(f"{n:,}", "bold red" if label == "error spans" and n else "bold")
        if of:
            t.append(f" matched, of {of:,} scanned", "dim")
        t.append("\n")
    if cost is not None:
        usd, unpriced = cost
        t.append(f"{'cost':>14} ", "dim")
        t.append(f"${usd:,.6f}", "bold")
        t.append(" model spend of the matched traces", "dim")
        if unpriced:
            t.append(f" · {unpriced:,} spans unpriced", "yellow")
        t.append("\n")
    t.append("\n scope: ", "dim")
    style = {"the whole system": "bold white on red", "a segment": "bold dark_orange"}
    t.append(result.scope, style.get(result.scope, "bold yellow"))
    t.append("\n")
    if result.user_ids:
        t.append("\n users: ", "dim")
        t.append(one_line(", ".join(result.user_ids[:12]), 300))
        if len(result.user_ids) > 12:
            t.append(f" … +{len(result.user_ids) - 12}", "dim")
        t.append("\n")
    if result.conversation_ids:
        t.append(" conversations: ", "dim")
        t.append(one_line(", ".join(result.conversation_ids[:8]), 300))
        if len(result.conversation_ids) > 8:
            t.append(f" … +{len(result.conversation_ids) - 8}", "dim")
        t.append("\n")
    return t


class SimilarDialog(ModalScreen[str | None]):
    """The blast radius of a span; ``r`` records it on the incident, ``x`` lists records."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="similar.close"),
        Binding("r", "choose('record')", "Record on incident", id="similar.record"),
        Binding("x", "choose('records')", "Records to correct", id="similar.records"),
    ]

    def __init__(
        self,
        result: SimilarResult,
        *,
        can_record: bool,
        is_tool: bool,
        cost: tuple[float, int] | None = None,
    ) -> None:
        super().__init__(classes="trace-dialog")
        self.result = result
        self.cost = cost
        self._can_record = can_record
        self._is_tool = is_tool

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label("Blast radius", classes="prompt-title")
            yield Static(similar_text(self.result, cost=self.cost), id="similar-body")
            hints = []
            if self._can_record:
                hints.append("r records it on the incident")
            if self._is_tool:
                hints.append("x lists the records to correct")
            hints.append("esc closes")
            yield Label(" · ".join(hints), classes="prompt-hint", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters:
            return self._can_record if parameters[0] == "record" else self._is_tool
        return True

    def action_choose(self, what: str) -> None:
        self.dismiss(what)

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass
class ChecklistChange:
    """What the user did in the records dialog: tick/untick a value, or export."""

    kind: str  # "tick" | "export"
    value: str = ""
    done: bool = False


class RecordsDialog(ModalScreen[None]):
    """Records to correct: one row per distinct argument value; ``space`` ticks it."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="records.close"),
        Binding("c", "export", "Export CSV", id="records.export"),
    ]

    def __init__(
        self,
        title: str,
        items: Sequence[ChecklistItem],
        *,
        on_change: object,
        read_only: bool = False,
    ) -> None:
        super().__init__(classes="trace-dialog")
        self._title = title
        self._items = list(items)
        self._on_change = on_change
        self._read_only = read_only

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt records"):
            yield Label(self._title, classes="prompt-title", markup=False)
            yield Checklist(self._items, read_only=self._read_only, id="records-list")
            yield Label(
                "space ticks a record as corrected · c exports CSV · esc closes",
                classes="prompt-hint",
            )

    def set_items(self, items: Sequence[ChecklistItem]) -> None:
        self._items = list(items)
        self.query_one(Checklist).set_items(self._items)

    def on_checklist_toggled(self, event: Checklist.Toggled) -> None:
        if callable(self._on_change):
            self._on_change(ChecklistChange("tick", event.value, event.done))

    def action_export(self) -> None:
        if callable(self._on_change):
            self._on_change(ChecklistChange("export"))

    def action_close(self) -> None:
        self.dismiss(None)
