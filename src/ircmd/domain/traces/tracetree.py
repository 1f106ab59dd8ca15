"""Traces assembled from spans that may arrive in any order, split across files and batches.

* :class:`TraceTree` — one trace: parent/child links, roots (a span whose parent never
  arrived is an *orphan root*), depth-first order, critical path, search filter (matches
  plus their ancestors), next error, and a :class:`TraceSummary`.
* :class:`TraceIndex` — many traces: add batches of spans (duplicates replace), list
  summaries, get a tree; ``version`` grows on every change so a UI can redraw on a tick
  only when something changed.

Children sit under their parent whatever their timestamps say (clock skew is common);
siblings are ordered by start time. Every walk is iterative: a 100,000-deep chain or a
parent cycle in hostile input costs no recursion and no hang (cycle members become
orphan roots).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ircmd.domain.traces.conventions import requested_tool_names
from ircmd.domain.traces.spans import Span


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """One line of a trace list."""

    trace_id: str
    root_name: str
    service: str
    start_ns: int
    end_ns: int
    span_count: int
    error_count: int
    input_tokens: int
    output_tokens: int
    root_span_id: str | None = None
    orphan_roots: int = 0
    models: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    conversations: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0


@dataclass(frozen=True, slots=True)
class TreeRow:
    """A span in depth-first display order with its depth."""

    span: Span
    depth: int
    has_children: bool


class TraceTree:
    """One trace's spans as a forest (normally one root)."""

    def __init__(self, trace_id: str, spans: Iterable[Span] | Mapping[str, Span]) -> None:
        self.trace_id = trace_id
        # a mapping span_id -> span is used as is (not copied): treat it as frozen
        self.spans: Mapping[str, Span] = (
            spans if isinstance(spans, Mapping) else {s.span_id: s for s in spans}
        )
        self._children: dict[str, list[Span]] = {}
        roots: list[Span] = []
        for s in self.spans.values():
            pid = s.parent_id
            if pid is not None and pid in self.spans:
                self._children.setdefault(pid, []).append(s)
            else:
                roots.append(s)
        for kids in self._children.values():
            kids.sort(key=_start_key)
        roots.sort(key=_start_key)
        self.roots: list[Span] = roots
        self._order: list[str] | None = None
        # spans caught in a parent cycle are not reachable from any root: lift them out
        if len(self.order()) != len(self.spans):
            reachable = set(self.order())
            for s in sorted(self.spans.values(), key=_start_key):
                if s.span_id not in reachable:
                    roots.append(s)
                    if s.parent_id is not None and s.parent_id in self._children:
                        sibs = self._children[s.parent_id]
                        self._children[s.parent_id] = [x for x in sibs if x is not s]
                    reachable |= self._reach([s])
            roots.sort(key=_start_key)
            self._order = None

    def _reach(self, roots: list[Span]) -> set[str]:
        seen: set[str] = set()
        stack = [r.span_id for r in roots]
        while stack:
            sid = stack.pop()
            if sid in seen:
                continue
            seen.add(sid)
            stack.extend(c.span_id for c in self._children.get(sid, ()))
        return seen

    # -- structure -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.spans)

    def get(self, span_id: str) -> Span | None:
        return self.spans.get(span_id)

    def children(self, span_id: str) -> list[Span]:
        """Direct children of ``span_id``, by start time (empty for a leaf)."""
        return self._children.get(span_id, [])

    def child_count(self, span_id: str) -> int:
        return len(self._children.get(span_id, ()))

    def parent(self, span_id: str) -> Span | None:
        s = self.spans.get(span_id)
        if s is None or s.parent_id is None:
            return None
        p = self.spans.get(s.parent_id)
        if p is None or s in self.roots:
            return None
        return p

    def is_orphan(self, span_id: str) -> bool:
        """A root whose parent id names a span that is not in this trace."""
        s = self.spans.get(span_id)
        return s is not None and s.parent_id is not None and s in self.roots

    def ancestors(self, span_id: str) -> list[Span]:
        """Parent, grandparent, ... up to the root (nearest first)."""
        out: list[Span] = []
        seen = {span_id}
        p = self.parent(span_id)
        while p is not None and p.span_id not in seen:
            out.append(p)
            seen.add(p.span_id)
            p = self.parent(p.span_id)
        return out

    def depth(self, span_id: str) -> int:
        return len(self.ancestors(span_id))

    def walk(self) -> Iterator[TreeRow]:
        """Every span depth-first (roots and siblings by start time)."""
        stack: list[tuple[Span, int]] = [(r, 0) for r in reversed(self.roots)]
        children = self._children
        while stack:
            s, d = stack.pop()
            kids = children.get(s.span_id)
            yield TreeRow(s, d, bool(kids))
            if kids:
                stack.extend((k, d + 1) for k in reversed(kids))

    def order(self) -> list[str]:
        """Span ids in depth-first order (cached)."""
        if self._order is None:
            order: list[str] = []
            children = self._children
            stack = [r.span_id for r in reversed(self.roots)]
            seen: set[str] = set()
            while stack:
                sid = stack.pop()
                if sid in seen:  # only reachable through a cycle: stop there
                    continue
                seen.add(sid)
                order.append(sid)
                kids = children.get(sid)
                if kids:
                    stack.extend(k.span_id for k in reversed(kids))
            self._order = order
        return self._order

    # -- times -----------------------------------------------------------------------------
    @property
    def start_ns(self) -> int:
        return min((s.start_ns for s in self.spans.values()), default=0)

    @property
    def end_ns(self) -> int:
        return max((s.end_ns for s in self.spans.values()), default=0)

    # -- questions ---------------------------------------------------------------------------
    def critical_path(self) -> list[str]:
        """Span ids on the critical path: the chain of work that determined when each
        root finished (walking back from the end, the last-finishing child, then the one
        that finished before that child started, and so on)."""
        path: list[str] = []
        if not self.roots:
            return path
        root = max(self.roots, key=lambda s: (s.end_ns, -s.start_ns))
        stack: list[tuple[Span, int]] = [(root, root.end_ns)]
        while stack:
            s, limit = stack.pop()
            path.append(s.span_id)
            end = min(max(s.end_ns, s.start_ns), limit)
            cursor = end
            picked: list[tuple[Span, int]] = []
            # children clamped to the parent's end (clock skew), latest-ending first
            kids = sorted(
                ((c, min(c.end_ns, end)) for c in self._children.get(s.span_id, ())),
                key=lambda ce: (ce[1], -ce[0].start_ns),
                reverse=True,
            )
            for c, c_end in kids:
                if c_end <= cursor:
                    picked.append((c, c_end))
                    cursor = c.start_ns
            # visit in time order: the earliest picked child comes out of the stack first
            stack.extend(picked)
        return path

    def matching(self, predicate: Callable[[Span], bool]) -> list[str]:
        """Ids of spans matching ``predicate``, depth-first order."""
        spans = self.spans
        return [sid for sid in self.order() if predicate(spans[sid])]

    def filter_ids(self, query: str | Callable[[Span], bool]) -> set[str]:
        """The spans a ``/`` search keeps: every match plus all its ancestors.

        A string query matches case-insensitively anywhere in the span's name, service,
        kind, status message, span id and attribute keys and values."""
        pred = search_predicate(query) if isinstance(query, str) else query
        keep: set[str] = set()
        for sid in self.matching(pred):
            if sid in keep:
                continue
            keep.add(sid)
            for a in self.ancestors(sid):
                if a.span_id in keep:
                    break
                keep.add(a.span_id)
        return keep

    def errors(self) -> list[str]:
        return self.matching(lambda s: s.is_error)

    def next_error(self, after: str | None = None, *, backwards: bool = False) -> str | None:
        """The next (or previous) error span after ``after`` in display order, wrapping."""
        order = self.order()
        if not order:
            return None
        spans = self.spans
        start = order.index(after) if after is not None and after in spans else -1
        n = len(order)
        step = -1 if backwards else 1
        if start == -1 and backwards:
            start = 0
        for i in range(1, n + 1):
            sid = order[(start + step * i) % n]
            if spans[sid].is_error:
                return sid
        return None

    def summary(self) -> TraceSummary:
        return summarize(self.trace_id, self.spans.values(), self.roots)


