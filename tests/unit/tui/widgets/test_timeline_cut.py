"""A timeline row longer than the pane ends with ``…`` (issue 13: rows were cut bare)."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App, ComposeResult

from ircmd.domain.incidents.timeline import EventKind, new_event
from ircmd.tui.widgets.incidents.timeline import TimelineView


class _One(App[None]):
    def compose(self) -> ComposeResult:
        yield TimelineView(id="timeline")


async def test_a_long_row_ends_with_an_ellipsis_a_short_one_does_not() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    long = new_event(
        incident_id="INC-0001",
        prev=None,
        kind=EventKind.NOTE,
        at=at,
        author="a",
        text="harm to health " * 20,
    )
    short = new_event(
        incident_id="INC-0001", prev=long, kind=EventKind.NOTE, at=at, author="a", text="ok"
    )
    app = _One()
    async with app.run_test(size=(80, 10)) as pilot:
        view = app.query_one(TimelineView)
        view.set_events([long, short])
        await pilot.pause()
        first = view.render_line(0).text
        second = view.render_line(1).text
        assert first.rstrip().endswith("…")
        assert len(first) == view.size.width
        assert "…" not in second
