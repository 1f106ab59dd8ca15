"""The war room's header (incident at a glance) and status bar, as Rich ``Text``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text

from ircmd.domain.incidents.incident import Incident, Role, format_age
from ircmd.domain.incidents.taxonomy import OWASP_LLM_2025
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.tui.widgets.safe import safe_text
from ircmd.tui.widgets.styles import SEVERITY_STYLE, STATUS_STYLE

_ROLE_SHORT = {
    Role.BUSINESS_OWNER: "biz",
    Role.ENGINEERING_OWNER: "eng",
    Role.SCRIBE: "scribe",
    Role.COMMS: "comms",
}
_ROLE_WORD = {r.value: r.value.replace("_", " ") for r in Role}
_HEALTH_STYLE = {"ok": "green", "down": "bold red", "slow": "yellow", "unknown": "dim"}
_HEALTH_MARK = {"ok": "●", "down": "✖", "slow": "◐", "unknown": "○"}


def header_text(
    inc: Incident,
    now: datetime,
    deadline: tuple[str, datetime] | None = None,
    *,
    update: tuple[str, datetime] | None = None,
    money_at_risk: str | None = None,
    lead_since: datetime | None = None,
    width: int | None = None,
    last_update: tuple[str, datetime] | None = None,
    holder: tuple[str, str, datetime] | None = None,
) -> Text:
    """Line 1: id, severity, status, elapsed since aware, next deadline, lead, title.
    Line 2: classification, the other roles and the tags. Each line is cut, not wrapped.

    Title first: when line 1 is wider than ``width`` the lead's "since HH:MMZ" moves to the
    start of line 2 (after the classification); when it is still too wide for the title to
    show (80 columns), the title follows the status at once and the clocks, the lead and the
    money at risk open line 2.

    ``last_update`` (audience, when): the last update sent, shown beside the comms role
    ("comms dana.comms  last → executives 5m ago").

    ``holder`` (name, role, since): who holds the incident when that is not the lead (a
    handoff accepted as another role), shown on line 2 ("holds sam.eng (scribe) since 09:12Z")."""
    parts = (inc, now, deadline, update, money_at_risk, lead_since, last_update, holder)
    wide = _header(*parts, since_below=False)
    if width is None or _first_line(wide) <= width:
        return wide
    if lead_since is not None and inc.roles.get(Role.INCIDENT_LEAD):
        below = _header(*parts, since_below=True)
        title = min(Text(inc.title).cell_len, 24)
        if _first_line(below) - Text(inc.title).cell_len + title <= width:
            return below
    return _header(*parts, since_below=True, title_first=True)


def last_update(events: Sequence[TimelineEvent]) -> tuple[str, datetime] | None:
    """The last update sent (a ``communication`` event): its audience and when."""
    for ev in reversed(events):
        if ev.kind == EventKind.COMMUNICATION:
            audience = ev.data.get("audience")
            return (audience if isinstance(audience, str) else "", ev.at)
    return None


def _first_line(t: Text) -> int:
    return Text(t.plain.split("\n", 1)[0]).cell_len


def _since(lead_since: datetime, now: datetime) -> str:
    fmt = "%H:%MZ" if (now - lead_since).total_seconds() < 86400 else "%d %b %H:%MZ"
    return lead_since.astimezone(UTC).strftime(fmt)


def _clock(t: Text, mark: str, clock: tuple[str, datetime], now: datetime, warn: int) -> None:
    label, due = clock
    left = (due - now).total_seconds()
    t.append(f"  {mark} ", "")
    t.append_text(safe_text(label, "bold", limit=32))
    if left >= 0:
        t.append(f" in {format_age(left)}", "bold yellow" if left > warn else "bold red")
    else:
        t.append(f" OVERDUE {format_age(-left)}", "bold white on red")


def _header(
    inc: Incident,
    now: datetime,
    deadline: tuple[str, datetime] | None,
    update: tuple[str, datetime] | None,
    money_at_risk: str | None,
    lead_since: datetime | None,
    last_update: tuple[str, datetime] | None,
    holder: tuple[str, str, datetime] | None,
    *,
    since_below: bool,
    title_first: bool = False,
) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(f" {inc.id} ", "bold reverse")
    t.append(" ")
    t.append(f" {inc.severity.value.upper()} ", SEVERITY_STYLE[inc.severity.value] + " reverse")
    t.append(" ")
    t.append(inc.status.value, STATUS_STYLE[inc.status.value])
    lead = inc.roles.get(Role.INCIDENT_LEAD)

    def title() -> None:
        t.append("  ")
        t.append_text(safe_text(inc.title, "bold", limit=120))

    def clocks() -> None:
        t.append("  aware ", "dim")
        t.append(format_age(inc.age_seconds(now)), "bold")
        if deadline is not None:
            _clock(t, "⏰", deadline, now, 3600)
        if update is not None:
            _clock(t, "✉", update, now, 900)
        t.append("  lead ", "dim")
        t.append_text(safe_text(lead or "unassigned", "" if lead else "italic red", limit=24))
        if lead and lead_since is not None and not since_below:
            t.append(f" since {_since(lead_since, now)}", "dim")
        if money_at_risk:
            t.append("  at risk ", "dim")
            t.append_text(safe_text(money_at_risk, "bold yellow", limit=60))

    if title_first:
        title()
        t.append("\n")
        clocks()
        if lead and lead_since is not None:
            t.append(f" since {_since(lead_since, now)}", "dim")
        t.append("  ")
    else:
        clocks()
        title()
        t.append("\n")
        t.append(" ")
    if inc.classification:
        t.append(inc.classification.label, "italic")
    else:
        t.append("unclassified", "italic red")
    if lead and lead_since is not None and since_below and not title_first:
        t.append("  lead since ", "dim")
        t.append(_since(lead_since, now), "dim")
    if holder is not None:
        name, role, since = holder
        t.append("  holds ", "dim")
        t.append_text(safe_text(name, "bold", limit=24))
        t.append(f" ({_ROLE_WORD.get(role, role)}) since {_since(since, now)}", "dim")
    for role, short in _ROLE_SHORT.items():
        who = inc.roles.get(role)
        t.append(f"  {short} ", "dim")
        t.append_text(safe_text(who or "—", "" if who else "dim", limit=20))
        if role == Role.COMMS and last_update is not None:
            audience, at = last_update
            t.append("  last → ", "dim")
            t.append_text(safe_text(audience or "everyone", "cyan", limit=24))
            t.append(f" {format_age(max(0.0, (now - at).total_seconds()))} ago", "dim")
    if inc.tags:
        t.append("  tags ", "dim")
        for i, tag in enumerate(inc.tags):
            if i:
                t.append(" ")
            style = "bold magenta" if tag in OWASP_LLM_2025 or tag.startswith("AML.") else "cyan"
            t.append_text(safe_text(tag, style, limit=24))
    return t


def status_text(
    health: Sequence[tuple[str, str, str]],
    *,
    read_only: bool,
    others: int,
    actor: str,
    demo: bool = False,
    store_ok: bool = True,
    width: int | None = None,
) -> Text:
    """Backends' health, read-only seat, other consoles, who you are.

    When that is wider than ``width`` (80 columns), healthy backends are counted instead of
    named (a backend that is down or slow keeps its name), and "no other console" is left
    out, so who you are and the seat's mode stay on the line."""
    full = _status(health, read_only, others, actor, demo, store_ok, compact=False)
    if width is None or full.cell_len <= width:
        return full
    return _status(health, read_only, others, actor, demo, store_ok, compact=True)


