"""Issue 13's gaps, seen in a real terminal (tmux) on ``ircmd demo`` at 80×24 and 160×48:
``?`` says what each key does, the board's ``‼`` legend is whole on screen, ``w`` wraps the
timeline's rows, and ``:export`` in the throw-away demo names the absolute path it wrote
(the current directory, not the store removed at quit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terminal.conftest import TerminalFactory

pytestmark = [pytest.mark.services, pytest.mark.slow]

LEGEND = "‼ critical: typed confirmation · ✓ as asked"


@pytest.mark.parametrize("size", ["80x24", "160x48"])
def test_demo_help_legend_wrap_and_export_path(
    terminal: TerminalFactory, tmp_path: Path, size: str
) -> None:
    term = terminal(size=size, args=["demo"])
    term.wait_for("INC-0003", timeout=60)
    term.keys("Enter")
    term.wait_for("1 timeline", timeout=30)
    term.wait_for("32 events", timeout=30)

    term.keys("?")
    screen = term.wait_for("timeline · investigate")
    assert "Read entry" in screen and "Wrap rows" in screen, screen
    term.keys("Escape")
    term.wait_gone("timeline · investigate")

    term.keys("3")
    term.wait_for(LEGEND, what="the board's legend, whole")

    term.keys("1")
    term.keys("w")
    term.wait_for("rows wrapped")
    # the last note whole, over the timeline pane's lines (the left pane at 160 columns)
    left = 80 if size == "80x24" else 64
    note = (
        "issue_refund called 41 times since the index rebuild; "
        "building the list of affected account ids."
    ).replace(" ", "")

    def in_timeline(screen: str) -> bool:
        rows = [row[:left] for row in screen.splitlines()]
        return note in "".join(ch for row in rows for ch in row if ch not in "│ ")

    term.wait_for(in_timeline, what="the last note wrapped whole")
    term.keys("w")
    term.wait_for("one line per row")

    term.keys(":")
    term.type("export")
    term.keys("Enter")
    workdir = tmp_path / "term0"
    term.wait_for(lambda _s: any(workdir.glob("INC-0003-*-internal")), timeout=60)
    (written,) = workdir.glob("INC-0003-*-internal")
    # the feedback line names the absolute path whole (wrapped at 80 columns, not cut)
    said = "".join(f"exported {written} (internal)".split())
    term.wait_for(lambda s: said in "".join(s.split()), what=f"exported {written}")
