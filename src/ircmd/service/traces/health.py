"""Health providers for the war room's status bar: the incident store and the receivers.

Both answer from state already held in memory (no query, no request), so the status bar
can ask on every refresh tick."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ircmd.service.hooks import BackendHealth

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace

_STATES = {"ok", "down", "unknown", "slow"}


def store_health_lines(workspace: Workspace) -> list[BackendHealth]:
    """The store's own answer (PostgreSQL: its connection state; a local file: always ok)."""
    from ircmd.store.health import store_health

    ok, line = store_health(workspace.store)
    return [BackendHealth("store", "ok" if ok else "down", "" if ok else line)]


def receiver_health_lines(workspace: Workspace) -> list[BackendHealth]:
    """Every OTLP receiver this process runs: spool full, requests refused, last error."""
    from ircmd.backends.traces.otlp_receiver import receiver_health

    out: list[BackendHealth] = []
    for h in receiver_health(workspace):
        state = h.state if h.state in _STATES else "unknown"
        out.append(BackendHealth(h.name, state, h.detail))  # type: ignore[arg-type]
    return out
