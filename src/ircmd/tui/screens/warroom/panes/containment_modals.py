"""Confirmations for containment: a reason (always), the workflow id typed back (critical
controls), the plan before "contain workflow" runs, and the time-travel answer."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ircmd.domain.containment.controls import ContainmentPlan, ControlAt, ControlState
from ircmd.domain.text import one_line
from ircmd.tui.widgets.safe import safe_text


class _ReasonAndConfirm(ModalScreen[str | None]):
    """Step 1: a reason (required). Step 2 (when ``confirm_word`` is set): type it back.
    ``enter`` moves on / submits; ``esc`` cancels and changes nothing."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="containment.modal.cancel")]

    def __init__(self, confirm_word: str | None, reason: str = "") -> None:
        super().__init__()
        self.confirm_word = confirm_word
        self._reason = reason

    def body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt containment-modal"):
            yield from self.body()
            yield Label("Reason (required, goes on the timeline)", classes="prompt-hint")
            yield Input(value=self._reason, placeholder="why?", id="containment-reason")
            if self.confirm_word:
                yield Label(
                    Text.assemble(
                        "Critical: type the workflow id ",
                        (self.confirm_word, "bold"),
                        " to confirm",
                    ),
                    id="containment-confirm-label",
                    classes="prompt-hint",
                )
                yield Input(placeholder="workflow id", id="containment-confirm", disabled=True)
            yield Label("", id="containment-error", markup=False)
            yield Label(
                "enter: next / confirm · esc: cancel (nothing changes)", classes="prompt-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#containment-reason", Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#containment-error", Label).update(Text(text, style="bold red"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._advance(event.input)

    def _advance(self, field: Input) -> None:
        reason = " ".join(self.query_one("#containment-reason", Input).value.split())
        if not reason:
            self._error("A reason is required.")
            self.query_one("#containment-reason", Input).focus()
            return
        if not self.confirm_word:
            self.dismiss(reason)
            return
        confirm = self.query_one("#containment-confirm", Input)
        if field.id == "containment-reason":
            confirm.disabled = False
            self.set_focus(confirm)  # now (Widget.focus waits a turn: a key typed fast is lost)
            self._error("")
            return
        if confirm.value.strip() != self.confirm_word:
            self._error(f"That is not {self.confirm_word!r}; nothing was changed.")
            confirm.value = ""
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


def warning_labels(warnings: list[str]) -> ComposeResult:
    """Warnings to read before confirming (e.g. a regulatory report is still due)."""
    for line in warnings:
        yield Label(safe_text("⚠ " + line, "bold red"), classes="containment-warning")


class ToggleControlModal(_ReasonAndConfirm):
    def __init__(
        self,
        control: str,
        current: ControlState,
        new: ControlState,
        *,
        critical: bool,
        workflow_id: str,
        enforced: bool = True,
        reason: str = "",
        warnings: list[str] | None = None,
    ) -> None:
        super().__init__(workflow_id if critical else None, reason)
        self.control = control
        self.current = current
        self.new = new
        self.enforced = enforced
        self.warnings = warnings or []

    def body(self) -> ComposeResult:
        verb = "Contain (turn ON)" if self.new == ControlState.ON else "Release (turn OFF)"
        title = Text(f"{verb}: ", style="bold")
        title.append_text(safe_text(self.control, "bold"))
        yield Label(title, classes="prompt-title")
        yield Label(
            Text(f"desired now {self.current.value} → {self.new.value}", style="dim"),
        )
        if not self.enforced:
            yield Label(
                Text("local switch: nothing outside ircmd enforces it", style="bold yellow")
            )
        yield from warning_labels(self.warnings)


class ContainmentPlanModal(_ReasonAndConfirm):
    """Shows the plan first; nothing runs until the reason (and typed id) is given."""

    def __init__(self, plan: ContainmentPlan, warnings: list[str] | None = None) -> None:
        super().__init__(plan.workflow_id if plan.needs_typed_confirmation else None)
        self.plan = plan
        self.warnings = warnings or []

    def body(self) -> ComposeResult:
        plan = self.plan
        title = Text("Contain workflow ", style="bold")
        title.append_text(safe_text(plan.workflow_id, "bold"))
        title.append(f" at severity {plan.severity.value}")
        yield Label(title, classes="prompt-title")
        yield Label(Text(plan.immediate_response, style="italic"))
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("control")
        table.add_column("kind")
        table.add_column("plan")
        for step in plan.steps:
            table.add_row(
                safe_text(str(step.ref)),
                Text(step.spec.kind.label + (" ‼ critical" if step.spec.critical else "")),
                Text("turn ON" if step.engage else step.why, "bold" if step.engage else "dim"),
            )
        for kind in plan.missing:
            table.add_row(Text("—"), Text(kind.label), Text("not configured", "yellow"))
        yield Static(table, id="containment-plan")
        yield Label(Text(plan.summary(), style="bold"), id="containment-plan-summary")
        yield from warning_labels(self.warnings)


class ControlsAtModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="containment.at.close")]

    def __init__(self, when: datetime, states: dict[str, ControlAt]) -> None:
        super().__init__()
        self.when = when
        self.states = states

    def compose(self) -> ComposeResult:
        active = [s for s in self.states.values() if s.active]
        table = Table(box=None, expand=True, header_style="bold")
        for col in ("control", "state", "since", "by", "incident", "reason"):
            table.add_column(col)
        for s in active:
            state = s.state.value + (" (unconfirmed)" if s.unconfirmed else "")
            table.add_row(
                safe_text(s.ref),
                Text(state, "bold yellow"),
                Text(s.since.strftime("%m-%d %H:%M:%S") if s.since else "?"),
                safe_text(s.by),
                safe_text(s.incident_id),
                safe_text(one_line(s.reason, 50)),
            )
        with VerticalScroll(classes="prompt containment-modal"):
            yield Label(
                Text(
                    f"Controls active at {self.when.strftime('%Y-%m-%d %H:%M:%S')}Z: {len(active)}",
                    style="bold",
                ),
                classes="prompt-title",
            )
            if active:
                yield Static(table)
            else:
                yield Label(Text("none (from the timelines)", style="italic"))
            yield Label("esc closes", classes="prompt-hint")
