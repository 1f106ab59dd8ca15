"""``ircmd trace view PATH… [--incident ID]``: the full-screen trace explorer on files.

Adds ``view`` under the ``trace`` command (``cli.traces.trace_group``). Textual is
imported only when the explorer opens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import Any

from ircmd.cli.common import CliError, Context, UsageError
from ircmd.cli.traces import trace_group
from ircmd.domain.incidents.incident import DomainError, normalise_incident_id


def register(sub: Any) -> None:
    tsub = trace_group(sub)
    v = tsub.add_parser(
        "view",
        help="open the full-screen trace explorer on OTLP JSON/JSONL files",
        description="Browse span trees: j/k move, l/h expand/collapse, e next error, "
        "/ search, t critical path, p pin to the incident, f find similar.",
    )
    v.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or globs")
    v.add_argument(
        "--sources",
        action="store_true",
        help="also show the configured [[trace_sources]] (the OTLP receiver live, Phoenix...)",
    )
    v.add_argument("--incident", metavar="ID", help="pin evidence to this incident")
    v.add_argument("--read-only", action="store_true", dest="read_only_sub")
    v.set_defaults(func=run_view)


def run_view(ctx: Context, args: argparse.Namespace) -> int:
    incident_id = None
    if args.incident:
        try:
            incident_id = normalise_incident_id(args.incident)
        except DomainError as exc:
            raise UsageError(f"ircmd trace view: {exc}") from exc
        ctx.service.get(incident_id)  # a clean error before the screen opens
    from ircmd.service.traces.receive import TraceSource, file_source

    if not args.paths and not args.sources:
        raise UsageError("ircmd trace view: give PATH… (files, directories, globs) or --sources")
    sources: list[TraceSource] = []
    titles: list[str] = []
    if args.paths:
        source, found, missing = file_source(list(args.paths))
        if not found and not args.sources:
            raise CliError(f"trace view: {missing[0] if missing else 'no trace files given'}")
        sources.append(source)
        titles.append(", ".join(args.paths[:3]) + (" …" if len(args.paths) > 3 else ""))
    if args.sources:
        from ircmd.service.traces.service import build_sources

        configured, problems = build_sources(ctx.config, ctx.data_dir)
        if not configured:
            why = problems[0] if problems else "no [[trace_sources]] in the config"
            raise CliError(f"trace view --sources: {why}")
        sources.extend(configured)
        titles.append(", ".join(s.name for s in configured))
    from ircmd.tui.trace_app import TraceViewApp  # Textual is imported only here

    app = TraceViewApp(ctx.workspace, sources, incident_id=incident_id, title=" + ".join(titles))
    try:
        app.run()
    finally:
        for source in sources:  # stop the receiver, close the spool
            with contextlib.suppress(Exception):  # any source's close: best effort
                asyncio.run(source.close())
    return int(app.return_code or 0)
