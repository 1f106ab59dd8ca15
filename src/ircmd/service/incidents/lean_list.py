"""The incident rows for the lean ``ircmd incident list`` on a PostgreSQL store (see
:mod:`ircmd.cli.incident_list`): the store's raw rows, without the incident service, the
config model or pydantic. ``None``: the full path must answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ircmd.store.postgres.rows import incident_rows


def postgres_incident_rows(
    dsn: str,
    fields: Sequence[str],
    *,
    connect_timeout: float,
    statement_timeout: float,
    tcp_user_timeout: float,
) -> list[dict[str, Any]] | None:
    """The rows, keys in ``fields`` order, of a keyed store of the current schema."""
    return incident_rows(
        dsn,
        fields,
        connect_timeout=connect_timeout,
        statement_timeout=statement_timeout,
        tcp_user_timeout=tcp_user_timeout,
    )
