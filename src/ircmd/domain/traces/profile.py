"""Where time and tokens went: self time, tokens and cost grouped by kind, model, tool or
service, over one trace or a whole source; and the icicle rows of one trace.

Self time is a span's duration minus the part of it its children cover (their intervals
merged and clipped to the parent), so concurrent children are not subtracted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ircmd.domain.traces.spans import Span

__all__ = ["GROUPS", "ProfileRow", "icicle", "profile", "self_times"]

Group = Literal["kind", "model", "tool", "service"]
GROUPS: dict[str, Callable[[Span], str]] = {
    "kind": lambda s: s.kind.value,
    "model": lambda s: s.model or "-",
    "tool": lambda s: s.tool_name or "-",
    "service": lambda s: s.service or "-",
}


def self_times(spans: Iterable[Span]) -> dict[tuple[str, str], int]:
    """``(trace_id, span_id) -> self time in ns``."""
    span_list = list(spans)
    children: dict[tuple[str, str], list[Span]] = {}
    for s in span_list:
        if s.parent_id:
            children.setdefault((s.trace_id, s.parent_id), []).append(s)
    out: dict[tuple[str, str], int] = {}
    for s in span_list:
        kids = children.get((s.trace_id, s.span_id))
        covered = 0
        if kids:
            ivs = sorted(
                (max(k.start_ns, s.start_ns), min(k.end_ns, s.end_ns))
                for k in kids
                if k.end_ns > s.start_ns and k.start_ns < s.end_ns
            )
            cur_s = cur_e = None
            for a, b in ivs:
                if cur_e is None or a > cur_e:
                    if cur_e is not None and cur_s is not None:
                        covered += cur_e - cur_s
                    cur_s, cur_e = a, b
                else:
                    cur_e = max(cur_e, b)
            if cur_e is not None and cur_s is not None:
                covered += cur_e - cur_s
        out[(s.trace_id, s.span_id)] = max(0, s.duration_ns - covered)
    return out


@dataclass
class ProfileRow:
    key: str
    spans: int = 0
    self_ns: int = 0
    total_ns: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    errors: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "spans": self.spans,
            "self_ms": round(self.self_ns / 1e6, 3),
            "total_ms": round(self.total_ns / 1e6, 3),
            "tokens": {"input": self.input_tokens, "output": self.output_tokens},
            "cost_usd": round(self.cost_usd, 10),
            "errors": self.errors,
        }


def profile(
    spans: Iterable[Span],
    by: str = "kind",
    cost: Callable[[Span], float | None] = lambda s: None,
) -> list[ProfileRow]:
    """Rows grouped by ``by`` (kind|model|tool|service), most self time first."""
    span_list = list(spans)
    selfs = self_times(span_list)
    key_of = GROUPS[by]
    rows: dict[str, ProfileRow] = {}
    for s in span_list:
        k = key_of(s)
        r = rows.get(k)
        if r is None:
            r = rows[k] = ProfileRow(k)
        r.spans += 1
        r.self_ns += selfs[(s.trace_id, s.span_id)]
        r.total_ns += s.duration_ns
        it, ot, *_ = s.summary_fields()
        r.input_tokens += it or 0
        r.output_tokens += ot or 0
        c = cost(s)
        if c:
            r.cost_usd += c
        if s.is_error:
            r.errors += 1
    return sorted(rows.values(), key=lambda r: (-r.self_ns, r.key))


def icicle(spans: Iterable[Span]) -> list[dict[str, Any]]:
    """One trace as icicle rows: ``{span_id, name, kind, depth, start_ns, end_ns, self_ns}``
    depth-first (offsets relative to the trace start), for a flame/icicle view."""
    from ircmd.domain.traces.tracetree import TraceTree

    span_list = list(spans)
    if not span_list:
        return []
    tree = TraceTree(span_list[0].trace_id, span_list)
    t0 = min(s.start_ns for s in span_list)
    selfs = self_times(span_list)
    return [
        {
            "span_id": r.span.span_id,
            "name": r.span.name,
            "kind": r.span.kind.value,
            "depth": r.depth,
            "start_ns": r.span.start_ns - t0,
            "end_ns": r.span.end_ns - t0,
            "self_ns": selfs[(r.span.trace_id, r.span.span_id)],
        }
        for r in tree.walk()
    ]
