"""The evidence package: export one incident to a self-contained, verifiable directory or
``.tar.gz``, and verify one.

Writing is atomic: the package is assembled in a temporary sibling and renamed into place;
an existing path is never replaced unless ``force`` says so. Redaction works on copies
only. A successful export records an ``EXPORT`` event carrying the manifest's SHA-256, so
the store's own hash chain vouches for the package.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ircmd import __version__
from ircmd.domain.bundle import (
    EVIDENCE_INDEX,
    MANIFEST,
    TIMELINE,
    BundleProblem,
    build_manifest,
    manifest_bytes,
    safe_member,
    unverifiable,
    verify_package,
)
from ircmd.domain.dossier import Dossier, PinnedSpan
from ircmd.domain.evals import cases_for_incident, span_io
from ircmd.domain.incident import DomainError, Incident
from ircmd.domain.redaction import MESSAGE_CONTENT, Profile, Redactor, placeholder
from ircmd.domain.regulatory import RegulatoryFlag, deadline, is_due
from ircmd.domain.report import render_report
from ircmd.domain.timeline import (
    EventKind,
    TimelineEvent,
    canonical_json,
    format_time,
    sha256_hex,
    verify_records,
)
from ircmd.service.dossier import load_dossier, make_redactor
from ircmd.service.incidents import IncidentService


class ExportError(DomainError):
    """The package could not be written (path exists, not writable...)."""


@dataclass
class ExportResult:
    path: Path
    profile: str
    format: str
    manifest_sha256: str
    files: int
    redactions: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    recorded: bool = False


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(canonical_json(r) + "\n" for r in rows).encode()


def redact_event(ev: TimelineEvent, r: Redactor) -> tuple[TimelineEvent, bool]:
    """A redacted copy of ``ev`` (same hash and link) and whether anything changed."""
    text = r.note(ev.text) if ev.kind == EventKind.NOTE else r.text(ev.text)
    data = r.value(ev.data)
    changed = text != ev.text or data != ev.data
    if not changed:
        return ev, False
    return ev.model_copy(update={"text": text, "data": data}), True


def package_files(
    dossier: Dossier, redactor: Redactor, *, profile: Profile, now: datetime, author: str
) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the package but the manifest, already redacted, and any warnings."""
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    r = redactor
    inc_doc = r.value(dossier.incident.to_json_dict())
    files["incident.json"] = _json(inc_doc)

    red_events: list[TimelineEvent] = []
    lines: list[dict[str, Any]] = []
    for ev in dossier.events:
        red, changed = redact_event(ev, r)
        red_events.append(red)
        rec = red.to_record()
        if changed:
            rec["redacted"] = True
        lines.append(rec)
    files[TIMELINE] = _jsonl(lines)
    view = Dossier(incident=Incident.model_validate(inc_doc), events=red_events, records=[])
    files["history/severity.json"] = _json(view.severity_history())
    files["history/classification.json"] = _json(view.classification_history())
    files["history/status.json"] = _json(view.status_history())
    containment = view.containment_history()
    files["containment.json"] = _json(containment)
    findings = view.findings()
    files["findings.json"] = _json(findings)

    index: list[dict[str, Any]] = []
    for span in dossier.spans:
        entry, data, warning = _evidence_file(span, r)
        files[entry["file"]] = data
        index.append(entry)
        if warning:
            warnings.append(warning)
    files[EVIDENCE_INDEX] = _json(index)

    review_doc = r.value(dossier.review.to_doc()) if dossier.review else None
    if review_doc is not None:
        files["review.json"] = _json(review_doc)
    cases = cases_for_incident(
        dossier.incident, dossier.spans, dossier.eval_cases, dossier.review, author=author, now=now
    )
    red_cases = [redact_case(c, r) for c in cases]
    if red_cases:
        files["eval_cases.jsonl"] = _jsonl(red_cases)
    reg_summary = None
    if dossier.regulatory:
        reg_doc = r.value(dossier.regulatory)
        files["regulatory.json"] = _json(reg_doc)
        try:
            flag = RegulatoryFlag.from_doc(dossier.regulatory)
            reg_summary = {
                "harm": flag.harm.label,
                "member_state": flag.member_state,
                "reported": flag.reported.value,
                "due_at": format_time(deadline(flag)) if is_due(flag) else "—",
            }
        except ValueError:
            warnings.append("regulatory flag is unreadable; exported as stored")
    versions = dossier.ai_versions()
    pkg = {
        "incident": inc_doc,
        "profile": profile.value,
        "generated_at": format_time(now),
        "tool_version": __version__,
        "review": review_doc,
        "containment": containment,
        "findings": findings,
        "communications": [
            {"at": format_time(e.at), "text": e.text}
            for e in red_events
            if e.kind == EventKind.COMMUNICATION
        ],
        "evidence": index,
        "eval_cases": red_cases,
        "timeline": [
            {
                "seq": e.seq,
                "at": format_time(e.at),
                "kind": e.kind.value,
                "author": e.author,
                "text": e.text,
            }
            for e in red_events
        ],
        "responders": view.responders(),
        "versions": r.value(versions),
        "regulatory": reg_summary,
        "redactions": r.summary(),
    }
    files["report.md"] = render_report(pkg).encode()
    return files, warnings


