"""Home: open incidents first, then recent ones, with the signals list under them.

Incidents: ``n`` declares, ``enter`` opens, ``i`` reads one in full, ``/`` filters, ``o``
toggles open-only, ``s`` cycles the sort (severity / age / status). Signals (polled by a
worker at the sources' intervals; a dead or slow source is shown as such and never blocks a
key): ``enter`` reads one in full, ``D`` declares an incident prefilled from the selected
signal, ``A`` attaches it to an open incident, ``S`` acknowledges it (an Alertmanager
silence under an incident).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from ircmd.domain.incidents.incident import Incident, Severity
from ircmd.domain.incidents.listing import (
    SortMode,
    filter_incidents,
    severity_counts,
)
from ircmd.domain.incidents.listing import order_incidents as _order
from ircmd.domain.signals.signals import Signal, SignalState, format_duration, guess_declaration
from ircmd.domain.text import one_line
from ircmd.service.incidents.service import IncidentService
from ircmd.service.signals.service import (
    DEFAULT_SILENCE,
    SignalBoard,
    SignalService,
    signal_service,
)
from ircmd.tui.messages import Notice, ReportError, StoreChanged
from ircmd.tui.screens.dialogs.detail import DetailScreen
from ircmd.tui.screens.dialogs.pick import PickPrompt
from ircmd.tui.screens.dialogs.prompt import DeclarePrompt
from ircmd.tui.screens.warroom.eager_keys import yields_to_focus
from ircmd.tui.screens.write_outcome import check_saved, failed_text, outcome_unknown
from ircmd.tui.widgets.details import incident_detail, signal_detail
from ircmd.tui.widgets.footer import FitFooter
from ircmd.tui.widgets.incidents.incident_table import IncidentTable
from ircmd.tui.widgets.refusals import Refusals, with_refusals
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.signals.signal_list import (
    SignalList,
    SignalRow,
    SourceStatus,
    detail_text,
    status_text,
)
from ircmd.tui.widgets.styles import SEVERITY_STYLE

SIGNAL_ACTIONS = ("declare_signal", "attach_signal", "ack_signal")
WRITE_ACTIONS = ("declare", *SIGNAL_ACTIONS)


def order_incidents(incidents: list[Incident]) -> list[Incident]:
    """Open first (most severe, newest first), then closed (most recent first)."""
    return _order(incidents, SortMode.SEVERITY)


class IncidentsRead(Message, bubble=False):
    """The incidents as a worker listed them."""

    def __init__(self, incidents: list[Incident]) -> None:
        super().__init__()
        self.incidents = incidents


class MetricsRead(Message, bubble=False):
    """The response-metrics summary line, computed after the list (it reads every timeline)."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class Declared(Message, bubble=False):
    """A worker declared an incident: open its war room."""

    def __init__(self, incident_id: str) -> None:
        super().__init__()
        self.incident_id = incident_id


class SignalsPolled(Message, bubble=False):
    """A poll finished: the board (None when the poll itself failed) and why."""

    def __init__(self, board: SignalBoard | None, error: str) -> None:
        super().__init__()
        self.board = board
        self.error = error


class BoardRead(Message, bubble=False):
    """The signal board after a write (seen marks), read by a worker."""

    def __init__(self, board: SignalBoard) -> None:
        super().__init__()
        self.board = board


class SignalsChanged(Message, bubble=False):
    """A worker changed the sources (a silence): poll again now."""


