"""Pilot against a REAL Unleash: apply a playbook from the war room's ``:`` line, open the
tasks, and watch the containment step turn done when Unleash confirms the control."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from textual.widgets import OptionList

from ircmd.service.config import parse_config
from ircmd.service.containment.service import ContainmentService
from ircmd.service.incidents.tasks import TaskService
from ircmd.service.workspace import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.commander.tasks import TasksScreen
from tests.support.waiting import wait_until

pytestmark = pytest.mark.services


async def test_containment_step_turns_done_on_real_confirmation(
    tmp_path: Path, unleash_admin: tuple[str, str]
) -> None:
    url, token = unleash_admin
    wf = "pbw-" + uuid.uuid4().hex[:8]
    config = parse_config(
        f"""
[controllers.flags]
kind = "unleash"
url = "{url}"
token_env = "IRCMD_TEST_UNLEASH_TOKEN"

[[workflows]]
id = "{wf}"

[[workflows.controls]]
id = "review"
kind = "force_human_review"
controller = "flags"
""",
        "<test>",
    )
    ws = Workspace.open(config, tmp_path / "data", actor="maria.ic")
    inc, _ = ws.incidents.declare("Wrong refund answers", workflow_id=wf, severity="high")
    tasks = TaskService(ws.incidents)
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        await pilot.press("colon", *"playbook customer-misinformation", "enter")
        step = await wait_until(
            pilot, lambda: tasks.board(inc.id).by_step("customer-misinformation", "review")
        )
        assert step.control == f"{wf}/review" and step.is_open
        await pilot.press("a")
        screen = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, TasksScreen) else None
        )
        options = screen.query_one(OptionList)

        def row_text() -> str:
            for i in range(options.option_count):
                text = str(options.get_option_at_index(i).prompt)
                if f" {step.id} " in text:
                    return text
            return ""

        await wait_until(pilot, lambda: "awaits on" in row_text(), what="awaiting the control")
        # ticking it by hand is refused on the status line
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == step.id
        )
        await pilot.press("space")
        status = screen.query_one("#tasks-status")
        await wait_until(pilot, lambda: "not ticked by hand" in str(status.render()))
        # the control is engaged through ircmd and confirmed by the real Unleash
        contain = ContainmentService.for_workspace(ws)
        result = await asyncio.to_thread(contain.contain, inc.id, f"{wf}/review", "humans")
        assert result.ok, result.error
        await wait_until(pilot, lambda: "confirmed on" in row_text(), what="confirmed by Unleash")
        assert row_text().startswith("[x]") and token not in row_text()
        contain.close()
    ws.close()
