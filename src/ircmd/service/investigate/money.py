"""Money at risk for the war-room header: the recorded findings' traces, priced.

The spans are what the incident holds without a trace source being open: the pinned span
evidence and the workspace's receiver spool. A finding that names a tool (``find similar``
by tool) also sums that tool's numeric money-like arguments (``amount``, ``total``, …) over
its calls in those traces. Blocking: call it from a worker or the CLI."""

from __future__ import annotations

from typing import Any

from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.traces.cost import MoneyAtRisk, money_at_risk, pricer_from_config
from ircmd.domain.traces.spans import Span
from ircmd.service.traces.service import TraceService
from ircmd.service.workspace import Workspace

MONEY_ARGS = ("amount", "total", "price", "refund_amount", "value_usd", "amount_usd")
"""Numeric tool arguments summed as money when a finding names their tool."""


def _findings(ws: Workspace, incident_id: str) -> tuple[set[str], set[str]]:
    traces: set[str] = set()
    tools: set[str] = set()
    for ev in ws.incidents.timeline(incident_id):
        if ev.kind is not EventKind.FINDING:
            continue
        data: dict[str, Any] = ev.data or {}
        traces.update(str(t) for t in data.get("trace_ids") or [] if t)
        query = data.get("query")
        if isinstance(query, dict) and isinstance(query.get("tool"), str) and query["tool"]:
            tools.add(query["tool"])
    return traces, tools


def _spans(ws: Workspace, svc: TraceService, incident_id: str, traces: set[str]) -> list[Span]:
    seen: dict[tuple[str, str], Span] = {}
    for doc in svc.evidence(incident_id):
        if (
            doc.get("trace_id") in traces
            and doc.get("span_id")
            and doc.get("type", "span") == "span"
        ):
            try:
                s = svc.evidence_span(doc)
            except Exception:  # a tampered item is reported by verify, not priced here
                continue
            seen[(s.trace_id, s.span_id)] = s
    try:
        spool = svc.spool_directory()
    except DomainError:  # no data directory, so no spool
        return list(seen.values())
    if spool.exists():
        for s in svc.load_spool().spans:
            if s.trace_id in traces:
                seen.setdefault((s.trace_id, s.span_id), s)
    return list(seen.values())


def incident_money_at_risk(ws: Workspace, incident_id: str) -> MoneyAtRisk | None:
    """What the incident's findings put at risk, or None when it has no finding yet."""
    traces, tools = _findings(ws, incident_id)
    if not traces:
        return None
    svc = TraceService.for_workspace(ws)
    spans = _spans(ws, svc, incident_id, traces)
    pricer = pricer_from_config({k: v.model_dump() for k, v in ws.config.prices.items()})
    args = [(tool, arg) for tool in sorted(tools) for arg in MONEY_ARGS]
    risk = money_at_risk(spans, traces, pricer, args)
    risk.amounts = {k: v for k, v in risk.amounts.items() if v}
    return risk
