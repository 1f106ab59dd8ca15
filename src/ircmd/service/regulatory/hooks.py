"""War-room providers for the EU AI Act Art. 73 report (listed in
:func:`ircmd.service.workspace.builtin_extensions`): the reporting deadline for the header,
and the warning to confirm before a containment change alters the AI system."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.regulatory.art73 import (
    REGULATORY,
    RegulatoryFlag,
    ReportStage,
    deadline,
    is_due,
    reporting_period,
)
from ircmd.service.hooks import Deadline
from ircmd.service.regulatory.service import change_warning

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


def deadline_label(flag: RegulatoryFlag) -> str:
    """Short (≤ 32 chars): the header adds the countdown itself."""
    _days, para, _why = reporting_period(flag)
    label = f"{para.replace('Art. ', 'Art.')} report {flag.member_state}"
    if flag.reported == ReportStage.INITIAL:
        label += " (initial sent)"
    return label


def art73_deadlines(workspace: Workspace, incident: Incident, now: datetime) -> list[Deadline]:
    """Deadline provider: the Art. 73 reporting deadline while the report is still due."""
    doc = workspace.store.get_doc(REGULATORY, incident.id)
    if not doc:
        return []
    flag = RegulatoryFlag.from_doc(doc)
    if not is_due(flag):
        return []
    return [Deadline(deadline_label(flag), deadline(flag))]


def art73_change_warning(workspace: Workspace, incident_id: str, change: str = "") -> str | None:
    """Call before a containment/remediation change alters the AI system: a warning line to
    confirm (Art. 73(6)) while a report is due, else None."""
    return change_warning(workspace.incidents, incident_id, change)
