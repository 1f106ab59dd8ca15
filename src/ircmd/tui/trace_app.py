"""``ircmd trace view``: the app opened straight on the trace explorer."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events

from ircmd.backends.protocols import TraceSource
from ircmd.service import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.traces.explorer import TraceScreen


class TraceViewApp(IrcmdApp):
    """IrcmdApp whose first screen is the trace explorer on ``sources``."""

    def __init__(
        self,
        workspace: Workspace,
        sources: Sequence[TraceSource] | None,
        *,
        incident_id: str | None = None,
        title: str = "",
    ) -> None:
        super().__init__(workspace)
        self.sources = sources
        self.incident_id = incident_id
        self.title_text = title

    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        event.prevent_default()  # not IrcmdApp's home screen
        self.push_screen(
            TraceScreen(self.workspace, self.sources, self.incident_id, title=self.title_text)
        )
        self._check_store()  # in a worker: the first read only remembers the token; each
        # check schedules the next (IrcmdApp.on_store_checked: backs off while idle)
