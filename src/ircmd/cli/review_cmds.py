"""``ircmd evals ...`` and ``ircmd review ...``: eval cases from incidents, the review headless."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ircmd.cli.common import (
    CliError,
    Context,
    UsageError,
    add_json_flag,
    completes,
    incident_arg,
    print_json,
    writable,
)
from ircmd.domain.evidence.review import RootCause, parse_actions, parse_list
from ircmd.domain.secrets import display_url


def register(sub: Any) -> None:
    ev = sub.add_parser("evals", help="eval cases from incidents")
    esub = ev.add_subparsers(
        dest="evals_command", metavar="ACTION", required=True, parser_class=type(ev)
    )
    ee = esub.add_parser("export", help="write the incident's eval cases as JSONL")
    incident_arg(ee, "incident")
    ee.add_argument("--out", required=True)
    ee.add_argument("--force", action="store_true")
    add_json_flag(ee)
    ee.set_defaults(func=cmd_evals_export)
    ea = esub.add_parser("add", help="add an eval case from a pinned span")
    incident_arg(ea, "incident")
    completes(
        ea.add_argument("digest", help="the pinned span's SHA-256 (6+ leading hex digits)"),
        "evidence_ids",
    )
    ea.add_argument("--expected", required=True, help="what the system should have done")
    ea.add_argument("--tag", action="append", default=[])
    add_json_flag(ea)
    ea.set_defaults(func=cmd_evals_add)
    eu = esub.add_parser("upload", help="upload the eval cases as a Phoenix dataset")
    incident_arg(eu, "incident")
    eu.add_argument("--source", required=True, help="'phoenix' or a configured phoenix source")
    eu.add_argument("--url", help="Phoenix base URL (default: the configured source's)")
    eu.add_argument("--dataset", help="dataset name (default ircmd-INC-0001)")
    add_json_flag(eu)
    eu.set_defaults(func=cmd_evals_upload)

    rv = sub.add_parser("review", help="the post-incident review, headless")
    rsub = rv.add_subparsers(
        dest="review_command", metavar="ACTION", required=True, parser_class=type(rv)
    )
    rs = rsub.add_parser("show", help="print the review")
    incident_arg(rs, "incident")
    add_json_flag(rs)
    rs.set_defaults(func=cmd_review_show)
    rw = rsub.add_parser("save", help="set review fields; --final completes it")
    incident_arg(rw, "incident")
    rw.add_argument("--summary")
    rw.add_argument("--what-happened")
    rw.add_argument("--root-cause", choices=[c.value for c in RootCause])
    rw.add_argument("--factor", action="append", help="contributing factor (repeatable)")
    rw.add_argument("--action", action="append", help="'title | owner | YYYY-MM-DD'")
    rw.add_argument("--expected", help="expected behaviour (default for eval cases)")
    rw.add_argument("--people", type=int)
    rw.add_argument("--records", type=int)
    rw.add_argument("--money", type=float)
    rw.add_argument("--hours", type=float)
    rw.add_argument("--deployer", help="who deployed the AI system (for --aiid)")
    rw.add_argument("--developer", help="who developed it (for --aiid)")
    rw.add_argument("--harmed", action="append", help="harmed or nearly harmed party")
    rw.add_argument("--taxonomy", action="append", help="OWASP/ATLAS id, e.g. LLM01:2025")
    rw.add_argument("--final", action="store_true", help="complete the review: incident → reviewed")
    add_json_flag(rw)
    rw.set_defaults(func=cmd_review_save)


# -- evals ----------------------------------------------------------------------------------


def cmd_evals_export(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.evidence.review import eval_cases, write_jsonl

    cases = eval_cases(ctx.service, args.incident)
    if not cases:
        raise CliError(
            f"no eval cases for {args.incident}: add one with `ircmd evals add` / `:eval add`, "
            "or write the review's expected behaviour"
        )
    write_jsonl(cases, Path(args.out).expanduser(), args.force)
    if args.json:
        print_json({"path": args.out, "cases": len(cases)})
    else:
        print(f"{args.out}  ({len(cases)} eval cases)")
    return 0


def cmd_evals_add(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.evidence.review import add_eval_case

    writable(ctx, "evals add")
    case = add_eval_case(ctx.service, args.incident, args.digest, args.expected, tags=args.tag)
    if args.json:
        print_json(case)
    else:
        print(case["id"])
    return 0


def cmd_evals_upload(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.evidence.review import eval_cases
    from ircmd.service.evidence.upload import PhoenixDatasetError, upload_eval_cases

    url, token = args.url, None
    for src in ctx.config.trace_sources:
        if src.kind == "phoenix" and args.source in ("phoenix", src.name):
            url = url or src.url
            token = os.environ.get(src.token_env) if src.token_env else None
            break
    else:
        if args.source != "phoenix":
            raise UsageError(
                f"--source {args.source!r}: no such phoenix trace source in the config"
            )
    if not url:
        raise UsageError("no Phoenix URL: pass --url or configure a phoenix trace source")
    inc = ctx.service.get(args.incident)
    cases = eval_cases(ctx.service, inc.id)
    if not cases:
        raise CliError(f"no eval cases for {inc.id}")
    name = args.dataset or f"ircmd-{inc.id}"
    try:
        result = upload_eval_cases(
            url, name, cases, token=token, description=f"Eval cases from {inc.id}: {inc.title}"
        )
    except PhoenixDatasetError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print_json(result)
    else:
        where = display_url(url)
        print(f"{name}: {result['uploaded']} cases → dataset {result['dataset_id']} at {where}")
    return 0


# -- review ---------------------------------------------------------------------------------


def cmd_review_show(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.evidence.review import load_review

    review = load_review(ctx.service, args.incident)
    if args.json:
        print_json(review.to_doc())
        return 0
    from ircmd.cli.review_text import review_text

    print("\n".join(review_text(review)))
    return 0


def cmd_review_save(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.evidence.review import load_review, save_review

    writable(ctx, "review save")
    review = load_review(ctx.service, args.incident)
    update: dict[str, Any] = {}
    if args.summary is not None:
        update["summary"] = args.summary
    if args.what_happened is not None:
        update["what_happened"] = args.what_happened
    if args.root_cause:
        update["root_cause"] = RootCause(args.root_cause)
    if args.factor:
        update["contributing_factors"] = [x for f in args.factor for x in parse_list(f)]
    if args.action:
        update["actions"] = parse_actions("\n".join(args.action))
    if args.expected is not None:
        update["expected_behaviour"] = args.expected
    for key in ("deployer", "developer"):
        if getattr(args, key) is not None:
            update[key] = getattr(args, key)
    if args.harmed:
        update["harmed_parties"] = args.harmed
    if args.taxonomy:
        update["taxonomy"] = args.taxonomy
    impact = review.impact.model_copy(
        update={
            k: v
            for k, v in (
                ("people", args.people),
                ("records", args.records),
                ("money", args.money),
                ("hours", args.hours),
            )
            if v is not None
        }
    )
    update["impact"] = impact
    inc, saved = save_review(ctx.service, review.model_copy(update=update), final=args.final)
    if args.json:
        print_json({"incident": inc.model_dump(mode="json"), "review": saved.to_doc()})
    else:
        print(
            f"{inc.id} review {'completed' if saved.final else 'saved'}; status {inc.status.value}"
        )
    return 0
