"""The diff of two runs, side by side (``D`` twice in the trace explorer).

The diff is computed by the headless service's domain code (``diff_traces``) in a thread
worker; ``n``/``N`` step through the pairs that differ; ``p`` pins the whole diff on the
incident as one evidence item (``service.investigate.diff.pin_diff``), also in a worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ircmd.domain.text import one_line
from ircmd.domain.traces.diff import SpanPair, TraceDiff, diff_traces
from ircmd.domain.traces.spans import Span
from ircmd.service.workspace import Workspace

STATUS_STYLE = {"same": "dim", "changed": "yellow", "added": "green", "removed": "red"}
STATUS_MARK = {"same": "=", "changed": "~", "added": "+", "removed": "-"}


class DiffComputed(Message, bubble=False):
    def __init__(self, diff: TraceDiff) -> None:
        super().__init__()
        self.diff = diff


class DiffNotice(Message, bubble=False):
    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity


def _side(s: Span | None, width: int = 80) -> Text:
    if s is None:
        return Text("—", "dim")
    return Text(one_line(f"{s.kind.value} {s.name}", width), no_wrap=True, overflow="ellipsis")


def _value(v: Any) -> str:
    return one_line(v if isinstance(v, str) else repr(v), 160)


def pair_detail(pair: SpanPair) -> Text:
    """What changed in one pair: each field A → B, and the word diff of the messages."""
    out = Text(no_wrap=False)
    out.append(f"{pair.status}", STATUS_STYLE[pair.status] + " bold")
    if pair.status == "same":
        out.append("  nothing differs")
        return out
    if pair.status in ("added", "removed"):
        side = pair.b if pair.status == "added" else pair.a
        out.append(f"  only in run {'B' if pair.status == 'added' else 'A'}: ")
        out.append(_side(side))
        return out
    for name, (a, b) in pair.changes.items():
        if name == "messages":
            continue
        out.append(f"\n{name}: ", "bold")
        out.append(_value(a), "red")
        out.append(" → ")
        out.append(_value(b), "green")
    if pair.word_diff:
        out.append("\nmessages: ", "bold")
        for op, words in pair.word_diff:
            style = {"-": "red strike", "+": "green underline"}.get(op, "")
            out.append(one_line(words, 400) + " ", style)
    return out


def signed_usd(delta: float) -> str:
    """A cost difference as ``+$0.000120`` / ``-$0.005658`` (not ``$-0.005658``)."""
    return f"{'-' if delta < 0 else '+'}${abs(delta):.6f}"


class DiffScreen(Screen[None]):
    """Run A and run B aligned by structure and kind; one row per pair."""

    DEFAULT_CSS = """
    DiffScreen #diff-header { height: auto; max-height: 3; background: $panel; }
    DiffScreen #diff-table { height: 2fr; }
    DiffScreen #diff-detail { height: 1fr; border: round $primary 40%; padding: 0 1; }
    """
    BINDINGS = [
        Binding("n", "next_difference", "Next diff", id="diff.next"),
        Binding("N", "previous_difference", "Prev diff", id="diff.previous"),
        Binding("p", "pin", "Pin diff", id="diff.pin"),
        Binding("escape,minus", "close", "Back", id="diff.close"),
    ]
    AUTO_FOCUS = "#diff-table"

    def __init__(
        self,
        workspace: Workspace | None,
        incident_id: str | None,
        a_spans: Sequence[Span],
        b_spans: Sequence[Span],
        source: str,
        cost: Callable[[Span], float | None] | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.incident_id = incident_id
        self.a_spans = list(a_spans)
        self.b_spans = list(b_spans)
        self.source = source
        self.cost = cost
        self.diff: TraceDiff | None = None
        self.pinned: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="diff-header")
        table: DataTable[Text] = DataTable(id="diff-table", cursor_type="row", zebra_stripes=False)
        yield table
        yield Static(id="diff-detail")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#diff-table", DataTable)

    def on_mount(self) -> None:
        self.query_one("#diff-header", Static).update(Text("computing the diff…", "dim"))
        self.query_one("#diff-detail", Static).border_title = "what differs"
        self.table.add_columns(" ", "run A", "run B", "changes")
        self._compute()

    @work(thread=True, exclusive=True, group="diff-compute", exit_on_error=False)
    def _compute(self) -> None:
        cost = self.cost
        if cost is None and self.workspace is not None:
            from ircmd.domain.traces.cost import pricer_from_config

            prices = {k: v.model_dump() for k, v in self.workspace.config.prices.items()}
            cost = pricer_from_config(prices).usd
        try:
            diff = diff_traces(self.a_spans, self.b_spans, cost or (lambda s: None))
        except Exception as exc:  # a broken trace is a notice, never a traceback
            self.post_message(DiffNotice(f"Diff failed: {exc}", "error"))
            return
        self.post_message(DiffComputed(diff))

    def on_diff_computed(self, message: DiffComputed) -> None:
        self.diff = diff = message.diff
        s = diff.summary
        head = Text(overflow="fold")  # wraps at 80 columns rather than losing the totals
        head.append("diff ", "bold")
        head.append(f"A {diff.trace_a[:12]} ", "red")
        head.append(f"B {diff.trace_b[:12]}  ", "green")
        head.append(
            f"{s['changed']} changed · {s['added']} added · {s['removed']} removed · "
            f"tokens {s['tokens_delta']:+d} · {s['duration_delta_ms']:+d} ms · "
            f"{signed_usd(s['cost_delta_usd'])} · tool calls changed {s['tool_calls_changed']}"
        )
        self.query_one("#diff-header", Static).update(head)
        table = self.table
        # two run columns and the changes column share the width (legible at 80 columns)
        side_w = max(12, min(60, (self.size.width - 30) // 2))
        changes_w = max(10, self.size.width - 2 * side_w - 12)
        for i, p in enumerate(diff.pairs):
            style = STATUS_STYLE[p.status]
            changes = ", ".join(k for k in p.changes) or ("" if p.status == "same" else p.status)
            table.add_row(
                Text(STATUS_MARK[p.status], style),
                _side(p.a, side_w),
                _side(p.b, side_w),
                Text(one_line(changes, changes_w), style),
                key=str(i),
            )
        diffs = diff.differences()
        if diffs:
            table.move_cursor(row=diffs[0])
        self._show_detail()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        if self.diff is None or not self.diff.pairs:
            return
        row = min(self.table.cursor_row, len(self.diff.pairs) - 1)
        self.query_one("#diff-detail", Static).update(pair_detail(self.diff.pairs[row]))

    def _step(self, forward: bool) -> None:
        if self.diff is None:
            return
        diffs = self.diff.differences()
        if not diffs:
            self.notify("The two runs do not differ.", markup=False, timeout=3)
            return
        here = self.table.cursor_row
        if forward:
            target = next((i for i in diffs if i > here), diffs[0])
        else:
            target = next((i for i in reversed(diffs) if i < here), diffs[-1])
        self.table.move_cursor(row=target)

    def action_next_difference(self) -> None:
        self._step(True)

    def action_previous_difference(self) -> None:
        self._step(False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pin":
            ws = self.workspace
            return None if ws is None or ws.read_only or not self.incident_id else True
        return True

    def action_pin(self) -> None:
        if self.diff is None:
            self.notify("The diff is still being computed.", markup=False, timeout=3)
            return
        self._pin(self.diff)

    @work(thread=True, group="diff-pin", exit_on_error=False)
    def _pin(self, diff: TraceDiff) -> None:
        from ircmd.service.investigate.diff import pin_diff
        from ircmd.service.traces.service import TraceService

        assert self.workspace is not None and self.incident_id is not None
        try:
            svc = TraceService.for_workspace(self.workspace)
            doc = pin_diff(svc, self.incident_id, diff, self.a_spans, self.b_spans, self.source)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(DiffNotice(f"Pin failed: {exc}", "error"))
            return
        self.pinned = doc
        again = " (already pinned)" if doc.get("existing") else ""
        self.post_message(
            DiffNotice(f"Pinned diff {doc.get('id', '')}{again} to {self.incident_id}")
        )

    def on_diff_notice(self, message: DiffNotice) -> None:
        self.notify(one_line(message.text, 400), severity=message.severity, markup=False)  # type: ignore[arg-type]

    def action_close(self) -> None:
        self.app.pop_screen()
