"""Find and pin a span, in a real terminal: in the war room's trace pane ``/`` filters the
trace list to the failed runs, ``enter`` opens the one left, ``/`` searches its spans for the
refund call, ``n`` moves to the match and ``p`` pins it. The pin is announced and shows on
the timeline; the store holds the evidence of exactly that span (the one the file says
failed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terminal.conftest import SIZES, TerminalFactory
from tests.terminal.stories import Cli, failed_spans, story_config, write_traces

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.parametrize("size", list(SIZES))
def test_find_and_pin_a_span_by_keys(
    terminal: TerminalFactory, tmp_path: Path, size: str, cpu_load: str
) -> None:
    traces = write_traces(tmp_path / "traces.jsonl")
    (failed,) = failed_spans(traces)  # the run whose refund call failed
    (tmp_path / "ircmd.toml").write_text(story_config(traces=traces))
    cli = Cli(tmp_path)
    cli.run("incident", "declare", "--title", "Refunds to the wrong account", "--severity", "high")

    term = terminal(size, config=story_config(traces=traces), args=["open", "INC-0001"])
    term.wait_for("INC-0001", timeout=60)

    term.keys("2")  # the trace pane (the only one shown at 80×24), its list focused
    term.wait_for("12 traces", timeout=30)
    term.keys("/")
    term.type("error")
    term.keys("Enter")
    term.wait_for("traces filtered")  # (the status line is cut there at 80 columns)
    term.keys("Enter")  # open the one run left: the span tree takes the focus
    term.wait_for("1 error")
    term.keys("/")
    term.type("issue_refund")
    term.keys("Enter")
    # the tree keeps the match and its ancestors only
    term.wait_for(
        lambda s: "execute_tool issue_refund" in s and "output guard" not in s,
        what="the span tree filtered to the refund call",
    )
    term.keys("n")  # to the match
    term.wait_for("status ERROR")  # the detail follows the cursor to the failed call
    term.keys("p")
    term.wait_for("Pinned EV-", timeout=30)

    events = cli.timeline()
    pins = [e for e in events if e["kind"] == "evidence_pinned"]
    assert len(pins) == 1, (size, cpu_load, [e["kind"] for e in events])
    assert pins[0]["data"]["span_id"] == failed["spanId"]
    assert pins[0]["data"]["trace_id"] == failed["traceId"]
    assert "execute_tool issue_refund" in pins[0]["text"]
    assert len(pins[0]["data"]["sha256"]) == 64

    # the timeline shows it too (at 80×24 after switching to its pane)
    term.keys("1")
    term.wait_for("pinned tool span")
