"""The control board's test set-up, shared by the board and the column-sort tests: one
:class:`ControlRow` with defaults, and an app that shows only a :class:`ControlBoard`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import App, ComposeResult

from ircmd.domain.containment.controls import ControlRef, ControlRow, ControlState, RowHealth
from ircmd.domain.incidents.workflow import ControlKind
from ircmd.tui.widgets.containment.control_board import ControlBoard


def control_row(wf: str, ctrl: str, **kw: Any) -> ControlRow:
    """A healthy, enforced, off ``pause_workflow`` row of ``wf/ctrl``; ``kw`` overrides."""
    base = ControlRow(
        ref=ControlRef(wf, ctrl),
        workflow_name="",
        kind=ControlKind.PAUSE_WORKFLOW,
        critical=False,
        controller="flags",
        enforced=True,
        desired=ControlState.OFF,
        confirmed=ControlState.OFF,
        health=RowHealth.OK,
    )
    return replace(base, **kw)


class BoardApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ControlBoard()
