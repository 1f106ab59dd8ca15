"""The incident timeline: append-only, hash-chained events.

Each event stores the SHA-256 of its own canonical JSON (which includes the hash of the
previous event), so editing, removing or reordering any event breaks the chain and
:func:`verify_chain` says where.

A keyed store also gives each event a ``mac``: HMAC-SHA256, under a per-store key kept
outside the store, of the event's hash (:func:`event_mac`), and anchors the incident's head
with :func:`head_mac`. Without the key, a rewritten chain whose hashes were all recomputed
no longer verifies (:func:`verify_macs`). Events written before the store was keyed keep
their plain hashes and no ``mac``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

GENESIS_HASH = "0" * 64


class EventKind(StrEnum):
    SIGNAL = "signal"
    NOTE = "note"
    DECISION = "decision"
    DECLARED = "declared"
    STATUS_CHANGE = "status_change"
    SEVERITY_CHANGE = "severity_change"
    CLASSIFICATION = "classification"
    ROLE_CHANGE = "role_change"
    TAG = "tag"
    CONTAINMENT_REQUESTED = "containment_requested"
    CONTAINMENT_CONFIRMED = "containment_confirmed"
    CONTAINMENT_FAILED = "containment_failed"
    CONTAINMENT_DRIFT = "containment_drift"
    CONTAINMENT_DRIFT_CLEARED = "containment_drift_cleared"
    """A recorded drift is gone without ircmd acting: the backend shows the desired state
    again (switched back outside ircmd)."""
    EVIDENCE_PINNED = "evidence_pinned"
    FINDING = "finding"
    COMMUNICATION = "communication"
    CHECKLIST = "checklist"
    REVIEW = "review"
    EXPORT = "export"
    TASK_CREATED = "task_created"
    TASK_ASSIGNED = "task_assigned"
    TASK_DONE = "task_done"
    TASK_REOPENED = "task_reopened"
    HANDOFF_OFFERED = "handoff_offered"
    HANDOFF_ACCEPTED = "handoff_accepted"
    REPLAY = "replay"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_time(dt: datetime) -> str:
    """ISO-8601 UTC with microseconds and a ``Z``: the one textual form used for hashing."""
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


class TimelineEvent(BaseModel):
    """One entry of an incident's timeline. ``seq`` counts from 1 within the incident."""

    model_config = ConfigDict(frozen=True)

    incident_id: str
    seq: int
    kind: EventKind
    at: datetime
    author: str
    text: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""
    mac: str = ""
    """HMAC-SHA256 of ``hash`` under the store's chain key ("" for an unkeyed event)."""

    @field_validator("at")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return utc(v)

    def hashed_body(self) -> dict[str, Any]:
        """Everything the hash covers (all fields but ``hash`` itself)."""
        return {
            "incident_id": self.incident_id,
            "seq": self.seq,
            "kind": self.kind.value,
            "at": format_time(self.at),
            "author": self.author,
            "text": self.text,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return sha256_hex(canonical_json(self.hashed_body()))

    def to_record(self) -> dict[str, Any]:
        """The stored / exported form: the hashed body plus the hash."""
        body = self.hashed_body()
        body["hash"] = self.hash
        if self.mac:
            body["mac"] = self.mac
        return body

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TimelineEvent:
        return cls.model_validate(record)


def new_event(
    *,
    incident_id: str,
    prev: TimelineEvent | None,
    kind: EventKind,
    at: datetime,
    author: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    key: bytes | None = None,
) -> TimelineEvent:
    """Build the next event of a chain whose last event is ``prev`` (None for the first).

    With ``key`` the event also carries its :func:`event_mac`."""
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS_HASH if prev is None else prev.hash
    body = TimelineEvent(
        incident_id=incident_id,
        seq=seq,
        kind=kind,
        at=at,
        author=author,
        text=text,
        data=dict(data or {}),
        prev_hash=prev_hash,
    )
    # Round-trip ``data`` through canonical JSON so what is hashed is what is stored.
    clean = json.loads(canonical_json(body.data))
    body = body.model_copy(update={"data": clean})
    digest = body.compute_hash()
    mac = event_mac(key, digest) if key is not None else ""
    return body.model_copy(update={"hash": digest, "mac": mac})


def event_mac(key: bytes, event_hash: str) -> str:
    """The MAC of one event: HMAC-SHA256 of its hash (which covers the previous hash)."""
    return hmac.new(key, b"ircmd-event\n" + event_hash.encode("ascii"), hashlib.sha256).hexdigest()


def head_mac(key: bytes, incident_id: str, seq: int, event_hash: str) -> str:
    """The MAC anchoring an incident's head: which event is the last one.

    A different message from :func:`event_mac`, so an earlier event's MAC cannot be
    replayed as the head's after the tail was cut."""
    msg = f"ircmd-head\n{incident_id}\n{seq}\n{event_hash}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def mac_ok(expected: str, given: object) -> bool:
    return isinstance(given, str) and hmac.compare_digest(expected, given)


def verify_macs(
    incident_id: str,
    records: Sequence[dict[str, Any]],
    key: bytes,
    keyed_after: int,
) -> list[ChainProblem]:
    """Check the MACs of one incident's stored events under ``key``.

    Events with ``seq <= keyed_after`` were written before the store was keyed and may lack a
    MAC (one they carry must still be right); every later event must carry a valid one."""
    problems: list[ChainProblem] = []
    for i, rec in enumerate(records, start=1):
        seq = rec.get("seq", i) if isinstance(rec, dict) else i
        if not isinstance(rec, dict):
            continue
        given = rec.get("mac")
        digest = rec.get("hash")
        if not isinstance(seq, int) or not isinstance(digest, str):
            continue
        if not given:
            if seq > keyed_after:
                problems.append(
                    ChainProblem(
                        incident_id, seq, "carries no MAC although the chain is keyed here"
                    )
                )
            continue
        if not mac_ok(event_mac(key, digest), given):
            problems.append(
                ChainProblem(
                    incident_id, seq, "MAC does not match (rewritten without the chain key)"
                )
            )
    return problems


@dataclass(frozen=True)
class ChainProblem:
    incident_id: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.incident_id} event {self.seq}" if self.seq is not None else self.incident_id
        return f"{where}: {self.problem}"


