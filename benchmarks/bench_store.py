"""Append latency of the TinyDB journal store as the incident and the store grow.

Target (issue: foundation): appending one timeline event to an incident that already has
10,000 events, in a store of 200 incidents, takes <= 5 ms median including fsync.

    python benchmarks/bench_store.py [--appends 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ircmd.domain.incidents.incident import Incident, format_incident_id
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event
from ircmd.service import IncidentService
from ircmd.store.tinydb.store import INCIDENTS, TinyDBIncidentStore, events_table

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def build(path: Path, incidents: int, events_in_target: int) -> str:
    """A store of ``incidents`` incidents (5 events each) whose last one has N events."""
    store = TinyDBIncidentStore(path)
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


def measure(path: Path, incident_id: str, appends: int) -> tuple[list[float], float]:
    t = time.perf_counter()
    store = TinyDBIncidentStore(path)
    open_s = time.perf_counter() - t
    svc = IncidentService(store=store, actor="bench")
    times = []
    for i in range(appends):
        t = time.perf_counter()
        svc.note(incident_id, f"appended {i}")
        times.append((time.perf_counter() - t) * 1000)
    assert store.verify() == []
    return times, open_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--incidents", type=int, default=200)
    args = parser.parse_args()
    print(f"store of {args.incidents} incidents; {args.appends} appends each, fsync on")
    print(
        f"{'events in incident':>18} | {'store MB':>8} | {'open s':>6} | {'median ms':>9} | "
        f"{'p95 ms':>7} | {'max ms':>7} | target"
    )
    print("-" * 80)
    for n in (100, 1_000, 10_000):
        with tempfile.TemporaryDirectory(prefix="ircmd-bench-") as tmp:
            path = Path(tmp)
            incident_id = build(path, args.incidents, n)
            size = sum(f.stat().st_size for f in path.iterdir()) / 1e6
            times, open_s = measure(path, incident_id, args.appends)
            med = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[18]
            verdict = "ok" if med <= 5 else "MISSED"
            print(
                f"{n:>18,} | {size:>8.1f} | {open_s:>6.2f} | {med:>9.2f} | {p95:>7.2f} | "
                f"{max(times):>7.2f} | <=5 ms median: {verdict}"
            )


if __name__ == "__main__":
    main()
