"""Waiting until a screen has stopped changing, for stable snapshots under load.

Panes load in workers (traces, containment reads, signal polls, the war room's housekeeping);
a fixed pause is a race on a busy 2-core machine. ``settle`` waits for every short-lived worker
to complete (``app.workers.wait_for_complete``) and then until the rendered screen, read with
the public ``app.export_screenshot()``, is the same three times in a row."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from ircmd.tui.widgets.command_line import CommandLine

# Workers that run for the life of a pane (they never finish by themselves).
LONG_LIVED = {"trace-sources"}
BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


def _short_lived(pilot: Pilot[Any]) -> list[Any]:
    return [w for w in pilot.app.workers if w.state in BUSY and w.group not in LONG_LIVED]


async def _quiet(pilot: Pilot[Any], timeout: float, quiet: float) -> None:
    app = pilot.app
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while time.monotonic() < deadline and same < 3:
        busy = _short_lived(pilot)
        if busy:
            # a failed load is shown on screen like any other state
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await app.workers.wait_for_complete(busy)
        # A quiet interval between looks: timers (a debounced detail pane, an interval poll)
        # must get the chance to change the screen before it counts as unchanged.
        await pilot.pause(quiet)
        text = app.export_screenshot()
        same = same + 1 if text == last and not _short_lived(pilot) else 0
        last = text


async def settle(pilot: Pilot[Any], *, timeout: float = 30.0, quiet: float = 0.15) -> None:
    app = pilot.app
    await _quiet(pilot, timeout, quiet)
    # The war room's status bar reads the backends' health every few seconds: read it once
    # more now that every pane has loaded, so it does not depend on who finished first.
    housekeeping = getattr(app.screen, "housekeeping", None)
    if callable(housekeeping):
        housekeeping()
        await _quiet(pilot, timeout, quiet)
    for line in app.screen.query(CommandLine):
        line.cursor_blink = False
