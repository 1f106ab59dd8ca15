"""Waiting until a screen has stopped changing, for stable snapshots under load.

Panes load in workers (traces, containment reads, signal polls); a fixed pause is a race on a
busy 2-core machine. This waits until the rendered screen is the same three times in a row."""

from __future__ import annotations

import time
from typing import Any

from ircmd.widgets.command_line import CommandLine


def screen_text(app: Any) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot: Any, *, timeout: float = 20.0, quiet: float = 0.15) -> None:
    app = pilot.app
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while time.monotonic() < deadline and same < 3:
        await pilot.pause(quiet)
        text = screen_text(app)
        same = same + 1 if text == last else 0
        last = text
    for line in app.screen.query(CommandLine):
        line.cursor_blink = False
