"""The containment board pane: switches, what the backend confirmed, drift, and the keys
to contain or release — every change asked for with a reason and recorded.

Standalone: ``ContainmentPane(workspace, incident_id)`` owns its reconcile loop and its
workers; the war room (or :class:`ircmd.tui.screens.containment.board.ContainmentScreen`) only
mounts it. Its ``:`` verbs (``contain``, ``release``, ``contain-workflow``,
``controls-at``) come from :meth:`ContainmentPane.verbs`; ``/`` filters rows by name.

Nothing here reads the store on Textual's loop: rows, change warnings, the contain-workflow
plan and ``controls-at`` are read in thread workers and come back as the Messages below.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from ircmd.domain.containment.controls import (
    ContainmentPlan,
    ControlAt,
    ControlRow,
    ControlState,
    parse_control_args,
    parse_when,
    resolve_control,
)
from ircmd.domain.incidents.commandline import Command, Opt, Param, Verb
from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.text import count, one_line
from ircmd.service import Workspace, hooks
from ircmd.service.containment.service import ToggleResult
from ircmd.tui.messages import FirstData, StoreChanged
from ircmd.tui.screens.dialogs.detail import DetailScreen
from ircmd.tui.screens.warroom.panes.base import Pane
from ircmd.tui.screens.warroom.panes.containment_modals import (
    ContainmentPlanModal,
    ControlsAtModal,
    ToggleControlModal,
)
from ircmd.tui.widgets.containment.control_board import ControlBoard
from ircmd.tui.widgets.details import control_detail
from ircmd.tui.widgets.refusals import Refusals, with_refusals

NO_CONTROL = "no control selected: none is configured for this incident's workflow"
WRITE_ACTIONS = frozenset({"toggle_control", "contain_workflow", "retry"})


class RowsRead(Message, bubble=False):
    """The controls as stored (read by a worker), and the incident's workflow."""

    def __init__(self, seq: int, rows: list[ControlRow], workflow_id: str | None) -> None:
        super().__init__()
        self.seq = seq
        self.rows = rows
        self.workflow_id = workflow_id


