"""Trace explorer benchmarks: open a 100k-span trace, key latency, expand/collapse, live flood.

    .venv/bin/python benchmarks/bench_trace_ui.py                 # everything (~2-3 minutes)
    .venv/bin/python benchmarks/bench_trace_ui.py --only open     # one part: open|keys|live
    .venv/bin/python benchmarks/bench_trace_ui.py --spans 20000   # a smaller trace

Targets (issue 3):
  open     whole ``ircmd trace view FILE`` to a navigable, drawn tree  <= 3x a bare
           ``python -c json.loads(FILE)`` process on the same file (medians of --repeat runs)
  keys     cursor and scroll keys on that trace: p50 <= 50 ms, p95 <= 100 ms
  expand   expand/collapse of a node with <= 1,000 children: <= 100 ms
  live     keys answered within 100 ms while the receiver ingests >= 20,000 spans/s
           (OTLP protobuf POSTed by another process to the built-in receiver)

Key latency is measured in-process with Pilot: from the key press to the moment the
frame that shows its effect has been rendered to terminal output (the app's
``_display`` hook, including the ANSI rendering a real terminal would get).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PY = sys.executable


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def row(name: str, value: str, target: str, ok: bool | None) -> list[str]:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    return [name, value, target, verdict]


def print_table(rows: list[list[str]]) -> None:
    head = ["measure", "value", "target", ""]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(line)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(line)


def make_trace(spans: int, out: Path) -> Path:
    from ircmd.demo import tracegen

    if not out.exists():
        with out.open("w", encoding="utf-8") as f:
            json.dump(tracegen.big_trace(spans), f, separators=(",", ":"))
    return out


# -- open --------------------------------------------------------------------------------

OPEN_SNIPPET = """
import sys
from ircmd.tui.screens.warroom.panes import traces as tp
from ircmd.tui import trace_app
_apply = tp.TracePane._apply
def apply(self, *a):
    _apply(self, *a)
    if self.view is not None:
        self.app.call_after_refresh(self.app.exit)  # the first frame with the tree drawn
