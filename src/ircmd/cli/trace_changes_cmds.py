"""``ircmd trace changes PATH…|--spool [--by DIM] [--since HOURS] [--json]``: versions seen
per dimension (prompt, models, retrieval source, documents, tool schemas, service version) with
first/last seen, span counts and error rate, and the change points where a new version appears
together with a change in error rate beyond chance (with ``--incident``, also a change in the
share of traces its findings name). ``--since``: the traces of the last N hours of the data
(the time window).

``--json``: ``dimensions`` (``[{name, versions: [{value, first_ns, last_ns, spans, traces,
error_rate}]}]``), ``change_points`` (``[{dimension, from, to, at_ns, error_rate_before,
error_rate_after, traces_before, traces_after, finding_rate_before, finding_rate_after,
by_findings, sentence}]``)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from ircmd.cli.common import Context, UsageError, add_json_flag, completes, print_json
from ircmd.cli.traces import _finish, _load, trace_group
from ircmd.domain.text import one_line


def register(sub: Any) -> None:
    from ircmd.domain.traces.changes import DIMENSIONS

    group = trace_group(sub)
    p = group.add_parser("changes", help="what changed before it broke: versions, change points")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or globs")
    p.add_argument("--spool", action="store_true", help="read the receiver's spool too")
    p.add_argument("--by", action="append", choices=sorted(DIMENSIONS), help="only this dimension")
    p.add_argument(
        "--min-delta", type=float, default=0.05, help="error-rate change that counts (0.05)"
    )
    p.add_argument(
        "--since",
        type=float,
        metavar="HOURS",
        help="only traces that started in the last N hours (of the data)",
    )
    completes(
        p.add_argument(
            "--incident",
            metavar="INC",
            help="also a change in the share of traces this incident's findings name",
        ),
        "incident_ids",
    )
    p.add_argument(
        "--min-z",
        type=float,
        default=1.96,
        help="how unlikely by chance: two-proportion z score (1.96 ≈ 95%%; 0 takes any)",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_changes)


def _when(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def cmd_changes(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.traces.changes import changes

    batch = _load(ctx, args)
    spans = batch.spans
    if args.since is not None and spans:
        if args.since <= 0:
            raise UsageError("--since needs a positive number of hours")
        cutoff = max(s.end_ns for s in spans) - int(args.since * 3600 * 1e9)
        starts: dict[str, int] = {}
        for s in spans:
            if s.start_ns < starts.get(s.trace_id, s.start_ns + 1):
                starts[s.trace_id] = s.start_ns
        spans = [s for s in spans if starts[s.trace_id] >= cutoff]
    flagged: set[str] = set()
    if args.incident:
        from ircmd.service.investigate.changes import finding_trace_ids

        ws = ctx.workspace
        flagged = finding_trace_ids(ws, ws.incidents.get(args.incident).id, spans)
    report = changes(spans, args.by, args.min_delta, args.min_z, flagged)
    if args.json:
        print_json(report.to_dict())
        return _finish(batch, True)
    for name, versions in report.dimensions.items():
        if not versions:
            continue
        print(f"{name}:")
        for v in versions:
            print(
                f"  {one_line(v.value, 50):<50} {v.spans:>7} spans  errors {v.error_rate:6.1%}"
                f"  {_when(v.first_ns)} → {_when(v.last_ns)}"
            )
    if report.change_points:
        print("\nchange points:")
        for c in report.change_points:
            print(f"  {_when(c.at_ns)}  {one_line(c.sentence, 120)}")
    else:
        print("\nno change points")
    return _finish(batch, False)
