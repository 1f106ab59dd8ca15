"""The lean ``ircmd incident list`` on a PostgreSQL store (:mod:`ircmd.cli.incident_list`):
the same output as the full model path, psycopg as its only heavy import, and every case it
does not understand handed to the full path (which reports, keys or migrates)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from annotated_types import Gt, Le

from ircmd.cli import incident_list, main
from ircmd.domain.config import StoreConfig
from tests.docs.test_doc_examples import _make_demo

DSN_VAR = "LEAN_PG_DSN"


def test_the_lean_postgres_constants_are_the_store_s() -> None:
    """Connect options, session deadlines, schema version and manifest key of the lean
    reader are the store's own, and the timeouts' defaults and bounds the config schema's."""
    from ircmd.store.chainkey import MANIFEST_KEY, META
    from ircmd.store.postgres import rows
    from ircmd.store.postgres.conn import CONNECT_OPTIONS, SESSION_SETTINGS, Deadlines
    from ircmd.store.postgres.schema import LATEST

    assert rows.CONNECT_OPTIONS == CONNECT_OPTIONS
    assert rows.SESSION_SETTINGS == SESSION_SETTINGS
    assert rows.SCHEMA_VERSION == LATEST
    assert rows.MANIFEST == (META, MANIFEST_KEY)
    assert set(StoreConfig.model_fields) == incident_list._PG_KEYS
    for key, (default, high) in incident_list.PG_TIMEOUTS.items():
        field = StoreConfig.model_fields[key]
        assert field.default == default
        assert Gt(0) in field.metadata and Le(high) in field.metadata
    for given in ({}, {"connect_timeout": 0.4, "statement_timeout": 12, "tcp_user_timeout": 1.5}):
        deadlines = Deadlines(**{k: float(v) for k, v in given.items()})
        assert (
            rows.connect_options(deadlines.connect_timeout, deadlines.tcp_user_timeout)
            == deadlines.options()
        )
        assert rows.session_settings(deadlines.statement_timeout) == deadlines.settings()
        os.environ[DSN_VAR] = " host=127.0.0.1 "
        try:
            store = {"kind": "postgres", "dsn_env": DSN_VAR, **given}
            assert incident_list._pg_connection(store) == (
                "host=127.0.0.1",
                {
                    "connect_timeout": deadlines.connect_timeout,
                    "statement_timeout": deadlines.statement_timeout,
                    "tcp_user_timeout": deadlines.tcp_user_timeout,
                },
            )
        finally:
            del os.environ[DSN_VAR]


