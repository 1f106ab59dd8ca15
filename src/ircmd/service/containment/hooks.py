"""War-room providers for containment (in ``ircmd.service.workspace.builtin_extensions``):
controls still active before resolving, and each controller's health from its last read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ircmd.domain.containment.controls import Observation, all_controls
from ircmd.domain.text import one_line
from ircmd.service.hooks import BackendHealth

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


def active_control_lines(workspace: Workspace, incident_id: str) -> list[str]:
    """Active-controls provider: one line per control still on or not confirmed off
    (from stored state, no network), asked before the incident moves to resolved."""
    svc = workspace.containment
    lines = []
    for r in svc.active_controls(incident_id):
        state = f"confirmed {r.confirmed.value}, desired {r.desired.value}"
        if r.health.value != "ok":
            state += f" ({r.health.value})"
        lines.append(f"{r.id}: {state}")
    return lines


def controller_health(workspace: Workspace) -> list[BackendHealth]:
    """Health provider: each controller from its last read (no network call here)."""
    svc = workspace.containment
    by_controller: dict[str, list[Observation]] = {}
    for ref, _wf, spec in all_controls(svc.config):
        obs = svc.observed.get(str(ref))
        by_controller.setdefault(spec.controller, [])
        if obs is not None:
            by_controller[spec.controller].append(obs)
    out: list[BackendHealth] = []
    enforced = svc.enforced()
    for name, seen in by_controller.items():
        errors = [o.error for o in seen if o.error]
        if errors:
            out.append(BackendHealth(name, "down", one_line(errors[0], 120)))
        elif not enforced.get(name, True):  # the store itself: nothing remote to be down
            out.append(BackendHealth(name, "ok", "local: not enforced anywhere"))
        elif seen:
            out.append(BackendHealth(name, "ok"))
        else:
            out.append(BackendHealth(name, "unknown", "not read yet"))
    return out
