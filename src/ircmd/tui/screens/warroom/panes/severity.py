"""Severity pane: the factor matrix, the verdict and the immediate-response checklist."""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from ircmd.domain.incidents.commandline import Command, Opt, Param, Verb
from ircmd.domain.incidents.incident import DomainError, Incident, Severity
from ircmd.domain.incidents.severity import (
    FACTORS,
    IMMEDIATE_RESPONSE,
    Factor,
    SeverityAssessment,
    meaning,
)
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.service.incidents.severity import SeverityService
from ircmd.tui.messages import FirstData, StoreChanged
from ircmd.tui.screens.dialogs.prompt import TextPrompt
from ircmd.tui.screens.warroom.panes.base import Pane, PaneFeedback
from ircmd.tui.widgets.incidents.severity_matrix import SeverityMatrix, verdict_text


def _levels() -> list[str]:
    return [s.value for s in Severity] + ["auto"]


def _factors() -> list[str]:
    return [f.value for f in Factor]


def _items() -> list[str]:
    return [i for items in IMMEDIATE_RESPONSE.values() for i, _ in items]


CONTROL_SATISFIES: dict[str, tuple[str, str]] = {"high.pause": ("pause_workflow", "on")}
"""Checklist items a confirmed control does: item id → (control kind, confirmed state)."""


def satisfied_items(events: Iterable[TimelineEvent], kinds: dict[str, str]) -> dict[str, str]:
    """Checklist items done by a control whose last read-back is the state they need:
    item id → the control (``support-refunds/pause``). ``kinds``: control ref → its kind."""
    states: dict[str, str] = {}
    for ev in events:
        if ev.kind in (EventKind.CONTAINMENT_CONFIRMED, EventKind.CONTAINMENT_DRIFT):
            ref, state = ev.data.get("control"), ev.data.get("state")
            if isinstance(ref, str) and isinstance(state, str):
                states[ref] = state
    done: dict[str, str] = {}
    for item, (kind, wanted) in CONTROL_SATISFIES.items():
        for ref, state in states.items():
            if kinds.get(ref) == kind and state == wanted:
                done[item] = ref
                break
    return done


class SeverityRead(Message, bubble=False):
    """The incident and its severity assessment, read by a worker."""

    def __init__(
        self,
        inc: Incident,
        assessment: SeverityAssessment,
        satisfied: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.inc = inc
        self.assessment = assessment
        self.satisfied = satisfied or {}


class SeverityPane(Pane):
    PANE_TITLE = "severity"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.service = SeverityService(self.workspace.incidents)
        self.assessment = SeverityAssessment()
        self.incident: Incident | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="severity-verdict")
        yield SeverityMatrix(id="severity-matrix", read_only=self.read_only)

    def on_mount(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="severity-load", exit_on_error=False)
    def reload(self) -> None:
        try:
            inc = self.workspace.incidents.get(self.incident_id)
            assessment = self.service.assessment(self.incident_id)
            kinds = {
                f"{wf.id}/{c.id}": str(c.kind)
                for wf in self.workspace.config.workflows
                for c in wf.controls
            }
            satisfied = satisfied_items(self.workspace.incidents.timeline(self.incident_id), kinds)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(PaneFeedback(f"severity: {exc}", error=True))
            return
        self.post_message(SeverityRead(inc, assessment, satisfied))

    def on_severity_read(self, message: SeverityRead) -> None:
        self._show(message.inc, message.assessment, message.satisfied)

    def _show(
        self,
        inc: Incident,
        assessment: SeverityAssessment,
        satisfied: dict[str, str] | None = None,
    ) -> None:
        first = self.incident is None
        self.incident = inc
        self.assessment = assessment
        self.query_one("#severity-verdict", Static).update(verdict_text(assessment, inc.severity))
        self.query_one(SeverityMatrix).show(assessment, inc.severity, satisfied)
        if first:
            self.post_message(FirstData("severity"))

    def on_store_changed(self, _: StoreChanged) -> None:
        self.reload()

    # -- keys from the matrix -----------------------------------------------------------
    def on_severity_matrix_score_requested(self, event: SeverityMatrix.ScoreRequested) -> None:
        if self.refuse_read_only("scoring"):
            return
        label = FACTORS[event.factor].label
        title = f"{label} → {event.score}: {meaning(event.factor, event.score)}"

        def done(reason: str | None) -> None:
            if reason is None:
                self.feedback(f"{label} not changed")
                return
            self._score(event.factor, event.score, reason if reason != "-" else "")

        self.app.push_screen(
            TextPrompt(title, placeholder="why? (enter '-' to record without a reason)"), done
        )

    def _score(self, factor: Factor, score: int, reason: str) -> None:
        self.run_write(
            lambda: self.service.score(self.incident_id, factor, score, reason),
            f"{FACTORS[factor].label} scored {score}",
        )

    def on_severity_matrix_tick_requested(self, event: SeverityMatrix.TickRequested) -> None:
        if self.refuse_read_only("ticking"):
            return
        self.run_write(
            lambda: self.service.tick(self.incident_id, event.item_id, event.done),
            ("ticked " if event.done else "reopened ") + event.item_id,
        )

    # -- verbs --------------------------------------------------------------------------
    def verbs(self) -> Iterable[Verb]:
        return (
            Verb(
                "severity",
                "set the level by hand (override, needs --reason) or 'auto' to follow the matrix",
                params=(Param("level", choices=_levels),),
                options=(Opt("reason", kind="text"),),
                aliases=("sev",),
                handler=self._verb_severity,
                source="severity",
            ),
            Verb(
                "score",
                "score a severity factor 0-3",
                params=(
                    Param("factor", choices=_factors),
                    Param("score", choices=("0", "1", "2", "3")),
                ),
                options=(Opt("reason", kind="text"),),
                handler=self._verb_score,
                source="severity",
            ),
            Verb(
                "tick",
                "tick (or --undo) an immediate-response checklist item",
                params=(Param("item", choices=_items),),
                options=(Opt("undo", kind="flag"),),
                handler=self._verb_tick,
                source="severity",
            ),
        )

    def _verb_severity(self, cmd: Command) -> None:
        level = cmd.arg("level").strip().lower()
        reason = cmd.opt("reason")
        if level == "auto":
            self.run_write(
                lambda: self.service.follow_matrix(self.incident_id, reason),
                "severity follows the matrix",
            )
            return
        sev = Severity.parse(level)
        if not reason.strip():
            raise DomainError("overriding the severity needs --reason TEXT")
        self.run_write(
            lambda: self.service.override(self.incident_id, sev, reason),
            f"severity set to {sev.value}",
        )

    def _verb_score(self, cmd: Command) -> None:
        factor = Factor.parse(cmd.arg("factor"))
        try:
            score = int(cmd.arg("score"))
        except ValueError:
            raise DomainError(f"a score is 0, 1, 2 or 3, not {cmd.arg('score')!r}") from None
        if not 0 <= score <= 3:
            raise DomainError(f"a score is 0, 1, 2 or 3, not {score}")
        self._score(factor, score, cmd.opt("reason"))

    def _verb_tick(self, cmd: Command) -> None:
        item = cmd.arg("item")
        if item not in _items():
            raise DomainError(f"unknown checklist item {item!r}; tab completes the ids")
        done = not cmd.flag("undo")
        self.run_write(
            lambda: self.service.tick(self.incident_id, item, done),
            ("ticked " if done else "reopened ") + item,
        )
