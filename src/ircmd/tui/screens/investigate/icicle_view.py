"""Where time went in one trace (``I`` in the trace explorer): an icicle chart of its
spans, time on x, and the span under the cursor with its duration and self time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from ircmd.domain.text import count, one_line
from ircmd.domain.traces.profile import icicle
from ircmd.domain.traces.spans import Span
from ircmd.tui.widgets.investigate.icicle import Icicle


class IcicleBuilt(Message, bubble=False):
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self.rows = rows


def _ms(ns: int) -> str:
    return f"{ns / 1e6:,.1f} ms"


def row_detail(row: dict[str, Any], total_ns: int) -> Text:
    dur = row["end_ns"] - row["start_ns"]
    out = Text()
    out.append(one_line(row["name"], 120), "bold")
    out.append(f"  {row['kind']}  ", "dim")
    out.append(f"{_ms(dur)} ({dur / max(1, total_ns):.0%} of the trace)  ")
    out.append(f"self {_ms(row['self_ns'])}  ", "yellow")
    out.append(f"at +{_ms(row['start_ns'])}", "dim")
    return out


class IcicleScreen(Screen[None]):
    DEFAULT_CSS = """
    IcicleScreen #icicle-header { height: 1; background: $panel; }
    IcicleScreen #icicle-scroll { height: 1fr; }
    IcicleScreen #icicle-detail { height: 3; border-top: solid $primary 40%; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,minus", "close", "Back", id="icicle.close")]

    def __init__(self, spans: Sequence[Span]) -> None:
        super().__init__()
        self.spans = list(spans)
        self.rows: list[dict[str, Any]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="icicle-header")
        yield VerticalScroll(id="icicle-scroll")
        yield Static(id="icicle-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#icicle-header", Static).update(Text("laying out the spans…", "dim"))
        self._build()

    @work(thread=True, exclusive=True, group="icicle-build", exit_on_error=False)
    def _build(self) -> None:
        self.post_message(IcicleBuilt(icicle(self.spans)))

    def on_icicle_built(self, message: IcicleBuilt) -> None:
        self.rows = rows = message.rows
        total = max((r["end_ns"] for r in rows), default=0)
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append("where time went ", "bold")
        trace = self.spans[0].trace_id if self.spans else ""
        head.append(f"trace {trace[:12]}  {count(len(rows), 'span')} · {_ms(total)}  ", "dim")
        head.append("h/l same depth · k parent · j child", "dim italic")
        self.query_one("#icicle-header", Static).update(head)
        chart = Icicle(rows, id="icicle")
        self.query_one("#icicle-scroll", VerticalScroll).mount(chart)
        chart.focus()
        if rows:
            self._detail(rows[0])

    def on_icicle_selected(self, message: Icicle.Selected) -> None:
        self._detail(message.row)

    def _detail(self, row: dict[str, Any]) -> None:
        total = max((r["end_ns"] for r in self.rows or []), default=0)
        self.query_one("#icicle-detail", Static).update(row_detail(row, total))

    def action_close(self) -> None:
        self.app.pop_screen()
