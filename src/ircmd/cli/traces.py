"""``ircmd trace …`` and ``ircmd receive``: headless trace commands.

    ircmd trace inspect PATH… [--json]           totals: traces, spans, errors, kinds, tokens
    ircmd trace inspect --spool [--json]         the same over the receiver's spool
    ircmd trace find PATH… --tool NAME [--arg NAME] [--json]
    ircmd trace find PATH… (--model M | --prompt P [--prompt-version V] | --source ID
                            | --document ID | --like SPAN_ID [--by tool|prompt|…])
                            [--record INCIDENT]   (the blast radius as a finding)
    ircmd trace pin INCIDENT PATH… --span SPAN_ID [--note TEXT]
    ircmd trace records INCIDENT PATH… --tool NAME --arg NAME   (records-to-correct checklist)
    ircmd trace tick INCIDENT CHECKLIST VALUE [--undo] [--note TEXT]
    ircmd trace records-csv INCIDENT CHECKLIST
    ircmd receive [--port N] [--host H]          OTLP/HTTP receiver, spooling to the data dir

Other modules add sub-commands to ``ircmd trace`` through :func:`trace_group`.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import signal
import sys
import threading
import time
from typing import Any

from ircmd.cli.common import (
    CliError,
    Context,
    UsageError,
    add_json_flag,
    completes,
    incident_arg,
    print_json,
)
from ircmd.domain.text import count, one_line


def trace_group(sub: Any) -> Any:
    """The sub-command group of ``ircmd trace`` (created on first use)."""
    existing = sub.choices.get("trace") if hasattr(sub, "choices") else None
    if existing is None:
        existing = sub.add_parser("trace", help="inspect, search and pin OTLP traces")
        existing.set_defaults(func=_trace_help(existing))
        group = existing.add_subparsers(dest="trace_command", metavar="TRACE_COMMAND")
        existing._ircmd_group = group
        return group
    return existing._ircmd_group


def _trace_help(parser: argparse.ArgumentParser) -> Any:
    def run(ctx: Context, args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return run


def register(sub: Any) -> None:
    group = trace_group(sub)

    p = group.add_parser("inspect", help="totals of OTLP JSON/JSONL files (or the spool)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or globs")
    p.add_argument("--spool", action="store_true", help="read the receiver's spool instead")
    add_json_flag(p)
    p.set_defaults(func=cmd_inspect)

    p = group.add_parser("find", help="blast radius: traces, conversations, users alike")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--spool", action="store_true", help="search the receiver's spool too")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--tool", help="tool name")
    what.add_argument("--model", help="model name (request or response)")
    what.add_argument("--prompt", help="prompt name")
    what.add_argument("--source", help="retrieval source (data source id)")
    what.add_argument("--document", help="retrieved document id")
    what.add_argument("--like", metavar="SPAN_ID", help="spans like this one (see --by)")
    p.add_argument(
        "--by",
        choices=["tool", "prompt", "source", "document", "model"],
        help="with --like: what to compare (default: the most specific the span has)",
    )
    p.add_argument("--prompt-version", help="with --prompt: only this version")
    p.add_argument("--arg", help="with --tool: list the distinct values of this argument")
    p.add_argument(
        "--match",
        action="append",
        default=[],
        metavar="NAME=GLOB",
        help="with --tool: only calls whose argument matches (repeatable)",
    )
    p.add_argument("--since", type=float, help="only spans in the last N hours (of the data)")
    completes(
        p.add_argument(
            "--record", metavar="INC", help="record the blast radius as a finding on INC"
        ),
        "incident_ids",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_find)

    p = group.add_parser("pin", help="pin a span as evidence on an incident")
    incident_arg(p, "incident")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--spool", action="store_true")
    p.add_argument("--span", required=True, help="span id (16 hex digits)")
    p.add_argument("--trace", help="trace id, when a span id is ambiguous")
    p.add_argument("--note", default="")
    add_json_flag(p)
    p.set_defaults(func=cmd_pin)

    p = group.add_parser("records", help="records-to-correct checklist from a tool's arguments")
    incident_arg(p, "incident")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--spool", action="store_true")
    p.add_argument("--tool", required=True)
    p.add_argument("--arg", required=True)
    add_json_flag(p)
    p.set_defaults(func=cmd_records)

    p = group.add_parser("tick", help="mark one record corrected")
    incident_arg(p, "incident")
    p.add_argument("checklist")
    p.add_argument("value")
    p.add_argument("--undo", action="store_true", help="mark it not corrected again")
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_tick)

    p = group.add_parser("records-csv", help="export a records-to-correct checklist as CSV")
    incident_arg(p, "incident")
    p.add_argument("checklist")
    p.set_defaults(func=cmd_records_csv)

    p = sub.add_parser("receive", help="run the OTLP/HTTP receiver headless, spooling to disk")
    p.add_argument("--port", type=int, help="port (default: config or 4318)")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--duration", type=float, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_receive)


# -- loading ----------------------------------------------------------------------------------


def _load(ctx: Context, args: argparse.Namespace) -> Any:
    from ircmd.domain.traces.otlp import gc_paused
    from ircmd.service.traces import receive

    paths = list(getattr(args, "paths", []) or [])
    spool = bool(getattr(args, "spool", False))
    if not paths and not spool:
        raise UsageError("give at least one PATH (file, directory or glob), or --spool")
    # Loading allocates millions of acyclic objects; the cyclic collector only costs time
    # then (100k spans: 3.9 s CPU without this, 3.6 s with). Restored before returning.
    with gc_paused():
        return receive.load(paths, ctx.data_dir / "spool" if spool else None)


def _problems(batch: Any) -> list[dict[str, Any]]:
    return [p.to_dict() for p in batch.problems if p] + [
        {"origin": w.split(":", 1)[0], "problems": 1, "messages": [w]} for w in batch.warnings
    ]


def _print_problems(batch: Any) -> None:
    """One warning line per distinct problem; when nothing could be read at all, the
    problems are the reason for the failure and go on ONE error line instead."""
    lines = list(dict.fromkeys(batch.problem_lines))
    if _no_input(batch):
        print(f"ircmd: error: no spans read: {one_line('; '.join(lines), 300)}", file=sys.stderr)
        return
    for line in lines:
        print(f"ircmd: warning: {one_line(line, 300)}", file=sys.stderr)


def _finish(batch: Any, json_mode: bool) -> int:
    """Exit code of a reading command: 1 when nothing could be read. Problems go to stderr
    (under --json they are in the output, and only the failure itself is printed)."""
    if not json_mode or _no_input(batch):
        _print_problems(batch)
    return 1 if _no_input(batch) else 0


def _no_input(batch: Any) -> bool:
    """True when nothing could be read at all (every input failed)."""
    return not batch.spans and bool(batch.problems or batch.warnings)


def pricer(ctx: Context) -> Any:
    """The span pricer: genai-prices data plus the config's ``[prices]``."""
    from ircmd.domain.traces.cost import pricer_from_config

    return pricer_from_config({k: v.model_dump() for k, v in ctx.config.prices.items()})


