"""``ircmd review show`` as plain text: every section of the review, in the form's order.

A section with nothing in it says so (``—``), so a reader sees what is still missing. Text
typed by people is data: control characters are made visible, newlines kept and indented."""

from __future__ import annotations

from ircmd.domain.evidence.review import Review
from ircmd.domain.text import newline_lines, one_line, sanitize

INDENT = "    "


def _block(label: str, text: str) -> list[str]:
    lines = [ln.rstrip() for ln in newline_lines(sanitize(text.strip(), keep_newlines=True))]
    if not text.strip():
        return [f"{label}: —"]
    if len(lines) == 1:
        return [f"{label}: {lines[0]}"]
    return [f"{label}:", *(INDENT + ln for ln in lines)]


def _items(label: str, items: list[str]) -> list[str]:
    if not items:
        return [f"{label}: —"]
    return [f"{label}:", *(f"{INDENT}- {one_line(x)}" for x in items)]


def _number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def review_text(review: Review) -> list[str]:
    """The review's lines (without the trailing newline)."""
    out = [f"{review.incident_id} review ({'final' if review.final else 'draft'})"]
    if review.author or review.updated_at:
        when = review.updated_at.strftime("%Y-%m-%d %H:%M UTC") if review.updated_at else "—"
        out.append(f"  by {one_line(review.author) or '—'}, last saved {when}")
    body: list[str] = []
    body += _block("summary", review.summary)
    body += _block("what happened", review.what_happened)
    i = review.impact
    money = "—" if i.money is None else f"{_number(i.money)} {one_line(i.currency)}"
    body.append(
        f"impact: people {_number(i.people)} · records {_number(i.records)} · money {money}"
        f" · hours {_number(i.hours)}"
    )
    if i.notes.strip():
        body += [INDENT + ln for ln in _block("notes", i.notes)]
    cause = review.root_cause.label if review.root_cause else "not determined"
    body.append(f"root cause: {cause}")
    body += _items("contributing factors", review.contributing_factors)
    if review.controls:
        body.append("controls:")
        for c in review.controls:
            note = f": {one_line(c.note)}" if c.note else ""
            body.append(
                f"{INDENT}{'+ worked' if c.worked else '- failed'} {one_line(c.control)}{note}"
            )
    else:
        body.append("controls: —")
    body += _items("went well", review.went_well)
    body += _items("went badly", review.went_badly)
    if review.actions:
        body.append("action items:")
        for a in review.actions:
            due = a.due.isoformat() if a.due else "—"
            done = "  (done)" if a.done else ""
            body.append(f"{INDENT}- {one_line(a.title)} | {one_line(a.owner) or '—'} | {due}{done}")
    else:
        body.append("action items: —")
    body.append(
        "key moments: "
        + (", ".join(f"#{s}" for s in review.key_moments) if review.key_moments else "—")
    )
    body += _block("resolution", review.resolution)
    body += _block("messaging", review.messaging)
    body += _block("expected behaviour", review.expected_behaviour)
    body.append("taxonomy: " + (", ".join(one_line(t) for t in review.taxonomy) or "—"))
    if review.versions:
        body.append("versions:")
        body += [
            f"{INDENT}{one_line(k)}: {one_line(v)}" for k, v in sorted(review.versions.items())
        ]
    else:
        body.append("versions: —")
    body.append(f"deployer: {one_line(review.deployer) or '—'}")
    body.append(f"developer: {one_line(review.developer) or '—'}")
    body += _items("harmed parties", review.harmed_parties)
    out += ["  " + ln for ln in body]
    return out
