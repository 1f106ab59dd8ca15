"""Incident stores. ``open_store`` picks the backend named by ``[store] kind``."""

from __future__ import annotations

from pathlib import Path

from ircmd.domain.config import StoreConfig
from ircmd.store.base import (
    Change,
    EventDraft,
    IncidentStore,
    StoreError,
    StoreUnavailable,
    StoreUnreadable,
)

__all__ = [
    "Change",
    "EventDraft",
    "IncidentStore",
    "StoreError",
    "StoreUnavailable",
    "StoreUnreadable",
    "open_store",
]


def open_store(config: StoreConfig, data_dir: Path) -> IncidentStore:
    if config.kind == "tinydb":
        from ircmd.store.tinydb.store import TinyDBIncidentStore

        path = Path(config.path).expanduser() if config.path else data_dir
        return TinyDBIncidentStore(path)
    if config.kind == "postgres":
        try:
            from ircmd.store.postgres.store import open_postgres_store  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise StoreError(f"the postgres store is not available: {exc}") from exc
        store: IncidentStore = open_postgres_store(config)
        return store
    raise StoreError(f"unknown store kind {config.kind!r}")
