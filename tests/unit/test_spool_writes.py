"""Spool writes are checked: a short write or EIO is an error and the torn record is cut."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from ircmd.backends.traces.spool import Spool, SpoolWriteError, read_segments


def _records(d: Path) -> list[object]:
    return list(read_segments(d))


@pytest.mark.parametrize("fault", ["short", "eio-write", "eio-fsync"])
def test_failed_write_is_cut_and_later_records_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    sp = Spool(tmp_path / "s")
    sp.append("protobuf", b"a" * 100)
    real_write, real_fsync = os.write, os.fsync

    def short(fd: int, data: bytes) -> int:
        if fault == "short":
            real_write(fd, bytes(data[:10]))
            return 0
        real_write(fd, bytes(data[:10]))
        raise OSError(errno.EIO, "Input/output error")

    def bad_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as m:
        if fault == "eio-fsync":
            m.setattr("ircmd.backends.traces.spool.os.fsync", bad_fsync)
        else:
            m.setattr("ircmd.backends.traces.spool.os.write", short)
        with pytest.raises(SpoolWriteError):
            sp.append("protobuf", b"b" * 100)
    assert not sp.healthy and sp.failed_writes == 1
    assert real_fsync is os.fsync
    sp.append("logs-json", b'{"resourceLogs": []}')
    assert sp.healthy
    sp.close()
    recs = _records(tmp_path / "s")
    assert [getattr(r, "payload", r) for r in recs] == [b"a" * 100, b'{"resourceLogs": []}']
    assert [getattr(r, "kind", "") for r in recs] == ["protobuf", "logs-json"]
