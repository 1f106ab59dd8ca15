"""The receiver's spool: append-only segment files of received OTLP bodies.

Every request body is appended (and fsynced) *before* the receiver acknowledges it, so a
restart or a kill loses nothing acknowledged. A record is::

    b"IRSP" | kind (1 byte: b"P"/b"J" traces protobuf/JSON, b"L"/b"K" logs protobuf/JSON)
            | length (4, big-endian)
            | crc32 of payload (4) | received at, ns since epoch (8) | payload

A torn last record (a crash mid-write, never acknowledged) is detected by its length or
checksum and reported, not loaded. Segments rotate at ``segment_bytes``; whole segments
are deleted oldest first while the spool is over ``max_bytes`` or a segment is older than
``max_age_s``.

Writes are checked: a short write, ``ENOSPC`` or ``EIO`` (on write or fsync) raises
:class:`SpoolWriteError` (the receiver answers 503, the client retries) and the segment is cut
back to the end of the last whole record *before* anything else is written, so a torn record
never sits in front of records acknowledged later. If even the cut fails, the next append
retries it first (and refuses until it succeeds).
"""

from __future__ import annotations

import contextlib
import errno
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"IRSP"
HEADER = struct.Struct(">4scIIq")
SUFFIX = ".otlpspool"
KIND_CODES = {"protobuf": b"P", "json": b"J", "logs-protobuf": b"L", "logs-json": b"K"}
CODE_KINDS = {v: k for k, v in KIND_CODES.items()}


class SpoolWriteError(OSError):
    """A record could not be written durably (it was cut; nothing torn stays behind)."""


@dataclass(frozen=True)
class SpoolRecord:
    kind: str  # "protobuf" | "json" | "logs-protobuf" | "logs-json"
    payload: bytes
    received_ns: int
    segment: Path
    offset: int


class Spool:
    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = 512 * 1024 * 1024,
        max_age_s: float = 30 * 86400.0,
        segment_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.max_age_s = max_age_s
        self.segment_bytes = segment_bytes or max(
            1024 * 1024, min(64 * 1024 * 1024, max_bytes // 8)
        )
        self.clock = clock
        self._lock = threading.Lock()
        self._fh: int | None = None
        self._path: Path | None = None
        self._size = 0
        self._seq = 0
        self._torn = False  # the current segment may hold bytes past ``_size``
        self.last_error: str | None = None
        self.last_error_at: float | None = None
        self.failed_writes = 0

    def segments(self) -> list[Path]:
        try:
            return sorted(p for p in self.directory.iterdir() if p.name.endswith(SUFFIX))
        except FileNotFoundError:
            return []

    def _open_new(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        now_ns = int(self.clock() * 1e9)
        # names sort in write order: time, then this spool's own sequence number
        while True:
            self._seq += 1
            path = self.directory / f"seg-{now_ns:020d}-{self._seq:06d}-{os.getpid()}{SUFFIX}"
            if not path.exists():
                break
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        dfd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        self._fh, self._path, self._size = fd, path, 0

    def append(self, kind: str, payload: bytes) -> None:
        """Write one record durably (write + fsync); raises :class:`SpoolWriteError` when
        it cannot (the partial record is cut first)."""
        k = KIND_CODES[kind]
        rec = (
            HEADER.pack(MAGIC, k, len(payload), zlib.crc32(payload) & 0xFFFFFFFF, time.time_ns())
            + payload
        )
        with self._lock:
            try:
                if self._torn:
                    self._cut()
                if self._fh is None or self._size >= self.segment_bytes:
                    self._close_current()
                    self._open_new()
                    self._retain_locked()
                assert self._fh is not None
                self._write_all(self._fh, rec)
                os.fsync(self._fh)
            except OSError as exc:
                self._fail(exc)
                raise SpoolWriteError(exc.errno, self.last_error or str(exc)) from None
            self._size += len(rec)
            self.last_error = None

    @staticmethod
    def _write_all(fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            if n <= 0:
                raise OSError(errno.ENOSPC, "short write")
            view = view[n:]

    def _fail(self, exc: OSError) -> None:
        self.failed_writes += 1
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        self.last_error = f"spool {'full' if full else 'write failed'}: {exc.strerror or exc}"
        self.last_error_at = self.clock()
        if self._fh is None:
            return
        self._torn = True
        with contextlib.suppress(OSError):
            self._cut()

    def _cut(self) -> None:
        """Truncate the current segment to its last whole record (raises if it cannot)."""
        if self._fh is not None:
            os.ftruncate(self._fh, self._size)
            os.fsync(self._fh)
            if os.fstat(self._fh).st_size != self._size:
                raise OSError(errno.EIO, "segment could not be cut back")
        self._torn = False

    @property
    def healthy(self) -> bool:
        return self.last_error is None

    def _close_current(self) -> None:
        if self._fh is not None:
            os.close(self._fh)
            self._fh = None

    def close(self) -> None:
        with self._lock:
            self._close_current()

    def retain(self) -> list[Path]:
        with self._lock:
            return self._retain_locked()

    def _retain_locked(self) -> list[Path]:
        """Delete whole old segments (never the one being written); returns them."""
        removed: list[Path] = []
        segs = [p for p in self.segments() if p != self._path]
        now = self.clock()
        sizes = {}
        for p in segs:
            try:
                st = p.stat()
            except OSError:
                continue
            sizes[p] = st.st_size
            if now - st.st_mtime > self.max_age_s:
                removed.append(p)
        total = sum(sizes.values()) + self._size
        for p in segs:
            if total <= self.max_bytes:
                break
            if p not in removed and p in sizes:
                removed.append(p)
                total -= sizes[p]
        for p in removed:
            with contextlib.suppress(OSError):
                p.unlink()
        return removed

    def total_bytes(self) -> int:
        total = 0
        for p in self.segments():
            with contextlib.suppress(OSError):
                total += p.stat().st_size
        return total


def segment_paths(directory: Path) -> list[Path]:
    """Every segment under ``directory`` (recursively), oldest first."""
    if not directory.exists():
        return []
    return sorted(directory.rglob(f"*{SUFFIX}"), key=lambda p: p.name)


def read_segments(
    directory: Path, segments: list[Path] | None = None
) -> Iterator[SpoolRecord | str]:
    """Every record of every segment under ``directory`` (or of ``segments``), oldest
    first; a problem is yielded as a one-line string instead of a record."""
    segs = segment_paths(directory) if segments is None else segments
    for seg in segs:
        try:
            data = seg.read_bytes()
        except OSError as exc:
            yield f"{seg}: cannot read ({exc.strerror or exc})"
            continue
        pos = 0
        n = len(data)
        while pos < n:
            if n - pos < HEADER.size:
                yield f"{seg}: incomplete last record ({n - pos} bytes) ignored"
                break
            magic, k, length, crc, at = HEADER.unpack_from(data, pos)
            if magic != MAGIC:
                yield f"{seg}: bad record header at byte {pos}; rest of segment skipped"
                break
            start = pos + HEADER.size
            if start + length > n:
                yield f"{seg}: incomplete last record ({n - pos} bytes) ignored"
                break
            payload = data[start : start + length]
            if zlib.crc32(payload) & 0xFFFFFFFF != crc:
                yield f"{seg}: record at byte {pos} fails its checksum; skipped"
            else:
                yield SpoolRecord(CODE_KINDS.get(k, "json"), payload, at, seg, pos)
            pos = start + length
