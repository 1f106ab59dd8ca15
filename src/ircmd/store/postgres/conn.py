"""Connections for the PostgreSQL store: the DSN from the environment (never shown), a
small thread-safe pool, and the LISTEN thread that turns NOTIFYs into a counter."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, LiteralString

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from ircmd.domain.secrets import scrub
from ircmd.domain.text import one_line
from ircmd.store.base import StoreError

Conn = psycopg.Connection[Any]

CONNECT_OPTIONS: dict[str, Any] = {
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "application_name": "ircmd",
}
POOL_SIZE = 4


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def json_columns(value: Any) -> tuple[str | None, str | None]:
    """``(jsonb, raw)`` column values: jsonb unless the JSON holds a NUL character."""
    text = _dumps(value)
    return (None, text) if "\\u0000" in text else (text, None)


def loaded(value: Any, raw: str | None) -> Any:
    return json.loads(raw) if raw is not None else value


class Transaction:
    """One write transaction: a locking read to start it, then writes queued to be sent,
    with the COMMIT, in a single round trip."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.writes: list[tuple[LiteralString, Any, bool]] = []

    def begin(
        self, *statements: tuple[LiteralString, Sequence[Any]]
    ) -> list[tuple[Any, ...] | None]:
        """BEGIN and ``statements``, sent together; the first row of each. The server runs
        them in order, each with a fresh snapshot (READ COMMITTED), so a statement after a
        lock sees everything committed before the lock was granted."""
        with self.conn.pipeline():
            self.conn.execute("BEGIN")
            cursors = [self.conn.execute(query, params) for query, params in statements]
            return [cur.fetchone() for cur in cursors]

    def queue(self, query: LiteralString, params: Any, *, many: bool = False) -> None:
        if not many or params:
            self.writes.append((query, params, many))


def dsn_from_env(env_name: str | None) -> str:
    if not env_name:
        raise StoreError("a postgres store needs dsn_env (the variable holding the DSN)")
    dsn = os.environ.get(env_name, "").strip()
    if not dsn:
        raise StoreError(
            f"the environment variable {env_name} is not set; it must hold the PostgreSQL "
            "connection string (store.dsn_env)"
        )
    return dsn


