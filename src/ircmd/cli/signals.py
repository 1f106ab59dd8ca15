"""``ircmd signals ...``: alerts from the configured signal sources, without a TUI.

- ``ircmd signals [--json]`` lists the current signals of every source (a dead source is
  reported on stderr, one line each, and makes the exit code 1; the others still list);
- ``ircmd signals ack FINGERPRINT --incident ID [--duration 4h]`` silences the alert at its
  source under the incident; ``ircmd signals attach FINGERPRINT --incident ID``;
- ``ircmd signals silences INCIDENT`` / ``ircmd signals expire INCIDENT``;
- ``ircmd incident declare --from-signal FINGERPRINT`` (in :mod:`ircmd.cli.incident`)
  calls :func:`declare_from_signal` here.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from ircmd.cli.common import CliError, Context, UsageError, add_json_flag, incident_arg, print_json
from ircmd.cli.render import event_json, incident_json
from ircmd.domain.incidents.incident import DomainError, format_age
from ircmd.domain.signals.signals import SilenceRecord, format_duration, parse_duration
from ircmd.domain.text import one_line
from ircmd.service.signals.service import (
    DEFAULT_SILENCE,
    SignalBoard,
    SignalService,
    signal_service,
)


def register(sub: Any) -> None:
    p = sub.add_parser("signals", help="alerts from the signal sources (Alertmanager)")
    add_json_flag(p)
    p.add_argument("--author")
    p.set_defaults(func=cmd_list)
    ssub = p.add_subparsers(dest="signals_command", metavar="ACTION", parser_class=type(p))

    ls = ssub.add_parser("list", help="list current signals (the default)")
    add_json_flag(ls)
    ls.set_defaults(func=cmd_list)

    ack = ssub.add_parser("ack", help="acknowledge: silence the alert under an incident")
    ack.add_argument("fingerprint")
    ack.add_argument("--incident", required=True, metavar="ID")
    ack.add_argument(
        "--duration", default=None, help=f"how long (e.g. 30m, 4h, 1d; default {_dflt()})"
    )
    ack.add_argument("--author")
    add_json_flag(ack)
    ack.set_defaults(func=cmd_ack)

    at = ssub.add_parser("attach", help="record the signal on an open incident's timeline")
    at.add_argument("fingerprint")
    at.add_argument("--incident", required=True, metavar="ID")
    at.add_argument("--author")
    add_json_flag(at)
    at.set_defaults(func=cmd_attach)

    si = ssub.add_parser("silences", help="the silences ircmd created for an incident")
    incident_arg(si, "incident")
    si.add_argument("--all", action="store_true", help="also expired ones")
    add_json_flag(si)
    si.set_defaults(func=cmd_silences)

    ex = ssub.add_parser("expire", help="expire the incident's silences (alerts notify again)")
    incident_arg(ex, "incident")
    ex.add_argument("--author")
    add_json_flag(ex)
    ex.set_defaults(func=cmd_expire)


def _dflt() -> str:
    return format_duration(DEFAULT_SILENCE)


def _service(ctx: Context) -> SignalService:
    return signal_service(ctx.workspace)


def _report_health(board: SignalBoard) -> int:
    bad = [h for h in board.health if h.ok is False]
    for h in bad:
        print(f"ircmd: warning: {one_line(h.error, 300)}", file=sys.stderr)
    return 1 if bad else 0


def signal_json(board: SignalBoard, sig: Any) -> dict[str, Any]:
    out: dict[str, Any] = sig.to_json()
    out["seen"] = board.mark(sig).value
    out["incidents"] = board.incidents_of(sig)
    return out


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    svc = _service(ctx)
    if not svc.sources:
        print(
            "ircmd: no signal sources configured (add [[signal_sources]] to the config)",
            file=sys.stderr,
        )
        if args.json:
            print_json([])
        return 0
    board = svc.poll()
    code = _report_health(board)
    if args.json:
        print_json([signal_json(board, s) for s in board.signals])
        return code
    if not board.signals:
        print("no signals")
        return code
    now = svc.now()
    print(f"{'':1} {'STATE':<10} {'SOURCE':<12} {'FINGERPRINT':<16} {'AGE':>6}  ALERT")
    for s in board.signals:
        mark = {"new": "*", "changed": "~"}.get(board.mark(s).value, " ")
        age = format_age((now - s.starts_at).total_seconds()) if s.starts_at else "?"
        incs = board.incidents_of(s)
        tail = f"  [{', '.join(incs)}]" if incs else ""
        print(
            f"{mark:1} {s.state.value:<10} {one_line(s.source, 12):<12} "
            f"{one_line(s.fingerprint, 16):<16} {age:>6}  {one_line(s.headline(), 90)}{tail}"
        )
    return code


def declare_from_signal(ctx: Context, args: argparse.Namespace) -> int:
    """``ircmd incident declare --from-signal FINGERPRINT``: prefilled from the alert;
    ``--title``/``--severity``/``--workflow`` override the guesses."""
    svc = _service(ctx)
    sig = svc.find(args.from_signal)
    inc, events = svc.declare_from_signal(
        sig,
        title=args.title,
        severity=args.severity,
        workflow_id=args.workflow,
        severity_reason=args.reason or None,
        classification=args.classification,
        author=getattr(args, "author", None),
        # a client id, so the store's own retry after a commit cut short is safe
        line=svc.declare_line(sig, args.title, args.severity, args.workflow),
    )
    if args.json:
        out = incident_json(inc)
        out["timeline"] = [event_json(e) for e in events]
        out["signal"] = sig.to_json()
        print_json(out)
    else:
        print(inc.id)
    return 0


def _duration(text: str | None) -> timedelta:
    if text is None:
        return DEFAULT_SILENCE
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"ircmd signals ack: --duration: {exc}") from None


def cmd_ack(ctx: Context, args: argparse.Namespace) -> int:
    duration = _duration(args.duration)
    svc = _service(ctx)
    sig = svc.find(args.fingerprint)
    rec = svc.acknowledge(sig, args.incident, duration, author=args.author)
    if args.json:
        print_json(rec.model_dump(mode="json"))
    else:
        print(rec.silence_id)
    return 0


def cmd_attach(ctx: Context, args: argparse.Namespace) -> int:
    svc = _service(ctx)
    sig = svc.find(args.fingerprint)
    ev = svc.attach(args.incident, sig, author=args.author)
    if args.json:
        print_json(event_json(ev))
    else:
        print(f"{ev.incident_id}: {one_line(ev.text, 200)}")
    return 0


def _silence_line(rec: SilenceRecord) -> str:
    state = "active" if rec.active else f"expired by {one_line(rec.expired_by or '?', 20)}"
    return (
        f"{rec.silence_id}  {one_line(rec.source, 12):<12} "
        f"{one_line(rec.alertname or rec.fingerprint, 30):<30} until "
        f"{rec.ends_at:%Y-%m-%d %H:%M}Z  {state}"
    )


def cmd_silences(ctx: Context, args: argparse.Namespace) -> int:
    records = _service(ctx).silences_for(args.incident, active_only=not args.all)
    if args.json:
        print_json([r.model_dump(mode="json") for r in records])
    elif not records:
        print("no silences")
    else:
        for r in records:
            print(_silence_line(r))
    return 0


def cmd_expire(ctx: Context, args: argparse.Namespace) -> int:
    outcomes = _service(ctx).expire_silences(args.incident, author=args.author)
    if args.json:
        print_json([vars(o) for o in outcomes])
    elif not outcomes:
        print("no active silences")
    for o in outcomes:
        if not args.json:
            print(f"{o.silence_id}: {one_line(o.message, 200)}")
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise CliError(
            f"{len(failed)} of {len(outcomes)} silences not expired: {failed[0].message}"
        )
    return 0


def hint_silences(ctx: Context, incident_id: str) -> None:
    """After resolving: say (on stderr) which silences still mute the incident's alerts."""
    from ircmd.service.admin.store_admin import StoreError

    try:
        records = _service(ctx).silences_for(incident_id)
    except (StoreError, DomainError):  # only a hint: the resolve itself was saved
        return
    if records:
        n = len(records)
        print(
            f"ircmd: {incident_id} still has {n} active silence{'s' if n != 1 else ''}; "
            f"`ircmd signals expire {incident_id}` lets the alerts notify again",
            file=sys.stderr,
        )