tp.TracePane._apply = apply
_run = trace_app.TraceViewApp.run
trace_app.TraceViewApp.run = lambda self, **kw: _run(self, headless=True, size=(160, 48))
from ircmd.cli import main
sys.exit(main(["trace", "view", sys.argv[1]]))
"""

BASELINE_SNIPPET = "import json, sys; json.loads(open(sys.argv[1], 'rb').read())"


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed: {proc.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def bench_open(path: Path, repeat: int, env: dict[str, str]) -> list[list[str]]:
    base: list[float] = []
    whole: list[float] = []
    for _ in range(repeat):
        base.append(timed([PY, "-c", BASELINE_SNIPPET, str(path)], env))
        whole.append(timed([PY, "-c", OPEN_SNIPPET, str(path)], env))
    b, w = statistics.median(base), statistics.median(whole)
    ratio = w / b
    return [
        row("json.loads process (median)", f"{b:.2f} s", "", None),
        row("ircmd trace view to drawn tree", f"{w:.2f} s", "", None),
        row("open ratio", f"{ratio:.2f}x", "<= 3x", ratio <= 3.0),
    ]


# -- keys and expand (in-process, Pilot) -------------------------------------------------


class FrameClock:
    """Timestamps of rendered frames (hooked into ``App._display``), each with the span
    tree's visible state at that moment, so a key's latency ends at the first frame that
    shows the state the key produced (not at an unrelated repaint)."""

    def __init__(self, app: Any, state: Callable[[], Any]) -> None:
        from textual._compositor import CompositorUpdate

        self.frames: list[tuple[float, Any]] = []
        self.cpu: list[float] = []
        """UI-thread CPU time per measured key (what an idle machine would take)."""
        self.state = state
        original = app._display
        console = app.console

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(console)  # what a real terminal would be sent
            if renderable is not None:
                self.frames.append((time.perf_counter(), self.state()))

        app._display = display

    async def latency(self, pilot: Any, act: Callable[[], Any]) -> float:
        await asyncio.sleep(0.01)
        n = len(self.frames)
        c0 = time.thread_time()
        t0 = time.perf_counter()
        result = act()
        if asyncio.iscoroutine(result):
            await result
        else:
            await self._handled()
        want = self.state()
        deadline = t0 + 3.0
        while time.perf_counter() < deadline:
            for t, st in self.frames[n:]:
                if st == want:
                    self.cpu.append(time.thread_time() - c0)
                    return t - t0
            await asyncio.sleep(0.001)
        return 3.0

    async def _handled(self) -> None:
        """Wait until the key posted to the driver has changed the tree (or 3 s)."""
        before = self.state()
        end = time.perf_counter() + 3.0
        while self.state() == before and time.perf_counter() < end:
            await asyncio.sleep(0.0005)


async def wait_loaded(pilot: Any, timeout: float = 120) -> Any:
    from ircmd.tui.screens.warroom.panes.traces import TracePane

    app = pilot.app
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pane = app.screen.query(TracePane).first(None)
        if pane is not None and pane.view is not None and not pane.loading:
            await pilot.pause(0.2)
            return pane
        await pilot.pause(0.05)
    raise SystemExit("the trace did not load in time")


def tree_state(tree: Any) -> tuple[int, int, int, bool]:
    return (tree.cursor, len(tree.rows.rows), tree.scroll_offset.y, tree.show_critical)


def open_workspace(tmp: Path) -> Any:
    from ircmd.service import Workspace
    from ircmd.service.config import parse_config

    return Workspace.open(parse_config("", "<bench>"), tmp / "data", actor="bench")


async def bench_keys(path: Path, presses: int, tmp: Path) -> list[list[str]]:
    from ircmd.backends.traces.files import FileTraceSource
    from ircmd.tui.trace_app import TraceViewApp

    ws = open_workspace(tmp)
    app = TraceViewApp(ws, [FileTraceSource("files", [str(path)], watch=False)])
    rows: list[list[str]] = []
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await wait_loaded(pilot)
        tree = pane.span_tree
        clock = FrameClock(app, lambda: tree_state(tree))
        spans = len(pane.view.spans)
        t = await clock.latency(pilot, lambda: pilot.press("L"))
        rows.append(row(f"expand ALL ({spans:,} rows)", f"{t * 1000:.0f} ms", "", None))
        cursor: list[float] = []
        scroll: list[float] = []
        clock.cpu.clear()
        for i in range(presses):
            key = "j" if (i // 10) % 2 == 0 else "k"
            cursor.append(await clock.latency(pilot, lambda k=key: pilot.press(k)))  # type: ignore[misc]
            key = ("down", "up")[(i // 10) % 2]
            cursor.append(await clock.latency(pilot, lambda k=key: pilot.press(k)))  # type: ignore[misc]
        by_key: dict[str, list[float]] = {}
        for i in range(presses // 2):
            key = ("pagedown", "pageup", "ctrl+d", "ctrl+u")[(i // 5) % 4]
            t = await clock.latency(pilot, lambda k=key: pilot.press(k))  # type: ignore[misc]
            scroll.append(t)
            by_key.setdefault(key, []).append(t)
        for key in ("G", "g", "G", "g"):
            t = await clock.latency(pilot, lambda k=key: pilot.press(k))  # type: ignore[misc]
            scroll.append(t)
            by_key.setdefault(key, []).append(t)
        both = cursor + scroll
        cpu = list(clock.cpu)
        for name, vals in (("cursor keys", cursor), ("scroll keys", scroll), ("all keys", both)):
            p50, p95 = pct(vals, 50) * 1000, pct(vals, 95) * 1000
            rows.append(
                row(
                    f"{name} p50/p95 (n={len(vals)})",
                    f"{p50:.1f} / {p95:.1f} ms",
                    "<= 50 / 100 ms",
                    p50 <= 50 and p95 <= 100,
                )
            )
        rows.append(
            row(
                "  UI-thread CPU per key p50/p95",
                f"{pct(cpu, 50) * 1000:.1f} / {pct(cpu, 95) * 1000:.1f} ms",
                "",
                None,
            )
        )
        per_key = ", ".join(f"{k} {statistics.median(v) * 1000:.0f}" for k, v in by_key.items())
        rows.append(row("  scroll keys, median ms", per_key, "", None))
        # expand/collapse a node with 1,000 children (a "turn" of the big trace)
        await pilot.press("H")
        await pilot.pause(0.1)
        await pilot.press("g", "l")  # expand the root: its turns show
        turn_row = 1 + min(5, len(tree.rows.rows) - 2)
        tree.cursor = turn_row
        await pilot.pause(0.1)
        node = tree.current_node
        kids = len(tree.rows.children[node])
        ex: list[float] = []
        co: list[float] = []
        for _ in range(10):
            ex.append(await clock.latency(pilot, lambda: pilot.press("space")))
            co.append(await clock.latency(pilot, lambda: pilot.press("space")))
        for name, vals in (("expand", ex), ("collapse", co)):
            med = statistics.median(vals) * 1000
            rows.append(
                row(
                    f"{name} node of {kids:,} children (median, max)",
                    f"{med:.1f} ms, {max(vals) * 1000:.1f} ms",
                    "<= 100 ms",
                    med <= 100,
                )
            )
        t = await clock.latency(pilot, lambda: pilot.press("e"))
        rows.append(row("e next error", f"{t * 1000:.1f} ms", "", None))
        t = await clock.latency(pilot, lambda: pilot.press("t"))
        rows.append(row("t critical path (marks at once)", f"{t * 1000:.1f} ms", "", None))
        t0 = time.perf_counter()
        while tree._critical is None and time.perf_counter() - t0 < 30:
            await pilot.pause(0.02)
        rows.append(
            row(
                "  critical path computed (worker)",
                f"{(time.perf_counter() - t0) * 1000:.0f} ms",
                "",
                None,
            )
        )
        rss = _rss_kb()
        rows.append(row("process RSS with the trace open", f"{rss / 1024:.0f} MB", "", None))
    ws.close()
    return rows


def _rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# -- live flood ----------------------------------------------------------------------------


def producer(port: int, rate: int, seconds: float, per_request: int, conns: int = 4) -> None:
    """POST OTLP protobuf to the receiver at ``rate`` spans/s (run in a separate process):
    every request is a new trace of ``per_request`` spans, sent over ``conns`` keep-alive
    connections."""
    import http.client
    import random

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    rng = random.Random(5)
    n_bodies = max(1, int(rate * seconds / per_request) + conns)
    template = ExportTraceServiceRequest()
    rs = template.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "flood"
    ss = rs.scope_spans.add()
    ss.scope.name = "bench"
    now = time.time_ns()
    for i in range(per_request):
        sp = ss.spans.add()
        sp.name = f"flood step {i}"
        sp.start_time_unix_nano = now + i * 1000
        sp.end_time_unix_nano = now + i * 1000 + 500
        a = sp.attributes.add()
        a.key, a.value.string_value = "gen_ai.operation.name", "execute_tool"
        a = sp.attributes.add()
        a.key, a.value.string_value = "gen_ai.tool.name", f"tool{i % 7}"
    bodies: list[bytes] = []
    for _ in range(n_bodies):
        trace_id = rng.randbytes(16)
        spans = template.resource_spans[0].scope_spans[0].spans
        root = rng.randbytes(8)
        for i, sp in enumerate(spans):
            sp.trace_id = trace_id
            sp.span_id = root if i == 0 else rng.randbytes(8)
            if i:
                sp.parent_span_id = root
        bodies.append(template.SerializeToString())
    lock = threading.Lock()
    state = {"next": 0, "sent": 0, "error": ""}
    t0 = time.perf_counter()

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = state["next"]
                if i >= n_bodies or time.perf_counter() - t0 >= seconds or state["error"]:  # type: ignore[operator]
                    return
                state["next"] = i + 1  # type: ignore[operator]
            delay = t0 + i * per_request / rate - time.perf_counter()  # type: ignore[operator]
            if delay > 0:
                time.sleep(delay)
            conn.request(
                "POST",
                "/v1/traces",
                body=bodies[i],  # type: ignore[call-overload]
                headers={"Content-Type": "application/x-protobuf"},
            )
            resp = conn.getresponse()
            resp.read()
            with lock:
                if resp.status != 200:
                    state["error"] = f"receiver answered {resp.status}"
                else:
                    state["sent"] += per_request  # type: ignore[operator]

    threads = [threading.Thread(target=run) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if state["error"]:
        raise SystemExit(str(state["error"]))
    print(json.dumps({"spans": state["sent"], "seconds": elapsed}))


async def bench_live(rate: int, seconds: float, tmp: Path) -> list[list[str]]:
    from ircmd.backends.traces.otlp_receiver import OtlpReceiverSource
    from ircmd.tui.trace_app import TraceViewApp

    ws = open_workspace(tmp)
    source = OtlpReceiverSource("bench", port=0, data_dir=tmp / "data")
    app = TraceViewApp(ws, [source])
    rows: list[list[str]] = []
    async with app.run_test(size=(160, 48)) as pilot:
        from ircmd.tui.screens.warroom.panes.traces import TracePane

        while not source.receiver.running:
            await pilot.pause(0.05)
        pane = app.screen.query_one(TracePane)
        tree = pane.span_tree
        clock = FrameClock(app, lambda: tree_state(tree))
        proc = subprocess.Popen(
            [PY, __file__, "--produce", str(source.receiver.port), str(rate), str(seconds)],
            stdout=subprocess.PIPE,
            env=os.environ.copy(),
        )
        lat: list[float] = []
        while pane.view is None and proc.poll() is None:
            await pilot.pause(0.05)  # the producer builds its requests, then the first lands
        await pilot.press("l")  # open the first trace's root: 500 rows to move through
        refreshes0 = pane.refreshes
        t0 = time.perf_counter()
        from textual import events

        def press(key: str) -> None:
            # straight into the driver's queue, as a terminal's key would arrive (Pilot's
            # press() would also wait for the app to go idle, which a flood never allows)
            app._driver.send_message(events.Key(key, key))  # type: ignore[union-attr]

        i = 0
        while proc.poll() is None:
            key = "j" if (i // 10) % 2 == 0 else "k"
            lat.append(await clock.latency(pilot, lambda k=key: press(k)))  # type: ignore[misc]
            i += 1
            await asyncio.sleep(0.05)
        out, _ = proc.communicate()
        cpu = list(clock.cpu)
        elapsed = time.perf_counter() - t0
        sent = json.loads(out.decode().strip().splitlines()[-1])
        # let the UI catch up, then count what it folded in
        deadline = time.perf_counter() + 30
        while pane.index.span_count < sent["spans"] and time.perf_counter() < deadline:
            await pilot.pause(0.1)
        caught_up = time.perf_counter() - t0 - elapsed
        refreshes = pane.refreshes - refreshes0
        spans_rate = sent["spans"] / sent["seconds"]
        rows.append(
            row(
                "receiver ingest (protobuf, other process)",
                f"{spans_rate:,.0f} spans/s",
                ">= 20,000",
                spans_rate >= 20_000,
            )
        )
        rows.append(
            row(
                "spans in the UI index / sent",
                f"{pane.index.span_count:,} / {sent['spans']:,} (+{caught_up:.1f} s)",
                "",
                None,
            )
        )
        p50, p95, worst = pct(lat, 50) * 1000, pct(lat, 95) * 1000, max(lat) * 1000
        rows.append(
            row(
                f"keys during the flood p50/p95/max (n={len(lat)})",
                f"{p50:.1f} / {p95:.1f} / {worst:.0f} ms",
                "<= 100 ms",
                p95 <= 100,
            )
        )
        rows.append(
            row(
                "  UI-thread CPU per key p50/p95",
                f"{pct(cpu, 50) * 1000:.1f} / {pct(cpu, 95) * 1000:.1f} ms",
                "",
                None,
            )
        )
        rows.append(
            row(
                "view refreshes during the flood",
                f"{refreshes} in {elapsed:.1f} s ({refreshes / elapsed:.1f}/s)",
                "a few per second",
                refreshes / elapsed <= 5,
            )
        )
    ws.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--spans", type=int, default=100_000)
    p.add_argument("--file", type=Path, help="an OTLP JSON trace (default: generated)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--presses", type=int, default=60)
    p.add_argument("--rate", type=int, default=30_000, help="live flood spans/s (offered)")
    p.add_argument("--seconds", type=float, default=8.0, help="live flood duration")
    p.add_argument("--only", choices=["open", "keys", "live"])
    p.add_argument(
        "--produce", nargs=3, metavar=("PORT", "RATE", "SECONDS"), help=argparse.SUPPRESS
    )
    a = p.parse_args(argv)
    if a.produce:
        producer(int(a.produce[0]), int(a.produce[1]), float(a.produce[2]), 500)
        return 0
    with tempfile.TemporaryDirectory(prefix="ircmd-bench-") as tmpdir:
        tmp = Path(tmpdir)
        env = os.environ.copy()
        env["IRCMD_DATA_DIR"] = str(tmp / "data")
        env["IRCMD_CONFIG"] = str(tmp / "config.toml")
        (tmp / "config.toml").write_text("")
        os.environ.update({k: env[k] for k in ("IRCMD_DATA_DIR", "IRCMD_CONFIG")})
        rows: list[list[str]] = []
        path = a.file
        if a.only in (None, "open", "keys") and path is None:
            cache = Path(tempfile.gettempdir()) / f"ircmd-bench-trace-{a.spans}.json"
            path = make_trace(a.spans, cache)
        if path is not None:
            size = path.stat().st_size / 1e6
            rows.append(row("trace file", f"{path.name} {size:.1f} MB", "", None))
        if a.only in (None, "open"):
            rows += bench_open(path, a.repeat, env)
        if a.only in (None, "keys"):
            rows += asyncio.run(bench_keys(path, a.presses, tmp))
        if a.only in (None, "live"):
            rows += asyncio.run(bench_live(a.rate, a.seconds, tmp))
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        rows.append(
            row("machine load average (1 min)", f"{load:.1f} on {os.cpu_count()} CPUs", "", None)
        )
        print_table(rows)
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    raise SystemExit(main())
