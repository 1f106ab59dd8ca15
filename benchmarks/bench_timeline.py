"""Timeline speed on a long incident: first render of 10,000 events and per-key scrolling.

Run:  .venv/bin/python benchmarks/bench_timeline.py [--events 10000] [--runs 5]

Prints a table of medians over the runs (the machine is shared and noisy) with the
targets from the war-room issue: first render <= 200 ms, scroll p95 <= 100 ms per key.
Every 10th key is a page-down (a full repaint), the rest move the cursor one line.

Keys go through Textual's test harness (``pilot.press``), whose own idle waits cost
~40-50 ms per key on this machine; "net" figures subtract the median cost of a no-op
binding measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.binding import Binding

from ircmd.domain.incidents.eventfilter import parse_filter
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event
from ircmd.tui.widgets.incidents.timeline import TimelineView

KINDS = [EventKind.NOTE, EventKind.DECISION, EventKind.STATUS_CHANGE, EventKind.SIGNAL]


def make_events(n: int) -> list[TimelineEvent]:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    events: list[TimelineEvent] = []
    prev = None
    for i in range(n):
        prev = new_event(
            incident_id="INC-0001",
            prev=prev,
            kind=KINDS[i % len(KINDS)],
            at=t0 + timedelta(seconds=i),
            author=f"responder{i % 7}",
            text=f"event {i}: refund {i * 7 % 1000} checked against policy [@click=app.quit]x[/]",
        )
        events.append(prev)
    return events


class Bench(App[None]):
    BINDINGS = [Binding("x", "noop", "no-op")]

    def action_noop(self) -> None:
        pass

    def compose(self) -> ComposeResult:
        yield TimelineView(id="timeline")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def one_run(events: list[TimelineEvent], keys: int) -> dict[str, float]:
    app = Bench()
    async with app.run_test(size=(200, 60)) as pilot:
        view = app.query_one(TimelineView)
        view.focus()
        await pilot.pause()
        start = time.perf_counter()
        view.set_events(events)
        await pilot.pause()
        first = (time.perf_counter() - start) * 1000
        gc.freeze()  # as TimelinePane does after loading a long timeline
        view.action_jump(0)
        await pilot.pause()
        per_key: list[float] = []
        for i in range(keys):
            key = "pagedown" if i % 10 == 9 else "j"
            t = time.perf_counter()
            await pilot.press(key)
            per_key.append((time.perf_counter() - t) * 1000)
        # The harness's own cost per key: a binding that does nothing.
        noop: list[float] = []
        for _ in range(max(20, keys // 5)):
            t = time.perf_counter()
            await pilot.press("x")
            noop.append((time.perf_counter() - t) * 1000)
        lines = [v for i, v in enumerate(per_key) if i % 10 != 9]
        pages = [v for i, v in enumerate(per_key) if i % 10 == 9]
        t = time.perf_counter()
        view.set_events(parse_filter("kind:decision refund").apply(events))
        await pilot.pause()
        filt = (time.perf_counter() - t) * 1000
    base = statistics.median(noop)
    return {
        "first render (ms)": first,
        "harness no-op key (ms)": base,
        "j: p50 net (ms)": statistics.median(lines) - base,
        "j: p95 net (ms)": p95(lines) - base,
        "pagedown: p50 net (ms)": statistics.median(pages) - base,
        "pagedown: p95 net (ms)": p95(pages) - base,
        "all keys: p95 net (ms)": p95(per_key) - base,
        "filter + redraw (ms)": filt,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    events = make_events(args.events)
    results = [asyncio.run(one_run(events, args.keys)) for _ in range(args.runs)]
    targets = {"first render (ms)": 200.0, "all keys: p95 net (ms)": 100.0}
    print(f"timeline benchmark: {args.events} events, {args.runs} runs, {args.keys} keys/run")
    print(f"{'measure':<26}{'median':>10}{'min':>10}{'max':>10}{'target':>10}  ok")
    for name in results[0]:
        values = [r[name] for r in results]
        target = targets.get(name)
        med = statistics.median(values)
        ok = "" if target is None else ("yes" if med <= target else "NO")
        shown = "" if target is None else f"{target:.0f}"
        print(f"{name:<26}{med:>10.1f}{min(values):>10.1f}{max(values):>10.1f}{shown:>10}  {ok}")


if __name__ == "__main__":
    main()
