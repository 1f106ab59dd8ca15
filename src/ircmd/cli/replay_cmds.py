"""``ircmd replay INC EVIDENCE_ID --endpoint NAME [--model M] [--system-file F] [--json]``:
re-send a pinned LLM call through a ``[[model_endpoints]]`` endpoint, never executing the
tool calls it gets back; the result is kept as evidence and a ``replay`` event.

``--json``: ``verdict`` (same|different|blocked), ``status_code``, ``output``, ``diff``,
``evidence_id``, ``request_digest``, ``tool_calls``, ``tool_calls_executed`` (always false)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ircmd.cli.common import CliError, Context, add_json_flag, incident_arg, print_json
from ircmd.domain.text import one_line


def register(sub: Any) -> None:
    p = sub.add_parser("replay", help="replay a pinned LLM call through a model endpoint")
    incident_arg(p, "incident")
    p.add_argument("evidence_id", metavar="EVIDENCE_ID")
    p.add_argument("--endpoint", required=True, help="a [[model_endpoints]] name")
    p.add_argument("--model", help="send to this model instead")
    p.add_argument("--system-file", type=Path, help="replace the system prompt with this file")
    add_json_flag(p)
    p.set_defaults(func=cmd_replay)


def cmd_replay(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.investigate.replay import ReplayError, find_endpoint, replay
    from ircmd.service.traces.service import TraceService

    if ctx.read_only:
        raise CliError("read-only: a replay is recorded on the incident")
    system = None
    if args.system_file is not None:
        try:
            system = args.system_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"--system-file {args.system_file}: {exc}") from None
    ws = ctx.workspace
    try:
        ep = find_endpoint(ctx.config.model_endpoints, args.endpoint)
        result = replay(
            TraceService.for_workspace(ws),
            ws.backend_loop,
            args.incident,
            args.evidence_id,
            ep,
            model=args.model,
            system=system,
        )
    except ReplayError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print_json(result.to_dict())
        return 0
    print(f"{result.verdict}  HTTP {result.status_code}  {result.evidence_id}")
    print(f"output: {one_line(result.output, 200)}")
    for c in result.tool_calls:
        print(f"tool call (not executed): {one_line(c['name'], 40)} {one_line(c['arguments'], 80)}")
    return 0
