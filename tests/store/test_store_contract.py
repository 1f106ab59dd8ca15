"""The IncidentStore contract, run against BOTH backends (TinyDB file, real PostgreSQL).

Every behaviour the service layer relies on is asserted here once; a backend passes only
if it behaves exactly like the other one (same records, same hashes, same problem lines).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ircmd.domain.incidents.incident import DomainError, Incident, Severity
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event
from ircmd.store import Change, EventDraft, IncidentStore, StoreError, StoreUnreadable
from ircmd.store.postgres.store import PostgresIncidentStore
from ircmd.store.tinydb.raw import RawStore, export_raw, import_raw
from ircmd.store.tinydb.store import TinyDBIncidentStore
from tests.store.storekit import (
    HOSTILE,
    T0,
    StoreSpec,
    canonical,
    doc_of,
    incident_of,
    service,
    tinydb_journal,
)
from tests.support.waiting import poll_until

WORKER = Path(__file__).with_name("append_worker.py")
CLI = "import sys; from ircmd.cli import main; sys.exit(main())"


def run_worker(spec: StoreSpec, incident_id: str, count: int, tag: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), incident_id, str(count), tag],
        env=spec.env,
        stderr=subprocess.PIPE,
    )


def tamper(spec: StoreSpec, store: IncidentStore, incident_id: str, seq: int, **how: Any) -> None:
    """What an attacker with write access to the storage does behind ircmd's back."""
    if spec.kind == "tinydb":
        journal = tinydb_journal(store)
        table = f"events:{incident_id}"
        if how.get("delete"):
            journal.append([["del", table, str(seq)]])
        else:
            rec = dict(journal.tables[table][str(seq)], text=how["text"])
            journal.append([["put", table, str(seq), rec]])
        return
    import psycopg

    with psycopg.connect(spec.dsn, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # past the append-only trigger
        if how.get("delete"):
            conn.execute(
                "DELETE FROM ircmd_events WHERE incident_id = %s AND seq = %s", (incident_id, seq)
            )
        else:
            conn.execute(
                "UPDATE ircmd_events SET record = jsonb_set(record::jsonb, '{text}', "
                "to_jsonb(%s::text))::text WHERE incident_id = %s AND seq = %s",
                (how["text"], incident_id, seq),
            )


# -- declare and apply --------------------------------------------------------------------
def test_declare_allocates_ids_and_writes_the_declaration(spec: StoreSpec) -> None:
    store = spec.open()
    svc = service(store)
    first, events = svc.declare("Refund bot promises wrong refunds", severity="high")
    second, _ = svc.declare("Retriever leaks notes")
    assert (first.id, second.id) == ("INC-0001", "INC-0002")
    assert [e.seq for e in events] == [1]
    assert store.get_incident("INC-0001") == first
    assert store.get_incident("INC-0003") is None
    assert store.get_incident("not-an-id") is None
    assert [i.id for i in store.list_incidents()] == ["INC-0001", "INC-0002"]
    assert store.event_records("INC-0001") == [events[0].to_record()]
    assert store.event_count("INC-0002") == 1


def test_apply_chains_events_exactly_like_the_domain(spec: StoreSpec) -> None:
    store = spec.open()
    svc = service(store)
    inc, _ = svc.declare("Tool called with wrong account id")
    svc.note(inc.id, "first look")
    svc.set_severity(inc.id, "critical", reason="customers charged")
    records = store.event_records(inc.id)
    assert [r["seq"] for r in records] == [1, 2, 3]
    # Rebuild the chain with the domain function alone: same records, same hashes and MACs.
    assert isinstance(store, TinyDBIncidentStore | PostgresIncidentStore)
    key = store.chain_state().key
    assert key is not None
    prev: TimelineEvent | None = None
    for rec in records:
        ev = new_event(
            incident_id=inc.id,
            prev=prev,
            kind=EventKind(rec["kind"]),
            at=datetime.fromisoformat(rec["at"].replace("Z", "+00:00")),
            author=rec["author"],
            text=rec["text"],
            data=rec["data"],
            key=key,
        )
        assert ev.to_record() == rec
        prev = ev
    assert incident_of(store, inc.id).severity is Severity.CRITICAL
    assert [e.seq for e in store.events(inc.id, after_seq=1)] == [2, 3]
    assert store.events(inc.id)[2].hash == records[2]["hash"]
    assert store.verify() == []


def test_a_refused_decision_writes_nothing(spec: StoreSpec) -> None:
    store = spec.open()
    svc = service(store)
    inc, _ = svc.declare("x")
    token_docs = store.docs("controls")

    def refuse(current: Incident, last: TimelineEvent | None) -> Change:
        raise DomainError("not allowed")

    with pytest.raises(DomainError):
        store.apply(inc.id, refuse)

    def half(current: Incident, last: TimelineEvent | None) -> Change:
        return Change(
            incident=current.model_copy(update={"title": "changed"}),
            events=[EventDraft(EventKind.NOTE, T0, "ic", "n")],
            docs={("controls", "pause"): {"on": True}},
        )

    def other(current: Incident, last: TimelineEvent | None) -> Change:
        return Change(incident=current.model_copy(update={"id": "INC-0099"}))

    with pytest.raises(StoreError):
        store.apply(inc.id, other)
    assert store.event_count(inc.id) == 1
    assert incident_of(store, inc.id).title == "x"
    assert store.docs("controls") == token_docs == {}
    with pytest.raises(KeyError):
        store.apply("INC-0042", half)
    with pytest.raises(KeyError):
        store.apply("bogus", half)
    store.apply(inc.id, half)
    assert store.get_doc("controls", "pause") == {"on": True}
    assert store.event_count(inc.id) == 2


def test_hostile_text_is_stored_and_read_back_exactly(spec: StoreSpec) -> None:
    store = spec.open()
    svc = service(store)
    inc, _ = svc.declare("\x00 title [b]bold[/b]")
    for text in HOSTILE:
        svc.note(inc.id, text)
    store.put_doc("evidence", "span \x1b[31m", {"body": HOSTILE, "n": 1.5, "big": 2**70})
    other = spec.open()
    assert [e.text for e in other.events(inc.id)][1:] == HOSTILE
    assert incident_of(other, inc.id).title == "\x00 title [b]bold[/b]"
    assert other.get_doc("evidence", "span \x1b[31m") == {
        "body": HOSTILE,
        "n": 1.5,
        "big": 2**70,
    }
    assert other.verify() == []


# -- documents ------------------------------------------------------------------------------
def test_documents_put_get_delete(spec: StoreSpec) -> None:
    store = spec.open()
    store.put_doc("controls", "a", {"state": "on", "nested": {"k": [1, 2]}})
    store.put_doc("controls", "b", {"state": "off"})
    store.put_doc("reviews", "a", {"x": 1})
    store.put_doc("controls", "b", {"state": "on"})
    assert store.get_doc("controls", "a") == {"state": "on", "nested": {"k": [1, 2]}}
    assert store.docs("controls") == {
        "a": {"state": "on", "nested": {"k": [1, 2]}},
        "b": {"state": "on"},
    }
    # A returned document is a copy: changing it changes nothing stored.
    got = store.get_doc("controls", "a")
    assert got is not None
    got["state"] = "mutated"
    assert doc_of(store, "controls", "a")["state"] == "on"
    store.put_doc("controls", "a", None)
    store.put_doc("controls", "missing", None)
    assert store.get_doc("controls", "a") is None
    assert spec.open().docs("controls") == {"b": {"state": "on"}}
    assert store.docs("nothing") == {}


# -- live updates ------------------------------------------------------------------------------
def test_change_token_changes_on_another_process_write(spec: StoreSpec) -> None:
    store = spec.open()
    inc, _ = service(store).declare("watch me")
    watcher = spec.open()
    spec.listening(watcher)
    token = watcher.change_token()
    time.sleep(0.4)  # the behaviour under test: time passes, nobody writes, nothing moves
    assert watcher.change_token() == token, "the token changed although nobody wrote"
    proc = subprocess.run(
        [sys.executable, "-c", CLI, "incident", "note", inc.id, "from another console"],
        env=spec.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert poll_until(lambda: watcher.change_token() != token, timeout=5)
    assert watcher.events(inc.id)[-1].text == "from another console"
    token = watcher.change_token()
    store.put_doc("controls", "pause", {"on": True})
    assert poll_until(lambda: watcher.change_token() != token, timeout=5)


# -- concurrency -----------------------------------------------------------------------------
def test_concurrent_appends_from_threads_and_processes(spec: StoreSpec) -> None:
    store = spec.open()
    inc, _ = service(store).declare("busy incident")
    threads_n, per_thread, procs_n, per_proc = 4, 15, 3, 15
    errors: list[BaseException] = []

    def append(tag: str) -> None:
        try:
            svc = service(store, actor=tag)
            for i in range(per_thread):
                svc.note(inc.id, f"{tag}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    procs = [run_worker(spec, inc.id, per_proc, f"p{n}") for n in range(procs_n)]
    threads = [threading.Thread(target=append, args=(f"t{n}",)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert errors == []
    texts = [r["text"] for r in spec.open().event_records(inc.id)][1:]
    expected = {f"t{n}-{i}" for n in range(threads_n) for i in range(per_thread)}
    expected |= {f"p{n}-{i}" for n in range(procs_n) for i in range(per_proc)}
    assert len(texts) == len(expected), "lost or duplicated appends"
    assert set(texts) == expected
    seqs = [e.seq for e in store.events(inc.id)]
    assert seqs == list(range(1, len(expected) + 2))
    assert store.verify() == []


def test_concurrent_declarations_get_distinct_gap_free_ids(spec: StoreSpec) -> None:
    consoles = [spec.open() for _ in range(4)]
    ids: list[str] = []
    lock = threading.Lock()

    def declare(store: IncidentStore, n: int) -> None:
        svc = service(store)
        for i in range(5):
            inc, _ = svc.declare(f"incident {n}.{i}")
            with lock:
                ids.append(inc.id)

    threads = [threading.Thread(target=declare, args=(s, n)) for n, s in enumerate(consoles)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ids) == [f"INC-{n:04d}" for n in range(1, 21)]
    assert consoles[0].verify() == []


# -- integrity ---------------------------------------------------------------------------------
def test_verify_names_edited_and_removed_events_the_same_way(spec: StoreSpec) -> None:
    store = spec.open()
    svc = service(store)
    a, _ = svc.declare("a")
    b, _ = svc.declare("b")
    for i in range(3):
        svc.note(a.id, f"a{i}")
        svc.note(b.id, f"b{i}")
    assert store.verify() == []
    tamper(spec, store, a.id, 2, text="history rewritten")
    tamper(spec, store, b.id, 3, delete=True)
    assert spec.open().verify() == [
        "INC-0001 event 2: content does not match its hash (edited)",
        "INC-0002 event 4: expected event 3 here; events missing (removed?)",
    ]


def test_a_store_of_a_newer_schema_is_refused_and_left_untouched(spec: StoreSpec) -> None:
    store = spec.open()
    service(store).declare("kept")
    store.close()
    if spec.kind == "tinydb":
        path = Path(store.location)
        lines = path.read_bytes().split(b"\n", 1)
        future = b'{"format":"ircmd-store","schema":99}\n' + lines[1]
        path.write_bytes(future)
        with pytest.raises(StoreUnreadable, match="newer"):
            spec.open()
        assert path.read_bytes() == future
        return
    import psycopg

    with psycopg.connect(spec.dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO ircmd_schema_migrations (version, description) VALUES (99, 'x')")
    with pytest.raises(StoreUnreadable, match="schema 99, newer than this ircmd") as info:
        spec.open()
    assert "\n" not in str(info.value)
    with psycopg.connect(spec.dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT version FROM ircmd_schema_migrations ORDER BY 1").fetchall()
        assert rows == [(1,), (99,)]
        assert conn.execute("SELECT count(*) FROM ircmd_incidents").fetchone() == (1,)


# -- bulk copy ------------------------------------------------------------------------------------
def test_import_refuses_to_merge_into_existing_ids(spec: StoreSpec, tmp_path: Path) -> None:
    store = spec.open()
    svc = service(store)
    inc, _ = svc.declare("already here")
    store.put_doc("controls", "k", {"v": 1})
    before = export_raw(store)
    clash = RawStore(
        incidents={1: before.incidents[1], 2: {**before.incidents[1], "id": "INC-0002"}},
        events={"INC-0001": before.events[inc.id]},
    )
    with pytest.raises(StoreError, match="already holds incidents INC-0001; nothing was copied"):
        import_raw(store, clash)
    with pytest.raises(StoreError, match="documents controls/k"):
        import_raw(store, RawStore(docs={"controls": {"k": {"v": 2}}}))
    after = export_raw(store)
    assert after == before


@pytest.mark.services  # both directions copy between TinyDB and the real PostgreSQL
def test_export_import_round_trip_keeps_records_byte_for_byte(
    spec: StoreSpec, request: pytest.FixtureRequest
) -> None:
    source = spec.open()
    svc = service(source)
    for n in range(3):
        inc, _ = svc.declare(f"incident {n}")
        for text in HOSTILE:
            svc.note(inc.id, text)
    source.put_doc("evidence", "e1", {"span": {"attrs": {"x": 1.25}}, "sha": "ab"})
    raw = export_raw(source)
    # Into an empty store of the other kind, then read back.
    other_dir = spec.tmp / "other"
    other_dir.mkdir()
    if spec.kind == "tinydb":
        other = StoreSpec("postgres", other_dir, dsn=request.getfixturevalue("pg_dsn"))
    else:
        other = StoreSpec("tinydb", other_dir)
    target = other.open()
    # The chain key stays outside the store: a copy read under another config dir needs
    # the key file copied too (docs/security.md).
    import shutil

    shutil.copytree(spec.tmp / "keys", other_dir / "keys", dirs_exist_ok=True)
    try:
        import_raw(target, raw)
        copied = export_raw(target)
        assert canonical(copied) == canonical(raw)
        assert target.verify() == []
        inc_next, _ = service(target).declare("after the copy")
        assert inc_next.id == "INC-0004"
    finally:
        other.close_all()


def test_health_is_reported_for_the_status_bar(spec: StoreSpec) -> None:
    from ircmd.store.health import store_health

    store = spec.open()
    ok, line = store_health(store)
    assert ok is True
    assert store.location in line and "\n" not in line


def test_a_decision_may_read_the_store_from_many_threads(spec: StoreSpec) -> None:
    """``decide`` reading the store while the store holds its lock (TinyDB) or a pooled
    connection (PostgreSQL) must not deadlock, even with more threads than connections."""
    store = spec.open()
    inc, _ = service(store).declare("reads inside decide")
    store.put_doc("counters", "n", {"value": 0})

    def bump(current: Incident, last: TimelineEvent | None) -> Change:
        value = doc_of(store, "counters", "n")["value"]
        return Change(
            incident=current,
            events=[EventDraft(EventKind.NOTE, T0, "ic", f"bump {value}")],
            docs={("counters", "n"): {"value": value + 1}},
        )

    def work() -> None:
        for _ in range(5):
            store.apply(inc.id, bump)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "deadlocked"
    assert store.get_doc("counters", "n") == {"value": 40}
    texts = [e.text for e in store.events(inc.id)][1:]
    assert texts == [f"bump {n}" for n in range(40)]
    assert store.verify() == []


def test_heartbeats_leave_the_change_token_alone(spec: StoreSpec) -> None:
    """Presence heartbeats (``QUIET_COLLECTIONS``) wake no console; any other write does."""
    store = spec.open()
    service(store).declare("quiet please")
    watcher = spec.open()
    spec.listening(watcher)
    token = watcher.change_token()
    store.put_doc("presence", "console-a", {"actor": "a", "at": "2026-01-01T00:00:00+00:00"})
    watcher.put_doc("presence", "console-b", {"actor": "b", "at": "2026-01-01T00:00:00+00:00"})
    assert poll_until(lambda: len(watcher.docs("presence")) == 2, timeout=5)
    # the NOTIFYs of both beats arrive and must be ignored: no event marks an ignored
    # NOTIFY, so this waits a bounded time (the absence is what is tested)
    time.sleep(0.4)
    assert watcher.change_token() == token, "a heartbeat moved the change token"
    store.put_doc("controls", "pause", {"on": True})
    assert poll_until(lambda: watcher.change_token() != token, timeout=5)
