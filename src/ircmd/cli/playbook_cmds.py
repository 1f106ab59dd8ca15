"""``ircmd playbook list|show|match|apply``: AI playbooks as data, applied as tasks."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli.common import Context, add_json_flag, incident_arg, print_json, writable
from ircmd.domain.incidents.tasks import owner_label
from ircmd.domain.playbooks.model import CommsStep, Playbook, PlaybookStep
from ircmd.domain.text import count, one_line


def register(sub: Any) -> None:
    p = sub.add_parser("playbook", help="AI playbooks: list, show, match, apply (steps → tasks)")
    psub = p.add_subparsers(
        dest="playbook_command", metavar="ACTION", required=True, parser_class=type(p)
    )

    ls = psub.add_parser("list", help="built-in and configured playbooks")
    add_json_flag(ls)
    ls.set_defaults(func=cmd_list)

    sh = psub.add_parser("show", help="one playbook in full")
    _name_arg(sh)
    add_json_flag(sh)
    sh.set_defaults(func=cmd_show)

    m = psub.add_parser("match", help="which playbooks fit an incident, and why")
    incident_arg(m, "id")
    m.add_argument("--apply", action="store_true", help="apply every matching playbook")
    m.add_argument("--author")
    add_json_flag(m)
    m.set_defaults(func=cmd_match)

    a = psub.add_parser("apply", help="add a playbook's steps to an incident as tasks")
    incident_arg(a, "id")
    _name_arg(a)
    a.add_argument("--author")
    add_json_flag(a)
    a.set_defaults(func=cmd_apply)


def _name_arg(parser: argparse.ArgumentParser) -> None:
    action = parser.add_argument("name", metavar="NAME")

    def complete(prefix: str = "", **_: Any) -> list[str]:
        try:
            from ircmd.service.playbooks.loader import load_playbooks

            return [n for n in load_playbooks() if n.startswith(prefix)]
        except Exception as exc:  # never break the user's shell; said under _ARC_DEBUG
            from ircmd.cli.completion import said_quietly

            said_quietly(exc)
            return []

    action.completer = complete  # type: ignore[attr-defined]


def _service(ctx: Context) -> Any:
    from ircmd.service.playbooks.service import PlaybookService

    return PlaybookService(ctx.service)


def _books(ctx: Context) -> dict[str, Playbook]:
    from ircmd.service.playbooks.loader import load_playbooks

    return load_playbooks()


def _summary(pb: Playbook) -> dict[str, Any]:
    m = pb.match
    return {
        "name": pb.name,
        "title": pb.title,
        "trigger": pb.trigger or None,
        "match": m.model_dump(mode="json"),
        "regimes": list(pb.regimes),
        "steps": len(pb.steps()),
        "controls": [
            s.control or (s.control_kind.value if s.control_kind else "")
            for s in pb.containment
            if s.control_bound
        ],
    }


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    books = _books(ctx)
    if args.json:
        print_json([_summary(pb) for pb in books.values()])
        return 0
    if not books:
        print("no playbooks")
    for pb in books.values():
        print(f"{pb.name:<26} {count(len(pb.steps()), 'step'):>8}  {one_line(pb.title, 60)}")
    return 0


def _step_line(step: PlaybookStep | CommsStep) -> str:
    if isinstance(step, CommsStep):
        tpl = f": {one_line(step.template, 70)}" if step.template else ""
        due = f" (due {step.due})" if step.due else ""
        return f"  - [{step.id}] update {step.audience}{due}{tpl}"
    bits = []
    if step.control:
        bits.append(f"done when {step.control} is confirmed {step.state}")
    elif step.control_kind is not None:
        bits.append(f"done when the {step.control_kind.label} control is confirmed {step.state}")
    if step.owner:
        bits.append(f"owner {owner_label(step.owner).replace(' (unfilled)', ' (role)')}")
    if step.due:
        bits.append(f"due {step.due}")
    more = f"  ({'; '.join(bits)})" if bits else ""
    return f"  - [{step.id}] {one_line(step.title, 90)}{more}"


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.playbooks.service import find_playbook

    book = find_playbook(_books(ctx), args.name)
    if args.json:
        print_json(book.to_json())
        return 0
    lines = [f"{book.name}: {one_line(book.title, 120)}"]
    if book.trigger:
        lines.append(f"Trigger: {one_line(book.trigger, 200)}")
    if book.description:
        lines.append(one_line(book.description, 200))
    m = book.match
    crit = [
        *(f"workflow {w}" for w in m.workflows),
        *(f"classification {c.value}" for c in m.classifications),
        *(f"tag {t}" for t in m.tags),
        *(f"signal label {k}={v}" for k, v in m.signal_labels.items()),
    ]
    lines.append("Matches on declare: " + (", ".join(crit) if crit else "never (apply by hand)"))
    if book.regimes:
        lines.append("Regulatory clocks to consider: " + ", ".join(book.regimes))
    for title, items in (("Detection signals", book.detection), ("Triage", book.triage)):
        if items:
            lines.append(f"{title}:")
            lines += [f"  - {one_line(i, 160)}" for i in items]
    for title, steps in (
        ("Containment", book.containment),
        ("Evidence to preserve", book.evidence),
        ("Eradication and recovery", book.recovery),
        ("Communication", book.communication),
    ):
        if steps:
            lines.append(f"{title}:")
            lines += [_step_line(s) for s in steps]
    if book.review:
        lines.append("Review questions:")
        lines += [f"  - {one_line(i, 160)}" for i in book.review]
    print("\n".join(lines))
    return 0


def _print_result(result: Any) -> None:
    pb = result.playbook
    if not result.added:
        print(f"{pb.name}: nothing new ({len(result.kept)} task(s) already on the board)")
        return
    print(f"{pb.name}: added {len(result.added)} task(s)")
    for t in result.added:
        bound = f"  [done when {t.control} confirmed {t.confirm}]" if t.confirm else ""
        print(f"  {t.id:<5} {one_line(t.title, 70)}{bound}")
    for note in result.notes:
        print(f"  note: {one_line(note, 120)}")
    if pb.regimes:
        print(
            "  regulatory clocks to consider: "
            + ", ".join(pb.regimes)
            + " (ircmd incident regulatory INC --regime R --member-state XX)"
        )


def cmd_apply(ctx: Context, args: argparse.Namespace) -> int:
    writable(ctx, "playbook apply")
    result = _service(ctx).apply(args.id, args.name, reason="applied by hand")
    if args.json:
        print_json(result.to_json())
    else:
        _print_result(result)
    return 0


def cmd_match(ctx: Context, args: argparse.Namespace) -> int:
    svc = _service(ctx)
    found = svc.matches(args.id)
    if args.apply:
        writable(ctx, "playbook match --apply")
        results = [svc.apply(args.id, m.playbook.name, f"matched {m.reason}") for m in found]
        if args.json:
            print_json([r.to_json() for r in results])
        else:
            if not results:
                print("no playbook matches")
            for r in results:
                _print_result(r)
        return 0
    if args.json:
        print_json([{"playbook": m.playbook.name, "reason": m.reason} for m in found])
        return 0
    if not found:
        print("no playbook matches (apply one by hand: ircmd playbook apply INC NAME)")
    for m in found:
        print(f"{m.playbook.name:<26} {m.reason}")
    return 0
