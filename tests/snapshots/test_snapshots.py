"""Snapshots of the first screens (review the SVGs in tests/snapshots/__snapshots__)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ircmd.demo.seed import seed_demo
from ircmd.tui.app import IrcmdApp
from tests.snapshots.settle import settle
from tests.support.snapshots import SnapCompare
from tests.support.waiting import shown, wait_until

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_CURSOR_BLINK", "0")
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)


def demo_app(data: Path) -> IrcmdApp:
    demo = seed_demo(data, now=NOW)
    demo.workspace.incidents.clock = lambda: NOW
    return IrcmdApp(demo.workspace)


def test_incidents_screen(snap_compare: SnapCompare, isolated_dirs: Path) -> None:
    async def signals_polled(pilot: Pilot[Any]) -> None:
        # the demo's signals list is filled by a worker: wait for its first poll
        from ircmd.tui.widgets.signals.signal_list import SignalList

        def polled() -> bool:
            screen = pilot.app.screen
            signals = shown(pilot.app, SignalList)
            return bool(signals and signals.signal_rows and not getattr(screen, "_polling", False))

        await wait_until(pilot, polled, what="the demo's first signals poll")
        await settle(pilot)

    assert snap_compare(demo_app(isolated_dirs), terminal_size=(120, 30), run_before=signals_polled)


def test_incident_timeline(snap_compare: SnapCompare, isolated_dirs: Path) -> None:
    async def open_first(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(demo_app(isolated_dirs), terminal_size=(120, 30), run_before=open_first)
