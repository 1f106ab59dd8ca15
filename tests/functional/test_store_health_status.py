"""The war room's status bar reads the store's own health (``store.health()``: for
PostgreSQL, its connection's state, kept in memory), so it says ``down`` within a store poll
of the store noticing an outage, not at the next presence heartbeat (every 5 s, and that
write waits out its own deadline first), and ``ok`` again once the store is back."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from tests.support.waiting import wait_until

from .warroom_support import make_workspace


async def test_status_bar_says_down_within_a_poll_of_the_store_health(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path)
    health = [(True, "connected")]
    # a store that answers health() (the local file store has none: always reachable)
    monkeypatch.setattr(ws.store, "health", lambda: health[-1], raising=False)
    app = IrcmdApp(ws, open_incident="INC-0001")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        room = app.screen
        assert isinstance(room, WarRoomScreen)
        await wait_until(pilot, lambda: room.query("#status-bar"))
        bar = room.query_one("#status-bar")
        await wait_until(pilot, lambda: "store ● ok" in str(bar.render()), what="store ok")
        # the heartbeat still succeeds (a local file): only the store's health says down
        health.append((False, "postgresql://db:5432/ircmd unreachable: timeout"))
        went_down = time.monotonic()
        await wait_until(pilot, lambda: "store ✖ down" in str(bar.render()), timeout=5)
        assert time.monotonic() - went_down < 5.0
        # a heartbeat that succeeds does not hide the store's state
        await room.housekeeping().wait()
        await pilot.pause()
        assert "store ✖ down" in str(bar.render())
        health.append((True, "connected"))
        await wait_until(pilot, lambda: "store ● ok" in str(bar.render()), timeout=5)
