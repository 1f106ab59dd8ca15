"""Money at risk for the war-room header: the recorded findings' traces, priced.

The spans are the pinned span evidence, the workspace's receiver spool and the configured
trace sources (a finding whose stored trace ids were capped is re-run over those). A
finding that names a tool (``find similar`` by tool) also sums that tool's numeric
money-like arguments (``amount``, ``total``, …, and the argument the finding names) over its
calls in those traces. The result
says how many of the findings' traces were found, and where. Blocking: call it from a
worker or the CLI."""

from __future__ import annotations

import asyncio
from typing import Any

from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.traces.blast import SimilarQuery, find_similar
from ircmd.domain.traces.cost import MoneyAtRisk, money_at_risk, pricer_from_config
from ircmd.domain.traces.spans import Span
from ircmd.service.traces.service import TraceService
from ircmd.service.workspace import Workspace

MONEY_ARGS = ("amount", "total", "price", "refund_amount", "value_usd", "amount_usd")
"""Numeric tool arguments summed as money when a finding names their tool."""


def findings_of(
    ws: Workspace, incident_id: str
) -> tuple[set[str], set[tuple[str, str]], list[SimilarQuery]]:
    """The findings' trace ids, the ``(tool, argument)`` pairs to sum (each tool a finding
    names, with the money-like ``MONEY_ARGS`` and the argument the finding names, e.g.
    ``trace find --tool issue_refund --arg credits --record``), and the queries of the
    findings whose stored trace ids were capped (re-run over the loaded spans)."""
    traces: set[str] = set()
    tools: set[tuple[str, str]] = set()
    capped: list[SimilarQuery] = []
    for ev in ws.incidents.timeline(incident_id):
        if ev.kind is not EventKind.FINDING:
            continue
        data: dict[str, Any] = ev.data or {}
        ids = [str(t) for t in data.get("trace_ids") or [] if t]
        traces.update(ids)
        query = data.get("query")
        if isinstance(query, dict) and isinstance(query.get("tool"), str) and query["tool"]:
            tools.update((query["tool"], arg) for arg in MONEY_ARGS)
            named = data.get("sum_argument")
            if isinstance(named, str) and named:
                tools.add((query["tool"], named))
        n = data.get("traces")
        if isinstance(query, dict) and isinstance(n, int) and n > len(ids):
            q = _query(query)
            if q is not None:
                capped.append(q)
    return traces, tools, capped


def _query(d: dict[str, Any]) -> SimilarQuery | None:
    try:
        return SimilarQuery(
            tool=d.get("tool"),
            tool_args=tuple((str(a), str(b)) for a, b in d.get("tool_args") or []),
            prompt_name=d.get("prompt_name"),
            prompt_version=d.get("prompt_version"),
            retrieval_source=d.get("retrieval_source"),
            document_id=d.get("document_id"),
            model=d.get("model"),
            since_ns=d.get("since_ns"),
            until_ns=d.get("until_ns"),
        )
    except (TypeError, ValueError):
        return None


def _source_spans(svc: TraceService) -> tuple[list[Span], list[str]]:
    """Every span of the configured trace sources (and their names), loaded once."""
    feed = svc.feed()
    if not feed.sources:
        return [], []

    async def load() -> list[Span]:
        try:
            return list((await feed.load()).spans)
        finally:
            await feed.close()

    return asyncio.run(load()), [s.name for s in feed.sources]


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
            except ValueError:  # tampered (EvidenceTampered) or not JSON: verify reports it
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
    """What the incident's findings put at risk, or None when it has no finding yet.

    The findings' traces are looked up in the pinned evidence, the receiver's spool and the
    configured trace sources; the result says how many of them were found, and where."""
    traces, tools, capped = findings_of(ws, incident_id)
    if not traces:
        return None
    svc = TraceService.for_workspace(ws)
    loaded, names = _source_spans(svc)
    for q in capped:  # the event kept only the first ids: find the rest again
        traces.update(find_similar(loaded, q).trace_ids)
    spans = _spans(ws, svc, incident_id, traces)
    seen = {(s.trace_id, s.span_id) for s in spans}
    spans += [s for s in loaded if s.trace_id in traces and (s.trace_id, s.span_id) not in seen]
    pricer = pricer_from_config({k: v.model_dump() for k, v in ws.config.prices.items()})
    risk = money_at_risk(spans, traces, pricer, sorted(tools))
    risk.amounts = {k: v for k, v in risk.amounts.items() if v}
    risk.traces_total = len(traces)
    risk.traces_found = len({s.trace_id for s in spans})
    risk.sources = ["evidence", "spool", *names]
    return risk
