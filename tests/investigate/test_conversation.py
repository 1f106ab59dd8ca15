"""Conversations as turns: three turns of one conversation (and one of another) produced by
the real otel-v2 and OpenInference instrumentations under an app's root span."""

from __future__ import annotations

from pathlib import Path

from ircmd.domain.traces.conversation import build_conversation
from ircmd.domain.traces.cost import Pricer
from tests.investigate.conftest import cli_json, read_spans, run_cli


def test_turns_in_order_with_tool_calls_tokens_and_cost(
    conversation_runs: dict[str, Path],
) -> None:
    for lib, path in conversation_runs.items():
        spans = read_spans(path)
        conv = build_conversation(spans, "conv-7", Pricer().usd)
        assert len(conv.turns) == 3, lib
        assert conv.user_ids == ["u-42"], lib
        amounts = []
        for t in conv.turns:
            assert t.input == "Please refund account A-1042 for the double charge.", lib
            assert t.output == "Refund issued.", lib
            requested = [c for c in t.tool_calls if c["name"] == "issue_refund"]
            assert requested, lib
            amounts.append(requested[0]["arguments"]["amount"])
            assert t.tokens == {"input": 42 * 2 + 4, "output": 17 * 2}, lib
            assert t.cost_usd is not None and t.cost_usd > 0
        assert amounts == [10.0, 20.0, 30.0], lib
        assert [t.start_ns for t in conv.turns] == sorted(t.start_ns for t in conv.turns)


def test_cli_conversation_json_contract_and_lookup_by_trace(
    conversation_runs: dict[str, Path],
) -> None:
    path = str(conversation_runs["otel-v2"])
    out = cli_json(["trace", "conversation", "conv-7", path])
    assert out["conversation_id"] == "conv-7" and len(out["turns"]) == 3
    keys = {"trace_id", "start", "user_id", "input", "output", "tool_calls", "errors", "tokens"}
    assert keys | {"cost_usd"} <= out["turns"][0].keys()
    assert {"name", "arguments", "invocation"} <= out["turns"][0]["tool_calls"][0].keys()
    by_trace = cli_json(["trace", "conversation", out["turns"][1]["trace_id"], path])
    assert by_trace["conversation_id"] == "conv-7"
    other = cli_json(["trace", "conversation", "conv-8", path])
    assert len(other["turns"]) == 1 and other["user_ids"] == ["u-43"]
    code, text, _ = run_cli(["trace", "conversation", "conv-8", path])
    assert code == 0 and text.startswith("conversation conv-8: 1 turn\n")
    code, _, err = run_cli(["trace", "conversation", "conv-404", path])
    assert code == 1 and err.count("\n") == 1 and "conv-404" in err
    code, text, _ = run_cli(["trace", "conversation", "conv-7", path])
    assert code == 0 and text.count("assistant: Refund issued.") == 3


def test_an_apps_own_conversation_attribute_from_config_or_flag(tmp_path: Path) -> None:
    import os

    from ircmd.domain.traces.spans import Span
    from tests.trace_ui_samples import refund_trace, write_otlp

    spans = []
    for trace, thread, user in (("a" * 32, "t-1", "u-1"), ("b" * 32, "t-1", "u-1")):
        for s in refund_trace(trace, user=user):
            attrs = {k: v for k, v in s.attr_items() if k != "gen_ai.conversation.id"}
            if s.parent_id is None:
                attrs["app.thread_id"] = thread
            spans.append(
                Span(
                    s.trace_id,
                    s.span_id,
                    s.parent_id,
                    s.name,
                    s.start_ns,
                    s.end_ns,
                    s.status_code,
                    attributes=attrs,
                )
            )
    path = str(write_otlp(tmp_path / "threads.json", spans))
    code, _, err = run_cli(["trace", "conversation", "t-1", path])
    assert code == 1 and "t-1" in err  # not a conversation id ircmd knows of
    flag = cli_json(["trace", "conversation", "t-1", path, "--attribute", "app.thread_id"])
    assert [t["trace_id"] for t in flag["turns"]] == ["a" * 32, "b" * 32]
    Path(os.environ["IRCMD_CONFIG"]).write_text(
        '[traces]\nconversation_attributes = ["app.thread_id"]\n', "utf-8"
    )
    conf = cli_json(["trace", "conversation", "b" * 32, path])
    assert conf["conversation_id"] == "t-1" and len(conf["turns"]) == 2
    found = cli_json(["trace", "find", path, "--tool", "issue_refund"])
    assert found["conversation_ids"] == ["t-1"]
