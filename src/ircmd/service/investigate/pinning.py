"""Keep an investigation result (a diff of two runs, a replay) as ONE evidence item.

The item is stored like a pinned span (collection ``evidence``, ``canonical_json`` + its
SHA-256), so the evidence bundle exports it and ``verify-bundle`` checks its digest; an
``evidence_pinned`` event (or the kind given) lands on the timeline in the same write."""

from __future__ import annotations

from typing import Any

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, format_time, sha256_hex
from ircmd.service.traces.service import EVIDENCE, TraceService
from ircmd.store.base import Change, EventDraft


def pin_document(
    svc: TraceService,
    incident_id: str,
    *,
    doc_type: str,
    canonical: str,
    text: str,
    fields: dict[str, Any],
    note: str = "",
    event_kind: EventKind = EventKind.EVIDENCE_PINNED,
    event_data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store ``canonical`` (deterministic JSON) as evidence; idempotent per content."""
    digest = sha256_hex(canonical)
    evidence_id = f"EV-{digest[:12]}"
    result: dict[str, Any] = {}

    def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
        key = f"{inc.id}/{evidence_id}"
        existing = svc.store.get_doc(EVIDENCE, key)
        if existing is not None:
            result.update(existing)
            result["existing"] = True
            return Change(incident=inc)
        now = svc.incidents.clock()
        doc = {
            "id": evidence_id,
            "incident_id": inc.id,
            "type": doc_type,
            **fields,
            "sha256": digest,
            "canonical_json": canonical,
            "pinned_at": format_time(now),
            "pinned_by": svc.incidents.actor,
            "note": note,
        }
        result.update(doc)
        data = {"evidence_id": evidence_id, "sha256": digest, "type": doc_type}
        data.update(event_data or {})
        return Change(
            incident=inc.model_copy(update={"updated_at": now}),
            events=[
                EventDraft(
                    kind=event_kind,
                    at=now,
                    author=svc.incidents.actor,
                    text=text + (f": {note}" if note else ""),
                    data=data,
                )
            ],
            docs={(EVIDENCE, key): doc},
        )

    svc._apply(incident_id, decide)
    return result
