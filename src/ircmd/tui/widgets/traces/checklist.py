"""A checklist of records to correct: value, how often, in how many traces, ticked or not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ircmd.tui.widgets.safe import safe_text


@dataclass
class ChecklistItem:
    value: str
    count: int = 0
    trace_ids: list[str] = field(default_factory=list)
    done: bool = False
    done_by: str = ""


class Checklist(DataTable[Text]):
    """``space``/``enter`` posts :class:`Checklist.Toggled`; the owner persists it and calls
    :meth:`set_items` with the stored state (what is shown is what was recorded)."""

    BINDINGS = [
        Binding("space,enter", "tick", "Tick / untick", id="checklist.toggle"),
        Binding("j", "cursor_down", "Down", show=False, id="checklist.down"),
        Binding("k", "cursor_up", "Up", show=False, id="checklist.up"),
    ]

    @dataclass
    class Toggled(Message):
        checklist: Checklist
        value: str
        done: bool

        @property
        def control(self) -> Checklist:
            return self.checklist

    def __init__(
        self,
        items: Sequence[ChecklistItem],
        *,
        read_only: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._items = list(items)
        self._read_only = read_only

    def on_mount(self) -> None:
        self.add_column("", key="done", width=3)
        self.add_column("VALUE", key="value")
        self.add_column("CALLS", key="count", width=6)
        self.add_column("TRACES", key="traces", width=7)
        self.add_column("FIRST TRACE", key="trace", width=12)
        self.add_column("BY", key="by", width=12)
        self._fill()

    @property
    def items(self) -> list[ChecklistItem]:
        return list(self._items)

    def set_items(self, items: Sequence[ChecklistItem]) -> None:
        row = self.cursor_row
        self._items = list(items)
        self._fill()
        if self._items:
            self.move_cursor(row=min(row, len(self._items) - 1), animate=False)

    def _fill(self) -> None:
        self.clear()
        for i, item in enumerate(self._items):
            self.add_row(
                Text("✔" if item.done else "☐", "bold green" if item.done else "dim"),
                safe_text(item.value, "strike dim" if item.done else "bold"),
                Text(str(item.count), justify="right"),
                Text(str(len(item.trace_ids)), justify="right"),
                safe_text(item.trace_ids[0][:10] if item.trace_ids else "—", "dim"),
                safe_text(item.done_by or "", "dim"),
                key=str(i),
            )

    def action_tick(self) -> None:
        if self._read_only or not 0 <= self.cursor_row < len(self._items):
            return
        item = self._items[self.cursor_row]
        self.post_message(self.Toggled(self, item.value, not item.done))
