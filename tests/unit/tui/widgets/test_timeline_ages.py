"""Relative times: a tick redraws only the rows whose age label moved, and every row shows
its new age (issue 13: the whole pane was repainted every 5 s, most of an idle war room's
CPU)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult

from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event
from ircmd.tui.widgets.incidents.timeline import TimelineView

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class _One(App[None]):
    def compose(self) -> ComposeResult:
        view = TimelineView(id="timeline")
        view.set_reactive(TimelineView.relative, True)
        yield view


def _events() -> list[TimelineEvent]:
    out: list[TimelineEvent] = []
    for n, seconds in enumerate((3600 + 5, 600 + 50, 120)):
        prev = out[-1] if out else None
        at = NOW - timedelta(seconds=seconds)
        out.append(
            new_event(
                incident_id="INC-0001",
                prev=prev,
                kind=EventKind.NOTE,
                at=at,
                author="a",
                text=f"note {n}",
            )
        )
    return out


async def test_a_tick_redraws_the_rows_whose_age_moved_with_their_new_age() -> None:
    app = _One()
    async with app.run_test(size=(80, 10)) as pilot:
        view = app.query_one(TimelineView)
        view.set_now(NOW)
        view.set_events(_events())
        await pilot.pause()
        before = [view.render_line(i).text for i in range(3)]
        assert "1h00m" in before[0] and "10m" in before[1] and "2m" in before[2]
        cached = set(view._cache)
        view.set_now(NOW + timedelta(seconds=20))  # 10m50s → 11m10s: only row 1 moves
        assert set(view._cache) == cached - {1}
        await pilot.pause()
        after = [view.render_line(i).text for i in range(3)]
        assert after[0] == before[0] and after[2] == before[2]
        assert "11m" in after[1]
        view.set_now(NOW + timedelta(minutes=5))
        await pilot.pause()
        assert "7m" in view.render_line(2).text and "1h05m" in view.render_line(0).text
