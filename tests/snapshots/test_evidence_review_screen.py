"""Snapshots of the review screen (look at the SVG when it changes; do not regenerate blindly).

The incident carries hostile text (markup and escape sequences) that must show literally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from ircmd.domain.incidents.timeline import EventKind
from ircmd.tui.screens.evidence.review import ReviewScreen
from tests.evidence_fixtures import open_workspace, seed_incident
from tests.support.waiting import wait_until

HOSTILE = "[@click=app.quit]x[/] [link=file:///etc/passwd]y \x1b]52;c;SGVsbG8=\x07 \x9b31m [/]"


class ReviewApp(App[None]):
    CSS_PATH = Path(__file__).parents[2] / "src" / "ircmd" / "tui" / "ircmd.tcss"

    def __init__(self, workspace: Any) -> None:
        super().__init__()
        self.workspace = workspace

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.workspace, "INC-0001"))


@pytest.fixture
def review_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReviewApp:
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    ws.incidents.add_event(iid, EventKind.NOTE, f"hostile: {HOSTILE}")
    return ReviewApp(ws)


async def _loaded(pilot: Pilot[Any]) -> None:
    def loaded() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, ReviewScreen) and screen.review is not None

    await wait_until(pilot, loaded, what="the review screen loaded")


async def _still(pilot: Any) -> None:
    """Focus the key moments: no blinking text cursor, so the same picture every run."""
    pilot.app.screen.query_one("#review-moments").focus()
    await pilot.pause()
    await pilot.pause()


SIZES = [(80, 24), (100, 30), (160, 48), (200, 60)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_review_screen_sizes(
    review_app: ReviewApp, snap_compare: Any, size: tuple[int, int]
) -> None:
    """The loaded form at the four sizes of issue 13: it scrolls, the footer always shows."""

    async def run_before(pilot: Any) -> None:
        await _loaded(pilot)
        await _still(pilot)

    assert snap_compare(review_app, terminal_size=size, run_before=run_before)


def test_review_screen_refuses_an_incomplete_review(
    review_app: ReviewApp, snap_compare: Any
) -> None:
    async def run_before(pilot: Any) -> None:
        await _loaded(pilot)
        await pilot.press(*"Refund bot promised refunds [b]above[/b] the ceiling")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await _still(pilot)

    assert snap_compare(review_app, terminal_size=(160, 48), run_before=run_before)
