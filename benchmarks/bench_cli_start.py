"""CPU cost of starting the headless CLI, against importing Textual's App.

Targets (issue 10): ``ircmd incident list`` on a one-incident store <= 0.3x the CPU of
``python -c "import textual.app"`` in the same venv; ``ircmd --version`` <= 0.1x.
CPU is user+sys of the child (``resource.getrusage(RUSAGE_CHILDREN)`` deltas), median of N.
Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX`` (the seeding run writes it), so an
environment with ``PYTHONDONTWRITEBYTECODE=1`` does not recompile ircmd in every run.

With ``--pg-dsn`` (default: ``IRCMD_TEST_PG_DSN``, a role that may create a schema) it also
times ``ircmd incident list`` on a one-incident PostgreSQL store (a schema of its own, dropped
afterwards), next to ``python -c 'import psycopg'``: the floor of any PostgreSQL client in
this venv. That row has no target (importing psycopg alone is most of it).

    python benchmarks/bench_cli_start.py [--runs 7] [--pg-dsn DSN]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def cpu_of(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(user+sys CPU, wall) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def median_of(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    samples = [cpu_of(cmd, env) for _ in range(runs)]
    return statistics.median(c for c, _ in samples), statistics.median(w for _, w in samples)


@contextlib.contextmanager
def pg_schema(admin_dsn: str) -> Iterator[str]:
    """A DSN whose tables live in a fresh schema (dropped on exit)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    schema = f"bench_cli_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield make_conninfo(admin_dsn, options=f"-c search_path={schema}")
    finally:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def pg_cases(
    py: str, ircmd: list[str], env: dict[str, str], data: str, dsn: str
) -> list[tuple[str, list[str], dict[str, str], float | None]]:
    """The PostgreSQL rows: a one-incident store under a config naming only ``[store]``."""
    pg_env = {**env, "BENCH_PG_DSN": dsn, "IRCMD_KEY_DIR": os.path.join(data, "pg-keys")}
    pg_env["IRCMD_CONFIG"] = os.path.join(data, "pg-config.toml")
    with open(pg_env["IRCMD_CONFIG"], "w", encoding="utf-8") as f:
        f.write('[store]\nkind = "postgres"\ndsn_env = "BENCH_PG_DSN"\n')
    subprocess.run(
        [py, "-m", "ircmd", "incident", "declare", "--title", "bench"],
        env=pg_env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return [
        ("python -c 'import psycopg'", [py, "-c", "import psycopg"], env, None),
        ("ircmd incident list (PostgreSQL)", [*ircmd, "incident", "list"], pg_env, None),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pg-dsn", default=os.environ.get("IRCMD_TEST_PG_DSN", ""))
    opts = parser.parse_args()
    py = sys.executable
    script = Path(py).parent / "ircmd"  # the console script users run
    ircmd = [str(script)] if script.exists() else [py, "-m", "ircmd"]
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "IRCMD_DATA_DIR": data}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(data, "pycache")
        env["IRCMD_CONFIG"] = os.path.join(data, "absent-config.toml")
        with open(env["IRCMD_CONFIG"], "w", encoding="utf-8") as f:
            f.write("")
        subprocess.run(
            [py, "-m", "ircmd", "incident", "declare", "--title", "bench"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cases: list[tuple[str, list[str], dict[str, str], float | None]] = [
            ("python -c 'import textual.app'", [py, "-c", "import textual.app"], env, None),
            ("ircmd --version", [*ircmd, "--version"], env, 0.1),
            ("ircmd incident list", [*ircmd, "incident", "list"], env, 0.3),
        ]
        with contextlib.ExitStack() as stack:
            if opts.pg_dsn:
                dsn = stack.enter_context(pg_schema(opts.pg_dsn))
                cases += pg_cases(py, ircmd, env, data, dsn)
            results = [
                (label, *median_of(cmd, case_env, opts.runs), target)
                for label, cmd, case_env, target in cases
            ]
    base = results[0][1]
    print(f"median of {opts.runs} runs (CPU = user+sys of the child)")
    print(f"{'command':36} {'CPU s':>7} {'wall s':>7} {'ratio':>6} {'target':>7}  ok")
    ok = True
    for label, cpu, wall, target in results:
        ratio = cpu / base if base else float("nan")
        verdict = "" if target is None else ("yes" if ratio <= target else "NO")
        ok = ok and verdict != "NO"
        tgt = "" if target is None else f"<={target:.1f}x"
        print(f"{label:36} {cpu:7.3f} {wall:7.3f} {ratio:5.2f}x {tgt:>7}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
