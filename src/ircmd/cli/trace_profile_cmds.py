"""``ircmd trace profile PATH…|--spool [--trace ID] [--by kind|model|tool|service] [--json]``:
where time and tokens went — self time, tokens and cost by group, over one trace or all.

``--json``: ``by``, ``trace_id`` (or null), ``rows`` (``[{key, spans, self_ms, total_ms,
tokens: {input, output}, cost_usd, errors}]``), and with ``--trace`` ``icicle`` (``[{span_id,
name, kind, depth, start_ns, end_ns, self_ns}]``, offsets from the trace start)."""

from __future__ import annotations

import argparse
from typing import Any

from ircmd.cli.common import CliError, Context, add_json_flag, print_json
from ircmd.cli.traces import _load, _print_problems, _source_label, pricer, trace_group
from ircmd.domain.text import one_line


def register(sub: Any) -> None:
    group = trace_group(sub)
    p = group.add_parser("profile", help="where time and tokens went (self time by group)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or globs")
    p.add_argument("--spool", action="store_true", help="read the receiver's spool too")
    p.add_argument("--trace", metavar="ID", help="only this trace (adds its icicle rows)")
    p.add_argument("--by", choices=["kind", "model", "tool", "service"], default="kind")
    add_json_flag(p)
    p.set_defaults(func=cmd_profile)


def cmd_profile(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.traces.profile import icicle, profile

    batch = _load(ctx, args)
    spans = batch.spans
    tid = args.trace.strip().lower() if args.trace else None
    if tid is not None:
        spans = [s for s in spans if s.trace_id == tid]
        if not spans:
            _print_problems(batch)
            raise CliError(f"no trace {one_line(args.trace, 40)} in {_source_label(args)}")
    rows = profile(spans, args.by, pricer(ctx).usd)
    out: dict[str, Any] = {"by": args.by, "trace_id": tid, "rows": [r.to_dict() for r in rows]}
    if tid is not None:
        out["icicle"] = icicle(spans)
    if args.json:
        print_json(out)
        return 0
    total = sum(r.self_ns for r in rows) or 1
    print(f"{args.by:<30} {'spans':>7} {'self ms':>10} {'self %':>7} {'tokens':>10} {'cost $':>12}")
    for r in rows:
        print(
            f"{one_line(r.key, 30):<30} {r.spans:>7} {r.self_ns / 1e6:>10.1f} "
            f"{r.self_ns / total:>7.1%} {r.input_tokens + r.output_tokens:>10} {r.cost_usd:>12.6f}"
        )
    if tid is not None:
        print()
        end = max((row["end_ns"] for row in out["icicle"]), default=1) or 1
        for row in out["icicle"]:
            a = int(row["start_ns"] * 60 / end)
            b = max(a + 1, int(row["end_ns"] * 60 / end))
            bar = " " * a + "█" * (b - a)
            print(f"{'  ' * row['depth']}{one_line(row['name'], 30):<30} |{bar:<60}|")
    _print_problems(batch)
    return 0
