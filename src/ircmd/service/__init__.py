"""The application layer (Textual-free): the CLI and the TUI both drive these services.

The names below are imported on first use (PEP 562), so importing one service module
(``ircmd.service.config``, say) does not build the workspace, the incident service and
the store behind them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ircmd.service.incidents.service import (
        IncidentService,
        NotFound,
        default_actor,
        system_clock,
    )
    from ircmd.service.workspace import Workspace

__all__ = ["IncidentService", "NotFound", "Workspace", "default_actor", "system_clock"]

_WHERE = {
    "IncidentService": "ircmd.service.incidents.service",
    "NotFound": "ircmd.service.incidents.service",
    "default_actor": "ircmd.service.incidents.service",
    "system_clock": "ircmd.service.incidents.service",
    "Workspace": "ircmd.service.workspace",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