def redact_case(case: dict[str, Any], r: Redactor) -> dict[str, Any]:
    """An eval case redacted field by field, so it still fits its JSON Schema."""
    out: dict[str, Any] = r.value(
        {k: v for k, v in case.items() if k not in ("input", "bad_output")}
    )
    messages = case.get("input", {}).get("messages", [])
    if r.content:
        r.counts[MESSAGE_CONTENT] += sum(1 for m in messages if m.get("content"))
        out["input"] = {
            "messages": [
                {"role": m.get("role", "user"), "content": placeholder(MESSAGE_CONTENT)}
                for m in messages
            ]
        }
        bad = case.get("bad_output", "")
        if bad:
            r.counts[MESSAGE_CONTENT] += 1
        out["bad_output"] = placeholder(MESSAGE_CONTENT) if bad else ""
    else:
        out["input"] = {
            "messages": [
                {"role": m.get("role", "user"), "content": r.text(m.get("content", ""))}
                for m in messages
            ]
        }
        out["bad_output"] = r.text(case.get("bad_output", ""))
    return out


def _evidence_file(span: PinnedSpan, r: Redactor) -> tuple[dict[str, Any], bytes, str | None]:
    original = span.span
    red = r.value(original) if original else r.text(span.canonical)
    redacted = red != (original or span.canonical)
    if redacted:
        data = (canonical_json(red) if isinstance(red, dict) else str(red)).encode()
    else:
        data = span.canonical.encode()
    inputs, output = span_io(red if isinstance(red, dict) else {})
    summary = (inputs[-1]["content"] if inputs else output)[:120]
    entry: dict[str, Any] = {
        "digest": span.digest,
        "file": f"evidence/{span.digest}.json",
        "source": r.text(span.source),
        "pinned_at": span.pinned_at,
        "pinned_by": r.text(span.pinned_by),
        "note": r.note(span.note) if span.note else "",
        "summary": summary,
        "redacted": redacted,
    }
    warning = None
    if not redacted and not span.digest_ok:
        warning = f"pinned span {span.digest[:12]}: stored JSON does not match its SHA-256"
    return entry, data, warning


# -- writing ------------------------------------------------------------------------------


