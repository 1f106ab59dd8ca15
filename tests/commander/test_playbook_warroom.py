"""Pilot: ``:playbook NAME`` in the war room (tab-completed) adds the steps as tasks, once;
the containment step turns done when the control is confirmed."""

from __future__ import annotations

from pathlib import Path

from ircmd.service.config import parse_config
from ircmd.service.containment.service import ContainmentService
from ircmd.service.incidents.tasks import TaskService
from ircmd.service.workspace import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.widgets.command_line import CommandLine
from tests.support.configs import PAUSE, REVIEW, support_refunds_toml
from tests.support.waiting import wait_until


async def test_playbook_verb_completes_and_applies_once(tmp_path: Path) -> None:
    config = parse_config(support_refunds_toml(PAUSE, REVIEW), "<test>")
    ws = Workspace.open(config, tmp_path / "data", actor="alice")
    inc, _ = ws.incidents.declare("Wrong refund answers", workflow_id="support-refunds")
    svc = TaskService(ws.incidents)
    before = len(svc.tasks(inc.id))
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        await pilot.press("colon", *"playbook cust", "tab")
        line = app.screen.query_one(CommandLine)
        await wait_until(pilot, lambda: line.value == "playbook customer-misinformation ")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(svc.tasks(inc.id)) == before + 7, what="7 tasks")
        await pilot.press("colon", *"playbook customer-misinformation", "enter")
        await wait_until(
            pilot, lambda: not app.screen.query_one("#cmdline-row").display, what="ran"
        )
        await app.workers.wait_for_complete()
        assert len(svc.tasks(inc.id)) == before + 7  # applying twice adds nothing
        step = svc.board(inc.id).by_step("customer-misinformation", "review")
        assert step is not None and step.is_open and step.control == "support-refunds/review"
        contain = ContainmentService.for_workspace(ws)
        assert contain.contain(inc.id, "support-refunds/review", "humans check").ok
        contain.close()
        done = svc.board(inc.id).by_step("customer-misinformation", "review")
        assert done is not None and not done.is_open
    ws.close()
