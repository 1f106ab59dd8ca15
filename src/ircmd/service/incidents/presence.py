"""Who else has a console open: a heartbeat document per console in the store.

Each console writes ``presence/<console id>`` at most every :attr:`Presence.interval`
seconds (a write wakes every other console, so it is rate-limited); a console whose last
beat is older than :attr:`Presence.ttl` counts as gone (it crashed or lost its network).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ircmd.service.incidents.service import Clock, system_clock
from ircmd.store.base import IncidentStore

COLLECTION = "presence"


def _console_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Presence:
    store: IncidentStore
    actor: str
    clock: Clock = system_clock
    interval: float = 10.0
    ttl: float = 35.0
    console_id: str = field(default_factory=_console_id)
    prune_after: float = 86400.0
    """Heartbeats older than this (consoles that crashed) are deleted by the next beat."""
    _last_beat: datetime | None = None
    _pruned: bool = False

    def beat(self, incident_id: str | None, read_only: bool = False, force: bool = False) -> bool:
        """Write the heartbeat if due; returns whether it wrote."""
        now = self.clock()
        due = self._last_beat is None or (now - self._last_beat).total_seconds() >= self.interval
        if not (due or force):
            return False
        self.store.put_doc(
            COLLECTION,
            self.console_id,
            {
                "actor": self.actor,
                "incident": incident_id,
                "at": now.isoformat(),
                "read_only": read_only,
            },
        )
        self._last_beat = now
        if not self._pruned:  # once per console: crashed consoles never said goodbye
            self._pruned = True
            for key, doc in self.store.docs(COLLECTION).items():
                try:
                    at = datetime.fromisoformat(str(doc.get("at")))
                except ValueError:
                    at = None
                if at is None or (now - at).total_seconds() > self.prune_after:
                    self.store.put_doc(COLLECTION, key, None)
        return True

    def others(self, incident_id: str | None = None) -> list[dict[str, object]]:
        """Live consoles other than this one (on ``incident_id`` when given)."""
        now = self.clock()
        alive: list[dict[str, object]] = []
        for key, doc in self.store.docs(COLLECTION).items():
            if key == self.console_id:
                continue
            try:
                at = datetime.fromisoformat(str(doc.get("at")))
            except ValueError:
                continue
            if now - at > timedelta(seconds=self.ttl):
                continue
            if incident_id is not None and doc.get("incident") != incident_id:
                continue
            alive.append(doc)
        return alive

    def leave(self) -> None:
        self.store.put_doc(COLLECTION, self.console_id, None)
        self._last_beat = None