class IncidentsScreen(Refusals, Screen[None]):
    BINDINGS = with_refusals(
        [
            Binding("n", "declare", "Declare", id="incidents.declare", priority=True),
            Binding("slash", "filter", "Filter", id="incidents.filter"),
            Binding("o", "toggle_open", "Open only", id="incidents.open_only"),
            Binding("s", "cycle_sort", "Sort", id="incidents.sort"),
            Binding(
                "D", "declare_signal", "Declare from signal", id="signals.declare", priority=True
            ),
            Binding("A", "attach_signal", "Attach signal", id="signals.attach", priority=True),
            Binding("S", "ack_signal", "Silence (ack)", id="signals.ack", priority=True),
            Binding("r", "refresh", "Refresh", show=False, id="incidents.refresh"),
            Binding(
                "escape", "clear_filter", "Clear filter", show=False, id="incidents.clear_filter"
            ),
        ],
        ("incidents.declare", "signals.declare", "signals.attach", "signals.ack"),
    )
    AUTO_FOCUS = "#incident-table"
    TICK_SECONDS = 1.0

    def __init__(self, service: IncidentService, signals: SignalService | None = None) -> None:
        super().__init__()
        self.service = service
        self.signals = signals
        self.sort_mode = SortMode.SEVERITY
        self.open_only = False
        self.filter_text = ""
        self._incidents: list[Incident] = []
        self._board: SignalBoard | None = None
        self._polling = False
        self._poll_error = ""
        # Under the war room this screen is not drawn: store changes and signal boards are
        # only remembered, and shown when it is back (idle CPU, issue 13).
        self._stale_incidents = False
        self._stale_signals = False
        self._has_selection: bool | None = None
        self._health_shown: object = None
        self._detail_shown: object = None

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="app-header")
        yield Static(id="incident-counts")
        metrics = Static(id="incident-metrics")
        metrics.display = False  # shown once the summary is computed (and non-empty)
        yield metrics
        yield Input(placeholder="filter incidents (esc clears)", id="incident-filter")
        with Vertical(id="home-body"):
            yield IncidentTable(id="incident-table")
            with Vertical(id="signals-pane"):
                yield Static(id="signals-health")
                yield SignalList(id="signal-list")
                yield Static(id="signal-detail")
        yield Static(id="status-bar")
        yield FitFooter(first=self._footer_first)

    def _footer_first(self) -> tuple[str, ...]:
        """In the signals list a narrow footer keeps D, A and S before the incidents' keys."""
        focused = self.focused
        return SIGNAL_ACTIONS if focused is not None and focused.id == "signal-list" else ()

    def on_mount(self) -> None:
        self.query_one("#app-header", Static).update(
            Text.assemble(("ircmd", "bold"), "  incidents", style="")
        )
        self.query_one("#incident-table").border_title = "incidents"
        self.query_one("#signals-pane").border_title = "signals"
        self.app.update_status_bar(self)  # type: ignore[attr-defined]
        if self.signals is None:
            workspace = getattr(self.app, "workspace", None)
            if workspace is not None:
                self.signals = signal_service(workspace)
        self.load()
        self._render_signals()
        if self.signals is not None and self.signals.sources:
            self._start_poll(force=True)
            self.set_interval(self.TICK_SECONDS, self._tick_signals)

    def now(self) -> datetime:
        return self.service.clock()

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.app, "read_only", False))

    # -- incidents --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="incidents-load", exit_on_error=False)
    def load(self) -> None:
        incidents = self.service.list_incidents()
        self.post_message(IncidentsRead(incidents))
        from ircmd.service.comms.metrics import response_metrics, summary_line

        try:
            line = summary_line(response_metrics(self.service, self.now()))
        except Exception as exc:  # metrics are a summary: a failure is one line, not a crash
            line = f"metrics unavailable: {one_line(exc, 80)}"
        self.post_message(MetricsRead(line))

    def on_incidents_read(self, message: IncidentsRead) -> None:
        self._show(message.incidents)

    def on_metrics_read(self, message: MetricsRead) -> None:
        metrics = self.query_one("#incident-metrics", Static)
        metrics.update(Text(f" {message.line}", style="dim", no_wrap=True, overflow="ellipsis"))
        metrics.display = bool(message.line)

    def _show(self, incidents: list[Incident]) -> None:
        self._incidents = incidents
        self._render_incidents()

    def _render_incidents(self) -> None:
        incidents = self._incidents
        shown = filter_incidents(
            _order(incidents, self.sort_mode), self.filter_text, self.open_only
        )
        table = self.query_one(IncidentTable)
        table.show_incidents(shown, self.now())
        open_count = sum(1 for i in incidents if i.is_open)
        counts = severity_counts(incidents)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {open_count} open", "bold")
        line.append(f" · {len(incidents) - open_count} closed   ", "dim")
        for sev in reversed(list(Severity)):
            line.append(f" {sev.value} {counts[sev]} ", SEVERITY_STYLE[sev.value])
        line.append(f"   sort: {table.sort_label() or self.sort_mode.value}", "dim")
        if self.open_only:
            line.append(" · open only", "bold cyan")
        if self.filter_text:
            line.append(" · filter ", "dim")
            line.append_text(safe_text(self.filter_text, "bold cyan", limit=40))
            line.append(f" ({len(shown)} shown)", "dim")
        if not incidents:
            line.append("   no incidents yet: press n to declare one", "italic")
        self.query_one("#incident-counts", Static).update(line)

    def on_store_changed(self, _: StoreChanged) -> None:
        if not self.drawn:
            self._stale_incidents = True
            return
        self.load()
        self._reload_board()

    @property
    def drawn(self) -> bool:
        """Whether this screen is drawn: on top, or under modal prompts only (Textual's
        ``is_current`` also counts it under the war room, which hides it whole)."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return all(screen.is_modal for screen in stack[stack.index(self) + 1 :])

    def on_screen_resume(self) -> None:
        if self._stale_incidents:
            self._stale_incidents = False
            self.load()
            self._reload_board()
        if self._stale_signals:
            self._render_signals()

    def on_incident_table_opened(self, event: IncidentTable.Opened) -> None:
        self.app.open_incident(event.incident_id)  # type: ignore[attr-defined]

    def on_incident_table_inspected(self, event: IncidentTable.Inspected) -> None:
        inc = event.incident
        self.app.push_screen(DetailScreen(f"{inc.id} details", incident_detail(inc, self.now())))

    def on_signal_list_opened(self, event: SignalList.Opened) -> None:
        row = event.row
        body = signal_detail(row.signal, row.incidents, row.mark.value, self.now())
        self.app.push_screen(DetailScreen(f"alert {row.signal.name}", body))

    def action_refresh(self) -> None:
        self.load()
        self._start_poll(force=True)

    def on_incident_table_sorted(self, _: IncidentTable.Sorted) -> None:
        self._render_incidents()

    def action_cycle_sort(self) -> None:
        self.query_one(IncidentTable).clear_sort()
        self.sort_mode = self.sort_mode.next()
        self._render_incidents()

    def action_toggle_open(self) -> None:
        self.open_only = not self.open_only
        self._render_incidents()

    def action_filter(self) -> None:
        box = self.query_one("#incident-filter", Input)
        box.add_class("visible")
        self.set_focus(box)  # now: keys typed right after / go into the box

    def action_clear_filter(self) -> None:
        box = self.query_one("#incident-filter", Input)
        if not self.filter_text and not box.has_class("visible"):
            return
        box.value = ""
        self.filter_text = ""
        box.remove_class("visible")
        self.query_one(IncidentTable).focus()
        self._render_incidents()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "incident-filter":
            self.filter_text = event.value.strip()
            self._render_incidents()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "incident-filter":
            if not self.filter_text:
                event.input.remove_class("visible")
            self.query_one(IncidentTable).focus()

    def action_declare(self) -> None:
        self._ask_declare(None)

    def _workflow_choices(self) -> list[tuple[str, str]]:
        return [
            (f"{w.id} ({w.name})" if w.name else w.id, w.id) for w in self.service.config.workflows
        ]

    def _ask_declare(self, sig: Signal | None) -> None:
        workflows = self._workflow_choices()
        if sig is None:
            prompt = DeclarePrompt(workflows)
        else:
            guess = guess_declaration(sig, [w for _, w in workflows])
            prompt = DeclarePrompt(
                workflows,
                title=guess.title,
                severity=guess.severity.value,
                workflow=guess.workflow_id,
                heading="Declare an incident from this signal",
                detail=detail_text(self._row_of(sig), self.now()),
            )

        def done(result: tuple[str, str, str | None] | None) -> None:
            if result is None:
                return
            title, severity, workflow = result
            self._declare(title, severity, workflow, sig)

        self.app.push_screen(prompt, done)

    @work(thread=True, group="incidents-write", exit_on_error=False)
    def _declare(
        self, title: str, severity: str, workflow: str | None, sig: Signal | None = None
    ) -> None:
        signals = self.signals if sig is not None else None
        if signals is not None and sig is not None:
            line = signals.declare_line(sig, title, severity, workflow)
        else:
            line = self.service.pending.line("declare", title, severity, workflow)
        try:
            if signals is not None and sig is not None:
                inc, _ = signals.declare_from_signal(
                    sig, title=title, severity=severity, workflow_id=workflow, line=line
                )
            else:
                inc, _ = self.service.declare(
                    title, severity=severity, workflow_id=workflow, line=line
                )
        except Exception as exc:  # worker: any failure is one line (or a check)
            if not outcome_unknown(exc, line):
                self.post_message(ReportError(exc))
                return
            # the connection broke while committing: say so, then look it up by its client id
            self.post_message(Notice(failed_text(exc), severity="warning"))
            retry = "declare it again to retry"
            checked = check_saved(self.service, line, None, "the declare", retry)
            if checked.where is None:
                self.post_message(Notice(checked.text, severity="error"))
                return
            self.post_message(Notice(f"{checked.where}: {checked.text}"))
            self.post_message(Declared(checked.where))
            return
        self.post_message(Declared(inc.id))

    def on_declared(self, message: Declared) -> None:
        self.app.open_incident(message.incident_id)  # type: ignore[attr-defined]

    # -- signals ----------------------------------------------------------------------------
    def _tick_signals(self) -> None:
        if not self.drawn:
            return  # nobody sees the board: polled again once this screen is back
        if self.signals is not None and not self._polling and self.signals.due():
            self._start_poll(force=False)

    def _start_poll(self, force: bool) -> None:
        if self.signals is None or not self.signals.sources or self._polling:
            return
        self._polling = True
        self._render_health()
        self._poll(force)

    @work(thread=True, group="signals-poll", exit_on_error=False)
    def _poll(self, force: bool) -> None:
        assert self.signals is not None
        board: SignalBoard | None = None
        error = ""
        try:
            board = self.signals.poll(only_due=not force)
        except Exception as exc:  # a third-party source misbehaving beyond its contract
            error = one_line(exc, 200) or type(exc).__name__
        self.post_message(SignalsPolled(board, error))

    def on_signals_polled(self, message: SignalsPolled) -> None:
        self._polled(message.board, message.error)

    def _polled(self, board: SignalBoard | None, error: str) -> None:
        self._polling = False
        self._poll_error = error
        if board is not None:
            self._board = board
        self._render_signals()

    @work(thread=True, exclusive=True, group="signals-board", exit_on_error=False)
    def _reload_board(self) -> None:
        if self.signals is None:
            return
        board = self.signals.board()
        self.post_message(BoardRead(board))

    def on_board_read(self, message: BoardRead) -> None:
        self._polled_board(message.board)

    def _polled_board(self, board: SignalBoard) -> None:
        self._board = board
        self._render_signals()

    def _rows(self) -> list[SignalRow]:
        if self._board is None:
            return []
        b = self._board
        return [SignalRow(s, b.mark(s), b.incidents_of(s)) for s in b.signals]

    def _row_of(self, sig: Signal) -> SignalRow:
        for row in self._rows():
            if row.signal.key == sig.key:
                return row
        return SignalRow(sig)

    def _render_health(self) -> None:
        statuses: list[SourceStatus] = []
        if self.signals is not None:
            health = {h.name: h for h in self._board.health} if self._board else {}
            for src in self.signals.sources:
                h = health.get(src.name)
                statuses.append(
                    SourceStatus(
                        name=src.name,
                        ok=h.ok if h else None,
                        error=h.error if h else "",
                        count=h.count if h else 0,
                        checked_at=h.checked_at if h else None,
                    )
                )
        text = status_text(statuses, self._polling, self.now())
        if self._poll_error:
            text.append("\n✗ polling failed: ", "bold red")
            text.append(self._poll_error, "red")
        key = (text.plain, tuple(text.spans))
        if key != self._health_shown:  # an update is a layout pass: only when it changed
            self._health_shown = key
            self.query_one("#signals-health", Static).update(text)

    def _render_signals(self) -> None:
        if not self.drawn:
            self._stale_signals = True
            return
        self._stale_signals = False
        self._render_health()
        rows = self._rows()
        self.query_one(SignalList).show_rows(rows, self.now())
        fresh = sum(1 for r in rows if r.mark.value != "seen")
        pane = self.query_one("#signals-pane")
        firing = sum(1 for r in rows if r.signal.state == SignalState.FIRING)
        title = f"signals · {firing} firing"
        if fresh:
            title += f" · {fresh} new"
        pane.border_title = title

    def on_signal_list_selected(self, event: SignalList.Selected) -> None:
        if event.row is None and self._board is not None and not self._board.signals:
            text = Text("no alerts right now", style="dim italic")
        else:
            text = detail_text(event.row, self.now())
        key = (text.plain, tuple(text.spans))
        if key != self._detail_shown:  # each poll re-selects: redrawn only when it changed
            self._detail_shown = key
            self.query_one("#signal-detail", Static).update(text)
        selected = event.row is not None
        if selected != self._has_selection:  # the signal keys' state follows the selection
            self._has_selection = selected
            self.refresh_bindings()

    def on_signal_list_looked(self, event: SignalList.Looked) -> None:
        if not self.read_only:
            self._mark_seen(event.row.signal)

    @work(thread=True, group="signals-seen", exit_on_error=False)
    def _mark_seen(self, sig: Signal) -> None:
        if self.signals is None:
            return
        try:
            self.signals.mark_seen([sig])
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(ReportError(exc))
            return
        board = self.signals.board()
        self.post_message(BoardRead(board))

    def _selected_signal(self) -> Signal | None:
        lists = self.query(SignalList)
        row = lists.first().selected if lists else None
        return row.signal if row else None

    def action_declare_signal(self) -> None:
        sig = self._selected_signal()
        if sig is not None:
            self._ask_declare(sig)

    def _open_incidents(self, first: list[str] | None = None) -> list[Incident]:
        first = first or []
        items = [i for i in _order(self._incidents, SortMode.SEVERITY) if i.is_open]
        return sorted(items, key=lambda i: i.id not in first)

    @staticmethod
    def _incident_label(inc: Incident, note: str = "") -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f"{inc.id} ", "bold")
        t.append(f"{inc.severity.value:<8} ", SEVERITY_STYLE[inc.severity.value])
        t.append_text(safe_text(inc.title, limit=60))
        if note:
            t.append(f"  {note}", "dim italic")
        return t

    def action_attach_signal(self) -> None:
        sig = self._selected_signal()
        if sig is None:
            return
        linked = self._row_of(sig).incidents
        choices = [
            (self._incident_label(i), i.id) for i in self._open_incidents() if i.id not in linked
        ]
        if not choices:
            self.notify(
                "No open incident to attach it to (D declares one from the signal).",
                severity="warning",
                markup=False,
            )
            return

        def done(incident_id: str | None) -> None:
            if incident_id:
                self._attach_to(incident_id, sig)

        self.app.push_screen(
            PickPrompt(f"Attach {one_line(sig.name, 60)} to which incident?", choices), done
        )

    @work(thread=True, group="signals-write", exit_on_error=False)
    def _attach_to(self, incident_id: str, sig: Signal) -> None:
        assert self.signals is not None
        try:
            ev = self.signals.attach(incident_id, sig)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(ReportError(exc))
            return
        self.post_message(Notice(f"Attached to {ev.incident_id}: {one_line(sig.name, 60)}"))

    def action_ack_signal(self) -> None:
        sig = self._selected_signal()
        if sig is None:
            return
        if sig.state == SignalState.RESOLVED:
            self.notify("That alert has resolved; nothing to silence.", markup=False)
            return
        linked = self._row_of(sig).incidents
        choices = [
            (self._incident_label(i, "linked" if i.id in linked else ""), i.id)
            for i in self._open_incidents(linked)
        ]
        if not choices:
            self.notify(
                "A silence is recorded under an incident: declare one first (D).",
                severity="warning",
                markup=False,
            )
            return
        span = format_duration(DEFAULT_SILENCE)

        def done(incident_id: str | None) -> None:
            if incident_id:
                self._ack(incident_id, sig)

        self.app.push_screen(
            PickPrompt(
                f"Silence {one_line(sig.name, 60)} for {span} under which incident?",
                choices,
                hint=f"creates a silence at {one_line(sig.source, 30)} · enter picks · esc cancels",
            ),
            done,
        )

    @work(thread=True, group="signals-write", exit_on_error=False)
    def _ack(self, incident_id: str, sig: Signal) -> None:
        assert self.signals is not None
        try:
            rec = self.signals.acknowledge(sig, incident_id)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(ReportError(exc))
            return
        self.post_message(
            Notice(
                f"Silenced {one_line(sig.name, 60)} under {rec.incident_id} "
                f"(silence {rec.silence_id})"
            )
        )
        self.post_message(SignalsChanged())

    def on_signals_changed(self, _: SignalsChanged) -> None:
        self._start_poll(True)

    def refusal(self, action: str, description: str) -> str:
        if self.read_only:
            return f"{description}: not in a read-only seat"
        if self.signals is None or not self.signals.sources:
            return f"{description}: no signal source configured"
        return f"{description}: select a signal first (tab to the signals list)"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # n/D/A/S open a prompt: priority bindings, run when the key is read so the keys
        # typed after them reach the prompt (IrcmdApp.push_screen); the filter box types them
        if yields_to_focus(self, action, parameters):
            return False
        if action == "refused":
            return True
        if action in WRITE_ACTIONS and self.read_only:
            return False
        if action in SIGNAL_ACTIONS:
            if self.signals is None or not self.signals.sources:
                return False
            if self._selected_signal() is None:
                return None
        return True
