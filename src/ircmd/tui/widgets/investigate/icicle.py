"""An icicle (top-down flame) chart of one trace: time on x, depth on y.

Rows come from ``domain.traces.profile.icicle`` (depth-first, offsets from the trace start).
Keys: ``h``/``l`` previous/next span at the same depth, ``k`` parent, ``j`` first child.
The widget renders and posts :class:`Icicle.Selected`; it knows nothing of services."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ircmd.domain.text import one_line

KIND_STYLE = {
    "agent": "on dark_blue",
    "workflow": "on grey30",
    "chain": "on grey30",
    "llm": "on dark_green",
    "embedding": "on dark_cyan",
    "retrieval": "on purple4",
    "reranker": "on purple4",
    "tool": "on dark_orange3",
    "guardrail": "on yellow4",
    "evaluator": "on grey35",
    "other": "on grey23",
}


class Icicle(Widget, can_focus=True):
    DEFAULT_CSS = """
    Icicle { height: auto; min-height: 3; }
    """
    BINDINGS = [
        Binding("l,right", "sibling(1)", "Next", show=False, id="icicle.next"),
        Binding("h,left", "sibling(-1)", "Previous", show=False, id="icicle.previous"),
        Binding("k,up", "parent", "Parent", show=False, id="icicle.parent"),
        Binding("j,down", "child", "Child", show=False, id="icicle.child"),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    class Selected(Message):
        def __init__(self, icicle: Icicle, row: dict[str, Any]) -> None:
            super().__init__()
            self.icicle = icicle
            self.row = row

        @property
        def control(self) -> Icicle:
            return self.icicle

    def __init__(self, rows: list[dict[str, Any]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self.total = max((r["end_ns"] for r in rows), default=0) or 1
        self.parents: list[int] = []
        stack: list[int] = []
        for i, r in enumerate(rows):
            while stack and rows[stack[-1]]["depth"] >= r["depth"]:
                stack.pop()
            self.parents.append(stack[-1] if stack else -1)
            stack.append(i)

    @property
    def depth(self) -> int:
        return 1 + max((r["depth"] for r in self.rows), default=-1)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return max(1, self.depth)

    def _columns(self, r: dict[str, Any], width: int) -> tuple[int, int]:
        a = r["start_ns"] * width // self.total
        b = max(a + 1, r["end_ns"] * width // self.total)
        return min(a, width - 1), min(b, width)

    def render(self) -> Text:
        width = max(10, self.size.width)
        lines: list[Text] = []
        for d in range(self.depth):
            cells: list[tuple[str, str]] = [(" ", "")] * width
            for i, r in enumerate(self.rows):
                if r["depth"] != d:
                    continue
                a, b = self._columns(r, width)
                # a bar starts with a thin edge, so two adjacent spans stay two
                label = ("▏" + one_line(r["name"], 10_000)) if b - a > 2 else " "
                label = label.ljust(b - a)[: b - a]
                style = KIND_STYLE.get(r["kind"], "on grey23")
                if i == self.cursor:
                    style = "bold black on bright_white" if self.has_focus else "bold on grey50"
                for k, ch in enumerate(label):
                    cells[a + k] = (ch, style)
            line = Text(no_wrap=True)
            for ch, style in cells:
                line.append(ch, style)
            lines.append(line)
        return Text("\n").join(lines)

    @property
    def current(self) -> dict[str, Any] | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def watch_cursor(self) -> None:
        self.refresh()
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_sibling(self, step: int) -> None:
        """The previous/next span at the cursor's depth, in time order."""
        if not self.rows:
            return
        d = self.rows[self.cursor]["depth"]
        same = sorted(
            (i for i, r in enumerate(self.rows) if r["depth"] == d),
            key=lambda i: (self.rows[i]["start_ns"], i),
        )
        at = same.index(self.cursor)
        self.cursor = same[(at + step) % len(same)]

    def action_parent(self) -> None:
        if self.rows and self.parents[self.cursor] >= 0:
            self.cursor = self.parents[self.cursor]

    def action_child(self) -> None:
        kids = [i for i, p in enumerate(self.parents) if p == self.cursor]
        if kids:
            self.cursor = min(kids, key=lambda i: (self.rows[i]["start_ns"], i))
