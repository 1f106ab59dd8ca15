"""Store administration: schema migration and a verified copy between TinyDB and
PostgreSQL. Synchronous; the CLI calls it, nothing here prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ircmd.domain.config import StoreConfig
from ircmd.store import IncidentStore, StoreError, open_store

__all__ = [
    "CopyIntegrityError",
    "CopySummary",
    "IncidentStore",
    "StoreError",
    "copy_store",
    "migrate",
]


class CopyIntegrityError(StoreError):
    """The source store does not verify; nothing was copied."""


@dataclass(frozen=True)
class CopySummary:
    source: str
    target: str
    incidents: int
    events: int
    documents: int


def postgres_config(dsn_env: str) -> StoreConfig:
    return StoreConfig(kind="postgres", dsn_env=dsn_env)


def local_tinydb_config(configured: StoreConfig) -> StoreConfig:
    """The TinyDB store the config names (its default place when the config says postgres)."""
    path = configured.path if configured.kind == "tinydb" else None
    return StoreConfig(kind="tinydb", path=path)


def migrate(config: StoreConfig) -> tuple[str, int, int]:
    """Bring a PostgreSQL store's schema up to date: (location, before, after)."""
    from ircmd.store.postgres.store import migrate_postgres

    return migrate_postgres(config)


def copy_store(
    configured: StoreConfig, dsn_env: str, to: Literal["postgres", "tinydb"], data_dir: Path
) -> CopySummary:
    """Copy every incident, event and document from the local TinyDB store to PostgreSQL
    (``to="postgres"``) or back; both sides are verified."""
    from ircmd.store.tinydb.raw import export_raw, import_raw

    local, remote = local_tinydb_config(configured), postgres_config(dsn_env)
    source_config, target_config = (local, remote) if to == "postgres" else (remote, local)
    source = open_store(source_config, data_dir)
    try:
        problems = source.verify()
        if problems:
            raise CopyIntegrityError(
                f"{source.location} has {len(problems)} integrity problem(s) (first: "
                f"{problems[0]}); run `ircmd verify`; nothing was copied"
            )
        raw = export_raw(source)
        target = open_store(target_config, data_dir)
        try:
            import_raw(target, raw)
            after = target.verify()
            if after:
                raise StoreError(
                    f"{target.location}: verify failed after the copy: {after[0]} "
                    f"({len(after)} problem(s))"
                )
            target_location = target.location
        finally:
            target.close()
    finally:
        source.close()
    return CopySummary(
        source=source.location,
        target=target_location,
        incidents=len(raw.incidents),
        events=raw.event_total,
        documents=raw.doc_total,
    )


def keyed_report(store: IncidentStore) -> dict[str, Any]:
    """Whether the store's chains are keyed, and from which event (for ``ircmd verify``)."""
    from ircmd.store.tinydb.raw import export_raw
    from ircmd.store.tinydb.raw import keyed_report as report

    inner = getattr(store, "inner", store)
    state = getattr(inner, "chain_state", None)
    try:
        return report(export_raw(inner), state() if state is not None else None)
    except StoreError:
        return {
            "keyed": False,
            "key": "",
            "key_found": False,
            "keyed_since": None,
            "keyed_from": {},
        }
