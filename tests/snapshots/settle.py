"""Waiting until a screen has stopped changing, for stable snapshots under load.

Panes load in workers (traces, containment reads, signal polls, the war room's housekeeping);
a fixed pause is a race on a busy 2-core machine. ``settle`` waits until no short-lived worker
is pending or running and the rendered screen is the same three times in a row."""

from __future__ import annotations

import time
from typing import Any

from textual.worker import WorkerState

from ircmd.tui.widgets.command_line import CommandLine

# Workers that run for the life of a pane (they never finish by themselves).
LONG_LIVED = {"trace-sources"}
BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


def screen_text(app: Any) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _busy(app: Any) -> bool:
    return any(w.state in BUSY and w.group not in LONG_LIVED for w in app.workers)


async def _quiet(pilot: Any, timeout: float, quiet: float) -> None:
    app = pilot.app
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while time.monotonic() < deadline and same < 3:
        await pilot.pause(quiet)
        text = screen_text(app)
        same = same + 1 if text == last and not _busy(app) else 0
        last = text


async def settle(pilot: Any, *, timeout: float = 30.0, quiet: float = 0.15) -> None:
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
