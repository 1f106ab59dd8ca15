"""Post-incident review and eval cases: save a review (moving a resolved incident to
``reviewed`` when it is final), add eval cases from pinned spans, export them as JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ircmd.domain.evidence.dossier import PinnedSpan
from ircmd.domain.evidence.evals import EVAL_CASES, build_case, case_key, cases_for_incident
from ircmd.domain.evidence.review import REVIEWS, Review, new_review
from ircmd.domain.incidents.incident import DomainError, Incident, Status
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, canonical_json, sha256_hex
from ircmd.service.evidence.dossier import load_dossier
from ircmd.service.files import write_new
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import Change, EventDraft


def load_review(service: IncidentService, incident_id: str) -> Review:
    """The stored review, or a fresh one with the suggested key moments."""
    inc = service.get(incident_id)
    doc = service.store.get_doc(REVIEWS, inc.id)
    if doc:
        return Review.from_doc(doc)
    return new_review(inc, service.timeline(inc.id))


def save_review(
    service: IncidentService, review: Review, *, final: bool = False
) -> tuple[Incident, Review]:
    """Store ``review`` and record a REVIEW event; when ``final``, check it is complete
    and move a resolved incident to ``reviewed`` (IncidentService.set_status)."""
    inc = service.get(review.incident_id)
    if final:
        problems = review.completion_problems()
        if problems:
            raise DomainError("review not complete: " + "; ".join(problems))
        if inc.status not in (Status.RESOLVED, Status.REVIEWED):
            raise DomainError(
                f"{inc.id} is {inc.status.value}: resolve it before completing the review "
                "(the review is kept; save it as a draft)"
            )
    now = service.clock()
    saved = review.model_copy(
        update={
            "incident_id": inc.id,
            "author": service.actor,
            "updated_at": now,
            "final": final or review.final,
        }
    )
    doc = saved.to_doc()

    def decide(current: Incident, _last: TimelineEvent | None) -> Change:
        cause = saved.root_cause.label if saved.root_cause else "root cause not determined"
        text = ("Review completed: " if final else "Review draft saved: ") + cause
        return Change(
            incident=current.model_copy(update={"updated_at": now}),
            events=[
                EventDraft(
                    kind=EventKind.REVIEW,
                    at=now,
                    author=service.actor,
                    text=text,
                    data={
                        "final": saved.final,
                        "root_cause": saved.root_cause.value if saved.root_cause else None,
                        "actions": len(saved.actions),
                        "key_moments": saved.key_moments,
                        "review_sha256": _digest(doc),
                    },
                )
            ],
            docs={(REVIEWS, current.id): doc},
        )

    inc, _ = service.store.apply(inc.id, decide)
    if final and inc.status == Status.RESOLVED:
        inc, _ev = service.set_status(inc.id, Status.REVIEWED, "post-incident review complete")
    return inc, saved


def _digest(doc: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(doc))


def _find_span(spans: list[PinnedSpan], digest: str) -> PinnedSpan:
    prefix = digest.strip().lower()
    if len(prefix) < 6:
        raise DomainError("name the pinned span by at least 6 hex digits of its SHA-256")
    matches = [s for s in spans if s.digest.startswith(prefix)]
    if not matches:
        raise DomainError(f"no pinned span {digest!r} on this incident")
    if len(matches) > 1:
        raise DomainError(f"{digest!r} matches {len(matches)} pinned spans; give more digits")
    return matches[0]


def add_eval_case(
    service: IncidentService,
    incident_id: str,
    digest: str,
    expected: str,
    *,
    tags: list[str] | None = None,
) -> dict[str, Any]:
    """``:eval add``: store an eval case from a pinned span with the reviewer's expected
    behaviour, and record it on the timeline. Returns the case."""
    dossier = load_dossier(service, incident_id)
    span = _find_span(dossier.spans, digest)
    now = service.clock()
    case = build_case(
        dossier.incident,
        span,
        expected=expected,
        review=dossier.review,
        author=service.actor,
        now=now,
        extra_tags=[f"tag:{t}" for t in (tags or []) if t.strip()],
    )
    key = case_key(dossier.incident.id, span.digest)

    def decide(current: Incident, _last: TimelineEvent | None) -> Change:
        return Change(
            incident=current.model_copy(update={"updated_at": now}),
            events=[
                EventDraft(
                    kind=EventKind.REVIEW,
                    at=now,
                    author=service.actor,
                    text=f"Eval case added: {case['id']}",
                    data={"eval_case": case["id"], "span_digest": span.digest},
                )
            ],
            docs={(EVAL_CASES, key): case},
        )

    service.store.apply(dossier.incident.id, decide)
    return case


def eval_cases(service: IncidentService, incident_id: str) -> list[dict[str, Any]]:
    d = load_dossier(service, incident_id)
    return cases_for_incident(
        d.incident, d.spans, d.eval_cases, d.review, author=service.actor, now=service.clock()
    )


def write_jsonl(rows: list[dict[str, Any]], out: Path, force: bool = False) -> None:
    """One canonical JSON object per line, written atomically; never clobbers unless ``force``."""
    write_new(out, "".join(canonical_json(r) + "\n" for r in rows).encode(), force)
