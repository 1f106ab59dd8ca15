"""Keys lost under load: bursts of keys sent to a real ``ircmd`` in a real terminal (tmux)
while the CPU is idle and while it is saturated by a bounded load generator.

Each round sends, back to back with no wait, ``n`` (the note prompt), a unique text and
``Enter``; then a burst that opens the timeline filter (``/``), types a filter, applies it
(``/``, ``ctrl+u``, ``kind:note``, ``Enter``), so keys that move the focus are in the
stream too. (No ``Escape`` in the bursts: an escape byte followed at once by a letter is
what a terminal sends for alt+letter.) All rounds of
a condition are sent before anything is checked. Then the store is read through the CLI
(``incident show --json``): a note counts as applied when its text is stored exactly once
and intact. Target (issue 13): 0 keys lost.

    python benchmarks/bench_keys_tmux.py [--rounds 20] [--size 160x48]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.configs import PAUSE, REVIEW, support_refunds_toml
from tests.terminal.tmux import Tmux

CONFIG = 'author = "maria.ic"\n\n' + support_refunds_toml(PAUSE, REVIEW)


def ircmd() -> list[str]:
    exe = Path(sys.executable).with_name("ircmd")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ircmd"]


def cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [*ircmd(), *args], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    return out.stdout


def notes(env: dict[str, str]) -> list[str]:
    data = json.loads(cli(env, "incident", "show", "INC-0001", "--json"))
    return [str(e.get("text", "")) for e in data["timeline"] if e.get("kind") == "note"]


def run(condition: str, rounds: int, size: str) -> dict[str, object]:
    width, height = (int(x) for x in size.split("x"))
    load: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="ircmd-keys-") as tmp:
        root = Path(tmp)
        (root / "data").mkdir()
        (root / "ircmd.toml").write_text(CONFIG)
        env = {k: v for k, v in os.environ.items() if not k.startswith("IRCMD_")} | {
            "IRCMD_DATA_DIR": str(root / "data"),
            "IRCMD_CONFIG": str(root / "ircmd.toml"),
        }
        cli(env, "incident", "declare", "--title", "Key loss", "--workflow", "support-refunds")
        term = Tmux.start(
            root,
            width=width,
            height=height,
            env={k: env[k] for k in ("IRCMD_DATA_DIR", "IRCMD_CONFIG")},
            argv=[*ircmd(), "open", "INC-0001"],
        )
        try:
            term.wait_for("INC-0001", timeout=60)
            term.wait_for("timeline", timeout=60)
            time.sleep(1.0)  # the room has drawn: the rounds start on a settled screen
            if condition == "loaded":
                load = [
                    subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)
                ]
                time.sleep(0.5)
            want = [f"burst {condition} {i:02d} keys-a_b/c+d @e" for i in range(rounds)]
            keys = 0
            t0 = time.monotonic()
            for text in want:
                term.keys("n")
                term.type(text)
                term.keys("Enter")
                term.keys("/", "C-u")  # the filter line, cleared (it keeps the last filter)
                term.type("kind:note")
                term.keys("Enter")
                keys += 1 + len(text) + 1 + 2 + len("kind:note") + 1
            sent_s = time.monotonic() - t0
            deadline = time.monotonic() + 60
            got: list[str] = []
            while time.monotonic() < deadline:
                got = notes(env)
                if len(got) >= rounds:
                    break
                time.sleep(0.5)
            applied_s = time.monotonic() - t0
            intact = sum(1 for text in want if got.count(text) == 1)
            alive = "[ircmd exited" not in term.screen()
        finally:
            for proc in load:
                proc.kill()
                proc.wait(timeout=10)
            term.close()
    return {
        "condition": condition,
        "notes": rounds,
        "intact": intact,
        "stray": len([g for g in got if g not in want]),
        "keys": keys,
        "sent_s": sent_s,
        "applied_s": applied_s,
        "alive": alive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--size", default="160x48")
    args = parser.parse_args()
    rows = [run(c, args.rounds, args.size) for c in ("idle", "loaded")]
    print(f"keys lost in bursts, ircmd in tmux {args.size}, load avg {os.getloadavg()[0]:.2f}")
    print(
        "| condition | notes sent | stored intact | lost or garbled | stray notes | keys sent "
        "| sent in | all applied after | app alive |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        lost = int(str(r["notes"])) - int(str(r["intact"]))
        print(
            f"| {r['condition']} | {r['notes']} | {r['intact']} | {lost} | {r['stray']} "
            f"| {r['keys']} | {float(str(r['sent_s'])):.2f} s "
            f"| {float(str(r['applied_s'])):.2f} s | {r['alive']} |"
        )
    print("target: 0 lost or garbled, 0 stray, app alive")


if __name__ == "__main__":
    main()
