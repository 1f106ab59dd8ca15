"""Glue for the war room (Textual-free): the Art. 73 deadline provider for its header, the
warning to show before a containment change, and exporting from the ``:`` line. The
providers are listed in ``ircmd.service.hooks.builtin_extensions``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ircmd.domain.evidence.redaction import Profile
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.regulatory.art73 import (
    REGULATORY,
    RegulatoryFlag,
    ReportStage,
    deadline,
    is_due,
    reporting_period,
)
from ircmd.service.evidence.export import ExportResult, export_incident
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


def default_export_path(
    workspace: Workspace, incident_id: str, profile: str, fmt: str, now: datetime
) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    name = f"{incident_id}-{stamp}-{profile}" + (".tar.gz" if fmt == "tar.gz" else "")
    return workspace.data_dir / "exports" / name


def export_from_room(
    workspace: Workspace,
    incident_id: str,
    out: str = "",
    *,
    profile: str = "internal",
    fmt: str = "",
) -> ExportResult:
    """``:export [PATH] [--profile P] [--tar]``: the package, under the data dir's
    ``exports/`` unless a path is given. Records the EXPORT event (not in read-only)."""
    prof = Profile.parse(profile or "internal")
    svc = workspace.incidents
    inc = svc.get(incident_id)
    path = Path(out).expanduser() if out else None
    fmt = fmt or (
        "tar.gz" if path is not None and path.name.endswith((".tar.gz", ".tgz")) else "dir"
    )
    if path is None:
        path = default_export_path(workspace, inc.id, prof.value, fmt, svc.clock())
    exports = workspace.data_dir / "exports"
    if path.parent == exports:
        exports.mkdir(parents=True, exist_ok=True)
    return export_incident(svc, inc.id, path, profile=prof, fmt=fmt, record=not workspace.read_only)
