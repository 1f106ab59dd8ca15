"""Fixtures for the evidence/review/evals/regulatory tests: a workspace on a temp TinyDB
store with one incident that has everything a package carries (severity and
classification changes, containment events, pinned spans, findings, notes full of PII).

The pinned-span documents mimic what the trace pane writes (collection ``evidence``,
keyed by the span's SHA-256, holding its canonical JSON, digest, source and incident id);
the export code reads them generically.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, canonical_json, sha256_hex
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.store.base import Change, EventDraft
from tests.support.configs import NAME, OWNER, support_refunds_toml

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# Every value below must be gone from an ``external`` export.
PII = {
    "email": ["jane.doe@example.com", "ops+alerts@corp.example.org"],
    "phone": ["+44 20 7946 0958", "(555) 123-4567"],
    "payment_card": ["4111 1111 1111 1111", "5500-0000-0000-0004"],
    "api_key": ["sk-proj-AbCdEfGhIjKlMnOpQrStUv12", "AKIAIOSFODNN7EXAMPLE"],
    "bearer_token": ["tok_9fA8bC7dE6fG5hI4jK3l"],
    "ip_address": ["203.0.113.42", "2001:db8::8a2e:370:7334"],
}
ENV_SECRET = "phx-secret-token-123456"
DSN_PASSWORD = "s3cr3t-dsn-pw"
CUSTOM_ACCOUNT = "ACCT-99887766"

CONFIG = """
[store]
kind = "tinydb"

[[trace_sources]]
name = "phoenix"
kind = "phoenix"
url = "http://127.0.0.1:6006"
token_env = "TEST_PHOENIX_TOKEN"

[redaction.patterns]
account = "ACCT-[0-9]{8}"

