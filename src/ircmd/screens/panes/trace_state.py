"""What the trace explorer holds between frames (no Textual here, so it is unit-testable).

* :func:`tree_model` turns one :class:`~ircmd.domain.tracetree.TraceTree` into the flat,
  integer-indexed :class:`~ircmd.widgets.span_tree.SpanTreeModel` the tree widget draws.
* :class:`LiveFeed` is the thread-safe hand-over between whatever produces spans (a file
  loader, the OTLP receiver) and the UI: producers call :meth:`LiveFeed.feed` from any
  thread; the UI drains it on a tick, only when :attr:`LiveFeed.pending` says something
  arrived, so a flood of spans costs a few redraws a second, not one per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ircmd.domain.spans import Span
from ircmd.domain.tracetree import TraceTree, search_predicate
from ircmd.widgets.span_format import RowInfo
from ircmd.widgets.span_tree import SpanTreeModel


@dataclass
class TraceView:
    """One trace in the shape the tree widget wants: node ``i`` is ``spans[i]``."""

    tree: TraceTree
    spans: list[Span]
    index: dict[str, int]
    model: SpanTreeModel

    def node_of(self, span_id: str) -> int:
        return self.index.get(span_id, -1)

    def span(self, node: int) -> Span | None:
        return self.spans[node] if 0 <= node < len(self.spans) else None

    def matches(self, query: str) -> set[int]:
        """Nodes whose span matches a ``/`` search (the widget adds their ancestors)."""
        pred = search_predicate(query)
        return {i for i, s in enumerate(self.spans) if pred(s)}


def tree_model(tree: TraceTree) -> TraceView:
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

    def critical() -> list[int]:
        return [index[sid] for sid in tree.critical_path() if sid in index]

    start = min((s.start_ns for s in spans), default=0)
    end = max((s.end_ns for s in spans), default=0)
    model = SpanTreeModel(
        parents=parents,
        info=info,
        start_ns=start,
        end_ns=max(end, start + 1),
        errors=errors,
        critical=critical,
    )
    return TraceView(tree, spans, index, model)


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
