"""Every PostgreSQL statement and commit has a deadline, taken from ``[store]`` config keys."""

from __future__ import annotations

import time

import pytest

from ircmd.domain.config import StoreConfig
from ircmd.store import StoreUnavailable
from ircmd.store.postgres.conn import Deadlines
from ircmd.store.postgres.store import PostgresIncidentStore


def test_store_config_has_deadline_keys_with_defaults() -> None:
    cfg = StoreConfig(kind="postgres", dsn_env="X")
    assert (cfg.connect_timeout, cfg.statement_timeout, cfg.tcp_user_timeout) == (3.0, 5.0, 4.0)
    with pytest.raises(ValueError):
        StoreConfig(kind="postgres", dsn_env="X", statement_timeout=0)


def test_a_statement_past_its_deadline_fails_visibly_and_quickly(pg_dsn: str) -> None:
    store = PostgresIncidentStore(pg_dsn, deadlines=Deadlines(statement_timeout=0.5))
    try:
        with store._pool.connection() as (conn, _):
            params = conn.info.get_parameters()
            assert params.get("tcp_user_timeout") == "4000"
            shown = conn.execute("SHOW statement_timeout").fetchone()
            assert shown is not None and shown[0] == "500ms"
        t = time.monotonic()
        with pytest.raises(StoreUnavailable, match="retry"):
            store._read(lambda c: c.execute("SELECT pg_sleep(5)").fetchall())
        assert time.monotonic() - t < 2.0
        # The store keeps working after the cancelled statement.
        assert store.list_incidents() == []
    finally:
        store.close()
