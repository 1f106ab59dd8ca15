"""``ircmd incident ...``: declare, list, show, note, status (and friends) without a TUI."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from ircmd.cli.common import Context, UsageError, add_json_flag, incident_arg, print_json
from ircmd.cli.render import event_json, incident_json
from ircmd.domain.incidents.incident import (
    Classification,
    Incident,
    Role,
    Severity,
    Status,
    format_age,
)
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.domain.text import one_line, sanitize


def register(sub: Any) -> None:
    p = sub.add_parser("incident", help="declare, list, show and update incidents")
    isub = p.add_subparsers(
        dest="incident_command", metavar="ACTION", required=True, parser_class=type(p)
    )

    d = isub.add_parser("declare", help="declare a new incident")
    d.add_argument("--title", help="required unless --from-signal gives one")
    d.add_argument(
        "--from-signal", metavar="FINGERPRINT", help="prefill from an alert (see ircmd signals)"
    )
    d.add_argument("--workflow", help="id of the affected AI workflow")
    d.add_argument("--severity", choices=[s.value for s in Severity], help="default: medium")
    d.add_argument("--reason", default="", help="why this severity")
    d.add_argument("--classification", choices=[c.value for c in Classification])
    d.add_argument("--author")
    add_json_flag(d)
    d.set_defaults(func=cmd_declare)

    ls = isub.add_parser("list", help="list incidents, open first")
    ls.add_argument("--open", action="store_true", help="only open incidents")
    add_json_flag(ls)
    ls.set_defaults(func=cmd_list)

    sh = isub.add_parser("show", help="one incident with its timeline")
    incident_arg(sh, "id")
    add_json_flag(sh)
    sh.set_defaults(func=cmd_show)

    for name, helptext, kind in (
        ("note", "add a note to the timeline", "note"),
        ("decide", "record a decision", "decision"),
        ("comms", "record a communication", "comms"),
    ):
        n = isub.add_parser(name, help=helptext)
        incident_arg(n, "id")
        n.add_argument("text", nargs="+")
        n.add_argument("--author")
        add_json_flag(n)
        n.set_defaults(func=cmd_event, event_kind=kind)

    st = isub.add_parser("status", help="move the incident through its lifecycle")
    incident_arg(st, "id")
    st.add_argument("new_status", choices=[s.value for s in Status], metavar="NEW_STATUS")
    st.add_argument("--reason", default="")
    st.add_argument("--author")
    add_json_flag(st)
    st.set_defaults(func=cmd_status)

    sv = isub.add_parser("severity", help="set the severity, with a reason")
    incident_arg(sv, "id")
    sv.add_argument("level", choices=[s.value for s in Severity])
    sv.add_argument("--reason", required=True)
    sv.add_argument("--author")
    add_json_flag(sv)
    sv.set_defaults(func=cmd_severity)

    cl = isub.add_parser("classify", help="classify the incident")
    incident_arg(cl, "id")
    cl.add_argument("classification", choices=[c.value for c in Classification])
    cl.add_argument("--reason", default="")
    cl.add_argument("--author")
    add_json_flag(cl)
    cl.set_defaults(func=cmd_classify)

    ro = isub.add_parser("role", help="assign a role (empty name unassigns)")
    incident_arg(ro, "id")
    ro.add_argument("role", choices=[r.value for r in Role])
    ro.add_argument("name")
    ro.add_argument("--author")
    add_json_flag(ro)
    ro.set_defaults(func=cmd_role)

    from ircmd.cli import regulatory_cmds

    regulatory_cmds.register(isub)


def cmd_declare(ctx: Context, args: argparse.Namespace) -> int:
    if getattr(args, "from_signal", None):
        from ircmd.cli.signals import declare_from_signal

        return declare_from_signal(ctx, args)
    if not args.title:
        raise UsageError(
            "ircmd incident declare: --title is required (or --from-signal FINGERPRINT)"
        )
    inc, _ = ctx.service.declare(
        args.title,
        workflow_id=args.workflow,
        severity=args.severity or "medium",
        severity_reason=args.reason,
        classification=args.classification,
    )
    if args.json:
        print_json(incident_json(inc))
    else:
        print(inc.id)
    return 0


def _sorted(incidents: list[Incident]) -> list[Incident]:
    """Open incidents first (most severe, then newest), then closed ones, newest first."""
    return sorted(
        incidents, key=lambda i: (not i.is_open, -i.severity.rank if i.is_open else 0, -i.number)
    )


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    incidents = _sorted(ctx.service.list_incidents())
    if args.open:
        incidents = [i for i in incidents if i.is_open]
    if args.json:
        print_json([incident_json(i) for i in incidents])
        return 0
    now = datetime.now(UTC)
    if not incidents:
        print("no incidents")
        return 0
    print(f"{'ID':<9} {'SEV':<8} {'STATUS':<13} {'AGE':>6}  TITLE")
    for i in incidents:
        print(
            f"{i.id:<9} {i.severity.value:<8} {i.status.value:<13} "
            f"{format_age(i.age_seconds(now)):>6}  {one_line(i.title, 80)}"
        )
    return 0


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    inc = ctx.service.get(args.id)
    events = ctx.service.timeline(inc.id)
    if args.json:
        out = incident_json(inc)
        out["timeline"] = [event_json(e) for e in events]
        from ircmd.cli.commander_json import commander_fields

        out.update(commander_fields(ctx, inc, events))
        print_json(out)
        return 0
    print(f"{inc.id}  {sanitize(inc.title)}")
    print(
        f"  status {inc.status.value} · severity {inc.severity.value}"
        + (f" · {inc.classification.label}" if inc.classification else "")
        + (f" · workflow {sanitize(inc.workflow_id)}" if inc.workflow_id else "")
    )
    for role, person in inc.roles.items():
        print(f"  {role.label}: {sanitize(person)}")
    print()
    for e in events:
        print(
            f"{e.seq:>5}  {e.at.strftime('%Y-%m-%d %H:%M:%S')}Z  {e.kind.label:<22} "
            f"{one_line(e.author, 16):<16} {sanitize(e.text, keep_newlines=True)}"
        )
    return 0


def cmd_event(ctx: Context, args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    svc = ctx.service
    if args.event_kind == "note":
        ev = svc.note(args.id, text)
    elif args.event_kind == "decision":
        ev = svc.decide(args.id, text)
    else:
        ev = svc.comms(args.id, text)
    if args.json:
        print_json(event_json(ev))
    return 0


def _print_change(args: argparse.Namespace, inc: Incident, ev: TimelineEvent) -> int:
    if args.json:
        print_json({**incident_json(inc), "event": event_json(ev)})
    else:
        print(sanitize(ev.text))
    return 0


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    inc, ev = ctx.service.set_status(args.id, args.new_status, args.reason)
    if not inc.is_open:
        from ircmd.cli.signals import hint_silences

        hint_silences(ctx, inc.id)
    return _print_change(args, inc, ev)


def cmd_severity(ctx: Context, args: argparse.Namespace) -> int:
    inc, ev = ctx.service.set_severity(args.id, args.level, args.reason)
    return _print_change(args, inc, ev)


def cmd_classify(ctx: Context, args: argparse.Namespace) -> int:
    inc, ev = ctx.service.classify(args.id, args.classification, args.reason)
    return _print_change(args, inc, ev)


def cmd_role(ctx: Context, args: argparse.Namespace) -> int:
    inc, ev = ctx.service.assign_role(args.id, args.role, args.name)
    return _print_change(args, inc, ev)
