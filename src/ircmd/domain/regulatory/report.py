"""Drafts for the outside world: the EU AI Act Art. 73 serious-incident report (JSON +
Markdown, marked initial or complete, Art. 73(5)) and an AI Incident Database-shaped
record with the CSET AI Harm Taxonomy's harm level. Pure: ``now`` is passed in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import format_time, utc
from ircmd.domain.regulatory.art73 import MEMBER_STATES, RegulatoryFlag, deadline, reporting_period


def draft_report(
    flag: RegulatoryFlag,
    incident: Incident,
    *,
    description: str,
    containment: list[dict[str, Any]],
    root_cause: str,
    corrective_measures: list[str],
    now: datetime,
) -> dict[str, Any]:
    """A draft Art. 73 report. It is marked ``complete`` only when the review is final and
    a root cause is known; otherwise ``initial`` (Art. 73(5))."""
    days, para, why = reporting_period(flag)
    stage = "complete" if root_cause and corrective_measures else "initial"
    name, _tz = MEMBER_STATES.get(flag.member_state, (flag.member_state, ""))
    return {
        "kind": "eu-ai-act-art73-serious-incident-report",
        "status": "draft",
        "report_type": stage,
        "generated_at": format_time(now),
        "incident_id": incident.id,
        "provider": flag.provider,
        "ai_system": {"name": flag.system, "version": flag.system_version},
        "member_state": {"code": flag.member_state, "name": name},
        "authority": f"market surveillance authority of {name}",
        "harm_category": flag.harm.value,
        "harm_category_label": flag.harm.label,
        "death": flag.death,
        "widespread": flag.widespread,
        "persons_affected": flag.persons_affected,
        "aware_at": format_time(flag.aware_at),
        "causal_link_established_at": (
            format_time(flag.causal_link_at) if flag.causal_link_at else None
        ),
        "deadline": {
            "due_at": format_time(deadline(flag)),
            "days": days,
            "basis": para,
            "why": why,
        },
        "title": incident.title,
        "description": description,
        "suspected_causal_link": (
            f"Causal link established at {format_time(flag.causal_link_at)}"
            if flag.causal_link_at
            else "Causal link suspected, not yet established"
        ),
        "containment": containment,
        "preliminary_root_cause": root_cause or "under investigation",
        "corrective_measures": corrective_measures,
    }


def draft_report_markdown(report: dict[str, Any]) -> str:
    persons = report["persons_affected"]
    lines = [
        f"# DRAFT — serious incident report ({report['report_type']}), "
        f"{report['deadline']['basis']}",
        "",
        f"- Incident: {report['incident_id']} — {report['title']}",
        f"- Provider: {report['provider'] or '(to complete)'}",
        f"- AI system: {report['ai_system']['name'] or '(to complete)'}"
        f" version {report['ai_system']['version'] or '(to complete)'}",
        f"- Member State: {report['member_state']['name']} ({report['member_state']['code']});"
        f" to: {report['authority']}",
        f"- Harm: {report['harm_category_label']}"
        + ("; a person died" if report["death"] else "")
        + ("; widespread" if report["widespread"] else ""),
        f"- Persons affected: {persons if persons is not None else 'unknown'}",
        f"- Aware at: {report['aware_at']}",
        f"- Causal link: {report['suspected_causal_link']}",
        f"- Due: not later than {report['deadline']['due_at']} "
        f"({report['deadline']['days']} days, {report['deadline']['why']})",
        "",
        "## Description",
        "",
        report["description"] or "(to complete)",
        "",
        "## Containment",
        "",
    ]
    if report["containment"]:
        for c in report["containment"]:
            lines.append(f"- {c['at']} {c['kind'].replace('_', ' ')}: {c['text']}")
    else:
        lines.append("- none recorded")
    lines += [
        "",
        "## Preliminary root cause",
        "",
        report["preliminary_root_cause"],
        "",
        "## Corrective measures",
        "",
    ]
    lines += [f"- {m}" for m in report["corrective_measures"]] or ["- (to complete)"]
    lines += [
        "",
        f"_Generated {report['generated_at']} by ircmd. A draft: check it before submission._",
        "",
    ]
    return "\n".join(lines)


# -- AI Incident Database -----------------------------------------------------------------

HARM_EVENT = "AI tangible harm event"
HARM_NEAR_MISS = "AI tangible harm near-miss"
HARM_ISSUE = "AI tangible harm issue"


def cset_harm_level(
    incident: Incident, impact_people: int | None, impact_money: float | None
) -> str:
    """CSET AI Harm Taxonomy (AIID ``AI Harm Level``): event, near-miss or issue."""
    if incident.classification is not None and incident.classification.value == "near_miss":
        return HARM_NEAR_MISS
    if (impact_people or 0) > 0 or (impact_money or 0) > 0:
        return HARM_EVENT
    if incident.severity.value in ("high", "critical"):
        return HARM_EVENT
    return HARM_ISSUE


def aiid_record(
    incident: Incident,
    *,
    description: str,
    deployers: list[str],
    developers: list[str],
    harmed: list[str],
    systems: list[str],
    harm_level: str,
) -> dict[str, Any]:
    """An AI Incident Database-shaped incident (its GraphQL field names)."""
    when = incident.occurred_at or incident.aware_at or incident.created_at
    return {
        "title": incident.title,
        "description": description,
        "date": utc(when).date().isoformat(),
        "AllegedDeployerOfAISystem": deployers,
        "AllegedDeveloperOfAISystem": developers,
        "AllegedHarmedOrNearlyHarmedParties": harmed,
        "implicated_systems": systems,
        "classifications": {"CSETv1": {"AI Harm Level": harm_level}},
        "editor_notes": f"Exported from ircmd incident {incident.id}.",
    }
