"""The containment board full screen: one incident's switches without the war room."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ircmd.domain.incidents.incident import Incident
from ircmd.service import Workspace
from ircmd.tui.messages import StoreChanged
from ircmd.tui.screens.warroom.panes.containment import ContainmentPane
from ircmd.tui.widgets.footer import FitFooter
from ircmd.tui.widgets.warroom_bars import header_text


class HeaderRead(Message, bubble=False):
    """The incident for the header, read by a worker."""

    def __init__(self, inc: Incident) -> None:
        super().__init__()
        self.inc = inc


class ContainmentScreen(Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back", id="containment.back")]
    AUTO_FOCUS = "#control-board"

    def __init__(self, workspace: Workspace, incident_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.incident_id = incident_id
        self.incident: Incident | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="containment-header")
        pane = ContainmentPane(self.workspace, self.incident_id, id="containment-pane")
        pane.border_title = "containment"
        yield pane
        yield Static(id="status-bar")
        yield FitFooter()

    def on_mount(self) -> None:
        update = getattr(self.app, "update_status_bar", None)
        if update is not None:
            update(self)
        self.load_header()

    @work(thread=True, exclusive=True, group="containment-header", exit_on_error=False)
    def load_header(self) -> None:
        inc = self.workspace.incidents.get(self.incident_id)
        self.post_message(HeaderRead(inc))

    def on_header_read(self, message: HeaderRead) -> None:
        self._show_header(message.inc)

    def _show_header(self, inc: Incident) -> None:
        self.incident = inc
        self.query_one("#containment-header", Static).update(
            # title first: at 80 columns the clocks and the lead move to line 2
            header_text(inc, self.workspace.incidents.clock(), width=self.size.width or None)
        )

    def on_resize(self) -> None:
        if self.incident is not None:
            self._show_header(self.incident)

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load_header()
        self.query_one(ContainmentPane).refresh_from_store()

    def action_back(self) -> None:
        self.app.pop_screen()
