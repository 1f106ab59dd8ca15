"""A write carries a client-generated id: a retry or a retyped line is stored once, at the
time the user acted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.store.base import Change, EventDraft
from tests.store.storekit import StoreSpec, service

ACTED = datetime(2026, 3, 1, 12, 0, 3, tzinfo=UTC)


def note(
    client_id: str, text: str = "customer count 41"
) -> Callable[[Incident, TimelineEvent | None], Change]:
    def decide(current: Incident, last: TimelineEvent | None) -> Change:
        draft = EventDraft(
            kind=EventKind.NOTE, at=ACTED, author="maria", text=text, client_id=client_id
        )
        return Change(incident=current, events=[draft])

    return decide


def test_same_client_id_is_stored_once_with_the_time_the_user_acted(spec: StoreSpec) -> None:
    store = spec.open()
    inc, _ = service(store).declare("x")
    _, first = store.apply(inc.id, note("line-7f3a"))
    other_console = spec.open()
    _, again = other_console.apply(inc.id, note("line-7f3a"))  # the retry / the retyped line
    assert [e.seq for e in again] == [e.seq for e in first] == [2]
    notes = [e for e in store.events(inc.id) if e.kind == EventKind.NOTE]
    assert len(notes) == 1
    assert notes[0].at == ACTED and notes[0].data["client_id"] == "line-7f3a"
    # A different id is a different line.
    store.apply(inc.id, note("line-9b21", "second line"))
    assert [e.text for e in store.events(inc.id) if e.kind == EventKind.NOTE] == [
        "customer count 41",
        "second line",
    ]
    assert store.verify() == []
