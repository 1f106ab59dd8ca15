"""``ircmd trace show`` and ``trace find`` over requested tool calls, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ircmd.domain.traces.otlp import encode_spans
from ircmd.domain.traces.spans import Span

IRCMD = str(Path(sys.executable).parent / "ircmd")
TID = "0af7651916cd43dd8448eb211c80319c"


def run(env: dict[str, str], *args: str, check: int = 0) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([IRCMD, *args], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == check, p.stderr
    return p


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    cfg = tmp_path / "config.toml"
    cfg.write_text("", encoding="utf-8")
    e = dict(os.environ)
    e.update(IRCMD_DATA_DIR=str(tmp_path / "data"), IRCMD_CONFIG=str(cfg))
    return e


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    out = [
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": "call_1",
                    "name": "issue_refund",
                    "arguments": {"account_id": "A-17", "amount": 40},
                }
            ],
        }
    ]
    llm = Span(
        TID,
        "b7ad6b7169203331",
        name="chat gpt-4o-mini",
        start_ns=1,
        end_ns=5,
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
            "gen_ai.usage.input_tokens": 21,
            "gen_ai.usage.output_tokens": 9,
            "gen_ai.input.messages": json.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": "refund A-17"}]}]
            ),
            "gen_ai.output.messages": json.dumps(out),
        },
        resource={"service.name": "support"},
    )
    wrapper = Span(
        TID,
        "00f067aa0ba902b7",
        name="unknown",
        start_ns=0,
        end_ns=6,
        attributes={"gen_ai.operation.name": "unknown", "gen_ai.system": "openai"},
        resource={"service.name": "support"},
    )
    doc = encode_spans([wrapper, llm])
    p = tmp_path / "t.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    dup = tmp_path / "t2.json"  # the same spans again: one span each, duplicates counted
    dup.write_text(json.dumps(encode_spans([llm])), encoding="utf-8")
    return p


def test_trace_show_json(env: dict[str, str], trace_file: Path) -> None:
    p = run(
        env,
        "trace",
        "show",
        TID.upper(),
        str(trace_file),
        str(trace_file.parent / "t2.json"),
        "--json",
    )
    doc = json.loads(p.stdout)
    assert doc["trace_id"] == TID
    wrapper, llm = doc["spans"]
    assert (wrapper["kind"], wrapper["operation"]) == ("other", "unknown")
    assert llm["kind"] == "llm"
    assert (llm["request_model"], llm["response_model"], llm["provider"]) == (
        "gpt-4o-mini",
        "gpt-4o-mini-2024-07-18",
        "openai",
    )
    assert llm["tokens"] == {"input": 21, "output": 9}
    assert llm["messages"]["input"] == [
        {"role": "user", "content": "refund A-17", "tool_calls": []}
    ]
    (call,) = llm["messages"]["output"][0]["tool_calls"]
    assert (call["id"], call["name"], json.loads(call["arguments"])) == (
        "call_1",
        "issue_refund",
        {"account_id": "A-17", "amount": 40},
    )
    assert llm["tool"] == {
        "name": "issue_refund",
        "arguments": {"account_id": "A-17", "amount": 40},
        "result": None,
        "invocation": "requested",
    }
    assert llm["duplicates"] == 1 and wrapper["duplicates"] == 0
    assert set(llm) == {
        "span_id", "parent_id", "name", "kind", "operation", "request_model", "response_model",
        "provider", "tokens", "messages", "tool", "documents", "conversation_id", "user_id",
        "status", "duplicates", "cost_usd",
    }  # fmt: skip
    one = json.loads(
        run(
            env, "trace", "show", TID, str(trace_file), "--span", "B7AD6B7169203331", "--json"
        ).stdout
    )
    assert [s["span_id"] for s in one["spans"]] == ["b7ad6b7169203331"]


def test_trace_show_errors(env: dict[str, str], trace_file: Path) -> None:
    p = run(env, "trace", "show", "ab" * 16, str(trace_file), check=1)
    assert p.stderr.count("\n") == 1 and "no trace" in p.stderr
    p = run(env, "trace", "show", "xyz", str(trace_file), check=2)
    assert "32 hex digits" in p.stderr


def test_find_counts_requested_calls(env: dict[str, str], trace_file: Path) -> None:
    p = run(
        env,
        "trace",
        "find",
        str(trace_file),
        "--tool",
        "issue_refund",
        "--arg",
        "account_id",
        "--json",
    )
    doc = json.loads(p.stdout)
    assert (doc["spans"], doc["traces"]) == (1, 1)
    assert [m["invocation"] for m in doc["matches"]] == ["requested"]
    assert [v["value"] for v in doc["values"]] == ["A-17"]
    assert doc["scope"] == "unknown"
    assert (
        doc["scope_reason"]
        == "no conversation or user ids in these spans; 1 trace across 1 service"
    )
    m = json.loads(
        run(env, "trace", "find", str(trace_file), "--model", "gpt-4o-mini", "--json").stdout
    )
    assert m["spans"] == 1  # the llm span, not the wrapper with a provider only
