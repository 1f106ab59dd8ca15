"""``ircmd metrics [--since DATE] [--by severity|workflow|classification] [--json]``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from ircmd.cli.common import Context, UsageError, add_json_flag, print_json
from ircmd.domain.incidents.incident import format_age
from ircmd.domain.incidents.metrics import DIMENSIONS
from ircmd.domain.text import count


def register(sub: Any) -> None:
    p = sub.add_parser("metrics", help="response metrics: time to acknowledge, contain, resolve")
    p.add_argument("--since", help="only incidents detected on or after DATE (ISO-8601)")
    p.add_argument("--by", choices=DIMENSIONS)
    add_json_flag(p)
    p.set_defaults(func=cmd_metrics)


def collect(ctx: Context, since: datetime | None, by: str | None) -> dict[str, Any]:
    from ircmd.service.comms.metrics import response_metrics

    return response_metrics(ctx.service, datetime.now(UTC), since, by)


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"ircmd metrics: --since {value!r} is not an ISO-8601 date") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _fmt(stat: dict[str, Any]) -> str:
    if not stat["count"]:
        return "-"
    return (
        f"n={stat['count']} mean {format_age(stat['mean_s'])} median {format_age(stat['median_s'])}"
    )


def _print(title: str, s: dict[str, Any]) -> None:
    print(
        f"{title}: {count(s['count'], 'incident')} · "
        f"acknowledge {_fmt(s['time_to_acknowledge'])} · "
        f"contain {_fmt(s['time_to_contain'])} · resolve {_fmt(s['time_to_resolve'])} · "
        f"overdue updates {s['overdue_updates']} · overdue tasks {s['overdue_tasks']}"
    )


def cmd_metrics(ctx: Context, args: argparse.Namespace) -> int:
    out = collect(ctx, _since(args.since), args.by)
    if args.json:
        print_json(out)
        return 0
    _print("all", out)
    for key, group in out.get("groups", {}).items():
        _print(f"  {args.by} {key}", group)
    return 0
