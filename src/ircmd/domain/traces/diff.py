"""A diff of two agent runs: spans aligned by structure and kind, not by span id.

Each trace becomes its ordered span sequence (depth-first, children by start time); each span
is a token ``(depth, kind)``. A longest common subsequence of the two token sequences pairs
spans; a paired span is ``same`` or ``changed`` (with the fields that differ), an unpaired one
``added`` (only in B) or ``removed`` (only in A). Compared fields: messages (with a word diff),
prompt name, template (OpenInference ``llm.prompt_template.template``) and version,
request/response model, tool name and arguments, retrieved document ids, guardrail outcome,
status, tokens, duration and cost.

Speed: the common prefix and suffix are matched in one pass; only the middle goes through the
quadratic LCS table (two 1,000-span runs that differ in a few places cost milliseconds).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ircmd.domain.traces.spans import Span, SpanKind
from ircmd.domain.traces.tracetree import TraceTree

__all__ = ["PairStatus", "SpanPair", "TraceDiff", "diff_traces", "trace_digest", "word_diff"]

PairStatus = Literal["same", "changed", "added", "removed"]
_LCS_CELLS = 4_000_000


def trace_digest(spans: Iterable[Span]) -> str:
    """SHA-256 of a trace's canonical JSON (its spans' canonical JSON, in start order)."""
    ordered = sorted(spans, key=lambda s: (s.start_ns, s.span_id))
    text = "[" + ",".join(s.canonical_json() for s in ordered) + "]"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ordered_spans(spans: Iterable[Span]) -> list[tuple[int, Span]]:
    """``(depth, span)`` depth-first, children by start time (the sequence that is aligned)."""
    span_list = list(spans)
    if not span_list:
        return []
    tree = TraceTree(span_list[0].trace_id, span_list)
    return [(row.depth, row.span) for row in tree.walk()]


def _messages_text(s: Span) -> str:
    parts = [f"{m.role}: {m.content}" for m in (*s.input_messages, *s.output_messages)]
    if not parts:
        parts = [v for v in (s.input_value, s.output_value) if v]
    return "\n".join(parts)


def _str_attr(s: Span, key: str) -> str | None:
    v = s.attr(key)
    return v if isinstance(v, str) and v else None


def _guardrail(s: Span) -> str | None:
    if s.kind is not SpanKind.GUARDRAIL:
        return None
    return s.output_value or s.status_code


def _tool_args(s: Span) -> Any:
    return s.tool_arguments if s.tool_name else None


def _requested(s: Span) -> list[list[Any]] | None:
    calls = s.requested_tool_calls
    return [[c.name, c.arguments] for c in calls] if calls else None


_FIELDS: tuple[tuple[str, Callable[[Span], Any]], ...] = (
    ("name", lambda s: s.name),
    ("messages", _messages_text),
    ("prompt_name", lambda s: s.prompt_name),
    ("prompt_template", lambda s: _str_attr(s, "llm.prompt_template.template")),
    ("prompt_version", lambda s: s.prompt_version),
    ("request_model", lambda s: s.request_model),
    ("response_model", lambda s: s.response_model),
    ("tool_name", lambda s: s.tool_name),
    ("tool_arguments", _tool_args),
    ("tool_calls_requested", _requested),
    ("document_ids", lambda s: [d.id for d in s.documents] or None),
    ("guardrail", _guardrail),
    ("status", lambda s: s.status_code),
    ("input_tokens", lambda s: s.summary_fields()[0]),
    ("output_tokens", lambda s: s.summary_fields()[1]),
)
TOOL_FIELDS = frozenset({"tool_name", "tool_arguments", "tool_calls_requested"})


@dataclass
class SpanPair:
    status: PairStatus
    a: Span | None
    b: Span | None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    word_diff: list[list[str]] | None = None
    """``[[op, text], …]`` with op ``=``, ``-`` or ``+`` when the messages changed."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "a": _ref(self.a),
            "b": _ref(self.b),
            "changes": self.changes,
            "word_diff": self.word_diff,
        }


