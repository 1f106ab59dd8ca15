"""Stakeholder updates over the store: who is due next, the grounded draft, sending it.

Sending records a ``communication`` event with the audience, the text as sent and the
hashes of the events the draft's sentences came from (``sources``), so a reviewer can
check each claim against the chain (:func:`check_sources`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ircmd.domain.comms.audiences import Audience, audiences, find_audience
from ircmd.domain.comms.cadence import DueUpdate, next_due, next_updates
from ircmd.domain.comms.draft import Draft, build_draft
from ircmd.domain.evidence.redaction import Profile, Redactor
from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.tasks import task_board
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent

if TYPE_CHECKING:  # a type only: comms does not depend on the incidents package
    from ircmd.service.incidents.service import IncidentService


def regulatory_due(service: IncidentService, inc: Incident, now: datetime) -> datetime | None:
    """The nearest regulatory deadline of the incident, or None: Art. 73's report while it
    is due, and each flagged GDPR/NIS2/DORA clock's next stage (its last one, late, once
    every stage has passed), as the war-room header counts them."""
    from ircmd.domain.regulatory.art73 import regulatory_deadline
    from ircmd.domain.regulatory.clocks import clocks_from_doc, stages
    from ircmd.domain.regulatory.drafts import current_stage
    from ircmd.service.regulatory.clocks import CLOCKS

    doc = service.store.get_doc("regulatory", inc.id)
    art73 = regulatory_deadline(inc, {inc.id: doc} if doc else None, now)
    found = [art73[1]] if art73 else []
    for flag in clocks_from_doc(service.store.get_doc(CLOCKS, inc.id)):
        stage = current_stage(stages(flag), now)
        if stage is not None and stage.due_at is not None:
            found.append(stage.due_at)
    return min(found) if found else None


@dataclass
class UpdateService:
    incidents: IncidentService

    @property
    def audiences(self) -> list[Audience]:
        return audiences(self.incidents.config.comms)

    def due(
        self,
        incident_id: str,
        events: list[TimelineEvent] | None = None,
        now: datetime | None = None,
    ) -> list[DueUpdate]:
        inc = self.incidents.get(incident_id)
        now = now or self.incidents.clock()
        evs = events if events is not None else self.incidents.timeline(inc.id)
        return next_updates(self.audiences, inc, evs, now, regulatory_due(self.incidents, inc, now))

    def draft(self, incident_id: str, audience: str) -> Draft:
        aud = find_audience(self.audiences, audience)
        inc = self.incidents.get(incident_id)
        events = self.incidents.timeline(inc.id)
        return self.draft_from(aud, inc, events)

    def draft_from(self, aud: Audience, inc: Incident, events: list[TimelineEvent]) -> Draft:
        now = self.incidents.clock()
        deadline = regulatory_due(self.incidents, inc, now)
        # the next update after this one: counted from now, as if it were sent now
        upcoming = next_due(aud, inc, now, now, deadline)
        redact = None
        if aud.external:
            redactor = Redactor.for_profile(
                Profile.EXTERNAL,
                custom_patterns=self.incidents.config.redaction.patterns,
            )
            redact = redactor.text
        draft = build_draft(
            aud,
            inc,
            events,
            task_board(events),
            upcoming.due_at if upcoming else None,
            redact=redact,
        )
        return draft

    def send(
        self,
        incident_id: str,
        audience: str,
        text: str | None = None,
        *,
        draft: Draft | None = None,
    ) -> TimelineEvent:
        """Record an update: ``draft``'s text (or ``text``, edited from it) and its sources."""
        aud = find_audience(self.audiences, audience)
        if draft is None:
            draft = self.draft(incident_id, aud.name)
        body = (text if text is not None else draft.text).strip()
        if not body:
            raise DomainError("an update needs text")
        data = {
            "audience": aud.name,
            "sources": draft.sources,
            # each sentence of the draft with the events it came from, so every claim can
            # be checked on its own (the text may have been edited from them: ``edited``)
            "sentences": [{"text": x.text, "sources": list(x.sources)} for x in draft.sentences],
            "since_seq": draft.since_seq,
            "edited": body != draft.text,
            "next_due_at": draft.to_json()["next_due_at"],
        }
        return self.incidents.add_event(incident_id, EventKind.COMMUNICATION, body, data)


def check_sources(update: TimelineEvent, events: list[TimelineEvent]) -> list[str]:
    """The source hashes of a sent update (its ``sources`` and each sentence's) that are
    not earlier events of the chain."""
    earlier = {e.hash for e in events if e.seq < update.seq}
    cited: dict[str, None] = dict.fromkeys(update.data.get("sources", []))
    for sentence in update.data.get("sentences", []):
        if isinstance(sentence, dict):
            cited.update(dict.fromkeys(sentence.get("sources", [])))
    return [h for h in cited if h not in earlier]
