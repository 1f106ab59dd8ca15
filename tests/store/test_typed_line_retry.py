"""A typed line (note, decision, status, declare) carries one client id across retries: a
resubmit after a store error stores it once, whether or not the failed commit landed.

Fault injection wraps a real store (TinyDB file and real PostgreSQL): the first commit
either fails before writing or writes and then reports failure (commit outcome unknown)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ircmd.domain.incidents.incident import Status
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service.incidents.retry import PENDING_FOR, PendingLines
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import IncidentStore, StoreOutcomeUnknown, StoreUnavailable
from tests.store.storekit import StoreSpec


class FlakyStore:
    """A real store whose next ``fail`` writes raise ``StoreUnavailable``; with
    ``landed=True`` the write is committed first (the ack was lost, not the write), which is
    reported as ``StoreOutcomeUnknown``, as the PostgreSQL store does when the connection
    breaks while committing; ``unknown=True`` reports that for a write that did not land."""

    def __init__(self, inner: IncidentStore) -> None:
        self.inner = inner
        self.fail = 0
        self.landed = False
        self.unknown = False
        self.writes = 0
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _write(self, method: str, *args: Any) -> Any:
        self.writes += 1
        self.calls.append(getattr(args[-1], "__qualname__", "?"))
        if self.fail:
            self.fail -= 1
            if self.landed:
                getattr(self.inner, method)(*args)
            if self.landed or self.unknown:
                raise StoreOutcomeUnknown("store: connection lost during commit (outcome unknown)")
            raise StoreUnavailable("store: connection lost before the commit")
        return getattr(self.inner, method)(*args)

    def apply(self, *args: Any) -> Any:
        return self._write("apply", *args)

    def create_incident(self, *args: Any) -> Any:
        return self._write("create_incident", *args)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def console(spec: StoreSpec) -> tuple[IncidentService, FlakyStore, Clock]:
    flaky = FlakyStore(spec.open())
    clock = Clock()
    svc = IncidentService(store=flaky, actor="maria", clock=clock)
    return svc, flaky, clock


def kinds(svc: IncidentService, iid: str, kind: EventKind) -> list[Any]:
    return [e for e in svc.timeline(iid) if e.kind == kind]


@pytest.mark.parametrize("landed", [False, True], ids=["lost-before-commit", "ack-lost"])
def test_resubmitted_note_is_stored_once_at_the_time_typed(spec: StoreSpec, landed: bool) -> None:
    svc, flaky, clock = console(spec)
    inc, _ = svc.declare("db down")
    typed_at = clock.now
    flaky.fail, flaky.landed = 1, landed
    line = svc.pending.line("note", inc.id, "customer count 41", "")
    with pytest.raises(StoreUnavailable):
        svc.note(inc.id, "customer count 41", line=line)
    clock.now += timedelta(seconds=40)  # the responder retypes the line 40 s later
    again = svc.pending.line("note", inc.id, "customer count 41", "")
    assert again.client_id == line.client_id
    event = svc.note(inc.id, "customer count 41", line=again)
    notes = kinds(svc, inc.id, EventKind.NOTE)
    assert len(notes) == 1
    assert notes[0].seq == event.seq and notes[0].at == typed_at
    assert notes[0].data["client_id"] == line.client_id
    assert len(svc.pending) == 0
    # Settled: the same text typed again later is a new line, stored again.
    svc.note(
        inc.id, "customer count 41", line=svc.pending.line("note", inc.id, "customer count 41", "")
    )
    assert len(kinds(svc, inc.id, EventKind.NOTE)) == 2
    assert svc.verify() == []


def test_retried_status_change_whose_commit_landed_is_not_an_error(spec: StoreSpec) -> None:
    svc, flaky, _ = console(spec)
    inc, _ = svc.declare("db down")
    flaky.fail, flaky.landed = 1, True
    line = svc.pending.line("status", inc.id, "contained", "")
    with pytest.raises(StoreUnavailable):
        svc.set_status(inc.id, Status.CONTAINED, line=line)
    # Without the client id this retry would say "already contained" or write twice.
    current, event = svc.set_status(
        inc.id, Status.CONTAINED, line=svc.pending.line("status", inc.id, "contained", "")
    )
    assert current.status == Status.CONTAINED
    assert [e.seq for e in kinds(svc, inc.id, EventKind.STATUS_CHANGE)] == [event.seq]


@pytest.mark.parametrize("landed", [False, True], ids=["lost-before-commit", "ack-lost"])
def test_retried_declare_creates_one_incident(spec: StoreSpec, landed: bool) -> None:
    svc, flaky, _ = console(spec)
    svc.declare("an older one")
    flaky.fail, flaky.landed = 1, landed
    line = svc.pending.line("declare", "payments 500s", "high", None)
    with pytest.raises(StoreUnavailable):
        svc.declare("payments 500s", severity="high", line=line)
    inc, events = svc.declare(
        "payments 500s",
        severity="high",
        line=svc.pending.line("declare", "payments 500s", "high", None),
    )
    titles = [i.title for i in svc.list_incidents()]
    assert titles == ["an older one", "payments 500s"]
    assert inc.title == "payments 500s" and events[-1].kind == EventKind.DECLARED
    assert events[-1].data["client_id"] == line.client_id


def test_a_failed_line_is_forgotten_after_a_while() -> None:
    clock = Clock()
    pending = PendingLines(clock)
    first = pending.line("note", "INC-1", "x")
    assert pending.line("note", "INC-1", "x") is first
    assert pending.line("note", "INC-1", "y").client_id != first.client_id
    clock.now += PENDING_FOR + timedelta(seconds=1)
    later = pending.line("note", "INC-1", "x")
    assert later.client_id != first.client_id and later.at == clock.now


@pytest.mark.parametrize("landed", [False, True], ids=["lost-before-commit", "ack-lost"])
def test_retried_declare_from_a_signal_creates_one_incident(spec: StoreSpec, landed: bool) -> None:
    from ircmd.domain.config import Config
    from ircmd.domain.signals.signals import Signal
    from ircmd.service.signals.service import SignalService

    svc, flaky, _ = console(spec)
    signals = SignalService(flaky, svc, Config(), sources=[])
    sig = Signal(
        source="am",
        fingerprint="beef",
        labels={"alertname": "RefundSpike"},
        starts_at=datetime(2026, 3, 1, 11, 58, tzinfo=UTC),
    )
    flaky.fail, flaky.landed = 1, landed
    line = signals.declare_line(sig, "Refund spike", "high", None)
    with pytest.raises(StoreUnavailable):
        signals.declare_from_signal(sig, title="Refund spike", severity="high", line=line)
    again = signals.declare_line(sig, "Refund spike", "high", None)
    assert again.client_id == line.client_id
    inc, events = signals.declare_from_signal(
        sig, title="Refund spike", severity="high", line=again
    )
    assert [i.title for i in svc.list_incidents()] == ["Refund spike"]
    assert [e.kind for e in events] == [EventKind.SIGNAL, EventKind.DECLARED]
    assert events[0].data["client_id"] == line.client_id
    assert [e.kind for e in svc.timeline(inc.id)][:2] == [EventKind.SIGNAL, EventKind.DECLARED]