def verify_chain(incident_id: str, events: Sequence[TimelineEvent]) -> list[ChainProblem]:
    """Check one incident's events in stored order; return every problem found (empty = intact).

    Detects: an edited event (its hash no longer matches its content), a removed or
    reordered event (sequence gap, or ``prev_hash`` not the previous event's hash), and an
    event filed under the wrong incident.
    """
    problems: list[ChainProblem] = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    for ev in events:
        if ev.incident_id != incident_id:
            problems.append(ChainProblem(incident_id, ev.seq, f"event belongs to {ev.incident_id}"))
        if ev.compute_hash() != ev.hash:
            problems.append(
                ChainProblem(incident_id, ev.seq, "content does not match its hash (edited)")
            )
        if ev.seq != expected_seq:
            what = "missing (removed?)" if ev.seq > expected_seq else "out of order"
            problems.append(
                ChainProblem(
                    incident_id, ev.seq, f"expected event {expected_seq} here; events {what}"
                )
            )
        elif ev.prev_hash != prev_hash:
            problems.append(
                ChainProblem(incident_id, ev.seq, "does not link to the previous event's hash")
            )
        prev_hash = ev.hash
        expected_seq = ev.seq + 1
    return problems


def verify_records(incident_id: str, records: Iterable[dict[str, Any]]) -> list[ChainProblem]:
    """Like :func:`verify_chain`, from stored dicts; an unparseable record is a problem too."""
    events: list[TimelineEvent] = []
    problems: list[ChainProblem] = []
    for i, rec in enumerate(records, start=1):
        try:
            events.append(TimelineEvent.from_record(rec))
        except ValueError as exc:
            first = str(exc).split("\n")[0]
            problems.append(
                ChainProblem(
                    incident_id,
                    rec.get("seq", i) if isinstance(rec, dict) else i,
                    f"unreadable event: {first}",
                )
            )
    return problems + verify_chain(incident_id, events)