# -- commands -----------------------------------------------------------------------------------


def inspect_totals(spans: list[Any]) -> dict[str, Any]:
    from ircmd.domain.traces.spans import SpanKind

    kinds = dict.fromkeys((k.value for k in SpanKind), 0)
    traces: set[str] = set()
    errors = tin = tout = 0
    for s in spans:
        traces.add(s.trace_id)
        kinds[s.kind.value] += 1
        if s.status_code == "ERROR":
            errors += 1
        if s._attr_keys:
            it, ot, *_ = s.summary_fields()
            if it:
                tin += it
            if ot:
                tout += ot
    return {
        "traces": len(traces),
        "spans": len(spans),
        "errors": errors,
        "kinds": kinds,
        "tokens": {"input": tin, "output": tout},
    }


def cmd_inspect(ctx: Context, args: argparse.Namespace) -> int:
    batch = _load(ctx, args)
    out = inspect_totals(batch.spans)
    out["cost"] = pricer(ctx).breakdown(batch.spans).to_dict()
    out["duplicates"] = sum(batch.duplicates.values())
    out["problems"] = _problems(batch)
    if args.json:
        print_json(out)
    else:
        print(f"traces  {out['traces']}")
        print(f"spans   {out['spans']}")
        print(f"errors  {out['errors']}")
        print(f"tokens  in {out['tokens']['input']}  out {out['tokens']['output']}")
        kinds = "  ".join(f"{k} {n}" for k, n in out["kinds"].items() if n)
        print(f"kinds   {kinds or '-'}")
        cost = out["cost"]
        print(f"cost    ${cost['total_usd']:.6f}  ({cost['unpriced_spans']} unpriced spans)")
        if out["duplicates"]:
            print(f"duplicates {out['duplicates']} (spans read more than once, counted once)")
    return _finish(batch, args.json)


