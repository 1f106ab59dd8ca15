"""``ircmd store migrate`` and ``ircmd store copy``: moving between TinyDB and PostgreSQL."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli.common import CliError, Context, print_json
from ircmd.domain.config import StoreConfig
from ircmd.store import IncidentStore, StoreError, open_store


def register_actions(ssub: Any) -> None:
    m = ssub.add_parser(
        "migrate", help="create or upgrade the PostgreSQL schema (TinyDB: nothing to do)"
    )
    m.add_argument(
        "--dsn-env",
        metavar="VAR",
        help="migrate the PostgreSQL database named by this environment variable "
        "instead of the configured store",
    )
    m.set_defaults(func=cmd_migrate)

    c = ssub.add_parser(
        "copy",
        help="copy the local TinyDB store into PostgreSQL, or back (ids, times, chains kept)",
    )
    c.add_argument("--to", required=True, choices=["postgres", "tinydb"], help="the target")
    c.add_argument(
        "--dsn-env",
        required=True,
        metavar="VAR",
        help="environment variable holding the PostgreSQL connection string",
    )
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(func=cmd_copy)


def _postgres_config(var: str) -> StoreConfig:
    return StoreConfig(kind="postgres", dsn_env=var)


def _local_tinydb_config(ctx: Context) -> StoreConfig:
    configured = ctx.config.store
    path = configured.path if configured.kind == "tinydb" else None
    return StoreConfig(kind="tinydb", path=path)


def cmd_migrate(ctx: Context, args: argparse.Namespace) -> int:
    config = _postgres_config(args.dsn_env) if args.dsn_env else ctx.config.store
    if config.kind != "postgres":
        store = ctx.store
        print(f"nothing to do: {store.location} is a TinyDB store (it upgrades as it reads)")
        return 0
    from ircmd.store.postgres.store import migrate_postgres

    location, before, after = migrate_postgres(config)
    if before == after:
        print(f"nothing to do: {location} is at schema {after}")
    else:
        print(f"migrated {location} from schema {before} to {after}")
    return 0


def _open(config: StoreConfig, ctx: Context) -> IncidentStore:
    return open_store(config, ctx.data_dir)


def cmd_copy(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.store.tinydb.raw import export_raw, import_raw

    local = _local_tinydb_config(ctx)
    remote = _postgres_config(args.dsn_env)
    source_config, target_config = (local, remote) if args.to == "postgres" else (remote, local)
    source = _open(source_config, ctx)
    try:
        problems = source.verify()
        if problems:
            raise CliError(
                f"{source.location} has {len(problems)} integrity problem(s) (first: "
                f"{problems[0]}); run `ircmd verify`; nothing was copied"
            )
        raw = export_raw(source)
        target = _open(target_config, ctx)
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
    summary = {
        "from": source.location,
        "to": target_location,
        "incidents": len(raw.incidents),
        "events": raw.event_total,
        "documents": raw.doc_total,
        "verified": True,
    }
    if args.json:
        print_json(summary)
    else:
        print(
            f"copied {len(raw.incidents)} incidents, {raw.event_total} events and "
            f"{raw.doc_total} documents from {source.location} to {target_location}; "
            "every timeline chain verifies on both sides"
        )
    return 0
