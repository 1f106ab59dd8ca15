"""The app's store poll slows down while nothing changes and speeds up on a change."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from ircmd.domain.config import Config
from ircmd.service import Workspace
from ircmd.tui.app import IrcmdApp, StoreChecked
from tests.support.waiting import wait_until

from .warroom_support import make_workspace


async def test_idle_poll_backs_off_and_a_write_brings_the_fast_rate_back(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    app = IrcmdApp(ws)
    changes: list[float] = []

    def hook(message: Message) -> None:
        if isinstance(message, StoreChecked) and message.changed:
            changes.append(app._poll_wait)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await wait_until(
            pilot,
            lambda: app._poll_wait == app.POLL_MAX_SECONDS,
            10,
            what="the poll backed off to its slowest rate",
        )
        other = Workspace.open(Config.model_validate({}), tmp_path, actor="other")
        other.incidents.note("INC-0001", "written by another console")
        other.close()
        seen = len(changes)
        await wait_until(pilot, lambda: len(changes) > seen, 10, what="the change seen")
        await wait_until(
            pilot, lambda: app._poll_wait < app.POLL_MAX_SECONDS, 10, what="fast poll again"
        )
