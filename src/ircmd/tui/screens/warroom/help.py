"""``?``: a cheat sheet: the focused pane's actions first, grouped by task, then global keys.

Rows are ``(section, key, does)``; sections read "timeline · respond", "global · navigate",
"commands". Keys are shown as the app displays them, so a remapped key shows its new key. No
class names: a binding's place is the pane it lives in (its ``PANE_TITLE``) or "global".
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

TASKS = ("respond", "investigate", "navigate")

# Action names (without parameters) by task; anything unnamed is "investigate".
_NAVIGATE = {
    "cursor",
    "page",
    "jump",
    "scroll",
    "scroll_left",
    "scroll_right",
    "focus_pane",
    "cycle_pane",
    "toggle_maximize",
    "back",
    "leave",
    "home",
    "cursor_up",
    "cursor_down",
    "page_up",
    "page_down",
    "page_left",
    "page_right",
    "scroll_up",
    "scroll_down",
    "scroll_top",
    "scroll_bottom",
    "scroll_by",
    "scroll_home",
    "scroll_end",
    "first",
    "last",
    "expand",
    "collapse",
    "toggle_node",
    "select_cursor",
    "help",
    "command_palette",
    "dismiss",
    "close",
}
_RESPOND = {
    "prefill",
    "declare",
    "declare_signal",
    "attach_signal",
    "ack_signal",
    "pin",
    "pin_span",
    "pin_trace",
    "toggle",
    "toggle_control",
    "release",
    "confirm",
    "apply",
    "submit",
    "save",
    "command_line",
    "answer",
}


def task_of(action: str) -> str:
    name = action.split("(", 1)[0].rsplit(".", 1)[-1]
    if name in _NAVIGATE:
        return "navigate"
    if name in _RESPOND or name.startswith(("pin", "release", "toggle_control", "declare")):
        return "respond"
    return "investigate"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys  (esc closes)", style="bold"), id="help-title")
            yield Static(cheat_sheet(self._rows))


KEY_WIDTH = 16
"""The key column's width: a longer key (a ``:`` command's usage) gets a line of its own
with its description below it, so one long usage never squeezes every description out."""


def cheat_sheet(rows: list[tuple[str, str, str]]) -> Group:
    """``rows`` as sections: the section's title, then its keys and what each does."""
    width = min(KEY_WIDTH, max((len(key) for _, key, _ in rows), default=1))
    parts: list[RenderableType] = []
    table: Table | None = None

    def flush() -> None:
        nonlocal table
        if table is not None:
            parts.append(table)
            table = None

    section = None
    for where, key, description in rows:
        if where != section:
            flush()
            if section is not None:
                parts.append(Text(""))
            parts.append(Text(where, style="bold underline"))
            section = where
        if len(key) > width:  # a command's usage: on its own line, what it does below
            flush()
            parts.append(Padding(Text(key, style="bold cyan"), (0, 0, 0, 1)))
            parts.append(Padding(Text(description), (0, 0, 0, 4)))
            continue
        if table is None:
            table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
            table.add_column("key", style="bold cyan", no_wrap=True, width=width)
            table.add_column("does", ratio=1)
        table.add_row(Text(key), Text(description))
    flush()
    return Group(*parts)


def place_of(node: Any) -> str:
    """The pane a binding lives in, by its title; "global" for the screen and the app."""
    while node is not None:
        title = getattr(type(node), "PANE_TITLE", None)
        if isinstance(title, str) and title:
            return title
        node = getattr(node, "parent", None)
    return "global"


def binding_rows(screen: object) -> list[tuple[str, str, str]]:
    """Every active binding on the focus chain, as a cheat sheet (pane first, then global)."""
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or not binding.description:
            continue
        label = screen.app.get_key_display(binding) or key
        place = place_of(active.node)
        if (label, binding.description) in seen:
            continue
        seen.add((label, binding.description))
        found.setdefault((place, task_of(binding.action)), []).append((label, binding.description))
    places = sorted({p for p, _ in found}, key=lambda p: p == "global")
    rows: list[tuple[str, str, str]] = []
    for place in places:
        for task in TASKS:
            for label, description in found.get((place, task), []):
                rows.append((f"{place} · {task}", label, description))
    return rows
