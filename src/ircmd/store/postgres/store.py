"""The shared incident store on PostgreSQL (``[store] kind = "postgres"``), psycopg 3.

Same behaviour as the TinyDB store (the contract tests run against both):

- every write is one transaction; :meth:`apply` locks the incident's row
  (``SELECT ... FOR UPDATE``) and :meth:`create_incident` takes an advisory lock before
  allocating the next id, so many consoles on many hosts keep one valid hash chain per
  incident, gap-free ids, nothing lost or duplicated;
- timeline events are the same records with the same hashes (``new_event``), stored as
  their exact JSON text in an append-only table (a trigger refuses UPDATE/DELETE);
- every write sends ``NOTIFY ircmd_changes``; a listener thread with its own connection
  bumps an in-memory counter, so :meth:`change_token` costs nothing and another console
  sees a note within milliseconds;
- the server lost mid-session: writes raise :class:`StoreUnavailable` (nothing is queued),
  :meth:`health` says so, and the store reconnects by itself when the server is back.

The connection string comes from the environment variable named by ``dsn_env``; it is
never stored, logged or printed (``location`` shows host, port and database only).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - exercised only without the dependency
    raise ImportError("psycopg 3 is not installed (pip install 'psycopg[binary]')") from exc

from ircmd.domain.config import StoreConfig
from ircmd.domain.incidents.incident import Incident, format_incident_id, parse_incident_id
from ircmd.domain.incidents.timeline import (
    EventKind,
    TimelineEvent,
    canonical_json,
)
from ircmd.store.base import (
    QUIET_COLLECTIONS,
    Change,
    Create,
    Decide,
    StoreError,
    StoreOutcomeUnknown,
    StoreUnavailable,
    StoreUnreadable,
    chain_change,
    client_ids,
    drafts_to_write,
)
from ircmd.store.chainkey import ChainKeyState, KeySource, ensure_keyed, load_state
from ircmd.store.postgres.bulk import export_records, import_records
from ircmd.store.postgres.conn import (
    DEFAULT_DEADLINES,
    Conn,
    ConnectionPool,
    Deadlines,
    Listener,
    Transaction,
    connect,
    describe_dsn,
    dsn_from_env,
    json_columns,
    loaded,
    reason,
)
from ircmd.store.postgres.schema import (
    ALLOCATE_LOCK,
    CHANNEL,
    LATEST,
    migrate,
    newer_schema_message,
    schema_version,
)
from ircmd.store.tinydb.raw import RawStore, verify_raw

T = TypeVar("T")
# the NOTIFY payloads of writes that leave the change token alone (``put_doc``'s)
_QUIET_PAYLOADS = frozenset(f"docs:{c}" for c in QUIET_COLLECTIONS)


def _coerce(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": EventKind(rec["kind"]),
        "at": datetime.fromisoformat(rec["at"].replace("Z", "+00:00")),
    }


class PostgresIncidentStore:
    """:class:`~ircmd.store.base.IncidentStore` on a PostgreSQL database."""

    def __init__(
        self,
        dsn: str,
        *,
        env_name: str = "the DSN",
        create: bool = True,
        key_source: KeySource | None = None,
        deadlines: Deadlines = DEFAULT_DEADLINES,
    ) -> None:
        self._dsn = dsn
        self._deadlines = deadlines
        self.location, self._secret = describe_dsn(dsn, env_name)
        self._pool = ConnectionPool(self._connect)
        self._state_lock = threading.Lock()
        self._counter = 0
        self._healthy = True
        self._health_message = f"connected to {self.location}"
        self._listener: Listener | None = None
        self._closed = False
        try:
            with self._pool.connection() as (conn, _):
                version = schema_version(conn)
                if version > LATEST:
                    raise StoreUnreadable(newer_schema_message(self.location, version))
                if version == 0 and create:
                    migrate(conn, self.location)
                elif version < LATEST:
                    raise StoreError(
                        f"{self.location}: the database has ircmd schema {version}, older than "
                        f"this ircmd ({LATEST}); run `ircmd store migrate`"
                    )
        except psycopg.Error as exc:
            self._pool.close()
            raise self._unavailable(exc, "cannot open the store") from None
        except BaseException:
            self._pool.close()
            raise
        # Every store is keyed; the default key dir is ``keys/`` beside the config file.
        self.key_source = key_source = key_source or KeySource(None, None)
        self.chain = ChainKeyState()
        if key_source is not None:
            try:
                with self._keying():
                    self.chain = ensure_keyed(self, key_source, only_if_used=True)
            except BaseException:
                self._pool.close()
                raise

    def _key_for_new_incident(self) -> None:
        if self.key_source is not None and self.chain.manifest is None and not self.chain.problems:
            with self._keying():
                self.chain = ensure_keyed(self, self.key_source, only_if_used=False)

    @contextmanager
    def _keying(self) -> Iterator[None]:
        """Hold the allocation lock (session level, own connection) while the store is keyed,
        so no incident is declared between reading the heads and writing the manifest."""
        try:
            conn = connect(self._dsn, self._deadlines)
        except psycopg.Error as exc:
            raise self._unavailable(exc, "cannot key the store") from None
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (ALLOCATE_LOCK,))
            conn.commit()
            yield
        finally:
            with suppress(psycopg.Error):
                conn.close()

    def chain_state(self) -> ChainKeyState:
        """The key state as stored now (re-read, so a tampered manifest is seen)."""
        if self.key_source is None:
            return self.chain
        return load_state(self, self.key_source)

    # -- connections and errors ---------------------------------------------------------
    def _connect(self) -> Conn:
        try:
            return connect(self._dsn, self._deadlines)
        except psycopg.Error as exc:
            raise self._unavailable(exc, "cannot connect") from None

    def _unavailable(self, exc: BaseException, what: str, committing: bool = False) -> StoreError:
        if isinstance(exc, StoreError):
            return exc
        why = reason(exc, self._secret)
        if isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
            # The server is fine; another console held the incident too long.
            return StoreUnavailable(f"{self.location}: {what}: {why}; retry")
        if isinstance(exc, psycopg.OperationalError):
            self._set_health(False, f"{self.location} unreachable: {why}")
            if committing:  # the COMMIT was sent: the server may have stored it
                return StoreOutcomeUnknown(f"{self.location}: {what}: {why}")
            return StoreUnavailable(f"{self.location}: {what}: {why}")
        return StoreError(f"{self.location}: {what}: {why}")

    def _set_health(self, ok: bool, message: str) -> None:
        with self._state_lock:
            self._healthy = ok
            self._health_message = message

    def _ok(self) -> None:
        if not self._healthy:
            self._set_health(True, f"connected to {self.location}")

    def _listener_down(self, exc: BaseException) -> None:
        why = reason(exc, self._secret)
        self._set_health(False, f"{self.location} unreachable: {why}; reconnecting")

    def _read(self, body: Callable[[Conn], T]) -> T:
        for attempt in (0, 1):
            with self._pool.connection() as (conn, reused):
                try:
                    result = body(conn)
                except psycopg.OperationalError as exc:
                    if reused and attempt == 0:
                        self._pool.clear()  # idle connections from before a server restart
                        continue
                    raise self._unavailable(exc, "cannot read") from None
                except psycopg.Error as exc:
                    raise self._unavailable(exc, "cannot read") from None
                self._ok()
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, body: Callable[[Transaction], T], *, notify: str | None = None) -> T:
        """Run ``body`` in one transaction: it opens it with :meth:`Transaction.begin` (BEGIN and
        its locking read in one round trip), decides, and queues its writes, which go with
        the COMMIT in a second round trip. A stale pooled connection is retried once (no
        write reached the server); a connection lost while committing is reported as such."""
        for attempt in (0, 1):
            with self._pool.connection() as (conn, reused):
                phase = "body"
                try:
                    tx = Transaction(conn)
                    result = body(tx)
                    phase = "commit"
                    with conn.pipeline(), conn.cursor() as cur:
                        for query, params, many in tx.writes:
                            if many:
                                cur.executemany(query, params)
                            else:
                                cur.execute(query, params)
                        cur.execute("COMMIT")
                except psycopg.OperationalError as exc:
                    if phase != "commit" and reused and attempt == 0:
                        self._pool.clear()  # stale: nothing reached the server; retry once
                        continue
                    if phase == "commit":
                        raise self._unavailable(
                            exc,
                            "the connection broke while saving; it may not have been saved",
                            committing=True,
                        ) from None
                    raise self._unavailable(exc, "nothing was saved") from None
                except BaseException as exc:
                    with suppress(psycopg.Error):
                        if not conn.closed:
                            conn.execute("ROLLBACK")
                    if isinstance(exc, psycopg.Error):
                        raise self._unavailable(exc, "nothing was saved") from None
                    raise
                self._ok()
                self._bump(notify)  # ``notify``: the payload the body sent, when it is known
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    # -- writes ---------------------------------------------------------------------------
    def close(self) -> None:
        self._closed = True
        listener = self._listener
        if listener is not None:
            listener.stop()
        self._pool.close()

    def _write_change(
        self, tx: Transaction, change: Change, incident_id: str, last: TimelineEvent | None
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
        incident = change.incident
        if written:
            tx.queue(
                "INSERT INTO ircmd_events (incident_id, seq, record) VALUES (%s, %s, %s)",
                [(incident_id, ev.seq, canonical_json(ev.to_record())) for ev in written],
                many=True,
            )
        record, raw = json_columns(incident.model_dump(mode="json"))
        tx.queue(
            "INSERT INTO ircmd_incidents (number, id, record, raw) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (number) DO UPDATE SET record = EXCLUDED.record, raw = EXCLUDED.raw",
            (parse_incident_id(incident_id), incident_id, record, raw),
        )
        for (collection, key), doc in sorted(change.docs.items(), key=lambda kv: kv[0]):
            self._put_doc(tx, collection, key, doc)
        tx.queue("SELECT pg_notify(%s, %s)", (CHANNEL, incident_id))
        return written

    @staticmethod
    def _put_doc(tx: Transaction, collection: str, key: str, doc: dict[str, Any] | None) -> None:
        if doc is None:
            tx.queue("DELETE FROM ircmd_docs WHERE collection = %s AND key = %s", (collection, key))
            return
        value, raw = json_columns(doc)
        tx.queue(
            "INSERT INTO ircmd_docs (collection, key, doc, raw) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (collection, key) DO UPDATE SET doc = EXCLUDED.doc, raw = EXCLUDED.raw",
            (collection, key, value, raw),
        )

    def create_incident(self, make: Create) -> tuple[Incident, list[TimelineEvent]]:
        self._key_for_new_incident()

        def body(tx: Transaction) -> tuple[Incident, list[TimelineEvent]]:
            # The maximum is read by a second statement, after the lock is granted.
            _, row = tx.begin(
                ("SELECT pg_advisory_xact_lock(%s)", (ALLOCATE_LOCK,)),
                ("SELECT coalesce(max(number), 0) FROM ircmd_incidents", ()),
            )
            incident_id = format_incident_id((row[0] if row else 0) + 1)
            change = make(incident_id)
            events = self._write_change(tx, change, incident_id, None)
            return change.incident, events

        return self._write(body)

    def apply(self, incident_id: str, decide: Decide) -> tuple[Incident, list[TimelineEvent]]:
        try:
            number = parse_incident_id(incident_id)
        except ValueError:
            raise KeyError(incident_id) from None

        idempotent = [False]

        def body(tx: Transaction) -> tuple[Incident, list[TimelineEvent]]:
            # Lock the incident's row, then read its last event, in one round trip (the
            # second statement runs once the lock is held, so it sees the latest event).
            row, last_row = tx.begin(
                (
                    "SELECT record, raw FROM ircmd_incidents WHERE number = %s FOR UPDATE",
                    (number,),
                ),
                (
                    "SELECT record FROM ircmd_events WHERE incident_id = %s "
                    "ORDER BY seq DESC LIMIT 1",
                    (incident_id,),
                ),
            )
            if row is None:
                raise KeyError(incident_id)
            current = Incident.model_validate(loaded(row[0], row[1]))
            last = TimelineEvent.from_record(json.loads(last_row[0])) if last_row else None
            change = decide(current, last)
            wanted = client_ids(change)
            if wanted:
                rows = tx.conn.execute(
                    "SELECT record FROM ircmd_events WHERE incident_id = %s "
                    "AND (record::jsonb -> 'data' ->> 'client_id') = ANY(%s)",
                    (incident_id, wanted),
                ).fetchall()
                stored = [TimelineEvent.from_record(json.loads(r[0])) for r in rows]
                if drafts_to_write(change, {str(e.data.get("client_id")) for e in stored}):
                    return current, sorted(stored, key=lambda e: e.seq)
                idempotent[0] = not [d for d in change.events if not d.client_id]
            events = self._write_change(tx, change, incident_id, last)
            return change.incident, events

        try:
            return self._write(body)
        except StoreUnavailable as first:
            if not idempotent[0]:
                raise
            # The commit's outcome is unknown, but every event carries its client id: a retry
            # stores what was not saved and never a second copy.
            try:
                return self._write(body)
            except StoreOutcomeUnknown:
                raise
            except StoreUnavailable as again:
                if isinstance(first, StoreOutcomeUnknown):
                    # the retry saved nothing, but the first commit may still have landed
                    raise StoreOutcomeUnknown(str(first)) from again
                raise

    def put_doc(self, collection: str, key: str, doc: dict[str, Any] | None) -> None:
        def body(tx: Transaction) -> None:
            tx.conn.execute("BEGIN")
            self._put_doc(tx, collection, key, doc)
            tx.queue("SELECT pg_notify(%s, %s)", (CHANNEL, f"docs:{collection}"))

        self._write(body, notify=f"docs:{collection}")

    def put_doc_if_absent(self, collection: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Write ``doc`` unless one is stored under the key; return the stored one."""
        value, raw = json_columns(doc)

        def body(tx: Transaction) -> None:
            tx.conn.execute("BEGIN")
            tx.queue(
                "INSERT INTO ircmd_docs (collection, key, doc, raw) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (collection, key) DO NOTHING",
                (collection, key, value, raw),
            )

        self._write(body)
        held = self.get_doc(collection, key)
        return held if held is not None else doc

    # -- reads ----------------------------------------------------------------------------
    def get_incident(self, incident_id: str) -> Incident | None:
        try:
            number = parse_incident_id(incident_id)
        except ValueError:
            return None
        row = self._read(
            lambda c: c.execute(
                "SELECT record, raw FROM ircmd_incidents WHERE number = %s", (number,)
            ).fetchone()
        )
        return Incident.model_validate(loaded(row[0], row[1])) if row else None

    def list_incidents(self) -> list[Incident]:
        rows = self._read(
            lambda c: c.execute(
                "SELECT record, raw FROM ircmd_incidents ORDER BY number"
            ).fetchall()
        )
        return [Incident.model_validate(loaded(r[0], r[1])) for r in rows]

    def _records(self, incident_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
        rows = self._read(
            lambda c: c.execute(
                "SELECT record FROM ircmd_events WHERE incident_id = %s AND seq > %s ORDER BY seq",
                (incident_id, after_seq),
            ).fetchall()
        )
        return [json.loads(r[0]) for r in rows]

    def events(self, incident_id: str, after_seq: int = 0) -> list[TimelineEvent]:
        return [
            TimelineEvent.model_construct(**{**rec, **_coerce(rec)})
            for rec in self._records(incident_id, after_seq)
        ]

    def event_records(self, incident_id: str) -> list[dict[str, Any]]:
        return self._records(incident_id)

    def event_count(self, incident_id: str) -> int:
        row = self._read(
            lambda c: c.execute(
                "SELECT count(*) FROM ircmd_events WHERE incident_id = %s", (incident_id,)
            ).fetchone()
        )
        return int(row[0]) if row else 0

    def get_doc(self, collection: str, key: str) -> dict[str, Any] | None:
        row = self._read(
            lambda c: c.execute(
                "SELECT doc, raw FROM ircmd_docs WHERE collection = %s AND key = %s",
                (collection, key),
            ).fetchone()
        )
        return dict(loaded(row[0], row[1])) if row else None

    def docs(self, collection: str) -> dict[str, dict[str, Any]]:
        rows = self._read(
            lambda c: c.execute(
                "SELECT key, doc, raw FROM ircmd_docs WHERE collection = %s ORDER BY key",
                (collection,),
            ).fetchall()
        )
        return {r[0]: loaded(r[1], r[2]) for r in rows}

    def export_raw(self) -> RawStore:
        """Every stored record, exactly, from one consistent snapshot."""
        return self._read(export_records)

    def import_raw(self, raw: RawStore) -> None:
        """Add ``raw`` in one transaction; refused (nothing written) when any incident,
        timeline or document it holds is already here: copying never merges."""
        self._write(lambda tx: import_records(tx, raw, self.location))

    def verify(self) -> list[str]:
        return verify_raw(self.export_raw(), self.chain_state())

    # -- live updates, health and integrity ---------------------------------------------------
    def _bump(self, payload: str | None) -> None:
        if payload in _QUIET_PAYLOADS:
            return  # a heartbeat: see QUIET_COLLECTIONS
        with self._state_lock:
            self._counter += 1

    def _ensure_listener(self) -> None:
        if self._listener is None and not self._closed:
            with self._state_lock:
                if self._listener is None:
                    self._listener = Listener(
                        self._dsn, CHANNEL, self._bump, self._ok, self._listener_down
                    )
                    self._listener.start()

    def change_token(self) -> object:
        """In memory: bumped by this process's writes and by every NOTIFY from others
        (those of :data:`~ircmd.store.base.QUIET_COLLECTIONS` excepted)."""
        self._ensure_listener()
        return self._counter

    def health(self) -> tuple[bool, str]:
        """``(ok, one line)`` for a status bar; cheap, never queries the server."""
        self._ensure_listener()
        with self._state_lock:
            return self._healthy, self._health_message


def open_postgres_store(
    config: StoreConfig, *, create: bool = True, key_dir: Path | None = None
) -> PostgresIncidentStore:
    """The store ``[store] kind = "postgres"`` names (DSN from ``dsn_env``)."""
    dsn = dsn_from_env(config.dsn_env)
    return PostgresIncidentStore(
        dsn,
        env_name=str(config.dsn_env),
        create=create,
        key_source=KeySource(key_dir, config.key_env),
        deadlines=Deadlines(
            connect_timeout=config.connect_timeout,
            statement_timeout=config.statement_timeout,
            tcp_user_timeout=config.tcp_user_timeout,
        ),
    )


def migrate_postgres(config: StoreConfig) -> tuple[str, int, int]:
    """Apply pending migrations to the database ``config`` names: (location, from, to)."""
    dsn = dsn_from_env(config.dsn_env)
    location, secret = describe_dsn(dsn, str(config.dsn_env))
    try:
        with connect(dsn) as conn:
            before, after = migrate(conn, location)
    except psycopg.Error as exc:
        cls = StoreUnavailable if isinstance(exc, psycopg.OperationalError) else StoreError
        raise cls(f"{location}: cannot migrate: {reason(exc, secret)}") from None
    return location, before, after


def wait_listening(store: PostgresIncidentStore, timeout: float = 5.0) -> bool:
    """Start the listener and wait until it listens (tests and benchmarks)."""
    store._ensure_listener()
    listener = store._listener
    deadline = time.monotonic() + timeout
    while listener is not None and time.monotonic() < deadline:
        if listener.connected.wait(0.05):
            return True
    return False
