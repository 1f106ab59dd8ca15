"""The keyed timeline: attacks by someone who can rewrite the store but has not got the key.

Every attack leaves a self-consistent hash chain (hashes recomputed, the incident's head
re-pointed), so the plain-hash checks pass; the MACs under the key kept outside the store are
what catch them, on both stores, and the problem names the event."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ircmd.cli import main
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event
from ircmd.store import IncidentStore
from ircmd.store.chainkey import MANIFEST_KEY, META
from ircmd.store.tinydb.raw import export_raw, verify_raw
from tests.store.storekit import StoreSpec, postgres_dsn, service, tinydb_journal

Records = list[dict[str, Any]]


def rehash(incident_id: str, records: Records) -> Records:
    """What an attacker without the key can do: renumber and recompute every hash.

    Each event keeps the MAC it carried (the attacker cannot compute a new one)."""
    out: Records = []
    prev: TimelineEvent | None = None
    for n, rec in enumerate(records, start=1):
        ev = new_event(
            incident_id=incident_id,
            prev=prev,
            kind=EventKind(rec["kind"]),
            at=TimelineEvent.from_record(rec).at,
            author=rec["author"],
            text=rec["text"],
            data=rec["data"],
        )
        ev = ev.model_copy(update={"seq": n}) if ev.seq != n else ev
        new = ev.to_record()
        if rec.get("mac"):
            new["mac"] = rec["mac"]
        out.append(new)
        prev = ev
    return out


def rewrite(store: IncidentStore, incident_id: str, records: Records, head_mac: str | None) -> None:
    """Replace the incident's timeline and re-point its head, as a file or SQL edit would."""
    raw = export_raw(store)
    number = int(incident_id.split("-")[1])
    incident = dict(raw.incidents[number])
    incident["head_seq"] = records[-1]["seq"]
    incident["head_hash"] = records[-1]["hash"]
    if head_mac is not None:
        incident["head_mac"] = head_mac
    old = raw.events[incident_id]
    location = store.location
    if location.startswith("postgres"):
        import psycopg

        from ircmd.store.postgres.conn import json_columns

        with psycopg.connect(postgres_dsn(store)) as conn:
            # A superuser skips the append-only trigger: what the key must still catch.
            conn.execute("SET session_replication_role = replica")
            conn.execute("DELETE FROM ircmd_events WHERE incident_id = %s", (incident_id,))
            for rec in records:
                conn.execute(
                    "INSERT INTO ircmd_events (incident_id, seq, record) VALUES (%s, %s, %s)",
                    (incident_id, rec["seq"], json.dumps(rec)),
                )
            value, text = json_columns(incident)
            conn.execute(
                "UPDATE ircmd_incidents SET record = %s, raw = %s WHERE number = %s",
                (value, text, number),
            )
        return
    journal = tinydb_journal(store)
    table = f"events:{incident_id}"
    ops: list[Any] = [["del", table, str(r["seq"])] for r in old]
    ops += [["put", table, str(r["seq"]), r] for r in records]
    ops.append(["put", "incidents", str(number), incident])
    with journal.locked():
        journal.catch_up()
        journal.append(ops)


def drop_manifest(store: IncidentStore) -> None:
    if store.location.startswith("postgres"):
        import psycopg

        with psycopg.connect(postgres_dsn(store)) as conn:
            conn.execute(
                "DELETE FROM ircmd_docs WHERE collection = %s AND key = %s", (META, MANIFEST_KEY)
            )
    else:
        store.put_doc(META, MANIFEST_KEY, None)


def five_events(spec: StoreSpec) -> tuple[IncidentStore, str]:
    store = spec.open()
    svc = service(store)
    inc, _ = svc.declare("Refund assistant promises wrong refunds")
    for text in ("first look", "paused the workflow", "customer count 41", "root cause found"):
        svc.note(inc.id, text)
    assert store.verify() == []
    return store, inc.id


def edit(records: Records) -> Records:
    records[1]["text"] = "nothing to see here"
    return records


def remove(records: Records) -> Records:
    return records[:2] + records[3:]


def reorder(records: Records) -> Records:
    return [records[0], records[2], records[1], *records[3:]]


def rehash_everything(records: Records) -> Records:
    records[0]["author"] = "someone else"
    return records


