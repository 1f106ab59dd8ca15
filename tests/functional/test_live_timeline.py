"""Two consoles on one store: a note written by another ircmd process appears within 1 s."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ircmd.service.incidents.presence import Presence
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.support.waiting import shown, wait_until

from .warroom_support import make_workspace

CLI = "import sys; from ircmd.cli import main; sys.exit(main(sys.argv[1:]))"


async def test_note_from_another_process_appears_without_a_key(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('author = "console-two"\n')
    env = {**os.environ, "IRCMD_DATA_DIR": str(tmp_path), "IRCMD_CONFIG": str(config)}
    app = IrcmdApp(ws, open_incident="INC-0001")
    async with app.run_test(size=(120, 36)) as pilot:
        view = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(view.events) == 1, what="the declared event")
        delays = []
        for n in range(2):
            proc = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CLI,
                    "incident",
                    "note",
                    "INC-0001",
                    f"from two #{n}",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert proc.returncode == 0, proc.stderr
            written = time.monotonic()
            await wait_until(pilot, lambda: len(view.events) >= 2 + n, timeout=3)  # noqa: B023
            delays.append(time.monotonic() - written)
            assert [e.text for e in view.events][-1] == f"from two #{n}"
            assert view.events[-1].author == "console-two"
        # the interval poll (0.25 s) plus an incremental load: well within 1 s
        assert max(delays) < 1.0, delays
        assert ws.store.verify() == []
        # both processes' notes form one chain in order
        assert [e.seq for e in ws.incidents.timeline("INC-0001")] == [1, 2, 3]


async def test_other_consoles_are_counted_in_the_status_bar(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    app = IrcmdApp(ws, open_incident="INC-0001")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        room = app.screen
        assert isinstance(room, WarRoomScreen)
        await wait_until(pilot, lambda: room.query("#status-bar"))
        bar = room.query_one("#status-bar")
        assert "no other console" in str(bar.render())
        other = Presence(ws.store, "observer")
        other.beat("INC-0001", read_only=True)
        room.housekeeping()
        await wait_until(pilot, lambda: "1 other console" in str(bar.render()), timeout=2)
        assert "1 other console" in str(bar.render())
        other.leave()
        room.housekeeping()
        await wait_until(pilot, lambda: "no other console" in str(bar.render()), timeout=2)
        assert "no other console" in str(bar.render())
