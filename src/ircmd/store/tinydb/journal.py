"""A TinyDB storage that is an append-only, checksummed, fsynced journal.

Why not TinyDB's ``JSONStorage``: it rewrites the whole file on every write (O(N) and
not crash-safe) and, with several processes, each caches its own view and next id.

Format (UTF-8 text, one record per line)::

    {"format": "ircmd-store", "schema": 1, ...}            <- header, line 1
    3f2a9c10 [["put","incidents","1",{...}],["put","events:INC-0001","1",{...}]]

Each record line is ``CRC32(hex) SPACE JSON-array-of-ops``. A record is written with one
``write`` under an exclusive ``flock`` and fsynced before the write is acknowledged, so it
is atomic for other processes and durable. Every process keeps the materialised tables in
memory and catches up by reading only the bytes appended since its last look (a ``stat``
per read), so the cost of a write does not grow with the size of the store.

A record cut short by a crash (no newline at the end of the file) was never acknowledged;
the next writer truncates it under the lock. Any other damage makes the store unreadable:
it is reported and never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from ircmd.store.base import (
    QUIET_COLLECTIONS,
    SCHEMA_VERSION,
    StoreError,
    StoreUnavailable,
    StoreUnreadable,
)
from ircmd.store.migrations import migrate_ops

Op = list[Any]
Tables = dict[str, dict[str, Any]]

HEADER_FORMAT = "ircmd-store"
# tables of the document collections whose writes leave the change token alone
QUIET_TABLES = frozenset(f"docs:{c}" for c in QUIET_COLLECTIONS)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_record(ops: list[Op]) -> bytes:
    payload = _dumps(ops).encode("utf-8")
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class JournalStorage(Storage):
    """TinyDB storage over an append-only journal, safe for several processes."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._tables: Tables = {}
        self._max_key: dict[str, int] = {}
        self._offset = 0
        self._ino: int | None = None
        self._generation = 0
        self._loud = 0  # records applied that touch a table outside QUIET_TABLES
        self._schema = SCHEMA_VERSION
        self._thread_lock = threading.RLock()
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._cleanup_temp_files()
        if not self.path.exists():
            if not create:
                raise StoreError(f"{self.path}: no store here")
            with self.locked():
                if not self.path.exists():
                    self._create()
        elif self._is_empty():
            # An existing empty file (touched by hand, or a crash of another tool): initialised
            # before anything is acknowledged, or refused in one line when we may not write.
            if not create:
                raise StoreError(f"{self.path}: the store file is empty (no ircmd store yet)")
            with self.locked():
                if self._is_empty():
                    self._create()
        self._load_all()

    def _is_empty(self) -> bool:
        try:
            return self.path.stat().st_size == 0
        except FileNotFoundError:
            return False

    # -- locking ------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive across threads and processes; re-entrant within a thread."""
        with self._thread_lock:
            if self._lock_depth == 0:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._lock_fd = fd
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0 and self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    os.close(self._lock_fd)
                    self._lock_fd = None

    # -- file set-up --------------------------------------------------------------
    def _cleanup_temp_files(self) -> None:
        for stray in self.path.parent.glob(self.path.name + ".tmp-*"):
            with contextlib.suppress(OSError):
                pid = int(stray.name.rsplit("-", 1)[1])
                if pid == os.getpid() or not _pid_alive(pid):
                    stray.unlink()

    def _header(self) -> bytes:
        return (_dumps({"format": HEADER_FORMAT, "schema": SCHEMA_VERSION}) + "\n").encode()

    def _create(self) -> None:
        tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
        with open(tmp, "wb") as f:
            f.write(self._header())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)

    # -- reading ------------------------------------------------------------------
    def _unreadable(self, what: str) -> StoreUnreadable:
        return StoreUnreadable(
            f"{self.path}: {what}; the file was left untouched: restore it from a backup, "
            "or move it aside to start a new store"
        )

    def _load_all(self) -> None:
        with self._thread_lock:
            self._tables = {}
            self._max_key = {}
            self._offset = 0
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                raise StoreError(f"{self.path}: the store file disappeared") from None
            self._ino = st.st_ino
            self._generation += 1
            self._read_new(initial=True)

    def _read_new(self, *, initial: bool = False) -> bool:
        """Apply records appended since ``_offset``; True when anything was applied."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except OSError as exc:
            raise StoreUnavailable(f"{self.path}: cannot read the store: {exc.strerror}") from exc
        if not data:
            return False
        end = data.rfind(b"\n")
        if end < 0 and self._offset == 0:
            # The header is written whole (temp file + rename): a first line without its
            # newline is not a store.
            raise self._unreadable("line 1 is not an ircmd store header")
        if end < 0:
            return False  # only a partial record so far (a writer mid-way, or a torn tail)
        changed = False
        pos = 0
        line_no_base = None
        for raw in data[: end + 1].split(b"\n")[:-1]:
            start = self._offset + pos
            pos += len(raw) + 1
            if start == 0:
                self._read_header(raw)
                continue
            ops = self._decode(raw, start, line_no_base)
            if self._schema != SCHEMA_VERSION:
                ops = migrate_ops(ops, self._schema)
            self._apply_ops(ops)
            changed = True
        self._offset += end + 1
        return changed

    def _read_header(self, raw: bytes) -> None:
        try:
            header = json.loads(raw)
        except ValueError:
            raise self._unreadable("line 1 is not an ircmd store header") from None
        if not isinstance(header, dict) or header.get("format") != HEADER_FORMAT:
            raise self._unreadable("line 1 is not an ircmd store header")
        schema = header.get("schema")
        if not isinstance(schema, int) or schema < 1:
            raise self._unreadable(f"unknown schema version {schema!r}")
        if schema > SCHEMA_VERSION:
            raise StoreUnreadable(
                f"{self.path}: written by a newer ircmd (schema {schema}, this one reads up to "
                f"{SCHEMA_VERSION}); upgrade ircmd. The file was left untouched"
            )
        self._schema = schema

    def _decode(self, raw: bytes, start: int, _base: object) -> list[Op]:
        where = f"record at byte {start}"
        if len(raw) < 10 or raw[8:9] != b" ":
            raise self._unreadable(f"{where} is damaged")
        payload = raw[9:]
        try:
            crc = int(raw[:8], 16)
        except ValueError:
            raise self._unreadable(f"{where} is damaged") from None
        if zlib.crc32(payload) != crc:
            raise self._unreadable(f"{where} fails its checksum")
        try:
            ops = json.loads(payload)
        except ValueError:
            raise self._unreadable(f"{where} is not valid JSON") from None
        if not isinstance(ops, list):
            raise self._unreadable(f"{where} is not a list of operations")
        return ops

    def _apply_ops(self, ops: list[Op]) -> None:
        if any(op[1] not in QUIET_TABLES for op in ops):
            self._loud += 1
        for op in ops:
            kind = op[0]
            table = op[1]
            if kind == "put":
                key, doc = op[2], op[3]
                self._tables.setdefault(table, {})[key] = doc
                if key.isdigit():
                    k = int(key)
                    if k > self._max_key.get(table, 0):
                        self._max_key[table] = k
            elif kind == "del":
                self._tables.get(table, {}).pop(op[2], None)
            elif kind == "drop":
                self._tables.pop(table, None)
                self._max_key.pop(table, None)
            else:
                raise self._unreadable(f"unknown operation {kind!r}")

    def catch_up(self) -> bool:
        """Read what other processes appended; reload after a compaction. True on change."""
        with self._thread_lock:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                raise StoreUnavailable(f"{self.path}: the store file disappeared") from None
            if st.st_ino != self._ino:
                self._load_all()
                return True
            if st.st_size == self._offset:
                return False
            return self._read_new()

    # -- TinyDB Storage API ---------------------------------------------------------
    def read(self) -> Tables:
        self.catch_up()
        return self._tables

    def write(self, data: Tables) -> None:
        """Generic TinyDB write: diff against the current state and append the ops.

        ircmd's own code appends ops directly (:meth:`append`); this path keeps plain
        TinyDB ``Table`` writes correct too."""
        with self.locked():
            self.catch_up()
            ops: list[Op] = []
            for table in set(self._tables) - set(data):
                ops.append(["drop", table])
            for table, docs in data.items():
                current = self._tables.get(table, {})
                for key, doc in docs.items():
                    if current.get(str(key)) != doc:
                        ops.append(["put", table, str(key), doc])
                for key in set(current) - {str(k) for k in docs}:
                    ops.append(["del", table, key])
            if ops:
                self.append(ops)

    def close(self) -> None:
        pass

    # -- writing ------------------------------------------------------------------
    def append(self, ops: list[Op]) -> None:
        """Durably append one atomic record (callers deciding on current state hold
        :meth:`locked` around their read and this call)."""
        if not ops:
            return
        record = encode_record(ops)
        with self.locked():
            self.catch_up()
            if self._offset == 0:
                # No header was ever read: writing here would make a file nobody can open.
                raise self._unreadable("the file has no ircmd store header")
            fd = os.open(self.path, os.O_WRONLY)
            try:
                size = os.fstat(fd).st_size
                if size != self._offset:
                    # Past the last complete record there is only a torn record from a
                    # writer that died mid-way (catch_up consumed every complete one): it
                    # was never acknowledged, so it is cut off.
                    if size > self._offset:
                        os.ftruncate(fd, self._offset)
                    else:
                        raise StoreError(f"{self.path}: the store file shrank under us")
                os.lseek(fd, self._offset, os.SEEK_SET)
                try:
                    written = os.write(fd, record)
                    if written != len(record):
                        raise OSError(errno.ENOSPC, "short write")
                    os.fsync(fd)
                except OSError as exc:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, self._offset)
                        os.fsync(fd)
                    raise StoreUnavailable(
                        f"{self.path}: could not write ({exc.strerror or exc}); nothing was "
                        "saved, retry when the disk is fixed"
                    ) from exc
            finally:
                os.close(fd)
            self._offset += len(record)
            self._apply_ops(ops)

    # -- introspection --------------------------------------------------------------
    @property
    def tables(self) -> Tables:
        return self._tables

    def max_key(self, table: str) -> int:
        return self._max_key.get(table, 0)

    def token(self) -> tuple[int, int]:
        """Moves with every record read or written, heartbeats (``QUIET_TABLES``) excepted."""
        self.catch_up()
        return (self._generation, self._loud)

    def compact(self) -> tuple[int, int]:
        """Rewrite the journal as one record per document; returns (bytes before, after)."""
        with self.locked():
            self.catch_up()
            before = self._offset
            tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
            with open(tmp, "wb") as f:
                f.write(self._header())
                for table, docs in self._tables.items():
                    batch: list[Op] = []
                    for key, doc in docs.items():
                        batch.append(["put", table, key, doc])
                        if len(batch) >= 500:
                            f.write(encode_record(batch))
                            batch = []
                    if batch:
                        f.write(encode_record(batch))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
            self._load_all()
            return before, self._offset


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
