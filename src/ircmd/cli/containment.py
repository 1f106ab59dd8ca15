"""``ircmd controls`` and ``ircmd contain``: the containment board without a terminal UI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from ircmd.cli.common import (
    CliError,
    Context,
    UsageError,
    add_json_flag,
    completes,
    incident_arg,
    print_json,
)
from ircmd.domain.containment.controls import ControlRow, ControlState, parse_when, resolve_control
from ircmd.domain.text import one_line
from ircmd.service import hooks
from ircmd.service.containment.service import ContainmentService

T = TypeVar("T")


def register(sub: Any) -> None:
    c = sub.add_parser("controls", help="list containment controls: desired, confirmed, drift")
    c.add_argument("--workflow", metavar="W", help="only this workflow's controls")
    c.add_argument(
        "--at",
        metavar="TIME",
        help="which controls were active at TIME (from the timelines; ISO-8601, HH:MM, -15m)",
    )
    add_json_flag(c)
    c.set_defaults(func=cmd_controls)

    k = sub.add_parser("contain", help="turn one control on or off and wait for confirmation")
    incident_arg(k, "id", metavar="INCIDENT")
    completes(k.add_argument("control", metavar="WORKFLOW/CONTROL"), "control_ids")
    state = k.add_mutually_exclusive_group(required=True)
    state.add_argument("--on", dest="state", action="store_const", const="on")
    state.add_argument("--off", dest="state", action="store_const", const="off")
    k.add_argument("--reason", required=True, help="why (recorded on the timeline)")
    k.add_argument("--timeout", type=float, help="seconds to wait for confirmation")
    k.add_argument(
        "--confirm",
        metavar="WORKFLOW",
        help="a critical control needs its workflow id typed back here",
    )
    k.add_argument("--author")
    add_json_flag(k)
    k.set_defaults(func=cmd_contain)


def _run(ctx: Context, make: Callable[[ContainmentService], T]) -> T:
    svc = ContainmentService.for_workspace(ctx.workspace)
    try:
        return make(svc)
    finally:
        svc.close()


def _row_line(r: ControlRow) -> str:
    mark = "!" if r.mismatch else " "
    when = r.changed_at.strftime("%Y-%m-%d %H:%M") if r.changed_at else "—"
    note = r.error or r.detail
    if not r.enforced:
        note = "NOT ENFORCED (local) " + note
    return (
        f"{mark} {r.id:<36} {r.desired.value:<7} {r.confirmed.value:<8} "
        f"{r.health.value:<7} {when:<16} {one_line(r.changed_by, 12):<12} {one_line(note, 60)}"
    )


def cmd_controls(ctx: Context, args: argparse.Namespace) -> int:
    if args.workflow and ctx.config.workflow(args.workflow) is None:
        known = ", ".join(w.id for w in ctx.config.workflows) or "none configured"
        raise UsageError(f"ircmd controls: unknown workflow {args.workflow!r} (known: {known})")
    if args.at:
        return _controls_at(ctx, args)

    def read(svc: ContainmentService) -> list[ControlRow]:
        svc.observe(args.workflow)
        return svc.rows(args.workflow)

    rows = _run(ctx, read)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print("no controls configured (add [[workflows.controls]] to the config)")
        return 0
    print(
        f"  {'ID':<36} {'DESIRED':<7} {'CONFIRMED':<8} {'HEALTH':<7} "
        f"{'CHANGED':<16} {'BY':<12} DETAIL"
    )
    for r in rows:
        print(_row_line(r))
    return 0


def _controls_at(ctx: Context, args: argparse.Namespace) -> int:
    svc = ContainmentService.for_workspace(ctx.workspace)
    when = parse_when(args.at, svc.clock())
    states = svc.controls_at(when)
    if args.workflow:
        states = {k: v for k, v in states.items() if k.startswith(args.workflow + "/")}
    if args.json:
        print_json({"at": when.isoformat(), "controls": [s.to_json() for s in states.values()]})
        return 0
    active = [s for s in states.values() if s.active]
    print(f"controls active at {when.isoformat()}: {len(active)}")
    for s in active:
        flag = " (unconfirmed)" if s.unconfirmed else ""
        since = s.since.isoformat() if s.since else "?"
        print(
            f"  {s.ref:<36} {s.state.value}{flag} since {since} by {one_line(s.by, 16)} "
            f"[{s.incident_id}] {one_line(s.reason, 60)}"
        )
    return 0


def cmd_contain(ctx: Context, args: argparse.Namespace) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("ircmd contain: --timeout must be positive")
    if ctx.read_only:
        raise CliError("read-only seat: containment controls cannot be changed")
    desired = ControlState(args.state)
    if not " ".join(args.reason.split()):
        raise CliError("changing a control needs a reason (--reason TEXT)")
    inc = ctx.service.get(args.id)
    ref, _workflow, spec = resolve_control(ctx.config, args.control, inc.workflow_id)
    if spec.critical and args.confirm != ref.workflow_id:
        raise UsageError(
            f"ircmd contain: {ref} is critical: type its workflow id back with "
            f"--confirm {ref.workflow_id}"
        )
    for line in hooks.change_warnings(ctx.workspace, inc.id, f"{spec.kind.value} {ref}"):
        print(f"ircmd: warning: {one_line(line)}", file=sys.stderr)

    def go(svc: ContainmentService) -> Any:
        return svc.set_control(
            args.id,
            args.control,
            desired,
            args.reason,
            author=args.author,
            timeout=args.timeout,
        )

    result = _run(ctx, go)
    if args.json:
        print_json(result.to_json())
    elif result.ok:
        print(f"{result.ref}: {result.confirmed.value} (confirmed in {result.elapsed_ms:.0f} ms)")
    if not result.ok:
        raise CliError(
            f"{result.ref}: NOT confirmed {result.desired.value}: {result.error} "
            f"(backend state: {result.confirmed.value})"
        )
    return 0
