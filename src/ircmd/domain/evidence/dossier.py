"""Everything known about one incident, gathered from its timeline and documents.

Read generically, so this works whatever pane wrote the events: containment history from
``CONTAINMENT_*`` events, severity and classification history from their events, pinned
spans from the ``evidence`` documents (keyed by the span's SHA-256) and ``EVIDENCE_PINNED``
events, blast-radius results from ``FINDING`` events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ircmd.domain.evidence.review import Review
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import (
    EventKind,
    TimelineEvent,
    canonical_json,
    format_time,
    sha256_hex,
)

EVIDENCE = "evidence"
CONTAINMENT_KINDS = (
    EventKind.CONTAINMENT_REQUESTED,
    EventKind.CONTAINMENT_CONFIRMED,
    EventKind.CONTAINMENT_FAILED,
    EventKind.CONTAINMENT_DRIFT,
    EventKind.CONTAINMENT_DRIFT_CLEARED,
)


@dataclass
class PinnedSpan:
    """One pinned span: its canonical JSON (as pinned) and the SHA-256 it was pinned with."""

    digest: str
    canonical: str
    source: str = ""
    pinned_at: str = ""
    pinned_by: str = ""
    note: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def span(self) -> dict[str, Any]:
        try:
            value = json.loads(self.canonical)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {"value": value}

    @property
    def digest_ok(self) -> bool:
        return sha256_hex(self.canonical) == self.digest


@dataclass
class Dossier:
    incident: Incident
    events: list[TimelineEvent]
    records: list[dict[str, Any]]
    spans: list[PinnedSpan] = field(default_factory=list)
    review: Review | None = None
    regulatory: dict[str, Any] | None = None
    eval_cases: list[dict[str, Any]] = field(default_factory=list)

    def of_kind(self, *kinds: EventKind) -> list[TimelineEvent]:
        return [e for e in self.events if e.kind in kinds]

    def severity_history(self) -> list[dict[str, Any]]:
        out = []
        for e in self.events:
            if e.kind == EventKind.DECLARED and e.data.get("severity"):
                out.append(_entry(e, None, e.data.get("severity"), ""))
            elif e.kind == EventKind.SEVERITY_CHANGE:
                out.append(
                    _entry(e, e.data.get("from"), e.data.get("to"), e.data.get("reason", ""))
                )
        return out

    def classification_history(self) -> list[dict[str, Any]]:
        out = []
        for e in self.events:
            if e.kind == EventKind.DECLARED and e.data.get("classification"):
                out.append(_entry(e, None, e.data.get("classification"), ""))
            elif e.kind == EventKind.CLASSIFICATION:
                out.append(
                    _entry(e, e.data.get("from"), e.data.get("to"), e.data.get("reason", ""))
                )
        return out

    def status_history(self) -> list[dict[str, Any]]:
        return [
            _entry(e, e.data.get("from"), e.data.get("to"), e.data.get("reason", ""))
            for e in self.of_kind(EventKind.STATUS_CHANGE)
        ]

    def containment_history(self) -> list[dict[str, Any]]:
        return [_event_entry(e) for e in self.of_kind(*CONTAINMENT_KINDS)]

    def findings(self) -> list[dict[str, Any]]:
        return [_event_entry(e) for e in self.of_kind(EventKind.FINDING)]

    def ai_versions(self) -> dict[str, str]:
        """Model, provider, prompt and index versions seen on the pinned spans, merged with
        the ones the reviewer wrote (the reviewer's win)."""
        found: dict[str, list[str]] = {}
        for span in self.spans:
            attrs = _span_attributes(span.span)
            for label, keys in _VERSION_KEYS:
                for key in keys:
                    value = attrs.get(key)
                    if isinstance(value, str | int | float) and str(value):
                        values = found.setdefault(label, [])
                        if str(value) not in values:
                            values.append(str(value))
                        break
        out = {k: ", ".join(v) for k, v in found.items()}
        if self.review is not None:
            out.update(self.review.versions)
        return out

    def responders(self) -> list[str]:
        people: list[str] = []
        for person in [*self.incident.roles.values(), *(e.author for e in self.events)]:
            if person and person not in people:
                people.append(person)
        return people


_VERSION_KEYS: list[tuple[str, tuple[str, ...]]] = [
    ("model", ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name")),
    ("provider", ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")),
    ("prompt", ("gen_ai.prompt.name", "llm.prompt_template.name")),
    ("prompt version", ("gen_ai.prompt.version", "llm.prompt_template.version")),
    ("index / data source", ("gen_ai.data_source.id", "retrieval.source")),
]


def _span_attributes(span: dict[str, Any]) -> dict[str, Any]:
    attrs = span.get("attributes")
    if isinstance(attrs, dict):
        return attrs
    out: dict[str, Any] = {}
    for kv in attrs if isinstance(attrs, list) else []:
        if isinstance(kv, list | tuple) and len(kv) == 2 and isinstance(kv[0], str):
            out[kv[0]] = kv[1]
        elif isinstance(kv, dict) and isinstance(kv.get("key"), str):
            value = kv.get("value")
            if isinstance(value, dict):
                value = next(iter(value.values()), None)
            out[kv["key"]] = value
    return out


def _entry(e: TimelineEvent, before: Any, after: Any, reason: str) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": format_time(e.at),
        "author": e.author,
        "from": before,
        "to": after,
        "reason": reason,
    }


def _event_entry(e: TimelineEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": format_time(e.at),
        "kind": e.kind.value,
        "author": e.author,
        "text": e.text,
        "data": e.data,
    }


def _first_str(doc: dict[str, Any], *keys: str) -> str:
    for k in keys:
        v = doc.get(k)
        if isinstance(v, str) and v:
            return v
    return ""


def pinned_spans(
    incident_id: str, docs: dict[str, dict[str, Any]], events: list[TimelineEvent]
) -> list[PinnedSpan]:
    """The spans pinned on ``incident_id``, in pin order.

    Accepts the documents of the ``evidence`` collection in any of the shapes a pinning
    pane may write: the canonical JSON under ``canonical``/``canonical_json``/``span_json``
    (a string) or the span itself under ``span`` (a dict, canonicalised here).
    """
    order = {
        str(e.data.get("digest") or e.data.get("sha256") or ""): e.seq
        for e in events
        if e.kind == EventKind.EVIDENCE_PINNED
    }
    out: list[PinnedSpan] = []
    for key, doc in docs.items():
        if not isinstance(doc, dict):
            continue
        owner = doc.get("incident_id")
        owners = doc.get("incident_ids") or doc.get("incidents")
        if owner != incident_id and not (isinstance(owners, list) and incident_id in owners):
            continue
        digest = _first_str(doc, "digest", "sha256") or key
        canonical = _first_str(doc, "canonical", "canonical_json", "span_json", "json")
        if not canonical:
            span = doc.get("span")
            if span is None:
                continue
            canonical = span if isinstance(span, str) else canonical_json(span)
        source = doc.get("source")
        if isinstance(source, dict):
            source = source.get("name") or canonical_json(source)
        meta = {
            k: v
            for k, v in doc.items()
            if k
            not in (
                "canonical",
                "canonical_json",
                "span_json",
                "json",
                "span",
                "digest",
                "sha256",
                "incident_id",
                "incident_ids",
                "incidents",
            )
            and isinstance(v, str | int | float | bool)
        }
        out.append(
            PinnedSpan(
                digest=digest,
                canonical=canonical,
                source=str(source or ""),
                pinned_at=_first_str(doc, "pinned_at", "at", "created_at"),
                pinned_by=_first_str(doc, "pinned_by", "author", "by"),
                note=_first_str(doc, "note", "reason"),
                meta=meta,
            )
        )
    out.sort(key=lambda s: (order.get(s.digest, 1 << 30), s.pinned_at, s.digest))
    return out