def _hours_ns(h: float) -> int:
    return int(h * 3600 * 1e9)


def cmd_find(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.traces.blast import (
        SimilarQuery,
        distinct_argument_values,
        find_similar,
        query_from_span,
        suggest_dimensions,
    )

    if args.by and not args.like:
        raise UsageError("--by needs --like")
    like_tool = args.like is not None and args.by in (None, "tool")
    if args.arg and not (args.tool or like_tool):
        raise UsageError("--arg needs --tool")
    if args.match and not (args.tool or like_tool):
        raise UsageError("--match needs --tool")
    if args.prompt_version and not args.prompt:
        raise UsageError("--prompt-version needs --prompt")
    matches: list[tuple[str, str]] = []
    for m in args.match:
        name, eq, pattern = m.partition("=")
        if not eq or not name:
            raise UsageError(f"--match {m!r}: expected NAME=GLOB")
        matches.append((name, pattern))
    batch = _load(ctx, args)
    since = None
    if args.since is not None and batch.spans:
        latest = max(s.end_ns for s in batch.spans)
        since = latest - _hours_ns(args.since)
    if args.like is not None:
        sid = args.like.strip().lower()
        span = next((s for s in batch.spans if s.span_id == sid), None)
        if span is None:
            raise CliError(f"no span {one_line(args.like, 40)} in {_source_label(args)}")
        dims = suggest_dimensions(span)
        by = args.by or (dims[0] if dims else None)
        if by is None:
            raise CliError(
                f"span {sid} has no tool, prompt, retrieval source, document or model to compare"
            )
        try:
            q = query_from_span(span, by, since_ns=since)
        except ValueError as exc:
            raise CliError(f"span {sid}: {exc}") from None
        if matches:
            q = dataclasses.replace(q, tool_args=tuple(matches))
        args.tool = q.tool
    else:
        q = SimilarQuery(
            tool=args.tool,
            tool_args=tuple(matches),
            model=args.model,
            prompt_name=args.prompt,
            prompt_version=args.prompt_version,
            retrieval_source=args.source,
            document_id=args.document,
            since_ns=since,
        )
    result = find_similar(batch.spans, q, ctx.config.traces.conversation_attributes)
    out = result.to_dict()
    matched = set(result.trace_ids)
    blast_cost = pricer(ctx).breakdown(s for s in batch.spans if s.trace_id in matched)
    out["cost_usd"] = blast_cost.total_usd
    out["unpriced_spans"] = len(blast_cost.unpriced)
    if args.arg:
        values = distinct_argument_values(batch.spans, args.tool, args.arg, q)
        out["argument"] = args.arg
        out["values"] = [v.to_dict() for v in values]
    out["problems"] = _problems(batch)
    if args.record:
        from ircmd.service.traces.service import TraceService

        if ctx.read_only:
            raise CliError("read-only: recording a finding is an action")
        inc = ctx.workspace.incidents.get(args.record).id
        ev = TraceService.for_workspace(ctx.workspace).record_finding(
            inc, result, sum_argument=args.arg
        )
        out["recorded"] = {"incident_id": inc, "seq": ev.seq, "kind": ev.kind.value}
    if args.json:
        print_json(out)
    else:
        print(f"matching {q.describe()}: {result.scope}")
        print(f"scope          {result.scope_reason}")
        print(f"traces         {result.traces}")
        print(f"spans          {result.spans}  ({result.error_spans} with errors)")
        print(f"conversations  {result.conversations}")
        print(f"users          {result.users}")
        print(f"cost           ${out['cost_usd']:.6f}  ({out['unpriced_spans']} unpriced spans)")
        if args.arg:
            print(f"\n{args.arg} values ({len(out['values'])}):")
            for v in out["values"]:
                traces = ", ".join(v["trace_ids"][:3]) + (" …" if len(v["trace_ids"]) > 3 else "")
                print(f"  {v['count']:>6}  {one_line(v['value'], 60)}  {traces}")
        if args.record:
            print(f"\nrecorded as a finding on {out['recorded']['incident_id']}")
    return _finish(batch, args.json)


def _source_label(args: argparse.Namespace) -> str:
    parts = list(args.paths or [])
    if getattr(args, "spool", False):
        parts.append("spool")
    return ", ".join(parts)


def cmd_pin(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.traces.service import TraceService

    if ctx.read_only:
        raise CliError("read-only: pinning evidence is an action")
    sid = args.span.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{16}", sid):
        raise UsageError(f"--span {one_line(args.span, 40)!r}: a span id is 16 hex digits")
    batch = _load(ctx, args)
    found = [
        s
        for s in batch.spans
        if s.span_id == sid and (args.trace is None or s.trace_id == args.trace.lower())
    ]
    if not found:
        raise CliError(f"no span {args.span} in {_source_label(args)}")
    if len({s.trace_id for s in found}) > 1:
        raise UsageError(f"span id {args.span} is in several traces; add --trace")
    span = found[-1]
    svc = TraceService.for_workspace(ctx.workspace)
    origin = span.origin or _source_label(args)
    doc = svc.pin_span(args.incident, span, origin, args.note)
    if args.json:
        print_json({k: v for k, v in doc.items() if k != "canonical_json"})
    else:
        print(f"{doc['id']}  sha256 {doc['sha256']}  {one_line(span.name, 60)}")
    return 0


def cmd_records(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.traces.blast import distinct_argument_values
    from ircmd.service.traces.service import TraceService

    if ctx.read_only:
        raise CliError("read-only: creating a checklist is an action")
    batch = _load(ctx, args)
    values = distinct_argument_values(batch.spans, args.tool, args.arg)
    if not values:
        raise CliError(f"no call of tool {args.tool!r} in {_source_label(args)}")
    svc = TraceService.for_workspace(ctx.workspace)
    doc = svc.create_checklist(args.incident, args.tool, args.arg, values, _source_label(args))
    if args.json:
        print_json(doc)
    else:
        print(f"{doc['id']}: {len(doc['items'])} records to correct ({args.tool} {args.arg})")
    return 0


def cmd_tick(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.traces.service import TraceService

    if ctx.read_only:
        raise CliError("read-only: ticking a record is an action")
    svc = TraceService.for_workspace(ctx.workspace)
    doc = svc.tick(args.incident, args.checklist, args.value, done=not args.undo, note=args.note)
    left = sum(1 for i in doc["items"] if not i["done"])
    print(f"{doc['id']}: {left} of {len(doc['items'])} left")
    return 0


def cmd_records_csv(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.traces.service import TraceService

    svc = TraceService.for_workspace(ctx.workspace)
    sys.stdout.write(svc.checklist_csv(args.incident, args.checklist))
    return 0


def cmd_receive(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.config import OtlpSourceConfig
    from ircmd.service.traces import receive

    cfg = next((s for s in ctx.config.trace_sources if isinstance(s, OtlpSourceConfig)), None)
    if args.port is not None and not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port number")
    rec = receive.receiver(cfg, ctx.data_dir, args.host, args.port)
    try:
        rec.start()
    except receive.TraceSourceError as exc:
        raise CliError(str(exc)) from None
    spool = rec.spool
    print(f"receiving OTLP on {rec.url}, spooling to {spool and spool.directory}", flush=True)
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    deadline = time.monotonic() + args.duration if args.duration else None
    try:
        while not stop.wait(0.5):
            if deadline is not None and time.monotonic() > deadline:
                break
    finally:
        rec.stop()
    st = rec.stats
    print(
        f"stopped: {count(st.requests, 'request')}, {count(st.spans, 'span')}, "
        f"{st.rejected} rejected, "
        f"{st.failed} failed",
        flush=True,
    )
    return 0
