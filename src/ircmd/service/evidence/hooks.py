"""Glue for the war room (Textual-free): exporting from the ``:`` line (``:export``). The
Art. 73 deadline provider and change warning are the regulatory area's
(:mod:`ircmd.service.regulatory.hooks`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ircmd.domain.evidence.redaction import Profile
from ircmd.service.evidence.export import ExportResult, export_incident

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


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
