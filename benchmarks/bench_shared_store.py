"""Many consoles appending notes to ONE incident at once, on PostgreSQL and on TinyDB.

Each console is a process with its own store (as on its own host) calling
``IncidentService.note`` in a loop for ``--seconds``. Two watcher processes play other
consoles: one polls ``change_token()`` every 5 ms (notification latency: commit -> seen),
one every 0.25 s like the TUI (what a responder sees). Afterwards every acknowledged note
must be stored exactly once and the chain must verify.

    IRCMD_TEST_PG_DSN=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/bench_shared_store.py [--seconds 30]

The DSN (superuser, or a role allowed to CREATE DATABASE) comes from ``--dsn-env``
(default IRCMD_TEST_PG_DSN); a throw-away database is created and dropped. Without a DSN
only the TinyDB rows run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ircmd.domain.config import Config
from ircmd.service import IncidentService
from ircmd.store import IncidentStore

DSN_VAR = "IRCMD_BENCH_STORE_DSN"


def open_backend(kind: str, where: str) -> IncidentStore:
    if kind == "postgres":
        from ircmd.store.postgres.store import PostgresIncidentStore

        return PostgresIncidentStore(where)
    from ircmd.store.tinydb.store import TinyDBIncidentStore

    return TinyDBIncidentStore(Path(where))


def writer(
    kind: str, where: str, incident_id: str, n: int, start: Any, seconds: float, q: Any
) -> None:
    store = open_backend(kind, where)
    svc = IncidentService(store=store, config=Config(), actor=f"console-{n}")
    acks: list[tuple[str, float, float]] = []  # text, commit wall time, append duration
    errors: list[str] = []
    q.put(("ready", n))
    start.wait()
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        text = f"c{n}-{i}"
        i += 1
        t0 = time.perf_counter()
        try:
            svc.note(incident_id, text)
        except Exception as exc:  # reported, never hidden
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        acks.append((text, time.time(), time.perf_counter() - t0))
    store.close()
    q.put(("done", n, acks, errors))


def watcher(
    kind: str, where: str, incident_id: str, poll: float, start: Any, seconds: float, q: Any
) -> None:
    store = open_backend(kind, where)
    if kind == "postgres":
        from ircmd.store.postgres.store import PostgresIncidentStore, wait_listening

        assert isinstance(store, PostgresIncidentStore)
        wait_listening(store)
    last_seq = store.event_count(incident_id)
    seen: dict[str, float] = {}
    token = store.change_token()
    q.put(("ready", -1))
    start.wait()
    end = time.monotonic() + seconds + 2.0
    while time.monotonic() < end:
        time.sleep(poll)
        now_token = store.change_token()
        if now_token == token:
            continue
        token = now_token
        for ev in store.events(incident_id, after_seq=last_seq):
            seen.setdefault(ev.text, time.time())
            last_seq = ev.seq
    store.close()
    q.put(("seen", poll, seen))


@dataclass
class Row:
    backend: str
    consoles: int
    seconds: float
    appends: int
    lost: int
    duplicated: int
    unacknowledged: int
    errors: int
    chain_ok: bool
    append_ms: list[float]
    notify_ms: list[float]
    tui_ms: list[float]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(kind: str, where: str, consoles: int, seconds: float) -> Row:
    store = open_backend(kind, where)
    svc = IncidentService(store=store, config=Config(), actor="bench")
    inc, _ = svc.declare(f"bench: {consoles} consoles on {kind}")
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    start = ctx.Event()
    procs = [
        ctx.Process(target=writer, args=(kind, where, inc.id, n, start, seconds, q))
        for n in range(consoles)
    ]
    procs += [
        ctx.Process(target=watcher, args=(kind, where, inc.id, poll, start, seconds, q))
        for poll in (0.005, 0.25)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        q.get(timeout=300)
    start.set()
    acks: list[tuple[str, float, float]] = []
    errors: list[str] = []
    seen: dict[float, dict[str, float]] = {}
    for _ in procs:
        msg = q.get(timeout=seconds + 300)
        if msg[0] == "done":
            acks += msg[2]
            errors += msg[3]
        else:
            seen[msg[1]] = msg[2]
    for p in procs:
        p.join(timeout=30)
    records = store.event_records(inc.id)[1:]
    texts = [r["text"] for r in records]
    acked = {a[0] for a in acks}
    stored = set(texts)
    seqs = [r["seq"] for r in records]
    chain_ok = store.verify() == [] and seqs == list(range(2, len(records) + 2))
    store.close()
    commit = {a[0]: a[1] for a in acks}

    def latencies(poll: float) -> list[float]:
        got = seen.get(poll, {})
        return [max(0.0, (got[t] - commit[t]) * 1000) for t in commit if t in got]

    if errors:
        print(f"  {kind}: {len(errors)} append errors, first: {errors[0]}", file=sys.stderr)
    return Row(
        backend=kind,
        consoles=consoles,
        seconds=seconds,
        appends=len(acks),
        lost=len(acked - stored),
        duplicated=len(texts) - len(stored),
        unacknowledged=len(stored - acked),
        errors=len(errors),
        chain_ok=chain_ok,
        append_ms=[a[2] * 1000 for a in acks],
        notify_ms=latencies(0.005),
        tui_ms=latencies(0.25),
    )


def print_table(rows: list[Row]) -> None:
    head = (
        "| backend | consoles | s | appends | appends/s | lost | dup | chain | "
        "append p50/p95 ms | notify p50/p95 ms | seen at 0.25 s poll p50/p95 ms |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        print(
            f"| {r.backend} | {r.consoles} | {r.seconds:g} | {r.appends} | "
            f"{r.appends / r.seconds:.0f} | {r.lost} | {r.duplicated} | "
            f"{'valid' if r.chain_ok else 'BROKEN'} | "
            f"{pct(r.append_ms, 50):.1f} / {pct(r.append_ms, 95):.1f} | "
            f"{pct(r.notify_ms, 50):.1f} / {pct(r.notify_ms, 95):.1f} | "
            f"{pct(r.tui_ms, 50):.0f} / {pct(r.tui_ms, 95):.0f} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0, help="per run (default 30)")
    parser.add_argument("--pg-consoles", type=int, default=20)
    parser.add_argument("--tinydb-consoles", type=int, default=4)
    parser.add_argument("--dsn-env", default="IRCMD_TEST_PG_DSN")
    args = parser.parse_args()
    rows: list[Row] = []
    admin = os.environ.get(args.dsn_env, "")
    if admin:
        import psycopg
        from psycopg.conninfo import make_conninfo

        name = f"ircmd_bench_{secrets.token_hex(3)}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        dsn = make_conninfo(admin, dbname=name)
        try:
            for consoles in sorted({args.pg_consoles, args.tinydb_consoles}, reverse=True):
                print(f"postgres, {consoles} consoles, {args.seconds:g} s ...", file=sys.stderr)
                rows.append(run("postgres", dsn, consoles, args.seconds))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        print(f"{args.dsn_env} is not set: PostgreSQL rows skipped", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="ircmd-bench-") as tmp:
        print(f"tinydb, {args.tinydb_consoles} consoles, {args.seconds:g} s ...", file=sys.stderr)
        rows.append(run("tinydb", tmp, args.tinydb_consoles, args.seconds))
    print_table(rows)
    bad = [r for r in rows if r.lost or r.duplicated or not r.chain_ok]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