ATTACKS: dict[str, tuple[Callable[[Records], Records], str]] = {
    # attack -> (what it does to the records, the event the problem must name)
    "edit": (edit, "event 2"),
    "remove": (remove, "event 3"),
    "reorder": (reorder, "event 2"),
    "rehash-everything": (rehash_everything, "event 1"),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_rewritten_self_consistent_chain_fails_verify(spec: StoreSpec, attack: str) -> None:
    store, inc = five_events(spec)
    change, where = ATTACKS[attack]
    records = rehash(inc, change(store.event_records(inc)))
    rewrite(store, inc, records, head_mac=None)
    raw = export_raw(store)
    # Without the MACs the forged chain is perfect: that is the attack the key stops.
    assert verify_raw(raw) == []
    problems = store.verify()
    assert any(p.startswith(f"{inc} {where}:") and "MAC" in p for p in problems), problems


def test_cut_tail_with_head_repointed_fails_verify(spec: StoreSpec) -> None:
    store, inc = five_events(spec)
    records = store.event_records(inc)[:-1]
    # The best an attacker can do for the head: reuse the MAC of the new last event.
    rewrite(store, inc, records, head_mac=records[-1]["mac"])
    assert verify_raw(export_raw(store)) == []
    problems = store.verify()
    assert any(p.startswith(f"{inc} event 4:") and "head's MAC" in p for p in problems), problems


def test_stripped_macs_and_manifest_are_noticed(spec: StoreSpec) -> None:
    store, inc = five_events(spec)
    records = [{k: v for k, v in r.items() if k != "mac"} for r in store.event_records(inc)]
    records[2]["text"] = "rewritten"
    rewrite(store, inc, rehash(inc, records), head_mac="")
    drop_manifest(store)
    assert verify_raw(export_raw(store)) == []
    # Reopening must not re-key the stripped store as if it were an old one.
    again = spec.open()
    problems = again.verify()
    assert any("carries no key manifest" in p for p in problems), problems


def test_forged_manifest_fails_verify(spec: StoreSpec) -> None:
    store, inc = five_events(spec)
    manifest = store.get_doc(META, MANIFEST_KEY)
    assert manifest is not None
    manifest["legacy_heads"] = {inc: 5}  # "these events predate the key": not without the key
    store.put_doc(META, MANIFEST_KEY, manifest)
    problems = store.verify()
    assert any("key manifest does not match" in p for p in problems), problems


def test_verify_without_the_key_is_a_failure(spec: StoreSpec) -> None:
    store, _ = five_events(spec)
    for key in (spec.tmp / "keys").glob("*.key"):
        key.unlink()
    problems = store.verify()
    assert any("not found (keyed events cannot be checked)" in p for p in problems), problems


def test_key_file_is_private_and_outside_the_store(spec: StoreSpec) -> None:
    store, _ = five_events(spec)
    keys = list((spec.tmp / "keys").glob("*.key"))
    assert len(keys) == 1
    assert keys[0].stat().st_mode & 0o777 == 0o600
    secret = json.loads(keys[0].read_text())["key"]
    assert secret not in json.dumps(export_raw(store).__dict__, default=str)


def test_existing_store_is_migrated_and_verify_says_from_where(
    spec: StoreSpec, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Make an "old" store: plain hashes only, no manifest, no key.
    store, inc = five_events(spec)
    old = [{k: v for k, v in r.items() if k != "mac"} for r in store.event_records(inc)]
    rewrite(store, inc, old, head_mac="")
    drop_manifest(store)
    for key in (spec.tmp / "keys").glob("*.key"):
        key.unlink()
    assert verify_raw(export_raw(store)) == []

    upgraded = spec.open()  # opening migrates it: old events keep their plain hashes
    service(upgraded).note(inc, "first keyed note")
    records = upgraded.event_records(inc)
    assert [bool(r.get("mac")) for r in records] == [False] * 5 + [True]
    assert upgraded.verify() == []

    monkeypatch.setenv("IRCMD_CONFIG", str(spec.config_path))
    for name, value in spec.env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["keyed"] is True and report["key_found"] is True
    assert report["keyed_from"] == {inc: 6}
    assert report["key"].startswith("key file ")

    # An old event rewritten and the whole chain rehashed: the keyed event's MAC catches it.
    forged = [dict(r) for r in records]
    forged[1]["text"] = "rewritten before the key existed"
    rewrite(upgraded, inc, rehash(inc, forged), head_mac=None)
    assert main(["verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert any(p.startswith(f"{inc} event 6:") for p in report["problems"]), report


def test_keyed_export_records_the_head_mac(tmp_path: Path) -> None:
    from ircmd.store.tinydb.store import TinyDBIncidentStore

    store = TinyDBIncidentStore(tmp_path / "data")
    svc = service(store)
    inc, _ = svc.declare("x")
    got = store.get_incident(inc.id)
    assert got is not None and got.head_mac
    assert store.event_records(inc.id)[-1]["mac"]


def test_export_records_the_head_mac_and_verify_bundle_checks_it(
    spec: StoreSpec, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, inc = five_events(spec)
    last_mac = store.event_records(inc)[-1]["mac"]
    for name, value in spec.env.items():
        monkeypatch.setenv(name, value)
    out = spec.tmp / "pkg"
    assert main(["export", inc, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["timeline"]["head_mac"] == last_mac
    capsys.readouterr()
    assert main(["verify-bundle", str(out), "--against-store"]) == 0
    capsys.readouterr()

    # A head MAC the key did not make: refused against the store, named as such.
    manifest["timeline"]["head_mac"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["verify-bundle", str(out), "--against-store"]) == 1
    assert "head MAC does not match this store's key" in capsys.readouterr().err

    # The export event in the store records the head MAC too.
    exports = [e for e in store.events(inc) if e.kind == EventKind.EXPORT]
    assert exports and exports[-1].data["timeline_head_mac"] == last_mac
