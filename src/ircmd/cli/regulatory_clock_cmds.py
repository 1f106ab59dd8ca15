"""``ircmd incident regulatory INC --regime gdpr|nis2|dora``: flag a clock, show its stages."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ircmd.cli.common import CliError, Context, print_json, writable
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
    from ircmd.service.investigate.persons import persons_affected_suggestion

    suggestion = persons_affected_suggestion(ctx.service, args.id)
    if args.json:
        print_json(
            {
                "regime": regime,
                **flag.model_dump(mode="json"),
                "stages": [s.to_json() for s in stages],
                "draft": True,
                "persons_affected_suggestion": suggestion.to_dict() if suggestion else None,
            }
        )
        return 0
    print(f"{regime} clock from {flag.aware_at.isoformat()} (a DRAFT to check with counsel)")
    for s in stages:
        due = s.due_at.isoformat() if s.due_at else "without undue delay"
        print(f"  {s.stage:<28} {due:<34} to {s.to}  ({s.basis})")
    if suggestion is not None:
        print(f"  persons affected (suggested): {suggestion.describe()}")
    return 0


def export_regime(
    ctx: Context,
    args: argparse.Namespace,
    out: Path,
    record: Callable[[Context, str, str, Path, Any], None],
) -> int:
    """``ircmd export INC --regulatory --regime gdpr|nis2|dora``: the draft (.json + .md)."""
    from ircmd.domain.evidence.redaction import Profile
    from ircmd.service.files import write_new
    from ircmd.service.regulatory.clocks import regime_draft
    from ircmd.service.regulatory.service import json_text

    regime = parse_regime(args.regime)
    base = out.with_suffix("") if out.suffix in (".json", ".md") else out
    jpath, mpath = base.with_name(base.name + ".json"), base.with_name(base.name + ".md")
    profile = Profile(args.profile) if args.profile != "internal" else Profile.LEGAL
    draft, md = regime_draft(ctx.service, args.incident, regime, profile=profile)
    for p in (jpath, mpath):
        if (p.exists() or p.is_symlink()) and not args.force:
            raise CliError(f"{p} already exists; choose another path or pass --force")
    write_new(jpath, json_text(draft).encode(), args.force)
    write_new(mpath, md.encode(), args.force)
    record(ctx, args.incident, f"{regime} draft notification", jpath, draft)
    if args.json:
        print_json({"json": str(jpath), "markdown": str(mpath), "report": draft})
    else:
        print(f"{jpath}\n{mpath}")
    return 0