def _ref(s: Span | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"span_id": s.span_id, "name": s.name, "kind": s.kind.value}


@dataclass
class TraceDiff:
    trace_a: str
    trace_b: str
    pairs: list[SpanPair]
    summary: dict[str, Any]

    def differences(self) -> list[int]:
        """Indexes of the pairs that are not ``same`` (what ``n``/``N`` step through)."""
        return [i for i, p in enumerate(self.pairs) if p.status != "same"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_a": self.trace_a,
            "trace_b": self.trace_b,
            "pairs": [p.to_dict() for p in self.pairs],
            "summary": self.summary,
        }


def word_diff(a: str, b: str) -> list[list[str]]:
    """A word-level diff of two texts: ``[[op, words], …]`` (``=`` kept, ``-`` gone, ``+`` new)."""
    wa, wb = a.split(), b.split()
    ops: list[list[str]] = []
    for op, x, y in _align(wa, wb):
        text = wa[x] if op != "+" else wb[y]
        if ops and ops[-1][0] == op:
            ops[-1][1] += " " + text
        else:
            ops.append([op, text])
    return ops


def _align(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[str, int, int]]:
    """LCS alignment: ``(op, i, j)`` with op ``=`` (a[i] pairs b[j]), ``-`` (a[i] only) or
    ``+`` (b[j] only), in order."""
    n, m = len(a), len(b)
    lo = 0
    while lo < n and lo < m and a[lo] == b[lo]:
        lo += 1
    hi_a, hi_b = n, m
    while hi_a > lo and hi_b > lo and a[hi_a - 1] == b[hi_b - 1]:
        hi_a -= 1
        hi_b -= 1
    head = [("=", i, i) for i in range(lo)]
    tail = [("=", hi_a + k, hi_b + k) for k in range(n - hi_a)]
    ma, mb = a[lo:hi_a], b[lo:hi_b]
    return head + _middle(ma, mb, lo, lo) + tail


