"""Where time went: self time by kind and model over real turns (an app's root span with the
instrumented calls under it), checked against the spans' own intervals."""

from __future__ import annotations

from pathlib import Path

from ircmd.domain.traces.profile import icicle, profile, self_times
from ircmd.domain.traces.spans import Span
from tests.investigate.conftest import cli_json, read_spans


def test_self_time_merges_overlapping_children() -> None:
    t = "a" * 32
    root = Span(t, "0" * 16, None, "root", 0, 100)
    c1 = Span(t, "1" * 16, "0" * 16, "c1", 10, 50)
    c2 = Span(t, "2" * 16, "0" * 16, "c2", 40, 70)  # overlaps c1: covered 10..70
    c3 = Span(t, "3" * 16, "0" * 16, "c3", 90, 150)  # clipped to the parent: 90..100
    got = self_times([root, c1, c2, c3])
    assert got[(t, "0" * 16)] == 100 - 60 - 10
    assert got[(t, "1" * 16)] == 40


def test_profile_of_real_turns(conversation_runs: dict[str, Path]) -> None:
    spans = read_spans(conversation_runs["otel-v2"])
    rows = {r.key: r for r in profile(spans, "kind")}
    total_self = sum(r.self_ns for r in rows.values())
    roots = [s for s in spans if s.parent_id is None]
    # self times partition the roots' wall time when children stay inside their parents
    assert total_self <= sum(s.duration_ns for s in roots) + sum(
        s.duration_ns for s in spans if s.parent_id
    )
    assert rows["llm"].spans == 2 * 4 and rows["llm"].input_tokens == 42 * 8
    by_model = {r.key: r for r in profile(spans, "model")}
    assert "gpt-4o-mini" in by_model or "gpt-4o-mini-2024-07-18" in by_model
    by_service = {r.key: r for r in profile(spans, "service")}
    assert set(by_service) == {"refunds-otel-v2"}
    assert by_service["refunds-otel-v2"].self_ns == total_self
    by_tool = {r.key: r for r in profile(spans, "tool")}
    assert set(by_tool) == {s.tool_name or "-" for s in spans}
    assert sum(r.spans for r in by_tool.values()) == len(spans)
    via_cli = cli_json(["trace", "profile", str(conversation_runs["otel-v2"]), "--by", "service"])
    assert [r["key"] for r in via_cli["rows"]] == ["refunds-otel-v2"]
    tid = roots[0].trace_id
    out = cli_json(["trace", "profile", str(conversation_runs["otel-v2"]), "--trace", tid])
    assert out["trace_id"] == tid and out["icicle"][0]["depth"] == 0
    assert out["icicle"][0]["start_ns"] == 0
    assert {r["key"] for r in out["rows"]} >= {"llm"}
    one = [s for s in spans if s.trace_id == tid]
    assert len(icicle(one)) == len(one)