def _check_target(out: Path, force: bool) -> None:
    if out.exists() or out.is_symlink():
        if not force:
            raise ExportError(f"{out} already exists; choose another path or pass --force")
        if out.is_dir() and not (out / MANIFEST).exists() and any(out.iterdir()):
            raise ExportError(
                f"{out} is a non-empty directory that is not a package; not replacing it"
            )
    if not out.parent.exists():
        raise ExportError(f"{out.parent} does not exist")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_package(files: Mapping[str, bytes], out: Path, fmt: str, force: bool) -> None:
    _check_target(out, force)
    parent = out.parent
    if fmt == "dir":
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
        try:
            for rel, data in files.items():
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            for d in sorted({(tmp / rel).parent for rel in files}, reverse=True):
                _fsync_dir(d)
            if out.exists():  # force: move the old one aside, then swap
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
                os.rmdir(old)
                os.rename(out, old)
                os.rename(tmp, out)
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)
            else:
                os.rename(tmp, out)
            _fsync_dir(parent)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    try:
        root = out.name[: -len(".tar.gz")] if out.name.endswith(".tar.gz") else out.stem
        with os.fdopen(fd, "wb") as fh:
            with tarfile.open(fileobj=fh, mode="w:gz") as tar:
                for rel in sorted(files):
                    info = tarfile.TarInfo(f"{root}/{rel}")
                    info.size = len(files[rel])
                    info.mode = 0o644
                    info.mtime = 0
                    tar.addfile(info, io.BytesIO(files[rel]))
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp_name, out)
        else:
            os.link(tmp_name, out)  # fails if ``out`` appeared meanwhile: never clobber
            os.unlink(tmp_name)
        _fsync_dir(parent)
    except FileExistsError:
        os.unlink(tmp_name)
        raise ExportError(f"{out} already exists; choose another path or pass --force") from None
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def export_incident(
    service: IncidentService,
    incident_id: str,
    out: Path,
    *,
    profile: Profile | str = Profile.INTERNAL,
    fmt: str = "dir",
    force: bool = False,
    record: bool = True,
    environ: Mapping[str, str] | None = None,
) -> ExportResult:
    prof = profile if isinstance(profile, Profile) else Profile.parse(profile)
    if fmt not in ("dir", "tar.gz"):
        raise ExportError(f"unknown format {fmt!r}; use dir or tar.gz")
    dossier = load_dossier(service, incident_id)
    redactor = make_redactor(service.config, prof, environ)
    now = service.clock()
    files, warnings = package_files(dossier, redactor, profile=prof, now=now, author=service.actor)
    warnings += [
        f"store timeline: {p}" for p in verify_records(dossier.incident.id, dossier.records)
    ]
    head = dossier.events[-1].hash if dossier.events else ""
    manifest = build_manifest(
        incident_id=dossier.incident.id,
        tool_version=__version__,
        profile=prof.value,
        created_at=now,
        created_by=redactor.text(service.actor),
        files=files,
        redactions=redactor.summary(),
        timeline_head=head,
        timeline_events=len(dossier.events),
        extra={"warnings": warnings} if warnings else None,
    )
    mbytes = manifest_bytes(manifest)
    all_files = {**files, MANIFEST: mbytes}
    write_package(all_files, out, fmt, force)
    result = ExportResult(
        path=out,
        profile=prof.value,
        format=fmt,
        manifest_sha256=sha256_hex(mbytes),
        files=len(files),
        redactions=redactor.summary(),
        warnings=warnings,
    )
    if record:
        service.add_event(
            dossier.incident.id,
            EventKind.EXPORT,
            f"Evidence package exported ({prof.value}, {fmt}): {out.name}",
            {
                "path": str(out),
                "profile": prof.value,
                "format": fmt,
                "manifest_sha256": result.manifest_sha256,
                "files": result.files,
                "redactions": result.redactions,
                "timeline_head": head,
            },
        )
        result.recorded = True
    return result


# -- verifying ----------------------------------------------------------------------------


def read_package(path: Path) -> tuple[dict[str, bytes], list[BundleProblem]]:
    """All files of a package directory or ``.tar.gz`` (paths relative to its root)."""
    if not path.exists():
        raise ExportError(f"{path} does not exist")
    files: dict[str, bytes] = {}
    problems: list[BundleProblem] = []
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path).as_posix()
            if p.is_symlink():
                problems.append(BundleProblem(rel, "is a symbolic link (not allowed in a package)"))
            elif p.is_file():
                files[rel] = p.read_bytes()
        return files, problems
    try:
        with tarfile.open(path, mode="r:*") as tar:
            members = tar.getmembers()
            roots = {m.name.split("/", 1)[0] for m in members}
            strip = len(roots) == 1 and not any(m.name == MANIFEST for m in members)
            for m in members:
                name = m.name.split("/", 1)[1] if strip and "/" in m.name else m.name
                if m.isdir():
                    continue
                if not m.isfile():
                    problems.append(BundleProblem(name, "is not a regular file (link or device)"))
                    continue
                if not safe_member(name):
                    problems.append(BundleProblem(name, "path escapes the package"))
                    continue
                fh = tar.extractfile(m)
                files[name] = fh.read() if fh else b""
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ExportError(f"{path}: not a readable package directory or .tar.gz ({exc})") from None
    return files, problems


def verify_bundle(path: Path) -> tuple[list[BundleProblem], dict[str, Any]]:
    """Every problem found (empty: the package verifies) and its manifest (when readable)."""
    files, problems = read_package(path)
    problems += verify_package(files.get, list(files))
    manifest: dict[str, Any] = {"_redacted": unverifiable(files.get)}
    try:
        manifest = {**json.loads(files.get(MANIFEST, b"{}")), **manifest}
        manifest["_sha256"] = sha256_hex(files.get(MANIFEST, b""))
    except ValueError:
        pass
    return problems, manifest
