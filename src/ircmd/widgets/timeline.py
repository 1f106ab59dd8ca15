"""The timeline: one line per event, drawn with the Line API so 10k events stay instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ircmd.domain.incident import format_age
from ircmd.domain.text import one_line
from ircmd.domain.timeline import TimelineEvent
from ircmd.widgets.styles import EVENT_STYLE


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
        Binding("T", "toggle_time", "Rel/abs time", id="timeline.time"),
    ]

    cursor: reactive[int] = reactive(-1, init=False)
    relative: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Highlighted(Message):
        event: TimelineEvent

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._events: list[TimelineEvent] = []
        self._cache: dict[int, Text] = {}
        self._follow = True
        self.now: datetime = datetime.now(UTC)

    @property
    def events(self) -> list[TimelineEvent]:
        return self._events

    def set_events(self, events: list[TimelineEvent]) -> None:
        """Replace the events (e.g. a new incident, or a filter)."""
        self._events = list(events)
        self._cache.clear()
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
        if self.relative:
            when = f"-{format_age((self.now - ev.at).total_seconds()):>7}"
        else:
            when = ev.at.strftime("%m-%d %H:%M:%S")
        style = EVENT_STYLE.get(ev.kind.value, "")
        text = Text(no_wrap=True)
        text.append(f"{ev.seq:>5} ", "dim")
        text.append(f"{when:<15} ", "dim")
        text.append(f"{ev.kind.label:<21} ", style or "bold")
        text.append(f"{one_line(ev.author, 14):<14} ", "italic")
        text.append(one_line(ev.text))
        self._cache[index] = text
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self._events):
            return Strip.blank(width, self.rich_style)
        text = self._line_text(index)
        base = self.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("timeline--cursor")
        segments = [
            Segment(s.text, base + s.style if s.style else base)
            for s in text.render(self.app.console)
        ]
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, base)

    # -- actions --------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        if 0 <= new < len(self._events):
            self.scroll_to_region_y(new)
            self.post_message(self.Highlighted(self._events[new]))
        self.refresh()

    def scroll_to_region_y(self, index: int) -> None:
        top = self.scroll_offset.y
        height = self.size.height or 1
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def watch_relative(self) -> None:
        self._cache.clear()
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        if self._events:
            self.cursor = max(0, min(len(self._events) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        if self._events:
            self.cursor = 0 if where == 0 else len(self._events) - 1

    def action_toggle_time(self) -> None:
        self.now = datetime.now(UTC)
        self.relative = not self.relative
