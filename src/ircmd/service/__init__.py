"""The application layer (Textual-free): the CLI and the TUI both drive these services."""

from __future__ import annotations

from ircmd.service.incidents.service import IncidentService, NotFound, default_actor, system_clock
from ircmd.service.workspace import Workspace

__all__ = ["IncidentService", "NotFound", "Workspace", "default_actor", "system_clock"]