def describe_dsn(dsn: str, env_name: str) -> tuple[str, str | None]:
    """``postgresql://host:port/db`` (no user, no password) and the password to scrub."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error:
        # The parser's message quotes the string, which may hold a password: not shown.
        raise StoreError(f"{env_name}: not a valid PostgreSQL connection string") from None
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    port = str(params.get("port") or "5432")
    db = str(params.get("dbname") or params.get("user") or os.environ.get("USER", ""))
    password = params.get("password")
    return f"postgresql://{host}:{port}/{db}", str(password) if password else None


def reason(exc: BaseException, secret: str | None) -> str:
    """The first line of a driver error, with the password (if it ever shows) scrubbed."""
    text = str(exc).strip()
    line = text.split("\n")[0] if text else type(exc).__name__
    return one_line(scrub(line, [secret] if secret else []))


# A console frozen mid-transaction (suspended laptop, SIGSTOP) must not block the others:
# its session is ended after a minute idle in a transaction, and nobody waits for a lock
# longer than LOCK_TIMEOUT (the write fails visibly instead).
SESSION_SETTINGS = (
    "SET lock_timeout = '15s'",
    "SET idle_in_transaction_session_timeout = '60s'",
)


@dataclass(frozen=True)
class Deadlines:
    """How long a statement, a commit or a connection attempt may take (``[store]`` keys).

    ``tcp_user_timeout`` bounds data the server has not acknowledged (a partition while a
    statement or COMMIT is in flight: no 15-minute TCP retransmission); ``statement_timeout``
    bounds each statement on the server; the keepalives notice a silent peer while ircmd waits
    for a reply. Seconds."""

    connect_timeout: float = 3.0
    statement_timeout: float = 5.0
    tcp_user_timeout: float = 4.0

    def options(self) -> dict[str, Any]:
        return {
            **CONNECT_OPTIONS,
            "connect_timeout": max(1, round(self.connect_timeout)),
            "tcp_user_timeout": max(1, round(self.tcp_user_timeout * 1000)),
            "keepalives_idle": 2,
            "keepalives_interval": 1,
            "keepalives_count": 2,
        }

    def settings(self) -> tuple[str, ...]:
        ms = max(1, round(self.statement_timeout * 1000))
        return (*SESSION_SETTINGS, f"SET statement_timeout = {ms}")


DEFAULT_DEADLINES = Deadlines()


def connect(dsn: str, deadlines: Deadlines = DEFAULT_DEADLINES) -> Conn:
    conn = psycopg.connect(dsn, autocommit=True, **deadlines.options())
    try:
        with conn.pipeline():
            for setting in deadlines.settings():
                conn.execute(setting)
    except BaseException:
        conn.close()
        raise
    return conn


class ConnectionPool:
    """At most ``size`` connections per process, shared by threads (a thread waits for a
    free one); idle ones are kept for reuse, a broken one is dropped."""

    def __init__(self, connect: Callable[[], Conn], size: int = POOL_SIZE) -> None:
        self._connect = connect
        self._size = size
        self._idle: list[Conn] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._local = threading.local()
        self.closed = False

    @contextmanager
    def connection(self) -> Iterator[tuple[Conn, bool]]:
        """``(connection, reused)``; ``reused`` means it sat idle and may have gone stale.

        A thread that already holds one (a ``decide`` reading the store) is not made to
        wait for a second slot, so it cannot deadlock against itself."""
        nested = getattr(self._local, "depth", 0) > 0
        if not nested:
            self._slots.acquire()
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            reused = conn is not None
            if conn is None:
                conn = self._connect()
            try:
                yield conn, reused
            finally:
                self._give_back(conn)
        finally:
            self._local.depth -= 1
            if not nested:
                self._slots.release()

    def _give_back(self, conn: Conn) -> None:
        keep = (
            not self.closed
            and not conn.closed
            and not conn.broken
            and conn.info.transaction_status == TransactionStatus.IDLE
        )
        if keep:
            with self._lock:
                if len(self._idle) < self._size:
                    self._idle.append(conn)
                    return
        with suppress(psycopg.Error):  # closing a dead connection
            conn.close()

    def clear(self) -> None:
        """Drop every idle connection (after one turned out dead, the others are too)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            with suppress(psycopg.Error):  # closing a dead connection
                conn.close()

    def close(self) -> None:
        with self._lock:
            self.closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            with suppress(psycopg.Error):  # closing a dead connection
                conn.close()


class Listener(threading.Thread):
    """LISTENs on ``channel`` on its own connection and calls ``on_change(payload)`` for
    every NOTIFY (and ``on_change(None)`` once after each (re)connection, for what it may
    have missed); reports
    ``on_up()`` / ``on_down(exc)`` and reconnects with back-off while the server is gone."""

    def __init__(
        self,
        dsn: str,
        channel: str,
        on_change: Callable[[str | None], None],
        on_up: Callable[[], None],
        on_down: Callable[[BaseException], None],
    ) -> None:
        super().__init__(name="ircmd-pg-listener", daemon=True)
        self._dsn = dsn
        self._channel = channel
        self._on_change = on_change
        self._on_up = on_up
        self._on_down = on_down
        self._stop_event = threading.Event()
        self.connected = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=1.0)

    def run(self) -> None:
        backoff = 0.2
        while not self._stop_event.is_set():
            conn: Conn | None = None
            try:
                conn = connect(self._dsn)
                conn.execute(f"LISTEN {self._channel}")
                self._on_up()
                self._on_change(None)
                self.connected.set()
                backoff = 0.2
                while not self._stop_event.is_set():
                    for notify in conn.notifies(timeout=0.25):
                        self._on_change(notify.payload)
                    if conn.closed or conn.broken:
                        break
            except psycopg.Error as exc:
                self.connected.clear()
                self._on_down(exc)
            finally:
                if conn is not None:
                    with suppress(psycopg.Error):  # closing a dead connection
                        conn.close()
            self._stop_event.wait(backoff)
            backoff = min(backoff * 2, 5.0)
