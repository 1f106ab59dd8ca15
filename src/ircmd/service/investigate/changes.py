"""Record a change point ("what changed before it broke") as a finding on the incident."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.domain.text import one_line
from ircmd.domain.traces.blast import find_similar
from ircmd.domain.traces.changes import ChangePoint
from ircmd.domain.traces.spans import Span
from ircmd.service.workspace import Workspace


def finding_trace_ids(ws: Workspace, incident_id: str, spans: Sequence[Span] = ()) -> set[str]:
    """The trace ids the incident's findings name (a finding whose stored ids were capped is
    re-run over ``spans``), for change points in findings. Blocking: a worker or the CLI."""
    from ircmd.service.investigate.money import findings_of

    traces, _tools, capped = findings_of(ws, incident_id)
    for q in capped:
        traces.update(find_similar(list(spans), q).trace_ids)
    return traces


def change_point_text(cp: ChangePoint) -> str:
    """The finding in words, with the time it appeared (UTC): "errors rose from 0.0% to
    100.0% when prompt 'refund-policy v7' appeared at 14:02:10"."""
    at = datetime.fromtimestamp(cp.at_ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{cp.sentence} at {at} ({cp.traces_before} traces before, {cp.traces_after} after)"


def record_change_point(
    ws: Workspace, incident_id: str, cp: ChangePoint, source: str = "", note: str = ""
) -> TimelineEvent:
    """A ``finding`` event carrying the change point (``kind: change_point``)."""
    data = {"kind": "change_point", "source": source, **cp.to_dict()}
    text = "what changed: " + change_point_text(cp)
    if note:
        text += f": {one_line(note, 300)}"
    return ws.incidents.add_event(incident_id, EventKind.FINDING, text, data=data)
