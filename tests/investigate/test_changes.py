"""What changed before it broke: OpenInference traffic with prompt v6 (all fine) then v7
(every run refused by the server); the change point names v7 and the error-rate jump."""

from __future__ import annotations

from pathlib import Path

from ircmd.domain.traces.changes import changes
from tests.investigate.conftest import cli_json, read_spans, run_cli


def test_prompt_version_change_point(versioned_runs: Path) -> None:
    spans = read_spans(versioned_runs)
    report = changes(spans)
    prompt = {v.value: v for v in report.dimensions["prompt"]}
    assert set(prompt) == {"? v6", "? v7"}
    assert prompt["? v6"].error_rate == 0.0 and prompt["? v7"].error_rate == 1.0
    assert prompt["? v6"].last_ns < prompt["? v7"].first_ns
    points = [c for c in report.change_points if c.dimension == "prompt"]
    assert len(points) == 1
    c = points[0]
    assert (c.from_value, c.to_value) == ("? v6", "? v7")
    assert c.error_rate_before == 0.0 and c.error_rate_after == 1.0
    assert c.at_ns == prompt["? v7"].first_ns
    assert "rose from 0.0% to 100.0%" in c.sentence
    # the model did not change, so it is no change point
    assert not [c for c in report.change_points if c.dimension == "request_model"]


def test_cli_changes_json_contract(versioned_runs: Path) -> None:
    out = cli_json(["trace", "changes", str(versioned_runs), "--by", "prompt"])
    assert [d["name"] for d in out["dimensions"]] == ["prompt"]
    v = out["dimensions"][0]["versions"][0]
    assert {"value", "first_ns", "last_ns", "spans", "error_rate"} <= v.keys()
    cp = out["change_points"][0]
    assert {
        "dimension",
        "from",
        "to",
        "at_ns",
        "error_rate_before",
        "error_rate_after",
    } <= cp.keys()
    code, text, _ = run_cli(["trace", "changes", str(versioned_runs)])
    assert code == 0 and "change points:" in text and "'? v7'" in text
