"""The span tree: one line per visible span, drawn with the Line API.

Only the visible rows are kept (``TreeRows``) and only the lines on screen are drawn, so a
100,000-span trace opens, scrolls and expands as fast as a ten-span one. Each line shows
a glyph for the span's kind, its name, a waterfall bar placed and scaled to the trace,
the duration, the tokens and a clear error mark. Every string from the trace goes through
``one_line`` (control characters made visible) and into Segments, never into markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ircmd.domain.text import one_line
from ircmd.tui.widgets.traces.span_format import (
    KIND_GLYPH,
    KIND_STYLE,
    RowInfo,
    format_duration,
    format_tokens,
)
from ircmd.tui.widgets.traces.tree_rows import TreeRows
from ircmd.tui.widgets.virtual import set_virtual_size

BAR_WIDTH = 20
DUR_WIDTH = 8
TOK_WIDTH = 12
INDENT_CAP = 24


@dataclass
class SpanTreeModel:
    """What the tree draws: ``parents`` gives the shape, ``info(i)`` describes node ``i``
    (called only for rows on screen, then cached), ``errors`` lists the failing nodes."""

    parents: Sequence[int]
    info: Callable[[int], RowInfo]
    start_ns: int
    end_ns: int
    order: Sequence[int] | None = None
    errors: Sequence[int] = ()
    critical: Callable[[], Sequence[int]] | None = None
    """Computes the critical path's nodes (called in a worker thread when first needed)."""
    critical_nodes: Sequence[int] | None = None
    """The critical path when already known (then ``t`` needs no worker)."""
    preorder_is_index: bool = False
    """Nodes are numbered in display (depth-first) order, so no preorder table is needed."""


@dataclass
class TreeState:
    """The view state of a tree, to carry over to a rebuilt model of the same trace."""

    expanded: list[int]
    cursor_node: int
    top_node: int
    filtered: bool


class CriticalReady(Message, bubble=False):
    """The critical path of ``model`` (computed by a worker)."""

    def __init__(self, model: SpanTreeModel, nodes: set[int], reveal: bool) -> None:
        super().__init__()
        self.model = model
        self.nodes = nodes
        self.reveal = reveal


