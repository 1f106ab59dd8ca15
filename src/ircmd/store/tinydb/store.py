"""The default incident store: TinyDB over :class:`JournalStorage`, one file per data dir."""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import Query, TinyDB
from tinydb.table import Document, Table

from ircmd.domain.incidents.incident import Incident, format_incident_id, parse_incident_id
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.store.base import (
    CLIENT_ID,
    Change,
    Create,
    Decide,
    StoreError,
    chain_change,
    client_ids,
    drafts_to_write,
)
from ircmd.store.chainkey import ChainKeyState, KeySource, ensure_keyed, load_state
from ircmd.store.tinydb.journal import JournalStorage, Op
from ircmd.store.tinydb.tables import INCIDENTS as INCIDENTS
from ircmd.store.tinydb.tables import META as META
from ircmd.store.tinydb.tables import docs_table as docs_table
from ircmd.store.tinydb.tables import events_table as events_table

if TYPE_CHECKING:
    from ircmd.store.tinydb.raw import RawStore

STORE_FILENAME = "ircmd-store.jsonl"


class IrcmdTable(Table):
    """A TinyDB table that stays correct when several processes share the journal.

    Reads use the live, caught-up state (no copy). Writes through the plain TinyDB API
    (``insert``, ``update``...) run under the journal lock on a private copy and append
    only the difference; ids are allocated from the shared state, never from a cache.
    """

    default_query_cache_capacity = 0

    def __init__(self, storage: Any, name: str, cache_size: int = 0, persist_empty: bool = False):
        super().__init__(storage, name, cache_size=0, persist_empty=persist_empty)

    @property
    def _journal(self) -> JournalStorage:
        storage = self._storage
        assert isinstance(storage, JournalStorage)
        return storage

    def _get_next_id(self) -> int:
        return self._journal.max_key(self.name) + 1

    def insert(self, document: Any) -> int:
        with self._journal.locked():
            self._journal.catch_up()
            return super().insert(document)

    def insert_multiple(self, documents: Any) -> list[int]:
        with self._journal.locked():
            self._journal.catch_up()
            return super().insert_multiple(documents)

    def _update_table(self, updater: Any) -> None:
        journal = self._journal
        with journal.locked():
            journal.catch_up()
            current = journal.tables.get(self.name, {})
            table = {self.document_id_class(k): copy.deepcopy(v) for k, v in current.items()}
            updater(table)
            new = {str(k): v for k, v in table.items()}
            ops: list[Op] = [
                ["put", self.name, k, v] for k, v in new.items() if current.get(k) != v
            ]
            ops += [["del", self.name, k] for k in current if k not in new]
            journal.append(ops)
        self.clear_cache()


class IrcmdTinyDB(TinyDB):
    """TinyDB whose tables write through the journal (set per class, not on TinyDB)."""

    table_class = IrcmdTable


