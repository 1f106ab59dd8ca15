"""Incident stores. ``open_store`` picks the backend named by ``[store] kind``.

The names below are imported on first use (PEP 562): importing one store module
(``ircmd.store.postgres.rows`` for the lean ``incident list``) does not build the config
model and the store contract's pydantic models behind them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ircmd.domain.config import StoreConfig
    from ircmd.store.base import (
        Change,
        EventDraft,
        IncidentStore,
        StoreError,
        StoreOutcomeUnknown,
        StoreUnavailable,
        StoreUnreadable,
    )

__all__ = [
    "Change",
    "EventDraft",
    "IncidentStore",
    "StoreError",
    "StoreOutcomeUnknown",
    "StoreUnavailable",
    "StoreUnreadable",
    "open_store",
]


_BASE = {
    "Change",
    "EventDraft",
    "IncidentStore",
    "StoreError",
    "StoreOutcomeUnknown",
    "StoreUnavailable",
    "StoreUnreadable",
}


def __getattr__(name: str) -> Any:
    if name not in _BASE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ircmd.store import base

    value = getattr(base, name)
    globals()[name] = value
    return value


def open_store(config: StoreConfig, data_dir: Path, key_dir: Path | None = None) -> IncidentStore:
    """Open (and key, see :mod:`ircmd.store.chainkey`) the configured store.

    ``key_dir``: where chain key files live (default ``keys/`` beside the config file)."""
    from ircmd.store.base import StoreError
    from ircmd.store.chainkey import KeySource

    if config.kind == "tinydb":
        from ircmd.store.tinydb.store import TinyDBIncidentStore

        path = Path(config.path).expanduser() if config.path else data_dir
        return TinyDBIncidentStore(path, key_source=KeySource(key_dir, config.key_env))
    if config.kind == "postgres":
        try:
            from ircmd.store.postgres.store import open_postgres_store  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise StoreError(f"the postgres store is not available: {exc}") from exc
        store: IncidentStore = open_postgres_store(config, key_dir=key_dir)
        return store
    raise StoreError(f"unknown store kind {config.kind!r}")
