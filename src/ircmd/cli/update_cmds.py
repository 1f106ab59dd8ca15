"""``ircmd update draft|send``: grounded stakeholder updates without a TUI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ircmd.cli.common import (
    Context,
    UsageError,
    add_json_flag,
    incident_arg,
    print_json,
    writable,
)
from ircmd.cli.render import event_json
from ircmd.domain.text import sanitize


def register(sub: Any) -> None:
    p = sub.add_parser("update", help="stakeholder updates: draft from the timeline, send")
    usub = p.add_subparsers(
        dest="update_command", metavar="ACTION", required=True, parser_class=type(p)
    )
    d = usub.add_parser("draft", help="the grounded draft for an audience")
    incident_arg(d, "id")
    d.add_argument("--audience", required=True)
    d.add_argument("--markdown", action="store_true", help="as a Markdown list")
    add_json_flag(d)
    d.set_defaults(func=cmd_draft)

    s = usub.add_parser("send", help="record an update sent to an audience")
    incident_arg(s, "id")
    s.add_argument("--audience", required=True)
    how = s.add_mutually_exclusive_group(required=True)
    how.add_argument("--text", help="the text sent")
    how.add_argument("--file", help="a file with the text sent (- for stdin)")
    how.add_argument("--draft", action="store_true", help="send the draft as built")
    s.add_argument("--author")
    add_json_flag(s)
    s.set_defaults(func=cmd_send)


def _service(ctx: Context) -> Any:
    from ircmd.service.comms.updates import UpdateService

    return UpdateService(ctx.service)


def cmd_draft(ctx: Context, args: argparse.Namespace) -> int:
    draft = _service(ctx).draft(args.id, args.audience)
    if args.json:
        print_json(draft.to_json())
    elif args.markdown:
        sys.stdout.write(
            sanitize(draft.markdown(f"Update for {args.audience}"), keep_newlines=True)
        )
    else:
        print(sanitize(draft.text, keep_newlines=True))
    return 0


def cmd_send(ctx: Context, args: argparse.Namespace) -> int:
    writable(ctx, "update send")
    svc = _service(ctx)
    text: str | None
    if args.draft:
        text = None
    elif args.file is not None:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    else:
        text = args.text
    if text is not None and not text.strip():
        raise UsageError("ircmd update send: the text is empty")
    ev = svc.send(args.id, args.audience, text)
    if args.json:
        print_json(event_json(ev))
    else:
        print(f"update to {args.audience} recorded (event {ev.seq})")
    return 0
