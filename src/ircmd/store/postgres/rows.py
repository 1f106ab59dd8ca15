"""The incident rows of a PostgreSQL store, read with psycopg alone (no pydantic, no
``ircmd.store.base``): what the lean ``ircmd incident list`` prints. Nothing is written.

One connection with the store's own connect options and session deadlines (the constants
below are kept equal to :mod:`ircmd.store.postgres.conn`, :mod:`~ircmd.store.postgres.schema`
and :mod:`ircmd.store.chainkey` by ``tests/functional/test_incident_list_lean_postgres.py``),
then the schema version, the key manifest and the rows in one pipeline. ``None`` whenever the
full store must answer instead: unreachable, no or another schema, not keyed yet, a row
without exactly ``fields``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg

CONNECT_OPTIONS: dict[str, Any] = {
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "application_name": "ircmd",
}
SESSION_SETTINGS = (
    "SET lock_timeout = '15s'",
    "SET idle_in_transaction_session_timeout = '60s'",
)
SCHEMA_VERSION = 1
MANIFEST = ("meta", "chain_key")


def connect_options(connect_timeout: float, tcp_user_timeout: float) -> dict[str, Any]:
    """``conn.Deadlines.options()`` for these timeouts (seconds)."""
    return {
        **CONNECT_OPTIONS,
        "connect_timeout": max(1, round(connect_timeout)),
        "tcp_user_timeout": max(1, round(tcp_user_timeout * 1000)),
        "keepalives_idle": 2,
        "keepalives_interval": 1,
        "keepalives_count": 2,
    }


def session_settings(statement_timeout: float) -> tuple[str, ...]:
    """``conn.Deadlines.settings()`` for this statement timeout (seconds)."""
    return (*SESSION_SETTINGS, f"SET statement_timeout = {max(1, round(statement_timeout * 1000))}")


def incident_rows(
    dsn: str,
    fields: Sequence[str],
    *,
    connect_timeout: float = 3.0,
    statement_timeout: float = 5.0,
    tcp_user_timeout: float = 4.0,
) -> list[dict[str, Any]] | None:
    """The stored incident records, keys in ``fields`` order (jsonb keeps none), or None."""
    try:
        conn = psycopg.connect(
            dsn, autocommit=True, **connect_options(connect_timeout, tcp_user_timeout)
        )
    except psycopg.Error:
        return None  # the full store says why (password scrubbed)
    try:
        with conn.pipeline():
            for setting in session_settings(statement_timeout):
                conn.execute(setting)
            head = conn.execute(
                "SELECT (SELECT coalesce(max(version), 0) FROM ircmd_schema_migrations),"
                " EXISTS (SELECT 1 FROM ircmd_docs WHERE collection = %s AND key = %s)",
                MANIFEST,
            )
            found = conn.execute("SELECT record, raw FROM ircmd_incidents ORDER BY number")
            version, keyed = head.fetchone() or (None, False)
            records = found.fetchall()
    except psycopg.Error:
        return None  # no schema yet, no permission...: the full store creates or reports
    finally:
        conn.close()
    if version != SCHEMA_VERSION or keyed is not True:
        return None  # migrations and keying live in the full store
    rows: list[dict[str, Any]] = []
    for record, raw in records:
        row = json.loads(raw) if raw is not None else record
        if not isinstance(row, dict) or set(row) != set(fields):
            return None
        rows.append({name: row[name] for name in fields})
    return rows
