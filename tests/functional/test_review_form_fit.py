"""The review form at 100×30: impact fields with their titles whole; key-moment boxes
unmistakable marked vs unmarked in every built-in theme; the footer shown from the start."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer, Input

from ircmd.tui.widgets.incidents.key_moments import KeyMomentsList
from tests.evidence_fixtures import open_workspace, seed_incident
from tests.snapshots.test_evidence_review_screen import ReviewApp, _loaded


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReviewApp:
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    ws = open_workspace(tmp_path)
    seed_incident(ws)
    return ReviewApp(ws)


async def test_impact_fields_are_whole_at_100x30_and_the_footer_is_there(app: ReviewApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await _loaded(pilot)
        for key in ("people", "records", "money", "hours"):
            field = app.screen.query_one(f"#review-{key}", Input)
            # the border title and a few digits fit inside the field
            assert field.size.width >= len(key) + 6, (key, field.size)
        footer = app.screen.query_one(Footer)
        assert footer.region.height == 1 and footer.children  # shown before any key


async def test_marked_and_unmarked_moments_differ_in_every_theme(app: ReviewApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await _loaded(pilot)
        moments = app.screen.query_one(KeyMomentsList)
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            off = moments.get_component_rich_style("selection-list--button")
            on = moments.get_component_rich_style("selection-list--button-selected")
            assert off.color == off.bgcolor, theme  # an empty box: no faint X
            assert on.bgcolor != off.bgcolor and on.color != on.bgcolor, theme
            assert on.bold, theme
