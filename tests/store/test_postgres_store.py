"""PostgreSQL-only behaviour: the DSN stays secret, failures are one line, the schema is
ircmd's own (migrate, append-only), ``store copy`` both ways, and a server lost mid-session
(a private instance this test stops and restarts) refuses writes, then reconnects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from ircmd.cli import main
from ircmd.domain.config import StoreConfig
from ircmd.store import StoreError, StoreUnavailable, open_store
from ircmd.store.postgres.store import PostgresIncidentStore, wait_listening
from ircmd.store.tinydb.raw import export_raw
from tests.services import PrivateService, free_port, start_private
from tests.store.storekit import canonical, service, with_params
from tests.support.waiting import poll_until

pytestmark = pytest.mark.services

SECRET = "s3cr3t-pw"


def pg_config(var: str) -> StoreConfig:
    return StoreConfig(kind="postgres", dsn_env=var)


def test_missing_env_var_and_bad_dsn_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRCMD_NO_SUCH_DSN", raising=False)
    with pytest.raises(StoreError, match="IRCMD_NO_SUCH_DSN is not set"):
        open_store(pg_config("IRCMD_NO_SUCH_DSN"), Path("/nonexistent"))
    monkeypatch.setenv("BAD_DSN", f"host=127.0.0.1 password={SECRET} =oops")
    with pytest.raises(StoreError) as info:
        open_store(pg_config("BAD_DSN"), Path("/nonexistent"))
    assert str(info.value) == "BAD_DSN: not a valid PostgreSQL connection string"


def test_unreachable_at_start_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("DEAD_DSN", f"postgresql://ic:{SECRET}@127.0.0.1:{port}/ircmd")
    with pytest.raises(StoreUnavailable) as info:
        open_store(pg_config("DEAD_DSN"), tmp_path)
    message = str(info.value)
    assert message.startswith(f"postgresql://127.0.0.1:{port}/ircmd: cannot connect")
    assert "\n" not in message and SECRET not in message and "ic:" not in message
    config = tmp_path / "config.toml"
    config.write_text('[store]\nkind = "postgres"\ndsn_env = "DEAD_DSN"\n')
    monkeypatch.setenv("IRCMD_CONFIG", str(config))
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path))
    assert main(["incident", "list"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err and SECRET not in err
    assert "Connection refused" in err


def test_location_and_errors_never_show_the_credentials(pg_dsn: str) -> None:
    dsn = with_params(pg_dsn, password=SECRET, user="postgres")
    store = PostgresIncidentStore(dsn, env_name="X")
    try:
        assert SECRET not in store.location and "postgres@" not in store.location
        assert store.location.startswith("postgresql://127.0.0.1:")
        assert store.health() == (True, f"connected to {store.location}")
    finally:
        store.close()


def test_events_are_append_only_in_the_database(pg_dsn: str) -> None:
    store = PostgresIncidentStore(pg_dsn)
    try:
        service(store).declare("x")
    finally:
        store.close()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for sql in (
            "UPDATE ircmd_events SET record = '{}'",
            "DELETE FROM ircmd_events",
            "TRUNCATE ircmd_events",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM ircmd_events").fetchone() == (1,)


def test_store_migrate_creates_then_has_nothing_to_do(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIGRATE_DSN", pg_dsn)
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert main(["store", "migrate", "--dsn-env", "MIGRATE_DSN"]) == 0
    assert "from schema 0 to 1" in capsys.readouterr().out
    assert main(["store", "migrate", "--dsn-env", "MIGRATE_DSN"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    with psycopg.connect(pg_dsn) as conn:
        rows = conn.execute("SELECT version, description FROM ircmd_schema_migrations").fetchall()
    assert [r[0] for r in rows] == [1]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO ircmd_schema_migrations (version, description) VALUES (7, 'x')")
    assert main(["store", "migrate", "--dsn-env", "MIGRATE_DSN"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "schema 7, newer than this ircmd" in err
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM ircmd_schema_migrations").fetchone() == (2,)
    assert main(["store", "migrate"]) == 0  # the configured store is TinyDB
    out = capsys.readouterr().out
    assert out.startswith("nothing to do:") and "TinyDB store" in out


def test_store_copy_both_ways_preserves_everything_and_refuses_to_merge(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COPY_DSN", pg_dsn)
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("IRCMD_USER", "ic")
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "laptop"))
    assert main(["incident", "declare", "--title", "Refund bot [@click=app.quit]x[/]"]) == 0
    assert main(["incident", "note", "INC-0001", "pinned \x1b]52;c;SGVsbG8=\x07 span"]) == 0
    assert main(["incident", "declare", "--title", "second"]) == 0
    local = open_store(StoreConfig(), tmp_path / "laptop")
    local.put_doc("evidence", "span-1", {"sha256": "ab" * 32})
    before = canonical(export_raw(local))
    local.close()
    capsys.readouterr()

    assert main(["store", "copy", "--to", "postgres", "--dsn-env", "COPY_DSN"]) == 0
    out = capsys.readouterr().out
    # 2 documents: the evidence one and the chain key manifest (it travels with the chain)
    assert "copied 2 incidents, 3 events and 2 documents" in out
    remote = PostgresIncidentStore(pg_dsn)
    assert canonical(export_raw(remote)) == before
    assert remote.verify() == []

    # Copying again would merge: refused with one line, nothing written.
    assert main(["store", "copy", "--to", "postgres", "--dsn-env", "COPY_DSN"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "already holds incidents INC-0001, INC-0002" in err
    assert canonical(export_raw(remote)) == before

    # Work continues on PostgreSQL, then everything comes back to a fresh local store.
    service(remote).note("INC-0002", "written on the shared store")
    after_remote = canonical(export_raw(remote))
    remote.close()
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "bastion"))
    assert main(["store", "copy", "--to", "tinydb", "--dsn-env", "COPY_DSN"]) == 0
    capsys.readouterr()
    back = open_store(StoreConfig(), tmp_path / "bastion")
    assert canonical(export_raw(back)) == after_remote
    back.close()
    assert main(["verify"]) == 0
    assert capsys.readouterr().out.startswith("ok: 2 incidents, 4 events")
    assert main(["store", "copy", "--to", "tinydb", "--dsn-env", "COPY_DSN"]) == 1


@pytest.fixture
def private_pg(tmp_path: Path) -> Any:
    server = start_private("postgres", tmp_path)
    try:
        yield server
    finally:
        server.close()


def test_server_lost_mid_session_refuses_writes_then_reconnects(
    private_pg: PrivateService,
) -> None:
    store = PostgresIncidentStore(private_pg.url)
    try:
        svc = service(store)
        inc, _ = svc.declare("shared war room")
        svc.note(inc.id, "before the outage")
        assert wait_listening(store)
        assert store.health()[0] is True

        with store._pool.connection(), store._pool.connection():
            pass  # two idle connections in the pool: both go stale with the server
        private_pg.stop()
        assert poll_until(lambda: store.health()[0] is False, timeout=10)
        _, line = store.health()
        assert "unreachable" in line and "\n" not in line
        token = store.change_token()  # in memory: answers while the server is down
        with pytest.raises(StoreUnavailable) as info:
            svc.note(inc.id, "during the outage")
        assert "\n" not in str(info.value)
        assert "cannot connect" in str(info.value)  # stale connections retried, not reported
        with pytest.raises(StoreUnavailable, match="cannot connect"):
            store.list_incidents()

        private_pg.start()
        assert poll_until(lambda: store.health()[0] is True, timeout=15)
        assert store.change_token() != token  # consoles reload what they may have missed
        svc.note(inc.id, "after the outage")  # the same store object: it reconnected itself
        texts = [e.text for e in store.events(inc.id)]
        assert texts[1:] == ["before the outage", "after the outage"]  # nothing queued
        assert store.verify() == []
    finally:
        store.close()


def test_change_token_and_health_never_query(pg_dsn: str) -> None:
    """The TUI polls these every 0.25 s: they read memory, never a connection."""
    store = PostgresIncidentStore(pg_dsn)
    try:
        assert wait_listening(store)
        token = store.change_token()

        def no_connection() -> Any:
            raise AssertionError("change_token/health used a connection")

        real = store._pool.connection
        store._pool.connection = no_connection  # type: ignore[method-assign]
        for _ in range(1000):
            assert store.change_token() == token
            assert store.health()[0] is True
        store._pool.connection = real  # type: ignore[method-assign]
        service(store).declare("bump")
        assert store.change_token() != token
    finally:
        store.close()


def test_a_console_holding_an_incident_too_long_fails_others_visibly(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ircmd.store.postgres.conn as pg_conn

    monkeypatch.setattr(
        pg_conn,
        "SESSION_SETTINGS",
        ("SET lock_timeout = '500ms'", "SET idle_in_transaction_session_timeout = '60s'"),
    )
    store = PostgresIncidentStore(pg_dsn)
    try:
        svc = service(store)
        inc, _ = svc.declare("contended")
        with psycopg.connect(pg_dsn) as frozen:  # a console stopped inside a transaction
            frozen.execute("SELECT 1 FROM ircmd_incidents WHERE number = 1 FOR UPDATE")
            with pytest.raises(StoreUnavailable, match=r"lock timeout.*; retry$"):
                svc.note(inc.id, "blocked")
            assert store.health()[0] is True  # the server is fine
        svc.note(inc.id, "after the lock was released")
        assert [e.text for e in store.events(inc.id)][1:] == ["after the lock was released"]
    finally:
        store.close()
