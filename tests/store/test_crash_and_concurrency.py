"""SIGKILL a writer at random moments (>= 100 times), and run 4 writers at once.

Afterwards the store must be readable, every chain intact, and every acknowledged write
present exactly once."""

from __future__ import annotations

import multiprocessing as mp
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stress_workers import append_notes, crash_writer, open_dir

from ircmd.service import IncidentService
from ircmd.store.tinydb.store import STORE_FILENAME

KILLS = 120


def _context() -> mp.context.ForkServerContext:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["stress_workers"])
    return ctx


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    svc = IncidentService(store=open_dir(str(store_dir)), actor="setup")
    inc, _ = svc.declare("crash target")
    svc.store.close()
    ack = tmp_path / "acks.log"
    ctx = _context()
    rng = random.Random(1234)
    for k in range(KILLS):
        ready = ctx.Event()
        proc = ctx.Process(
            target=crash_writer, args=(str(store_dir), str(ack), inc.id, f"k{k}", k, ready)
        )
        proc.start()
        assert ready.wait(30), "writer did not start"
        time.sleep(rng.uniform(0.0, 0.05))  # the behaviour under test: a kill at a random point
        proc.kill()
        proc.join()
        assert proc.exitcode is not None and proc.exitcode < 0  # it was killed, not crashed

    store = open_dir(str(store_dir))
    assert store.verify() == []
    notes = Counter(e.text for e in store.events(inc.id) if e.kind.value == "note")
    titles = Counter(i.title for i in store.list_incidents())
    acked = [line.split(" ", 2) for line in ack.read_text().splitlines()]
    assert len(acked) > KILLS // 4, "the writers barely wrote: the test proved nothing"
    for what, _incident, text in acked:
        if what == "note":
            assert notes[text] == 1, f"acknowledged note {text} lost or duplicated"
        else:
            assert titles[f"declared by {text}"] == 1, f"acknowledged incident {text} lost"
    assert max(notes.values()) == 1
    assert not list(store_dir.glob(f"{STORE_FILENAME}.tmp-*")), "temp files left behind"


def test_four_processes_appending_at_once_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    svc = IncidentService(store=open_dir(str(store_dir)), actor="setup")
    inc, _ = svc.declare("war room")
    svc.store.close()
    ctx = _context()
    per_process = 150
    procs = [
        ctx.Process(target=append_notes, args=(str(store_dir), inc.id, f"p{n}", per_process))
        for n in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
        assert p.exitcode == 0

    store = open_dir(str(store_dir))
    assert store.verify() == []
    events = store.events(inc.id)
    notes = [e.text for e in events if e.kind.value == "note"]
    expected = {f"p{n}-{i}" for n in range(4) for i in range(per_process)}
    assert len(notes) == len(expected) == len(set(notes))
    assert set(notes) == expected
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    incidents = store.list_incidents()
    assert [i.id for i in incidents] == [f"INC-{n:04d}" for n in range(1, len(incidents) + 1)]
    assert len(incidents) == 1 + 4 * len(range(0, per_process, 25))
