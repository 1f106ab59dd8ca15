"""``?``: every key of the focused pane and of the app."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("where")
        table.add_column("key", style="bold cyan")
        table.add_column("does")
        for where, key, description in self._rows:
            table.add_row(Text(where, style="dim"), Text(key), Text(description))
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys  (esc closes)", style="bold"), id="help-title")
            yield Static(table)


def binding_rows(screen: object) -> list[tuple[str, str, str]]:
    """Every active binding on the focus chain, for the help screen."""
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or not binding.description:
            continue
        where = type(active.node).__name__
        label = screen.app.get_key_display(binding)
        ident = f"{where}:{label}:{binding.description}"
        if ident in seen:
            continue
        seen.add(ident)
        rows.append((where, label or key, binding.description))
    return rows
