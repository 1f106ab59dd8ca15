"""The board in a running app (Pilot): the reason modal, the two-step confirmation for
critical controls, contain-workflow's plan, failures with retry, read-only seats, verbs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual.widgets import Input

from ircmd.backends.protocols import (
    ControllerCapabilities,
    ControllerError,
    ControlTarget,
)
from ircmd.domain.containment.controls import ControlRow, ControlState, Observation, RowHealth
from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.incidents.workflow import ControlKind
from ircmd.service import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.containment.board import ContainmentScreen
from ircmd.tui.screens.warroom.panes.containment import ContainmentPane
from ircmd.tui.screens.warroom.panes.containment_modals import (
    ContainmentPlanModal,
    ControlsAtModal,
    ToggleControlModal,
)
from tests.functional.containment_support import service, workspace
from tests.support.configs import NAME, PAUSE, REVIEW, control, support_refunds_toml
from tests.support.waiting import settle, wait_until

CONFIG = """
[controllers.flaky]
kind = "local"


""" + support_refunds_toml(
    PAUSE,
    REVIEW,
    control("refund-tool", "disable_tool", controller="flaky", tool="issue_refund"),
    name=NAME,
)

HOSTILE = "[@click=app.quit]x[/] [link=file:///etc/passwd]p \x1b]52;c;SGVsbG8=\x07 \x9b31m [/]"


class FakeController:
    """A controller whose answers the test scripts (slow, failing, hostile)."""

    kind = "fake"

    def __init__(self) -> None:
        self.name = "flaky"
        self.state = ControlState.OFF
        self.fail: str | None = None
        self.delay = 0.0

    def capabilities(self) -> ControllerCapabilities:
        return ControllerCapabilities(frozenset(ControlKind), True, "fake")

    async def apply(self, target: ControlTarget, desired: ControlState) -> dict[str, str]:
        await asyncio.sleep(self.delay)  # the behaviour under test: a slow controller
        if self.fail:
            raise ControllerError(self.fail, "server")
        self.state = desired
        return {}

    async def read(self, targets: Sequence[ControlTarget]) -> dict[str, Observation]:
        if self.fail:
            raise ControllerError(self.fail, "server")
        return {t.ref: Observation(self.state, "fake flag") for t in targets}

    async def aclose(self) -> None:
        return None


def make(tmp_path: Path, read_only: bool = False) -> tuple[Workspace, str, FakeController]:
    ws = workspace(tmp_path, CONFIG, read_only=False)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id="support-refunds", severity="high")
    ws.read_only = read_only
    fake = FakeController()
    svc = service(ws)
    svc.read_only = read_only
    svc.controllers["flaky"] = fake
    return ws, inc.id, fake


class BoardApp(IrcmdApp):
    """The app, opening the board full screen instead of the incident screen."""

    def __init__(self, ws: Workspace, incident_id: str) -> None:
        super().__init__(ws, open_incident=incident_id)

    def open_incident(self, incident_id: str) -> None:
        self.push_screen(ContainmentScreen(self.workspace, incident_id))


def pane(app: IrcmdApp) -> ContainmentPane:
    return app.screen.query_one(ContainmentPane)


def row(app: IrcmdApp, ref: str) -> ControlRow:
    return next(r for r in pane(app).board.rows_shown if r.id == ref)


def kinds(ws: Workspace, inc: str) -> list[EventKind]:
    return [e.kind for e in ws.incidents.timeline(inc)]


async def test_toggle_requires_a_reason_then_confirms(tmp_path: Path) -> None:
    ws, inc, _ = make(tmp_path)
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")  # review
        await pilot.press("t")
        assert isinstance(app.screen, ToggleControlModal)
        await pilot.press("enter")  # no reason
        assert isinstance(app.screen, ToggleControlModal)
        assert "reason is required" in str(app.screen.query_one("#containment-error").render())
        await pilot.press(*"route refunds to humans")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ToggleControlModal)
        r = row(app, "support-refunds/review")
        assert (r.desired, r.confirmed, r.health) == (
            ControlState.ON,
            ControlState.ON,
            RowHealth.OK,
        )
        assert r.reason == "route refunds to humans" and r.changed_by == "maria.ic"
        assert kinds(ws, inc)[-2:] == [
            EventKind.CONTAINMENT_REQUESTED,
            EventKind.CONTAINMENT_CONFIRMED,
        ]


async def test_critical_control_needs_the_workflow_id_typed_back(tmp_path: Path) -> None:
    ws, inc, _ = make(tmp_path)
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        before = kinds(ws, inc)
        await pilot.press("t")  # pause (critical)
        modal = app.screen
        assert isinstance(modal, ToggleControlModal)
        confirm = modal.query_one("#containment-confirm", Input)
        assert confirm.disabled  # step 2 only after the reason
        await pilot.press(*"stop refunds", "enter")
        assert not confirm.disabled and app.focused is confirm
        await pilot.press(*"support", "enter")  # wrong
        assert isinstance(app.screen, ToggleControlModal)
        assert "nothing was changed" in str(modal.query_one("#containment-error").render())
        assert kinds(ws, inc) == before
        await pilot.press(*"support-refunds", "enter")
        await settle(pilot)
        assert row(app, "support-refunds/pause").confirmed == ControlState.ON
        assert ws.incidents.get(inc).contained_at is not None


async def test_escape_cancels_without_a_trace(tmp_path: Path) -> None:
    ws, inc, _ = make(tmp_path)
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        before = kinds(ws, inc)
        await pilot.press("space", *"maybe", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ContainmentScreen)
        assert kinds(ws, inc) == before
        assert row(app, "support-refunds/pause").desired == ControlState.OFF


async def test_contain_workflow_shows_the_plan_first(tmp_path: Path) -> None:
    ws, inc, _ = make(tmp_path)
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        modal = app.screen
        assert isinstance(modal, ContainmentPlanModal)
        assert [str(s.ref) for s in modal.plan.to_engage] == [
            "support-refunds/pause",
            "support-refunds/review",
        ]
        summary = str(modal.query_one("#containment-plan-summary").render())
        assert "engage 2 control(s)" in summary
        assert kinds(ws, inc)[-1] == EventKind.DECLARED  # nothing ran yet
        await pilot.press(*"high severity: seed says pause", "enter")
        await pilot.press(*"support-refunds", "enter")
        await settle(pilot)
        for ref in ("support-refunds/pause", "support-refunds/review"):
            assert row(app, ref).confirmed == ControlState.ON
        assert kinds(ws, inc).count(EventKind.CONTAINMENT_CONFIRMED) == 2
        # Already contained: the plan has nothing left to do and says so.
        await pilot.press("c")
        assert isinstance(app.screen, ContainmentScreen)


async def test_failure_is_shown_offers_retry_and_keys_keep_working(tmp_path: Path) -> None:
    ws, inc, fake = make(tmp_path)
    fake.fail = "flaky: HTTP 503 " + HOSTILE
    fake.delay = 0.6
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")  # refund-tool (flaky controller)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, ToggleControlModal))
        await pilot.press(*"tool misfires", "enter")
        p = pane(app)
        assert "support-refunds/refund-tool" in p.inflight  # applying …
        await pilot.press("k")  # the UI still answers keys while the worker runs
        assert p.board.cursor_row == 1
        await settle(pilot)
        r = row(app, "support-refunds/refund-tool")
        assert r.health == RowHealth.FAILED and r.mismatch
        assert r.confirmed == ControlState.UNKNOWN
        status = str(app.screen.query_one("#containment-status").render())
        assert "NOT confirmed" in status and "press r to retry" in status
        assert "\x1b" not in status and "\x9b" not in status
        assert ws.incidents.timeline(inc)[-1].kind == EventKind.CONTAINMENT_FAILED
        # Retry once the backend is back.
        fake.fail = None
        fake.delay = 0
        await pilot.press("j", "r")
        await settle(pilot)
        r = row(app, "support-refunds/refund-tool")
        assert r.health == RowHealth.OK and r.confirmed == ControlState.ON
        assert r.reason == "retry: tool misfires"
        assert app.is_running  # hostile text never ran as markup


async def test_read_only_seat_cannot_toggle(tmp_path: Path) -> None:
    ws, inc, _ = make(tmp_path, read_only=True)
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        before = kinds(ws, inc)
        await pilot.press("t", "c", "r")
        await settle(pilot)
        assert isinstance(app.screen, ContainmentScreen)
        assert kinds(ws, inc) == before
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "toggle_control" not in shown and "contain_workflow" not in shown
        with pytest.raises(Exception, match="read-only"):
            pane(app).verb_contain("review --reason x")


async def test_verbs_contain_release_and_controls_at(tmp_path: Path) -> None:
    ws, inc, _ = make(tmp_path)
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        p = pane(app)
        assert "applying" in p.verb_contain("review --reason " + HOSTILE)
        await settle(pilot)
        assert row(app, "support-refunds/review").confirmed == ControlState.ON
        # Critical controls still go through the typed confirmation.
        assert "confirm in the dialog" in p.verb_contain("support-refunds/pause --reason stop")
        await settle(pilot)  # the warnings are read in a worker, then the dialog opens
        assert isinstance(app.screen, ToggleControlModal)
        await pilot.press("escape")
        p.verb_release("support-refunds/review --reason fixed")
        await settle(pilot)
        assert row(app, "support-refunds/review").confirmed == ControlState.OFF
        with pytest.raises(Exception, match="no control 'nope'"):
            p.verb_contain("nope --reason x")
        assert p.verb_controls_at("now").startswith("reading controls at")
        await settle(pilot)  # read in a worker; the modal and the count come back
        assert isinstance(app.screen, ControlsAtModal)
        assert p.message is not None and p.message.plain.startswith("0 control(s) active")
        await pilot.press("escape")
        assert app.is_running


async def test_the_toggle_modal_warns_while_an_art73_report_is_due(tmp_path: Path) -> None:
    from ircmd.service.regulatory.service import flag_incident

    ws, inc, _ = make(tmp_path)
    flag_incident(ws.incidents, inc, harm="fundamental-rights", member_state="DE")
    app = BoardApp(ws, inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "t")  # review
        assert isinstance(app.screen, ToggleControlModal)
        warnings = [str(w.render()) for w in app.screen.query(".containment-warning")]
        assert len(warnings) == 1 and "Art" in warnings[0]
        await pilot.press(*"humans first", "enter")  # the warning never blocks containment
        await settle(pilot)
        assert row(app, "support-refunds/review").confirmed == ControlState.ON
