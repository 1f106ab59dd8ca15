"""Diff of two runs: the same agent run twice under the real otel-v2 instrumentation, once
with a changed system prompt and a changed tool argument; pinned as one evidence item that
the bundle exports and verify-bundle checks."""

from __future__ import annotations

import json
from pathlib import Path

from ircmd.domain.traces.diff import _align, diff_traces, word_diff
from ircmd.domain.traces.spans import Span, SpanKind
from tests.investigate.conftest import cli_json, read_spans, run_cli


def _first_call(path: Path) -> list[Span]:
    spans = read_spans(path)
    llm = sorted((s for s in spans if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)
    return [s for s in spans if s.trace_id == llm[0].trace_id]


def test_changed_prompt_and_tool_argument_are_the_differences(
    refunds_runs: dict[str, Path], changed_run: Path
) -> None:
    a, b = _first_call(refunds_runs["otel-v2"]), _first_call(changed_run)
    d = diff_traces(a, b)
    changed = [p for p in d.pairs if p.status == "changed"]
    assert len(changed) == 1
    ch = changed[0].changes
    assert "messages" in ch and "tool_calls_requested" in ch
    (name_a, args_a), (name_b, args_b) = (
        ch["tool_calls_requested"][0][0],
        ch["tool_calls_requested"][1][0],
    )
    assert name_a == name_b == "issue_refund"
    assert json.loads(args_a)["amount"] == 120.5 and json.loads(args_b)["amount"] == 999.0
    assert ["+", "Be generous."] in (changed[0].word_diff or [])
    assert d.summary["changed"] == 1 and d.summary["tool_calls_changed"] == 1
    same = diff_traces(a, a)
    assert {p.status for p in same.pairs} == {"same"} and same.differences() == []


def test_alignment_is_an_lcs_not_by_position() -> None:
    a = ["root", "llm", "tool", "llm"]
    b = ["root", "retrieval", "llm", "tool", "llm", "guard"]
    ops = _align(a, b)
    assert [o for o, _, _ in ops] == ["=", "+", "=", "=", "=", "+"]
    assert sum(1 for o, _, _ in _align(list("ABCBDAB"), list("BDCABA")) if o == "=") == 4
    assert word_diff("refund the amount", "refund twice the amount") == [
        ["=", "refund"],
        ["+", "twice"],
        ["=", "the amount"],
    ]


def test_cli_diff_json_and_pin_is_verified_in_the_bundle(
    refunds_runs: dict[str, Path], changed_run: Path, tmp_path: Path
) -> None:
    a, b = _first_call(refunds_runs["otel-v2"]), _first_call(changed_run)
    paths = [str(refunds_runs["otel-v2"]), str(changed_run)]
    out = cli_json(["trace", "diff", a[0].trace_id, b[0].trace_id, *paths])
    assert out["summary"]["changed"] == 1
    assert {"status", "a", "b", "changes"} <= out["pairs"][0].keys()
    assert out["summary"]["cost_delta_usd"] == 0
    inc = cli_json(["incident", "declare", "--title", "refunds go wrong", "--severity", "high"])[
        "id"
    ]
    pinned = cli_json(["trace", "diff", a[0].trace_id, b[0].trace_id, *paths, "--pin", inc])
    ev = pinned["evidence"]
    assert ev["id"].startswith("EV-")
    bundle = tmp_path / "bundle"
    code, _, err = run_cli(["export", inc, "--out", str(bundle)])
    assert code == 0, err
    code, _, err = run_cli(["verify-bundle", str(bundle)])
    assert code == 0, err
    files = list(bundle.rglob(f"{ev['sha256']}.json"))
    assert len(files) == 1
    doc = json.loads(files[0].read_text("utf-8"))
    assert doc["type"] == "trace_diff" and doc["a"]["trace_id"] == a[0].trace_id
    files[0].write_text(files[0].read_text("utf-8").replace("999", "998"), "utf-8")
    code, _, err = run_cli(["verify-bundle", str(bundle)])
    assert code == 1 and err


def test_prompt_template_and_version_are_compared() -> None:
    def call(template: str, version: str) -> list[Span]:
        attrs = {
            "openinference.span.kind": "LLM",
            "llm.model_name": "gpt-4o-mini",
            "llm.prompt_template.template": template,
            "llm.prompt_template.version": version,
        }
        return [Span("a" * 32, "1" * 16, name="ChatCompletion", attributes=attrs)]

    d = diff_traces(call("Refund within {policy}.", "6"), call("Refund anything.", "7"))
    (pair,) = d.pairs
    assert pair.status == "changed"
    assert pair.changes["prompt_template"] == ["Refund within {policy}.", "Refund anything."]
    assert pair.changes["prompt_version"] == ["6", "7"]
