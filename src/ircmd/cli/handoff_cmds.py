"""``ircmd handoff INC --to NAME`` and ``ircmd handoff accept INC [--as ROLE]``."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli.common import Context, UsageError, add_json_flag, print_json, writable
from ircmd.cli.render import event_json
from ircmd.domain.incidents.incident import Role
from ircmd.domain.text import one_line


def register(sub: Any) -> None:
    p = sub.add_parser(
        "handoff",
        help="hand the incident to the next shift (INC --to NAME), or accept it (accept INC)",
    )
    p.add_argument("words", nargs="+", metavar="INC | accept INC")
    p.add_argument("--to", default="", help="who takes over")
    p.add_argument("--as", dest="as_role", default="incident_lead", help="role when accepting")
    p.add_argument("--author")
    add_json_flag(p)
    p.set_defaults(func=cmd_handoff)


def cmd_handoff(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.comms.handoff import HandoffService

    svc = HandoffService(ctx.service)
    words = list(args.words)
    if words[0] == "accept":
        if len(words) != 2:
            raise UsageError("ircmd handoff accept: one incident id (ircmd handoff accept INC)")
        writable(ctx, "handoff accept")
        ev = svc.accept(words[1], Role.parse(args.as_role))
        if args.json:
            print_json(event_json(ev))
        else:
            print(one_line(ev.text, 200))
        return 0
    if len(words) != 1 or not args.to:
        raise UsageError("ircmd handoff: INC --to NAME (or: handoff accept INC)")
    writable(ctx, "handoff")
    packet, _ev = svc.offer(words[0], args.to)
    if args.json:
        print_json(packet)
        return 0
    print(f"Handoff of {packet['incident']} to {one_line(packet['to'], 40)}")
    print(f"  {packet['status']} · severity {packet['severity']}")
    for t in packet["open_tasks"]:
        mark = "!" if t["overdue"] else " "
        print(
            f"  [{mark}] {t['id']} {one_line(t['title'], 70)} ({one_line(t['owner'] or '-', 20)})"
        )
    for c in packet["controls"]:
        flag = "confirmed" if c["confirmed"] else ("DRIFT" if c["drift"] else "not confirmed")
        print(f"  control {one_line(c['control'], 40)}: {c['state']} ({flag})")
    for dl in packet["deadlines"]:
        due = dl["due_at"] or "without undue delay"
        print(f"  deadline {dl['regime']} {dl['stage']} due {due} (a draft to check)")
    for u in packet["due_updates"]:
        print(f"  update {u['audience']} due {u['due_at']}" + (" OVERDUE" if u["overdue"] else ""))
    for p in packet["pins"]:
        mark = "" if p.get("reviewed", True) else " (unreviewed)"
        print(f"  pinned #{p['seq']}{mark}: {one_line(p['text'], 80)}")
    for f in packet["findings"]:
        mark = "" if f.get("reviewed", True) else " (unreviewed)"
        print(f"  finding #{f['seq']}{mark}: {one_line(f['text'], 80)}")
    for d in packet["decisions"]:
        print(f"  decision {d['at']}: {one_line(d['text'], 80)}")
    return 0
