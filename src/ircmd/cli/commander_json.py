"""The commander's fields of ``incident show --json``: tasks (and, as they land, next
updates, deadlines and the holder), computed from the incident and its events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ircmd.cli.common import Context
    from ircmd.domain.incidents.incident import Incident
    from ircmd.domain.incidents.timeline import TimelineEvent


def commander_fields(ctx: Context, inc: Incident, events: list[TimelineEvent]) -> dict[str, Any]:
    from ircmd.domain.incidents.tasks import task_board

    now = datetime.now(UTC)
    board = task_board(events)
    tasks = [
        {
            "id": t.id,
            "title": t.title,
            "owner": t.owner or None,
            "due_at": t.to_json()["due_at"],
            "state": t.state.value,
            "control": t.control or None,
            "overdue": t.overdue(now),
        }
        for t in board.ordered()
    ]
    from ircmd.service.comms.updates import UpdateService

    due = UpdateService(ctx.service).due(inc.id, events)
    from ircmd.domain.incidents.handoff import holder
    from ircmd.service.regulatory.clocks import deadlines

    return {
        "deadlines": [
            {k: d[k] for k in ("regime", "stage", "due_at")} for d in deadlines(ctx.service, inc.id)
        ],
        "tasks": tasks,
        "next_updates": [d.to_json() for d in due],
        "holder": holder(inc, events).to_json(),
    }
