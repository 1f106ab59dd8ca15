"""The severity matrix: factor scores with their meaning, the verdict, the response checklist.

Renders a :class:`SeverityAssessment` handed down to it; keys post messages up
(:class:`SeverityMatrix.ScoreRequested`, :class:`SeverityMatrix.TickRequested`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ircmd.domain.incidents.incident import Severity
from ircmd.domain.incidents.severity import (
    FACTORS,
    IMMEDIATE_RESPONSE,
    MAX_SCORE,
    Factor,
    SeverityAssessment,
)
from ircmd.tui.widgets.refusals import Refusals, with_refusals
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.styles import SEVERITY_STYLE

_SCORE_STYLE = ("green", "yellow", "dark_orange", "bold red")


def verdict_text(assessment: SeverityAssessment, current: Severity) -> Text:
    """Line 1: the computed level and what the incident's level follows. Then: why."""
    verdict = assessment.verdict
    t = Text()
    if not assessment.scored:
        t.append("not scored yet", "italic")
        t.append(f" · level {current.value.upper()} as declared or set by hand", "dim")
        return t
    t.append("computed ", "dim")
    t.append(f" {verdict.level.value.upper()} ", SEVERITY_STYLE[verdict.level.value] + " reverse")
    t.append("  ")
    lvl = assessment.override_level
    if lvl is not None:
        t.append("override ", "bold")
        t.append(f" {lvl.value.upper()} ", SEVERITY_STYLE[lvl.value] + " reverse")
        t.append(" ")
        t.append_text(safe_text(assessment.override_reason, "italic", limit=60))
        if verdict.level.rank > lvl.rank:
            t.append("  ▲ matrix says higher", "bold red")
    elif not assessment.complete:
        t.append(f"{len(assessment.scores)}/{len(FACTORS)} scored", "bold yellow")
        t.append(f": level stays {current.value.upper()} until all are", "dim")
    else:
        t.append("level follows the matrix", "dim")
    t.append("\n")
    t.append("why: ", "dim")
    t.append(verdict.why)
    return t


class SeverityMatrix(Refusals, OptionList):
    """Factor rows, then the immediate-response checklist for the current level."""

    BINDINGS = with_refusals(
        [
            Binding("j", "cursor_down", "Down", show=False, id="severity.down"),
            Binding("k", "cursor_up", "Up", show=False, id="severity.up"),
            Binding("g", "first", "First", show=False, id="severity.first"),
            Binding("G", "last", "Last", show=False, id="severity.last"),
            Binding("plus,l,right", "score(1)", "Score +1", id="severity.up_score"),
            Binding("minus,h,left", "score(-1)", "Score −1", id="severity.down_score"),
            Binding("space,x", "tick", "Tick item", id="severity.tick"),
        ],
        ("severity.up_score", "severity.down_score", "severity.tick"),
    )

    @dataclass
    class ScoreRequested(Message):
        factor: Factor
        score: int

    @dataclass
    class TickRequested(Message):
        item_id: str
        done: bool

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, read_only: bool = False
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.assessment = SeverityAssessment()
        self.level = Severity.MEDIUM
        self.read_only = read_only
        self._width = 0
        self.satisfied: dict[str, str] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.read_only and action in ("score", "tick"))

    def refusal(self, action: str, description: str) -> str:
        return f"{description}: not in a read-only seat"

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self.show(self.assessment, self.level)

    def show(
        self,
        assessment: SeverityAssessment,
        level: Severity,
        satisfied: dict[str, str] | None = None,
    ) -> None:
        """``satisfied``: checklist items a confirmed control does (item id → control).
        Items of another level that are done (ticked, or by a control) stay listed, ticked,
        after the level's own: raising HIGH to CRITICAL keeps "Pause the affected workflow"."""
        self.assessment = assessment
        self.level = level
        self.satisfied = dict(satisfied if satisfied is not None else self.satisfied)
        keep = self.highlighted
        self.clear_options()
        options: list[Option | None] = []
        for factor in Factor:
            options.append(
                Option(self._fit(self._factor_line(factor)), id=f"factor:{factor.value}")
            )
        options.append(None)
        options.append(
            Option(
                Text(f"immediate response · {level.value.upper()}", "bold"),
                id="heading",
                disabled=True,
            )
        )
        items = list(IMMEDIATE_RESPONSE[level])
        items += [
            (item_id, text)
            for other, listed in IMMEDIATE_RESPONSE.items()
            if other != level
            for item_id, text in listed
            if assessment.ticked(item_id) or item_id in self.satisfied
        ]
        for item_id, text in items:
            control = self.satisfied.get(item_id)
            done = assessment.ticked(item_id) or control is not None
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("[x] " if done else "[ ] ", "bold green" if done else "bold")
            line.append(text, "dim" if done else "")
            tick = assessment.checklist.get(item_id)
            if tick and tick.done:
                line.append("  ")
                line.append_text(safe_text(tick.by, "italic dim", limit=20))
            elif control is not None:
                line.append("  ")
                name = control.rsplit("/", 1)[-1]  # the workflow is the incident's own
                line.append_text(safe_text(f"{name} confirmed", "italic dim", limit=40))
            options.append(Option(self._fit(line), id=f"item:{item_id}"))
        self.add_options(options)
        if keep is not None and keep < self.option_count:
            self.highlighted = keep
        elif self.option_count:
            self.highlighted = 0

    def _fit(self, text: Text) -> Text:
        """One line per row: cut with an ellipsis to the list's width (maximise to read all)."""
        width = self.scrollable_content_region.width
        if not self.show_vertical_scrollbar:
            # Leave room for the scrollbar that appears once the rows outgrow the pane, so
            # a line fitted now does not wrap then.
            width -= self.styles.scrollbar_size_vertical
        if width > 4:
            text.truncate(width - 1, overflow="ellipsis")
        return text

    def _factor_line(self, factor: Factor) -> Text:
        spec = FACTORS[factor]
        score = self.assessment.score(factor)
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f"{spec.label:<19}", "bold")
        if score is None:
            t.append("○○○ – ", "dim")
            t.append("not scored", "italic dim")
            return t
        t.append("●" * score + "○" * (MAX_SCORE - score), _SCORE_STYLE[score])
        t.append(f" {score} ", "bold")
        t.append(spec.meanings[score], "dim" if score == 0 else "")
        return t

    def _current_id(self) -> str:
        if self.highlighted is None:
            return ""
        return self.get_option_at_index(self.highlighted).id or ""

    def action_score(self, delta: int) -> None:
        kind, _, key = self._current_id().partition(":")
        if kind != "factor":
            self.tell("+/- score a factor: move up to one (k)")
            return
        factor = Factor(key)
        current = self.assessment.score(factor)
        new = max(0, min(MAX_SCORE, (current or 0) + delta))
        if new != current:
            self.post_message(self.ScoreRequested(factor, new))

    def action_tick(self) -> None:
        kind, _, key = self._current_id().partition(":")
        if kind == "item":
            self.post_message(self.TickRequested(key, not self.assessment.ticked(key)))
        else:
            self.tell("space ticks a checklist item: move down to one (j, or G for the last)")

    def action_first(self) -> None:
        if self.option_count:
            self.highlighted = 0

    def action_last(self) -> None:
        if self.option_count:
            self.highlighted = self.option_count - 1