def _middle(a: Sequence[Any], b: Sequence[Any], oa: int, ob: int) -> list[tuple[str, int, int]]:
    n, m = len(a), len(b)
    if n * m > _LCS_CELLS:  # pathological: greedy (still ordered, never wrong, maybe longer)
        import difflib

        out: list[tuple[str, int, int]] = []
        sm = difflib.SequenceMatcher(None, list(a), list(b), autojunk=False)
        i = j = 0
        for blk in sm.get_matching_blocks():
            out += [("-", oa + x, -1) for x in range(i, blk.a)]
            out += [("+", -1, ob + y) for y in range(j, blk.b)]
            out += [("=", oa + blk.a + k, ob + blk.b + k) for k in range(blk.size)]
            i, j = blk.a + blk.size, blk.b + blk.size
        return out
    # lengths of the LCS of suffixes, row by row
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below, ai = table[i], table[i + 1], a[i]
        for j in range(m - 1, -1, -1):
            if ai == b[j]:
                row[j] = below[j + 1] + 1
            else:
                r, d = row[j + 1], below[j]
                row[j] = r if r > d else d
    res: list[tuple[str, int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            res.append(("=", oa + i, ob + j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            res.append(("-", oa + i, -1))
            i += 1
        else:
            res.append(("+", -1, ob + j))
            j += 1
    res += [("-", oa + x, -1) for x in range(i, n)]
    res += [("+", -1, ob + y) for y in range(j, m)]
    return res


def _compare(a: Span, b: Span, cost: Callable[[Span], float | None]) -> SpanPair:
    changes: dict[str, list[Any]] = {}
    wd = None
    identical = (
        a._attr_keys is b._attr_keys
        and a._attr_values == b._attr_values
        and a.name == b.name
        and a.status_code == b.status_code
    )
    for name, get in () if identical else _FIELDS:
        va, vb = get(a), get(b)
        if va != vb:
            changes[name] = [va, vb]
            if name == "messages":
                wd = word_diff(va or "", vb or "")
    ca, cb = cost(a), cost(b)
    if ca != cb:
        changes["cost_usd"] = [ca, cb]
    da, db = a.duration_ns // 1_000_000, b.duration_ns // 1_000_000
    # duration alone does not make a span "changed" (no two runs take the same time)
    status: PairStatus = "changed" if changes else "same"
    if da != db:
        changes["duration_ms"] = [da, db]
    return SpanPair(status, a, b, changes, wd)


def _tokens(spans: Iterable[Span]) -> int:
    total = 0
    for s in spans:
        it, ot, *_ = s.summary_fields()
        total += (it or 0) + (ot or 0)
    return total


def _duration_ms(spans: Sequence[Span]) -> int:
    if not spans:
        return 0
    return (max(s.end_ns for s in spans) - min(s.start_ns for s in spans)) // 1_000_000


def diff_traces(
    a_spans: Sequence[Span],
    b_spans: Sequence[Span],
    cost: Callable[[Span], float | None] = lambda s: None,
) -> TraceDiff:
    """The aligned diff of run A and run B (``cost`` prices a span; see ``cost.Pricer.usd``)."""
    memo: dict[int, float | None] = {}
    price_once = _once(cost, memo)

    seq_a, seq_b = ordered_spans(a_spans), ordered_spans(b_spans)
    tok_a = [(d, s.kind) for d, s in seq_a]
    tok_b = [(d, s.kind) for d, s in seq_b]
    pairs: list[SpanPair] = []
    for op, i, j in _align(tok_a, tok_b):
        if op == "=":
            pairs.append(_compare(seq_a[i][1], seq_b[j][1], price_once))
        elif op == "-":
            pairs.append(SpanPair("removed", seq_a[i][1], None))
        else:
            pairs.append(SpanPair("added", None, seq_b[j][1]))
    cost_a = sum(c for s in a_spans if (c := price_once(s)) is not None)
    cost_b = sum(c for s in b_spans if (c := price_once(s)) is not None)
    tool_changed = sum(
        1
        for p in pairs
        if (p.status == "changed" and TOOL_FIELDS & p.changes.keys())
        or (p.status in ("added", "removed") and _is_tool(p.a or p.b))
    )
    summary = {
        "same": sum(1 for p in pairs if p.status == "same"),
        "changed": sum(1 for p in pairs if p.status == "changed"),
        "added": sum(1 for p in pairs if p.status == "added"),
        "removed": sum(1 for p in pairs if p.status == "removed"),
        "tokens_delta": _tokens(b_spans) - _tokens(a_spans),
        "duration_delta_ms": _duration_ms(b_spans) - _duration_ms(a_spans),
        "cost_delta_usd": round(cost_b - cost_a, 10),
        "tool_calls_changed": tool_changed,
    }
    ta = a_spans[0].trace_id if a_spans else ""
    tb = b_spans[0].trace_id if b_spans else ""
    return TraceDiff(ta, tb, pairs, summary)


def _once(
    cost: Callable[[Span], float | None], memo: dict[int, float | None]
) -> Callable[[Span], float | None]:
    """``cost`` computed once per span (a diff asks for each span's price twice)."""

    def price(s: Span) -> float | None:
        k = id(s)
        if k not in memo:
            memo[k] = cost(s)
        return memo[k]

    return price


def _is_tool(s: Span | None) -> bool:
    return s is not None and (s.kind is SpanKind.TOOL or bool(s.requested_tool_calls))


def diff_evidence(diff: TraceDiff, a_spans: Sequence[Span], b_spans: Sequence[Span]) -> str:
    """The canonical JSON of a diff kept as evidence: both traces' digests plus the diff."""
    doc = {
        "type": "trace_diff",
        "a": {"trace_id": diff.trace_a, "sha256": trace_digest(a_spans), "spans": len(a_spans)},
        "b": {"trace_id": diff.trace_b, "sha256": trace_digest(b_spans), "spans": len(b_spans)},
        "diff": diff.to_dict(),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
