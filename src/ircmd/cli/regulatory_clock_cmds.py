"""``ircmd incident regulatory INC --regime gdpr|nis2|dora``: flag a clock, show its stages."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime

from ircmd.cli.common import Context, print_json, writable
from ircmd.domain.regulatory.clocks import parse_regime


def cmd_clock(
    ctx: Context, args: argparse.Namespace, parse_time: Callable[[str | None, str], datetime | None]
) -> int:
    from ircmd.service.regulatory.clocks import flag_clock

    writable(ctx, "incident regulatory")
    regime = parse_regime(args.regime)
    flag, stages = flag_clock(
        ctx.service,
        args.id,
        regime,
        member_state=args.member_state or "",
        aware_at=parse_time(args.aware_at, "--aware-at"),
        classified_at=parse_time(getattr(args, "classified_at", None), "--classified-at"),
        data_subjects=bool(getattr(args, "data_subjects", False)),
    )
    if args.json:
        print_json(
            {
                "regime": regime,
                **flag.model_dump(mode="json"),
                "stages": [s.to_json() for s in stages],
                "draft": True,
            }
        )
        return 0
    print(f"{regime} clock from {flag.aware_at.isoformat()} (a DRAFT to check with counsel)")
    for s in stages:
        due = s.due_at.isoformat() if s.due_at else "without undue delay"
        print(f"  {s.stage:<28} {due:<34} to {s.to}  ({s.basis})")
    return 0
