"""In the TUI, a note typed while the store fails and typed again once it works is on the
timeline once (the console reuses the line's client id), even when the failed commit did
land; a retried declare opens one incident."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import IncidentService, Workspace
from ircmd.service.config import parse_config
from ircmd.store.tinydb.store import TinyDBIncidentStore
from ircmd.tui.app import IrcmdApp
from ircmd.tui.widgets.incidents.timeline import TimelineView
from tests.store.test_typed_line_retry import FlakyStore
from tests.support.waiting import shown, wait_until


def workspace(data: Path, clock: object) -> tuple[Workspace, FlakyStore]:
    flaky = FlakyStore(TinyDBIncidentStore(data))
    svc = IncidentService(store=flaky, actor="tester", clock=clock)  # type: ignore[arg-type]
    ws = Workspace(
        config=parse_config(""),
        data_dir=data,
        store=flaky,
        incidents=svc,
    )
    return ws, flaky


def feedback(app: IrcmdApp) -> str:
    return str(app.screen.query_one("#cmd-feedback", Static).render())


async def test_note_retyped_after_a_lost_commit_ack_is_stored_once(
    isolated_dirs: Path, step_clock: object
) -> None:
    ws, flaky = workspace(isolated_dirs, step_clock)
    inc, _ = ws.incidents.declare("payments 500s")
    flaky.writes = 0
    flaky.fail, flaky.landed = 1, True  # the first commit lands but its ack is lost
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        await pilot.press("n", *"refunds paused", "enter")
        await wait_until(pilot, lambda: "outcome unknown" in feedback(app), what="the error")
        assert flaky.writes == 1
        await pilot.press("n", *"refunds paused", "enter")  # the responder types it again
        await wait_until(pilot, lambda: "note added" in feedback(app), what="the retry's ✔")
        await wait_until(pilot, lambda: timeline.events[-1].text == "refunds paused")
        assert flaky.writes == 1  # the retry found the landed write and wrote nothing
    notes = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.NOTE]
    assert [n.text for n in notes] == ["refunds paused"]
    assert ws.incidents.verify() == []


async def test_note_retyped_after_a_failed_commit_is_stored_once(
    isolated_dirs: Path, step_clock: object
) -> None:
    ws, flaky = workspace(isolated_dirs, step_clock)
    inc, _ = ws.incidents.declare("payments 500s")
    flaky.writes = 0
    flaky.fail, flaky.landed = 1, False
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        await pilot.press("n", *"refunds paused", "enter")
        await wait_until(pilot, lambda: "nothing saved" in feedback(app), what="the error")
        await pilot.press("n", *"refunds paused", "enter")
        await wait_until(pilot, lambda: "note added" in feedback(app), what="the retry's ✔")
        first_line = ws.incidents.pending  # settled: nothing pending any more
        assert len(first_line) == 0
        await pilot.press("n", *"refunds paused", "enter")  # typed anew: a second note
        await wait_until(
            pilot,
            lambda: sum(e.kind == EventKind.NOTE for e in timeline.events) == 2,
            what="the second, deliberate copy",
        )
    assert flaky.writes == 3
    notes = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.NOTE]
    assert len({n.data["client_id"] for n in notes}) == 2
