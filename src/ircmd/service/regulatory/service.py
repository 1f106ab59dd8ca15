"""Flagging a potential serious incident (EU AI Act Art. 73), the warning before a change
alters the AI system, and the draft report / AI Incident Database exports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ircmd.domain.evidence.dossier import Dossier
from ircmd.domain.evidence.evals import span_attributes
from ircmd.domain.evidence.redaction import Profile
from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, format_time
from ircmd.domain.regulatory.art73 import (
    REGULATORY,
    HarmCategory,
    RegulatoryFlag,
    ReportStage,
    alteration_warning,
    deadline,
    reporting_period,
)
from ircmd.domain.regulatory.report import (
    aiid_record,
    cset_harm_level,
    draft_report,
    draft_report_markdown,
)
from ircmd.service.evidence.dossier import load_dossier, make_redactor
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import Change, EventDraft


def get_flag(service: IncidentService, incident_id: str) -> RegulatoryFlag | None:
    doc = service.store.get_doc(REGULATORY, service.get(incident_id).id)
    return RegulatoryFlag.from_doc(doc) if doc else None


def flag_incident(
    service: IncidentService,
    incident_id: str,
    *,
    harm: str,
    member_state: str,
    widespread: bool = False,
    causal_link_at: datetime | None = None,
    aware_at: datetime | None = None,
    persons_affected: int | None = None,
    provider: str | None = None,
    system: str | None = None,
    system_version: str | None = None,
    reported: str | None = None,
    timezone: str | None = None,
) -> RegulatoryFlag:
    """Flag (or update the flag of) an incident; records a DECISION event with the deadline."""
    inc = service.get(incident_id)
    category, death = HarmCategory.parse(harm)
    previous = get_flag(service, inc.id)
    now = service.clock()
    wf = service.config.workflow(inc.workflow_id) if inc.workflow_id else None
    stage = (
        ReportStage(reported) if reported else (previous.reported if previous else ReportStage.NONE)
    )
    try:
        flag = RegulatoryFlag(
            incident_id=inc.id,
            aware_at=aware_at
            or (previous.aware_at if previous else None)
            or inc.aware_at
            or inc.created_at,
            causal_link_at=causal_link_at or (previous.causal_link_at if previous else None),
            harm=category,
            death=death or bool(previous and previous.death and category == HarmCategory.HEALTH),
            widespread=widespread,
            member_state=member_state,
            persons_affected=persons_affected
            if persons_affected is not None
            else (previous.persons_affected if previous else None),
            provider=provider if provider is not None else (previous.provider if previous else ""),
            system=system
            if system is not None
            else (previous.system if previous else (wf.name or wf.id) if wf else ""),
            system_version=system_version
            if system_version is not None
            else (previous.system_version if previous else ""),
            reported=stage,
            reported_at=now if reported else (previous.reported_at if previous else None),
            timezone=timezone
            if timezone is not None
            else (previous.timezone if previous else None),
            flagged_by=previous.flagged_by if previous else service.actor,
            flagged_at=previous.flagged_at if previous else now,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise DomainError(f"{where}: {msg}" if where else msg) from None
    days, para, why = reporting_period(flag)
    due = deadline(flag)
    doc = flag.to_doc()

    def decide(current: Incident, _last: TimelineEvent | None) -> Change:
        verb = "updated" if previous else "flagged"
        text = (
            f"Potential serious incident {verb} (EU AI Act Art. 73): {category.label}; "
            f"{flag.member_state}; report due by {format_time(due)} ({days} days, {para}, {why})"
        )
        if reported:
            text += f"; {stage.value} report marked as submitted"
        return Change(
            incident=current.model_copy(update={"updated_at": now}),
            events=[
                EventDraft(
                    kind=EventKind.DECISION,
                    at=now,
                    author=service.actor,
                    text=text,
                    data={"regulatory": doc, "due_at": format_time(due), "basis": para},
                )
            ],
            docs={(REGULATORY, current.id): doc},
        )

    service.store.apply(inc.id, decide)
    return flag


def change_warning(
    service: IncidentService, incident_id: str, change: str = "", now: datetime | None = None
) -> str | None:
    """Call before a containment/remediation change: a warning when it may alter the AI
    system while an Art. 73 report is still due (None otherwise)."""
    try:
        flag = get_flag(service, incident_id)
    except (DomainError, ValueError):
        return None
    return alteration_warning(flag, now or service.clock(), change)


def _description(d: Dossier) -> str:
    if d.review and (d.review.summary or d.review.what_happened):
        return "\n\n".join(x for x in (d.review.summary, d.review.what_happened) if x)
    declared = next((e for e in d.events if e.kind == EventKind.DECLARED), None)
    return declared.text if declared else d.incident.title


def regulatory_draft(
    service: IncidentService,
    incident_id: str,
    *,
    profile: Profile = Profile.LEGAL,
    environ: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """The draft Art. 73 report (JSON-ready dict and Markdown), redacted for ``profile``."""
    d = load_dossier(service, incident_id)
    if not d.regulatory:
        raise DomainError(
            f"{d.incident.id} is not flagged as a potential serious incident; "
            f"flag it with: ircmd incident regulatory {d.incident.id} --harm ... --member-state ..."
        )
    flag = RegulatoryFlag.from_doc(d.regulatory)
    review = d.review
    measures = [a.title for a in review.actions] if review else []
    root = review.root_cause.label if review and review.root_cause else ""
    if root and review and review.contributing_factors:
        root += " — " + "; ".join(review.contributing_factors)
    report = draft_report(
        flag,
        d.incident,
        description=_description(d),
        containment=d.containment_history(),
        root_cause=root if review and review.final else (root and f"{root} (preliminary)"),
        corrective_measures=measures,
        now=service.clock(),
    )
    if not (review and review.final):
        report["report_type"] = "initial"
    redactor = make_redactor(service.config, profile, environ)
    report = redactor.value(report)
    return report, draft_report_markdown(report)


def aiid_export(
    service: IncidentService,
    incident_id: str,
    *,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An AI Incident Database-shaped JSON of the incident (external profile: it is for
    publication)."""
    d = load_dossier(service, incident_id)
    review = d.review
    wf = service.config.workflow(d.incident.workflow_id) if d.incident.workflow_id else None
    flag = RegulatoryFlag.from_doc(d.regulatory) if d.regulatory else None
    deployers = [review.deployer] if review and review.deployer else []
    if not deployers and wf and wf.owner:
        deployers = [wf.owner]
    developers = [review.developer] if review and review.developer else []
    if not developers and flag and flag.provider:
        developers = [flag.provider]
    if not developers:
        developers = sorted(_model_vendors(d))
    systems = [s for s in [flag.system if flag else "", wf.name if wf else ""] if s]
    systems += sorted(_models(d))
    impact = review.impact if review else None
    record = aiid_record(
        d.incident,
        description=_description(d),
        deployers=deployers,
        developers=developers,
        harmed=list(review.harmed_parties) if review else [],
        systems=list(dict.fromkeys(systems)),
        harm_level=cset_harm_level(
            d.incident, impact.people if impact else None, impact.money if impact else None
        ),
    )
    redactor = make_redactor(service.config, Profile.EXTERNAL, environ)
    out: dict[str, Any] = redactor.value(record)
    return out


def _attr(span: dict[str, Any], *keys: str) -> str:
    attrs = span_attributes(span)
    for k in keys:
        for src in (span, attrs):
            v = src.get(k)
            if isinstance(v, str) and v:
                return v
    return ""


def _models(d: Dossier) -> set[str]:
    out = set()
    for s in d.spans:
        m = _attr(
            s.span, "model", "gen_ai.request.model", "gen_ai.response.model", "llm.model_name"
        )
        if m:
            out.add(m)
    return out


def _model_vendors(d: Dossier) -> set[str]:
    out = set()
    for s in d.spans:
        v = _attr(s.span, "provider", "gen_ai.provider.name", "gen_ai.system", "llm.provider")
        if v:
            out.add(v)
    return out


def json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
