"""``ircmd trace conversation ID [PATH…|--spool] [--attribute KEY] [--json]``: every trace
sharing a conversation/session id, in order, as turns.

ID is a conversation id (``gen_ai.conversation.id``, ``session.id``, ``[traces]
conversation_attributes`` in config, or ``--attribute``), or a trace id of one of its turns.
``--json``: ``conversation_id``, ``turns`` (``{trace_id, start, user_id, input, output,
tool_calls: [{name, arguments, invocation}], errors, tokens, cost_usd, …}``), ``user_ids``,
``tokens``, ``cost_usd``."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli.common import CliError, Context, add_json_flag, print_json
from ircmd.cli.traces import _load, _print_problems, _source_label, pricer, trace_group
from ircmd.domain.text import one_line


def register(sub: Any) -> None:
    group = trace_group(sub)
    p = group.add_parser("conversation", help="a conversation (session) as turns")
    p.add_argument("conversation_id", metavar="ID", help="conversation id, or a turn's trace id")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or globs")
    p.add_argument("--spool", action="store_true", help="read the receiver's spool too")
    p.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="KEY",
        help="another attribute holding the conversation id (repeatable; after [traces] "
        "conversation_attributes)",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_conversation)


def cmd_conversation(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.traces.conversation import build_conversation, conversation_ids_of

    batch = _load(ctx, args)
    keys = [*ctx.config.traces.conversation_attributes, *args.attribute]
    ids = conversation_ids_of(batch.spans, keys)
    wanted = args.conversation_id.strip()
    conv_id = ids.get(wanted.lower()) if wanted.lower() in ids else wanted
    if conv_id not in set(ids.values()):
        _print_problems(batch)
        raise CliError(f"no conversation {one_line(wanted, 60)!r} in {_source_label(args)}")
    conv = build_conversation(batch.spans, conv_id, pricer(ctx).usd, keys)
    if args.json:
        print_json(conv.to_dict())
        return 0
    n = len(conv.turns)
    print(f"conversation {one_line(conv_id, 60)}: {n} turn{'' if n == 1 else 's'}")
    for n, t in enumerate(conv.turns, start=1):
        cost = f"${t.cost_usd:.6f}" if t.cost_usd is not None else "unpriced"
        print(
            f"\n#{n}  {t.trace_id}  user {one_line(t.user_id or '-', 30)}  {t.duration_ms} ms  "
            f"tokens {t.tokens['input']}/{t.tokens['output']}  {cost}"
        )
        print(f"  user:      {one_line(t.input, 100)}")
        for c in t.tool_calls:
            print(
                f"  tool:      {one_line(c['name'], 40)} ({c['invocation']}) "
                f"{one_line(str(c['arguments']), 60)}"
            )
        for e in t.errors:
            print(f"  error:     {one_line(e['name'], 40)} {one_line(e['message'], 60)}")
        print(f"  assistant: {one_line(t.output, 100)}")
    _print_problems(batch)
    return 0
