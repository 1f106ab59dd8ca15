"""The look of the containment board: grouped rows, a confirmed switch, drift, a failure,
a local (not enforced) switch, and hostile text shown literally, at the four sizes of issue 13
(80×24, 100×30, 160×48, 200×60)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot

from ircmd.backends.protocols import ControllerCapabilities, ControllerError, ControlTarget
from ircmd.domain.containment.controls import ControlState, Observation
from ircmd.domain.incidents.workflow import ControlKind
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.service.containment.service import ContainmentService
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.containment.board import ContainmentScreen
from tests.snapshots.settle import settle
from tests.support.snapshots import SnapCompare

NOW = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
CONFIG = """
[controllers.flags]
kind = "local"

[[workflows]]
id = "support-refunds"
name = "Support refunds assistant"

[[workflows.controls]]
id = "pause"
kind = "pause_workflow"
controller = "flags"
critical = true

[[workflows.controls]]
id = "human-review"
kind = "force_human_review"
controller = "flags"

[[workflows.controls]]
id = "refund-tool"
kind = "disable_tool"
controller = "flags"
tool = "issue_refund"

[[workflows.controls]]
id = "policy-index"
kind = "block_source"
controller = "flags"
source = "kb-refund-policy-v7"

[[workflows]]
id = "kb-assistant"

[[workflows.controls]]
id = "block-internal-notes"
kind = "block_source"
source = "internal-notes"
"""


class ScriptedFlags:
    kind = "scripted"
    name = "flags"

    def __init__(self) -> None:
        self.states: dict[str, ControlState] = {}
        self.broken: set[str] = set()

    def capabilities(self) -> ControllerCapabilities:
        return ControllerCapabilities(frozenset(ControlKind), True, "scripted flags")

    async def apply(self, target: ControlTarget, desired: ControlState) -> dict[str, str]:
        if target.ref in self.broken:
            raise ControllerError("flags: POST …/refund-tool/on → HTTP 503", "server")
        self.states[target.ref] = desired
        return {}

    async def read(self, targets: Sequence[ControlTarget]) -> dict[str, Observation]:
        return {
            t.ref: Observation(
                self.states.get(t.ref, ControlState.OFF),
                f"flag {t.ref.replace('/', '.')} in production",
            )
            for t in targets
        }

    async def aclose(self) -> None:
        return None


def seed(data: Path) -> tuple[Workspace, str]:
    config = parse_config(CONFIG)
    ws = Workspace.open(config, data, actor="maria.ic")
    minutes = iter([47, 40, 30, 12, 11, 3])

    def clock() -> datetime:
        return NOW - timedelta(minutes=next(minutes, 2))

    ws.incidents.clock = clock
    inc, _ = ws.incidents.declare(
        "Support assistant promising refunds outside policy",
        workflow_id="support-refunds",
        severity="high",
    )
    svc = ContainmentService.for_workspace(ws)
    svc.clock = clock
    flags = ScriptedFlags()
    flags.broken.add("support-refunds/refund-tool")
    svc.controllers["flags"] = flags

    svc.contain(inc.id, "support-refunds/pause", "refunds outside policy")
    svc.contain(inc.id, "support-refunds/human-review", "customers see it")
    svc.contain(inc.id, "support-refunds/refund-tool", "issue_refund called 41 times")
    svc.contain(
        inc.id,
        "kb-assistant/block-internal-notes",
        "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07 [/]",
    )
    flags.states["support-refunds/human-review"] = ControlState.OFF  # flipped outside

    return ws, inc.id


class SnapApp(IrcmdApp):
    def __init__(self, ws: Workspace, incident_id: str) -> None:
        super().__init__(ws, open_incident=incident_id)

    def open_incident(self, incident_id: str) -> None:
        self.push_screen(ContainmentScreen(self.workspace, incident_id))

    def status_text(self) -> Text:
        return Text(" store <tmp>   as maria.ic", style="dim")


SIZES = [(80, 24), (100, 30), (160, 48), (200, 60)]


@pytest.mark.skipif(sys.platform == "win32", reason="terminal snapshots")
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_board_sizes(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    ws, inc = seed(tmp_path)
    ws.incidents.clock = lambda: NOW

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)

    assert snap_compare(SnapApp(ws, inc), terminal_size=size, run_before=run_before)
