"""A health provider for the war room's status bar: the OTLP receivers and the Phoenix
trace sources (the store's own state is read by the war room's housekeeping worker).

It answers from state already held in memory (no query, no request), so the status bar
can ask on every refresh tick."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ircmd.service.hooks import BackendHealth

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace

_STATES = {"ok", "down", "unknown", "slow"}
RECEIVER_MODULE = "ircmd.backends.traces.otlp_receiver"
PHOENIX_MODULE = "ircmd.backends.traces.phoenix"


def receiver_health_lines(workspace: Workspace | None) -> list[BackendHealth]:
    """Every OTLP receiver this workspace runs (spool full, requests refused, last error)
    and every Phoenix source it has open (down with the last error, ok, or unknown until
    first read); without a workspace, the receivers of the process and no Phoenix source."""
    out: list[BackendHealth] = []
    # No receiver or Phoenix source runs unless its module was imported, and importing them
    # here (aiohttp, the OTLP protobufs, httpx: ~0.15 s) cost the war room's first second
    # while it opened: ask only the modules already loaded.
    if RECEIVER_MODULE in sys.modules:
        from ircmd.backends.traces.otlp_receiver import receiver_health

        for h in receiver_health(workspace):
            state = h.state if h.state in _STATES else "unknown"
            out.append(BackendHealth(h.name, state, h.detail))  # type: ignore[arg-type]
    if PHOENIX_MODULE not in sys.modules:
        return out
    from ircmd.backends.traces.phoenix import phoenix_health

    opened = workspace.open_trace_sources.snapshot() if workspace is not None else []
    for name, state, detail in phoenix_health(opened):
        state = state if state in _STATES else "unknown"
        out.append(BackendHealth(name, state, detail))  # type: ignore[arg-type]
    return out
