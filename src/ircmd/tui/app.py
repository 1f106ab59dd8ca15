"""The Textual application: screens, live updates from the store, errors as one line."""

from __future__ import annotations

import asyncio
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from ircmd.tui.messages import Notice, ReportError, StoreChanged, StoreHealth
from ircmd.tui.process_tuning import ProcessTuning
from ircmd.tui.screens.incidents import IncidentsScreen
from ircmd.tui.textual_private import app_busy, screen_busy

if TYPE_CHECKING:  # imported where used: the first frame is the incidents list
    from ircmd.tui.screens.signals.silences import SilencesFound
    from ircmd.tui.screens.warroom.verbs import VerbFactory

_UNREAD = object()
KEPT_CONFIG = "config.toml"  # ``ircmd demo --keep DIR`` writes it beside the store


class _Hold:
    """One hold of the keys read (see ``IrcmdApp._settle``), for ``screen``."""

    __slots__ = ("screen",)

    def __init__(self, screen: Screen[Any]) -> None:
        self.screen = screen


class StoreTokenChanged(Message):
    """The store's change token moved (another console or a worker wrote)."""


class StoreHealthRead(Message):
    """The poll read a store health other than the last one (see ``IrcmdApp.store_health``)."""

    def __init__(self, ok: bool, line: str) -> None:
        super().__init__()
        self.ok, self.line = ok, line


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
    # at most this long for a screen that never settles; generous: on a loaded machine a
    # key's effects can take over a second to run, and a key released early is misrouted
    HOLD_KEYS_SECONDS = 3.0
    # after the first frame, once the home screen has been idle this long, the war room's
    # modules are imported in a worker: opening the first war room then costs no import
    PREWARM_AFTER_SECONDS = 1.0

    def __init__(self, workspace: Workspace, *, open_incident: str | None = None) -> None:
        super().__init__()
        self._poll_wait = self.POLL_SECONDS
        self._poll_timer: Timer | None = None
        self._held_for: _Hold | None = None  # keys wait while this hold lasts
        self._held_keys: list[events.Key] = []
        self.workspace = workspace
        self.service = workspace.incidents
        self.read_only = workspace.read_only
        self.demo = workspace.demo
        # read once, before the loop runs: a kept demo store has its config beside it
        self._demo_kept = self.demo and (workspace.data_dir / KEPT_CONFIG).is_file()
        self._open_incident = open_incident
        self._token: object = _UNREAD
        self.store_health: tuple[bool, str] = (True, "")
        """The store's own health as the last poll read it (the war room's status bar)."""
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
        self.set_timer(self.PREWARM_AFTER_SECONDS, self._prewarm)

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

    @work(thread=True, exclusive=True, group="prewarm", exit_on_error=False)
    def _prewarm(self) -> None:
        """Import what the first war room needs (~0.1 s of imports, and the workspace's
        extensions: deadline and health providers) while the home screen sits idle, so
        ``enter`` costs the room's own work only (issue 13: open <= 300 ms). Kept out of the
        first frame (issue 10: start <= 0.6 s)."""
        import ircmd.tui.screens.commander.verbs
        import ircmd.tui.screens.evidence.verbs
        import ircmd.tui.screens.warroom.screen  # noqa: F401

        self.workspace.extensions  # noqa: B018 (built on first use: the providers' imports)

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
        from ircmd.store.health import store_health

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
            # The store's own health (in memory, never a query) on every poll, so a status
            # bar says ``down`` within a poll (<= POLL_MAX_SECONDS) of the store noticing,
            # not at the next presence heartbeat, which itself waits out its deadline.
            try:
                ok, line = store_health(self.service.store)
            except Exception as exc:  # a store's health is never worth a crash: say down
                ok, line = False, one_line(str(exc) or type(exc).__name__)
            if ok != self.store_health[0]:
                self.store_health = (ok, line)
                self.post_message(StoreHealthRead(ok, line))
            self.post_message(StoreChecked(changed))

    def on_store_checked(self, message: StoreChecked) -> None:
        """Poll again soon after a change, and ever more slowly (up to
        ``POLL_MAX_SECONDS``) while nothing changes: an idle console costs almost nothing.
        A key pressed here brings the fast rate back (see :meth:`on_event`)."""
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

    def on_store_health_read(self, message: StoreHealthRead) -> None:
        for screen in self.screen_stack:
            screen.post_message(StoreHealth(message.ok, message.line))

    # -- status and errors -------------------------------------------------------------
    def status_text(self) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        if self._demo_kept:
            t.append(" DEMO", "bold magenta")
            t.append(f" kept store {one_line(str(self.workspace.data_dir))}", "magenta")
        elif self.demo:
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

    # -- keys ------------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """Every key read from the terminal passes here first (before any routing)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._poll_soon()  # someone is here: another console's writes show within 0.25 s
            if self._held_for is not None:
                self._held_keys.append(event)  # a screen is opening: it gets this key
                return
            typing = self._typing(event)
            if not typing and screen_busy(self.screen):
                # what was typed before is not applied yet (``ctrl+s`` right after the last
                # characters of a field): this key waits for it
                self._held_keys.append(event)
                self._settle()
                return
            await super().on_event(event)
            if not typing:
                self._settle()
            return
        await super().on_event(event)

    def _typing(self, event: events.Key) -> bool:
        """A printable key into the focused text field: it changes nothing but the text."""
        focused = self.focused
        # TextArea by name: importing it costs the first frame; only the review form and the
        # update draft use one
        text_field = isinstance(focused, Input) or any(
            cls.__name__ == "TextArea" for cls in type(focused).__mro__
        )
        return text_field and event.is_printable

    def _settle(self) -> None:
        """Hold the keys read after one that may move the focus (a binding, ``enter``,
        ``esc``, ``tab``) until its effects have run and the screen has refreshed.

        Textual routes a key to the widget focused when the app reads it, and a binding's
        effects (a focus move, a message such as ``Input.Submitted``) run after later keys
        of a fast burst may already have been routed to the old focus. Printable keys typed
        into a field are not held, so typing stays as fast as the terminal sends it."""
        if self._held_for is None:
            self._hold(self.screen)

    def _hold(self, screen: Screen[Any]) -> None:
        """Start a hold: released once ``screen`` has refreshed and nothing on it has
        messages left, or after ``HOLD_KEYS_SECONDS`` whatever it is doing. Each hold is its
        own object, so the timer of an earlier hold on the same screen cannot end this one."""
        hold = _Hold(screen)
        self._held_for = hold
        screen.call_after_refresh(self._release_soon, hold)
        self.set_timer(self.HOLD_KEYS_SECONDS, partial(self._release_soon, hold, True))

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """Push a screen and hold the keys read until it has mounted and focused.

        Textual routes a key to the widget focused when the app reads it. A key typed
        right after the one that opened a prompt (``n`` then a title) is read before the
        prompt has mounted and focused its input, so it would go to the screen beneath or
        to the prompt's bare screen and be lost. Those keys wait here and are routed, in
        order, once the new screen has refreshed (its input has the focus by then). The
        key that opens the screen must run when it is read (a priority binding, see
        ``screens/warroom/eager_keys.py``), so no later key was routed before it ran."""
        result = super().push_screen(*args, **kwargs)
        if self._held_for is None:
            self._hold(self.screen)
        return result

    def _release_soon(self, hold: _Hold, force: bool = False) -> None:
        if self._held_for is not hold:
            return
        if not force and app_busy(self):
            # the key's effects are still running (an Input handling enter, the message it
            # posted, the handler that moves the focus): look again shortly
            self.set_timer(0.005, partial(self._release_soon, hold))
            return
        # ``call_later``, not ``call_next``: a focus move is itself a callback queued on the
        # app (``Widget.focus``); released before it runs, the next key goes to the widget
        # that had the focus (a ``n`` typed into the hidden filter line, its note lost)
        self.call_later(self._release_keys, hold, force)

    async def _release_keys(self, hold: _Hold, force: bool = False) -> None:
        """Route the held keys in order, each key that may move the focus followed by a new
        hold; ``force`` (the hold timed out): the first key goes without waiting on a
        screen that stays busy."""
        if self._held_for is not hold:
            return
        keys, self._held_keys, self._held_for = self._held_keys, [], None
        for index, key in enumerate(keys):
            if self._held_for is not None:  # a held key opened another screen: it gets the rest
                self._held_keys[:0] = keys[index:]
                return
            typing = self._typing(key)
            if not typing and not (force and index == 0) and app_busy(self):
                self._settle()
                self._held_keys[:0] = keys[index:]
                return
            await super().on_event(key)
            if not typing and self._held_for is None:
                # this key's effects run before the rest are routed -- the last one's too:
                # keys read while this loop ran (the text after a ``tab``) would otherwise
                # be routed before its focus move, into the field it leaves
                self._settle()
                self._held_keys[:0] = keys[index + 1 :]
                return

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