""" + support_refunds_toml(name=NAME, owner=OWNER, risk_tier="high")

ENVIRON = {
    "TEST_PHOENIX_TOKEN": ENV_SECRET,
    "UNRELATED": "not-a-secret-value",
}


def stepping_clock(
    start: datetime = T0, step: timedelta = timedelta(minutes=7)
) -> Callable[[], datetime]:
    counter = itertools.count()
    return lambda: start + step * next(counter)


def open_workspace(tmp_path: Path, config: str = CONFIG) -> Workspace:
    ws = Workspace.open(parse_config(config, "test.toml"), tmp_path / "data", actor="alice")
    ws.incidents.clock = stepping_clock()
    return ws


def llm_span(n: int = 0) -> dict[str, Any]:
    """A normalised LLM span in OTel GenAI shape, with PII in its messages."""
    return {
        "trace_id": f"{n:02d}" + "a" * 30,
        "span_id": f"{n:02d}" + "b" * 14,
        "name": "chat gpt-4o",
        "kind": "llm",
        "attributes": {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o-2024-08-06",
            "gen_ai.provider.name": "openai",
            "gen_ai.input.messages": [
                {"role": "system", "parts": [{"type": "text", "content": "You are a refund bot."}]},
                {
                    "role": "user",
                    "parts": [
                        {
                            "type": "text",
                            "content": f"I am {PII['email'][0]}, call {PII['phone'][0]}, "
                            f"card {PII['payment_card'][0]}, account {CUSTOM_ACCOUNT}",
                        }
                    ],
                },
            ],
            "gen_ai.output.messages": [
                {
                    "role": "assistant",
                    "parts": [{"type": "text", "content": "You will get a 500 EUR refund."}],
                }
            ],
            "gen_ai.tool.call.arguments": {"account": CUSTOM_ACCOUNT, "amount": 500},
            "http.client_ip": PII["ip_address"][0],
        },
    }


def normalised_span(n: int = 1) -> dict[str, Any]:
    """The same span in the trace pane's ``Span.to_dict`` shape: attributes as
    ``[key, value]`` pairs, messages as the JSON strings OTLP carries."""
    span = llm_span(n)
    attrs = span.pop("attributes")
    pairs = [
        [k, json.dumps(v) if k.endswith(("messages", "arguments")) else v] for k, v in attrs.items()
    ]
    return {
        **span,
        "parent_id": None,
        "start_ns": 1_763_629_200_000_000_000 + n,
        "end_ns": 1_763_629_201_000_000_000 + n,
        "status": {"code": "OK", "message": ""},
        "otel_kind": "CLIENT",
        "scope": "openai",
        "attributes": pairs,
        "events": [],
        "links": [],
        "resource": {"service.name": "support-refunds"},
    }


def pin_like_trace_pane(ws: Workspace, incident_id: str, span: dict[str, Any]) -> str:
    """Pin as the trace service does: key ``INC/EV-<12 hex>``, ``sha256``, ``canonical_json``."""
    canonical = canonical_json(span)
    digest = sha256_hex(canonical)
    now = ws.incidents.clock()
    evidence_id = f"EV-{digest[:12]}"

    def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
        return Change(
            incident=inc,
            events=[
                EventDraft(
                    kind=EventKind.EVIDENCE_PINNED,
                    at=now,
                    author="bob",
                    text="pinned llm span 'chat gpt-4o' from phoenix",
                    data={
                        "evidence_id": evidence_id,
                        "sha256": digest,
                        "source": "phoenix",
                        "trace_id": span["trace_id"],
                        "span_id": span["span_id"],
                    },
                )
            ],
            docs={
                ("evidence", f"{incident_id}/{evidence_id}"): {
                    "id": evidence_id,
                    "incident_id": incident_id,
                    "type": "span",
                    "source": "phoenix",
                    "trace_id": span["trace_id"],
                    "span_id": span["span_id"],
                    "name": span["name"],
                    "kind": "llm",
                    "status": "OK",
                    "sha256": digest,
                    "canonical_json": canonical,
                    "pinned_at": now.isoformat(),
                    "pinned_by": "bob",
                    "note": "",
                }
            },
        )

    ws.store.apply(incident_id, decide)
    return digest


def pin_span(ws: Workspace, incident_id: str, span: dict[str, Any], source: str = "phoenix") -> str:
    canonical = canonical_json(span)
    digest = sha256_hex(canonical)
    now = ws.incidents.clock()

    def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
        return Change(
            incident=inc,
            events=[
                EventDraft(
                    kind=EventKind.EVIDENCE_PINNED,
                    at=now,
                    author="bob",
                    text=f"Pinned span {span['span_id']} ({digest[:12]})",
                    data={"digest": digest, "source": source, "span_id": span["span_id"]},
                )
            ],
            docs={
                ("evidence", digest): {
                    "digest": digest,
                    "canonical_json": canonical,
                    "source": source,
                    "incident_id": incident_id,
                    "pinned_at": now.isoformat(),
                    "pinned_by": "bob",
                }
            },
        )

    ws.store.apply(incident_id, decide)
    return digest


def seed_incident(ws: Workspace, *, resolve: bool = True) -> tuple[str, list[str]]:
    svc = ws.incidents
    inc, _ = svc.declare(
        "Refund assistant promised refunds to the wrong customers",
        workflow_id="support-refunds",
        severity="medium",
    )
    iid = inc.id
    svc.set_severity(iid, "high", "customer money at stake")
    svc.classify(iid, "ai_incident", "customer-facing misinformation")
    svc.assign_role(iid, "incident_lead", "alice")
    svc.note(
        iid,
        f"Customer {PII['email'][1]} phoned from {PII['phone'][1]}; paid with "
        f"{PII['payment_card'][1]}; logs show key {PII['api_key'][1]} and "
        f"Authorization: Bearer {PII['bearer_token'][0]} from {PII['ip_address'][1]}",
    )
    svc.add_event(
        iid,
        EventKind.CONTAINMENT_REQUESTED,
        "Requested: force human review on refunds",
        {"control": "review", "desired": True},
    )
    svc.add_event(
        iid,
        EventKind.CONTAINMENT_CONFIRMED,
        "Confirmed by unleash: force human review on",
        {"control": "review", "observed": True},
    )
    svc.set_status(iid, "contained")
    digests = [pin_span(ws, iid, llm_span(0)), pin_like_trace_pane(ws, iid, normalised_span(1))]
    svc.add_event(
        iid,
        EventKind.FINDING,
        "Blast radius: 37 conversations over 2 days with the same prompt version",
        {
            "conversations": 37,
            "api_key_seen": PII["api_key"][0],
            "header": f"Authorization: Bearer {PII['bearer_token'][0]}",
        },
    )
    svc.comms(
        iid,
        f"Wrote to {PII['email'][0]} (tel {PII['phone'][0]}) about card {PII['payment_card'][0]}",
        audience="customer",
    )
    svc.decide(iid, f"Roll back prompt v12 -> v11 (token {ENV_SECRET} rotated)")
    if resolve:
        svc.set_status(iid, "investigating")
        svc.set_status(iid, "resolved", "prompt rolled back, refunds corrected")
    return iid, digests