def _start_key(s: Span) -> tuple[int, str]:
    return (s.start_ns, s.span_id)


def search_predicate(query: str) -> Callable[[Span], bool]:
    q = query.strip().lower()
    if not q:
        return lambda s: True
    return lambda s: q in s.search_text()


def summarize(
    trace_id: str, spans: Iterable[Span], roots: list[Span] | None = None
) -> TraceSummary:
    """A trace list line for these spans (``roots`` if known, else spans without a
    parent in the set)."""
    span_list = list(spans)
    if roots is None:
        ids = {s.span_id for s in span_list}
        roots = [s for s in span_list if s.parent_id is None or s.parent_id not in ids]
        roots.sort(key=_start_key)
    start = min((s.start_ns for s in span_list), default=0)
    end = max((s.end_ns for s in span_list), default=0)
    errors = 0
    tin = tout = 0
    models: dict[str, None] = {}
    tools: dict[str, None] = {}
    convs: dict[str, None] = {}
    users: dict[str, None] = {}
    for s in span_list:
        if s.status_code == "ERROR":
            errors += 1
        if s._attr_keys:
            it, ot, m, t, c, u = s.summary_fields()
            if it:
                tin += it
            if ot:
                tout += ot
            if m:
                models[m] = None
            if t:
                tools[t] = None
            for rt in requested_tool_names(s):  # a model's tool calls count (requested)
                tools[rt] = None
            if c:
                convs[c] = None
            if u:
                users[u] = None
    true_roots = [r for r in roots if r.parent_id is None]
    root = true_roots[0] if true_roots else (roots[0] if roots else None)
    return TraceSummary(
        trace_id=trace_id,
        root_name=root.name if root else "",
        service=root.service if root else "",
        start_ns=start,
        end_ns=end,
        span_count=len(span_list),
        error_count=errors,
        input_tokens=tin,
        output_tokens=tout,
        root_span_id=root.span_id if root else None,
        orphan_roots=sum(1 for r in roots if r.parent_id is not None),
        models=tuple(models),
        tools=tuple(tools),
        conversations=tuple(convs),
        users=tuple(users),
    )


