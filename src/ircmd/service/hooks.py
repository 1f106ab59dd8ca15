"""Extension points of the war room (Textual-free), as one typed object per workspace.

:class:`Extensions` holds four lists of providers, each a plain typed callable; the
composition root (:attr:`ircmd.service.workspace.Workspace.extensions`) builds it with
:func:`ircmd.service.workspace.builtin_extensions`, and a test or a feature appends its own:

* **deadline providers** ``(workspace, incident, now) -> Iterable[Deadline]``: the header
  shows the earliest deadline still due (e.g. a regulatory notification clock);
* **active-controls providers** ``(workspace, incident_id) -> Iterable[str]``: one line
  per containment control that is still active or not confirmed; moving an incident to
  ``resolved`` warns and asks to confirm while any is returned;
* **health providers** ``(workspace) -> Iterable[BackendHealth]``: shown in the war
  room's status bar (backends not reported by anyone show as configured, health unknown);
* **change warnings** ``(workspace, incident_id, change) -> str | None``: asked before a
  containment or remediation change alters the AI system (e.g. an EU AI Act Art. 73 report
  is still due); the board shows the warning in its confirmation, the CLI prints it.

This module imports no area: each area's provider imports the types here, and the composition
root lists the providers (so the registry and the areas never import each other).

A provider that raises is reported as a problem line, never a crash. Every call here may
read the store: call it from a worker thread (TUI) or the CLI, never on the UI loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.text import one_line

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


@dataclass(frozen=True)
class Deadline:
    label: str
    due: datetime


@dataclass(frozen=True)
class BackendHealth:
    name: str
    state: Literal["ok", "down", "unknown", "slow"]
    detail: str = ""


DeadlineProvider = Callable[["Workspace", Incident, datetime], Iterable[Deadline]]
ActiveControlsProvider = Callable[["Workspace", str], Iterable[str]]
HealthProvider = Callable[["Workspace"], Iterable[BackendHealth]]
ChangeWarning = Callable[["Workspace", str, str], "str | None"]


@dataclass
class Extensions:
    """The providers one workspace consults (see the module docstring)."""

    deadlines: list[DeadlineProvider] = field(default_factory=list)
    active_controls: list[ActiveControlsProvider] = field(default_factory=list)
    health: list[HealthProvider] = field(default_factory=list)
    change_warnings: list[ChangeWarning] = field(default_factory=list)

    def next_deadline(
        self, workspace: Workspace, incident: Incident, now: datetime
    ) -> tuple[Deadline | None, list[str]]:
        """The earliest deadline from every provider, and a line per provider that failed."""
        found: list[Deadline] = []
        problems: list[str] = []
        for fn in list(self.deadlines):
            try:
                found.extend(fn(workspace, incident, now))
            except Exception as exc:  # a provider is third-party code: report, never crash
                problems.append(f"deadline provider {_name(fn)}: {one_line(exc)}")
        return (min(found, key=lambda d: d.due) if found else None), problems

    def controls_still_active(self, workspace: Workspace, incident_id: str) -> list[str]:
        """Controls still active or unconfirmed; a failing provider counts as one (unknown)."""
        lines: list[str] = []
        for fn in list(self.active_controls):
            try:
                lines.extend(one_line(x) for x in fn(workspace, incident_id))
            except Exception as exc:  # a provider is third-party code: report, never crash
                lines.append(f"could not check controls ({_name(fn)}): {one_line(exc)}")
        return lines

    def backend_health(self, workspace: Workspace) -> list[BackendHealth]:
        """Every configured backend, with the state its provider reports (unknown if none)."""
        reported: dict[str, BackendHealth] = {}
        for fn in list(self.health):
            try:
                for h in fn(workspace):
                    reported[h.name] = h
            except Exception as exc:  # a provider is third-party code: report, never crash
                name = _name(fn)
                reported[name] = BackendHealth(name, "unknown", one_line(exc))
        cfg = workspace.config
        names = [s.name for s in cfg.trace_sources] + [s.name for s in cfg.signal_sources]
        names += list(cfg.controllers)
        result = [reported.pop(n, BackendHealth(n, "unknown", "configured")) for n in names]
        return result + list(reported.values())

    def warnings_before_change(
        self, workspace: Workspace, incident_id: str, change: str
    ) -> list[str]:
        """What responders should know before ``change`` alters the AI system (a line each)."""
        lines: list[str] = []
        for fn in list(self.change_warnings):
            try:
                line = fn(workspace, incident_id, change)
            except Exception as exc:  # a provider is third-party code: report, never crash
                line = f"could not check ({_name(fn)}): {one_line(exc)}"
            if line:
                lines.append(one_line(line))
        return lines


# -- the workspace's extensions, called by name (the CLI and the war room use these) -------
def next_deadline(
    workspace: Workspace, incident: Incident, now: datetime
) -> tuple[Deadline | None, list[str]]:
    return workspace.extensions.next_deadline(workspace, incident, now)


def active_controls(workspace: Workspace, incident_id: str) -> list[str]:
    return workspace.extensions.controls_still_active(workspace, incident_id)


def backend_health(workspace: Workspace) -> list[BackendHealth]:
    return workspace.extensions.backend_health(workspace)


def change_warnings(workspace: Workspace, incident_id: str, change: str) -> list[str]:
    return workspace.extensions.warnings_before_change(workspace, incident_id, change)


def _name(fn: object) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)
