"""The review screen, driven from the keyboard: nothing typed is lost, completing a review
moves the incident to reviewed, a bad field is named, read-only hides saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from ircmd.domain.incidents.incident import Status
from ircmd.service.evidence.review import load_review
from ircmd.tui.screens.evidence.review import ReviewScreen
from tests.evidence_fixtures import open_workspace, seed_incident
from tests.support.waiting import settle, wait_until


class ReviewApp(App[None]):
    CSS_PATH = Path(__file__).parents[2] / "src" / "ircmd" / "tui" / "ircmd.tcss"

    def __init__(self, workspace: Any, read_only: bool = False) -> None:
        super().__init__()
        self.workspace = workspace
        self.read_only = read_only
        self.messages: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.workspace, "INC-0001"))

    def notify(self, message: str, **kw: Any) -> None:
        self.messages.append(message)
        super().notify(message, **kw)


async def _loaded(pilot: Pilot[Any]) -> ReviewScreen:
    def loaded() -> ReviewScreen | None:
        screen = pilot.app.screen
        return screen if isinstance(screen, ReviewScreen) and screen.review is not None else None

    return await wait_until(pilot, loaded, what="the review screen loaded")


async def test_escape_saves_a_draft_so_nothing_typed_is_lost(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    app = ReviewApp(ws)
    async with app.run_test(size=(160, 48)) as pilot:
        await _loaded(pilot)
        await pilot.press(*"half-written summary")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ReviewScreen))
    assert load_review(ws.incidents, iid).summary == "half-written summary"
    assert ws.incidents.get(iid).status == Status.RESOLVED
    ws.close()


async def test_complete_review_from_the_keyboard(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    app = ReviewApp(ws)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _loaded(pilot)
        await pilot.press(*"Refund bot promised refunds above the ceiling")
        screen.query_one("#review-root_cause", Select).value = "prompt_design"
        screen.query_one("#review-actions", TextArea).load_text(
            "Add ceiling eval | bob | 2026-13-01"
        )
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: any("due date" in m for m in app.messages))
        assert "action line 1: due date '2026-13-01' is not YYYY-MM-DD" in app.messages[-1]
        # what was typed is still there; fix the date and complete
        assert screen.query_one("#review-summary", TextArea).text.startswith("Refund bot")
        screen.query_one("#review-actions", TextArea).load_text(
            "Add ceiling eval | bob | 2026-12-01"
        )
        screen.query_one("#review-people", Input).value = "37"
        moments = screen.query_one("#review-moments")
        moments.focus()
        await pilot.press("space")  # toggle the first key moment off
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: ws.incidents.get(iid).status == Status.REVIEWED)
    review = load_review(ws.incidents, iid)
    assert review.final and review.root_cause is not None and review.impact.people == 37
    assert review.actions[0].owner == "bob"
    assert 1 not in review.key_moments
    ws.close()


async def test_bad_impact_number_is_named(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    seed_incident(ws)
    app = ReviewApp(ws)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _loaded(pilot)
        screen.query_one("#review-records", Input).value = "2.5"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(app.messages))
    assert app.messages[-1] == "impact records: '2.5' is not a whole number"
    ws.close()


async def test_read_only_seat_cannot_save(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    before = len(ws.incidents.timeline(iid))
    app = ReviewApp(ws, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _loaded(pilot)
        await pilot.press(*"typed in a read-only seat")
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        await settle(pilot)  # whatever those keys started has run (and written nothing)
        assert screen.check_action("save", ()) is False
    assert len(ws.incidents.timeline(iid)) == before
    ws.close()


async def test_another_console_writing_refreshes_moments_not_the_form(tmp_path: Path) -> None:
    from ircmd.domain.incidents.timeline import EventKind
    from ircmd.tui.messages import StoreChanged
    from ircmd.tui.widgets.incidents.key_moments import KeyMomentsList

    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    app = ReviewApp(ws)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _loaded(pilot)
        await pilot.press(*"my unsaved words")
        ev = ws.incidents.add_event(iid, EventKind.CONTAINMENT_CONFIRMED, "Confirmed: pause on")
        note = ws.incidents.note(iid, "a later note")
        screen.post_message(StoreChanged())
        moments = screen.query_one(KeyMomentsList)
        await wait_until(pilot, lambda: note.seq in moments.seqs)
        assert ev.seq in moments.marked and note.seq not in moments.marked
        assert screen.query_one("#review-summary", TextArea).text == "my unsaved words"
    ws.close()
