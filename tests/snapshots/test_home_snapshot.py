"""The incidents (home) screen with the demo's signals under the incidents, frozen in time.

Review the SVGs under __snapshots__/ when they change (``pytest --snapshot-update`` only
after looking at the report): incidents open first, counts by severity, the signals list
with NEW / CHG marks, a resolved alert, links to INC-0003 and the selected alert's labels.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ircmd.demo.seed import seed_demo
from ircmd.tui.app import IrcmdApp
from ircmd.tui.widgets.signals.signal_list import SignalList
from tests.snapshots.settle import settle
from tests.support.waiting import wait_until

FROZEN = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False)


def demo_app(tmp_path: Path) -> IrcmdApp:
    demo = seed_demo(tmp_path, now=FROZEN)
    ws = demo.workspace
    ws.incidents.clock = lambda: FROZEN
    ws.store.location = "<demo store>"
    return IrcmdApp(ws)


async def _signals_loaded(pilot: Any) -> None:
    def loaded() -> bool:
        screen = pilot.app.screen
        rows = screen.query_one(SignalList).signal_rows
        return len(rows) == 5 and not screen._polling

    await wait_until(pilot, loaded, what="the demo's five signals")
    await settle(pilot)


# The four sizes of issue 13: every column of the list (TITLE and WORKFLOW too) stays readable
# at 80×24, the signals beside it from 100 columns, and the footer never cuts a key.
SIZES = [(80, 24), (100, 30), (160, 48), (200, 60)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_home_sizes(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=_signals_loaded)
