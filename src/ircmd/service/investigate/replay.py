"""Replay a pinned LLM call through a configured model endpoint and keep the result.

Synchronous (the concurrency model): the endpoint's coroutine runs on the workspace's
background loop. The tool calls the reply asks for are recorded, never executed. The result is
stored as evidence (request, request digest, reply, verdict, diff, linked to the original) and
recorded as a ``replay`` event with the verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ircmd.backends.models.openai_compat import ChatReply, ModelEndpointError, chat_completion
from ircmd.domain.config import ModelEndpointConfig
from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.traces.diff import diff_traces
from ircmd.domain.traces.replay import (
    not_a_refusal,
    output_text,
    replay_request,
    reply_span,
    request_digest,
    verdict,
)
from ircmd.domain.traces.spans import SpanKind
from ircmd.service.backend_loop import BackendLoop
from ircmd.service.investigate.pinning import pin_document
from ircmd.service.traces.service import EVIDENCE, TraceService


class ReplayError(DomainError):
    """The replay could not be made (no such evidence or endpoint, endpoint unreachable)."""


@dataclass
class ReplayResult:
    verdict: str
    status_code: int
    output: str
    diff: dict[str, Any]
    evidence_id: str
    request_digest: str
    tool_calls: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "status_code": self.status_code,
            "output": self.output,
            "diff": self.diff,
            "evidence_id": self.evidence_id,
            "request_digest": self.request_digest,
            "tool_calls": self.tool_calls,
            "tool_calls_executed": False,
        }


def find_endpoint(endpoints: list[ModelEndpointConfig], name: str) -> ModelEndpointConfig:
    for ep in endpoints:
        if ep.name == name:
            return ep
    known = ", ".join(ep.name for ep in endpoints) or "none configured"
    raise ReplayError(f"no model endpoint {name!r} in [[model_endpoints]] ({known})")


def replay(
    svc: TraceService,
    loop: BackendLoop,
    incident_id: str,
    evidence_id: str,
    endpoint: ModelEndpointConfig,
    model: str | None = None,
    system: str | None = None,
) -> ReplayResult:
    inc = svc.incidents.get(incident_id)
    doc = svc.store.get_doc(EVIDENCE, f"{inc.id}/{evidence_id}")
    if doc is None:
        raise ReplayError(f"no evidence {evidence_id} on {inc.id}")
    if doc.get("type") != "span":
        raise ReplayError(f"evidence {evidence_id} is a {doc.get('type')}, not a pinned span")
    span = svc.evidence_span(doc)
    if span.kind is not SpanKind.LLM or not span.input_messages:
        raise ReplayError(f"evidence {evidence_id} is not an LLM call with its messages")
    body = replay_request(span, model or endpoint.model, system)
    digest = request_digest(body)
    try:
        reply: ChatReply = loop.run(
            chat_completion(endpoint.url, body, endpoint.token_env, endpoint.timeout),
            timeout=endpoint.timeout + 5,
        )
    except (ModelEndpointError, TimeoutError) as exc:
        raise ReplayError(f"endpoint {endpoint.name}: {exc or 'timed out'}") from None
    if reply.status_code >= 500 or not_a_refusal(reply.status_code, reply.body):
        why = " (about the caller: token, URL, model or quota; not a block)"
        raise ReplayError(
            f"endpoint {endpoint.name} answered {reply.status_code}"
            f"{why if reply.status_code < 500 else ''}: {output_text(reply.body)[:200]}"
        )
    ok = 200 <= reply.status_code < 300
    replayed = reply_span(span, body, reply.body) if ok else None
    got = verdict(reply.status_code, reply.body, span, replayed)
    d = diff_traces([span], [replayed]).to_dict() if replayed is not None else {}
    calls = (
        [{"name": c.name, "arguments": c.arguments} for c in replayed.requested_tool_calls]
        if replayed is not None
        else []
    )
    record = {
        "type": "replay",
        "original": {"evidence_id": evidence_id, "sha256": doc.get("sha256")},
        "endpoint": {"name": endpoint.name, "url": endpoint.url},
        "request": body,
        "request_digest": digest,
        "status_code": reply.status_code,
        "response": reply.body,
        "verdict": got,
        "diff": d,
        "tool_calls_executed": False,
    }
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    pinned = pin_document(
        svc,
        inc.id,
        doc_type="replay",
        canonical=canonical,
        text=(
            f"replayed {evidence_id} through {endpoint.name} ({body['model']}): {got}"
            f" (HTTP {reply.status_code})"
        ),
        fields={
            "source": f"replay:{endpoint.name}",
            "trace_id": span.trace_id,
            "span_id": span.span_id,
            "name": f"replay of {span.name}",
            "kind": "replay",
            "status": got,
            "original_evidence_id": evidence_id,
            "request_digest": digest,
        },
        event_kind=EventKind.REPLAY,
        event_data={
            "original_evidence_id": evidence_id,
            "request_digest": digest,
            "endpoint": endpoint.name,
            "model": body["model"],
            "verdict": got,
            "status_code": reply.status_code,
        },
    )
    return ReplayResult(
        got, reply.status_code, output_text(reply.body), d, pinned["id"], digest, calls
    )
