"""Signals benchmark: how long one poll's work takes for N alerts (parse the Alertmanager
answer, merge it onto the board, mark seen/new), without the network.

Run:  .venv/bin/python benchmarks/signals_bench.py [--repeat 7]
Target: 1,000 alerts per poll in < 100 ms (median) on a quiet machine, so a 10 s poll
interval stays cheap (the work runs in a worker thread; the UI never waits for it). The
machine is shared and noisy: compare the per-alert column across sizes (it should stay flat).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ircmd.backends.signals.alertmanager import signal_from_alert
from ircmd.domain.signals.signals import merge_poll, seen_doc, seen_mark

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(seconds=10)


def alerts(n: int, changed_every: int = 0) -> bytes:
    out = []
    for i in range(n):
        state = "suppressed" if changed_every and i % changed_every == 0 else "active"
        out.append(
            {
                "fingerprint": f"{i:016x}",
                "labels": {
                    "alertname": f"Alert{i % 50}",
                    "workflow": f"wf-{i % 7}",
                    "severity": ("page", "warning", "info")[i % 3],
                    "instance": f"host-{i}",
                },
                "annotations": {"summary": f"alert number {i} is firing " + "x" * 60},
                "startsAt": "2026-11-28T08:00:00.000Z",
                "endsAt": "2026-11-28T09:05:00.000Z",
                "updatedAt": "2026-11-28T08:59:00.000Z",
                "generatorURL": "http://prom/graph",
                "status": {"state": state, "silencedBy": [], "inhibitedBy": []},
            }
        )
    return json.dumps(out).encode()


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print(
        f"{'alerts':>7} {'parse ms':>9} {'merge ms':>9} {'marks ms':>9} {'poll ms':>8} "
        f"{'us/alert':>9}  target"
    )
    for n in (100, 1_000, 5_000):
        first = alerts(n)
        second = alerts(n, changed_every=10)

        def parse(body: bytes = first) -> list:  # type: ignore[type-arg]
            return [signal_from_alert("am", a) for a in json.loads(body)]

        board, _ = merge_poll([], parse(first), NOW)
        current = parse(second)
        seen = {s.key: seen_doc(s, NOW, "bench") for s in board[: n // 2]}

        parse_ms = timed(parse, args.repeat)
        merge_ms = timed(lambda b=board, c=current: merge_poll(b, c, LATER), args.repeat)  # type: ignore[misc]
        marks_ms = timed(lambda c=current, m=seen: [seen_mark(s, m) for s in c], args.repeat)  # type: ignore[misc]
        total = parse_ms + merge_ms + marks_ms
        target = "< 100 ms" if n == 1_000 else ""
        ok = ("ok" if total < 100 else "SLOW") if target else ""
        print(
            f"{n:>7} {parse_ms:>9.1f} {merge_ms:>9.1f} {marks_ms:>9.1f} {total:>8.1f} "
            f"{total * 1000 / n:>9.1f}  {target} {ok}"
        )


if __name__ == "__main__":
    main()