def _status(
    health: Sequence[tuple[str, str, str]],
    read_only: bool,
    others: int,
    actor: str,
    demo: bool,
    store_ok: bool,
    *,
    compact: bool,
) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(" store ", "dim")
    t.append("● ok" if store_ok else "✖ down", "green" if store_ok else "bold red")
    quiet: dict[str, int] = {}
    for name, state, detail in health:
        if compact and state not in ("down", "slow"):
            quiet[state] = quiet.get(state, 0) + 1
            continue
        t.append("  ")
        t.append(_HEALTH_MARK.get(state, "?") + " ", _HEALTH_STYLE.get(state, ""))
        t.append_text(safe_text(name, limit=20))
        if state in ("down", "slow") and detail and not compact:
            t.append(" ")
            t.append_text(safe_text(detail, "italic", limit=40))
    for state, n in quiet.items():
        t.append("  ")
        t.append(_HEALTH_MARK.get(state, "?") + " ", _HEALTH_STYLE.get(state, ""))
        t.append(f"{n} {state}", "dim")
    if others or not compact:
        t.append("  │ ", "dim")
        if others:
            t.append(f"{others} other console{'s' if others != 1 else ''}", "bold cyan")
        else:
            t.append("no other console", "dim")
    t.append("  │ as ", "dim")
    t.append_text(safe_text(actor, limit=24))
    if read_only:
        t.append("  READ-ONLY", "bold yellow")
    if demo:
        t.append("  DEMO", "bold magenta")
    return t