class TinyDBIncidentStore:
    """:class:`~ircmd.store.base.IncidentStore` on a local journal file."""

    def __init__(self, path: str | Path, *, key_source: KeySource | None = None) -> None:
        path = Path(path)
        if path.is_dir() or not path.suffix:
            path = path / STORE_FILENAME
        self.path = path
        self.location = str(path)
        self._storage_lock = threading.RLock()
        self.db = IrcmdTinyDB(str(path), storage=JournalStorage)
        storage = self.db.storage
        assert isinstance(storage, JournalStorage)
        self.journal: JournalStorage = storage
        # Every store is keyed; the default key dir is ``keys/`` beside the config file.
        self.key_source = key_source = key_source or KeySource(None, None)
        self.chain = ChainKeyState()
        if key_source is not None:
            with self.journal.locked():  # no declaration slips in while the store is keyed
                self.chain = ensure_keyed(self, key_source, only_if_used=True)

    def _key_for_new_incident(self) -> None:
        if self.key_source is not None and self.chain.manifest is None and not self.chain.problems:
            with self.journal.locked():
                self.chain = ensure_keyed(self, self.key_source, only_if_used=False)

    def chain_state(self) -> ChainKeyState:
        """The key state as stored now (re-read, so a tampered manifest is seen)."""
        if self.key_source is None:
            return self.chain
        return load_state(self, self.key_source)

    def close(self) -> None:
        self.db.close()

    # -- writes -------------------------------------------------------------------------
    def _write_change(
        self, change: Change, incident_id: str, last: TimelineEvent | None
    ) -> list[TimelineEvent]:
        if self.chain.manifest is None and self.key_source is not None:
            # Another console may have keyed the store since this one opened it.
            fresh = load_state(self, self.key_source)
            if fresh.manifest is not None:
                self.chain = fresh
        if self.chain.manifest is not None and self.chain.key is None and change.events:
            # Writing unkeyed events into a keyed chain would break it: refuse, write nothing.
            raise StoreError(
                f"{self.location}: nothing was saved: "
                + (self.chain.problems[0] if self.chain.problems else "chain key not found")
            )
        written = chain_change(change, incident_id, last, self.chain.key)
        ops: list[Op] = [
            ["put", events_table(incident_id), str(ev.seq), ev.to_record()] for ev in written
        ]
        incident = change.incident
        ops.append(
            [
                "put",
                INCIDENTS,
                str(parse_incident_id(incident_id)),
                incident.model_dump(mode="json"),
            ]
        )
        for (collection, key), doc in change.docs.items():
            if doc is None:
                ops.append(["del", docs_table(collection), key])
            else:
                ops.append(["put", docs_table(collection), key, doc])
        self.journal.append(ops)
        return written

    def _last_event(self, incident_id: str) -> TimelineEvent | None:
        table = events_table(incident_id)
        seq = self.journal.max_key(table)
        if not seq:
            return None
        rec = self.journal.tables.get(table, {}).get(str(seq))
        return TimelineEvent.from_record(rec) if rec is not None else None

    def create_incident(self, make: Create) -> tuple[Incident, list[TimelineEvent]]:
        self._key_for_new_incident()
        with self.journal.locked():
            self.journal.catch_up()
            number = self.journal.max_key(INCIDENTS) + 1
            incident_id = format_incident_id(number)
            change = make(incident_id)
            events = self._write_change(change, incident_id, None)
            return change.incident, events

    def apply(self, incident_id: str, decide: Decide) -> tuple[Incident, list[TimelineEvent]]:
        with self.journal.locked():
            self.journal.catch_up()
            current = self._get(incident_id)
            if current is None:
                raise KeyError(incident_id)
            last = self._last_event(incident_id)
            change = decide(current, last)
            wanted = set(client_ids(change))
            if wanted:
                table = self.journal.tables.get(events_table(incident_id), {})
                stored = {
                    str(r.get("data", {}).get(CLIENT_ID)): r
                    for r in table.values()
                    if r.get("data", {}).get(CLIENT_ID) in wanted
                }
                if drafts_to_write(change, set(stored)):
                    saved = [TimelineEvent.from_record(r) for r in stored.values()]
                    return current, sorted(saved, key=lambda e: e.seq)
            events = self._write_change(change, incident_id, last)
            return change.incident, events

    def put_doc(self, collection: str, key: str, doc: dict[str, Any] | None) -> None:
        op: Op = (
            ["del", docs_table(collection), key]
            if doc is None
            else ["put", docs_table(collection), key, doc]
        )
        self.journal.append([op])

    def put_doc_if_absent(self, collection: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Write ``doc`` unless one is stored under the key; return the stored one."""
        with self.journal.locked():
            self.journal.catch_up()
            held = self.journal.tables.get(docs_table(collection), {}).get(key)
            if held is not None:
                return copy.deepcopy(held)
            self.journal.append([["put", docs_table(collection), key, doc]])
            return doc

    # -- reads --------------------------------------------------------------------------
    def _get(self, incident_id: str) -> Incident | None:
        try:
            key = str(parse_incident_id(incident_id))
        except ValueError:
            return None
        rec = self.journal.tables.get(INCIDENTS, {}).get(key)
        return Incident.model_validate(rec) if rec is not None else None

    def get_incident(self, incident_id: str) -> Incident | None:
        self.journal.catch_up()
        return self._get(incident_id)

    def list_incidents(self) -> list[Incident]:
        docs: list[Document] = self.db.table(INCIDENTS).all()
        return sorted((Incident.model_validate(dict(d)) for d in docs), key=lambda i: i.number)

    def search_incidents(self, **fields: Any) -> list[Incident]:
        q = Query()
        cond = None
        for name, value in fields.items():
            c = q[name] == value
            cond = c if cond is None else cond & c
        table = self.db.table(INCIDENTS)
        docs = table.search(cond) if cond is not None else table.all()
        return sorted((Incident.model_validate(dict(d)) for d in docs), key=lambda i: i.number)

    def event_records(self, incident_id: str) -> list[dict[str, Any]]:
        self.journal.catch_up()
        table = self.journal.tables.get(events_table(incident_id), {})
        return [table[k] for k in sorted(table, key=int)]

    def events(self, incident_id: str, after_seq: int = 0) -> list[TimelineEvent]:
        self.journal.catch_up()
        table = self.journal.tables.get(events_table(incident_id), {})
        top = self.journal.max_key(events_table(incident_id))
        out = []
        for seq in range(after_seq + 1, top + 1):
            rec = table.get(str(seq))
            if rec is not None:
                out.append(TimelineEvent.model_construct(**{**rec, **_coerce(rec)}))
        return out

    def event_count(self, incident_id: str) -> int:
        self.journal.catch_up()
        return len(self.journal.tables.get(events_table(incident_id), {}))

    def get_doc(self, collection: str, key: str) -> dict[str, Any] | None:
        self.journal.catch_up()
        doc = self.journal.tables.get(docs_table(collection), {}).get(key)
        return copy.deepcopy(doc) if doc is not None else None

    def docs(self, collection: str) -> dict[str, dict[str, Any]]:
        self.journal.catch_up()
        return copy.deepcopy(self.journal.tables.get(docs_table(collection), {}))

    # -- live updates and integrity -------------------------------------------------------
    def change_token(self) -> object:
        return self.journal.token()

    def verify(self) -> list[str]:
        from ircmd.store.tinydb.raw import verify_raw

        return verify_raw(self.export_raw(), self.chain_state())

    # -- copying between stores (``ircmd store copy``) ------------------------------------
    def export_raw(self) -> RawStore:
        from ircmd.store.tinydb.raw import export_tinydb

        return export_tinydb(self)

    def import_raw(self, raw: RawStore) -> None:
        from ircmd.store.tinydb.raw import import_tinydb

        import_tinydb(self, raw)

    def compact(self) -> tuple[int, int]:
        return self.journal.compact()


def _coerce(rec: dict[str, Any]) -> dict[str, Any]:
    """Fast path for trusted stored records: convert the two non-JSON-native fields."""
    from datetime import datetime

    from ircmd.domain.incidents.timeline import EventKind

    return {
        "kind": EventKind(rec["kind"]),
        "at": datetime.fromisoformat(rec["at"].replace("Z", "+00:00")),
    }
