"""In the TUI, a note typed while the store fails and typed again once it works is on the
timeline once (the console reuses the line's client id); when the commit's outcome is unknown
the console says it *may not have been saved*, checks by the client id and says which it was
(never "nothing saved"); a retried declare, typed or from a signal, opens one incident."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import IncidentService, Workspace
from ircmd.service.config import parse_config
from ircmd.store.base import StoreUnavailable
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


async def test_a_note_whose_commit_ack_was_lost_is_found_saved_after_all(
    isolated_dirs: Path, step_clock: object
) -> None:
    ws, flaky = workspace(isolated_dirs, step_clock)
    inc, _ = ws.incidents.declare("payments 500s")
    flaky.writes = 0
    flaky.fail, flaky.landed = 1, True  # the first commit lands but its ack is lost
    app = IrcmdApp(ws, open_incident=inc.id)
    said: list[str] = []
    async with app.run_test(size=(160, 30)) as pilot:
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        await pilot.press("n", *"refunds paused", "enter")

        def seen() -> bool:
            said.append(feedback(app))
            return "saved after all" in said[-1]

        await wait_until(pilot, seen, what="the check's answer")
        assert "note added: saved after all (found by its client id)" in said[-1]
        assert not any("nothing saved" in s for s in said)
        await wait_until(pilot, lambda: timeline.events[-1].text == "refunds paused")
        assert flaky.writes == 1 and len(ws.incidents.pending) == 0  # settled, no retype
    notes = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.NOTE]
    assert [n.text for n in notes] == ["refunds paused"]
    assert ws.incidents.verify() == []


async def test_a_note_whose_commit_outcome_is_unknown_and_did_not_land_says_so(
    isolated_dirs: Path, step_clock: object
) -> None:
    ws, flaky = workspace(isolated_dirs, step_clock)
    inc, _ = ws.incidents.declare("payments 500s")
    flaky.writes = 0
    flaky.fail, flaky.unknown = 1, True  # cut while committing; nothing landed
    app = IrcmdApp(ws, open_incident=inc.id)
    async with app.run_test(size=(160, 30)) as pilot:
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        await pilot.press("n", *"refunds paused", "enter")
        await wait_until(pilot, lambda: "was not saved" in feedback(app), what="the answer")
        assert "note added was not saved (checked by its client id); : then ↑ retries" in (
            feedback(app)
        )
        await pilot.press("n", *"refunds paused", "enter")  # retyped: the same line
        await wait_until(pilot, lambda: "note added" in feedback(app), what="the retry's ✔")
        await wait_until(pilot, lambda: timeline.events[-1].text == "refunds paused")
    notes = [e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.NOTE]
    assert len(notes) == 1 and flaky.writes == 2


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


def notices(app: IrcmdApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize("landed", [False, True], ids=["not-landed", "ack-lost"])
async def test_a_declare_whose_commit_outcome_is_unknown_results_in_one_incident(
    isolated_dirs: Path, step_clock: object, landed: bool
) -> None:
    ws, flaky = workspace(isolated_dirs, step_clock)
    flaky.fail, flaky.landed, flaky.unknown = 1, landed, True
    app = IrcmdApp(ws)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "IncidentsScreen")
        await pilot.press("n")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DeclarePrompt")
        await pilot.press(*"payments 500s", "enter")
        await wait_until(
            pilot,
            lambda: any("may not have been saved; checking" in n for n in notices(app)),
            what="the unknown outcome",
        )
        if landed:  # found by its client id: the war room opens on it
            await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
            assert any("saved after all" in n for n in notices(app))
        else:
            await wait_until(
                pilot,
                lambda: any("the declare was not saved" in n for n in notices(app)),
                what="the check's answer",
            )
            assert len(ws.incidents.list_incidents()) == 0
            await pilot.press("n")  # declared again: the same line, stored once
            await wait_until(pilot, lambda: type(app.screen).__name__ == "DeclarePrompt")
            await pilot.press(*"payments 500s", "enter")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        assert not any("nothing saved" in n for n in notices(app))
    assert [i.title for i in ws.incidents.list_incidents()] == ["payments 500s"]
    assert ws.incidents.verify() == []


async def test_a_declare_from_a_signal_retried_after_a_failed_commit_is_one_incident(
    isolated_dirs: Path, step_clock: object
) -> None:
    from datetime import UTC, datetime

    from ircmd.domain.signals.signals import Signal
    from ircmd.service.signals.service import SignalService

    ws, flaky = workspace(isolated_dirs, step_clock)
    ws.signals = SignalService(flaky, ws.incidents, ws.config, sources=[])
    sig = Signal(
        source="am",
        fingerprint="f00d",
        labels={"alertname": "RefundSpike", "severity": "critical"},
        starts_at=datetime(2026, 3, 1, 11, 58, tzinfo=UTC),
    )
    flaky.fail, flaky.landed = 1, True  # the first commit lands but its ack is lost
    with pytest.raises(StoreUnavailable):
        ws.signals.declare_from_signal(sig, line=ws.signals.declare_line(sig, "t", "high", ""))
    again = ws.signals.declare_line(sig, "t", "high", "")
    inc, events = ws.signals.declare_from_signal(sig, line=again)
    assert [i.id for i in ws.incidents.list_incidents()] == [inc.id]
    assert [e.kind for e in events] == [EventKind.SIGNAL, EventKind.DECLARED]
