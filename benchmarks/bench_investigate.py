"""Investigation benchmarks (issue 15).

    .venv/bin/python benchmarks/bench_investigate.py [--runs 5] [--spans 100000]

Rows (medians of --runs; the machine is shared and noisy):

* ``diff 1,000 vs 1,000 (few changes)`` — two 1,000-span runs of the same agent where B has a
  changed prompt, a changed tool argument and an added span; target ≤ 200 ms;
* ``diff 1,000 vs 1,000 (cold pricer)`` — the same with a new ``Pricer`` each run (what one CLI
  command or one diff view meets); target ≤ 200 ms;
* ``diff 1,000 vs 1,000 (other seed)`` — two unrelated 1,000-span traces (worst case);
* ``conversation 200 turns`` — build the turns of a 200-trace conversation and render them as
  text (the CLI's drawing); target ≤ 300 ms;
* ``conversation view 200 turns`` — the same conversation in the explorer's view (``c``) on a
  headless 160x48 app: from the push to the painted frame with the 200 turns (worker, list,
  render); target ≤ 300 ms;
* ``trace changes`` vs ``trace inspect`` — whole processes over the same N-span file;
  target ≤ 2×.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from ircmd.demo import tracegen
from ircmd.domain.traces.conversation import build_conversation
from ircmd.domain.traces.cost import Pricer
from ircmd.domain.traces.diff import diff_traces
from ircmd.domain.traces.otlp import parse_document
from ircmd.domain.traces.spans import Span

IRCMD = str(Path(sys.executable).parent / "ircmd")


def _spans(doc: dict[str, Any]) -> list[Span]:
    return parse_document(doc, "bench").spans


def _median(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def _mutated(doc: dict[str, Any]) -> dict[str, Any]:
    """The same run with a changed prompt, a changed tool argument and one added span."""
    b: dict[str, Any] = json.loads(json.dumps(doc))
    spans = b["resourceSpans"][0]["scopeSpans"][0]["spans"]
    done = {"msg": False, "arg": False}
    for s in spans:
        for kv in s.get("attributes", []):
            v = kv.get("value", {})
            if not done["msg"] and kv["key"] in ("gen_ai.input.messages", "input.value"):
                v["stringValue"] = str(v.get("stringValue", "")) + " Be generous."
                done["msg"] = True
            elif not done["arg"] and kv["key"] in ("gen_ai.tool.call.arguments", "tool.parameters"):
                v["stringValue"] = json.dumps({"account_id": "A-1", "amount": 999})
                done["arg"] = True
    extra = json.loads(json.dumps(spans[len(spans) // 2]))
    extra["spanId"] = "f" * 16
    spans.append(extra)
    return b


def bench_diff(runs: int) -> tuple[float, float, float]:
    doc = tracegen.big_trace(1000, seed=11)
    a = _spans(doc)
    b = _spans(_mutated(doc))
    c = _spans(tracegen.big_trace(1000, seed=12))
    import genai_prices

    genai_prices.data_snapshot.get_snapshot()  # the price data loads once per process
    cold = _median(lambda: diff_traces(a, b, Pricer().usd), runs)  # a new pricer each run
    price = Pricer().usd
    diff_traces(a, b, price)  # warm caches
    few = _median(lambda: diff_traces(a, b, price), runs)
    other = _median(lambda: diff_traces(a, c, price), runs)
    d = diff_traces(a, b, price)
    print(f"  (few changes: {len(a)} vs {len(b)} spans, {d.summary})", file=sys.stderr)
    return few, other, cold


def _conversation_spans() -> list[Span]:
    spans: list[Span] = []
    for i in range(200):
        doc = tracegen.big_trace(8, seed=100 + i, fanout=8)
        for s in _spans(doc):
            attrs = dict(s.attr_items())
            attrs["session.id"] = attrs["gen_ai.conversation.id"] = "conv-bench"
            attrs["user.id"] = "u-1"
            spans.append(
                Span(
                    f"{i:032x}",
                    s.span_id,
                    s.parent_id,
                    s.name,
                    s.start_ns + i * 10**9,
                    s.end_ns + i * 10**9,
                    s.status_code,
                    s.status_message,
                    attrs,
                    resource=s.resource,
                )
            )
    return spans


def bench_conversation(runs: int) -> float:
    spans = _conversation_spans()
    price = Pricer().usd

    def draw() -> None:
        conv = build_conversation(spans, "conv-bench", price)
        assert len(conv.turns) == 200, len(conv.turns)
        out = io.StringIO()
        with redirect_stdout(out):
            for t in conv.turns:
                print(t.trace_id, t.input[:100], t.output[:100], t.tool_calls, t.tokens)

    return _median(draw, runs)


async def _view_once(spans: list[Span], price: Any) -> float:
    """Push the conversation view (``c``) on a headless 160x48 app; milliseconds until its 200
    turns are built in the worker, added to the list and painted."""
    from textual.app import App
    from textual.widgets import OptionList

    from ircmd.tui.screens.investigate.conversation_view import ConversationScreen

    app: App[None] = App()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = ConversationScreen(None, None, spans, "conv-bench", "bench", cost=price)
        t = time.perf_counter()
        app.push_screen(screen)
        while screen.conversation is None or not screen.is_mounted:
            await asyncio.sleep(0.001)
        turns = screen.query_one(OptionList)
        assert turns.option_count == 200, turns.option_count
        await pilot.pause()  # the frame with the turns in it
        return (time.perf_counter() - t) * 1000


def bench_conversation_view(runs: int) -> float:
    spans = _conversation_spans()
    price = Pricer().usd
    times = [asyncio.run(_view_once(spans, price)) for _ in range(runs)]
    return statistics.median(times)


def bench_changes(runs: int, n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "spans.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for req in tracegen.requests(round(n / 5.5), per_request=10**9):
                f.write(json.dumps(req, separators=(",", ":")) + "\n")

        def run(cmd: str) -> None:
            subprocess.run(
                [IRCMD, "trace", cmd, str(path), "--json"], check=True, capture_output=True
            )

        inspect = _median(lambda: run("inspect"), runs)
        changes = _median(lambda: run("changes"), runs)
    return inspect, changes


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--spans", type=int, default=100_000)
    args = ap.parse_args()
    few, other, cold = bench_diff(args.runs)
    conv = bench_conversation(args.runs)
    view = bench_conversation_view(args.runs)
    inspect, changes = bench_changes(max(1, args.runs // 2), args.spans)
    rows = [
        ("diff 1,000 vs 1,000 (few changes)", f"{few:.1f} ms", "≤ 200 ms", few <= 200),
        ("diff 1,000 vs 1,000 (cold pricer)", f"{cold:.1f} ms", "≤ 200 ms", cold <= 200),
        ("diff 1,000 vs 1,000 (other seed)", f"{other:.1f} ms", "(worst case)", True),
        ("conversation 200 turns (built, printed)", f"{conv:.1f} ms", "≤ 300 ms", conv <= 300),
        ("conversation view 200 turns (c, drawn)", f"{view:.1f} ms", "≤ 300 ms", view <= 300),
        (
            f"trace changes / inspect ({args.spans:,} spans)",
            f"{changes:.0f} / {inspect:.0f} ms = {changes / inspect:.2f}×",
            "≤ 2×",
            changes <= 2 * inspect,
        ),
    ]
    for name, got, target, ok in rows:
        print(f"{name:<45} {got:>28}  {target:<12} {'ok' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
