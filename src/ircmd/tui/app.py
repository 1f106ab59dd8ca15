"""The Textual application: screens, live updates from the store, errors as one line."""

from __future__ import annotations

import asyncio
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from ircmd.domain.text import one_line
from ircmd.service import Workspace
from ircmd.tui.messages import Notice, ReportError, StoreChanged
from ircmd.tui.process_tuning import ProcessTuning
from ircmd.tui.screens.incidents import IncidentsScreen

if TYPE_CHECKING:  # imported where used: the first frame is the incidents list
    from ircmd.tui.screens.signals.silences import SilencesFound
    from ircmd.tui.screens.warroom.verbs import VerbFactory

_UNREAD = object()


class StoreTokenChanged(Message):
    """The store's change token moved (another console or a worker wrote)."""


class StoreChecked(Message):
    """One poll of the store's change token ended (``changed``: it had moved)."""

    def __init__(self, changed: bool) -> None:
        super().__init__()
        self.changed = changed


class IrcmdApp(App[int]):
    CSS_PATH = Path(__file__).with_name("ircmd.tcss")
    # screen classes by terminal width (ircmd.tcss lays screens out per size)
    HORIZONTAL_BREAKPOINTS = [(0, "-size-narrow"), (100, "-size-medium"), (160, "-size-wide")]
    TITLE = "ircmd"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Keys", id="app.help"),
    ]
    POLL_SECONDS = 0.25
    POLL_MAX_SECONDS = 1.0  # a write by another console still shows within ~1 s

    def __init__(self, workspace: Workspace, *, open_incident: str | None = None) -> None:
        super().__init__()
        self._poll_wait = self.POLL_SECONDS
        self._poll_timer: Timer | None = None
        self.workspace = workspace
        self.service = workspace.incidents
        self.read_only = workspace.read_only
        self.demo = workspace.demo
        self._open_incident = open_incident
        self._token: object = _UNREAD
        self.tuning = ProcessTuning()
        keymap = workspace.config.ui.keymap
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self.tuning.apply()  # process-wide, once; see ircmd.tui.process_tuning
        self.push_screen(IncidentsScreen(self.service))
        if self._open_incident:
            self.open_incident(self._open_incident)
        self._check_store()  # the first read only remembers the store's token

    async def on_unmount(self) -> None:
        self.tuning.undo()
        # The app owns its workspace's resources from here: store connections, the backend
        # loop thread and the controllers' clients are closed on exit (off the UI loop; the
        # closes are idempotent, so a caller that closes the workspace again is fine).
        await asyncio.to_thread(self.workspace.close)

    # -- navigation --------------------------------------------------------------------
    @cached_property
    def extra_verbs(self) -> tuple[VerbFactory, ...]:
        """The evidence and commander verbs every war room offers (built on first use)."""
        from ircmd.tui.screens.commander.verbs import commander_verbs
        from ircmd.tui.screens.evidence.verbs import evidence_verbs

        return (*evidence_verbs(), *commander_verbs())

    def open_incident(self, incident_id: str) -> None:
        # imported on first use: the war room (and the trace/containment services behind its
        # panes) is ~1/4 of the start-up imports, and the first frame is the incidents list
        from ircmd.tui.screens.warroom.screen import WarRoomScreen

        self.push_screen(WarRoomScreen(self.workspace, incident_id, self.extra_verbs))

    def switch_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    # -- live updates ----------------------------------------------------------------------
    def _poll_store(self) -> None:
        self._check_store()

    @work(thread=True, exclusive=True, group="store-poll", exit_on_error=False)
    def _check_store(self) -> None:
        changed = False
        try:
            token = self.service.store.change_token()
            changed = token != self._token
            if changed:
                first = self._token is _UNREAD
                self._token = token
                if not first:
                    self.post_message(StoreTokenChanged())
        finally:  # a failed read polls again too (the status bar reports the store)
            self.post_message(StoreChecked(changed))

    def on_store_checked(self, message: StoreChecked) -> None:
        """Poll again soon after a change, and ever more slowly (up to
        ``POLL_MAX_SECONDS``) while nothing changes: an idle console costs almost nothing.
        A key pressed here brings the fast rate back (see :meth:`on_key`)."""
        if message.changed:
            self._poll_wait = self.POLL_SECONDS
        else:
            self._poll_wait = min(self._poll_wait * 2, self.POLL_MAX_SECONDS)
        self._schedule_poll()

    def _schedule_poll(self) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()  # one chain of polls, never two
        self._poll_timer = self.set_timer(self._poll_wait, self._poll_store)

    def _poll_soon(self) -> None:
        if self._poll_wait > self.POLL_SECONDS:
            self._poll_wait = self.POLL_SECONDS
            self._schedule_poll()

    def on_store_token_changed(self, _: StoreTokenChanged) -> None:
        for screen in self.screen_stack:
            screen.post_message(StoreChanged())

    # -- status and errors -------------------------------------------------------------
    def status_text(self) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        if self.demo:
            t.append(" DEMO", "bold magenta")
            t.append(" throw-away store, gone when you quit", "magenta")
        else:
            t.append(" store ", "dim")
            t.append(one_line(self.service.store.location))
        t.append(f"   as {one_line(self.service.actor)}", "dim")
        if self.read_only:
            t.append("   READ-ONLY", "bold yellow")
        return t

    def update_status_bar(self, screen: Screen[object]) -> None:
        for bar in screen.query("#status-bar"):
            if isinstance(bar, Static):
                bar.update(self.status_text())

    def report_error(self, exc: BaseException) -> None:
        self.notify(
            one_line(str(exc) or type(exc).__name__), severity="error", markup=False, timeout=8
        )

    def on_report_error(self, message: ReportError) -> None:
        self.report_error(message.error)

    def on_silences_found(self, message: SilencesFound) -> None:
        from ircmd.tui.screens.signals.silences import ask_expire_silences

        ask_expire_silences(self, message)

    def on_notice(self, message: Notice) -> None:
        self.notify(one_line(message.text, 400), severity=message.severity, markup=False)

    def on_key(self, event: events.Key) -> None:
        """Keys typed fast after a key that opens an input were routed to the widget
        focused before it; they bubble up here unhandled. Deliver them to the input that
        has the focus now instead of dropping them.

        The war room no longer needs this: its keys that open the ``:`` line or switch
        panes are priority bindings (``screens/warroom/eager_keys.py``), so the focus moves
        before the next key is routed. Still needed where an ordinary binding opens a modal
        prompt (home ``n``/``D``, the board's reason prompt, tasks): those keys go to the
        old screen while the modal mounts."""
        self._poll_soon()  # someone is here: another console's writes show within 0.25 s
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable and event.character:
            focused.insert_text_at_cursor(event.character)

    async def action_quit(self) -> None:
        """``q``: a screen that may ask first (the war room) decides; others quit now."""
        ask = getattr(self.screen, "quit_app", None)
        if callable(ask):
            ask()
        else:
            self.exit(0)

    def action_help(self) -> None:
        from ircmd.tui.screens.warroom.help import HelpScreen, binding_rows

        if isinstance(self.screen, HelpScreen):
            return
        rows = getattr(self.screen, "help_rows", None)
        self.push_screen(HelpScreen(rows() if callable(rows) else binding_rows(self.screen)))