class PaneNotice(Message, bubble=False):
    """A line for the pane's status row (a worker's outcome or failure)."""

    def __init__(self, text: str, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error


class ToggleReady(Message, bubble=False):
    """A toggle to confirm, with the change warnings a worker looked up."""

    def __init__(
        self, row: ControlRow, new: ControlState, reason: str, warnings: list[str]
    ) -> None:
        super().__init__()
        self.row = row
        self.new = new
        self.reason = reason
        self.warnings = warnings


class PlanReady(Message, bubble=False):
    """The contain-workflow plan to confirm, with its change warnings."""

    def __init__(self, plan: ContainmentPlan, warnings: list[str]) -> None:
        super().__init__()
        self.plan = plan
        self.warnings = warnings


class ControlsAtRead(Message, bubble=False):
    """Which controls were active at ``when`` (from the timelines)."""

    def __init__(self, when: datetime, states: dict[str, ControlAt]) -> None:
        super().__init__()
        self.when = when
        self.states = states


class Reconciled(Message, bubble=False):
    """A reconcile finished: the rows as read back, or why the read failed."""

    def __init__(self, rows: list[ControlRow] | None, error: str = "") -> None:
        super().__init__()
        self.rows = rows
        self.error = error


class ToggleDone(Message, bubble=False):
    """Toggles finished (each confirmed or failed), or the call itself failed."""

    def __init__(self, refs: list[str], results: list[ToggleResult], error: str = "") -> None:
        super().__init__()
        self.refs = refs
        self.results = results
        self.error = error


class ContainmentPane(Refusals, Pane):
    """Board of containment controls for one incident's war room."""

    PANE_TITLE = "containment"

    # In a read-only seat the write keys say so here, instead of falling through to the
    # war room's own t (tag), c (classify) and r (role), which refused with the wrong name.
    BINDINGS = with_refusals(
        [
            Binding("t,space", "toggle_control", "Toggle control", id="containment.toggle"),
            Binding("c", "contain_workflow", "Contain workflow", id="containment.contain_workflow"),
            Binding("r", "retry", "Retry", id="containment.retry"),
            Binding("R", "reconcile", "Re-read", id="containment.reconcile"),
        ],
        ("containment.toggle", "containment.contain_workflow", "containment.retry"),
    )

    def clock(self) -> datetime:
        """The workspace's clock (tests pin it) for "5m ago" and "read HH:MM:SS"."""
        clock = getattr(getattr(self.workspace, "incidents", None), "clock", None)
        return clock() if callable(clock) else datetime.now(UTC)

    DEFAULT_CSS = """
    ContainmentPane { height: 1fr; }
    ContainmentPane > #containment-status { height: 1; }
    ContainmentPane > ControlBoard { height: 1fr; }
    """

    def __init__(
        self,
        workspace: Workspace,
        incident_id: str,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(workspace, incident_id, id=id, classes=classes)
        self.service = workspace.containment
        self.inflight: set[str] = set()
        self._all_rows: list[ControlRow] | None = None
        self._workflow_id: str | None = None
        self._read_seq = 0
        self.last_read: datetime | None = None
        self.reading = False
        self.message: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="containment-status")
        yield ControlBoard(id="control-board")

    def on_mount(self) -> None:
        self.show_rows()
        self.reconcile()
        self.set_interval(self.service.reconcile_interval, self.reconcile)

    def on_resize(self) -> None:
        self._status(self.rows())  # what fits the status line depends on the width

    # -- display ---------------------------------------------------------------------------
    @property
    def board(self) -> ControlBoard:
        return self.query_one(ControlBoard)

    def rows(self) -> list[ControlRow]:
        """The rows last read (or shown)."""
        return self._all_rows if self._all_rows is not None else self.board.rows_shown

    def show_rows(self, rows: list[ControlRow] | None = None) -> None:
        """Show ``rows``; without them, read the stored rows in a worker first."""
        if rows is None:
            self._read_seq += 1
            self.read_rows(self._read_seq)
            return
        self._display(rows)

    @work(thread=True, group="containment-rows", exit_on_error=False)
    def read_rows(self, seq: int) -> None:
        try:
            rows = self.service.rows()
            inc = self.service.store.get_incident(self.incident_id)
        except Exception as exc:  # any store failure: shown on the pane, never a crash
            self.post_message(PaneNotice(f"cannot read controls: {exc}", error=True))
            return
        self.post_message(RowsRead(seq, rows, inc.workflow_id if inc is not None else None))

    def on_rows_read(self, message: RowsRead) -> None:
        self._workflow_id = message.workflow_id
        if message.seq == self._read_seq:  # an older read finishing late is stale
            self._display(message.rows)

    def on_pane_notice(self, message: PaneNotice) -> None:
        self.say(message.text, error=message.error)

    def _display(self, rows: list[ControlRow]) -> None:
        first = self._all_rows is None
        self._all_rows = rows
        needle = self.filter_text.strip().lower()
        shown = [r for r in rows if needle in r.id.lower()] if needle else rows
        self.board.show_rows(shown, self.clock(), self.inflight)
        self._status(rows)
        if first:
            self.post_message(FirstData("containment"))

    def _status(self, rows: list[ControlRow]) -> None:
        """The pane's one status line. When it is wider than the pane, the least needed
        pieces go first (how often it reads, when it last read) so the counts, READ-ONLY,
        the last message and the glyphs' legend stay whole."""
        on = sum(1 for r in rows if r.confirmed == ControlState.ON)
        bad = [r for r in rows if r.mismatch]
        # (priority: lower is dropped first, text, style) in the order shown
        pieces: list[tuple[int, Text]] = [
            (9, Text(f" {count(len(rows), 'control')} · ", "dim")),
            (9, Text(f"{on} on", "bold yellow" if on else "dim")),
        ]
        if bad:
            pieces.append((9, Text(f" · {len(bad)} NOT AS ASKED", "bold white on dark_red")))
        if self.inflight:
            pieces.append((9, Text(f" · applying {len(self.inflight)}…", "bold yellow")))
        if self.reading:
            pieces.append((2, Text(" · reading…", "italic")))
        elif self.last_read is not None:
            pieces.append((2, Text(f" · read {self.last_read.strftime('%H:%M:%S')}", "dim")))
        pieces.append((1, Text(f" every {self.service.reconcile_interval:g}s", "dim")))
        if self.read_only:
            pieces.append((8, Text("  READ-ONLY", "bold yellow")))
        legend = None
        if any(r.critical for r in rows):
            legend = Text("  ‼ critical: typed confirmation · ✓ as asked", "dim")
            pieces.append((6, legend))
        if self.message is not None:
            # in the war room the message is on its feedback line too: the legend comes first
            echoed = callable(getattr(self.screen, "say", None))
            pieces.append((4 if echoed else 7, Text("  ").append_text(self.message)))
        status = self.query_one("#containment-status", Static)
        width = status.size.width or self.size.width
        for level in (0, 1, 2, 4, 5, 6):
            if not width or sum(p.cell_len for _, p in pieces) <= width:
                break
            if level == 5 and legend is not None:
                # before the legend goes, its short form (80 columns with NOT AS ASKED)
                short = Text("  ‼ typed confirm", "dim")
                pieces = [(n, short if p is legend else p) for n, p in pieces]
                continue
            pieces = [(n, p) for n, p in pieces if n > level]
        t = Text(no_wrap=True, overflow="ellipsis")
        for _, piece in pieces:
            t.append_text(piece)
        status.update(t, layout=False)  # one line (height 1)

    def say(self, text: str, *, error: bool = False) -> None:
        """One line on the pane's status row, and on the war room's feedback line (or as a
        notification for errors when hosted elsewhere)."""
        self.message = Text(one_line(text, 200), style="bold red" if error else "")
        self._status(self.rows())
        if callable(getattr(self.screen, "say", None)):
            self.feedback(text, error=error)
        elif error:
            self.app.notify(one_line(text, 200), severity="error", markup=False, timeout=8)

    def refresh_from_store(self) -> None:
        """Call when the store changed (another console): redraw from stored records."""
        self.show_rows()

    def on_store_changed(self, _: StoreChanged) -> None:
        self.refresh_from_store()

    def apply_filter(self, text: str) -> None:
        """``/`` in the war room: show only controls whose ``WORKFLOW/CONTROL`` contains it."""
        self.filter_text = text.strip()
        self.show_rows(self._all_rows)

    # -- reconcile -----------------------------------------------------------------------------
    def reconcile(self) -> None:
        """Read every control back from its backend (in a worker), then redraw."""
        self.reading = True
        self._status(self.rows())
        self.reconcile_worker()

    @work(thread=True, exclusive=True, group="containment-reconcile", exit_on_error=False)
    def reconcile_worker(self) -> None:
        try:
            rows = self.service.reconcile(self.incident_id)
        except Exception as exc:  # any backend/store failure: shown on the pane
            self.post_message(Reconciled(None, f"reconcile failed: {exc}"))
            return
        self.post_message(Reconciled(rows))

    def on_reconciled(self, message: Reconciled) -> None:
        self.reading = False
        if message.rows is None:
            self.say(message.error, error=True)
            return
        self.last_read = self.clock()
        self.show_rows(message.rows)

    # -- actions -----------------------------------------------------------------------------
    def on_control_board_opened(self, message: ControlBoard.Opened) -> None:
        message.stop()
        body = control_detail(message.row, self.clock())
        self.app.push_screen(DetailScreen(f"control {message.row.id}", body))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in WRITE_ACTIONS and self.read_only)

    def refusal(self, action: str, description: str) -> str:
        return f"{description}: not in a read-only seat"

    def tell(self, text: str) -> None:
        self.say(text, error=True)

    def action_reconcile(self) -> None:
        self.reconcile()

    def action_toggle_control(self) -> None:
        row = self.board.selected
        if row is None:
            self.say(NO_CONTROL, error=True)
            return
        new = ControlState.OFF if row.desired == ControlState.ON else ControlState.ON
        self.ask_toggle(row, new)

    def ask_toggle(self, row: ControlRow, new: ControlState, reason: str = "") -> None:
        if self.read_only:
            self.say("read-only seat: controls cannot be changed here", error=True)
            return
        if row.id in self.inflight:
            self.say(f"{row.id} is still being applied")
            return
        self.prepare_toggle(row, new, reason)

    @work(thread=True, group="containment-ask", exit_on_error=False)
    def prepare_toggle(self, row: ControlRow, new: ControlState, reason: str) -> None:
        warnings = self._change_warnings(f"{row.kind.value} {row.id}")
        self.post_message(ToggleReady(row, new, reason, warnings))

    def on_toggle_ready(self, message: ToggleReady) -> None:
        row, new = message.row, message.new

        def done(given: str | None) -> None:
            if given:
                self.apply_control(row.id, new, given)
            else:
                self.say(f"{row.id}: cancelled, nothing changed")

        self.app.push_screen(
            ToggleControlModal(
                row.id,
                row.desired,
                new,
                critical=row.critical,
                workflow_id=row.ref.workflow_id,
                enforced=row.enforced,
                reason=message.reason,
                warnings=message.warnings,
            ),
            done,
        )

    def _change_warnings(self, change: str) -> list[str]:
        """Worker threads only (providers read the store)."""
        try:
            return hooks.change_warnings(self.workspace, self.incident_id, change)
        except Exception as exc:  # a warning check must never block containment
            return [f"could not check for warnings: {one_line(exc)}"]

    def action_retry(self) -> None:
        row = self.board.selected
        if row is None:
            self.say(NO_CONTROL, error=True)
            return
        if not row.mismatch:
            self.say(f"{row.id} is as asked; nothing to retry")
            return
        self.retry_control(row.id)

    def action_contain_workflow(self) -> None:
        self.prepare_plan()

    @work(thread=True, exclusive=True, group="containment-ask", exit_on_error=False)
    def prepare_plan(self) -> None:
        try:
            plan = self.service.plan(self.incident_id)
        except DomainError as exc:
            self.post_message(PaneNotice(str(exc), error=True))
            return
        if not plan.to_engage:
            self.post_message(PaneNotice(plan.summary()))
            return
        warnings = self._change_warnings(f"contain workflow {plan.workflow_id}")
        self.post_message(PlanReady(plan, warnings))

    def on_plan_ready(self, message: PlanReady) -> None:
        plan = message.plan

        def done(reason: str | None) -> None:
            if reason:
                self.run_plan(plan, reason)
            else:
                self.say("contain workflow cancelled, nothing changed")

        self.app.push_screen(ContainmentPlanModal(plan, message.warnings), done)

    # -- workers -----------------------------------------------------------------------------
    def _begin(self, refs: list[str]) -> None:
        self.inflight.update(refs)
        self._display(self.rows())

    def on_toggle_done(self, message: ToggleDone) -> None:
        if message.error:
            self.inflight.difference_update(message.refs)
            self.say(message.error, error=True)
            self.show_rows()
            return
        self._end(message.results)

    def _end(self, results: list[ToggleResult]) -> None:
        for r in results:
            self.inflight.discard(r.ref)
        failed = [r for r in results if not r.ok]
        if failed:
            first = failed[0]
            self.say(
                f"{first.ref} NOT confirmed: {first.error} — press r to retry"
                + (f" (+{len(failed) - 1} more failed)" if len(failed) > 1 else ""),
                error=True,
            )
        elif results:
            self.say(
                ", ".join(f"{r.ref} {r.confirmed.value} ✓" for r in results)
                + f" (confirmed in {max(r.elapsed_ms for r in results):.0f} ms)"
            )
        self.show_rows()

    def apply_control(self, ref: str, desired: ControlState, reason: str) -> None:
        self._begin([ref])
        self.apply_worker(ref, desired, reason)

    @work(thread=True, group="containment-toggle", exit_on_error=False)
    def apply_worker(self, ref: str, desired: ControlState, reason: str) -> None:
        try:
            result = self.service.set_control(self.incident_id, ref, desired, reason)
        except Exception as exc:  # a refused or failed change: one line on the pane
            self.post_message(ToggleDone([ref], [], f"{ref}: {exc}"))
            return
        self.post_message(ToggleDone([ref], [result]))

    def retry_control(self, ref: str) -> None:
        self._begin([ref])
        self.retry_worker(ref)

    @work(thread=True, group="containment-toggle", exit_on_error=False)
    def retry_worker(self, ref: str) -> None:
        try:
            result = self.service.retry(self.incident_id, ref)
        except Exception as exc:  # a refused or failed change: one line on the pane
            self.post_message(ToggleDone([ref], [], f"{ref}: {exc}"))
            return
        self.post_message(ToggleDone([ref], [result]))

    def run_plan(self, plan: ContainmentPlan, reason: str) -> None:
        self._begin([str(s.ref) for s in plan.to_engage])
        self.plan_worker(plan, reason)

    @work(thread=True, group="containment-toggle", exit_on_error=False)
    def plan_worker(self, plan: ContainmentPlan, reason: str) -> None:
        refs = [str(s.ref) for s in plan.to_engage]
        try:
            results = self.service.contain_workflow(self.incident_id, reason, plan)
        except Exception as exc:  # a refused or failed change: one line on the pane
            self.post_message(ToggleDone(refs, [], f"contain workflow: {exc}"))
            return
        self.post_message(ToggleDone(refs, results))

    # -- the ``:`` verbs ---------------------------------------------------------------------
    def _verb_set(self, control: str, reason: str, desired: ControlState, verb: str) -> str:
        if self.read_only:
            raise DomainError("read-only seat: controls cannot be changed here")
        # From the config and the rows last read: no store call on the UI loop.
        ref, _wf, _spec = resolve_control(self.service.config, control, self._workflow_id)
        row = next((r for r in self.rows() if r.id == str(ref)), None)
        if row is None:
            raise DomainError(f"{ref}: controls not read yet, try again")
        reason = " ".join(reason.split())
        if reason and not row.critical:
            self.apply_control(row.id, desired, reason)
            return f"{verb} {row.id}: applying…"
        self.ask_toggle(row, desired, reason)
        return f"{verb} {row.id}: confirm in the dialog"

    def verb_contain(self, args: str) -> str:
        """``contain WORKFLOW/CONTROL [--reason TEXT]`` (a bare CONTROL means the incident's
        workflow). Critical controls, or a missing reason, open the confirmation dialog.
        Raises :class:`DomainError` with a one-line message for bad input."""
        control, reason = parse_control_args(args, "contain")
        return self._verb_set(control, reason, ControlState.ON, "contain")

    def verb_release(self, args: str) -> str:
        """``release WORKFLOW/CONTROL [--reason TEXT]``."""
        control, reason = parse_control_args(args, "release")
        return self._verb_set(control, reason, ControlState.OFF, "release")

    def verb_controls_at(self, args: str) -> str:
        """``controls-at TIME``: which controls were active then (from the timelines)."""
        when = parse_when(args, self.clock())
        self.read_controls_at(when)
        return f"reading controls at {when.strftime('%Y-%m-%d %H:%M:%S')}Z…"

    @work(thread=True, exclusive=True, group="containment-at", exit_on_error=False)
    def read_controls_at(self, when: datetime) -> None:
        try:
            states = self.service.controls_at(when)
        except Exception as exc:  # any store failure: shown on the pane, never a crash
            self.post_message(PaneNotice(f"controls-at: {exc}", error=True))
            return
        self.post_message(ControlsAtRead(when, states))

    def on_controls_at_read(self, message: ControlsAtRead) -> None:
        self.app.push_screen(ControlsAtModal(message.when, message.states))
        active = sum(1 for s in message.states.values() if s.active)
        self.say(f"{active} control(s) active at {message.when.strftime('%Y-%m-%d %H:%M:%S')}Z")

    def control_names(self) -> list[str]:
        """Completion candidates: every ``WORKFLOW/CONTROL``."""
        return [r.id for r in self.rows()]

    def verbs(self) -> Iterable[Verb]:
        """The war room's ``:`` verbs for containment."""

        def contain(cmd: Command) -> str:
            return self._verb_set(cmd.arg("control"), cmd.opt("reason"), ControlState.ON, "contain")

        def release(cmd: Command) -> str:
            return self._verb_set(
                cmd.arg("control"), cmd.opt("reason"), ControlState.OFF, "release"
            )

        def contain_workflow(_cmd: Command) -> None:
            self.action_contain_workflow()

        def controls_at(cmd: Command) -> str:
            return self.verb_controls_at(cmd.arg("time"))

        control = Param("control", choices=self.control_names, help="WORKFLOW/CONTROL")
        reason = Opt("reason", kind="text", help="why (goes on the timeline)")
        return [
            Verb(
                "contain",
                "turn a containment control on (confirmed by its backend)",
                params=(control,),
                options=(reason,),
                handler=contain,
                source="containment",
            ),
            Verb(
                "release",
                "turn a containment control off (confirmed by its backend)",
                params=(control,),
                options=(reason,),
                handler=release,
                source="containment",
            ),
            Verb(
                "contain-workflow",
                "apply the severity's recommended containment (plan shown first)",
                handler=contain_workflow,
                source="containment",
            ),
            Verb(
                "controls-at",
                "which controls were active at TIME (ISO-8601, HH:MM, -15m)",
                params=(Param("time", kind="text"),),
                mutates=False,
                handler=controls_at,
                source="containment",
            ),
        ]