@dataclass
class TraceIndex:
    """Spans from any number of batches, grouped by trace; duplicates replace."""

    _traces: dict[str, dict[str, Span]] = field(default_factory=dict)
    _trees: dict[str, TraceTree] = field(default_factory=dict)
    _summaries: dict[str, TraceSummary] = field(default_factory=dict)
    version: int = 0
    span_count: int = 0

    def add(self, spans: Iterable[Span]) -> set[str]:
        """Add a batch; returns the ids of the traces that changed."""
        changed: set[str] = set()
        traces = self._traces
        added = 0
        for s in spans:
            t = traces.get(s.trace_id)
            if t is None:
                t = traces[s.trace_id] = {}
            if s.span_id not in t:
                added += 1
            t[s.span_id] = s
            changed.add(s.trace_id)
        for tid in changed:
            self._trees.pop(tid, None)
            self._summaries.pop(tid, None)
        if changed:
            self.span_count += added
            self.version += 1
        return changed

    def __len__(self) -> int:
        return len(self._traces)

    def __contains__(self, trace_id: object) -> bool:
        return trace_id in self._traces

    def trace_ids(self) -> list[str]:
        return list(self._traces)

    def spans(self, trace_id: str | None = None) -> Iterator[Span]:
        if trace_id is not None:
            yield from self._traces.get(trace_id, {}).values()
            return
        for t in self._traces.values():
            yield from t.values()

    def find_span(self, span_id: str, trace_id: str | None = None) -> Span | None:
        if trace_id is not None:
            return self._traces.get(trace_id, {}).get(span_id)
        for t in self._traces.values():
            s = t.get(span_id)
            if s is not None:
                return s
        return None

    def tree(self, trace_id: str) -> TraceTree | None:
        got = self._trees.get(trace_id)
        if got is None:
            spans = self._traces.get(trace_id)
            if spans is None:
                return None
            got = self._trees[trace_id] = TraceTree(trace_id, dict(spans))
        return got

    def summary(self, trace_id: str) -> TraceSummary | None:
        got = self._summaries.get(trace_id)
        if got is None:
            spans = self._traces.get(trace_id)
            if spans is None:
                return None
            tree = self._trees.get(trace_id)
            got = summarize(trace_id, spans.values(), tree.roots if tree else None)
            self._summaries[trace_id] = got
        return got

    def summaries(self, *, newest_first: bool = True) -> list[TraceSummary]:
        out = [s for tid in self._traces if (s := self.summary(tid)) is not None]
        out.sort(key=lambda s: (s.start_ns, s.trace_id), reverse=newest_first)
        return out


def filter_summaries(
    summaries: Iterable[TraceSummary],
    *,
    errors_only: bool = False,
    model: str | None = None,
    tool: str | None = None,
    conversation: str | None = None,
    text: str | None = None,
) -> list[TraceSummary]:
    """The trace list filters: errors only, by model, tool, conversation, free text."""
    out = []
    q = text.lower() if text else None
    for s in summaries:
        if errors_only and not s.error_count:
            continue
        if model and model not in s.models:
            continue
        if tool and tool not in s.tools:
            continue
        if conversation and conversation not in s.conversations:
            continue
        if q and q not in f"{s.root_name}\n{s.service}\n{s.trace_id}".lower():
            continue
        out.append(s)
    return out


def dedupe_spans(spans: Iterable[Span]) -> tuple[list[Span], dict[tuple[str, str], int]]:
    """One span per (trace id, span id): the last copy read wins, at the place of the first
    (as :class:`TraceIndex` replaces); also how many extra copies each duplicated span had."""
    kept: dict[tuple[str, str], Span] = {}
    dups: dict[tuple[str, str], int] = {}
    for s in spans:
        key = (s.trace_id, s.span_id)
        if key in kept:
            dups[key] = dups.get(key, 0) + 1
        kept[key] = s
    if not dups:
        return (spans if isinstance(spans, list) else list(kept.values())), dups
    return list(kept.values()), dups
