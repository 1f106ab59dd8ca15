"""Placeholder for the containment board pane (the containment branch replaces this file)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ircmd.screens.panes.base import Pane


class _Placeholder(Static, can_focus=True):
    pass


class ContainmentPane(Pane):
    PANE_TITLE = "containment"

    def compose(self) -> ComposeResult:
        yield _Placeholder(
            Text("containment board lands here: switches, confirmed state, drift", "dim italic")
        )
