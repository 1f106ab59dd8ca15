"""The full-screen trace explorer (``ircmd trace view PATH…``): the trace pane, full size.

Without ``sources`` it shows the workspace's configured trace sources."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from ircmd.backends.protocols import TraceSource
from ircmd.domain.text import one_line
from ircmd.service.workspace import Workspace
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.widgets.footer import FitFooter

# What a narrow footer keeps after ``?``: the explorer's tasks before the tree's structure keys.
MAIN_KEYS = ("search", "pin", "toggle_node", "next_error(1)", "choose")


class TraceScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="traces.back"),
        Binding("minus", "leave", "Back", id="traces.leave"),
    ]
    AUTO_FOCUS = "#span-tree"

    def __init__(
        self,
        workspace: Workspace | None,
        sources: Sequence[TraceSource] | None = None,
        incident_id: str | None = None,
        *,
        title: str = "",
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.sources = sources
        self.incident_id = incident_id
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield Static(id="app-header")
        yield TracePane(self.workspace, self.incident_id, sources=self.sources, id="trace-pane")
        yield Static(id="status-bar")
        # the span tree declares its structure keys first; searching and pinning come first
        yield FitFooter(first=MAIN_KEYS)

    @property
    def pane(self) -> TracePane:
        return self.query_one(TracePane)

    def on_mount(self) -> None:
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append("ircmd", "bold")
        header.append("  traces  ", "")
        header.append(one_line(self.title_text, 120), "dim")
        if self.incident_id:
            header.append(f"   evidence → {self.incident_id}", "magenta")
        self.query_one("#app-header", Static).update(header)
        update = getattr(self.app, "update_status_bar", None)
        if update is not None:
            update(self)

    def action_back(self) -> None:
        """esc: back to where the explorer was opened from; never quits ``ircmd trace view``."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.notify("nothing to close here: q quits", markup=False, timeout=3)

    def action_leave(self) -> None:
        self.action_back()
