"""Flag GDPR / NIS2 / DORA clocks on an incident and list every deadline (Art. 73 too)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.domain.regulatory.art73 import deadline as art73_deadline
from ircmd.domain.regulatory.art73 import is_due, reporting_period
from ircmd.domain.regulatory.clocks import ClockFlag, Stage, all_deadlines, clocks_from_doc, stages
from ircmd.service.hooks import Deadline
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import Change, EventDraft

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace

CLOCKS = "regulatory_clocks"


def flag_clock(
    service: IncidentService,
    incident_id: str,
    regime: str,
    *,
    member_state: str = "",
    aware_at: datetime | None = None,
    classified_at: datetime | None = None,
    data_subjects: bool = False,
) -> tuple[ClockFlag, list[Stage]]:
    inc = service.get(incident_id)
    flag = ClockFlag(
        regime=regime,
        aware_at=aware_at or inc.aware_at or inc.created_at,
        member_state=member_state,
        classified_at=classified_at,
        data_subjects=data_subjects,
    )
    found = stages(flag)  # validates the member state before anything is written
    first = next((s for s in found if s.due_at), None)
    text = f"Regulatory clock {regime} flagged (a draft to check)"
    if first is not None and first.due_at is not None:
        text += f": {first.stage} due {first.due_at.isoformat()}"

    def decide(cur: Incident, _last: TimelineEvent | None) -> Change:
        doc = dict(service.store.get_doc(CLOCKS, cur.id) or {})
        clocks = dict(doc.get("clocks", {}))
        clocks[regime] = flag.model_dump(mode="json")
        now = service.clock()
        ev = EventDraft(
            kind=EventKind.NOTE,
            at=now,
            author=service.actor,
            text=text,
            data={"regulatory_clock": regime, "stages": [s.to_json() for s in found]},
        )
        return Change(
            incident=cur.model_copy(update={"updated_at": now}),
            events=[ev],
            docs={(CLOCKS, cur.id): {"clocks": clocks}},
        )

    service._apply(inc.id, decide)
    return flag, found


def deadlines(service: IncidentService, incident_id: str) -> list[dict[str, Any]]:
    """Every deadline of the incident: Art. 73 (while due) and each flagged clock's stages."""
    from ircmd.service.regulatory.service import get_flag

    inc = service.get(incident_id)
    art73 = None
    flag = get_flag(service, inc.id)
    if flag is not None and is_due(flag):
        _days, paragraph, why = reporting_period(flag)
        art73 = Stage(
            "art73", "report", art73_deadline(flag), "market surveillance", f"{paragraph}: {why}"
        )
    flags = clocks_from_doc(service.store.get_doc(CLOCKS, inc.id))
    return [s.to_json() for s in all_deadlines(flags, art73)]


def regime_draft(
    service: IncidentService,
    incident_id: str,
    regime: str,
    *,
    profile: Any = None,
    environ: Any = None,
) -> tuple[dict[str, Any], str]:
    """The draft notification for a flagged GDPR/NIS2/DORA clock (dict and Markdown),
    redacted for ``profile`` (legal by default)."""
    from ircmd.domain.evidence.redaction import Profile
    from ircmd.domain.incidents.incident import DomainError
    from ircmd.domain.regulatory.drafts import draft_notification, draft_notification_markdown
    from ircmd.service.evidence.dossier import load_dossier, make_redactor
    from ircmd.service.regulatory.service import _description

    d = load_dossier(service, incident_id)
    flags = {f.regime: f for f in clocks_from_doc(service.store.get_doc(CLOCKS, d.incident.id))}
    flag = flags.get(regime)
    if flag is None:
        raise DomainError(
            f"{d.incident.id} has no {regime} clock; flag it with: ircmd incident regulatory "
            f"{d.incident.id} --regime {regime} --member-state XX"
        )
    review = d.review
    known: dict[str, str] = {}
    if review is not None and review.root_cause is not None:
        known["root_cause"] = review.root_cause.label
    measures = [a.title for a in review.actions] if review else []
    if measures:
        known["measures" if regime == "gdpr" else "mitigation"] = "; ".join(measures)
        if regime == "dora":
            known["recovery"] = "; ".join(measures)
    draft = draft_notification(
        flag,
        stages(flag),
        d.incident,
        description=_description(d),
        containment=d.containment_history(),
        known=known,
        now=service.clock(),
    )
    redactor = make_redactor(service.config, profile or Profile.LEGAL, environ)
    draft = redactor.value(draft)
    return draft, draft_notification_markdown(draft)


def clock_deadlines(workspace: Workspace, incident: Incident, now: datetime) -> list[Deadline]:
    """Deadline provider: each flagged GDPR/NIS2/DORA clock's next stage (the header shows
    the nearest of these and Art. 73's). A clock whose stages have all passed shows its
    last stage, overdue."""
    from ircmd.domain.regulatory.drafts import current_stage

    found: list[Deadline] = []
    for flag in clocks_from_doc(workspace.store.get_doc(CLOCKS, incident.id)):
        stage = current_stage(stages(flag), now)
        if stage is not None and stage.due_at is not None:
            found.append(Deadline(f"{flag.regime} {stage.stage}", stage.due_at))
    return found
