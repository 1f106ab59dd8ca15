"""Assembling an evidence package's files from a dossier, redacted for the profile.

Each source record (incident, event, span, review, eval case, regulatory flag) is redacted
once; derived files (histories, containment, findings, report.md) are built from the
redacted records, so the manifest's counts are the redactions actually made.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ircmd import __version__
from ircmd.domain.evidence.bundle import EVIDENCE_INDEX, TIMELINE
from ircmd.domain.evidence.dossier import Dossier, PinnedSpan
from ircmd.domain.evidence.evals import cases_for_incident, span_io
from ircmd.domain.evidence.redaction import MESSAGE_CONTENT, Profile, Redactor, placeholder
from ircmd.domain.evidence.report import render_report
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.tasks import task_board
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, canonical_json, format_time
from ircmd.domain.regulatory.art73 import RegulatoryFlag, deadline, is_due


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
    tasks = [t.to_json() for t in task_board(red_events).ordered()]
    files["tasks.json"] = _json(tasks)

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
        "tasks": tasks,
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
