"""The timeline: one line per event, drawn with the Line API so 10k events stay instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ircmd.domain.incidents.incident import format_age
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.domain.text import one_line
from ircmd.tui.widgets.styles import EVENT_STYLE

# Kind labels for narrow panes (at most 9 cells).
SHORT_KIND = {
    "status_change": "status",
    "severity_change": "severity",
    "classification": "class",
    "role_change": "role",
    "containment_requested": "contain?",
    "containment_confirmed": "contained",
    "containment_failed": "contain✖",
    "containment_drift": "drift",
    "containment_drift_cleared": "drift✔",
    "evidence_pinned": "evidence",
    "communication": "comms",
}
COMPACT_BELOW = 100
"""Panes narrower than this many cells get the compact line layout."""


class TimelineView(ScrollView, can_focus=True):
    """Renders events handed down to it; never reads the store."""

    DEFAULT_CSS = """
    TimelineView { height: 1fr; overflow-x: hidden; }
    TimelineView > .timeline--cursor { background: $accent 40%; }
    """
    COMPONENT_CLASSES = {"timeline--cursor"}

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="timeline.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="timeline.up"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="timeline.pagedown"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="timeline.pageup"),
        Binding("g,home", "jump(0)", "First", show=False, id="timeline.first"),
        Binding("G,end", "jump(-1)", "Last", show=False, id="timeline.last"),
        Binding("enter", "open", "Read entry", show=False, id="timeline.open"),
        Binding("right,l", "scroll_by(8)", "Scroll right", show=False, id="timeline.right"),
        Binding("left,h", "scroll_by(-8)", "Scroll left", show=False, id="timeline.left"),
        Binding("T", "toggle_time", "Rel/abs time", show=False, id="timeline.time"),
        Binding("Z", "toggle_zone", "UTC/local", show=False, id="timeline.zone"),
        Binding("w", "toggle_wrap", "Wrap rows", show=False, id="timeline.wrap"),
    ]

    cursor: reactive[int] = reactive(-1, init=False, repaint=False)  # watch_cursor repaints
    relative: reactive[bool] = reactive(False, init=False)
    utc: reactive[bool] = reactive(True, init=False)
    wrap: reactive[bool] = reactive(False, init=False)
    """``w``: each row wrapped to the pane's width (long rows take several lines)."""

    @dataclass
    class Highlighted(Message):
        event: TimelineEvent

    @dataclass
    class Opened(Message):
        """``enter`` on a row: read it in full."""

        event: TimelineEvent

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._events: list[TimelineEvent] = []
        self._cache: dict[int, Text] = {}
        self._strips: dict[tuple[int, bool, int, int, object], Strip] = {}
        self._frame_style: Style | None = None
        self._seg_cache: dict[int, list[tuple[str, Style | None]]] = {}
        self._follow = True
        self._compact = False
        self._wrapped: list[list[Strip]] | None = None  # wrap mode: each event's lines
        self._starts: list[int] = []  # wrap mode: each event's first line
        self._line_index: list[tuple[int, int]] = []  # wrap mode: line → (event, its line)
        self._wrap_width = 0
        self.now: datetime = datetime.now(UTC)

    def on_resize(self) -> None:
        compact = 0 < self.size.width < COMPACT_BELOW
        if compact != self._compact:
            self._compact = compact
            self._invalidate()
            self._resize()
            self.refresh()
        elif self.wrap and self._row_width() != self._wrap_width:
            self._resize()  # rows wrap to the new width
            self.refresh()
        # a new height (maximise, restore) keeps the cursor's row in view, not the top
        if 0 <= self.cursor < len(self._events):
            self.call_after_refresh(self._keep_cursor_in_view)

    def _keep_cursor_in_view(self) -> None:
        if 0 <= self.cursor < len(self._events):
            self.scroll_to_region_y(self.cursor)

    @property
    def events(self) -> list[TimelineEvent]:
        return self._events

    def set_events(self, events: list[TimelineEvent]) -> None:
        """Replace the events (e.g. a new incident, or a filter)."""
        self._events = list(events)
        self._invalidate()
        self._resize()
        self.cursor = len(self._events) - 1 if self._events else -1
        self.scroll_end(animate=False)

    def append_events(self, events: list[TimelineEvent]) -> None:
        """Add new events at the end; follows the tail when the cursor was on the last line."""
        if not events:
            return
        at_end = self.cursor >= len(self._events) - 1
        self._events.extend(events)
        self._resize()
        if at_end and self._follow:
            self.cursor = len(self._events) - 1
        self.refresh()

    def _resize(self) -> None:
        if self.wrap:
            self._wrap_all()
            self.virtual_size = Size(self._row_width(), len(self._line_index))
            return
        width = max(
            (
                len(self._line_text(i))
                for i in range(max(0, len(self._events) - 200), len(self._events))
            ),
            default=0,
        )
        self.virtual_size = Size(max(width, self.size.width), len(self._events))

    def _line_text(self, index: int) -> Text:
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        ev = self._events[index]
        compact = self._compact
        if self.relative:
            when = f"{format_age((self.now - ev.at).total_seconds()):>6}"
        elif compact:
            when = (ev.at if self.utc else ev.at.astimezone()).strftime("%H:%M:%S")
        elif self.utc:
            when = ev.at.strftime("%m-%d %H:%M:%SZ")
        else:
            when = ev.at.astimezone().strftime("%m-%d %H:%M:%S")
        style = EVENT_STYLE.get(ev.kind.value, "")
        text = Text(no_wrap=True)
        if compact:
            text.append(f"{ev.seq:>3} ", "dim")
            text.append(f"{when} ", "dim")
            label = SHORT_KIND.get(ev.kind.value, ev.kind.value)
            label = label if len(label) <= 9 else label[:8] + "…"  # a label, never cut bare
            text.append(f"{label:<9} ", style or "bold")
            text.append(f"{one_line(ev.author, 10):<10} ", "italic")
        else:
            text.append(f"{ev.seq:>5} ", "dim")
            text.append(f"{when:<15} ", "dim")
            text.append(f"{ev.kind.label:<21} ", style or "bold")
            text.append(f"{one_line(ev.author, 14):<14} ", "italic")
        audience = ev.data.get("audience") if ev.kind.value == "communication" else None
        if audience:
            text.append(f"→ {one_line(audience, 24)}: ", "bold")
        text.append(one_line(ev.text))
        self._cache[index] = text
        return text

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style  # once per paint, not once per line
        return super().render_lines(crop)

    def _wrap_all(self) -> None:
        """Wrap mode: every event's row wrapped to the width (cursor style added at paint)."""
        width = max(10, self._row_width())
        self._wrap_width = self._row_width()
        lines: list[list[Strip]] = []
        self._starts = []
        total = 0
        for index in range(len(self._events)):
            text = self._line_text(index).copy()
            text.no_wrap = False
            strips = [
                Strip(line).extend_cell_length(width).crop(0, width)
                for line in self.app.console.render_lines(
                    text, self.app.console.options.update_width(width), pad=False
                )
            ] or [Strip.blank(width)]
            self._starts.append(total)
            total += len(strips)
            lines.append(strips)
        self._wrapped = lines
        self._line_index = [(i, n) for i, strips in enumerate(lines) for n in range(len(strips))]

    def _render_wrapped(self, y: int) -> Strip:
        width = self._row_width()
        base = self._frame_style or self.rich_style
        line = self.scroll_offset.y + y
        if self._wrapped is None:  # invalidated (time format, new events): wrap again
            self._resize()
        if self._wrapped is None or line >= len(self._line_index):
            return Strip.blank(width, base)
        index, sub = self._line_index[line]
        if index == self.cursor:
            base = base + self.get_component_rich_style("timeline--cursor")
        return self._wrapped[index][sub].apply_style(base)

    def _event_lines(self, index: int) -> tuple[int, int]:
        """The first line of event ``index`` and how many it takes (1 unless wrapping)."""
        if self.wrap and self._wrapped is not None and index < len(self._wrapped):
            return self._starts[index], len(self._wrapped[index])
        return index, 1

    def render_line(self, y: int) -> Strip:
        if self.wrap:
            return self._render_wrapped(y)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self._row_width()
        base = self._frame_style or self.rich_style
        if index >= len(self._events):
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        key = (index, is_cursor, scroll_x, width, base)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        if is_cursor:
            base = base + self.get_component_rich_style("timeline--cursor")
        segments = [
            Segment(text, base + style if style else base) for text, style in self._segments(index)
        ]
        full = Strip(segments)
        if full.cell_length > scroll_x + width and width > 1:
            # a row longer than the pane ends with … (it is cut here, not finished)
            strip = full.crop(scroll_x, scroll_x + width - 1)
            strip = Strip([*strip, Segment("…", base)]).extend_cell_length(width, base)
        else:
            strip = full.crop(scroll_x, scroll_x + width).extend_cell_length(width, base)
        if len(self._strips) > 4 * max(64, self.size.height):
            self._strips.clear()
        self._strips[key] = strip
        return strip

    def _row_width(self) -> int:
        """The cells a row has: the pane's width less the vertical scrollbar (a row drawn
        under the scrollbar lost its last cells, and with them the ``…`` that says it is cut)."""
        return self.scrollable_content_region.width or self.size.width

    def _segments(self, index: int) -> list[tuple[str, Style | None]]:
        """The line's rendered pieces, computed once per event (styles parsed once)."""
        cached = self._seg_cache.get(index)
        if cached is None:
            rendered = self._line_text(index).render(self.app.console)
            cached = [(seg.text, seg.style) for seg in rendered]
            self._seg_cache[index] = cached
        return cached

    def _invalidate(self) -> None:
        self._cache.clear()
        self._seg_cache.clear()
        self._strips.clear()
        self._wrapped = None

    # -- actions --------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        top_before = self.scroll_offset.y
        if 0 <= new < len(self._events):
            self.scroll_to_region_y(new)
            self.post_message(self.Highlighted(self._events[new]))
        if self.wrap:
            self.refresh()
        elif self.scroll_offset.y == top_before:
            # Only two lines changed: repaint just those.
            for index in (old, new):
                if 0 <= index - top_before < self.size.height:
                    self.refresh_line(index)
        else:
            self.refresh()

    def scroll_to_region_y(self, index: int) -> None:
        first, count = self._event_lines(index)
        top = self.scroll_offset.y
        height = self.size.height or 1
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif first + count > top + height:
            self.scroll_to(y=max(first, first + count - height), animate=False)

    def watch_relative(self) -> None:
        self._invalidate()
        self.refresh()

    def watch_utc(self) -> None:
        self._invalidate()
        self.refresh()

    def set_now(self, now: datetime) -> None:
        """The time relative times count from (handed down so tests can freeze it)."""
        before, self.now = self.now, now
        if not self.relative:
            return
        if self.wrap:
            self._invalidate()
            self.refresh()
            return
        # Only the rows whose age label moves ("12m" → "13m") are drawn again: the pane ticks
        # every few seconds, and a whole-pane repaint each time was most of an idle war
        # room's CPU (issue 13). Rows not drawn yet are built with the new time anyway.
        changed = {
            i
            for i in self._cache
            if i < len(self._events)
            and _age(before, self._events[i].at) != _age(now, self._events[i].at)
        }
        if not changed:
            return
        for i in changed:
            self._cache.pop(i, None)
            self._seg_cache.pop(i, None)
        self._strips = {k: v for k, v in self._strips.items() if k[0] not in changed}
        top = self.scroll_offset.y
        for i in changed:
            if 0 <= i - top < self.size.height:
                self.refresh_line(i)  # a row of the content (it subtracts the scroll)

    def action_cursor(self, delta: int) -> None:
        if self._events:
            self.cursor = max(0, min(len(self._events) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        if self._events:
            self.cursor = 0 if where == 0 else len(self._events) - 1

    def action_open(self) -> None:
        if 0 <= self.cursor < len(self._events):
            self.post_message(self.Opened(self._events[self.cursor]))
        else:
            self.notify("no entry selected", severity="warning", markup=False, timeout=3)

    def action_scroll_by(self, cells: int) -> None:
        """``→``/``←``: long rows scroll sideways (the whole row stays one line)."""
        # overflow-x is hidden (no scrollbar), so scroll_to ignores x: set the offset itself
        limit = max(0, self.virtual_size.width - self._row_width())
        self.scroll_x = self.scroll_target_x = max(0, min(limit, self.scroll_x + cells))
        self.refresh()

    def watch_wrap(self) -> None:
        self.scroll_x = self.scroll_target_x = 0
        self._invalidate()
        self._resize()
        self.refresh()
        if 0 <= self.cursor < len(self._events):
            self.call_after_refresh(self._keep_cursor_in_view)

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self.notify(
            "rows wrapped (w: one line each)" if self.wrap else "one line per row (w wraps)",
            markup=False,
            timeout=3,
        )

    def action_toggle_time(self) -> None:
        self.relative = not self.relative

    def action_toggle_zone(self) -> None:
        if self.relative:
            self.relative = False
        else:
            self.utc = not self.utc


def _age(now: datetime, at: datetime) -> str:
    return format_age((now - at).total_seconds())
