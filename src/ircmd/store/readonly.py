"""A read-only view of a store, for observer seats (``--read-only``, ``ircmd serve``).

The TUI hides actions in a read-only seat; this guard makes sure no incident change gets
through anyway (a stray key, a verb, a bug): every write to an incident or its timeline is
refused with one line. Operational documents stay writable, so observers are counted and
their view works: presence heartbeats and which signals a console has seen or observed
(:data:`OPERATIONAL`). Any other document (evidence, signal links, a local control's state, the
chain key's manifest) is refused like an incident change.
"""

from __future__ import annotations

from typing import Any

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.domain.signals.signals import OBSERVED_COLLECTION, SEEN_COLLECTION
from ircmd.store.base import Create, Decide, IncidentStore, StoreError

OPERATIONAL = frozenset({"presence", SEEN_COLLECTION, OBSERVED_COLLECTION})
"""The collections a read-only seat may write (``service/incidents/presence.py``'s
``COLLECTION`` is ``presence``)."""


class ReadOnlySeat(StoreError):
    """A write was attempted from a read-only seat."""


class ReadOnlyStore:
    def __init__(self, inner: IncidentStore) -> None:
        self._inner = inner
        self.location = inner.location

    @property
    def inner(self) -> IncidentStore:
        return self._inner

    def create_incident(self, make: Create) -> tuple[Incident, list[TimelineEvent]]:
        raise ReadOnlySeat("read-only seat: declaring an incident is not allowed here")

    def apply(self, incident_id: str, decide: Decide) -> tuple[Incident, list[TimelineEvent]]:
        raise ReadOnlySeat(f"read-only seat: {incident_id} was not changed")

    def put_doc(self, collection: str, key: str, doc: dict[str, Any] | None) -> None:
        if collection not in OPERATIONAL:
            raise ReadOnlySeat(f"read-only seat: {collection}/{key} was not written")
        self._inner.put_doc(collection, key, doc)

    def import_raw(self, raw: object) -> None:
        raise ReadOnlySeat(f"read-only seat: nothing copied into {self.location}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
