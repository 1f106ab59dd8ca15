"""Append latency of the TinyDB journal store as the incident and the store grow.

Target (issue: foundation): appending one timeline event to an incident that already has
10,000 events, in a store of 200 incidents, takes <= 5 ms median including fsync.
Target (issue 12): that append is keyed (an HMAC on the event and on the head, the store
migrated from plain hashes when it is opened) and stays <= 1 ms median; the MAC's own cost is
shown beside it. Each row gives the append's median split in two, side by side: the code
(hash, MAC, encode, lock, write) and the fsync (the disk's flush, which the code cannot make
faster and which on a shared disk varies 10x).

    python benchmarks/bench_store.py [--appends 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ircmd.domain.incidents.incident import Incident, format_incident_id
from ircmd.domain.incidents.timeline import (
    EventKind,
    TimelineEvent,
    event_mac,
    head_mac,
    new_event,
)
from ircmd.service import IncidentService
from ircmd.store.chainkey import KeySource
from ircmd.store.tinydb.store import INCIDENTS, TinyDBIncidentStore, events_table

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def build(path: Path, incidents: int, events_in_target: int) -> str:
    """A store of ``incidents`` incidents (5 events each) whose last one has N events."""
    store = TinyDBIncidentStore(path, key_source=KeySource(path / "keys", None))
    for n in range(1, incidents + 1):
        incident_id = format_incident_id(n)
        count = events_in_target if n == incidents else 5
        prev: TimelineEvent | None = None
        batch: list[list[object]] = []
        for i in range(count):
            prev = new_event(
                incident_id=incident_id,
                prev=prev,
                kind=EventKind.NOTE,
                at=T0 + timedelta(seconds=i),
                author="bench",
                text=f"note {i} " + "x" * 80,
            )
            batch.append(["put", events_table(incident_id), str(prev.seq), prev.to_record()])
            if len(batch) >= 1000:
                store.journal.append(batch)
                batch = []
        assert prev is not None
        inc = Incident(
            id=incident_id,
            title=f"incident {n}",
            created_at=T0,
            updated_at=T0,
            head_seq=prev.seq,
            head_hash=prev.hash,
        )
        batch.append(["put", INCIDENTS, str(n), inc.model_dump(mode="json")])
        store.journal.append(batch)
    store.close()
    return format_incident_id(incidents)


class FsyncTimer:
    """Times the journal's fsync calls, so the append's own cost (hash, MAC, encode, lock,
    write) is shown apart from the disk's flush, which on a shared disk varies 10x."""

    def __init__(self) -> None:
        self.real = os.fsync
        self.times: list[float] = []

    def __call__(self, fd: int) -> None:
        t = time.perf_counter()
        self.real(fd)
        self.times.append((time.perf_counter() - t) * 1000)


def measure(
    path: Path, incident_id: str, appends: int
) -> tuple[list[float], list[float], list[float], float]:
    """Per append: total ms, the code's ms (without the fsync), the fsync's ms; and the
    store's open time."""
    t = time.perf_counter()
    store = TinyDBIncidentStore(path, key_source=KeySource(path / "keys", None))
    open_s = time.perf_counter() - t
    assert store.chain.key is not None, "the benchmark measures keyed appends"
    svc = IncidentService(store=store, actor="bench")
    times, own, flush = [], [], []
    timer = FsyncTimer()
    setattr(os, "fsync", timer)  # the journal calls os.fsync  # noqa: B010
    try:
        for i in range(appends):
            timer.times.clear()
            t = time.perf_counter()
            svc.note(incident_id, f"appended {i}")
            total = (time.perf_counter() - t) * 1000
            times.append(total)
            own.append(total - sum(timer.times))
            flush.append(sum(timer.times))
    finally:
        setattr(os, "fsync", timer.real)  # noqa: B010
    assert store.verify() == []
    assert all(r.get("mac") for r in store.event_records(incident_id)[-appends:])
    return times, own, flush, open_s


def mac_cost(rounds: int = 20_000) -> float:
    """Median µs of what the key adds to chaining one event: its MAC and the head's."""
    key = b"k" * 32
    digest = "ab" * 32
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        event_mac(key, digest)
        head_mac(key, "INC-0001", 10_001, digest)
        times.append((time.perf_counter() - t) * 1e6)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--incidents", type=int, default=200)
    args = parser.parse_args()
    print(f"store of {args.incidents} incidents; {args.appends} keyed appends each, fsync on")
    print(
        f"{'events in incident':>18} | {'store MB':>8} | {'open s':>6} | {'median ms':>9} | "
        f"{'p95 ms':>7} | {'max ms':>7} | {'code med':>8} | {'fsync med':>9} | target"
    )
    print("-" * 100)
    for n in (100, 1_000, 10_000):
        with tempfile.TemporaryDirectory(prefix="ircmd-bench-") as tmp:
            path = Path(tmp)
            incident_id = build(path, args.incidents, n)
            size = sum(f.stat().st_size for f in path.iterdir()) / 1e6
            times, own, flush, open_s = measure(path, incident_id, args.appends)
            med = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[18]
            verdict = "ok" if med <= 5 else "MISSED"
            keyed = "ok" if med <= 1 else "MISSED"
            own_med = statistics.median(own)
            print(
                f"{n:>18,} | {size:>8.1f} | {open_s:>6.2f} | {med:>9.2f} | {p95:>7.2f} | "
                f"{max(times):>7.2f} | {own_med:>8.3f} | {statistics.median(flush):>9.3f} | "
                f"<=5 ms median: {verdict}; keyed <=1 ms: {keyed} "
                f"(the code alone: {'ok' if own_med <= 1 else 'MISSED'})"
            )
    print(f"the key's own cost per chained event: {mac_cost():.1f} µs median")


if __name__ == "__main__":
    main()
