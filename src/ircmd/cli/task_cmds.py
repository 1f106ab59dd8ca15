"""``ircmd task add|list|done|reopen|assign``: an incident's tasks without a TUI."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ircmd.cli.common import Context, add_json_flag, incident_arg, print_json, writable
from ircmd.cli.render import event_json
from ircmd.domain.incidents.tasks import Task, owner_label
from ircmd.domain.text import one_line


def register(sub: Any) -> None:
    p = sub.add_parser("task", help="an incident's tasks: add, list, assign, done, reopen")
    tsub = p.add_subparsers(
        dest="task_command", metavar="ACTION", required=True, parser_class=type(p)
    )

    a = tsub.add_parser("add", help="add a task (prints its id)")
    incident_arg(a, "id")
    a.add_argument("title", nargs="+")
    a.add_argument("--owner", default="")
    a.add_argument("--due", default="", metavar="WHEN", help="+30m, +2h, +1d or ISO-8601")
    a.add_argument("--control", default="", metavar="WF/CTRL", help="a board control")
    a.add_argument("--span", default="", help="a span id the task is about")
    a.add_argument("--finding", default="", help="a finding the task is about")
    a.add_argument("--author")
    add_json_flag(a)
    a.set_defaults(func=cmd_add)

    ls = tsub.add_parser("list", help="the incident's tasks, in order")
    incident_arg(ls, "id")
    ls.add_argument("--open", action="store_true", help="only open tasks")
    add_json_flag(ls)
    ls.set_defaults(func=cmd_list)

    for name, helptext in (("done", "tick a task"), ("reopen", "reopen a done task")):
        d = tsub.add_parser(name, help=helptext)
        incident_arg(d, "id")
        d.add_argument("task")
        if name == "reopen":
            d.add_argument("--reason", default="")
        d.add_argument("--author")
        add_json_flag(d)
        d.set_defaults(func=cmd_state, task_action=name)

    s = tsub.add_parser("assign", help="give a task to someone")
    incident_arg(s, "id")
    s.add_argument("task")
    s.add_argument("owner")
    s.add_argument("--author")
    add_json_flag(s)
    s.set_defaults(func=cmd_assign)


def _service(ctx: Context) -> Any:
    from ircmd.service.incidents.tasks import TaskService

    return TaskService(ctx.service)


def task_json(task: Task, now: datetime) -> dict[str, Any]:
    return {**task.to_json(), "overdue": task.overdue(now)}


def _line(task: Task, now: datetime, roles: Mapping[str, str] | None = None) -> str:
    due = task.due_at.strftime("%Y-%m-%d %H:%MZ") if task.due_at else "-"
    mark = "x" if not task.is_open else ("!" if task.overdue(now) else " ")
    owner = one_line(owner_label(task.owner, roles), 30) or "-"
    control = f"  [{one_line(task.control, 40)}]" if task.control else ""
    links = "".join(
        f"  {k} {one_line(task.link[k], 40)}" for k in ("span", "finding") if task.link.get(k)
    )
    title = one_line(task.title, 70)
    return f"[{mark}] {task.id:<5} {owner:<16} {due:<17} {title}{control}{links}"


def _roles(ctx: Context, incident_id: str) -> Mapping[str, str]:
    return {r.value: n for r, n in ctx.service.get(incident_id).roles.items()}


def cmd_add(ctx: Context, args: argparse.Namespace) -> int:
    writable(ctx, "task add")
    link = {k: v for k, v in (("span", args.span), ("finding", args.finding)) if v}
    task, ev = _service(ctx).add(
        args.id,
        " ".join(args.title),
        owner=args.owner,
        due=args.due,
        control=args.control,
        link=link,
    )
    if args.json:
        print_json({**task_json(task, datetime.now(UTC)), "event": event_json(ev)})
    else:
        print(task.id)
    return 0


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    tasks = _service(ctx).tasks(args.id)
    if args.open:
        tasks = [t for t in tasks if t.is_open]
    now = datetime.now(UTC)
    if args.json:
        print_json([task_json(t, now) for t in tasks])
        return 0
    if not tasks:
        print("no tasks")
    roles = _roles(ctx, args.id)
    for t in tasks:
        print(_line(t, now, roles))
    return 0


def cmd_state(ctx: Context, args: argparse.Namespace) -> int:
    writable(ctx, f"task {args.task_action}")
    svc = _service(ctx)
    if args.task_action == "done":
        task, ev = svc.done(args.id, args.task)
    else:
        task, ev = svc.reopen(args.id, args.task, args.reason)
    return _print(ctx, args, task, ev)


def cmd_assign(ctx: Context, args: argparse.Namespace) -> int:
    writable(ctx, "task assign")
    task, ev = _service(ctx).assign(args.id, args.task, args.owner)
    return _print(ctx, args, task, ev)


def _print(ctx: Context, args: argparse.Namespace, task: Task, ev: Any) -> int:
    now = datetime.now(UTC)
    if args.json:
        print_json({**task_json(task, now), "event": event_json(ev)})
    else:
        print(_line(task, now, _roles(ctx, args.id)))
    return 0
