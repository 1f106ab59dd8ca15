"""``ircmd export``, ``ircmd verify-bundle``, ``ircmd evals ...``, ``ircmd review ...`` and
``ircmd incident regulatory``: the evidence package, review, eval cases and the Art. 73 clock."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ircmd.cli.common import CliError, Context, add_json_flag, incident_arg, print_json
from ircmd.cli.errors import UsageError
from ircmd.domain.evidence.redaction import Profile
from ircmd.domain.text import count, one_line, sanitize


def register(sub: Any) -> None:
    ex = sub.add_parser("export", help="write an incident's evidence package (or a report)")
    incident_arg(ex, "incident")
    ex.add_argument("--out", required=True, help="package directory or .tar.gz to create")
    ex.add_argument("--profile", choices=[p.value for p in Profile], default="internal")
    ex.add_argument("--format", choices=["dir", "tar.gz"], dest="fmt")
    ex.add_argument("--force", action="store_true", help="replace an existing path")
    what = ex.add_mutually_exclusive_group()
    what.add_argument(
        "--regulatory", action="store_true", help="draft EU AI Act Art. 73 report (.json + .md)"
    )
    what.add_argument("--aiid", action="store_true", help="AI Incident Database-shaped JSON")
    ex.add_argument(
        "--regime",
        default="art73",
        help="with --regulatory: art73 (default), gdpr, nis2 or dora (a flagged clock's draft)",
    )
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


# -- export / verify ------------------------------------------------------------------------


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.files import write_new
    from ircmd.service.regulatory.service import aiid_export, json_text, regulatory_draft

    out = Path(args.out).expanduser()
    svc = ctx.service
    if args.regime != "art73" and not args.regulatory:
        raise UsageError("ircmd export: --regime goes with --regulatory")
    if args.regulatory and args.regime != "art73":
        from ircmd.cli.regulatory_clock_cmds import export_regime

        return export_regime(ctx, args, out, _record)
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
    from ircmd.service.evidence.export import export_incident

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
    print(f"{result.path}  ({count(result.files, 'file')} + manifest, profile {result.profile})")
    print(f"manifest sha256 {result.manifest_sha256}")
    if result.redactions:
        print("redacted: " + ", ".join(f"{k} {v}" for k, v in result.redactions.items()))
    for w in result.warnings:
        print(f"warning: {sanitize(w)}", file=sys.stderr)
    return 0


def _record(ctx: Context, incident: str, what: str, path: Path, value: Any) -> None:
    """An EXPORT event naming the file and the SHA-256 of what was written."""
    if ctx.workspace.read_only:
        return
    from ircmd.domain.incidents.timeline import EventKind, canonical_json, sha256_hex

    ctx.service.add_event(
        incident,
        EventKind.EXPORT,
        f"{what} exported: {path.name}",
        {"path": str(path), "what": what, "sha256": sha256_hex(canonical_json(value))},
    )


def _recorded_in_store(ctx: Context, manifest: dict[str, Any]) -> list[Any]:
    from ircmd.domain.evidence.bundle import BundleProblem
    from ircmd.domain.incidents.timeline import EventKind

    iid = str(manifest.get("incident_id") or "")
    digest = manifest.get("_sha256")
    events = ctx.service.timeline(iid)
    head_problems = _head_mac_problems(ctx, iid, manifest)
    if head_problems:
        return head_problems
    if any(e.kind == EventKind.EXPORT and e.data.get("manifest_sha256") == digest for e in events):
        return []
    return [
        BundleProblem(
            "manifest.json",
            f"its SHA-256 is not recorded by any export of {iid} in this store "
            "(not exported here, or rewritten)",
        )
    ]


def _head_mac_problems(ctx: Context, iid: str, manifest: dict[str, Any]) -> list[Any]:
    """The package's head MAC checked under this store's chain key (issue 12)."""
    from ircmd.domain.evidence.bundle import BundleProblem
    from ircmd.domain.incidents.timeline import event_mac, mac_ok

    timeline = manifest.get("timeline") or {}
    given = timeline.get("head_mac")
    head = timeline.get("head_hash")
    if not given or not isinstance(head, str):
        return []
    store = getattr(ctx.store, "inner", ctx.store)
    state = getattr(store, "chain_state", None)
    key = state().key if state is not None else None
    if key is None:
        return [BundleProblem("manifest.json", "its head MAC cannot be checked: no chain key")]
    if not mac_ok(event_mac(key, head), given):
        return [
            BundleProblem(
                "manifest.json",
                f"its timeline head MAC does not match this store's key ({iid}: forged, or "
                "exported from another store)",
            )
        ]
    return []


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.service.evidence.export import verify_bundle

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
            f"ok: {one_line(manifest.get('incident_id'))}, {count(files, 'file')} + manifest, "
            f"{count(events, 'event') if isinstance(events, int) else f'{events} events'}, "
            f"profile {one_line(manifest.get('profile'))}, "
            f"manifest sha256 {manifest.get('_sha256')}"
        )
        if red_events or red_spans:
            print(
                f"redacted for this profile: {red_events} event(s), {red_spans} span(s) — "
                "linked and listed, content not checkable against the original hashes"
            )
    return 0
