"""A commander's story in a real terminal (tmux), at 80×24 and 160×48, idle and under a
bounded CPU load: declare with ``n`` on an empty store, then a note, a decision, comms with
an audience, severity with a reason, a role and a status — each typed as one burst of keys
right after the key that opens its prompt, so a key lost to a focus race fails the test.
What the screen shows is checked, and then what the store holds (through the CLI)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.terminal.conftest import SIZES, TerminalFactory, ircmd_argv
from tests.terminal.tmux import Tmux

pytestmark = [pytest.mark.services, pytest.mark.slow]

TITLE = "Refund bot promises refunds"


def line_closed(screen: str) -> bool:
    """The ``:`` command line is closed (its row reads `` :verb …`` while open; the
    footer's `` : Cmd`` has a blank after the colon)."""
    return not any(re.match(r" ?:[a-z]", row) for row in screen.splitlines())


def command(term: Tmux, key: str, text: str, shown: str) -> None:
    """``key`` opens the command line prefilled; ``text`` follows at once; enter runs it.
    Done once the line has closed and ``shown`` is on screen (not merely in the line)."""
    term.keys(key)
    term.type(text)
    term.keys("Enter")
    term.wait_for(
        lambda s: line_closed(s) and shown in s and "✖" not in s,
        what=f"{shown!r} after {key!r} {text!r}",
    )


def store_events(tmp_path: Path) -> list[dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRCMD_")} | {
        "IRCMD_DATA_DIR": str(tmp_path / "data"),
        "IRCMD_CONFIG": str(tmp_path / "ircmd.toml"),
    }
    out = subprocess.run(
        [*ircmd_argv(), "incident", "show", "INC-0001", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    data = json.loads(out.stdout)
    events = data.get("timeline") or data.get("events") or []
    assert isinstance(events, list)
    return events


@pytest.mark.parametrize("size", list(SIZES))
def test_declare_and_run_an_incident_by_keys(
    terminal: TerminalFactory, tmp_path: Path, size: str, cpu_load: str
) -> None:
    term = terminal(size)
    term.wait_for("0 open", timeout=60)

    term.keys("n")
    term.wait_for("Declare an incident")
    term.type(TITLE)
    term.keys("Enter")
    term.wait_for("Declared: Refund bot", timeout=30)
    term.wait_for("1 timeline")

    command(term, "n", "Customer quoted a full refund", "Customer quoted a full")
    command(term, "d", "Pause the refund tool", "Pause the refund tool")
    # the row shows its audience first; "-" in the burst must be typed, not leave the room
    command(term, "m", "Support leads told --audience support-leads", "→ support-leads: Support")
    command(term, "v", "high --reason customer harm", "HIGH")
    command(term, "r", "engineering_owner sam.eng", "sam.eng")
    command(term, "s", "triaged", "triaged")

    events = store_events(tmp_path)
    texts = json.dumps(events)
    for want in (
        TITLE,
        "Customer quoted a full refund",
        "Pause the refund tool",
        "Support leads told",
        "support-leads",
        "customer harm",
        "sam.eng",
        "triaged",
    ):
        assert want in texts, f"{want!r} not in the store's timeline ({size}, {cpu_load})"
