"""Plug-in points of the war room, filled by other features (Textual-free).

Three kinds of provider, each a plain function, registered either at run time with the
``register_*`` functions or by dotted path in the ``BUILTIN_*`` lists below (imported
lazily on first use, so the CLI never pays for them):

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

A provider that raises is reported as a problem line, never a crash.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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

# Dotted "module:function" paths the lead adds at merge time.
BUILTIN_DEADLINES: list[str] = ["ircmd.service.evidence.hooks:art73_deadlines"]
BUILTIN_ACTIVE_CONTROLS: list[str] = ["ircmd.service.containment.hooks:active_control_lines"]
BUILTIN_HEALTH: list[str] = [
    "ircmd.service.signals.service:health_lines",
    "ircmd.service.containment.hooks:controller_health",
]
BUILTIN_CHANGE_WARNINGS: list[str] = ["ircmd.service.evidence.hooks:art73_change_warning"]

_deadlines: list[DeadlineProvider] = []
_active_controls: list[ActiveControlsProvider] = []
_health: list[HealthProvider] = []
_change_warnings: list[ChangeWarning] = []
_loaded = False
_load_lock = threading.Lock()


def register_deadline_provider(fn: DeadlineProvider) -> None:
    if fn not in _deadlines:
        _deadlines.append(fn)


def register_active_controls(fn: ActiveControlsProvider) -> None:
    if fn not in _active_controls:
        _active_controls.append(fn)


def register_health_provider(fn: HealthProvider) -> None:
    if fn not in _health:
        _health.append(fn)


def register_change_warning(fn: ChangeWarning) -> None:
    if fn not in _change_warnings:
        _change_warnings.append(fn)


def unregister(fn: object) -> None:
    for registry in (_deadlines, _active_controls, _health, _change_warnings):
        while fn in registry:
            registry.remove(fn)  # type: ignore[arg-type]


def _load_builtins() -> None:
    """Import the built-in providers once. Thread-safe (workers call this concurrently); a
    provider whose import failed is retried on the next call instead of being lost."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        complete = True
        for paths, register in (
            (BUILTIN_DEADLINES, register_deadline_provider),
            (BUILTIN_ACTIVE_CONTROLS, register_active_controls),
            (BUILTIN_HEALTH, register_health_provider),
            (BUILTIN_CHANGE_WARNINGS, register_change_warning),
        ):
            for path in paths:
                module, _, name = path.partition(":")
                try:
                    register(getattr(importlib.import_module(module), name))
                except Exception:
                    complete = False
        _loaded = complete


def next_deadline(
    workspace: Workspace, incident: Incident, now: datetime
) -> tuple[Deadline | None, list[str]]:
    """The earliest deadline from every provider, and a line per provider that failed."""
    _load_builtins()
    found: list[Deadline] = []
    problems: list[str] = []
    for fn in list(_deadlines):
        try:
            found.extend(fn(workspace, incident, now))
        except Exception as exc:
            problems.append(f"deadline provider {_name(fn)}: {one_line(exc)}")
    return (min(found, key=lambda d: d.due) if found else None), problems


def active_controls(workspace: Workspace, incident_id: str) -> list[str]:
    """Controls still active or unconfirmed; a failing provider counts as one (unknown)."""
    _load_builtins()
    lines: list[str] = []
    for fn in list(_active_controls):
        try:
            lines.extend(one_line(x) for x in fn(workspace, incident_id))
        except Exception as exc:
            lines.append(f"could not check controls ({_name(fn)}): {one_line(exc)}")
    return lines


def backend_health(workspace: Workspace) -> list[BackendHealth]:
    """Every configured backend, with the state its provider reports (unknown if none)."""
    _load_builtins()
    reported: dict[str, BackendHealth] = {}
    for fn in list(_health):
        try:
            for h in fn(workspace):
                reported[h.name] = h
        except Exception as exc:
            name = _name(fn)
            reported[name] = BackendHealth(name, "unknown", one_line(exc))
    cfg = workspace.config
    names = [s.name for s in cfg.trace_sources] + [s.name for s in cfg.signal_sources]
    names += list(cfg.controllers)
    result = [reported.pop(n, BackendHealth(n, "unknown", "configured")) for n in names]
    return result + list(reported.values())


def change_warnings(workspace: Workspace, incident_id: str, change: str) -> list[str]:
    """What responders should know before ``change`` alters the AI system (one line each)."""
    _load_builtins()
    lines: list[str] = []
    for fn in list(_change_warnings):
        try:
            line = fn(workspace, incident_id, change)
        except Exception as exc:
            line = f"could not check ({_name(fn)}): {one_line(exc)}"
        if line:
            lines.append(one_line(line))
    return lines


def _name(fn: object) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)
