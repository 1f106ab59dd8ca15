"""Severity assessments, the immediate-response checklist and validated tags.

The assessment lives in doc collection ``severity`` (key = incident id) and is written in
the same atomic ``store.apply`` as the timeline event that records the change, so the
matrix and the timeline never disagree, even with two consoles scoring at once.

Level policy: while the commander has an override the incident keeps that level (the
computed level and its reasons stay visible); without one, once every factor is scored,
the incident follows the computed level and every change of it is a ``severity_change``
event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ircmd.domain.incidents.incident import DomainError, Incident, Severity
from ircmd.domain.incidents.severity import (
    FACTORS,
    Factor,
    SeverityAssessment,
    Tick,
    check_score,
    checklist_item,
    meaning,
)
from ircmd.domain.incidents.taxonomy import describe_tag, normalise_tag
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import Change, EventDraft

COLLECTION = "severity"


@dataclass
class SeverityService:
    incidents: IncidentService

    def assessment(self, incident_id: str) -> SeverityAssessment:
        iid = self.incidents.get(incident_id).id
        return SeverityAssessment.from_doc(self.incidents.store.get_doc(COLLECTION, iid))

    def _apply(self, incident_id: str, make: Any) -> tuple[Incident, list[TimelineEvent]]:
        """Run ``make(incident, assessment) -> (incident, events, assessment)`` atomically."""
        store = self.incidents.store

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            current = SeverityAssessment.from_doc(store.get_doc(COLLECTION, inc.id))
            new_inc, events, new_assessment = make(inc, current)
            return Change(
                incident=new_inc,
                events=events,
                docs={(COLLECTION, inc.id): new_assessment.to_doc()},
            )

        return self.incidents._apply(incident_id, decide)

    def _draft(self, kind: EventKind, text: str, data: dict[str, Any]) -> EventDraft:
        return EventDraft(
            kind=kind, at=self.incidents.clock(), author=self.incidents.actor, text=text, data=data
        )

    def _level_events(
        self, inc: Incident, before: SeverityAssessment, after: SeverityAssessment, why: str
    ) -> tuple[Incident, list[EventDraft]]:
        """Move the incident to ``after``'s effective level, recording it if it changed."""
        level = after.applied_level(inc.severity)
        if level == inc.severity:
            return inc, []
        verdict = after.verdict
        reason = why or verdict.why
        data = {
            "from": inc.severity.value,
            "to": level.value,
            "reason": reason,
            "computed": verdict.level.value,
            "computed_why": list(verdict.reasons),
            "override": after.override_level.value if after.override_level else None,
            "scores": {f.value: s for f, s in after.scores.items()},
        }
        text = f"Severity {inc.severity.value} → {level.value}: {reason}"
        now = self.incidents.clock()
        new_inc = inc.model_copy(
            update={"severity": level, "severity_reason": reason, "updated_at": now}
        )
        return new_inc, [self._draft(EventKind.SEVERITY_CHANGE, text, data)]

    # -- commands ----------------------------------------------------------------------
    def score(
        self, incident_id: str, factor: Factor | str, score: int, reason: str = ""
    ) -> tuple[Incident, list[TimelineEvent]]:
        f = factor if isinstance(factor, Factor) else Factor.parse(factor)
        check_score(score)
        reason = reason.strip()

        def make(
            inc: Incident, cur: SeverityAssessment
        ) -> tuple[Incident, list[EventDraft], SeverityAssessment]:
            before = cur.scores.get(f)
            if before == score:
                raise DomainError(f"{FACTORS[f].label} is already {score}")
            scores = dict(cur.scores)
            scores[f] = score
            new = cur.model_copy(update={"scores": scores})
            old_v, new_v = cur.verdict, new.verdict
            text = (
                f"Severity factor {FACTORS[f].label} "
                f"{'–' if before is None else before} → {score} ({meaning(f, score)})"
            )
            if reason:
                text += f": {reason}"
            if new_v.level != old_v.level:
                text += f"; computed level {old_v.level.value} → {new_v.level.value}"
            data = {
                "factor": f.value,
                "from": before,
                "to": score,
                "reason": reason,
                "computed": new_v.level.value,
                "computed_why": list(new_v.reasons),
            }
            events = [self._draft(EventKind.SEVERITY_CHANGE, text, data)]
            new_inc, level_events = self._level_events(
                inc, cur, new, f"computed from the matrix: {new_v.why}"
            )
            if new_inc is inc:
                new_inc = inc.model_copy(update={"updated_at": self.incidents.clock()})
            return new_inc, events + level_events, new

        return self._apply(incident_id, make)

    def override(
        self, incident_id: str, level: Severity | str, reason: str
    ) -> tuple[Incident, list[TimelineEvent]]:
        """Set the level by hand; a reason is required and recorded."""
        sev = level if isinstance(level, Severity) else Severity.parse(level)
        reason = reason.strip()
        if not reason:
            raise DomainError("overriding the severity needs a reason (--reason TEXT)")

        def make(
            inc: Incident, cur: SeverityAssessment
        ) -> tuple[Incident, list[EventDraft], SeverityAssessment]:
            new = cur.model_copy(update={"override_level": sev, "override_reason": reason})
            if sev == inc.severity and cur.override_level == sev:
                raise DomainError(f"severity is already {sev.value} (override)")
            new_inc, events = self._level_events(inc, cur, new, f"override: {reason}")
            if not events:  # same level, now pinned by hand
                now = self.incidents.clock()
                new_inc = inc.model_copy(update={"severity_reason": reason, "updated_at": now})
                events = [
                    self._draft(
                        EventKind.SEVERITY_CHANGE,
                        f"Severity {sev.value} confirmed by hand: {reason}",
                        {
                            "from": sev.value,
                            "to": sev.value,
                            "reason": reason,
                            "override": sev.value,
                        },
                    )
                ]
            return new_inc, events, new

        return self._apply(incident_id, make)

    def follow_matrix(
        self, incident_id: str, reason: str = ""
    ) -> tuple[Incident, list[TimelineEvent]]:
        """Drop the override: the incident follows the computed level again."""

        def make(
            inc: Incident, cur: SeverityAssessment
        ) -> tuple[Incident, list[EventDraft], SeverityAssessment]:
            if not cur.complete:
                missing = ", ".join(FACTORS[f].label for f in Factor if f not in cur.scores)
                raise DomainError(f"score every factor first (missing: {missing})")
            new = cur.model_copy(update={"override_level": None, "override_reason": ""})
            verdict = new.verdict
            why = f"following the matrix: {verdict.why}" + (f" ({reason})" if reason else "")
            new_inc, events = self._level_events(inc, cur, new, why)
            if not events:
                if cur.override_level is None:
                    raise DomainError("severity already follows the matrix")
                now = self.incidents.clock()
                new_inc = inc.model_copy(update={"updated_at": now})
                events = [
                    self._draft(
                        EventKind.SEVERITY_CHANGE,
                        f"Severity {inc.severity.value} now follows the matrix: {verdict.why}",
                        {"from": inc.severity.value, "to": inc.severity.value, "reason": why},
                    )
                ]
            return new_inc, events, new

        return self._apply(incident_id, make)

    def tick(
        self, incident_id: str, item_id: str, done: bool = True
    ) -> tuple[Incident, list[TimelineEvent]]:
        level, text = checklist_item(item_id)

        def make(
            inc: Incident, cur: SeverityAssessment
        ) -> tuple[Incident, list[EventDraft], SeverityAssessment]:
            if cur.ticked(item_id) == done:
                raise DomainError(f"{text!r} is already {'done' if done else 'open'}")
            now = self.incidents.clock()
            checklist = dict(cur.checklist)
            checklist[item_id] = Tick(done=done, by=self.incidents.actor, at=now)
            new = cur.model_copy(update={"checklist": checklist})
            label = "Done" if done else "Reopened"
            event = self._draft(
                EventKind.CHECKLIST,
                f"{label}: {text} ({level.value} response)",
                {"item": item_id, "level": level.value, "done": done},
            )
            return inc.model_copy(update={"updated_at": now}), [event], new

        return self._apply(incident_id, make)

    def tag(
        self, incident_id: str, label: str, remove: bool = False
    ) -> tuple[Incident, TimelineEvent]:
        """Tag with a validated label (OWASP LLM ids, ATLAS technique ids, free words)."""
        clean = normalise_tag(label)
        inc = self.incidents.get(incident_id)
        if not remove and clean in inc.tags:
            raise DomainError(f"already tagged {describe_tag(clean)}")
        if remove and clean not in inc.tags:
            raise DomainError(f"not tagged {clean}")
        return self.incidents.tag(incident_id, clean, remove=remove)
