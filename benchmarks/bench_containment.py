"""Containment benchmark against a real Unleash (loopback).

    IRCMD_TEST_UNLEASH_URL=... IRCMD_TEST_UNLEASH_TOKEN=... \\
        .venv/bin/python benchmarks/bench_containment.py [--rounds 15]

Prints a table: reconciling a board of 50 workflows x 6 controls (target <= 1 s, batched:
one request per controller), the same read done naively (one GET per flag) for the ratio,
and toggling one control until confirmed (target <= 300 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from ircmd.domain.containment.controls import ControlState
from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.service.containment.service import ContainmentService

WORKFLOWS = 50
KINDS = [
    ("pause", "pause_workflow"),
    ("review", "force_human_review"),
    ("tool", "disable_tool"),
    ("source", "block_source"),
    ("perms", "narrow_permissions"),
    ("extra-review", "force_human_review"),
]


def config_text(url: str) -> str:
    parts = [
        f"""
[controllers.flags]
kind = "unleash"
url = "{url}"
token_env = "IRCMD_TEST_UNLEASH_TOKEN"
timeout = 10
"""
    ]
    for w in range(WORKFLOWS):
        parts.append(f'\n[[workflows]]\nid = "bench-wf{w:02d}"\n')
        for cid, kind in KINDS:
            parts.append(
                f'\n[[workflows.controls]]\nid = "{cid}"\nkind = "{kind}"\ncontroller = "flags"\n'
            )
    return "".join(parts)


async def ensure_flags(url: str, token: str) -> int:
    """Create the 300 flags once (kill-switch, off); returns how many were created."""
    headers = {"Authorization": token}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        r = await client.get("/api/admin/projects/default/features")
        r.raise_for_status()
        have = {f["name"] for f in r.json()["features"]}
        names = [f"bench-wf{w:02d}.{cid}" for w in range(WORKFLOWS) for cid, _ in KINDS]
        missing = [n for n in names if n not in have]
        sem = asyncio.Semaphore(8)

        async def create(name: str) -> None:
            async with sem:
                resp = await client.post(
                    "/api/admin/projects/default/features",
                    json={"name": name, "type": "kill-switch"},
                )
                if resp.status_code not in (200, 201, 409):
                    resp.raise_for_status()

        await asyncio.gather(*(create(n) for n in missing))
        return len(missing)


async def board_render(rows: list, rounds: int) -> tuple[list[float], list[float]]:  # type: ignore[type-arg]
    """Seconds to hand 300 rows to the board widget and paint it (headless app): a full
    rebuild (other rows), and a reconcile refresh (same controls, cells diffed)."""
    from datetime import UTC, datetime

    from textual.app import App, ComposeResult

    from ircmd.tui.widgets.containment.control_board import ControlBoard

    class BoardApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ControlBoard()

    app = BoardApp()
    full: list[float] = []
    refresh: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        board = app.query_one(ControlBoard)
        for i in range(rounds):
            t0 = time.perf_counter()
            board.show_rows(rows if i % 2 else rows[::-1], datetime.now(UTC))
            await pilot.pause()
            full.append(time.perf_counter() - t0)
        for _ in range(rounds):
            t0 = time.perf_counter()
            board.show_rows(rows, datetime.now(UTC))
            await pilot.pause()
            refresh.append(time.perf_counter() - t0)
    return full, refresh


def stats(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered), p90, ordered[-1]


async def run(rounds: int, naive_rounds: int) -> int:
    url = os.environ.get("IRCMD_TEST_UNLEASH_URL")
    token = os.environ.get("IRCMD_TEST_UNLEASH_TOKEN")
    if not url or not token:
        print("set IRCMD_TEST_UNLEASH_URL and IRCMD_TEST_UNLEASH_TOKEN", file=sys.stderr)
        return 2
    created = await ensure_flags(url, token)
    with tempfile.TemporaryDirectory(prefix="ircmd-bench-") as tmp:
        ws = Workspace.open(parse_config(config_text(url)), Path(tmp), actor="bench")
        svc = ContainmentService.for_workspace(ws)
        inc, _ = ws.incidents.declare("bench", workflow_id="bench-wf00")

        # Count requests of one reconcile by wrapping the controller's client.
        svc.reconcile(inc.id)  # warm-up (connection, imports)
        ctrl = svc.controller("flags")
        http = ctrl.http  # type: ignore[attr-defined]
        client = http._client  # built on the workspace's backend loop by the warm-up
        assert client is not None
        count = {"n": 0}

        async def hook(_request: httpx.Request) -> None:
            count["n"] += 1

        client.event_hooks["request"].append(hook)
        reconcile: list[float] = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            rows = svc.reconcile(inc.id)
            reconcile.append(time.perf_counter() - t0)
        requests_per_round = count["n"] / rounds
        assert len(rows) == WORKFLOWS * len(KINDS)
        unread = sum(1 for r in rows if r.confirmed == ControlState.UNKNOWN)

        # Naive: one GET per flag (what batching avoids), a few rounds.
        headers = {"Authorization": token}
        naive: list[float] = []
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as c:
            for _ in range(naive_rounds):
                t0 = time.perf_counter()
                for row in rows:
                    flag = row.id.replace("/", ".")
                    (await c.get(f"/api/admin/projects/default/features/{flag}")).raise_for_status()
                naive.append(time.perf_counter() - t0)

        render, refresh = await board_render(rows, rounds)

        toggles: list[float] = []
        end_to_end: list[float] = []
        for i in range(rounds * 2):
            desired = ControlState.ON if i % 2 == 0 else ControlState.OFF
            t0 = time.perf_counter()
            result = svc.set_control(inc.id, "bench-wf00/pause", desired, "benchmark")
            end_to_end.append(time.perf_counter() - t0)
            if not result.ok:
                print(f"toggle failed: {result.error}", file=sys.stderr)
                return 1
            toggles.append(result.elapsed_ms / 1000)
        svc.close()
        ws.close()

    rec = stats(reconcile)
    nai = stats(naive)
    tog = stats(toggles)
    e2e = stats(end_to_end)
    ren = stats(render)
    ref = stats(refresh)
    print(
        f"Unleash {url} · {WORKFLOWS} workflows x {len(KINDS)} controls = {len(rows)} flags"
        f" ({created} created now) · rounds {rounds} · unread rows {unread}"
    )
    print()
    print(f"{'measure':<46} {'median':>9} {'p90':>9} {'max':>9} {'target':>9}  ok")
    print("-" * 92)

    def line(name: str, s: tuple[float, float, float], target: float | None) -> None:
        ok = "" if target is None else ("yes" if s[0] <= target else "NO")
        tgt = f"{target * 1000:.0f} ms" if target else "—"
        print(
            f"{name:<46} {s[0] * 1000:>6.1f} ms {s[1] * 1000:>6.1f} ms {s[2] * 1000:>6.1f} ms "
            f"{tgt:>9}  {ok}"
        )

    line(f"reconcile board (batched, {requests_per_round:.0f} req/round)", rec, 1.0)
    line("board widget: first paint of 300 rows", ren, None)
    line("board widget: refresh after a reconcile", ref, None)
    line(f"naive read ({len(rows)} GETs, for the ratio)", nai, None)
    line("toggle one control: apply + read-back confirm", tog, 0.3)
    line("toggle incl. timeline writes (end to end)", e2e, None)
    print()
    print(f"batched vs naive read: {nai[0] / rec[0]:.1f}x faster (medians)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--naive-rounds", type=int, default=1, help="rounds of 300 single GETs (slow: ~10 s)"
    )
    args = parser.parse_args()
    return asyncio.run(run(max(3, args.rounds), max(1, args.naive_rounds)))


if __name__ == "__main__":
    raise SystemExit(main())
