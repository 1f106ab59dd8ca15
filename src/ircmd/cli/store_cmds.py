"""``ircmd verify`` and ``ircmd store ...``: integrity and maintenance of the incident store."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli import store_copy_cmds
from ircmd.cli.common import Context, add_json_flag, describe_error, print_json
from ircmd.domain.text import count, one_line


def register(sub: Any) -> None:
    v = sub.add_parser("verify", help="check every timeline chain and the store's integrity")
    add_json_flag(v)
    v.set_defaults(func=cmd_verify)

    s = sub.add_parser("store", help="store maintenance")
    ssub = s.add_subparsers(
        dest="store_command", metavar="ACTION", required=True, parser_class=type(s)
    )
    c = ssub.add_parser("compact", help="rewrite the journal with one record per document")
    c.set_defaults(func=cmd_compact)
    w = ssub.add_parser("where", help="print where the store is")
    w.set_defaults(func=cmd_where)
    store_copy_cmds.register_actions(ssub)


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.admin.store_admin import StoreError, keyed_report
    from ircmd.service.config import ConfigError

    try:
        store = ctx.store
        problems = store.verify()
        incidents = store.list_incidents()
        events = sum(store.event_count(i.id) for i in incidents)
        keyed = keyed_report(store)
    except (StoreError, ConfigError, OSError, ValueError) as exc:
        # --json is always one valid JSON document, a store that cannot be opened included.
        message = describe_error(exc)[0]
        if args.json:
            print_json({"ok": False, "problems": [one_line(message)]})
        else:
            print(one_line(message))
        return 1
    if args.json:
        print_json(
            {
                "ok": not problems,
                "store": store.location,
                "incidents": len(incidents),
                "events": events,
                "problems": problems,
                **keyed,
            }
        )
        return 1 if problems else 0
    if problems:
        for p in problems:
            print(one_line(p))
        return 1
    print(
        f"ok: {count(len(incidents), 'incident')}, {count(events, 'event')}, "
        "every timeline chain intact "
        f"({store.location})"
    )
    if keyed.get("keyed"):
        froms = {i: s for i, s in keyed["keyed_from"].items() if s is not None and s > 1}
        legacy = ", ".join(f"{i} from event {s}" for i, s in froms.items())
        print(f"keyed ({keyed['key']}): every chain" + (f"; {legacy}" if legacy else ""))
    else:
        print("not keyed yet: plain hashes only (the first new incident keys the store)")
    return 0


def cmd_compact(ctx: Context, args: argparse.Namespace) -> int:
    compact = getattr(ctx.store, "compact", None)
    if compact is None:
        print("this store does not need compaction")
        return 0
    before, after = compact()
    print(f"compacted {ctx.store.location}: {before} → {after} bytes")
    return 0


def cmd_where(ctx: Context, args: argparse.Namespace) -> int:
    print(ctx.store.location)
    return 0
