"""Whole-database export and import of raw records for the PostgreSQL store."""

from __future__ import annotations

import json
from typing import Any

from ircmd.domain.incidents.incident import format_incident_id
from ircmd.domain.incidents.timeline import canonical_json
from ircmd.store.base import StoreError
from ircmd.store.postgres.conn import Conn, Transaction, json_columns, loaded
from ircmd.store.postgres.schema import ALLOCATE_LOCK, CHANNEL
from ircmd.store.tinydb.raw import RawStore, conflicts_message


def export_records(conn: Conn) -> RawStore:
    """Every stored record, exactly, from one consistent snapshot."""
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        raw = RawStore()
        for number, rec, text in conn.execute(
            "SELECT number, record, raw FROM ircmd_incidents ORDER BY number"
        ):
            raw.incidents[int(number)] = loaded(rec, text)
        for incident_id, text in conn.execute(
            "SELECT incident_id, record FROM ircmd_events ORDER BY incident_id, seq"
        ):
            raw.events.setdefault(incident_id, []).append(_parse_event(text))
        for collection, key, doc, text in conn.execute(
            "SELECT collection, key, doc, raw FROM ircmd_docs ORDER BY collection, key"
        ):
            raw.docs.setdefault(collection, {})[key] = loaded(doc, text)
    finally:
        conn.execute("COMMIT")
    return raw


def import_records(tx: Transaction, raw: RawStore, location: str) -> None:
    """Queue ``raw`` for writing; refused when anything it holds is already there."""
    tx.begin(("SELECT pg_advisory_xact_lock(%s)", (ALLOCATE_LOCK,)))
    conn = tx.conn
    numbers = sorted(raw.incidents)
    taken = [
        r[0]
        for r in conn.execute(
            "SELECT number FROM ircmd_incidents WHERE number = ANY(%s::int[])",
            (numbers,),
        )
    ]
    ids = sorted(raw.events)
    timelines = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT incident_id FROM ircmd_events WHERE incident_id = ANY(%s::text[])",
            (ids,),
        )
    ]
    pairs = [(c, k) for c, docs in raw.docs.items() for k in docs]
    existing = [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT collection, key FROM ircmd_docs "
            "WHERE (collection, key) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            ([c for c, _ in pairs], [k for _, k in pairs]),
        )
    ]
    message = conflicts_message(location, taken, timelines, existing)
    if message:
        raise StoreError(message)
    tx.queue(
        "INSERT INTO ircmd_incidents (number, id, record, raw) VALUES (%s, %s, %s, %s)",
        [(n, format_incident_id(n), *json_columns(raw.incidents[n])) for n in numbers],
        many=True,
    )
    tx.queue(
        "INSERT INTO ircmd_events (incident_id, seq, record) VALUES (%s, %s, %s)",
        [
            (incident_id, _seq(rec, i), canonical_json(rec))
            for incident_id in ids
            for i, rec in enumerate(raw.events[incident_id], start=1)
        ],
        many=True,
    )
    tx.queue(
        "INSERT INTO ircmd_docs (collection, key, doc, raw) VALUES (%s, %s, %s, %s)",
        [(c, k, *json_columns(raw.docs[c][k])) for c, k in pairs],
        many=True,
    )
    tx.queue("SELECT pg_notify(%s, %s)", (CHANNEL, "import"))


def _parse_event(text: str) -> dict[str, Any]:
    """A stored event's record; text that is not a JSON object is kept so verify names it."""
    try:
        value = json.loads(text)
    except ValueError:
        return {"unreadable": text}
    return value if isinstance(value, dict) else {"unreadable": value}


def _seq(rec: dict[str, Any], position: int) -> int:
    seq = rec.get("seq")
    return seq if isinstance(seq, int) and seq > 0 else position
