"""The war room: one incident, four panes, a header, a status bar and a ``:`` command line.

Keys: ``1``–``4`` focus a pane, ``tab``/``shift+tab`` cycle, ``z`` maximises/restores,
``:`` command line, ``/`` filters the focused pane, ``?`` keys, ``ctrl+p`` palette,
``esc`` backs out (command line → maximised pane → filter → incidents list).
Panes plug in through the duck-typed interface in ``ircmd.tui.screens.warroom.panes.base``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Label, Static

from ircmd.domain.incidents.commandline import CommandError, Verb, VerbRegistry
from ircmd.domain.incidents.incident import (
    ALLOWED_TRANSITIONS,
    DomainError,
    Incident,
    Status,
    normalise_incident_id,
)
from ircmd.domain.text import one_line
from ircmd.service import Workspace, hooks
from ircmd.service.hooks import Deadline
from ircmd.service.incidents.presence import Presence
from ircmd.service.incidents.retry import TypedLine
from ircmd.service.incidents.severity import SeverityService
from ircmd.store.base import StoreError
from ircmd.tui.messages import FirstData, ReportError, StoreChanged, StoreHealth
from ircmd.tui.screens.dialogs.confirm import ConfirmScreen
from ircmd.tui.screens.signals.silences import offer_expire_silences
from ircmd.tui.screens.warroom.eager_keys import eager, yields_to_focus
from ircmd.tui.screens.warroom.help import HelpScreen, binding_rows, place_of
from ircmd.tui.screens.warroom.layout import MODE_CLASSES, Mode, layout_mode, shown_panes, tab_strip
from ircmd.tui.screens.warroom.money import MoneyAtRiskMixin
from ircmd.tui.screens.warroom.palette import WarRoomCommands
from ircmd.tui.screens.warroom.panes.containment import ContainmentPane
from ircmd.tui.screens.warroom.panes.severity import SeverityPane
from ircmd.tui.screens.warroom.panes.timeline import TimelinePane
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.screens.warroom.verbs import VerbFactory, core_verbs
from ircmd.tui.screens.write_outcome import check_saved, failed_text, outcome_unknown
from ircmd.tui.textual_private import FrameHoldScreen
from ircmd.tui.widgets.command_line import CommandLine
from ircmd.tui.widgets.footer import FitFooter
from ircmd.tui.widgets.refusals import Refusals, with_refusals
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.warroom_bars import header_text, last_update, status_text

PANES: list[tuple[str, type[Widget]]] = [
    ("timeline", TimelinePane),
    ("traces", TracePane),
    ("containment", ContainmentPane),
    ("severity", SeverityPane),
]
# The grid's reading order (see ircmd.tui.screens.warroom.layout): the wide right column
# holds traces over containment; the pane numbers stay those of PANES.
GRID_ORDER = ("timeline", "traces", "severity", "containment")

# Key actions that change the incident: hidden (footer, help, palette) in a read-only seat.
_WRITE_PREFILLS = ("note", "decide", "comms", "status", "classify", "role", "tag", "severity")
_WRITE_KEY_IDS = tuple(
    f"warroom.{name}"
    for name in ("note", "decision", "status", "severity", "classify", "role", "tag", "comms")
)


class RoomSaid(Message, bubble=False):
    """A worker's line for the feedback row."""

    def __init__(self, text: str, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error


class RoomLoaded(Message, bubble=False):
    """The incident, its next deadline (and any provider's problems), all incident ids."""

    def __init__(
        self,
        inc: Incident,
        deadline: Deadline | None,
        problems: list[str],
        ids: list[str],
        update: Deadline | None = None,
        lead_since: datetime | None = None,
        last_update: tuple[str, datetime] | None = None,
        holder: tuple[str, str, datetime] | None = None,
    ) -> None:
        super().__init__()
        self.holder = holder  # who holds it when not the lead: (name, role, since)
        self.lead_since = lead_since  # when the incident lead took it (handoff), if known
        self.last_update = last_update  # the last update sent: (audience, when)
        self.inc = inc
        self.deadline = deadline
        self.problems = problems
        self.ids = ids
        self.update = update  # the nearest stakeholder update due (commander), if any


class RoomStatus(Message, bubble=False):
    """Housekeeping's reading: other consoles, whether the store answered, backend health."""

    def __init__(self, others: int, store_ok: bool, health: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.others = others
        self.store_ok = store_ok
        self.health = health


class WriteDone(Message, bubble=False):
    """A ``run_write`` succeeded: say ``done``, reload, then run ``after`` (on the loop)."""

    def __init__(self, done: str, after: Callable[[], None] | None) -> None:
        super().__init__()
        self.done = done
        self.after = after


class ResolveChecked(Message, bubble=False):
    """The controls still active before resolving, and whether to ask first."""

    def __init__(self, active: list[str], reason: str, ask: bool) -> None:
        super().__init__()
        self.active = active
        self.reason = reason
        self.ask = ask


class WarRoomScreen(MoneyAtRiskMixin, Refusals, FrameHoldScreen):
    BINDINGS = with_refusals(
        eager(
            [
                Binding("1", "focus_pane(1)", "Timeline", show=False, id="warroom.pane1"),
                Binding("2", "focus_pane(2)", "Traces", show=False, id="warroom.pane2"),
                Binding("3", "focus_pane(3)", "Containment", show=False, id="warroom.pane3"),
                Binding("4", "focus_pane(4)", "Severity", show=False, id="warroom.pane4"),
                Binding("tab", "cycle_pane(1)", "Next pane", show=False, id="warroom.next"),
                Binding("shift+tab", "cycle_pane(-1)", "Prev pane", show=False, id="warroom.prev"),
                Binding("colon", "command_line", "Cmd", id="warroom.command"),
                Binding("slash", "filter", "Filter", id="warroom.filter"),
                Binding("z", "toggle_maximize", "Max", id="warroom.maximize"),
                Binding("n", "prefill('note')", "Note", id="warroom.note"),
                Binding("d", "prefill('decide')", "Decide", id="warroom.decision"),
                Binding("s", "prefill('status')", "Status", id="warroom.status"),
                Binding("v", "prefill('severity')", "Severity", show=False, id="warroom.severity"),
                Binding("c", "prefill('classify')", "Classify", show=False, id="warroom.classify"),
                Binding("r", "prefill('role')", "Role", show=False, id="warroom.role"),
                Binding("t", "prefill('tag')", "Tag", show=False, id="warroom.tag"),
                Binding("m", "prefill('comms')", "Comms", show=False, id="warroom.comms"),
                Binding("u", "prefill('update')", "Update", show=False, id="warroom.update"),
                Binding("a", "open_tasks", "Tasks", show=False, id="warroom.tasks"),
                Binding("escape", "back", "Back", show=False, id="warroom.back"),
                Binding("minus", "leave", "Leave", id="warroom.leave"),
            ]
        ),
        _WRITE_KEY_IDS,
    )
    COMMANDS = {WarRoomCommands}
    ALLOW_IN_MAXIMIZED_VIEW = "#warroom-header, #cmd-feedback, #cmdline-row, #status-bar, Footer"
    ESCAPE_TO_MINIMIZE = False
    HEADER_SECONDS = 1.0
    HOUSEKEEPING_SECONDS = 5.0
    # the first frame is painted once each of these shows its data (or after OPEN_BUDGET)
    FIRST_DATA = frozenset({"header", "money", "timeline", "traces", "containment", "severity"})

    def __init__(
        self, workspace: Workspace, incident_id: str, extra_verbs: Iterable[VerbFactory] = ()
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.extra_verbs = tuple(extra_verbs)
        self.incident_id = normalise_incident_id(incident_id)
        self.severity_service = SeverityService(workspace.incidents)
        self.incident: Incident | None = None
        self.registry = VerbRegistry()
        self.presence = Presence(workspace.store, workspace.actor, clock=workspace.incidents.clock)
        self._deadline: Deadline | None = None
        self._update: Deadline | None = None
        self._lead_since: datetime | None = None
        self._holder: tuple[str, str, datetime] | None = None
        self._last_update: tuple[str, datetime] | None = None
        self._update_said: tuple[str, datetime] | None = None
        self._others = 0
        self._health: list[tuple[str, str, str]] = []
        self._store_ok = True  # the last presence heartbeat was written
        self._store_reachable = True  # the store's own health (the app's poll reads it)
        self._last_pane: Widget | None = None
        self._filter_before = ""
        self._known_ids: list[str] = []
        self._mode: Mode = "four"
        self._side = "traces"
        self._header_shown: object = None
        self._status_shown: object = None
        self._awaiting = set(self.FIRST_DATA)

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="warroom-header")
        yield Static(id="pane-tabs")
        built: dict[str, Widget] = {}
        for n, (name, cls) in enumerate(PANES, start=1):
            factory: Any = cls
            pane: Widget = factory(self.workspace, self.incident_id, id=f"pane-{name}")
            title = getattr(pane, "PANE_TITLE", name)
            pane.border_title = f"{n} {title}"
            pane.add_class("pane")
            built[name] = pane
        with Grid(id="panes"):
            for name in GRID_ORDER:
                yield built[name]
        yield Static(id="cmd-feedback")
        with Horizontal(id="cmdline-row"):
            yield Label(":", id="cmdline-prompt")
            yield CommandLine(id="cmdline")
        yield Static(id="status-bar")
        yield FitFooter()

    @property
    def panes(self) -> list[Widget]:
        return [self.query_one(f"#pane-{name}") for name, _ in PANES]

    @property
    def now(self) -> Callable[[], datetime]:
        return self.workspace.incidents.clock

    def on_mount(self) -> None:
        self._build_registry()
        cmdline = self.query_one(CommandLine)
        # History outlives one war room: shared by every screen of this process.
        cmdline.history = self.workspace.command_history
        cmdline.completer = lambda line: self.registry.complete(
            line, read_only=self.workspace.read_only
        )
        self.query_one("#cmdline-row").display = False
        # the layout of this size before the first layout pass (not after the Resize that
        # follows it: a second pass over every pane's styles)
        self._set_mode(layout_mode(self.app.size.width))
        self._store_reachable = getattr(self.app, "store_health", (True, ""))[0]
        self._refresh_status()
        self.load()
        self.housekeeping()
        self.set_interval(self.HEADER_SECONDS, self._refresh_header)
        self.set_interval(self.HOUSEKEEPING_SECONDS, self.housekeeping)
        # Focus now, not after the first refresh: a key typed while the war room opens
        # (``n``, ``2``, ``:``) must not have its focus taken back by a late pane 1.
        self.action_focus_pane(1)

    def on_resize(self, event: events.Resize) -> None:
        if layout_mode(event.size.width) != self._mode:
            self._set_mode(layout_mode(event.size.width))
            self._apply_layout()
        self._refresh_header()  # the header fits its line 1 to the width (title first)
        self._refresh_status()  # so does the status bar (healthy backends counted when narrow)

    def _set_mode(self, mode: Mode) -> None:
        self._mode = mode
        grid = self.query_one("#panes")
        for name, cls in MODE_CLASSES.items():
            grid.set_class(name == mode, cls)
        # a narrow footer drops its spacing and the palette hint so no key name is cut
        footer = self.query_one(Footer)
        footer.compact = mode == "one"
        footer.show_command_palette = mode != "one"

    def _apply_layout(self, focused: Widget | None = None) -> None:
        """Show the panes of this size's layout (the focused one among them) and the tabs."""
        names = self.pane_names()
        pane = focused or self.focused_pane or self.panes[0]
        current = str(pane.id or "pane-timeline").removeprefix("pane-")
        if current != names[0]:
            self._side = current
        shown = shown_panes(self._mode, names, current, self._side)
        for widget in self.panes:
            widget.set_class(str(widget.id).removeprefix("pane-") in shown, "-shown")
        tabs = self.query_one("#pane-tabs", Static)
        tabs.display = self._mode != "four"
        titles = [str(getattr(w, "PANE_TITLE", n)) for w, n in zip(self.panes, names, strict=True)]
        tabs.update(tab_strip(names, titles, shown, current), layout=False)  # one line

    def _build_registry(self) -> None:
        verbs: list[Verb] = list(core_verbs(self))
        for pane in self.panes:
            provide = getattr(pane, "verbs", None)
            if callable(provide):
                verbs.extend(provide())
        verbs.extend(factory(self) for factory in self.extra_verbs)
        for verb in verbs:
            try:
                self.registry.register(verb)
            except ValueError as exc:
                self.say(str(exc), error=True)

    # -- data ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="warroom-load", exit_on_error=False)
    def load(self) -> None:
        try:
            inc = self.workspace.incidents.get(self.incident_id)
            deadline, problems = hooks.next_deadline(self.workspace, inc, self.now())
            ids = [i.id for i in self.workspace.incidents.list_incidents()]
            from ircmd.service.comms.hooks import lead_since, nearest_update, other_holder

            update = nearest_update(self.workspace, inc, self.now())
            since = lead_since(self.workspace, inc)
            holds = other_holder(self.workspace, inc)
            last = last_update(self.workspace.incidents.timeline(inc.id))
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(RoomSaid(one_line(exc), error=True))
            return
        self.post_message(RoomLoaded(inc, deadline, problems, ids, update, since, last, holds))

    def on_room_loaded(self, message: RoomLoaded) -> None:
        self._lead_since = message.lead_since
        self._holder = message.holder
        self._last_update = message.last_update
        self._show(message.inc, message.deadline, message.problems, message.ids, message.update)
        self.read_money_at_risk()
        self._first_data("header")

    def on_first_data(self, message: FirstData) -> None:
        message.stop()
        self._first_data(message.name)

    def _first_data(self, name: str) -> None:
        self._awaiting.discard(name)
        if not self._awaiting:
            self.release_when_settled()

    def on_room_said(self, message: RoomSaid) -> None:
        self.say(message.text, error=message.error)

    def _show(
        self,
        inc: Incident,
        deadline: Deadline | None,
        problems: list[str],
        ids: list[str],
        update: Deadline | None = None,
    ) -> None:
        self.incident = inc
        self._deadline = deadline
        self._update = update
        if update is not None and update.due < self.now():
            said = (update.label, update.due)
            if self._update_said != said:  # once per missed update
                self._update_said = said
                self.say(f"{update.label} is overdue", error=True)
        self._known_ids = ids
        self._refresh_header()
        if problems:
            self.say(problems[0], error=True)

    def _refresh_header(self) -> None:
        if self.incident is None:
            return
        dl = (self._deadline.label, self._deadline.due) if self._deadline else None
        up = self._update
        text = header_text(
            self.incident,
            self.now(),
            dl,
            update=(up.label, up.due) if up else None,
            lead_since=self._lead_since,
            holder=self._holder,
            last_update=self._last_update,
            money_at_risk=self.money_at_risk_label,
            width=self.size.width or None,  # title first: since moves below when narrow
        )
        # ticks every second, but the ages it shows mostly move by the minute: an unchanged
        # header is not redrawn (each update is a layout pass; idle CPU, issue 13)
        key = (text.plain, tuple(text.spans))
        if key == self._header_shown:
            return
        self._header_shown = key
        self.query_one("#warroom-header", Static).update(text, layout=False)  # 2 lines

    @work(thread=True, exclusive=True, group="warroom-housekeeping", exit_on_error=False)
    def housekeeping(self) -> None:
        """Heartbeat, other consoles, backends' health: cheap, off the UI thread."""
        try:
            self.presence.beat(self.incident_id, read_only=self.workspace.read_only)
            others = len(self.presence.others())
            store_ok = True
        except StoreError:
            others, store_ok = self._others, False
        except Exception as exc:  # worker: a bug is one line, never a silent stop
            others, store_ok = self._others, False
            self.post_message(ReportError(exc))
        health: list[tuple[str, str, str]] = [
            (h.name, h.state, h.detail) for h in hooks.backend_health(self.workspace)
        ]
        self.post_message(RoomStatus(others, store_ok, health))

    def on_room_status(self, message: RoomStatus) -> None:
        self._set_status(message.others, message.store_ok, message.health)

    def _set_status(self, others: int, store_ok: bool, health: list[tuple[str, str, str]]) -> None:
        self._others, self._store_ok, self._health = others, store_ok, health
        self._refresh_status()

    def _refresh_status(self) -> None:
        text = status_text(
            self._health,
            read_only=self.workspace.read_only,
            others=self._others,
            actor=self.workspace.actor,
            demo=self.workspace.demo,
            store_ok=self._store_ok and self._store_reachable,
            width=self.size.width or None,
        )
        key = (text.plain, tuple(text.spans))
        if key == self._status_shown:  # housekeeping reads it every 5 s; mostly unchanged
            return
        self._status_shown = key
        self.query_one("#status-bar", Static).update(text, layout=False)  # one line

    def on_store_health(self, message: StoreHealth) -> None:
        self._store_reachable = message.ok
        self._refresh_status()

    def on_store_changed(self, _: StoreChanged) -> None:
        self.load()
        for pane in self.panes:
            message = StoreChanged()
            message.stop()  # handled by the pane, never bubbles back here
            pane.post_message(message)

    def on_unmount(self) -> None:
        # The store write runs in a thread worker owned by the app (this screen's own
        # workers are cancelled as it goes). Best effort: a missed leave expires with the
        # heartbeat.
        self.app.run_worker(self._leave, thread=True, group="presence-leave", exit_on_error=False)

    def _leave(self) -> None:
        with contextlib.suppress(Exception):  # best effort, see on_unmount
            self.presence.leave()

    # -- feedback -----------------------------------------------------------------------
    def say(self, text: str, *, error: bool = False) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" ✖ " if error else " ✔ ", "bold red" if error else "bold green")
        line.append_text(safe_text(text, "red" if error else ""))
        bar = self.query_one("#cmd-feedback", Static)
        # a line is not cut (a list of valid names, the path a file was written to, must be
        # read whole): up to 3 lines
        width = max(20, bar.size.width or self.size.width)
        rows = 1
        if line.cell_len > width:
            wrapped = line.copy()
            wrapped.no_wrap = False
            wrapped.overflow = "fold"
            rows = min(3, len(wrapped.wrap(self.app.console, width)))
        bar.styles.height = rows  # a layout pass only when the number of rows changes
        bar.styles.text_wrap = "wrap" if rows > 1 else "nowrap"
        bar.styles.text_overflow = "fold" if rows > 1 else "ellipsis"
        if rows > 1:
            line.no_wrap = False
            line.overflow = "fold"
        bar.update(line, layout=False)

    @work(thread=True, group="warroom-write", exit_on_error=False)
    def run_write(
        self,
        fn: Callable[[], Any],
        done: str,
        after: Callable[[], None] | None = None,
        line: TypedLine | None = None,
    ) -> None:
        try:
            fn()
        except Exception as exc:  # worker: any failure is one line; the typed line is kept
            # The line the user typed is in the command history: say how to get it back.
            self.post_message(RoomSaid(failed_text(exc), error=True))
            if not outcome_unknown(exc, line):
                return
            assert line is not None
            # the connection broke while committing: look the line up by its client id
            checked = check_saved(self.workspace.incidents, line, self.incident_id, done)
            if not checked.saved:
                self.post_message(RoomSaid(checked.text, error=True))
                return
            done = checked.text
        self.post_message(WriteDone(done, after))

    def on_write_done(self, message: WriteDone) -> None:
        self.say(message.done)
        self.load()
        if message.after is not None:
            message.after()

    # -- panes and focus ----------------------------------------------------------------
    def pane_of(self, widget: Widget | None) -> Widget | None:
        panes = self.panes
        node: Any = widget
        while node is not None:
            if node in panes:
                return node  # type: ignore[no-any-return]
            node = node.parent
        return None

    @property
    def focused_pane(self) -> Widget | None:
        return self.pane_of(self.focused) or self._last_pane

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        pane = self.pane_of(event.widget)
        if pane is not None:
            if pane is not self._last_pane:
                self._apply_layout(pane)
            self._last_pane = pane

    def action_cycle_pane(self, delta: int) -> None:
        """Next/previous pane (a pane with several widgets inside is one stop)."""
        panes = self.panes
        current = self.focused_pane
        index = panes.index(current) if current in panes else -1
        self.action_focus_pane((index + delta) % len(panes) + 1)

    def action_focus_pane(self, number: int) -> None:
        panes = self.panes
        if not 1 <= number <= len(panes):
            return
        pane = panes[number - 1]
        if self.maximized is not None and self.maximized is not pane:
            self.maximized = pane
        self._apply_layout(pane)  # shown before it takes the focus (a hidden pane cannot)
        focus = getattr(pane, "focus_pane", None)
        if callable(focus):
            focus()
        else:
            for widget in pane.query("*"):
                if widget.focusable:
                    self.set_focus(widget)  # now: the next key typed must land here
                    break
        self._last_pane = pane

    def pane_names(self) -> list[str]:
        return [name for name, _ in PANES]

    def focus_by_name(self, name: str) -> str:
        key = name.strip().lower()
        names = self.pane_names()
        if key.isdigit() and 1 <= int(key) <= len(names):
            number = int(key)
        else:
            matches = [i for i, n in enumerate(names, start=1) if n.startswith(key)]
            if len(matches) != 1:
                raise DomainError(f"no pane {name!r}; panes: 1-{len(names)} or {', '.join(names)}")
            number = matches[0]
        self.action_focus_pane(number)
        return f"{names[number - 1]} pane"

    def action_toggle_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        pane = self.focused_pane
        if pane is not None:
            self.maximized = pane

    # -- command line and filter --------------------------------------------------------
    def _open_line(self, mode: str, value: str = "") -> None:
        self.query_one("#cmdline-row").display = True
        self.query_one("#cmdline-prompt", Label).update(":" if mode == "command" else "/")
        self.query_one(CommandLine).open(mode, value)  # type: ignore[arg-type]

    def _close_line(self) -> None:
        pane = self._last_pane
        if pane is not None:
            self.action_focus_pane(self.panes.index(pane) + 1)
        self.query_one("#cmdline-row").display = False

    def action_command_line(self) -> None:
        self._open_line("command")

    def action_prefill(self, verb: str) -> None:
        self._open_line("command", f"{verb} ")

    def action_open_tasks(self) -> None:
        """The incident's tasks (``:tasks``): add, assign, tick."""
        self.execute("tasks")

    def action_filter(self) -> None:
        pane = self.focused_pane
        self._filter_before = getattr(pane, "filter_text", "") if pane else ""
        self._open_line("filter", self._filter_before)

    def on_command_line_run(self, event: CommandLine.Run) -> None:
        if event.mode == "filter":
            self._close_line()
            return
        if self.execute(event.line):
            self._close_line()

    def on_command_line_closed(self, event: CommandLine.Closed) -> None:
        if event.mode == "filter":
            self.filter_focused(self._filter_before, quiet=True)
        self._close_line()

    def on_command_line_filter_changed(self, event: CommandLine.FilterChanged) -> None:
        self.filter_focused(event.text, quiet=True)

    def on_command_line_candidates(self, event: CommandLine.Candidates) -> None:
        if len(event.candidates) > 1:
            words = [c.split()[-1] for c in event.candidates if c.split()]
            self.say("  ".join(words[:20]))
        elif not event.candidates:
            self.say("no completion", error=True)

    def execute(self, line: str) -> bool:
        """Parse and run one command line; a wrong line is one line of feedback."""
        try:
            command = self.registry.parse(line, read_only=self.workspace.read_only)
        except DomainError as exc:
            self.say(str(exc), error=True)
            return False
        handler = command.verb.handler
        try:
            if handler is None:
                raise DomainError(f"{command.verb.name} has nothing to run")
            result = handler(command)
        except DomainError as exc:
            self.say(str(CommandError(str(exc), command.verb.usage)), error=True)
            return False
        except Exception as exc:  # a verb is extension code: one line, never a crash
            self.say(f"{command.verb.name}: {one_line(exc)}", error=True)
            return False
        if isinstance(result, str) and result:
            self.say(result)
        return True

    def filter_focused(self, text: str, quiet: bool = False) -> str:
        pane = self.focused_pane
        apply = getattr(pane, "apply_filter", None)
        if pane is None or not callable(apply):
            raise DomainError("this pane has no filter")
        try:
            apply(text)
        except DomainError as exc:
            if not quiet:
                raise
            # no stale half filter ("kind:no" on the way to "kind:nonsense"): the pane shows
            # the filter it had before the line opened until the line is valid again
            with contextlib.suppress(DomainError):
                apply(self._filter_before)
            self.say(str(exc), error=True)
            return ""
        message = f"filter: {text.strip()}" if text.strip() else "filter cleared"
        if quiet:
            self.say(message)
        return message

    # -- navigation ---------------------------------------------------------------------
    def action_back(self) -> None:
        """One step back: maximised pane → filter → nothing (never leaves the war room)."""
        if self.maximized is not None:
            self.minimize()
            return
        active_filter: str = getattr(self.focused_pane, "filter_text", "")
        if active_filter:
            self.filter_focused("", quiet=True)
            return
        self.say("nothing to close here: - leaves the war room, q quits")

    def leave_question(self) -> str:
        """Why leaving this war room (or quitting) should ask first; "" when it need not."""
        pending = sum(
            1
            for w in self.app.workers
            if w.node is self and w.group == "warroom-write" and w.is_running
        )
        if pending:
            return f"{pending} write{'s are' if pending != 1 else ' is'} still being saved."
        if not self.workspace.read_only:
            return f"You can act on {self.incident_id} from this seat."
        return ""

    def action_leave(self, ask: bool = True) -> None:
        """``-``: back to the previous view, asking first when this seat can act."""
        question = self.leave_question() if ask else ""
        if not question:
            self.action_home()
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.action_home()

        self.app.push_screen(
            ConfirmScreen(f"Leave the war room of {self.incident_id}?", question), done
        )

    def quit_app(self, ask: bool = True) -> None:
        """``q`` / ``:q``: quit, asking first like leaving does; ``:q!`` never asks."""
        question = self.leave_question() if ask else ""
        if not question:
            self.app.exit(0)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.app.exit(0)

        self.app.push_screen(ConfirmScreen("Quit ircmd?", question), done)

    def action_home(self) -> None:
        switch_home = getattr(self.app, "switch_home", None)
        if len(self.app.screen_stack) > 2 or not callable(switch_home):
            self.app.pop_screen()
        else:
            switch_home()

    def tell(self, text: str) -> None:
        self.say(text, error=True)

    def open_other(self, incident_id: str) -> None:
        target = normalise_incident_id(incident_id)
        if self._known_ids and target not in self._known_ids:
            raise DomainError(f"no incident {target}")
        self.app.pop_screen()
        self.app.open_incident(target)  # type: ignore[attr-defined]

    def incident_ids(self) -> list[str]:
        return list(self._known_ids)

    def allowed_statuses(self) -> list[str]:
        """``:status`` completion: only the moves the incident's lifecycle allows now."""
        if self.incident is None:
            return [s.value for s in Status]
        return [s.value for s in ALLOWED_TRANSITIONS[self.incident.status]]

    def incident_tags(self) -> Iterable[str]:
        return self.incident.tags if self.incident else ()

    def verb_names(self) -> list[str]:
        return [v.name for v in self.registry.verbs(read_only=self.workspace.read_only)]

    # -- status with the containment check ----------------------------------------------
    def change_status(self, target: Status, reason: str, force: bool) -> None:
        if target != Status.RESOLVED:
            svc = self.workspace.incidents
            line = svc.pending.line("status", self.incident_id, target.value, reason)
            self.run_write(
                lambda: svc.set_status(self.incident_id, target, reason, line=line),
                f"status {target.value}",
                line=line,
            )
            return
        self._resolve(reason, force)

    @work(thread=True, group="warroom-write", exit_on_error=False)
    def _resolve(self, reason: str, force: bool) -> None:
        active = hooks.active_controls(self.workspace, self.incident_id)
        self.post_message(ResolveChecked(active, reason, ask=bool(active) and not force))

    def on_resolve_checked(self, message: ResolveChecked) -> None:
        if message.ask:
            self._confirm_resolve(message.active, message.reason)
        else:
            self._write_resolved(message.active, message.reason)

    def _confirm_resolve(self, active: list[str], reason: str) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                self._write_resolved(active, reason)
            else:
                self.say("not resolved: containment controls still active", error=True)

        count = len(active)
        title = (
            f"{count} containment control{'s are' if count != 1 else ' is'} still active "
            "or unconfirmed. Resolve anyway?"
        )
        self.app.push_screen(ConfirmScreen(title, "\n".join(f"• {a}" for a in active)), done)

    def _write_resolved(self, active: list[str], reason: str) -> None:
        if active:
            note = "resolved with active controls: " + "; ".join(active)
            reason = f"{reason} ({note})" if reason else note
        svc = self.workspace.incidents
        line = svc.pending.line("status", self.incident_id, Status.RESOLVED.value, reason)
        self.run_write(
            lambda: svc.set_status(self.incident_id, Status.RESOLVED, reason, line=line),
            "status resolved",
            after=lambda: offer_expire_silences(self.app, self.incident_id),
            line=line,
        )

    # -- help and palette ---------------------------------------------------------------
    def help_rows(self) -> list[tuple[str, str, str]]:
        """Every key of the focus chain, then every ``:`` command, for ``?``."""
        rows = binding_rows(self)
        for usage, summary in self.registry.help_rows(read_only=self.workspace.read_only):
            rows.append(("commands (: then the command)", f":{usage}", summary))
        return rows

    def show_help(self, verb: str = "") -> None:
        if verb:
            found = self.registry.get(verb)
            if found is None:
                raise DomainError(f"no command {verb!r}; :help lists them")
            self.say(f":{found.usage} — {found.summary}")
            return
        self.app.push_screen(HelpScreen(self.help_rows()))

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) for every command and pane action, for ``ctrl+p``."""
        items: list[tuple[str, str, Callable[[], object]]] = []
        for verb in self.registry.verbs(read_only=self.workspace.read_only):
            if verb.params or any(o.required for o in verb.options):
                items.append(
                    (f":{verb.usage}", verb.summary, partial(self.action_prefill, verb.name))
                )
            else:
                items.append((f":{verb.name}", verb.summary, partial(self.execute, verb.name)))
        for n, (name, _) in enumerate(PANES, start=1):
            items.append(
                (f"Focus pane {n}: {name}", f"key {n}", partial(self.action_focus_pane, n))
            )
        items.append(("Filter the focused pane", "key /", self.action_filter))
        items.append(("Maximise / restore the focused pane", "key z", self.action_toggle_maximize))
        # every key of the focus chain by its description ("pin" finds "Pin evidence")
        titles = {title for title, _, _ in items}
        for _key, active in self.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.description in titles:
                continue
            titles.add(binding.description)
            label = self.app.get_key_display(binding)
            where = place_of(active.node)
            items.append(
                (
                    binding.description,
                    f"key {label}" + (f" in the {where} pane" if where != "global" else ""),
                    partial(self.app.run_action, binding.action, active.node),
                )
            )
        return items

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if yields_to_focus(self, action, parameters):
            return False  # the focused pane's own key (or its input) gets it
        if action == "refused":
            return True
        if self.workspace.read_only and action == "prefill":
            return not (parameters and parameters[0] in _WRITE_PREFILLS)
        return True


IncidentScreen = WarRoomScreen
"""The foundation's name for this screen (kept for callers and tests)."""
