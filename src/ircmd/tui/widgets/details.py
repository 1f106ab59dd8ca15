"""Everything a row cuts, as one wrapped two-column table: what the detail modal shows.

One builder per kind of row (timeline entry, signal, control, incident). Times are given in UTC
and in local time; every data field is listed; ids and links (pinned spans, controls, linked
incidents) are named. Untrusted text is never markup (``safe_block``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from ircmd.domain.containment.controls import ControlRow
from ircmd.domain.incidents.incident import Incident, format_age
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.tui.widgets.safe import safe_block

# data fields that point at something else the incident holds
LINK_FIELDS = ("span_id", "trace_id", "control", "control_id", "signal_id", "evidence_id")


def field_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):  # an Enum
        return str(value.value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def utc_and_local(at: datetime | None, now: datetime | None = None) -> Text:
    """``2026-12-02 17:06:46 UTC · local 18:06:46 CET`` (and how long ago, given ``now``)."""
    if at is None:
        return Text("—", style="dim")
    t = Text(at.strftime("%Y-%m-%d %H:%M:%S UTC") if at.utcoffset() is not None else str(at))
    if at.utcoffset() is not None:
        t.append(" · local " + at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"), "dim")
    if now is not None:
        t.append(f" · {format_age(max(0.0, (now - at).total_seconds()))} ago", "dim")
    return t


def detail_table() -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", ratio=1, overflow="fold")
    return table


def _gap(table: Table) -> None:
    table.add_row("", "")


def _fields(table: Table, items: Iterable[tuple[str, Any]], prefix: str = "") -> None:
    for key, value in items:
        table.add_row(safe_block(prefix + key), safe_block(field_value(value)))


def event_detail(ev: TimelineEvent) -> Table:
    table = detail_table()
    table.add_row("entry", Text(f"#{ev.seq} of {ev.incident_id}"))
    table.add_row("kind", Text(f"{ev.kind.label}  (filter kind:{ev.kind.value})"))
    table.add_row("author", safe_block(ev.author))
    table.add_row("time UTC", Text(ev.at.strftime("%Y-%m-%d %H:%M:%S UTC")))
    table.add_row("local", Text(ev.at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")))
    _gap(table)
    table.add_row("text", safe_block(ev.text or "(no text)"))
    links = [(k, ev.data[k]) for k in LINK_FIELDS if ev.data.get(k)]
    if links:
        _gap(table)
        _fields(table, links, "→ ")
    others = sorted((k, v) for k, v in ev.data.items() if k not in LINK_FIELDS)
    if others:
        _gap(table)
        _fields(table, others)
    _gap(table)
    table.add_row("hash", Text(ev.hash or "(none)", style="dim"))
    if ev.mac:
        table.add_row("mac", Text(ev.mac, style="dim"))
    return table


def signal_detail(
    signal: Any, incidents: Iterable[str] = (), mark: str = "", now: datetime | None = None
) -> Table:
    """A :class:`~ircmd.domain.signals.signals.Signal` in full: every label and annotation."""
    s = signal
    table = detail_table()
    table.add_row("alert", safe_block(s.name, "bold"))
    if s.summary:
        table.add_row("summary", safe_block(s.summary))
    state = s.state.value + (f"  (source says {s.status})" if s.status else "")
    table.add_row("state", safe_block(state))
    if mark:
        table.add_row("seen", Text(mark))
    table.add_row("source", safe_block(s.source))
    table.add_row("fingerprint", safe_block(s.fingerprint))
    table.add_row("starts", utc_and_local(s.starts_at, now))
    table.add_row("ends", utc_and_local(s.ends_at, now))
    table.add_row("updated", utc_and_local(s.updated_at, now))
    linked = list(incidents)
    _gap(table)
    table.add_row("→ incidents", Text(", ".join(linked) if linked else "none", style="bold cyan"))
    if s.silenced_by:
        table.add_row("→ silenced by", safe_block(", ".join(s.silenced_by)))
    if s.inhibited_by:
        table.add_row("→ inhibited by", safe_block(", ".join(s.inhibited_by)))
    if s.generator_url:
        table.add_row("→ source link", safe_block(s.generator_url))
    if s.labels:
        _gap(table)
        _fields(table, sorted(s.labels.items()), "label ")
    if s.annotations:
        _gap(table)
        _fields(table, sorted(s.annotations.items()), "annotation ")
    return table


def control_detail(row: ControlRow, now: datetime | None = None) -> Table:
    """One containment control: what it acts on, desired vs confirmed, who changed it, why."""
    table = detail_table()
    table.add_row("control", safe_block(row.id, "bold"))
    table.add_row("workflow", safe_block(f"{row.ref.workflow_id}  ({row.workflow_name})"))
    kind = row.kind.label + (
        "  ‼ critical: a change needs a typed confirmation" if row.critical else ""
    )
    table.add_row("kind", safe_block(kind))
    if row.target:
        table.add_row("acts on", safe_block(row.target))
    table.add_row("controller", safe_block(row.controller or "—"))
    table.add_row("enforced", Text("yes" if row.enforced else "no: local only, not enforced"))
    _gap(table)
    table.add_row("desired", Text(row.desired.value))
    table.add_row("confirmed", Text(row.confirmed.value))
    table.add_row("health", Text(row.health.value, style="bold red" if row.mismatch else ""))
    if row.detail:
        table.add_row("backend says", safe_block(row.detail))
    if row.error:
        table.add_row("error", safe_block(row.error, "red"))
    table.add_row("checked", utc_and_local(row.checked_at, now))
    _gap(table)
    table.add_row("changed", utc_and_local(row.changed_at, now))
    table.add_row("by", safe_block(row.changed_by or "—"))
    table.add_row("reason", safe_block(row.reason or "—"))
    table.add_row("→ incident", Text(row.incident_id or "—", style="bold cyan"))
    return table


def incident_detail(inc: Incident, now: datetime | None = None) -> Table:
    """One incident: title in full, state, roles, every timestamp, tags, the chain's head."""
    table = detail_table()
    table.add_row("incident", Text(inc.id, style="bold"))
    table.add_row("title", safe_block(inc.title))
    table.add_row("status", Text(inc.status.value))
    table.add_row("severity", Text(inc.severity.value))
    if inc.severity_reason:
        table.add_row("why that level", safe_block(inc.severity_reason))
    if inc.classification is not None:
        table.add_row("classification", Text(inc.classification.value))
    table.add_row("workflow", safe_block(inc.workflow_id or "—"))
    table.add_row("declared by", safe_block(inc.created_by or "—"))
    if inc.roles:
        _gap(table)
        _fields(table, sorted((r.value, who) for r, who in inc.roles.items()), "role ")
    if inc.tags:
        table.add_row("tags", safe_block(", ".join(inc.tags)))
    _gap(table)
    times: Mapping[str, datetime | None] = {
        "occurred": inc.occurred_at,
        "aware": inc.aware_at,
        "declared": inc.created_at,
        "contained": inc.contained_at,
        "resolved": inc.resolved_at,
        "reviewed": inc.reviewed_at,
        "updated": inc.updated_at,
    }
    for label, at in times.items():
        table.add_row(label, utc_and_local(at, now))
    extra = sorted((inc.model_extra or {}).items())
    if extra:
        _gap(table)
        _fields(table, extra)
    _gap(table)
    table.add_row("entries", Text(str(inc.head_seq)))
    table.add_row("head hash", Text(inc.head_hash or "(none)", style="dim"))
    return table
