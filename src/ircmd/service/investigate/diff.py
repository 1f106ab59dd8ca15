"""Diff two runs and keep the diff as evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ircmd.domain.traces.diff import TraceDiff, diff_evidence, trace_digest
from ircmd.domain.traces.spans import Span
from ircmd.service.investigate.pinning import pin_document
from ircmd.service.traces.service import TraceService


def pin_diff(
    svc: TraceService,
    incident_id: str,
    diff: TraceDiff,
    a_spans: Sequence[Span],
    b_spans: Sequence[Span],
    source: str,
    note: str = "",
) -> dict[str, Any]:
    """Pin ``diff`` on the incident: both traces' canonical JSON digests plus the diff."""
    s = diff.summary
    text = (
        f"pinned diff of trace {diff.trace_a[:12]} vs {diff.trace_b[:12]} from {source} "
        f"({s['changed']} changed, {s['added']} added, {s['removed']} removed)"
    )
    return pin_document(
        svc,
        incident_id,
        doc_type="trace_diff",
        canonical=diff_evidence(diff, a_spans, b_spans),
        text=text,
        fields={
            "source": source,
            "trace_id": diff.trace_a,
            "trace_b": diff.trace_b,
            "sha256_a": trace_digest(a_spans),
            "sha256_b": trace_digest(b_spans),
            "name": f"diff {diff.trace_a[:8]}…{diff.trace_b[:8]}",
            "kind": "trace_diff",
            "summary": dict(s),
        },
        note=note,
        event_data={"trace_a": diff.trace_a, "trace_b": diff.trace_b, "source": source},
    )
