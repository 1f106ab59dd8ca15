"""``ircmd export``, ``ircmd verify-bundle``, ``ircmd evals ...``, ``ircmd review ...`` and
``ircmd incident regulatory``: the evidence package, review, eval cases and the Art. 73 clock."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ircmd.cli.common import CliError, Context, UsageError, add_json_flag, print_json
from ircmd.domain.redaction import Profile
from ircmd.domain.regulatory import countdown_label, deadline, reporting_period
from ircmd.domain.review import RootCause, parse_actions, parse_list
from ircmd.domain.text import one_line, sanitize
from ircmd.domain.timeline import format_time


def register(sub: Any) -> None:
    ex = sub.add_parser("export", help="write an incident's evidence package (or a report)")
    ex.add_argument("incident")
    ex.add_argument("--out", required=True, help="package directory or .tar.gz to create")
    ex.add_argument("--profile", choices=[p.value for p in Profile], default="internal")
    ex.add_argument("--format", choices=["dir", "tar.gz"], dest="fmt")
    ex.add_argument("--force", action="store_true", help="replace an existing path")
    what = ex.add_mutually_exclusive_group()
    what.add_argument(
        "--regulatory", action="store_true", help="draft EU AI Act Art. 73 report (.json + .md)"
    )
    what.add_argument("--aiid", action="store_true", help="AI Incident Database-shaped JSON")
    add_json_flag(ex)
    ex.set_defaults(func=cmd_export)

    vb = sub.add_parser("verify-bundle", help="check every digest and the timeline chain")
    vb.add_argument("path")
    vb.add_argument(
        "--against-store",
        action="store_true",
        help="also check that this store recorded the export (its manifest's SHA-256)",
    )
    add_json_flag(vb)
    vb.set_defaults(func=cmd_verify)

    ev = sub.add_parser("evals", help="eval cases from incidents")
    esub = ev.add_subparsers(
        dest="evals_command", metavar="ACTION", required=True, parser_class=type(ev)
    )
    ee = esub.add_parser("export", help="write the incident's eval cases as JSONL")
    ee.add_argument("incident")
    ee.add_argument("--out", required=True)
    ee.add_argument("--force", action="store_true")
    add_json_flag(ee)
    ee.set_defaults(func=cmd_evals_export)
    ea = esub.add_parser("add", help="add an eval case from a pinned span")
    ea.add_argument("incident")
    ea.add_argument("digest", help="the pinned span's SHA-256 (6+ leading hex digits)")
    ea.add_argument("--expected", required=True, help="what the system should have done")
    ea.add_argument("--tag", action="append", default=[])
    add_json_flag(ea)
    ea.set_defaults(func=cmd_evals_add)
    eu = esub.add_parser("upload", help="upload the eval cases as a Phoenix dataset")
    eu.add_argument("incident")
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
    rs.add_argument("incident")
    add_json_flag(rs)
    rs.set_defaults(func=cmd_review_show)
    rw = rsub.add_parser("save", help="set review fields; --final completes it")
    rw.add_argument("incident")
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

    _register_regulatory(sub)


def _incident_subparsers(sub: Any) -> Any:
    parser = sub.choices.get("incident")
    if parser is None:
        return None
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _register_regulatory(sub: Any) -> None:
    isub = _incident_subparsers(sub)
    if isub is None:
        isub = sub  # no ``incident`` group: offer ``ircmd regulatory`` instead
    rg = isub.add_parser(
        "regulatory",
        help="flag a potential serious incident (EU AI Act Art. 73) or show its clock",
    )
    rg.add_argument("id")
    rg.add_argument(
        "--harm",
        help="death | health | critical-infrastructure | fundamental-rights | property-environment",
    )
    rg.add_argument("--member-state", help="EU Member State where it occurred (DE, FR, ...)")
    rg.add_argument("--widespread", action="store_true", help="a widespread infringement")
    rg.add_argument("--causal-link-at", help="when a causal link was established (ISO 8601)")
    rg.add_argument("--aware-at", help="when the provider became aware (default: incident's)")
    rg.add_argument("--persons", type=int, help="persons affected")
    rg.add_argument("--provider")
    rg.add_argument("--system")
    rg.add_argument("--system-version")
    rg.add_argument("--reported", choices=["initial", "complete"], help="mark a report as sent")
    rg.add_argument("--timezone", help="IANA zone for counting days (default: the capital's)")
    add_json_flag(rg)
    rg.set_defaults(func=cmd_regulatory)


def parse_time(value: str | None, what: str) -> datetime | None:
    """ISO 8601; a time without an offset is taken as UTC."""
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{what}: {value!r} is not an ISO 8601 time (2026-11-28T09:30+01:00)"
        ) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


# -- export / verify ------------------------------------------------------------------------


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.files import write_new
    from ircmd.service.regulatory import aiid_export, json_text, regulatory_draft

    out = Path(args.out).expanduser()
    svc = ctx.service
    if args.regulatory:
        base = out.with_suffix("") if out.suffix in (".json", ".md") else out
        jpath, mpath = base.with_name(base.name + ".json"), base.with_name(base.name + ".md")
        profile = Profile(args.profile) if args.profile != "internal" else Profile.LEGAL
        report, md = regulatory_draft(svc, args.incident, profile=profile)
        for p in (jpath, mpath):
            if (p.exists() or p.is_symlink()) and not args.force:
                raise CliError(f"{p} already exists; choose another path or pass --force")
        write_new(jpath, json_text(report).encode(), args.force)
        write_new(mpath, md.encode(), args.force)
        _record(ctx, args.incident, "Art. 73 draft report", jpath, report)
        if args.json:
            print_json({"json": str(jpath), "markdown": str(mpath), "report": report})
        else:
            print(f"{jpath}\n{mpath}")
        return 0
    if args.aiid:
        record = aiid_export(svc, args.incident)
        write_new(out, json_text(record).encode(), args.force)
        _record(ctx, args.incident, "AI Incident Database record", out, record)
        if args.json:
            print_json(record)
        else:
            print(out)
        return 0
    from ircmd.service.export import export_incident

    fmt = args.fmt or ("tar.gz" if out.name.endswith((".tar.gz", ".tgz")) else "dir")
    result = export_incident(
        svc,
        args.incident,
        out,
        profile=args.profile,
        fmt=fmt,
        force=args.force,
        record=not ctx.workspace.read_only,
    )
    if args.json:
        print_json(
            {
                "path": str(result.path),
                "profile": result.profile,
                "format": result.format,
                "manifest_sha256": result.manifest_sha256,
                "files": result.files,
                "redactions": result.redactions,
                "warnings": result.warnings,
                "recorded": result.recorded,
            }
        )
        return 0
    print(f"{result.path}  ({result.files} files + manifest, profile {result.profile})")
    print(f"manifest sha256 {result.manifest_sha256}")
    if result.redactions:
        print("redacted: " + ", ".join(f"{k} {v}" for k, v in result.redactions.items()))
    for w in result.warnings:
        print(f"warning: {sanitize(w)}", file=sys.stderr)
    return 0


def _writable(ctx: Context, what: str) -> None:
    if ctx.read_only:
        raise CliError(f"read-only seat: {what} not run (it would write to the store)")


def _record(ctx: Context, incident: str, what: str, path: Path, value: Any) -> None:
    """An EXPORT event naming the file and the SHA-256 of what was written."""
    if ctx.workspace.read_only:
        return
    from ircmd.domain.timeline import EventKind, canonical_json, sha256_hex

    ctx.service.add_event(
        incident,
        EventKind.EXPORT,
        f"{what} exported: {path.name}",
        {"path": str(path), "what": what, "sha256": sha256_hex(canonical_json(value))},
    )


def _recorded_in_store(ctx: Context, manifest: dict[str, Any]) -> list[Any]:
    from ircmd.domain.bundle import BundleProblem
    from ircmd.domain.timeline import EventKind

    iid = str(manifest.get("incident_id") or "")
    digest = manifest.get("_sha256")
    events = ctx.service.timeline(iid)
    if any(e.kind == EventKind.EXPORT and e.data.get("manifest_sha256") == digest for e in events):
        return []
    return [
        BundleProblem(
            "manifest.json",
            f"its SHA-256 is not recorded by any export of {iid} in this store "
            "(not exported here, or rewritten)",
        )
    ]


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.export import verify_bundle

    problems, manifest = verify_bundle(Path(args.path).expanduser())
    red_events, red_spans = manifest.get("_redacted", (0, 0))
    if args.against_store and not problems:
        problems += _recorded_in_store(ctx, manifest)
    if args.json:
        print_json(
            {
                "ok": not problems,
                "problems": [{"where": p.where, "problem": p.problem} for p in problems],
                "incident_id": manifest.get("incident_id"),
                "profile": manifest.get("profile"),
                "manifest_sha256": manifest.get("_sha256"),
                "redacted_events": red_events,
                "redacted_spans": red_spans,
            }
        )
    if problems:
        if not args.json:
            for p in problems:
                print(sanitize(str(p)))
        raise CliError(f"{args.path} does not verify: {problems[0]}")
    if not args.json:
        files = len(manifest.get("files", []))
        events = (manifest.get("timeline") or {}).get("events")
        print(
            f"ok: {one_line(manifest.get('incident_id'))}, {files} files + manifest, "
            f"{events} events, "
            f"profile {one_line(manifest.get('profile'))}, "
            f"manifest sha256 {manifest.get('_sha256')}"
        )
        if red_events or red_spans:
            print(
                f"redacted for this profile: {red_events} event(s), {red_spans} span(s) — "
                "linked and listed, content not checkable against the original hashes"
            )
    return 0


# -- evals ----------------------------------------------------------------------------------


def cmd_evals_export(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.review import eval_cases, write_jsonl

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
    from ircmd.service.review import add_eval_case

    _writable(ctx, "evals add")
    case = add_eval_case(ctx.service, args.incident, args.digest, args.expected, tags=args.tag)
    if args.json:
        print_json(case)
    else:
        print(case["id"])
    return 0


def cmd_evals_upload(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.backends.phoenix_datasets import PhoenixDatasetError, upload_cases
    from ircmd.service.review import eval_cases

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
        result = asyncio.run(
            upload_cases(
                url, name, cases, token=token, description=f"Eval cases from {inc.id}: {inc.title}"
            )
        )
    except PhoenixDatasetError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print_json(result)
    else:
        print(f"{name}: {result['uploaded']} cases → dataset {result['dataset_id']} at {url}")
    return 0


# -- review ---------------------------------------------------------------------------------


def cmd_review_show(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.review import load_review

    review = load_review(ctx.service, args.incident)
    if args.json:
        print_json(review.to_doc())
        return 0
    print(f"{review.incident_id} review ({'final' if review.final else 'draft'})")
    print(f"  root cause: {review.root_cause.label if review.root_cause else 'not determined'}")
    print(f"  summary: {one_line(review.summary) or '—'}")
    for a in review.actions:
        print(f"  action: {one_line(a.title)} | {one_line(a.owner) or '—'} | {a.due or '—'}")
    return 0


def cmd_review_save(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.review import load_review, save_review

    _writable(ctx, "review save")
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


# -- regulatory -----------------------------------------------------------------------------


def cmd_regulatory(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.regulatory import flag_incident, get_flag

    svc = ctx.service
    current = get_flag(svc, args.id)
    changing = (
        any(
            v is not None and v is not False
            for v in (
                args.harm,
                args.member_state,
                args.causal_link_at,
                args.aware_at,
                args.persons,
                args.provider,
                args.system,
                args.system_version,
                args.reported,
            )
        )
        or args.widespread
    )
    if changing:
        _writable(ctx, "incident regulatory")
        if current is None and not (args.harm and args.member_state):
            raise UsageError("flagging needs --harm and --member-state")
        harm = args.harm or ("death" if current and current.death else current.harm.value)  # type: ignore[union-attr]
        flag = flag_incident(
            svc,
            args.id,
            harm=harm,
            member_state=args.member_state or (current.member_state if current else ""),
            widespread=args.widespread or bool(current and current.widespread),
            causal_link_at=parse_time(args.causal_link_at, "--causal-link-at"),
            aware_at=parse_time(args.aware_at, "--aware-at"),
            persons_affected=args.persons,
            provider=args.provider,
            system=args.system,
            system_version=args.system_version,
            reported=args.reported,
            timezone=args.timezone,
        )
    elif current is None:
        raise CliError(f"{args.id} is not flagged; flag it with --harm ... --member-state ...")
    else:
        flag = current
    now = svc.clock()
    days, para, why = reporting_period(flag)
    due = deadline(flag)
    if args.json:
        print_json(
            {
                **flag.to_doc(),
                "due_at": format_time(due),
                "days": days,
                "basis": para,
                "why": why,
                "label": countdown_label(flag, now),
            }
        )
    else:
        print(f"{flag.incident_id}: {flag.harm.label}, {flag.member_state}")
        print(
            f"  aware {format_time(flag.aware_at)}; due by {format_time(due)} "
            f"({days} days, {para}: {why})"
        )
        print(f"  {countdown_label(flag, now)}")
    return 0
