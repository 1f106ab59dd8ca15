"""``:export``, ``:eval add`` and ``:review`` from the war room's command line (runs once the
war room's command line is merged; skipped on a branch without it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "ircmd.tui.screens.warroom.verbs", reason="the war room's : command line is not merged"
)

from ircmd.domain.incidents.timeline import EventKind
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.evidence.review import ReviewScreen
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.evidence_fixtures import open_workspace, seed_incident
from tests.support.waiting import shown, wait_until


async def _settle(pilot: Any, until: Any) -> None:
    await wait_until(pilot, until, timeout=5)


async def test_verbs_in_the_war_room(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, digests = seed_incident(ws)
    app = IrcmdApp(ws, open_incident=iid)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: timeline.events, what="the timeline loaded")
        out = tmp_path / "pkg"
        await pilot.press("colon")
        await pilot.press(*f"export {out} --profile external")
        await pilot.press("enter")
        await _settle(pilot, lambda: (out / "manifest.json").exists())
        assert (out / "manifest.json").exists()
        await pilot.press("colon")
        await pilot.press(*f"eval add {digests[0][:10]} Refuse refunds above the ceiling")
        await pilot.press("enter")

        def added() -> bool:
            return ws.incidents.timeline(iid)[-1].text.startswith("Eval case added")

        await _settle(pilot, added)
        assert added()
        await pilot.press("colon")
        await pilot.press(*"regulatory death DE --persons 1")
        await pilot.press("enter")

        def flagged() -> bool:
            return ws.store.get_doc("regulatory", iid) is not None

        await _settle(pilot, flagged)
        assert flagged()
        await pilot.press("colon")
        await pilot.press(*"review")
        await pilot.press("enter")
        await _settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert isinstance(app.screen, ReviewScreen)
    kinds = [e.kind for e in ws.incidents.timeline(iid)]
    assert EventKind.EXPORT in kinds
    ws.close()
