"""``report.md``: the human-readable incident review, in the shape reviews usually take
(overview, what happened, contributing factors, resolution, impact, responders, timeline,
what went well/badly, action items, messaging), adapted to AI: model/prompt/index
versions, spans pinned, containment used, eval cases added.

Rendered from the (already redacted) package data, so it never shows more than the
profile allows. Control characters are made visible: the file is safe to ``cat``.
"""

from __future__ import annotations

from typing import Any

from ircmd.domain.text import one_line, sanitize


def _l(value: Any, limit: int | None = None) -> str:
    return one_line("" if value is None else value, limit)


def _block(value: Any) -> str:
    text = sanitize("" if value is None else value, keep_newlines=True).strip()
    return text or "_Not written yet._"


def _bullets(items: list[str], empty: str = "_None recorded._") -> list[str]:
    return [f"- {_l(i)}" for i in items] if items else [empty]


def render_report(pkg: dict[str, Any]) -> str:
    """``pkg`` keys: incident, profile, generated_at, tool_version, review (or None),
    severity_history, classification_history, status_history, containment, findings,
    evidence (index entries), eval_cases, timeline (event records), responders,
    versions, regulatory (or None), redactions."""
    inc = pkg["incident"]
    review = pkg.get("review") or {}
    impact = review.get("impact") or {}
    root_cause = review.get("root_cause") or "not determined"
    classification = inc.get("classification") or "unclassified"
    lines: list[str] = [
        f"# Incident review — {_l(inc['id'])}: {_l(inc.get('title'))}",
        "",
        f"_Export profile: {pkg['profile']} · generated {pkg['generated_at']} by ircmd "
        f"{pkg['tool_version']}"
        + (" · review FINAL" if review.get("final") else " · review draft")
        + "_",
        "",
        "## Overview",
        "",
        f"| | |\n|---|---|\n| Status | {_l(inc.get('status'))} |"
        f"\n| Severity | {_l(inc.get('severity'))} — {_l(inc.get('severity_reason'))} |"
        f"\n| Classification | {_l(classification).replace('_', ' ')} |"
        f"\n| Workflow | {_l(inc.get('workflow_id') or '—')} |"
        f"\n| Aware | {_l(inc.get('aware_at'))} |"
        f"\n| Contained | {_l(inc.get('contained_at') or '—')} |"
        f"\n| Resolved | {_l(inc.get('resolved_at') or '—')} |"
        f"\n| Root cause | {_l(root_cause.replace('_', ' '))} |",
        "",
        _block(review.get("summary")),
        "",
        "## What happened",
        "",
        _block(review.get("what_happened")),
        "",
        "### AI system involved",
        "",
    ]
    versions = pkg.get("versions") or {}
    if versions:
        lines += [f"- {_l(k)}: {_l(v)}" for k, v in sorted(versions.items())]
    else:
        lines.append("_No model, prompt or index versions recorded._")
    lines += ["", "## Contributing factors", ""]
    lines += _bullets(review.get("contributing_factors") or [])
    controls = review.get("controls") or []
    if controls:
        lines += ["", "| Control | Outcome | Note |", "|---|---|---|"]
        for c in controls:
            lines.append(
                f"| {_l(c.get('control'))} | {'worked' if c.get('worked') else 'FAILED'} | "
                f"{_l(c.get('note'))} |"
            )
    lines += [
        "",
        "## Resolution",
        "",
        _block(review.get("resolution")),
        "",
        "### Containment used",
        "",
    ]
    containment = pkg.get("containment") or []
    if containment:
        for c in containment:
            lines.append(f"- {c['at']} **{_l(c['kind']).replace('_', ' ')}** {_l(c['text'])}")
    else:
        lines.append("_No containment recorded._")
    lines += ["", "## Impact", ""]
    impact_rows = [
        ("People affected", impact.get("people")),
        ("Records affected", impact.get("records")),
        (
            "Money",
            f"{impact['money']:.2f} {impact.get('currency', '')}".strip()
            if impact.get("money") is not None
            else None,
        ),
        ("Exposure (hours)", impact.get("hours")),
    ]
    lines += [
        f"- {name}: {_l(value) if value is not None else 'unknown'}" for name, value in impact_rows
    ]
    if impact.get("notes"):
        lines.append(f"- Notes: {_l(impact['notes'])}")
    findings = pkg.get("findings") or []
    if findings:
        lines += ["", "### Blast radius", ""]
        lines += [f"- {f['at']} {_l(f['text'])}" for f in findings]
    lines += ["", "## Responders", ""]
    roles = inc.get("roles") or {}
    lines += [f"- {_l(r).replace('_', ' ')}: {_l(p)}" for r, p in sorted(roles.items())]
    others = [p for p in pkg.get("responders") or [] if p not in roles.values()]
    if others:
        lines.append(f"- also on the timeline: {', '.join(_l(p) for p in others)}")
    lines += ["", "## Timeline", ""]
    key = set(review.get("key_moments") or [])
    lines += ["| # | Time (UTC) | Kind | Who | What |", "|---|---|---|---|---|"]
    for ev in pkg.get("timeline") or []:
        mark = "★ " if ev["seq"] in key else ""
        lines.append(
            f"| {mark}{ev['seq']} | {ev['at']} | {_l(ev['kind']).replace('_', ' ')} | "
            f"{_l(ev['author'], 24)} | {_l(ev['text'], 160).replace('|', '¦')} |"
        )
    lines += ["", "## What went well", ""]
    lines += _bullets(review.get("went_well") or [])
    lines += ["", "## What went badly", ""]
    lines += _bullets(review.get("went_badly") or [])
    lines += ["", "## Action items", ""]
    actions = review.get("actions") or []
    if actions:
        lines += ["| Action | Owner | Due | Done |", "|---|---|---|---|"]
        for a in actions:
            lines.append(
                f"| {_l(a.get('title'))} | {_l(a.get('owner') or '—')} | "
                f"{_l(a.get('due') or '—')} | "
                f"{'yes' if a.get('done') else 'no'} |"
            )
    else:
        lines.append("_None recorded._")
    lines += ["", "## Tasks", ""]
    tasks = pkg.get("tasks") or []
    if tasks:
        lines += ["| Task | Title | Owner | Due | State | Control |", "|---|---|---|---|---|---|"]
        for t in tasks:
            state = str(t.get("state") or "")
            if t.get("drift"):
                state += " (drift)"
            lines.append(
                f"| {_l(t.get('id'))} | {_l(t.get('title'), 120).replace('|', '¦')} | "
                f"{_l(t.get('owner') or '—').replace('|', '¦')} | {_l(t.get('due_at') or '—')} | "
                f"{_l(state)} | {_l(t.get('control') or '—').replace('|', '¦')} |"
            )
    else:
        lines.append("_None recorded._")
    lines += ["", "## Messaging", "", _block(review.get("messaging"))]
    comms = pkg.get("communications") or []
    if comms:
        lines += [""] + [f"- {c['at']} {_l(c['text'])}" for c in comms]
    lines += ["", "## Evidence", "", "### Spans pinned", ""]
    evidence = pkg.get("evidence") or []
    if evidence:
        for e in evidence:
            lines.append(
                f"- `{e['digest']}` from {_l(e.get('source') or 'unknown source')}"
                + (f" — {_l(e.get('summary'))}" if e.get("summary") else "")
                + (" (redacted in this export)" if e.get("redacted") else "")
            )
    else:
        lines.append("_No spans pinned._")
    lines += ["", "### Eval cases added", ""]
    cases = pkg.get("eval_cases") or []
    if cases:
        lines += [f"- {c['id']}: expected — {_l(c.get('expected_behaviour'), 160)}" for c in cases]
    else:
        lines.append("_None yet: add them from the review (`:eval add`)._")
    reg = pkg.get("regulatory")
    if reg:
        lines += [
            "",
            "## Regulatory",
            "",
            f"- Potential serious incident (EU AI Act Art. 73): {_l(reg.get('harm'))}"
            f", Member State {_l(reg.get('member_state'))}",
            f"- Report: {_l(reg.get('reported'))}; due {_l(reg.get('due_at'))}",
        ]
    redactions = pkg.get("redactions") or {}
    lines += ["", "---", ""]
    if redactions:
        counts = ", ".join(f"{k} × {v}" for k, v in sorted(redactions.items()))
        lines.append(f"_Redactions in this export: {counts}._")
    else:
        lines.append("_No redactions were needed in this export._")
    lines.append("")
    return "\n".join(lines)
