"""The trace explorer under test: wait for its pane to load, open a trace, ask what is open.

pane = await loaded_trace_pane(pilot)
await open_trace(pilot, pane, "a" * 32)
await wait_until(pilot, lambda: open_trace_id(pane) == "b" * 32)
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from ircmd.tui.screens.warroom.panes.traces import TracePane
from tests.support.waiting import shown, wait_until


def open_trace_id(pane: TracePane) -> str | None:
    """The trace the pane shows (None before its first trace is open)."""
    return pane.view.tree.trace_id if pane.view is not None else None


async def loaded_trace_pane(pilot: Pilot[Any]) -> TracePane:
    """The current screen's trace pane once its sources are loaded and a view is built."""
    pane = await wait_until(pilot, lambda: shown(pilot.app, TracePane), what="a trace pane")
    await wait_until(pilot, lambda: pane.view is not None and not pane.loading, what="loaded")
    return pane


async def open_trace(pilot: Pilot[Any], pane: TracePane, trace_id: str) -> None:
    """Open ``trace_id`` in ``pane`` and wait until it is shown."""
    pane.open_trace(trace_id)
    await wait_until(pilot, lambda: open_trace_id(pane) == trace_id, what=f"trace {trace_id}")
