"""Drift: a switch found in a state ircmd did not ask for is recorded ONCE on the timeline.

The incidents carry a mark (``containment_drift``: ``{control: state}``) checked and set
inside the store's ``apply`` lock, so two consoles reconciling at once still write one
event; the mark is cleared when the drift is gone, so a later drift is a new event. A drift
that goes away without ircmd acting (the switch turned back outside ircmd) is recorded once
too, as ``containment_drift_cleared``; one that ircmd's own confirmed change ends is not
(its ``containment_confirmed`` says so, and clears the mark itself).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ircmd.domain.config import Config
from ircmd.domain.containment.controls import ControlRecord, Observation, all_controls, is_drift
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.store.base import Change, EventDraft, IncidentStore


class DriftSource(Protocol):
    """What drift needs from the containment service (kept a protocol: no import cycle)."""

    store: IncidentStore
    config: Config
    observed: dict[str, Observation]

    @property
    def clock(self) -> Callable[[], datetime]: ...

    def records(self) -> dict[str, ControlRecord]: ...


DRIFT_MARKS = "containment_drift"
"""Incident field (extra) holding ``{control: state}`` drifts already recorded on it."""


class _NothingToWrite(Exception):
    pass


def record_drifts(svc: DriftSource, fallback: str | None) -> None:
    """Record each drift once on the incident that last changed the control (else
    ``fallback``, the incident being watched); clear the mark when it is gone."""
    records = svc.records()
    incidents: dict[str, Incident | None] = {}

    def incident(cid: str) -> Incident | None:
        if cid not in incidents:
            incidents[cid] = svc.store.get_incident(cid)
        return incidents[cid]

    for ref, _wf, _spec in all_controls(svc.config):
        key = str(ref)
        rec = records.get(key) or ControlRecord(ref=key)
        obs = svc.observed.get(key)
        if obs is None or not obs.ok:
            continue
        candidates = [c for c in (rec.incident_id, fallback) if c]
        found = [(c, incident(c)) for c in candidates]
        found = [(c, i) for c, i in found if i is not None]
        if not found:
            continue
        drift = is_drift(rec, obs)
        if drift:
            open_ = [c for c, i in found if i is not None and i.is_open]
            mark_drift(svc, open_[0] if open_ else found[0][0], rec, obs, True)
        else:
            for cid, inc in found:
                if inc is not None and key in ((inc.model_extra or {}).get(DRIFT_MARKS) or {}):
                    mark_drift(svc, cid, rec, obs, False)


def mark_drift(
    svc: DriftSource, incident_id: str, rec: ControlRecord, obs: Observation, drift: bool
) -> None:
    ref = rec.ref

    def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
        marks = dict((inc.model_extra or {}).get(DRIFT_MARKS) or {})
        if not drift:
            if ref not in marks:
                raise _NothingToWrite
            was = str(marks.pop(ref))
            now = svc.clock()
            text = (
                f"Drift on {ref} cleared: backend shows {obs.state.value} again, as ircmd "
                f"asked (it showed {was}; no change by ircmd)"
            )
            data = {
                "control": ref,
                "desired": rec.desired.value,
                "state": obs.state.value,
                "drifted": was,
                "detail": obs.detail,
            }
            return Change(
                incident=inc.model_copy(update={DRIFT_MARKS: marks, "updated_at": now}),
                events=[EventDraft(EventKind.CONTAINMENT_DRIFT_CLEARED, now, "ircmd", text, data)],
            )
        if marks.get(ref) == obs.state.value:
            raise _NothingToWrite
        marks[ref] = obs.state.value
        now = svc.clock()
        text = (
            f"Drift on {ref}: backend shows {obs.state.value}, ircmd asked "
            f"{rec.desired.value} (changed outside ircmd)"
        )
        data = {
            "control": ref,
            "desired": rec.desired.value,
            "state": obs.state.value,
            "detail": obs.detail,
        }
        return Change(
            incident=inc.model_copy(update={DRIFT_MARKS: marks, "updated_at": now}),
            events=[EventDraft(EventKind.CONTAINMENT_DRIFT, now, "ircmd", text, data)],
        )

    try:
        svc.store.apply(incident_id, decide)
    except (_NothingToWrite, KeyError):
        return
