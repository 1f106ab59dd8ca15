"""Parse/open benchmark for 100,000-span OTLP JSON files, and memory per span.

    .venv/bin/python benchmarks/bench_traces_parse.py [--spans 100000] [--runs 5]

Rows (wall time of whole processes, medians of --runs; the machine is noisy):

* ``bare json.loads``   — ``python -c 'json.loads(open(f,"rb").read())'``: the baseline;
* ``ircmd trace inspect`` — the whole command (imports, parse, classify, totals, JSON out);
* ``open to tree``      — parse + index + build the trace tree + summaries + first 60 rows
  of the depth-first order (what the explorer needs before its first frame).

Target: both ≤ 3× the baseline. ``(gc off)`` is a stricter reference (the same
process with the collector disabled, as ircmd's bulk parse runs): the last column is the
worse of the two commands against it. Memory: tracemalloc bytes held per span after parsing, and
after indexing and building trees (target ≤ 1 KB per span).
Two files: ONE trace of N spans (the explorer case) and N spans in many small traces.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from ircmd.demo import tracegen

HERE = Path(__file__).resolve().parent
PY = sys.executable
IRCMD = str(Path(PY).parent / "ircmd")

OPEN_SCRIPT = r"""
import gc, sys
gc.disable()
from ircmd.backends.traces.files import load_paths
from ircmd.domain.traces.tracetree import TraceIndex
batch = load_paths([sys.argv[1]])
idx = TraceIndex(); idx.add(batch.spans)
gc.freeze(); gc.enable()
summaries = idx.summaries()
tree = idx.tree(summaries[0].trace_id)
rows = tree.order()[:60]
print(len(batch.spans), len(summaries), len(rows))
"""


RSS_SCRIPT = r"""
import gc, os, sys
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
from ircmd.backends.traces.files import load_paths
from ircmd.domain.traces.tracetree import TraceIndex
import ircmd.service.traces.service
before = rss()
gc.disable()
batch = load_paths([sys.argv[1]])
idx = TraceIndex(); idx.add(batch.spans)
s = idx.summaries(); idx.tree(s[0].trace_id)
gc.enable(); gc.collect()
print((rss() - before) / len(batch.spans))
"""


def rss_per_span(path: Path, env: dict[str, str]) -> float:
    out = subprocess.run(
        [PY, "-c", RSS_SCRIPT, str(path)], check=True, capture_output=True, text=True, env=env
    )
    return float(out.stdout.strip())


def make_files(n: int, directory: Path) -> dict[str, Path]:
    one = directory / f"one-trace-{n}.json"
    many = directory / f"many-traces-{n}.json"
    if not one.exists():
        one.write_text(json.dumps(tracegen.big_trace(n), separators=(",", ":")))
    if not many.exists():
        reqs = list(tracegen.requests(round(n / 5.5), per_request=10**9))
        many.write_text(json.dumps(reqs[0], separators=(",", ":")))
    return {"one trace": one, "many traces": many}


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def median_time(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    return statistics.median(timed(cmd, env) for _ in range(runs))


def memory_per_span(path: Path) -> tuple[int, float, float]:
    from ircmd.backends.traces.files import load_paths
    from ircmd.domain.traces.tracetree import TraceIndex

    gc.collect()
    tracemalloc.start()
    batch = load_paths([str(path)])
    spans = batch.spans
    gc.collect()
    parsed = tracemalloc.get_traced_memory()[0]
    idx = TraceIndex()
    idx.add(spans)
    for s in idx.summaries()[:1]:
        idx.tree(s.trace_id)
    for tid in idx.trace_ids():
        idx.summary(tid)
    gc.collect()
    indexed = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    n = len(spans)
    return n, parsed / n, indexed / n


def log_join_times(path: Path, runs: int) -> tuple[float, float, int]:
    """In-process parse time of the traces as one JSONL line, and of the same line plus
    one OTLP logs line holding one GenAI log record per llm span (medians of ``runs``)."""
    from ircmd.domain.traces.otlp import parse_bytes

    line = json.dumps(json.loads(path.read_bytes()), separators=(",", ":"))
    spans = parse_bytes(line, "x").spans
    records = [
        {
            "timeUnixNano": str(sp.start_ns),
            "traceId": sp.trace_id,
            "spanId": sp.span_id,
            "eventName": "gen_ai.client.inference.operation.details",
            "attributes": [
                {
                    "key": "gen_ai.input.messages",
                    "value": {
                        "stringValue": json.dumps(
                            [{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]
                        )
                    },
                }
            ],
        }
        for sp in spans
        if sp.kind.value == "llm"
    ]
    logs = {"resourceLogs": [{"scopeLogs": [{"logRecords": records}]}]}
    plain = line + "\n{}\n"  # two lines: both inputs are read as JSONL
    with_logs = line + "\n" + json.dumps(logs, separators=(",", ":")) + "\n"

    def once(text: str) -> float:
        t = time.perf_counter()
        parse_bytes(text, "bench")
        return time.perf_counter() - t

    return (
        statistics.median(once(plain) for _ in range(runs)),
        statistics.median(once(with_logs) for _ in range(runs)),
        len(records),
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spans", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "ircmd-bench")
    a = ap.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    files = make_files(a.spans, a.dir)
    env = dict(os.environ, IRCMD_DATA_DIR=str(a.dir / "data"))
    env.pop("IRCMD_CONFIG", None)

    print(f"{a.spans} spans, median of {a.runs} runs, wall time of whole processes\n")
    print(
        f"{'file':<12} {'MB':>6} {'bare json.loads':>16} {'(gc off)':>9} {'trace inspect':>14} "
        f"{'ratio':>6} {'open to tree':>13} {'ratio':>6} {'vs gc off':>10}"
    )
    ok = True
    for label, path in files.items():
        mb = path.stat().st_size / 1e6
        bare = median_time(
            [PY, "-c", "import json,sys; json.loads(open(sys.argv[1],'rb').read())", str(path)],
            a.runs,
            env,
        )
        bare_nogc = median_time(
            [
                PY,
                "-c",
                "import gc,json,sys; gc.disable(); json.loads(open(sys.argv[1],'rb').read())",
                str(path),
            ],
            a.runs,
            env,
        )
        inspect = median_time([IRCMD, "trace", "inspect", str(path), "--json"], a.runs, env)
        opened = median_time([PY, "-c", OPEN_SCRIPT, str(path)], a.runs, env)
        r1, r2 = inspect / bare, opened / bare
        ok = ok and r1 <= 3 and r2 <= 3
        strict = max(inspect, opened) / bare_nogc
        print(
            f"{label:<12} {mb:>6.1f} {bare:>15.2f}s {bare_nogc:>8.2f}s {inspect:>13.2f}s "
            f"{r1:>5.2f}x {opened:>12.2f}s {r2:>5.2f}x {strict:>9.2f}x"
        )

    print(
        f"\n{'file':<12} {'spans':>8} {'held after parse':>17} {'after index+trees':>18} "
        f"{'RSS growth':>12}"
    )
    for label, path in files.items():
        n, parsed, indexed = memory_per_span(path)
        rss = rss_per_span(path, env)
        ok = ok and indexed <= 1024
        print(f"{label:<12} {n:>8} {parsed:>13.0f} B/sp {indexed:>14.0f} B/sp {rss:>8.0f} B/sp")
    print("(held = tracemalloc of live objects; RSS growth = process RSS after open, per span)")
    plain, joined, n_logs = log_join_times(files["many traces"], a.runs)
    extra = joined / plain - 1
    ok = ok and extra <= 0.20
    print(
        f"\nlog joining: {n_logs} log records (one per llm span) as a second JSONL line: "
        f"parse {plain:.2f}s without, {joined:.2f}s with, +{100 * extra:.0f}% (target ≤ 20%)"
    )
    print(
        "\ntargets: ratio ≤ 3.00x, memory ≤ 1024 B/span, log joining ≤ +20%:",
        "MET" if ok else "NOT MET",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
