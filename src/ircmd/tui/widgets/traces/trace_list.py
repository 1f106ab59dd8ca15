"""The trace list: one row per trace (root name, service, duration, spans, errors, tokens).

Rows come from trace summaries handed down; ``filter_summaries`` (pure) narrows them with
a small query language: ``error``, ``model:NAME``, ``tool:NAME``, ``conv:ID``, ``user:ID``,
``service:NAME`` and free words matched against the root name, service and trace id.
``<``/``>`` sort by a column and ``=`` reverses it (``▲``/``▼`` in the header).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ircmd.tui.widgets.column_sort import ColumnSort, sort_bindings, sort_rows
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.traces.span_format import compact_count, format_duration
from ircmd.tui.widgets.virtual import set_virtual_size

FILTER_KEYS = {
    "model": "models",
    "tool": "tools",
    "conv": "conversations",
    "conversation": "conversations",
    "user": "users",
    "service": "services",
}


@dataclass(frozen=True)
class TraceFilter:
    errors_only: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.errors_only or self.fields or self.words)


def parse_trace_filter(query: str) -> TraceFilter:
    """``error model:gpt-4o tool:issue_refund conv:c-1 refund`` → a :class:`TraceFilter`."""
    errors = False
    fields: list[tuple[str, str]] = []
    words: list[str] = []
    for token in query.split():
        low = token.lower()
        if low in ("error", "errors", "is:error", "status:error"):
            errors = True
            continue
        key, sep, value = token.partition(":")
        if sep and key.lower() in FILTER_KEYS and value:
            fields.append((FILTER_KEYS[key.lower()], value.lower()))
        else:
            words.append(low)
    return TraceFilter(errors, tuple(fields), tuple(words))


def _values(summary: Any, attr: str) -> Iterable[str]:
    v = getattr(summary, attr, None)
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    if isinstance(v, dict):
        return (str(k) for k in v)
    return (str(x) for x in v)


def summary_matches(summary: Any, flt: TraceFilter) -> bool:
    if flt.errors_only and not getattr(summary, "error_count", 0):
        return False
    for attr, value in flt.fields:
        if not any(value in x.lower() for x in _values(summary, attr)):
            return False
    if flt.words:
        hay = " ".join(
            str(getattr(summary, a, "") or "") for a in ("root_name", "service", "trace_id")
        ).lower()
        if not all(w in hay for w in flt.words):
            return False
    return True


def filter_trace_list(summaries: Sequence[Any], query: str) -> list[Any]:
    flt = parse_trace_filter(query)
    if flt.empty:
        return list(summaries)
    return [s for s in summaries if summary_matches(s, flt)]


AUTO_HEIGHT_ROWS = 12

SORT_KEYS: dict[str, Any] = {
    "ROOT": lambda s: str(getattr(s, "root_name", "") or "").lower(),
    "SERVICE": lambda s: str(getattr(s, "service", "") or "").lower(),
    "STARTED": lambda s: int(getattr(s, "start_ns", 0) or 0),
    "DURATION": lambda s: int(getattr(s, "duration_ns", 0) or 0),
    "SPANS": lambda s: int(getattr(s, "span_count", 0) or 0),
    "ERR": lambda s: int(getattr(s, "error_count", 0) or 0),
    "TOKENS": lambda s: (
        int(getattr(s, "input_tokens", 0) or 0) + int(getattr(s, "output_tokens", 0) or 0)
    ),
    "TRACE": lambda s: str(s.trace_id),
}

COLUMNS: tuple[tuple[str, int], ...] = (
    ("SERVICE", 16),
    ("STARTED", 8),
    ("DURATION", 9),
    ("SPANS", 7),
    ("ERR", 5),
    ("TOKENS", 13),
    ("TRACE", 10),
)


# Dropped in this order when the list is too narrow for a readable ROOT.
OPTIONAL_COLUMNS = ("TRACE", "STARTED", "TOKENS", "SERVICE")
ROOT_MIN = 20


def columns_for(width: int) -> list[tuple[int, str, int]]:
    """The (index, name, width) of the columns shown beside ROOT at ``width``."""
    shown = list(enumerate(COLUMNS))
    for name in OPTIONAL_COLUMNS:
        if width - sum(w + 1 for _, (_, w) in shown) - 1 >= ROOT_MIN:
            break
        shown = [c for c in shown if c[1][0] != name]
    return [(i, name, w) for i, (name, w) in shown]


def summary_cells(s: Any) -> list[Text]:
    """The fixed-width cells of one trace row (root name excluded)."""
    errors = int(getattr(s, "error_count", 0) or 0)
    tin = int(getattr(s, "input_tokens", 0) or 0)
    tout = int(getattr(s, "output_tokens", 0) or 0)
    start_ns = int(getattr(s, "start_ns", 0) or 0)
    started = datetime.fromtimestamp(start_ns / 1e9, UTC).strftime("%H:%M:%S") if start_ns else "—"
    return [
        safe_text(getattr(s, "service", "") or "—", "dim"),
        Text(started, style="dim"),
        Text(format_duration(int(getattr(s, "duration_ns", 0) or 0)), justify="right"),
        Text(compact_count(int(getattr(s, "span_count", 0) or 0)), justify="right"),
        Text(str(errors) if errors else "·", "bold red" if errors else "dim", justify="right"),
        Text(f"{compact_count(tin)}→{compact_count(tout)}" if tin or tout else "", "cyan"),
        safe_text(str(s.trace_id)[:8], "dim"),
    ]


class TraceList(ScrollView, can_focus=True):
    """Rows of trace summaries drawn with the Line API (thousands of traces stay cheap to
    replace under a flood); ``enter`` posts ``Chosen``, moving posts ``Highlighted``."""

    DEFAULT_CSS = """
    TraceList { height: auto; max-height: 10; overflow-x: hidden; }
    TraceList > .tracelist--header { text-style: bold; background: $primary 30%; }
    TraceList > .tracelist--cursor { background: $primary 55%; }
    TraceList:blur > .tracelist--cursor { background: $primary 25%; }
    """
    COMPONENT_CLASSES = {"tracelist--header", "tracelist--cursor"}

    BINDINGS = [
        Binding("enter", "choose", "Open trace", id="tracelist.open"),
        Binding("j,down", "cursor(1)", "Down", show=False, id="tracelist.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="tracelist.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="tracelist.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="tracelist.pageup"),
        Binding("g,home", "jump(0)", "Top", show=False, id="tracelist.top"),
        Binding("G,end", "jump(-1)", "Bottom", show=False, id="tracelist.bottom"),
        *sort_bindings("tracelist"),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    @dataclass
    class Chosen(Message):
        trace_list: TraceList
        trace_id: str

        @property
        def control(self) -> TraceList:
            return self.trace_list

    @dataclass
    class Highlighted(Message):
        trace_list: TraceList
        trace_id: str

        @property
        def control(self) -> TraceList:
            return self.trace_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._base_style = Style()
        self._summaries: list[Any] = []
        self._ids: list[str] = []
        self._cache: dict[str, Strip] = {}
        self._given: list[Any] = []
        self.column_sort = ColumnSort()

    @property
    def row_count(self) -> int:
        return len(self._summaries)

    @property
    def selected_trace(self) -> str | None:
        if 0 <= self.cursor < len(self._ids):
            return self._ids[self.cursor]
        return None

    def row_text(self, index: int) -> str:
        """The plain text of row ``index`` (tests read it)."""
        return self._line(index, 200).text

    def select(self, trace_id: str) -> None:
        """Put the cursor on ``trace_id`` (no message: the caller already knows)."""
        if trace_id in self._ids:
            index = self._ids.index(trace_id)
            if index != self.cursor:
                self.set_reactive(TraceList.cursor, index)
                self._scroll_to_row(index)
                self.refresh()

    def show_summaries(self, summaries: Sequence[Any]) -> None:
        """Replace the rows, keeping the cursor on the same trace when it is still there."""
        selected = self.selected_trace
        self._given = list(summaries)
        self._summaries = sort_rows(self._given, self.column_sort, SORT_KEYS)
        self._ids = [str(s.trace_id) for s in self._summaries]
        self._cache.clear()
        size = Size(self.size.width, len(self._ids) + 1)
        if min(size.height, self.virtual_size.height) <= AUTO_HEIGHT_ROWS:
            # few rows: the list's own (auto) height changes with them
            self.virtual_size = size
            self.refresh(layout=True)
        else:
            set_virtual_size(self, size)
        if selected in self._ids:
            index = self._ids.index(selected)
            if index != self.cursor:
                self.set_reactive(TraceList.cursor, index)
                self._scroll_to_row(index)
        elif self.cursor >= len(self._ids):
            self.set_reactive(TraceList.cursor, max(0, len(self._ids) - 1))
        self.refresh()

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self._ids) + 1

    def _line(self, index: int, width: int) -> Strip:
        key = f"{index}:{width}"
        got = self._cache.get(key)
        if got is not None:
            return got
        shown = columns_for(width)
        fixed = sum(w + 1 for _, _, w in shown)
        root_w = max(10, width - fixed - 1)
        if index < 0:
            line = Text(" " + self.column_sort.header("ROOT", "ROOT").ljust(root_w), no_wrap=True)
            for _, name, w in shown:
                label = self.column_sort.header(name, name)
                line.append(
                    " " + label.rjust(w)
                    if name in ("DURATION", "SPANS", "ERR")
                    else " " + label.ljust(w)
                )
        else:
            s = self._summaries[index]
            errors = int(getattr(s, "error_count", 0) or 0)
            root = safe_text(
                getattr(s, "root_name", "") or "(no root)", "bold red" if errors else ""
            )
            root.truncate(root_w, overflow="ellipsis", pad=True)
            line = Text(" ", no_wrap=True)
            line.append_text(root)
            cells = summary_cells(s)
            for i, _, w in shown:
                cell = cells[i]
                right = cell.justify == "right"
                cell.truncate(w, overflow="ellipsis", pad=not right)
                if right:
                    cell = Text(" " * (w - cell.cell_len)) + cell
                line.append(" ")
                line.append_text(cell)
        strip = Strip(line.render(self.app.console))
        if len(self._cache) > 2000:
            self._cache.clear()
        self._cache[key] = strip
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base_style = self.rich_style  # once per frame, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self._base_style
        if y == 0:
            style = base + self.get_component_rich_style("tracelist--header")
            return self._line(-1, width).apply_style(style).adjust_cell_length(width, style)
        index = self.scroll_offset.y + y - 1
        if index >= len(self._ids):
            return Strip.blank(width, base)
        if index == self.cursor:
            base = base + self.get_component_rich_style("tracelist--cursor")
        strip = self._line(index, width)
        return Strip(
            [Segment(seg.text, base + seg.style if seg.style else base) for seg in strip]
        ).adjust_cell_length(width, base)

    def _scroll_to_row(self, index: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_row(new)
        trace_id = self.selected_trace
        if trace_id is not None:
            self.post_message(self.Highlighted(self, trace_id))
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._ids):
            self.cursor = index

    def action_cursor(self, delta: int) -> None:
        if self._ids:
            self.cursor = max(0, min(len(self._ids) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        if self._ids:
            self.cursor = 0 if where == 0 else len(self._ids) - 1

    def _resort(self, sort: ColumnSort) -> None:
        self.column_sort = sort
        self.show_summaries(self._given)

    def sortable(self) -> list[str]:
        """ROOT and the columns shown at this width (a hidden column is not sorted by)."""
        width = self.scrollable_content_region.width or self.size.width or 200
        return ["ROOT", *(name for _, name, _ in columns_for(width))]

    def action_sort_column(self, delta: int) -> None:
        self._resort(self.column_sort.step(self.sortable(), delta))

    def action_sort_reverse(self) -> None:
        self._resort(self.column_sort.reversed(self.sortable()))

    def action_choose(self) -> None:
        trace_id = self.selected_trace
        if trace_id is not None:
            self.post_message(self.Chosen(self, trace_id))
