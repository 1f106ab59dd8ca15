"""Fixtures for the store tests: a real PostgreSQL (``IRCMD_TEST_PG_DSN``, superuser) with a
fresh database per test module and a fresh schema per test, and the two backends behind
one :class:`StoreSpec` so the contract suite runs unchanged against both."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.storekit import DSN_VAR, StoreSpec, require_pg_dsn, with_params


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database for this test module; its superuser DSN."""
    import psycopg

    admin = require_pg_dsn()
    module = request.module.__name__.rsplit(".", 1)[-1][:30]
    name = f"ircmd_{module}_{secrets.token_hex(3)}".lower()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL at IRCMD_TEST_PG_DSN unreachable: {exc}")
        pytest.skip(f"PostgreSQL at IRCMD_TEST_PG_DSN unreachable: {exc}")
    yield with_params(admin, dbname=name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_dsn(pg_database: str) -> str:
    """A DSN whose tables live in a schema of their own (an empty store per test)."""
    import psycopg

    schema = f"t_{secrets.token_hex(4)}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return with_params(pg_database, options=f"-c search_path={schema}")


@pytest.fixture(params=["tinydb", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    if request.param == "postgres":
        dsn = request.getfixturevalue("pg_dsn")
        s = StoreSpec("postgres", tmp_path, dsn=dsn)
    else:
        s = StoreSpec("tinydb", tmp_path)
    yield s
    s.close_all()
    os.environ.pop(DSN_VAR, None)
