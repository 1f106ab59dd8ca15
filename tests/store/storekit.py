"""Shared helpers for the store tests (imported by conftest and the test modules)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import canonical_json
from ircmd.service import IncidentService
from ircmd.service.config import load_config
from ircmd.store import IncidentStore, open_store
from ircmd.store.tinydb.raw import RawStore
from tests.services import require_service

if TYPE_CHECKING:
    from ircmd.store.tinydb.journal import JournalStorage

DSN_VAR = "IRCMD_CONTRACT_DSN"


def require_pg_dsn() -> str:
    return require_service("postgres")


def with_params(dsn: str, **params: Any) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(dsn, **params)


@dataclass
class StoreSpec:
    """One backend under test: open more consoles on it, or run an ``ircmd`` process on it."""

    kind: str
    tmp: Path
    dsn: str = ""
    opened: list[IncidentStore] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["IRCMD_DATA_DIR"] = str(self.tmp / "data")
        env["IRCMD_CONFIG"] = str(self.config_path)
        env["IRCMD_KEY_DIR"] = str(self.tmp / "keys")
        env["IRCMD_USER"] = "tester"
        if self.dsn:
            env[DSN_VAR] = self.dsn
        return env

    @property
    def config_path(self) -> Path:
        path = self.tmp / "config.toml"
        if not path.exists():
            text = f'[store]\nkind = "postgres"\ndsn_env = "{DSN_VAR}"\n' if self.dsn else ""
            path.write_text(text, encoding="utf-8")
        return path

    def open(self) -> IncidentStore:
        """A new store instance on the same data: another console."""
        if self.dsn:
            os.environ[DSN_VAR] = self.dsn
        store = open_store(
            load_config(self.config_path).store,
            self.tmp / "data",
            key_dir=self.config_path.parent / "keys",
        )
        self.opened.append(store)
        return store

    def listening(self, store: IncidentStore) -> None:
        """Until ``store`` hears other consoles' writes: PostgreSQL's LISTEN connection is
        up (a TinyDB store reads the file's state on every ``change_token``: at once)."""
        store.change_token()
        if self.dsn:
            from ircmd.store.postgres.store import PostgresIncidentStore, wait_listening

            assert isinstance(store, PostgresIncidentStore)
            assert wait_listening(store, timeout=10), "the store's listener did not connect"

    def close_all(self) -> None:
        for store in self.opened:
            store.close()


T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
HOSTILE = [
    "[@click=app.quit]x[/]",
    "[link=file:///etc/passwd]",
    "unbalanced [/]",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x9b31m",
    "nul \x00 byte, é, 😀",
]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def service(store: IncidentStore, actor: str = "ic") -> IncidentService:
    return IncidentService(store=store, config=Config(), actor=actor, clock=Clock())


def incident_of(store: IncidentStore, incident_id: str) -> Incident:
    """The stored incident (the test fails if there is none)."""
    got = store.get_incident(incident_id)
    assert got is not None, f"no incident {incident_id} in {store.location}"
    return got


def doc_of(store: IncidentStore, collection: str, key: str) -> dict[str, Any]:
    """The stored document (the test fails if there is none)."""
    got = store.get_doc(collection, key)
    assert got is not None, f"no document {collection}/{key} in {store.location}"
    return got


def tinydb_journal(store: IncidentStore) -> JournalStorage:
    """The TinyDB store's journal, to write behind ircmd's back."""
    from ircmd.store.tinydb.store import TinyDBIncidentStore

    assert isinstance(store, TinyDBIncidentStore)
    return store.journal


def postgres_dsn(store: IncidentStore) -> str:
    """The PostgreSQL store's DSN, to connect behind ircmd's back."""
    from ircmd.store.postgres.store import PostgresIncidentStore

    assert isinstance(store, PostgresIncidentStore)
    return store._dsn


def canonical(raw: RawStore) -> str:
    return canonical_json(
        {
            "incidents": {str(k): v for k, v in raw.incidents.items()},
            "events": raw.events,
            "docs": raw.docs,
        }
    )
