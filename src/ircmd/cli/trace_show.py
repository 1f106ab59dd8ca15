"""``ircmd trace show TRACE_ID [PATH…|--spool] [--span SPAN_ID] [--json]``: the normalised
spans of one trace as the explorer sees them, for scripts and checks.

For each span: ``span_id``, ``parent_id``, ``name``, ``kind``, ``operation`` (raw),
``request_model``, ``response_model``, ``provider``, ``tokens`` (``input``, ``output``),
``messages`` (``input``, ``output``: ``[{role, content, tool_calls: [{id, name, arguments}]}]``),
``tool`` (``name``, ``arguments``, ``result``, ``invocation``: requested|executed|both),
``documents`` (``[{id, source, score}]``), ``conversation_id``, ``user_id``, ``status``,
``duplicates`` (how many more times the same span id was read), ``cost_usd``. And for the
trace (or the ``--span``): ``cost`` (``total_usd``, ``by_model``, ``priced_spans``,
``unpriced_spans``, ``unpriced``).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from ircmd.cli.common import CliError, Context, UsageError, add_json_flag, print_json
from ircmd.cli.traces import _load, _print_problems, _source_label, pricer, trace_group
from ircmd.domain.text import one_line

_HEX = re.compile(r"^[0-9a-f]+$")


def register(sub: Any) -> None:
    group = trace_group(sub)
    p = group.add_parser("show", help="the normalised spans of one trace (as the explorer sees)")
    p.add_argument("trace_id", metavar="TRACE_ID", help="32 hex digits")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or globs")
    p.add_argument("--spool", action="store_true", help="read the receiver's spool too")
    p.add_argument("--span", metavar="SPAN_ID", help="only this span (16 hex digits)")
    add_json_flag(p)
    p.set_defaults(func=cmd_show)


def _messages(msgs: Any) -> list[dict[str, Any]]:
    return [
        {
            "role": m.role,
            "content": m.content,
            "tool_calls": [
                {"id": c.id, "name": c.name, "arguments": c.arguments} for c in m.tool_calls
            ],
        }
        for m in msgs
    ]


def span_view(
    s: Any, invocations: dict[str, Any], duplicates: int = 0, pricer: Any = None
) -> dict[str, Any]:
    """One span as ``trace show --json`` prints it."""
    inv = invocations.get(s.span_id)
    tool: dict[str, Any] | None = None
    if inv is not None:
        tool = {
            "name": inv.name,
            "arguments": inv.arguments,
            "result": inv.result,
            "invocation": inv.invocation,
        }
    elif s.tool_name:
        tool = {
            "name": s.tool_name,
            "arguments": s.tool_arguments,
            "result": s.tool_result,
            "invocation": "executed",
        }
    source = s.retrieval_source
    return {
        "span_id": s.span_id,
        "parent_id": s.parent_id,
        "name": s.name,
        "kind": s.kind.value,
        "operation": s.operation,
        "request_model": s.request_model,
        "response_model": s.response_model,
        "provider": s.provider,
        "tokens": {"input": s.input_tokens, "output": s.output_tokens},
        "messages": {"input": _messages(s.input_messages), "output": _messages(s.output_messages)},
        "tool": tool,
        "documents": [{"id": d.id, "source": source, "score": d.score} for d in s.documents],
        "conversation_id": s.conversation_id,
        "user_id": s.user_id,
        "status": {"code": s.status_code, "message": s.status_message},
        "duplicates": duplicates,
        "cost_usd": pricer.usd(s) if pricer is not None else None,
    }


def _norm(raw: str, digits: int, what: str) -> str:
    got = raw.strip().lower()
    if len(got) != digits or not _HEX.match(got):
        raise UsageError(
            f"ircmd trace show: {what} {one_line(raw, 40)!r} is not {digits} hex digits"
        )
    return got


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.domain.traces.blast import tool_invocations

    trace_id = _norm(args.trace_id, 32, "TRACE_ID")
    span_id = _norm(args.span, 16, "--span") if args.span else None
    batch = _load(ctx, args)
    # the loader keeps one copy of a span read twice and counts the others
    spans: list[Any] = [s for s in batch.spans if s.trace_id == trace_id]
    dups: dict[tuple[str, str], int] = dict(getattr(batch, "duplicates", {}))
    if not spans:
        _print_problems(batch)
        raise CliError(f"no trace {trace_id} in {_source_label(args)}")
    # invocations by the span they sit on (a requested-only call sits on its llm span)
    invs: dict[str, Any] = {}
    for inv in tool_invocations(spans):
        invs.setdefault(inv.span.span_id, inv)
    if span_id is not None:
        spans = [s for s in spans if s.span_id == span_id]
        if not spans:
            raise CliError(f"no span {span_id} in trace {trace_id}")
    spans.sort(key=lambda s: (s.start_ns, s.span_id))
    price = pricer(ctx)
    views = [span_view(s, invs, dups.get((s.trace_id, s.span_id), 0), price) for s in spans]
    cost = price.breakdown(spans).to_dict()  # the trace's (or with --span, the span's) cost
    if args.json:
        print_json({"trace_id": trace_id, "spans": views, "cost": cost})
    else:
        for v in views:
            model = v["request_model"] or v["response_model"] or ""
            tool = v["tool"]
            extra = f"  {tool['name']} ({tool['invocation']})" if tool else ""
            dup = f"  ×{v['duplicates'] + 1}" if v["duplicates"] else ""
            print(
                f"{v['span_id']}  {v['kind']:<9} {one_line(v['name'], 40):<40} "
                f"{one_line(model, 30)}{extra}{dup}"
            )
        print(f"cost ${cost['total_usd']:.6f}  ({cost['unpriced_spans']} unpriced spans)")
        _print_problems(batch)
    return 0
