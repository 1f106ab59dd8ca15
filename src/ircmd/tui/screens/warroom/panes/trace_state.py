"""What the trace explorer holds between frames (no Textual here, so it is unit-testable).

* :func:`tree_model` turns one :class:`~ircmd.domain.traces.tracetree.TraceTree` into the flat,
  integer-indexed :class:`~ircmd.tui.widgets.traces.span_tree.SpanTreeModel` the tree widget draws.
* :class:`LiveFeed` is the thread-safe hand-over between whatever produces spans (a file
  loader, the OTLP receiver) and the UI: producers call :meth:`LiveFeed.feed` from any
  thread; the UI drains it on a tick, only when :attr:`LiveFeed.pending` says something
  arrived, so a flood of spans costs a few redraws a second, not one per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ircmd.domain.traces.spans import Span
from ircmd.domain.traces.tracetree import TraceTree, search_predicate
from ircmd.tui.widgets.traces.span_format import RowInfo
from ircmd.tui.widgets.traces.span_tree import SpanTreeModel, TreeState
from ircmd.tui.widgets.traces.tree_rows import TreeRows


@dataclass
class TraceView:
    """One trace in the shape the tree widget wants: node ``i`` is ``spans[i]``; ``rows``
    (built off the UI thread) already carries the expansion, filter and cursor to show."""

    tree: TraceTree
    spans: list[Span]
    index: dict[str, int]
    model: SpanTreeModel
    rows: TreeRows
    cursor_node: int = -1
    top_node: int = -1
    matched: set[int] | None = None

    def node_of(self, span_id: str) -> int:
        return self.index.get(span_id, -1)

    def span(self, node: int) -> Span | None:
        return self.spans[node] if 0 <= node < len(self.spans) else None

    def matches(self, query: str) -> set[int]:
        """Nodes whose span matches a ``/`` search (the widget adds their ancestors)."""
        pred = search_predicate(query)
        return {i for i, s in enumerate(self.spans) if pred(s)}


def tree_model(
    tree: TraceTree,
    *,
    previous: TraceView | None = None,
    state: TreeState | None = None,
    query: str = "",
    initial_rows: int = 400,
    with_critical: bool = False,
) -> TraceView:
    """Build the view of ``tree`` (in a worker thread). With ``previous``/``state`` (the
    same trace shown before it grew) expansion, cursor and scroll carry over by span id,
    and a span that was a leaf and now has children opens so new spans show up."""
    order = tree.order()
    by_id = tree.spans
    spans = [by_id[sid] for sid in order]
    index = {sid: i for i, sid in enumerate(order)}
    root_ids = {r.span_id for r in tree.roots}
    parents = [
        -1 if s.span_id in root_ids or s.parent_id is None else index.get(s.parent_id, -1)
        for s in spans
    ]
    errors = [i for i, s in enumerate(spans) if s.status_code == "ERROR"]

    def info(i: int) -> RowInfo:
        s = spans[i]
        return RowInfo(
            s.kind.value,
            s.name,
            s.start_ns,
            s.end_ns,
            s.input_tokens or 0,
            s.output_tokens or 0,
            s.status_code == "ERROR",
        )

    memo: list[list[int]] = []

    def critical() -> list[int]:
        if not memo:
            memo.append([index[sid] for sid in tree.critical_path() if sid in index])
        return memo[0]

    start = min((s.start_ns for s in spans), default=0)
    end = max((s.end_ns for s in spans), default=0)
    model = SpanTreeModel(
        parents=parents,
        info=info,
        start_ns=start,
        end_ns=max(end, start + 1),
        errors=errors,
        critical=critical,
        preorder_is_index=True,
    )
    rows = TreeRows(parents)
    cursor = top = -1
    if previous is not None and state is not None:
        old_spans = previous.spans
        for i in state.expanded:
            j = index.get(old_spans[i].span_id) if i < len(old_spans) else None
            if j is not None:
                rows.expanded[j] = 1
        old_index, old_children = previous.index, previous.rows.children
        for s in spans:
            pid = s.parent_id
            if pid is None or s.span_id in old_index or pid not in index:
                continue
            if pid in old_index and not old_children[old_index[pid]]:
                rows.expanded[index[pid]] = 1
        if 0 <= state.cursor_node < len(old_spans):
            cursor = index.get(old_spans[state.cursor_node].span_id, -1)
        if 0 <= state.top_node < len(old_spans):
            top = index.get(old_spans[state.top_node].span_id, -1)
    else:
        rows.expand_to_depth(64, initial_rows)
    view = TraceView(tree, spans, index, model, rows, cursor, top)
    if query:
        view.matched = view.matches(query)
        rows.set_filter(view.matched)
    else:
        rows.rebuild()
    rows.row_of(0)  # build the row lookup here, not on the UI thread
    if previous is None or with_critical:
        model.critical_nodes = critical()  # known now: ``t`` marks the path at once
    return view


class LiveFeed:
    """Spans handed over from producer threads to the UI, coalesced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches: list[Sequence[Span]] = []
        self._count = 0
        self.received = 0
        """Spans fed so far (grows from producer threads)."""

    def feed(self, spans: Iterable[Span], *, live: bool = True) -> None:
        """Queue spans (any thread); ``live=False`` for a bulk load that is not counted as
        received."""
        batch = spans if isinstance(spans, list) else list(spans)
        if not batch:
            return
        with self._lock:
            self._batches.append(batch)
            self._count += len(batch)
            if live:
                self.received += len(batch)

    @property
    def pending(self) -> int:
        return self._count

    def drain(self) -> list[Span]:
        with self._lock:
            batches, self._batches = self._batches, []
            self._count = 0
        out: list[Span] = []
        for b in batches:
            out.extend(b)
        return out
