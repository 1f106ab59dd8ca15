"""No key lost in a burst (issue 13): rounds of ``n`` + a note + ``enter`` and ``/`` +
``ctrl+u`` + a filter + ``enter``, all sent back to back before anything is checked, at
80×24 and 160×48, idle and under a bounded CPU load. Every note is stored once and intact
(``/``, ``-``, ``_``, ``+``, ``@`` inside the text are typed, not taken as keys)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.terminal.conftest import SIZES, TerminalFactory
from tests.terminal.stories import Cli

pytestmark = [pytest.mark.services, pytest.mark.slow]

ROUNDS = 10


@pytest.mark.parametrize("size", list(SIZES))
def test_bursts_of_keys_all_land(
    terminal: TerminalFactory, tmp_path: Path, size: str, cpu_load: str
) -> None:
    cli = Cli(tmp_path)
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "ircmd.toml").write_text(
        'author = "maria.ic"\n\n[[workflows]]\nid = "support-refunds"\n'
    )
    cli.run("incident", "declare", "--title", "Key bursts", "--workflow", "support-refunds")
    term = terminal(size, config=(tmp_path / "ircmd.toml").read_text(), args=["open", "INC-0001"])
    term.wait_for("Key bursts", timeout=60)
    term.wait_for("timeline", timeout=60)
    want = [f"burst {cpu_load} {i} keys-a_b/c+d @e" for i in range(ROUNDS)]
    for text in want:
        term.keys("n")
        term.type(text)
        term.keys("Enter")
        term.keys("/", "C-u")
        term.type("kind:note")
        term.keys("Enter")
    deadline = time.monotonic() + 60
    notes: list[str] = []
    while time.monotonic() < deadline:
        notes = [e["text"] for e in cli.timeline() if e["kind"] == "note"]
        if len(notes) >= ROUNDS:
            break
        time.sleep(0.5)
    assert notes == want, f"keys sent: {term.log}\nscreen:\n{term.screen()}"
    assert "[ircmd exited" not in term.screen()