class SpanTree(ScrollView, can_focus=True):
    """A virtualised tree of spans; posts :class:`SpanTree.Highlighted` as the cursor moves."""

    DEFAULT_CSS = """
    SpanTree { height: 1fr; }
    SpanTree > .spantree--cursor { background: $primary 55%; }
    SpanTree:blur > .spantree--cursor { background: $primary 25%; }
    """
    COMPONENT_CLASSES = {"spantree--cursor"}

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="spantree.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="spantree.up"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="spantree.pagedown"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="spantree.pageup"),
        Binding("g,home", "jump(0)", "First", show=False, id="spantree.first"),
        Binding("G,end", "jump(-1)", "Last", show=False, id="spantree.last"),
        Binding("l,right", "expand", "Expand", show=False, id="spantree.expand"),
        Binding("h,left", "collapse", "Collapse/parent", show=False, id="spantree.collapse"),
        Binding("space,enter", "toggle_node", "Expand/collapse", id="spantree.toggle"),
        Binding("L,asterisk", "expand_all", "Expand all", id="spantree.expand_all"),
        Binding("H,minus", "collapse_all", "Collapse all", id="spantree.collapse_all"),
        Binding("e", "next_error(1)", "Next error", id="spantree.next_error"),
        Binding("E", "next_error(-1)", "Prev error", show=False, id="spantree.prev_error"),
        Binding("t", "toggle_critical", "Critical path", id="spantree.critical"),
        Binding("n", "next_match(1)", "Next match", show=False, id="spantree.next_match"),
        Binding("N", "next_match(-1)", "Prev match", show=False, id="spantree.prev_match"),
    ]

    cursor: reactive[int] = reactive(-1, init=False)
    show_critical: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Highlighted(Message):
        """The cursor is on ``node`` (an index into the model), or -1 when empty."""

        tree: SpanTree
        node: int

        @property
        def control(self) -> SpanTree:
            return self.tree

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._base_style = Style()
        self.model: SpanTreeModel | None = None
        self.rows = TreeRows([])
        self._info: dict[int, RowInfo] = {}
        self._errors: list[int] = []
        self._critical: set[int] | None = None
        self._matches: set[int] | None = None
        self._match_order: list[int] = []
        self._preorder_pos: list[int] | None = None
        self._styles: dict[str, Style] = {}

    # -- data in -----------------------------------------------------------------------
    def set_model(
        self,
        model: SpanTreeModel | None,
        *,
        rows: TreeRows | None = None,
        initial_rows: int = 400,
        cursor_node: int = -1,
        top_node: int = -1,
        matches: set[int] | None = None,
    ) -> None:
        """Show a trace.

        ``rows`` may come prepared (built in a worker thread, with expansion and filter
        already applied: the UI thread then does no work proportional to the trace);
        without it the first levels are expanded while at most ``initial_rows`` show.
        ``cursor_node``/``top_node`` keep the cursor and the first visible span in place
        (a live trace that grew)."""
        self.model = model
        self._info.clear()
        self._preorder_pos = None
        self._critical = None
        if model is None:
            self.rows = TreeRows([])
            self._errors = []
        else:
            if rows is None:
                rows = TreeRows(model.parents, model.order)
                rows.expand_to_depth(64, initial_rows)
                if matches is not None:
                    rows.set_filter(matches)
            self.rows = rows
            self._errors = list(model.errors)
        self._matches = matches
        self._match_order = sorted(matches, key=self._preorder_index) if matches else []
        self._resize()
        top = self.rows.row_of(top_node) if top_node >= 0 else -1
        self.scroll_to(0, max(0, top), animate=False, immediate=True)
        row = self.rows.row_of(cursor_node) if cursor_node >= 0 else -1
        new = row if row >= 0 else (0 if self.rows.rows else -1)
        if self.cursor == new:
            self._announce()
        self.cursor = new
        if self.show_critical and model is not None:
            if model.critical_nodes is not None:
                self._critical = set(model.critical_nodes)
            else:
                self._compute_critical(model, reveal=False)
        self.refresh()

    def state(self) -> TreeState:
        """What to keep when the same trace is shown again (cheap: C-level scans)."""
        rows = self.rows
        top = rows.rows[self.scroll_offset.y] if self.scroll_offset.y < len(rows.rows) else -1
        return TreeState(
            expanded=list(compress(range(rows.size), rows.expanded)),
            cursor_node=self.current_node,
            top_node=top,
            filtered=self._matches is not None,
        )

    def set_filter(self, matches: set[int] | None) -> None:
        """Show only ``matches`` and their ancestors (``None`` shows everything again)."""
        node = self.current_node
        self._matches = matches
        self._match_order = sorted(matches, key=self._preorder_index) if matches else []
        self.rows.set_filter(matches)
        self._resize()
        row = self.rows.row_of(node) if node >= 0 else -1
        if row < 0 and self._match_order:
            row = self.rows.row_of(self._match_order[0])
        self.cursor = row if row >= 0 else (0 if self.rows.rows else -1)
        self.refresh()

    @property
    def current_node(self) -> int:
        if 0 <= self.cursor < len(self.rows.rows):
            return self.rows.rows[self.cursor]
        return -1

    @property
    def filtered(self) -> bool:
        return self._matches is not None

    def select_node(self, node: int) -> None:
        """Move the cursor to ``node``, expanding its ancestors."""
        if not 0 <= node < self.rows.size:
            return
        if self.rows.row_of(node) < 0:
            if self.rows.visible_filter is not None and node not in self.rows.visible_filter:
                self.set_filter(None)
            if any(not self.rows.expanded[a] for a in self.rows.ancestors(node)):
                self.rows.reveal([node])
                self._resize()
        row = self.rows.row_of(node)
        if row >= 0:
            self.cursor = row
        self.refresh()

    # -- drawing -----------------------------------------------------------------------
    def _resize(self) -> None:
        set_virtual_size(self, Size(self.size.width, len(self.rows.rows)))

    def _row_info(self, node: int) -> RowInfo:
        got = self._info.get(node)
        if got is None:
            assert self.model is not None
            got = self.model.info(node)
            self._info[node] = got
        return got

    def _style(self, spec: str) -> Style:
        style = self._styles.get(spec)
        if style is None:
            style = self._styles[spec] = Style.parse(spec)
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base_style = self.rich_style  # once per frame, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self._base_style
        rows = self.rows.rows
        if index >= len(rows) or self.model is None:
            return Strip.blank(width, base)
        if index == self.cursor:
            base = base + self.get_component_rich_style("spantree--cursor")
        node = rows[index]
        segments = self._line_segments(node, width, base)
        return Strip(segments).adjust_cell_length(width, base)

    def _line_segments(self, node: int, width: int, base: Style) -> list[Segment]:
        info = self._row_info(node)
        model = self.model
        assert model is not None
        st = self._style
        segs: list[Segment] = []
        crit = self.show_critical and self._critical is not None and node in self._critical
        segs.append(Segment("▌" if crit else " ", base + st("bold yellow") if crit else base))
        depth = self.rows.depth[node]
        indent = "  " * min(depth, INDENT_CAP)
        if depth > INDENT_CAP:
            indent = indent[:-2] + "… "
        segs.append(Segment(indent, base + st("dim")))
        if self.rows.has_children(node):
            mark = "▾ " if self.rows.expanded[node] else "▸ "
        else:
            mark = "  "
        segs.append(Segment(mark, base + st("dim")))
        kind_style = st(KIND_STYLE.get(info.kind, ""))
        segs.append(Segment(KIND_GLYPH.get(info.kind, "·") + " ", base + kind_style))
        if info.error:
            segs.append(Segment("✖ ", base + st("bold red")))

        right: list[Segment] = []
        right_w = 0
        if width >= 60:
            dur = format_duration(info.end_ns - info.start_ns).rjust(DUR_WIDTH)
            tok = format_tokens(info.input_tokens, info.output_tokens).rjust(TOK_WIDTH)
            right.append(Segment(" " + tok, base + st("cyan")))
            right.append(Segment(" " + dur, base + st("bold red" if info.error else "")))
            right_w = 2 + TOK_WIDTH + DUR_WIDTH
        bar_width = BAR_WIDTH if width >= 100 else (12 if width >= 72 else 0)
        if bar_width:
            bar = self._bar(info, bar_width)
            right.append(Segment(" "))
            right.extend(
                Segment(text, base + st(spec))
                for text, spec in self._bar_segments(bar, info, bar_width)
            )
            right_w += 1 + bar_width

        used = sum(cell_len(s.text) for s in segs)
        room = max(0, width - used - right_w - 1)
        name = one_line(info.name) or "(unnamed)"
        if cell_len(name) > room:
            name = set_cell_size(name, max(0, room - 1)) + "…" if room else ""
        name_style = "bold red" if info.error else ("bold yellow" if crit else "")
        if self._matches is not None and node not in self._matches:
            name_style = "dim"
        segs.append(Segment(name, base + st(name_style) if name_style else base))
        pad = max(0, width - used - cell_len(name) - right_w)
        segs.append(Segment(" " * pad, base))
        segs.extend(right)
        return segs

    def _bar(self, info: RowInfo, width: int) -> tuple[int, int]:
        model = self.model
        assert model is not None
        total = max(1, model.end_ns - model.start_ns)
        start = max(0, min(width - 1, (info.start_ns - model.start_ns) * width // total))
        length = max(1, (max(0, info.end_ns - info.start_ns) * width + total - 1) // total)
        return start, min(length, width - start)

    @staticmethod
    def _bar_segments(bar: tuple[int, int], info: RowInfo, width: int) -> list[tuple[str, str]]:
        start, length = bar
        colour = "red" if info.error else KIND_STYLE.get(info.kind, "white").split()[-1]
        return [
            ("·" * start, "dim"),
            ("█" * length, colour),
            ("·" * (width - start - length), "dim"),
        ]

    # -- cursor ------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        if 0 <= new < len(self.rows.rows):
            self._scroll_to_row(new)
        self._announce()
        self.refresh()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.current_node))

    def _scroll_to_row(self, index: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height or self.size.height or 1
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def watch_show_critical(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._resize()

    # -- actions -----------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if self.rows.rows:
            self.cursor = max(0, min(len(self.rows.rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        if self.rows.rows:
            self.cursor = 0 if where == 0 else len(self.rows.rows) - 1

    def action_expand(self) -> None:
        row = self.cursor
        if row < 0:
            return
        node = self.rows.rows[row]
        if self.rows.expanded[node] or not self.rows.has_children(node):
            if self.rows.has_children(node) and row + 1 < len(self.rows.rows):
                self.cursor = row + 1
            return
        self.rows.expand(row)
        self._resize()
        self.refresh()

    def action_collapse(self) -> None:
        row = self.cursor
        if row < 0:
            return
        node = self.rows.rows[row]
        if self.rows.expanded[node] and self.rows.has_children(node):
            self.rows.collapse(row)
            self._resize()
            self.refresh()
            return
        parent = self.rows.parent[node]
        if parent >= 0:
            prow = self.rows.row_of(parent)
            if prow >= 0:
                self.cursor = prow

    def action_toggle_node(self) -> None:
        row = self.cursor
        if row < 0:
            return
        node = self.rows.rows[row]
        if self.rows.expanded[node]:
            self.rows.collapse(row)
        else:
            self.rows.expand(row)
        self._resize()
        self.refresh()

    def action_expand_all(self) -> None:
        node = self.current_node
        self.rows.expand_all()
        self._after_rebuild(node)

    def action_collapse_all(self) -> None:
        node = self.current_node
        self.rows.collapse_all()
        # stay on the root above the old cursor
        while node >= 0 and self.rows.parent[node] >= 0:
            node = self.rows.parent[node]
        self._after_rebuild(node)

    def _after_rebuild(self, node: int) -> None:
        self._resize()
        row = self.rows.row_of(node) if node >= 0 else -1
        self.cursor = row if row >= 0 else (0 if self.rows.rows else -1)
        self._scroll_to_row(max(0, self.cursor))
        self.refresh()

    def _preorder_index(self, node: int) -> int:
        if self.model is not None and self.model.preorder_is_index:
            return node
        if self._preorder_pos is None:
            pos = [0] * self.rows.size
            for i, n in enumerate(self.rows.preorder()):
                pos[n] = i
            self._preorder_pos = pos
        return self._preorder_pos[node]

    def _step_through(self, candidates: Sequence[int], direction: int) -> int:
        """The next (or previous) node of ``candidates`` after the cursor, wrapping."""
        if not candidates:
            return -1
        here = self._preorder_index(self.current_node) if self.current_node >= 0 else -1
        ordered = sorted(candidates, key=self._preorder_index)
        if direction > 0:
            for n in ordered:
                if self._preorder_index(n) > here:
                    return n
            return ordered[0]
        for n in reversed(ordered):
            if self._preorder_index(n) < here:
                return n
        return ordered[-1]

    def action_next_error(self, direction: int = 1) -> None:
        errors = self._errors
        if self._matches is not None and self.rows.visible_filter is not None:
            errors = [e for e in errors if e in self.rows.visible_filter]
        node = self._step_through(errors, direction)
        if node < 0:
            self.notify("No error spans in this trace.", markup=False, timeout=3)
            return
        self.select_node(node)

    def action_next_match(self, direction: int = 1) -> None:
        node = self._step_through(self._match_order, direction)
        if node >= 0:
            self.select_node(node)

    @work(thread=True, exclusive=True, group="spantree-critical", exit_on_error=False)
    def _compute_critical(self, model: SpanTreeModel, reveal: bool) -> None:
        nodes = set(model.critical()) if model.critical is not None else set()
        self.post_message(CriticalReady(model, nodes, reveal))

    def on_critical_ready(self, message: CriticalReady) -> None:
        self._critical_ready(message.model, message.nodes, message.reveal)

    def _critical_ready(self, model: SpanTreeModel, nodes: set[int], reveal: bool) -> None:
        if model is not self.model:
            return
        self._critical = nodes
        if not nodes:
            self.show_critical = False
            self.notify("No critical path for this trace.", markup=False, timeout=3)
            return
        hidden = [n for n in nodes if self.rows.row_of(n) < 0]
        if reveal and hidden and self.rows.visible_filter is None:
            node = self.current_node
            self.rows.reveal(hidden)
            self._after_rebuild(node)
        self.refresh()

    def action_toggle_critical(self) -> None:
        if self.model is None:
            return
        self.show_critical = not self.show_critical
        if not self.show_critical:
            return
        if self._critical is None and self.model.critical_nodes is not None:
            self._critical = set(self.model.critical_nodes)
        if self._critical is None:
            self._compute_critical(self.model, reveal=True)
        else:
            self._critical_ready(self.model, self._critical, True)

    def info_for(self, node: int) -> Any:
        return self._row_info(node) if 0 <= node < self.rows.size else None
