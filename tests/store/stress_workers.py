"""Writer processes for the crash and concurrency tests (imported by forkserver children)."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from ircmd.service import IncidentService
from ircmd.store.tinydb.store import TinyDBIncidentStore


def open_dir(store_dir: str) -> TinyDBIncidentStore:
    """The store, with its chain key beside it (a forkserver's env may be another test's)."""
    from ircmd.store.chainkey import KeySource

    return TinyDBIncidentStore(
        Path(store_dir), key_source=KeySource(Path(store_dir).parent / "keys", None)
    )


def crash_writer(
    store_dir: str, ack_path: str, incident_id: str, tag: str, seed: int, ready: Any
) -> None:
    """Write notes (and now and then compact) until killed; log each acknowledged note."""
    rng = random.Random(seed)
    store = open_dir(store_dir)
    svc = IncidentService(store=store, actor=f"writer-{tag}")
    fd = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    ready.set()
    i = 0
    while True:
        text = f"{tag}-{i}"
        if rng.random() < 0.1:
            inc, _ = svc.declare(f"declared by {text}")
            os.write(fd, f"incident {inc.id} {text}\n".encode())
        else:
            svc.note(incident_id, text)
            os.write(fd, f"note {incident_id} {text}\n".encode())
        if rng.random() < 0.02:
            store.compact()
        i += 1


def append_notes(store_dir: str, incident_id: str, tag: str, count: int) -> None:
    store = open_dir(store_dir)
    svc = IncidentService(store=store, actor=f"console-{tag}")
    for i in range(count):
        svc.note(incident_id, f"{tag}-{i}")
        if i % 25 == 0:
            svc.declare(f"side incident {tag}-{i}")
    store.close()
