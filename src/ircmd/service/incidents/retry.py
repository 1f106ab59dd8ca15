"""Client ids for typed lines, so a retried or retyped write is stored once.

A console gives every line the user types (a note, a decision, a status change, a declare)
a client id and the time the user acted. When the write fails (store down, commit outcome
unknown), the line stays pending: submitting the same line again reuses the id and the
time, and the store keeps a single copy whether or not the first commit landed. Once a write
succeeds the line is settled, so typing the same text again later is a new line.

This is the one retry/idempotency helper of the write path: the service's ``_once`` and the
stores' ``drafts_to_write`` both key on the id made here.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

PENDING_FOR = timedelta(minutes=15)
"""A failed line older than this is forgotten: retyped later, it is a new line (new time)."""


@dataclass
class TypedLine:
    """One line the user typed: its idempotency key, the time they acted, tries so far."""

    key: Hashable
    client_id: str
    at: datetime
    attempts: int = 0


class PendingLines:
    """The lines of one console whose write has not succeeded yet (thread-safe)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lines: dict[Hashable, TypedLine] = {}
        self._lock = threading.Lock()

    def line(self, *key: Hashable) -> TypedLine:
        """The pending line for ``key`` (e.g. ``("note", incident_id, text)``), else a new one."""
        now = self._clock()
        with self._lock:
            held = self._lines.get(key)
            if held is not None and now - held.at <= PENDING_FOR:
                return held
            fresh = TypedLine(key=key, client_id=uuid.uuid4().hex, at=now)
            self._lines[key] = fresh
            return fresh

    def settle(self, line: TypedLine) -> None:
        with self._lock:
            if self._lines.get(line.key) is line:
                del self._lines[line.key]

    def __len__(self) -> int:
        return len(self._lines)