@pytest.fixture
def pg_demo(
    tmp_path: Path, pg_admin_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, str]]:
    """The seeded demo store copied into a fresh PostgreSQL schema, under a config that
    names only that ``[store]``; (config path, DSN)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    root = _make_demo(tmp_path)
    schema = f"lean_{secrets.token_hex(4)}"
    with psycopg.connect(pg_admin_dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    dsn = make_conninfo(pg_admin_dsn, options=f"-c search_path={schema}")
    monkeypatch.setenv(DSN_VAR, dsn)
    monkeypatch.setenv("IRCMD_CONFIG", str(root / "config.toml"))
    monkeypatch.setenv("IRCMD_KEY_DIR", str(root / "keys"))
    monkeypatch.setenv("IRCMD_DATA_DIR", str(root / "data"))
    assert main(["store", "copy", "--to", "postgres", "--dsn-env", DSN_VAR]) == 0
    config = root / "pg.toml"
    config.write_text(f'[store]\nkind = "postgres"\ndsn_env = "{DSN_VAR}"\n', encoding="utf-8")
    monkeypatch.setenv("IRCMD_CONFIG", str(config))
    try:
        yield config, dsn
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _both(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """(lean output, full-path output) of ``ircmd`` with ``args``."""
    capsys.readouterr()
    assert incident_list.run(args) == 0, "the lean reader declined"
    lean = capsys.readouterr().out
    with monkeypatch.context() as m:
        m.setattr(incident_list, "run", lambda _args: None)
        assert main(args) == 0
    return lean, capsys.readouterr().out


def test_lean_and_full_paths_print_the_same_on_postgres(
    pg_demo: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for flags in ([], ["--open"], ["--json"], ["--open", "--json"]):
        lean, full = _both(["incident", "list", *flags], capsys, monkeypatch)
        assert lean == full, flags
        if "--json" in flags:
            rows = json.loads(lean)
            assert rows and all(r["id"].startswith("INC-") for r in rows)
        else:
            assert lean.splitlines()[0].startswith("ID ") and len(lean.splitlines()) > 2
    # ...and after writes through the full path (a control character, a non-ASCII name)
    assert main(["incident", "declare", "--title", "new \x1b[31m one", "--severity", "low"]) == 0
    new = capsys.readouterr().out.strip()
    for args in (
        ["incident", "severity", new, "critical", "--reason", "worse"],
        ["incident", "role", new, "scribe", "Zoë"],
        ["incident", "status", new, "resolved", "--reason", "fixed"],
    ):
        assert main(args) == 0
    for flags in ([], ["--json"]):
        lean, full = _both(["incident", "list", *flags], capsys, monkeypatch)
        assert lean == full, flags
        assert new in lean


def test_the_lean_postgres_reader_declines_what_it_does_not_understand(
    pg_demo: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psycopg

    config, dsn = pg_demo
    good = config.read_text(encoding="utf-8")

    def sql(statement: str) -> Callable[[], None]:
        def run() -> None:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(statement)

        return run

    def config_with(extra: str) -> Callable[[], None]:
        def write() -> None:
            config.write_text(good + extra, encoding="utf-8")

        return write

    def no_dsn() -> None:
        monkeypatch.delenv(DSN_VAR)

    def unreachable() -> None:
        monkeypatch.setenv(DSN_VAR, "host=127.0.0.1 port=1 dbname=x user=x")

    cases: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
        ("zero timeout", config_with("connect_timeout = 0\n"), lambda: None),
        ("boolean timeout", config_with("statement_timeout = true\n"), lambda: None),
        ("text timeout", config_with('tcp_user_timeout = "4"\n'), lambda: None),
        ("unknown key", config_with("pool = 3\n"), lambda: None),
        ("key_env not text", config_with("key_env = 3\n"), lambda: None),
        ("another section", config_with('[ui]\ntheme = "x"\n'), lambda: None),
        ("no DSN", no_dsn, lambda: monkeypatch.setenv(DSN_VAR, dsn)),
        ("unreachable", unreachable, lambda: monkeypatch.setenv(DSN_VAR, dsn)),
        (
            "a row the model would rewrite",
            sql("UPDATE ircmd_incidents SET record = record || '{\"x\": 1}' WHERE number = 1"),
            sql("UPDATE ircmd_incidents SET record = record - 'x' WHERE number = 1"),
        ),
        (
            "a newer schema",
            sql("INSERT INTO ircmd_schema_migrations (version, description) VALUES (99, 'x')"),
            sql("DELETE FROM ircmd_schema_migrations WHERE version = 99"),
        ),
        (
            "unkeyed (the full path keys it)",
            sql("ALTER TABLE ircmd_docs RENAME TO ircmd_docs_away"),
            sql("ALTER TABLE ircmd_docs_away RENAME TO ircmd_docs"),
        ),
    ]
    for what, setup, undo in cases:
        setup()
        try:
            assert incident_list.run(["incident", "list"]) is None, what
        finally:
            undo()
            config.write_text(good, encoding="utf-8")
    assert capsys.readouterr().out == "", "a declining reader printed something"
    with psycopg.connect(dsn, autocommit=True) as conn:  # the manifest alone gone
        conn.execute("DELETE FROM ircmd_docs WHERE collection = 'meta' AND key = 'chain_key'")
    assert incident_list.run(["incident", "list"]) is None
    assert main(["incident", "list"]) == 0  # the full path keys the store again...
    assert incident_list.run(["incident", "list"]) == 0  # ...and the lean path answers


def test_an_empty_database_is_left_to_the_full_path(
    pg_admin_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ircmd tables yet: the lean reader declines (the full path creates them)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    schema = f"lean_{secrets.token_hex(4)}"
    with psycopg.connect(pg_admin_dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        monkeypatch.setenv(DSN_VAR, make_conninfo(pg_admin_dsn, options=f"-c search_path={schema}"))
        config = tmp_path / "pg.toml"
        config.write_text(f'[store]\nkind = "postgres"\ndsn_env = "{DSN_VAR}"\n', encoding="utf-8")
        monkeypatch.setenv("IRCMD_CONFIG", str(config))
        assert incident_list.run(["incident", "list"]) is None
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            found = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            ).fetchone()
        assert found == (0,), "the lean reader wrote"
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_incident_list_on_postgres_imports_psycopg_and_nothing_heavy(
    pg_demo: tuple[Path, str],
) -> None:
    """What a script on a PostgreSQL store gets: psycopg and the row reader, but no
    pydantic, no store contract, no incident service, no Textual."""
    code = (
        "import sys; from ircmd.cli import main; rc = main(['incident', 'list']); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pydantic', 'textual', 'tinydb')"
        " or m.startswith(('ircmd.store.base', 'ircmd.store.postgres.conn',"
        " 'ircmd.service.incidents.service', 'ircmd.domain.config'))];"
        " print('IMPORTED', bad, 'ircmd.store.postgres.rows' in sys.modules); sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "IMPORTED [] True" in done.stdout, done.stdout[-500:]
    assert "INC-0001" in done.stdout
