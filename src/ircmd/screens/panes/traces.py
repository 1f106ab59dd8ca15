"""Placeholder for the trace explorer pane (the trace-ui branch replaces this file)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ircmd.screens.panes.base import Pane


class _Placeholder(Static, can_focus=True):
    pass


class TracePane(Pane):
    PANE_TITLE = "traces"

    def compose(self) -> ComposeResult:
        yield _Placeholder(
            Text("trace explorer lands here: span tree, detail, pin as evidence", "dim italic")
        )
