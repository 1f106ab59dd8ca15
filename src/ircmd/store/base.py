"""The incident store interface, shared by every backend (TinyDB file, PostgreSQL).

Writes go through :meth:`IncidentStore.apply`: the store locks the incident, hands the
current state to a pure ``decide`` function, chains the events it returns onto the
timeline and writes everything atomically. That one primitive gives every backend the
same guarantees: no lost update, one valid chain, all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, head_mac, new_event

SCHEMA_VERSION = 1

QUIET_COLLECTIONS = frozenset({"presence"})
"""Document collections whose writes do not move :meth:`IncidentStore.change_token`:
heartbeats every console writes every few seconds. Whoever shows them reads them on its
own clock; waking every console (and reloading every pane) for them would keep an idle
console busy."""


class StoreError(Exception):
    """A store problem the user must act on; the message is one line naming the file."""


class StoreUnreadable(StoreError):
    """The store cannot be read (corrupt, future schema); it is left untouched."""


class StoreUnavailable(StoreError):
    """The store cannot be reached right now (database down, disk full); retry later."""


class StoreOutcomeUnknown(StoreUnavailable):
    """The connection broke while the write was committing: it may or may not be stored.
    A write whose events carry a client id can be looked up by it (and retried safely:
    a retry never stores a second copy)."""


@dataclass(frozen=True)
class EventDraft:
    """An event the caller wants appended; the store fills seq and the hash chain."""

    kind: EventKind
    at: datetime
    author: str
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    client_id: str = ""
    """Idempotency key made by the client when the user acted (e.g. a uuid4 per typed line):
    a retried or retyped write with the same id is stored once (kept as ``data.client_id``).
    ``at`` is the time the user acted, kept across retries."""


CLIENT_ID = "client_id"


def drafts_to_write(change: Change, stored_ids: set[str]) -> bool:
    """Drop the drafts whose ``client_id`` is already stored; True when nothing is left to
    write because every draft of the change was (a retry of a saved write)."""
    if not change.events:
        return False
    keep = [d for d in change.events if not d.client_id or d.client_id not in stored_ids]
    done = len(keep) < len(change.events) and all(d.client_id for d in change.events)
    change.events = keep
    return done and not keep


def client_ids(change: Change) -> list[str]:
    return [d.client_id for d in change.events if d.client_id]


@dataclass
class Change:
    """What a ``decide`` function wants written, atomically, for one incident."""

    incident: Incident
    events: list[EventDraft] = field(default_factory=list)
    docs: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    """``(collection, key) -> document`` to put, or ``None`` to delete."""


def chain_change(
    change: Change, incident_id: str, last: TimelineEvent | None, key: bytes | None = None
) -> list[TimelineEvent]:
    """The change's drafts as events chained after ``last`` (every backend writes these).

    Also anchors the chain's head (seq and hash of the new last event) in
    ``change.incident``, so a cut tail or a replaced last event is detected by verify. With
    the store's chain ``key`` every event carries a MAC and the head anchor one too."""
    if change.incident.id != incident_id:
        raise StoreError(f"a change for {incident_id} tried to write {change.incident.id}")
    written: list[TimelineEvent] = []
    prev = last
    for draft in change.events:
        prev = new_event(
            incident_id=incident_id,
            prev=prev,
            kind=draft.kind,
            at=draft.at,
            author=draft.author,
            text=draft.text,
            data={**draft.data, CLIENT_ID: draft.client_id} if draft.client_id else draft.data,
            key=key,
        )
        written.append(prev)
    if prev is not None:
        anchor = head_mac(key, incident_id, prev.seq, prev.hash) if key is not None else ""
        change.incident = change.incident.model_copy(
            update={"head_seq": prev.seq, "head_hash": prev.hash, "head_mac": anchor}
        )
    return written


Decide = Callable[[Incident, TimelineEvent | None], Change]
Create = Callable[[str], Change]


@runtime_checkable
class IncidentStore(Protocol):
    """What the service layer needs from a store. All methods are synchronous and
    thread-safe; callers in the TUI run them in worker threads."""

    location: str

    def close(self) -> None: ...

    # -- writes -------------------------------------------------------------------
    def create_incident(self, make: Create) -> tuple[Incident, list[TimelineEvent]]:
        """Allocate the next incident id, call ``make(id)`` and write what it returns."""
        ...

    def apply(self, incident_id: str, decide: Decide) -> tuple[Incident, list[TimelineEvent]]:
        """Lock ``incident_id``, call ``decide(current, last_event)``, write the change.

        Raises ``KeyError`` for an unknown incident; whatever ``decide`` raises propagates
        and nothing is written."""
        ...

    def put_doc(self, collection: str, key: str, doc: dict[str, Any] | None) -> None:
        """Write (or with ``None`` delete) a document not tied to one incident's chain."""
        ...

    # -- reads --------------------------------------------------------------------
    def get_incident(self, incident_id: str) -> Incident | None: ...

    def list_incidents(self) -> list[Incident]: ...

    def events(self, incident_id: str, after_seq: int = 0) -> list[TimelineEvent]: ...

    def event_records(self, incident_id: str) -> list[dict[str, Any]]:
        """The raw stored events, in stored order, for verification and export."""
        ...

    def event_count(self, incident_id: str) -> int: ...

    def get_doc(self, collection: str, key: str) -> dict[str, Any] | None: ...

    def docs(self, collection: str) -> dict[str, dict[str, Any]]: ...

    # -- live updates and integrity --------------------------------------------------
    def change_token(self) -> object:
        """An opaque value that changes whenever any process wrote to the store (writes
        to :data:`QUIET_COLLECTIONS` only excepted)."""
        ...

    def verify(self) -> list[str]:
        """Every integrity problem found (empty when intact), one line each."""
        ...


def iter_chunks(seq: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]
