"""Draft notifications for GDPR Art. 33/34, NIS2 Art. 23 and DORA (major ICT incident),
built from the incident like the Art. 73 report: what is known is filled in, the rest is
marked ``(to complete)``. Pure: ``now`` is passed in. Each is a DRAFT to check with
counsel; the law, not this template, decides what a notification must hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import format_time, utc
from ircmd.domain.regulatory.art73 import MEMBER_STATES
from ircmd.domain.regulatory.clocks import ClockFlag, Stage

TO_COMPLETE = "(to complete)"


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    recipient: str
    fields: tuple[tuple[str, str], ...]
    """(key, what the authority asks for) in the order of the law or the RTS."""


TEMPLATES: dict[str, Template] = {
    "gdpr": Template(
        "gdpr-art33-breach-notification",
        "Personal data breach notification (GDPR Art. 33)",
        "supervisory authority",
        (
            (
                "nature",
                "Art. 33(3)(a): nature of the breach, categories and approximate "
                "number of data subjects and of personal data records concerned",
            ),
            ("contact", "Art. 33(3)(b): name and contact details of the DPO or other contact"),
            ("consequences", "Art. 33(3)(c): likely consequences of the breach"),
            ("measures", "Art. 33(3)(d): measures taken or proposed, incl. to mitigate effects"),
            ("delay_reasons", "Art. 33(1): reasons for any delay beyond 72 hours"),
        ),
    ),
    "nis2": Template(
        "nis2-art23-incident-notification",
        "Significant incident notification (NIS2 Art. 23)",
        "CSIRT or competent authority",
        (
            ("malicious", "Art. 23(4)(a): suspected unlawful or malicious act?"),
            ("cross_border", "Art. 23(4)(a): could it have a cross-border impact?"),
            ("assessment", "Art. 23(4)(b): initial assessment: severity and impact"),
            ("indicators", "Art. 23(4)(b): indicators of compromise, where available"),
            ("root_cause", "Art. 23(4)(d)(ii): type of threat or root cause"),
            ("mitigation", "Art. 23(4)(d)(iii): mitigation measures applied and ongoing"),
        ),
    ),
    "dora": Template(
        "dora-major-ict-incident-report",
        "Major ICT-related incident report (DORA Art. 19)",
        "competent authority",
        (
            (
                "classification",
                "Art. 18 / RTS: classification criteria met (clients, "
                "duration, geography, data losses, critical services, economic impact)",
            ),
            ("services", "critical or important functions and services affected"),
            ("impact", "clients, counterparts and transactions affected"),
            ("root_cause", "root cause (intermediate/final)"),
            ("recovery", "recovery actions and when services were restored"),
            ("lessons", "final: lessons learned and measures to prevent recurrence"),
        ),
    ),
}


def current_stage(found: list[Stage], now: datetime) -> Stage | None:
    """The first stage still ahead of ``now`` (else the last one: everything is late)."""
    dated = [s for s in found if s.due_at is not None]
    for s in dated:
        if s.due_at is not None and utc(s.due_at) >= utc(now):
            return s
    return dated[-1] if dated else (found[0] if found else None)


def draft_notification(
    flag: ClockFlag,
    found: list[Stage],
    incident: Incident,
    *,
    description: str,
    containment: list[dict[str, Any]],
    known: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The draft for ``flag.regime``: deadlines, incident facts and the template's fields
    (``known`` fills those ircmd can answer from the incident; the rest stay to complete)."""
    tpl = TEMPLATES[flag.regime]
    stage = current_stage(found, now)
    ms = flag.member_state
    name = MEMBER_STATES.get(ms, (ms, ""))[0] if ms else ""
    return {
        "kind": tpl.kind,
        "status": "draft",
        "regime": flag.regime,
        "title": tpl.title,
        "stage": stage.stage if stage else None,
        "generated_at": format_time(now),
        "incident_id": incident.id,
        "incident_title": incident.title,
        "severity": incident.severity.value,
        "member_state": {"code": ms, "name": name} if ms else None,
        "recipient": f"{tpl.recipient} of {name}" if name else tpl.recipient,
        "aware_at": format_time(flag.aware_at),
        "occurred_at": format_time(incident.occurred_at) if incident.occurred_at else None,
        "stages": [
            {**s.to_json(), "late": bool(s.due_at and utc(s.due_at) < utc(now))} for s in found
        ],
        "description": description,
        "containment": containment,
        "fields": [
            {"key": key, "asks": asks, "answer": known.get(key) or TO_COMPLETE}
            for key, asks in tpl.fields
        ],
        "data_subjects_notice": flag.data_subjects if flag.regime == "gdpr" else None,
    }


def draft_notification_markdown(draft: dict[str, Any]) -> str:
    stage = f", stage {draft['stage']}" if draft["stage"] else ""
    lines = [
        f"# DRAFT — {draft['title']}{stage}",
        "",
        f"- Incident: {draft['incident_id']} — {draft['incident_title']}"
        f" (severity {draft['severity']})",
        f"- To: {draft['recipient']}",
        f"- Aware at: {draft['aware_at']}",
    ]
    if draft["occurred_at"]:
        lines.append(f"- Occurred at: {draft['occurred_at']}")
    if draft["data_subjects_notice"]:
        lines.append("- Art. 34: data subjects to be told without undue delay (high risk)")
    lines += ["", "## Deadlines", ""]
    for s in draft["stages"]:
        due = s["due_at"] or "without undue delay"
        late = " — LATE" if s["late"] else ""
        lines.append(f"- {s['stage']}: {due} to {s['to']} ({s['basis']}){late}")
    lines += ["", "## What happened", "", draft["description"] or TO_COMPLETE, ""]
    lines += ["## Containment", ""]
    if draft["containment"]:
        lines += [
            f"- {c['at']} {c['kind'].replace('_', ' ')}: {c['text']}" for c in draft["containment"]
        ]
    else:
        lines.append("- none recorded")
    lines += ["", "## Required content", ""]
    for f in draft["fields"]:
        lines += [f"### {f['asks']}", "", f["answer"], ""]
    lines += [
        f"_Generated {draft['generated_at']} by ircmd. A draft: check it with counsel before"
        " submission._",
        "",
    ]
    return "\n".join(lines)
