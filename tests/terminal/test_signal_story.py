"""Declare from a signal, in a real terminal: an alert posted to the real Alertmanager shows
on the home screen, ``D`` opens the declare prompt prefilled from it, ``enter`` declares and
opens the war room. Then the store (through the CLI) holds the incident, opened by the
signal, with the alert's labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.am_server import alertmanager, post_alerts, run_id
from tests.terminal.conftest import SIZES, TerminalFactory
from tests.terminal.stories import Cli, story_config

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture(scope="module")
def am_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with alertmanager(tmp_path_factory.mktemp("alertmanager-story")) as url:
        yield url


@pytest.mark.parametrize("size", list(SIZES))
def test_declare_from_a_real_alert_by_keys(
    terminal: TerminalFactory, tmp_path: Path, am_url: str, size: str, cpu_load: str
) -> None:
    run = run_id()
    post_alerts(
        am_url,
        [
            {
                "labels": {
                    "alertname": "RefundAmountAnomaly",
                    "workflow": "support-refunds",
                    "severity": "page",
                    "run": run,
                },
                "annotations": {"summary": "refunds/h 4.1x baseline"},
            }
        ],
    )
    term = terminal(size, config=story_config(alerts=(am_url, run)))
    term.wait_for("0 open", timeout=60)
    term.wait_for("RefundAmount", timeout=30)  # the signal's row (cut at 80 columns)

    term.keys("D")
    term.wait_for("Declare an incident from this signal")
    term.wait_for("refunds/h 4.1x baseline")  # the title is prefilled from the alert
    term.keys("Enter")
    # the war room of the new incident: its header names it, its timeline opens with the signal
    screen = term.wait_for(lambda s: "INC-0001" in s and "declared" in s, timeout=30)
    assert "RefundAmountAnomaly" in screen
    assert "HIGH" in screen  # a paging alert proposes HIGH

    cli = Cli(tmp_path)
    incidents = cli.json("incident", "list")
    rows = incidents if isinstance(incidents, list) else incidents["incidents"]
    assert [r["id"] for r in rows] == ["INC-0001"]
    assert rows[0]["title"] == "RefundAmountAnomaly: refunds/h 4.1x baseline"
    assert rows[0]["severity"] == "high"
    assert rows[0]["workflow_id"] == "support-refunds"
    events = cli.timeline()
    assert events[0]["kind"] == "signal", (size, cpu_load, events[0])
    assert events[0]["data"]["labels"]["alertname"] == "RefundAmountAnomaly"
    assert events[0]["data"]["labels"]["run"] == run
    assert [e["kind"] for e in events[:2]] == ["signal", "declared"]
