"""``ircmd trace diff TRACE_A TRACE_B [PATH…|--spool] [--json] [--pin INC]``: two runs
aligned by structure and kind; each pair same/changed/added/removed with what differs.

``--json``: ``trace_a``, ``trace_b``, ``pairs`` (``{status, a, b, changes: {FIELD: [A, B]},
word_diff}``), ``summary`` (``same``, ``changed``, ``added``, ``removed``, ``tokens_delta``,
``duration_delta_ms``, ``cost_delta_usd``, ``tool_calls_changed``); with ``--pin`` also
``evidence`` (the pinned item's ``id`` and ``sha256``)."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli.common import (
    CliError,
    Context,
    UsageError,
    add_json_flag,
    incident_arg,
    print_json,
)
from ircmd.cli.traces import _load, _print_problems, _source_label, pricer, trace_group
from ircmd.domain.text import one_line


def register(sub: Any) -> None:
    group = trace_group(sub)
    p = group.add_parser("diff", help="diff two runs (spans aligned by structure and kind)")
    p.add_argument("trace_a", metavar="TRACE_A")
    p.add_argument("trace_b", metavar="TRACE_B")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or globs")
    p.add_argument("--spool", action="store_true", help="read the receiver's spool too")
    incident_arg(
        p,
        "--pin",
        required=False,
        metavar="INC",
        help="pin the diff on this incident as one evidence item",
    )
    p.add_argument("--note", default="")
    add_json_flag(p)
    p.set_defaults(func=cmd_diff)


def _trace_id(raw: str, what: str) -> str:
    got = raw.strip().lower()
    if len(got) != 32 or any(c not in "0123456789abcdef" for c in got):
        raise UsageError(f"ircmd trace diff: {what} {one_line(raw, 40)!r} is not 32 hex digits")
    return got


def cmd_diff(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.traces.diff import diff_traces

    ta, tb = _trace_id(args.trace_a, "TRACE_A"), _trace_id(args.trace_b, "TRACE_B")
    if args.pin and ctx.read_only:
        raise CliError("read-only: pinning a diff is an action")
    batch = _load(ctx, args)
    a = [s for s in batch.spans if s.trace_id == ta]
    b = [s for s in batch.spans if s.trace_id == tb]
    for tid, spans in ((ta, a), (tb, b)):
        if not spans:
            _print_problems(batch)
            raise CliError(f"no trace {tid} in {_source_label(args)}")
    diff = diff_traces(a, b, pricer(ctx).usd)
    out = diff.to_dict()
    if args.pin:
        from ircmd.service.investigate.diff import pin_diff
        from ircmd.service.traces.service import TraceService

        svc = TraceService.for_workspace(ctx.workspace)
        doc = pin_diff(svc, args.pin, diff, a, b, _source_label(args), args.note)
        out["evidence"] = {"id": doc["id"], "sha256": doc["sha256"]}
    if args.json:
        print_json(out)
        return 0
    mark = {"same": " ", "changed": "~", "added": "+", "removed": "-"}
    for p in diff.pairs:
        left = p.a.name if p.a else ""
        right = p.b.name if p.b else ""
        either = p.a or p.b
        kind = either.kind.value if either is not None else ""
        fields = ", ".join(p.changes) if p.status == "changed" else ""
        print(
            f"{mark[p.status]} {kind:<9} {one_line(left, 32):<32} "
            f"{one_line(right, 32):<32} {fields}"
        )
    s = diff.summary
    print(
        f"{s['changed']} changed, {s['added']} added, {s['removed']} removed; tokens "
        f"{s['tokens_delta']:+d}, duration {s['duration_delta_ms']:+d} ms, cost "
        f"{s['cost_delta_usd']:+.6f} USD, tool calls changed {s['tool_calls_changed']}"
    )
    if "evidence" in out:
        print(f"pinned {out['evidence']['id']}  sha256 {out['evidence']['sha256']}")
    _print_problems(batch)
    return 0
