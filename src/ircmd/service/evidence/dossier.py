"""Loading one incident's :class:`~ircmd.domain.evidence.dossier.Dossier` from the store, and the
redactor for an export profile (config + environment secrets)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ircmd.domain.config import Config
from ircmd.domain.evidence.dossier import EVIDENCE, Dossier, pinned_spans
from ircmd.domain.evidence.evals import EVAL_CASES
from ircmd.domain.evidence.redaction import Profile, Redactor
from ircmd.domain.evidence.review import REVIEWS, Review
from ircmd.domain.regulatory.art73 import REGULATORY
from ircmd.domain.secrets import configured_secrets
from ircmd.service.incidents.service import IncidentService


def load_dossier(service: IncidentService, incident_id: str) -> Dossier:
    inc = service.get(incident_id)
    store = service.store
    events = store.events(inc.id)
    records = store.event_records(inc.id)
    review_doc = store.get_doc(REVIEWS, inc.id)
    review = Review.from_doc(review_doc) if review_doc else None
    prefix = f"{inc.id}:"
    cases = [d for k, d in sorted(store.docs(EVAL_CASES).items()) if k.startswith(prefix)]
    return Dossier(
        incident=inc,
        events=events,
        records=records,
        spans=pinned_spans(inc.id, store.docs(EVIDENCE), events),
        review=review,
        regulatory=store.get_doc(REGULATORY, inc.id),
        eval_cases=cases,
    )


def make_redactor(
    config: Config, profile: Profile, environ: Mapping[str, str] | None = None
) -> Redactor:
    override = config.redaction.profiles.get(profile.value)
    return Redactor.for_profile(
        profile,
        secrets=configured_secrets(config, os.environ if environ is None else environ),
        custom_patterns=config.redaction.patterns,
        types=override.types if override and override.types is not None else None,
        content=override.content if override else None,
    )
