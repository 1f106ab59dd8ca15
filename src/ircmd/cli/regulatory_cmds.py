"""``ircmd incident regulatory ID ...``: flag a potential serious incident (EU AI Act
Art. 73) and show its reporting clock."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ircmd.cli.common import (
    CliError,
    Context,
    UsageError,
    add_json_flag,
    incident_arg,
    print_json,
    writable,
)

if TYPE_CHECKING:
    from ircmd.domain.traces.persons import PersonsAffected


def register(isub: Any) -> None:
    """Add ``regulatory`` under ``ircmd incident`` (``isub`` is its sub-command group)."""
    rg = isub.add_parser(
        "regulatory",
        help="flag a potential serious incident (EU AI Act Art. 73) or show its clock",
    )
    incident_arg(rg, "id")
    rg.add_argument(
        "--harm",
        help="death | health | critical-infrastructure | fundamental-rights | property-environment",
    )
    rg.add_argument("--member-state", help="EU Member State where it occurred (DE, FR, ...)")
    rg.add_argument("--widespread", action="store_true", help="a widespread infringement")
    rg.add_argument("--causal-link-at", help="when a causal link was established (ISO 8601)")
    rg.add_argument("--aware-at", help="when the provider became aware (default: incident's)")
    rg.add_argument("--persons", type=int, help="persons affected")
    rg.add_argument("--provider")
    rg.add_argument("--system")
    rg.add_argument("--system-version")
    rg.add_argument("--reported", choices=["initial", "complete"], help="mark a report as sent")
    rg.add_argument("--timezone", help="IANA zone for counting days (default: the capital's)")
    rg.add_argument("--regime", help="art73 (default) | gdpr | nis2 | dora")
    rg.add_argument("--classified-at", help="DORA: when classified as major (ISO 8601)")
    rg.add_argument("--data-subjects", action="store_true", help="GDPR: flag Art. 34 notice")
    add_json_flag(rg)
    rg.set_defaults(func=cmd_regulatory)


def parse_time(value: str | None, what: str) -> datetime | None:
    """ISO 8601; a time without an offset is taken as UTC."""
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{what}: {value!r} is not an ISO 8601 time (2026-11-28T09:30+01:00)"
        ) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


# -- regulatory -----------------------------------------------------------------------------


def cmd_regulatory(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.regulatory.service import flag_incident, get_flag

    if getattr(args, "regime", None):
        from ircmd.cli.regulatory_clock_cmds import cmd_clock
        from ircmd.domain.regulatory.clocks import parse_regime

        if parse_regime(args.regime) != "art73":
            return cmd_clock(ctx, args, parse_time)

    svc = ctx.service
    current = get_flag(svc, args.id)
    changing = (
        any(
            v is not None and v is not False
            for v in (
                args.harm,
                args.member_state,
                args.causal_link_at,
                args.aware_at,
                args.persons,
                args.provider,
                args.system,
                args.system_version,
                args.reported,
            )
        )
        or args.widespread
    )
    if changing:
        writable(ctx, "incident regulatory")
        if current is None and not (args.harm and args.member_state):
            raise UsageError("flagging needs --harm and --member-state")
        harm = args.harm or ("death" if current and current.death else current.harm.value)  # type: ignore[union-attr]
        flag = flag_incident(
            svc,
            args.id,
            harm=harm,
            member_state=args.member_state or (current.member_state if current else ""),
            widespread=args.widespread or bool(current and current.widespread),
            causal_link_at=parse_time(args.causal_link_at, "--causal-link-at"),
            aware_at=parse_time(args.aware_at, "--aware-at"),
            persons_affected=args.persons,
            provider=args.provider,
            system=args.system,
            system_version=args.system_version,
            reported=args.reported,
            timezone=args.timezone,
        )
    elif current is None:
        raise CliError(f"{args.id} is not flagged; flag it with --harm ... --member-state ...")
    else:
        flag = current
    from ircmd.domain.incidents.timeline import format_time
    from ircmd.domain.regulatory.art73 import countdown_label, deadline, reporting_period

    now = svc.clock()
    days, para, why = reporting_period(flag)
    due = deadline(flag)
    suggestion = persons_suggestion(ctx, flag.incident_id)
    if args.json:
        print_json(
            {
                **flag.to_doc(),
                "due_at": format_time(due),
                "days": days,
                "basis": para,
                "why": why,
                "label": countdown_label(flag, now),
                "persons_affected_suggestion": suggestion.to_dict() if suggestion else None,
            }
        )
    else:
        print(f"{flag.incident_id}: {flag.harm.label}, {flag.member_state}")
        print(
            f"  aware {format_time(flag.aware_at)}; due by {format_time(due)} "
            f"({days} days, {para}: {why})"
        )
        print(f"  {countdown_label(flag, now)}")
        print_persons(flag.persons_affected, suggestion)
    return 0


def persons_suggestion(ctx: Context, incident_id: str) -> PersonsAffected | None:
    """The blast radius's count of persons affected (None when no finding named anyone)."""
    from ircmd.service.investigate.persons import persons_affected_suggestion

    return persons_affected_suggestion(ctx.service, incident_id)


def print_persons(current: int | None, suggestion: PersonsAffected | None) -> None:
    """The persons-affected line of the text output: what is set, what the findings say."""
    if suggestion is None and current is None:
        return
    now = "not set" if current is None else str(current)
    line = f"  persons affected: {now}"
    if suggestion is not None:
        line += f"; suggested {suggestion.describe()}"
        if current is None:
            line += f" (set it with --persons {suggestion.count})"
    print(line)
