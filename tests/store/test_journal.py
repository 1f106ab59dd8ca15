"""The TinyDB journal store: durability, torn writes, corruption, schema, other processes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tinydb import Query

from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import IncidentService
from ircmd.store.base import StoreUnreadable
from ircmd.store.tinydb.journal import JournalStorage, encode_record
from ircmd.store.tinydb.store import STORE_FILENAME, TinyDBIncidentStore


def make_service(path: Path) -> IncidentService:
    return IncidentService(store=TinyDBIncidentStore(path), actor="ann")


def test_declare_note_and_reopen(tmp_path: Path) -> None:
    svc = make_service(tmp_path)
    inc, events = svc.declare("Refund bot promises refunds", severity="high")
    assert inc.id == "INC-0001"
    assert [e.kind for e in events] == [EventKind.DECLARED]
    svc.note(inc.id, "first note")
    svc.set_status(inc.id, "triaged")
    svc.store.close()

    again = make_service(tmp_path)
    got = again.get("INC-0001")
    assert got.status.value == "triaged"
    assert [e.text for e in again.timeline(inc.id)][1] == "first note"
    assert again.verify() == []


def test_ids_are_sequential_across_instances(tmp_path: Path) -> None:
    a, b = make_service(tmp_path), make_service(tmp_path)
    assert a.declare("one")[0].id == "INC-0001"
    assert b.declare("two")[0].id == "INC-0002"
    assert a.declare("three")[0].id == "INC-0003"
    assert [i.title for i in b.list_incidents()] == ["one", "two", "three"]


def test_another_instance_sees_changes_and_the_token_moves(tmp_path: Path) -> None:
    a, b = make_service(tmp_path), make_service(tmp_path)
    inc, _ = a.declare("shared")
    token = b.store.change_token()
    a.note(inc.id, "from console A")
    assert b.store.change_token() != token
    assert b.timeline(inc.id)[-1].text == "from console A"


def test_a_refused_command_writes_nothing(tmp_path: Path) -> None:
    svc = make_service(tmp_path)
    inc, _ = svc.declare("x")
    size = (tmp_path / STORE_FILENAME).stat().st_size
    with pytest.raises(ValueError):
        svc.set_status(inc.id, "reviewed")
    assert (tmp_path / STORE_FILENAME).stat().st_size == size


def test_a_torn_tail_is_ignored_and_cut_by_the_next_writer(tmp_path: Path) -> None:
    svc = make_service(tmp_path)
    inc, _ = svc.declare("x")
    svc.store.close()
    path = tmp_path / STORE_FILENAME
    with open(path, "ab") as f:
        f.write(encode_record([["put", "junk", "1", {"a": 1}]])[:-7])  # no newline: torn
    svc2 = make_service(tmp_path)
    assert svc2.verify() == []
    svc2.note(inc.id, "after the crash")
    raw = path.read_bytes()
    assert b"junk" not in raw
    assert svc2.timeline(inc.id)[-1].text == "after the crash"
    assert make_service(tmp_path).verify() == []


def test_a_damaged_record_makes_the_store_unreadable_and_untouched(tmp_path: Path) -> None:
    svc = make_service(tmp_path)
    inc, _ = svc.declare("x")
    svc.note(inc.id, "important")
    svc.store.close()
    path = tmp_path / STORE_FILENAME
    data = bytearray(path.read_bytes())
    index = data.index(b"important")
    data[index] = ord("I")
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(StoreUnreadable) as err:
        make_service(tmp_path)
    msg = str(err.value)
    assert str(path) in msg and "checksum" in msg and "left untouched" in msg
    assert "\n" not in msg
    assert path.read_bytes() == before


def test_a_store_from_a_newer_ircmd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    path.write_text(json.dumps({"format": "ircmd-store", "schema": 99}) + "\n")
    with pytest.raises(StoreUnreadable, match="newer ircmd"):
        make_service(tmp_path)
    assert json.loads(path.read_text())["schema"] == 99


def test_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    path.write_text('{"_default": {}}\n')
    with pytest.raises(StoreUnreadable, match="not an ircmd store header"):
        make_service(tmp_path)


def test_stray_temp_files_of_dead_processes_are_removed(tmp_path: Path) -> None:
    make_service(tmp_path).store.close()
    stray = tmp_path / f"{STORE_FILENAME}.tmp-999999999"
    stray.write_text("half a compaction")
    make_service(tmp_path)
    assert not stray.exists()


def test_compaction_keeps_everything_and_other_instances_reload(tmp_path: Path) -> None:
    a, b = make_service(tmp_path), make_service(tmp_path)
    inc, _ = a.declare("x")
    for i in range(50):
        a.note(inc.id, f"n{i}")
    store = a.store
    assert isinstance(store, TinyDBIncidentStore)
    before, after = store.compact()
    assert after < before
    b.note(inc.id, "after compaction")  # b had the old file open: must reload, not clobber
    assert [e.text for e in a.timeline(inc.id)][-1] == "after compaction"
    assert a.verify() == [] and len(a.timeline(inc.id)) == 52


def test_plain_tinydb_table_api_is_safe_across_instances(tmp_path: Path) -> None:
    s1, s2 = TinyDBIncidentStore(tmp_path), TinyDBIncidentStore(tmp_path)
    t1, t2 = s1.db.table("scratch"), s2.db.table("scratch")
    ids = [t1.insert({"n": 1}), t2.insert({"n": 2}), t1.insert({"n": 3})]
    assert ids == [1, 2, 3]
    t2.update({"n": 20}, doc_ids=[2])
    assert sorted(d["n"] for d in t1.all()) == [1, 3, 20]
    assert t1.search(Query().n == 20)[0].doc_id == 2
    t1.remove(doc_ids=[1])
    assert sorted(d["n"] for d in TinyDBIncidentStore(tmp_path).db.table("scratch").all()) == [
        3,
        20,
    ]


def test_every_write_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    svc = make_service(tmp_path)
    inc, _ = svc.declare("x")
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real(fd)))  # type: ignore[func-returns-value]
    svc.note(inc.id, "durable")
    assert calls, "a note was acknowledged without fsync"


def test_disk_full_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ircmd.store.base import StoreUnavailable

    svc = make_service(tmp_path)
    inc, _ = svc.declare("x")
    path = tmp_path / STORE_FILENAME
    size = path.stat().st_size
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        real_write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StoreUnavailable, match="nothing was saved"):
        svc.note(inc.id, "will not fit")
    monkeypatch.setattr(os, "write", real_write)
    assert path.stat().st_size == size
    svc.note(inc.id, "fits now")
    assert make_service(tmp_path).verify() == []


def test_journal_rejects_unknown_ops(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    JournalStorage(path)
    with open(path, "ab") as f:
        f.write(encode_record([["explode", "t"]]))
    with pytest.raises(StoreUnreadable, match="unknown operation"):
        JournalStorage(path)


def test_verify_finds_a_removed_tail_and_foreign_events(tmp_path: Path) -> None:
    svc = make_service(tmp_path)
    inc, _ = svc.declare("x")
    svc.note(inc.id, "a")
    svc.note(inc.id, "b")
    store = svc.store
    assert isinstance(store, TinyDBIncidentStore)
    store.journal.append(
        [["del", "events:INC-0001", "3"], ["put", "events:INC-0042", "1", {"seq": 1}]]
    )
    problems = store.verify()
    assert any("timeline ends at event 2" in p for p in problems)
    assert any("INC-0042: events stored for an unknown incident" in p for p in problems)
