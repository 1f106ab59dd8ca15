"""The PostgreSQL store's schema, created and migrated by ircmd itself.

``ircmd_schema_migrations`` records every migration applied (version, description, time).
A fresh database gets the whole schema on first open; an older one is upgraded only by
``ircmd store migrate`` (a shared database is not changed behind the team's back); a newer
one is refused and never touched. Migrations run in one transaction (PostgreSQL DDL is
transactional) under an advisory lock, so two consoles starting at once cannot race.

Tables live in the first schema of the connection's ``search_path`` (``public`` unless the
DSN says ``options=-csearch_path=...``), so one database can hold several stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

# Advisory lock keys (any bigint; these spell "ircmd" + a purpose in hex-ish digits).
MIGRATE_LOCK = 0x1C4D_0001
ALLOCATE_LOCK = 0x1C4D_0002

CHANNEL = "ircmd_changes"


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "incidents, append-only hash-chained timeline events, documents",
        (
            """
            CREATE TABLE ircmd_incidents (
                number  integer PRIMARY KEY CHECK (number > 0),
                id      text NOT NULL UNIQUE,
                record  jsonb,
                raw     text,
                CHECK ((record IS NULL) <> (raw IS NULL))
            )
            """,
            # ``record`` is the event's exact stored JSON (canonical text, what is hashed),
            # kept as text so the record read back is byte-for-byte the one written.
            """
            CREATE TABLE ircmd_events (
                incident_id text    NOT NULL,
                seq         integer NOT NULL CHECK (seq > 0),
                record      text    NOT NULL,
                PRIMARY KEY (incident_id, seq)
            )
            """,
            # Documents are jsonb; the rare one holding a NUL character (which jsonb cannot
            # represent) is kept as JSON text in ``raw`` instead.
            """
            CREATE TABLE ircmd_docs (
                collection text NOT NULL,
                key        text NOT NULL,
                doc        jsonb,
                raw        text,
                PRIMARY KEY (collection, key),
                CHECK ((doc IS NULL) <> (raw IS NULL))
            )
            """,
            """
            CREATE FUNCTION ircmd_events_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'ircmd timeline events are append-only (% refused)', TG_OP;
            END
            $$
            """,
            """
            CREATE TRIGGER ircmd_events_append_only
            BEFORE UPDATE OR DELETE ON ircmd_events
            FOR EACH ROW EXECUTE FUNCTION ircmd_events_append_only()
            """,
            """
            CREATE TRIGGER ircmd_events_no_truncate
            BEFORE TRUNCATE ON ircmd_events
            FOR EACH STATEMENT EXECUTE FUNCTION ircmd_events_append_only()
            """,
        ),
    ),
)

LATEST = MIGRATIONS[-1].version

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS ircmd_schema_migrations (
    version     integer PRIMARY KEY,
    description text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


def schema_version(conn: psycopg.Connection[Any]) -> int:
    """The database's schema version; 0 when ircmd never created its tables there."""
    row = conn.execute("SELECT to_regclass('ircmd_schema_migrations')").fetchone()
    if row is None or row[0] is None:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM ircmd_schema_migrations").fetchone()
    return int(row[0]) if row else 0


def newer_schema_message(location: str, version: int) -> str:
    return (
        f"{location}: the database has ircmd schema {version}, newer than this ircmd "
        f"(it reads up to {LATEST}); upgrade ircmd. Nothing was changed"
    )


def migrate(conn: psycopg.Connection[Any], location: str) -> tuple[int, int]:
    """Apply every pending migration in one transaction; returns (from, to) versions.

    ``conn`` must be in autocommit mode (no transaction open)."""
    from ircmd.store.base import StoreUnreadable

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        before = schema_version(conn)
        if before > LATEST:
            raise StoreUnreadable(newer_schema_message(location, before))
        if before == LATEST:
            return before, before
        conn.execute(_CREATE_MIGRATIONS_TABLE)
        for step in MIGRATIONS:
            if step.version <= before:
                continue
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO ircmd_schema_migrations (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )
    return before, LATEST
