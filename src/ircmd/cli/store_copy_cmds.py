"""``ircmd store migrate`` and ``ircmd store copy``: moving between TinyDB and PostgreSQL."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli.common import Context, print_json
from ircmd.domain.text import count


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


def cmd_migrate(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.admin import store_admin

    config = store_admin.postgres_config(args.dsn_env) if args.dsn_env else ctx.config.store
    if config.kind != "postgres":
        store = ctx.store
        print(f"nothing to do: {store.location} is a TinyDB store (it upgrades as it reads)")
        return 0
    location, before, after = store_admin.migrate(config)
    if before == after:
        print(f"nothing to do: {location} is at schema {after}")
    else:
        print(f"migrated {location} from schema {before} to {after}")
    return 0


def cmd_copy(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.admin import store_admin

    done = store_admin.copy_store(ctx.config.store, args.dsn_env, args.to, ctx.data_dir)
    summary = {
        "from": done.source,
        "to": done.target,
        "incidents": done.incidents,
        "events": done.events,
        "documents": done.documents,
        "verified": True,
    }
    if args.json:
        print_json(summary)
    else:
        print(
            f"copied {count(done.incidents, 'incident')}, {count(done.events, 'event')} and "
            f"{count(done.documents, 'document')} from {done.source} to {done.target}; "
            "every timeline chain verifies on both sides"
        )
    return 0
