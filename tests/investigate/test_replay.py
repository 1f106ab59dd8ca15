"""Replay of a pinned call against the local OpenAI-compatible server: same, different (a
changed refund amount), blocked (the endpoint refuses); never executes the tool calls; kept as
evidence and a ``replay`` event."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ircmd.domain.traces.spans import SpanKind
from tests.investigate.conftest import cli_json, read_spans, run_cli
from tests.producers.fake_openai import FakeOpenAI


def _endpoint(name: str, url: str) -> str:
    return f'[[model_endpoints]]\nname = "{name}"\nurl = "{url}"\n'


def test_replay_same_different_blocked_recorded(refunds_runs: dict[str, Path]) -> None:
    path = refunds_runs["otel-v2"]
    llm = sorted((s for s in read_spans(path) if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)[
        0
    ]
    inc = cli_json(["incident", "declare", "--title", "refunds", "--severity", "high"])["id"]
    pinned = cli_json(["trace", "pin", inc, str(path), "--span", llm.span_id])
    cfg = Path(os.environ["IRCMD_CONFIG"])
    with FakeOpenAI() as same, FakeOpenAI(amount=5000.0) as other, FakeOpenAI(refuse=True) as gw:
        cfg.write_text(
            _endpoint("same", same.base_url)
            + _endpoint("other", other.base_url)
            + _endpoint("gateway", gw.base_url),
            "utf-8",
        )
        r1 = cli_json(["replay", inc, pinned["id"], "--endpoint", "same"])
        r2 = cli_json(["replay", inc, pinned["id"], "--endpoint", "other"])
        r3 = cli_json(["replay", inc, pinned["id"], "--endpoint", "gateway"])
    assert r1["verdict"] == "same" and r1["status_code"] == 200
    assert r1["tool_calls"][0]["name"] == "issue_refund" and r1["tool_calls_executed"] is False
    assert r2["verdict"] == "different"
    changed = [p for p in r2["diff"]["pairs"] if p["status"] == "changed"]
    assert "tool_calls_requested" in changed[0]["changes"]
    assert r3["verdict"] == "blocked" and r3["status_code"] == 400
    assert "content filter" in r3["output"]
    assert len({r1["evidence_id"], r2["evidence_id"], r3["evidence_id"]}) == 3
    assert r1["request_digest"] == r3["request_digest"]
    shown = cli_json(["incident", "show", inc])
    replays = [e for e in shown["timeline"] if e["kind"] == "replay"]
    assert [e["data"]["verdict"] for e in replays] == ["same", "different", "blocked"]
    assert all(e["data"]["original_evidence_id"] == pinned["id"] for e in replays)


def test_replay_errors_are_one_line(refunds_runs: dict[str, Path]) -> None:
    inc = cli_json(["incident", "declare", "--title", "x", "--severity", "low"])["id"]
    code, _, err = run_cli(["replay", inc, "EV-000000000000", "--endpoint", "nope"])
    assert code == 1 and err.count("\n") == 1 and "nope" in err


@pytest.mark.parametrize("lib", ["otel-v2", "openinference"])
def test_replay_with_an_edited_prompt_and_another_model(
    refunds_runs: dict[str, Path], tmp_path: Path, lib: str
) -> None:
    path = refunds_runs[lib]
    llm = sorted((s for s in read_spans(path) if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)[
        0
    ]
    inc = cli_json(["incident", "declare", "--title", "refunds", "--severity", "high"])["id"]
    pinned = cli_json(["trace", "pin", inc, str(path), "--span", llm.span_id])
    system = tmp_path / "system.txt"
    system.write_text("You are the refunds agent. Never refund more than 100.", "utf-8")
    with FakeOpenAI() as api:
        Path(os.environ["IRCMD_CONFIG"]).write_text(_endpoint("local", api.base_url), "utf-8")
        plain = cli_json(["replay", inc, pinned["id"], "--endpoint", "local"])
        edited = cli_json(
            [
                "replay",
                inc,
                pinned["id"],
                "--endpoint",
                "local",
                "--system-file",
                str(system),
                "--model",
                "gpt-4o",
            ]
        )
        sent = api.requests
    # what the endpoint received: the pinned request, then the same with the edits
    assert [r["model"] for r in sent] == ["gpt-4o-mini", "gpt-4o"]
    assert sent[0]["messages"][0] == {"role": "system", "content": "You are the refunds agent."}
    assert sent[1]["messages"][0]["content"] == system.read_text("utf-8")
    assert sent[0]["messages"][1:] == sent[1]["messages"][1:]
    if lib == "openinference":  # otel-v2 does not record the tool definitions
        assert sent[0]["tools"] == sent[1]["tools"] and sent[1]["tools"][0]["type"] == "function"
    assert plain["request_digest"] != edited["request_digest"]
    # the server answers both alike: same output, but the diff shows what was edited
    assert plain["verdict"] == edited["verdict"] == "same"
    assert [p["status"] for p in plain["diff"]["pairs"]] == ["same"], plain["diff"]["pairs"][0][
        "changes"
    ]
    (pair,) = edited["diff"]["pairs"]
    assert pair["status"] == "changed"
    assert pair["changes"]["request_model"] == ["gpt-4o-mini", "gpt-4o"]
    assert ["+", "Never refund more than 100."] in pair["word_diff"]
    shown = cli_json(["incident", "show", inc])
    replays = [e["data"] for e in shown["timeline"] if e["kind"] == "replay"]
    assert [(r["model"], r["verdict"]) for r in replays] == [
        ("gpt-4o-mini", "same"),
        ("gpt-4o", "same"),
    ]


def test_answers_about_the_caller_are_no_refusal() -> None:
    from ircmd.domain.traces.replay import not_a_refusal

    litellm_no_db = {"error": {"message": "No connected db.", "type": "no_db_connection"}}
    assert not_a_refusal(400, litellm_no_db)
    assert not_a_refusal(401, {"error": {"message": "bad key"}})
    assert not_a_refusal(429, {})
    assert not_a_refusal(403, {"error": {"type": "permission_error"}})
    assert not_a_refusal(404, {"error": {"code": "model_not_found"}})
    # what gateways and providers refuse content with
    assert not not_a_refusal(400, {"error": {"message": "blocked by content filter"}})
    assert not not_a_refusal(400, {"error": "Content blocked: keyword 'refund' detected"})
    assert not not_a_refusal(403, {"error": {"message": "policy violation"}})
    assert not not_a_refusal(
        400, {"error": {"type": "invalid_request_error", "code": "content_policy_violation"}}
    )
    assert not not_a_refusal(200, litellm_no_db)
