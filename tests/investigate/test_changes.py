"""What changed before it broke: OpenInference traffic with prompt v6 (all fine) then v7
(every run refused by the server); the change point names v7 and the error-rate jump."""

from __future__ import annotations

from pathlib import Path

from ircmd.domain.traces.changes import changes, significant
from ircmd.domain.traces.spans import Span
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


def _run(i: int, doc: str, error: bool) -> list[Span]:
    """Trace ``i``: one retrieval of ``doc``, failed or not."""
    t = f"{i + 1:032x}"
    attrs = {
        "openinference.span.kind": "RETRIEVER",
        "retrieval.documents.0.document.id": doc,
    }
    return [
        Span(
            t,
            f"{i + 1:016x}",
            None,
            "retrieve",
            i * 10**9,
            i * 10**9 + 1000,
            "ERROR" if error else "UNSET",
            attributes=attrs,
        )
    ]


def test_mixed_traffic_is_no_change_point_but_a_real_jump_is() -> None:
    # every trace retrieves another document; one in twelve fails, at random places: each new
    # document after the first trace is "a new version" with 0% before and ~8% after
    noisy = [s for i in range(36) for s in _run(i, f"doc-{i}", error=i % 12 == 5)]
    assert changes(noisy, ["document"]).change_points == []
    assert changes(noisy, ["document"], min_z=0).change_points  # without the test: noise
    # 10 fine traces on doc-a, then 10 failing ones on doc-b: a change point, beyond chance
    jump = [s for i in range(20) for s in _run(i, "doc-a" if i < 10 else "doc-b", error=i >= 10)]
    (cp,) = changes(jump, ["document"]).change_points
    assert (cp.from_value, cp.to_value) == ("doc-a", "doc-b")
    assert (cp.error_rate_before, cp.error_rate_after) == (0.0, 1.0)
    # 2 before, 2 after, one error after: a 50-point jump on four traces is not enough
    few = [s for i in range(4) for s in _run(i, "doc-a" if i < 2 else "doc-b", error=i == 3)]
    assert changes(few, ["document"]).change_points == []


def test_significance_is_a_pooled_two_proportion_z_test() -> None:
    assert significant(0, 3, 3, 3, 1.96)  # z = 2.45 (the v6 → v7 traffic above)
    assert not significant(0, 1, 1, 12, 1.96)  # z = 0.29
    assert not significant(2, 4, 2, 4, 1.96)  # the same rate
    assert not significant(0, 0, 1, 1, 0)  # nothing before


def test_cli_since_keeps_the_last_hours_of_whole_traces(tmp_path: Path) -> None:
    from tests.trace_ui_samples import write_otlp

    hour = 3600 * 10**9
    # 10 fine runs on doc-a, 10 failing ones on doc-b an hour later, then 10 more fine
    # runs on doc-b two hours after that: within the last hour, doc-b is all there is
    spans = [s for i in range(20) for s in _run(i, "doc-a" if i < 10 else "doc-b", i >= 10)]
    for i in range(20, 30):
        for s in _run(i, "doc-b", False):
            spans.append(
                Span(
                    s.trace_id,
                    s.span_id,
                    None,
                    s.name,
                    3 * hour + i,
                    3 * hour + i + 9,
                    attributes=dict(s.attr_items()),
                )
            )
    path = str(write_otlp(tmp_path / "docs.json", spans))
    whole = cli_json(["trace", "changes", path, "--by", "document"])
    assert [v["value"] for v in whole["dimensions"][0]["versions"]] == ["doc-a", "doc-b"]
    assert len(whole["change_points"]) == 1
    last = cli_json(["trace", "changes", path, "--by", "document", "--since", "1"])
    (doc_b,) = last["dimensions"][0]["versions"]
    assert doc_b["value"] == "doc-b" and doc_b["spans"] == 10 and doc_b["error_rate"] == 0.0
    assert last["change_points"] == []
    code, _, err = run_cli(["trace", "changes", path, "--since", "0"])
    assert code == 2 and "--since" in err


def test_a_change_in_findings_is_a_change_point_too(tmp_path: Path) -> None:
    # no errors at all: 10 runs retrieve doc-a, then 10 retrieve doc-b, whose refund calls
    # the incident's blast radius names (the traces are the finding's)
    spans = [s for i in range(20) for s in _run(i, "doc-a" if i < 10 else "doc-b", False)]
    flagged = {s.trace_id for s in spans[10:]}
    assert changes(spans, ["document"]).change_points == []
    (cp,) = changes(spans, ["document"], flagged=flagged).change_points
    assert cp.by_findings and (cp.error_rate_before, cp.error_rate_after) == (0.0, 0.0)
    assert (cp.finding_rate_before, cp.finding_rate_after) == (0.0, 1.0)
    assert cp.sentence == (
        "traces in the incident's findings rose from 0.0% to 100.0% when document 'doc-b' appeared"
    )
    # an error change is said as such, with the findings' share alongside
    failing = [s for i in range(20) for s in _run(i, "doc-a" if i < 10 else "doc-b", i >= 10)]
    (cp2,) = changes(failing, ["document"], flagged=flagged).change_points
    assert not cp2.by_findings and cp2.sentence.startswith("errors rose from 0.0% to 100.0%")
    assert cp2.to_dict()["finding_rate_after"] == 1.0


def test_cli_incident_findings_from_trace_find_record(tmp_path: Path) -> None:
    from tests.trace_ui_samples import write_otlp

    spans = [s for i in range(20) for s in _run(i, "doc-a" if i < 10 else "doc-b", False)]
    path = str(write_otlp(tmp_path / "docs.json", spans))
    inc = cli_json(["incident", "declare", "--title", "stale doc", "--severity", "high"])["id"]
    found = cli_json(["trace", "find", path, "--document", "doc-b", "--record", inc])
    assert found["traces"] == 10 and found["recorded"]["incident_id"] == inc
    shown = cli_json(["incident", "show", inc])
    assert [e["kind"] for e in shown["timeline"]].count("finding") == 1
    plain = cli_json(["trace", "changes", path, "--by", "document"])
    assert plain["change_points"] == []
    out = cli_json(["trace", "changes", path, "--by", "document", "--incident", inc])
    (cp,) = out["change_points"]
    assert cp["by_findings"] and cp["to"] == "doc-b"
    assert (cp["finding_rate_before"], cp["finding_rate_after"]) == (0.0, 1.0)
    code, _, err = run_cli(["trace", "changes", path, "--incident", "INC-9999"])
    assert code == 1 and err.count("\n") == 1
