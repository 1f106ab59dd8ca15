"""A console inside a network namespace, driven line by line on stdin (partition tests).

Usage: ip netns exec NS python partition_client.py DSN INCIDENT_ID
Commands: ``write CLIENT_ID TEXT`` → ``ok SECONDS SEQ`` or ``err SECONDS MESSAGE``;
``health`` → ``up``/``down``; ``listening`` → ``yes``/``no`` (its LISTEN connection);
``count CLIENT_ID`` → how many events carry that id.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.store.base import Change, EventDraft, StoreError
from ircmd.store.chainkey import KeySource
from ircmd.store.postgres.store import PostgresIncidentStore


def main() -> int:
    dsn, incident_id, key_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    from pathlib import Path

    store = PostgresIncidentStore(dsn, key_source=KeySource(Path(key_dir), None))
    store.change_token()  # start the listener (what the status bar's health reads)
    print("ready", flush=True)
    for line in sys.stdin:
        cmd, _, rest = line.strip().partition(" ")
        if cmd == "write":
            client_id, _, text = rest.partition(" ")
            acted = datetime.now(UTC)

            def decide(
                current: Incident,
                last: TimelineEvent | None,
                acted: datetime = acted,
                text: str = text,
                client_id: str = client_id,
            ) -> Change:
                draft = EventDraft(
                    kind=EventKind.NOTE, at=acted, author="maria", text=text, client_id=client_id
                )
                return Change(incident=current, events=[draft])

            t = time.monotonic()
            try:
                _, events = store.apply(incident_id, decide)
                print(f"ok {time.monotonic() - t:.2f} {events[0].seq}", flush=True)
            except StoreError as exc:
                print(f"err {time.monotonic() - t:.2f} {exc}", flush=True)
        elif cmd == "health":
            print("up" if store.health()[0] else "down", flush=True)
        elif cmd == "listening":  # the store's LISTEN connection is up (after a heal)
            listener = store._listener
            print(
                "yes" if listener is not None and listener.connected.is_set() else "no", flush=True
            )
        elif cmd == "quit":
            break
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
