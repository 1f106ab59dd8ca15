"""Shift handoff over the store: offer (with the packet) and accept (taking the role)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ircmd.domain.incidents.handoff import Holder, build_packet, check_accept, holder
from ircmd.domain.incidents.incident import Incident, Role
from ircmd.domain.incidents.tasks import task_board
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import Change, EventDraft


@dataclass
class HandoffService:
    incidents: IncidentService

    def holder(self, incident_id: str) -> Holder:
        inc = self.incidents.get(incident_id)
        return holder(inc, self.incidents.timeline(inc.id))

    def offer(self, incident_id: str, to: str) -> tuple[dict[str, Any], TimelineEvent]:
        from ircmd.service.comms.updates import UpdateService
        from ircmd.service.regulatory.clocks import deadlines

        svc = self.incidents
        updates = UpdateService(svc)
        result: dict[str, Any] = {}

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            events = svc.store.events(inc.id)
            now = svc.clock()
            due = [d.to_json() for d in updates.due(inc.id, events, now)]
            packet = build_packet(
                inc,
                events,
                task_board(events),
                now,
                to=to,
                deadlines=deadlines(svc, inc.id),
                due_updates=due,
            )
            result.update(packet)
            draft = EventDraft(
                kind=EventKind.HANDOFF_OFFERED,
                at=now,
                author=svc.actor,
                text=f"Handoff offered to {packet['to']} by {packet['from']['name']}",
                data={"to": packet["to"], "packet": packet},
            )
            return Change(incident=inc.model_copy(update={"updated_at": now}), events=[draft])

        _, events = svc._apply(incident_id, decide)
        return result, events[0]

    def accept(self, incident_id: str, role: Role | str = Role.INCIDENT_LEAD) -> TimelineEvent:
        r = role if isinstance(role, Role) else Role.parse(role)
        svc = self.incidents

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            events = svc.store.events(inc.id)
            offer = check_accept(events, svc.actor)
            now = svc.clock()
            roles = dict(inc.roles)
            before = roles.get(r)
            roles[r] = svc.actor
            draft = EventDraft(
                kind=EventKind.HANDOFF_ACCEPTED,
                at=now,
                author=svc.actor,
                text=f"Handoff accepted: {svc.actor} is {r.label} (was {before or 'unassigned'})",
                data={"name": svc.actor, "role": r.value, "from": before, "offer": offer.hash},
            )
            return Change(
                incident=inc.model_copy(update={"roles": roles, "updated_at": now}),
                events=[draft],
            )

        _, events = svc._apply(incident_id, decide)
        return events[0]
