"""Warm start and stop times of the test servers (scripts/services/<name>.sh), medians.

    .venv/bin/python benchmarks/services_start.py [--runs 3] [--only postgres,alertmanager]

Needs the software installed (``scripts/services.sh`` installs it as root). Unleash needs
IRCMD_TEST_PG_DSN (a running PostgreSQL). Each run starts a fresh private instance in a
temporary state dir (the first start of a state dir includes initdb / schema migrations:
shown as "first"), then stops and restarts it on the same state ("warm").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts" / "services"
NAMES = ("postgres", "alertmanager", "unleash", "phoenix")


def _run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr[-500:]}")
    return time.perf_counter() - t0


def bench(name: str, runs: int) -> tuple[list[float], list[float], list[float]]:
    script = str(SCRIPTS / f"{name}.sh")
    first: list[float] = []
    warm: list[float] = []
    stop: list[float] = []
    extra = [os.environ["IRCMD_TEST_PG_DSN"]] if name == "unleash" else []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix=f"ircmd-bench-{name}-", dir="/tmp") as tmp:
            os.chmod(tmp, 0o755)  # the postgres user must reach it
            state = str(Path(tmp) / "state")
            first.append(_run([script, "start", state, "0", *extra]))
            stop.append(_run([script, "stop", state]))
            warm.append(_run([script, "start", state, "0", *extra]))
            stop.append(_run([script, "stop", state]))
            if name == "unleash":
                db = (Path(state) / "dbname").read_text().strip()
                subprocess.run(
                    ["psql", extra[0], "-Xqc", f'DROP DATABASE IF EXISTS "{db}"'],
                    capture_output=True,
                    check=False,
                )
    return first, warm, stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(NAMES))
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n]
    header = f"{'service':<14}{'first start':>13}{'warm start':>12}{'stop':>8}"
    print(f"{header}   (median s, n={args.runs})")
    for name in names:
        if name == "unleash" and not os.environ.get("IRCMD_TEST_PG_DSN"):
            print(f"{name:<14}{'skipped: IRCMD_TEST_PG_DSN unset':>33}")
            continue
        try:
            first, warm, stop = bench(name, args.runs)
        except RuntimeError as exc:
            print(f"{name:<14}failed: {exc}")
            continue
        print(
            f"{name:<14}{statistics.median(first):>13.2f}{statistics.median(warm):>12.2f}"
            f"{statistics.median(stop):>8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
