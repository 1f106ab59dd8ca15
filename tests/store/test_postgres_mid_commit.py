"""The PostgreSQL store losing its connection in the middle of a write (real PostgreSQL; the
backend is terminated with ``pg_terminate_backend`` from an admin connection while the write's
transaction is open, between its statements): nothing lost, nothing doubled, one line.

The DSN carries a random password (the role is created with it), which no error may show."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.service.incidents.service import IncidentService
from ircmd.store.base import Change, Create, Decide, EventDraft, StoreUnavailable
from tests.store.storekit import StoreSpec, with_params

ACTED = datetime(2026, 3, 1, 12, 0, 3, tzinfo=UTC)


@pytest.fixture
def secret_dsn(pg_dsn: str) -> Iterator[tuple[str, str]]:
    """``(dsn, password)``: the test schema reached as a role with a random password."""
    password = "pw-" + secrets.token_urlsafe(18)
    role = f"ircmd_mid_{secrets.token_hex(3)}"
    schema = str(psycopg.conninfo.conninfo_to_dict(pg_dsn)["options"]).split("=")[-1]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        conn.execute(f"GRANT ALL ON SCHEMA {schema} TO {role}")
        conn.execute(f"GRANT CREATE ON DATABASE {conn.info.dbname} TO {role}")
    yield with_params(pg_dsn, user=role, password=password), password
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role} CASCADE")
        conn.execute(f"DROP ROLE {role}")


class Cutter:
    """Terminates, from an admin connection, the backend that holds an open transaction on
    the test database (the store's write, paused inside its ``decide``/``make``)."""

    def __init__(self, admin_dsn: str) -> None:
        self.admin = admin_dsn
        self.cuts = 0

    def cut(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state LIKE 'idle in transaction%'"
            ).fetchall()
        assert rows and all(r[0] for r in rows), "no open write transaction to cut"
        self.cuts += len(rows)


def note(client_id: str, cutter: Cutter, times: int = 1) -> Decide:
    calls = [0]

    def decide(current: Incident, last: TimelineEvent | None) -> Change:
        calls[0] += 1
        if calls[0] <= times:
            cutter.cut()  # mid-transaction: the row lock is held, nothing written yet
        draft = EventDraft(
            kind=EventKind.NOTE,
            at=ACTED,
            author="maria",
            text="refunds paused",
            client_id=client_id,
        )
        return Change(incident=current, events=[draft])

    return decide


def open_spec(tmp_path: Path, dsn: str) -> StoreSpec:
    return StoreSpec("postgres", tmp_path, dsn=dsn)


def notes(spec: StoreSpec, iid: str) -> list[TimelineEvent]:
    fresh = spec.open()  # another console: what is really stored
    return [e for e in fresh.events(iid) if e.kind == EventKind.NOTE]


def test_a_write_cut_mid_transaction_is_stored_once(
    tmp_path: Path, secret_dsn: tuple[str, str], pg_dsn: str
) -> None:
    dsn, _ = secret_dsn
    spec = open_spec(tmp_path, dsn)
    store = spec.open()
    svc = IncidentService(store=store, config=Config(), actor="maria")
    inc, _ = svc.declare("payments 500s")
    cutter = Cutter(pg_dsn)
    # The write carries its client id: the store retries it once on a new connection.
    _, written = store.apply(inc.id, note("line-1", cutter))
    assert cutter.cuts == 1 and [e.data["client_id"] for e in written] == ["line-1"]
    got = notes(spec, inc.id)
    assert [(e.text, e.at) for e in got] == [("refunds paused", ACTED)]
    # The retyped line after that is still one copy.
    store.apply(inc.id, note("line-1", cutter, times=0))
    assert len(notes(spec, inc.id)) == 1
    assert store.verify() == []
    spec.close_all()


def test_a_cut_write_without_a_client_id_fails_in_one_line_and_saves_nothing(
    tmp_path: Path, secret_dsn: tuple[str, str], pg_dsn: str
) -> None:
    dsn, password = secret_dsn
    spec = open_spec(tmp_path, dsn)
    store = spec.open()
    svc = IncidentService(store=store, config=Config(), actor="maria")
    inc, _ = svc.declare("payments 500s")
    cutter = Cutter(pg_dsn)
    before = len(store.events(inc.id))
    with pytest.raises(StoreUnavailable) as failed:
        store.apply(inc.id, note("", cutter))
    message = str(failed.value)
    assert "\n" not in message and message.strip()
    assert password not in message and "pw-" not in message
    assert len(store.events(inc.id)) == before  # nothing half-written
    # The store recovers: the next write (a new connection) is saved once.
    store.apply(inc.id, note("", cutter, times=0))
    assert len(notes(spec, inc.id)) == 1 and store.verify() == []
    spec.close_all()


def test_a_declare_cut_mid_transaction_and_retried_creates_one_incident(
    tmp_path: Path, secret_dsn: tuple[str, str], pg_dsn: str
) -> None:
    dsn, password = secret_dsn
    spec = open_spec(tmp_path, dsn)
    store = spec.open()
    svc = IncidentService(store=store, config=Config(), actor="maria")
    cutter = Cutter(pg_dsn)
    real = store.create_incident
    first = [True]

    def create(make: Create) -> tuple[Incident, list[TimelineEvent]]:
        def cut_then_make(incident_id: str) -> Change:
            if first[0]:
                first[0] = False
                cutter.cut()
            return make(incident_id)

        return real(cut_then_make)

    store.create_incident = create  # type: ignore[method-assign]
    line = svc.pending.line("declare", "payments 500s", "medium", None)
    with pytest.raises(StoreUnavailable) as failed:
        svc.declare("payments 500s", line=line)
    assert password not in str(failed.value) and "\n" not in str(failed.value)
    again = svc.pending.line("declare", "payments 500s", "medium", None)
    inc, _ = svc.declare("payments 500s", line=again)
    fresh = spec.open()
    assert [i.title for i in fresh.list_incidents()] == ["payments 500s"]
    assert inc.id == fresh.list_incidents()[0].id and fresh.verify() == []
    spec.close_all()


# -- the console: what it says when a commit's outcome is unknown ---------------------------


def _pg_console(
    tmp_path: Path, dsn: str, admin_dsn: str
) -> tuple[Any, StoreSpec, Cutter, list[int]]:
    """A workspace on the real PostgreSQL store whose next ``budget[0]`` note/declare writes
    have their backend terminated once all their reads are done: the COMMIT then fails,
    outcome unknown (fault injection on the store's private ``_write_change``)."""
    from ircmd.service import Workspace
    from ircmd.service.config import parse_config

    spec = open_spec(tmp_path, dsn)
    store = spec.open()
    svc = IncidentService(store=store, config=Config(), actor="maria")
    ws = Workspace(config=parse_config(""), data_dir=tmp_path / "data", store=store, incidents=svc)
    cutter = Cutter(admin_dsn)
    budget = [0]
    real = store._write_change  # type: ignore[attr-defined]

    def write_change(
        tx: Any, change: Change, incident_id: str, last: TimelineEvent | None
    ) -> list[TimelineEvent]:
        # after every read of the write (lock, client-id lookup): what fails is the COMMIT
        kinds = {d.kind for d in change.events}
        if budget[0] and kinds & {EventKind.NOTE, EventKind.DECLARED}:
            budget[0] -= 1
            cutter.cut()
        return real(tx, change, incident_id, last)  # type: ignore[no-any-return]

    store._write_change = write_change  # type: ignore[attr-defined]
    return ws, spec, cutter, budget


async def test_war_room_note_cut_mid_commit_says_may_not_have_been_saved_then_not_saved(
    tmp_path: Path, secret_dsn: tuple[str, str], pg_dsn: str
) -> None:
    from textual.widgets import Static

    from ircmd.tui.app import IrcmdApp
    from ircmd.tui.widgets.incidents.timeline import TimelineView
    from tests.support.waiting import shown, wait_until

    dsn, password = secret_dsn
    ws, spec, cutter, budget = _pg_console(tmp_path, dsn, pg_dsn)
    inc, _ = ws.incidents.declare("payments 500s")
    budget[0] = 2  # the note's commit and the store's own retry of it
    app = IrcmdApp(ws, open_incident=inc.id)
    said: list[str] = []

    def feedback() -> str:
        said.append(str(app.screen.query_one("#cmd-feedback", Static).render()))
        return said[-1]

    async with app.run_test(size=(200, 30)) as pilot:
        timeline = await wait_until(pilot, lambda: shown(app, TimelineView))
        await wait_until(pilot, lambda: len(timeline.events) == 1, what="the declared event")
        await pilot.press("n", *"refunds paused", "enter")
        await wait_until(pilot, lambda: "was not saved" in feedback(), what="the answer")
        assert cutter.cuts == 2
        assert "note added was not saved (checked by its client id); : then ↑ retries" in said[-1]
        assert not any("nothing saved" in s for s in said)
        assert all(password not in s for s in said)
        await pilot.press("n", *"refunds paused", "enter")  # retyped: the same client id
        await wait_until(pilot, lambda: feedback().strip(" ✔") == "note added", what="the ✔")
    assert [(e.text, e.data["client_id"] != "") for e in notes(spec, inc.id)] == [
        ("refunds paused", True)
    ]
    assert spec.open().verify() == []
    spec.close_all()


async def test_declare_cut_mid_commit_is_checked_then_declared_once(
    tmp_path: Path, secret_dsn: tuple[str, str], pg_dsn: str
) -> None:
    from ircmd.tui.app import IrcmdApp
    from tests.support.waiting import wait_until

    dsn, _ = secret_dsn
    ws, spec, cutter, budget = _pg_console(tmp_path, dsn, pg_dsn)
    budget[0] = 1
    app = IrcmdApp(ws)

    def notices() -> list[str]:
        return [str(n.message) for n in app._notifications]

    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "IncidentsScreen")
        await pilot.press("n")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DeclarePrompt")
        await pilot.press(*"payments 500s", "enter")
        await wait_until(
            pilot,
            lambda: any("the declare was not saved" in n for n in notices()),
            what="the check's answer",
        )
        assert cutter.cuts == 1
        assert any("may not have been saved; checking" in n for n in notices())
        await pilot.press("n")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DeclarePrompt")
        await pilot.press(*"payments 500s", "enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
    fresh = spec.open()
    assert [i.title for i in fresh.list_incidents()] == ["payments 500s"]
    assert fresh.verify() == []
    spec.close_all()
