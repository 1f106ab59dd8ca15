"""The receiver spool: durable records, torn tails, rotation and retention."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ircmd.backends.traces.spool import Spool, SpoolRecord, read_segments


def records(directory: Path) -> list[SpoolRecord]:
    """The spool's records, none of them a problem line."""
    out = list(read_segments(directory))
    assert all(isinstance(r, SpoolRecord) for r in out), out
    return [r for r in out if isinstance(r, SpoolRecord)]


def test_records_round_trip_in_order(tmp_path: Path) -> None:
    sp = Spool(tmp_path)
    sp.append("protobuf", b"\x00\x01")
    sp.append("json", b"{}")
    sp.close()
    recs = records(tmp_path)
    assert [(r.kind, r.payload) for r in recs] == [("protobuf", b"\x00\x01"), ("json", b"{}")]


def test_torn_tail_and_corrupt_record_are_reported_not_loaded(tmp_path: Path) -> None:
    sp = Spool(tmp_path)
    sp.append("json", b'{"a": 1}')
    sp.append("json", b'{"b": 2}')
    sp.close()
    (seg,) = sp.segments()
    data = bytearray(seg.read_bytes())
    data[-3] ^= 0xFF  # flip a payload byte of the 2nd record
    seg.write_bytes(bytes(data) + b"IRSPJ\x00\x00")  # and a torn third header
    first, corrupt, torn = read_segments(tmp_path)
    assert isinstance(first, SpoolRecord) and first.payload == b'{"a": 1}'
    assert isinstance(corrupt, str) and "fails its checksum" in corrupt
    assert isinstance(torn, str) and "incomplete last record" in torn


def test_rotation_and_size_retention(tmp_path: Path) -> None:
    sp = Spool(tmp_path, max_bytes=3000, segment_bytes=1000)
    for _ in range(20):
        sp.append("json", b"x" * 400)
    sp.close()
    segs = sp.segments()
    assert len(segs) > 1
    assert sp.total_bytes() <= 3000 + 1000  # never more than the limit plus the open segment
    # the newest records are the ones kept
    assert len(list(read_segments(tmp_path))) >= 5


def test_age_retention(tmp_path: Path) -> None:
    now = [time.time()]
    sp = Spool(tmp_path, max_age_s=60, segment_bytes=10, clock=lambda: now[0])
    sp.append("json", b"old")
    (old,) = sp.segments()
    os.utime(old, (now[0] - 3600, now[0] - 3600))
    sp.append("json", b"new")  # rotates (segment full) and retains
    sp.close()
    assert old not in sp.segments()
    assert [r.payload for r in records(tmp_path)] == [b"new"]
