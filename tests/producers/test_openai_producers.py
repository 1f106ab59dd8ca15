"""Real producers: the OpenAI SDK under each real instrumentation, against a small
OpenAI-compatible server on 127.0.0.1, exported with the real OTLP HTTP protobuf exporters
(traces and logs) to a collector that writes OTLP JSON lines; ircmd reads the spans, joins
the log records, and must answer what the engineer asks.

Also writes/checks ``docs/traces-conformance.md`` (``IRCMD_UPDATE_CONFORMANCE=1`` rewrites it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openai")
pytest.importorskip("opentelemetry.instrumentation.openai_v2")
pytest.importorskip("openinference.instrumentation.openai")

from ircmd.domain.traces.blast import (
    SimilarQuery,
    distinct_argument_values,
    find_similar,
)
from ircmd.domain.traces.logs import attach_logs, decode_logs_json
from ircmd.domain.traces.otlp import parse_document
from ircmd.domain.traces.spans import Span, SpanKind
from tests.producers.collector import Collector
from tests.producers.conformance import render_transports
from tests.producers.fake_openai import EMBED_MODEL, RESPONSE_MODEL, FakeOpenAI

HERE = Path(__file__).resolve().parent
DOC = HERE.parents[1] / "docs" / "traces-conformance.md"

CASES = [
    ("otel-v2", "SPAN_ONLY", "opentelemetry-instrumentation-openai-v2"),
    ("otel-v2", "EVENT_ONLY", "opentelemetry-instrumentation-openai-v2"),
    ("otel-v2", "SPAN_AND_EVENT", "opentelemetry-instrumentation-openai-v2"),
    ("openinference", "-", "openinference-instrumentation-openai"),
    ("openllmetry", "-", "opentelemetry-instrumentation-openai"),
]
ROWS: dict[tuple[str, str], dict[str, str]] = {}


def produce(library: str, mode: str, tmp: Path) -> tuple[list[Span], int, int]:
    out = tmp / f"{library}-{mode}.jsonl"
    with FakeOpenAI() as api, Collector(out) as col:
        env = dict(
            os.environ,
            OTEL_SEMCONV_STABILITY_OPT_IN="gen_ai_latest_experimental",
            OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=mode,
            TRACELOOP_TRACE_CONTENT="true",
        )
        p = subprocess.run(
            [sys.executable, str(HERE / "produce_openai.py"), library, api.base_url, col.endpoint],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert p.returncode == 0, p.stderr[-3000:]
    spans: list[Span] = []
    records = []
    for line in out.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if "resourceSpans" in doc:
            spans.extend(parse_document(doc, str(out)).spans)
        if "resourceLogs" in doc:
            records.extend(decode_logs_json(doc))
    joined = attach_logs(spans, records)
    return spans, len(records), joined


def _calls(msgs: Any) -> list[tuple[str, dict[str, Any], str | None]]:
    return [(c.name, json.loads(c.arguments), c.id) for m in msgs for c in m.tool_calls]


@pytest.mark.parametrize(("library", "mode", "dist"), CASES)
def test_real_instrumentation(library: str, mode: str, dist: str, tmp_path: Path) -> None:
    spans, n_logs, joined = produce(library, mode, tmp_path)
    llm = sorted((s for s in spans if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)
    emb = [s for s in spans if s.kind is SpanKind.EMBEDDING]
    assert (len(llm), len(emb), len(spans)) == (2, 1, 3), [(s.name, s.kind) for s in spans]
    # models
    assert {(s.request_model, s.response_model) for s in llm} == {("gpt-4o-mini", RESPONSE_MODEL)}
    assert EMBED_MODEL in (emb[0].request_model, emb[0].response_model)
    # tokens
    assert [(s.input_tokens, s.output_tokens) for s in llm] == [(42, 17), (42, 17)]
    # messages (from span attributes or, EVENT_ONLY, from the log records)
    if mode in ("EVENT_ONLY", "SPAN_AND_EVENT"):
        assert n_logs >= 2 and joined == n_logs
    if mode == "EVENT_ONLY":  # the span itself carries no message: only the records do
        assert llm[0].attr("gen_ai.input.messages") is None
        assert llm[0].attr("gen_ai.output.messages") is None
    first, second = llm
    assert [(m.role, m.content) for m in first.input_messages] == [
        ("system", "You are the refunds agent."),
        ("user", "Please refund account A-1042 for the double charge."),
    ]
    expected_call = ("issue_refund", {"account_id": "A-1042", "amount": 120.5}, "call_refund_1")
    assert _calls(first.output_messages) == [expected_call]
    assert [m.content for m in second.output_messages] == ["Refund issued."]
    assert second.input_messages[-1].role == "tool" or _calls(second.input_messages) == [
        expected_call
    ]
    # what the engineer asks
    by_tool = find_similar(spans, SimilarQuery(tool="issue_refund"))
    assert (by_tool.spans, by_tool.traces) == (1, 1)
    assert [m["invocation"] for m in by_tool.to_dict()["matches"]] == ["requested"]
    assert by_tool.scope == "unknown"
    assert by_tool.scope_reason == (
        "no conversation or user ids in these spans; 1 trace across 1 service"
    )
    assert find_similar(spans, SimilarQuery(model="gpt-4o-mini")).spans == 2
    assert find_similar(spans, SimilarQuery(model=RESPONSE_MODEL)).spans == 2
    vals = distinct_argument_values(spans, "issue_refund", "account_id")
    assert [(v.value, v.count) for v in vals] == [("A-1042", 1)]
    ROWS[(library, mode)] = {
        "library": dist,
        "version": metadata.version(dist),
        "mode": mode,
        "kinds": "llm 2, embedding 1",
        "models": "request + response",
        "tokens": "yes",
        "messages": "spans"
        if n_logs == 0
        else ("log records" if mode == "EVENT_ONLY" else "spans + log records"),
        "tool calls": "requested, with arguments and id",
        "documents": "n/a (no retriever in this producer)",
    }


LC_CASES = [
    ("openinference", "openinference-instrumentation-langchain"),
    ("openllmetry", "opentelemetry-instrumentation-langchain"),
]


@pytest.mark.parametrize(("library", "dist"), LC_CASES)
def test_real_langchain_instrumentation(library: str, dist: str, tmp_path: Path) -> None:
    pytest.importorskip("langchain_core")
    out = tmp_path / f"lc-{library}.jsonl"
    with Collector(out) as col:
        p = subprocess.run(
            [sys.executable, str(HERE / "produce_langchain.py"), library, col.endpoint],
            env=dict(os.environ, TRACELOOP_TRACE_CONTENT="true"),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert p.returncode == 0, p.stderr[-3000:]
    spans = [
        s
        for line in out.read_text(encoding="utf-8").splitlines()
        for s in parse_document(json.loads(line), str(out)).spans
    ]
    tools = sorted((s for s in spans if s.kind is SpanKind.TOOL), key=lambda s: s.start_ns)
    assert [s.tool_name for s in tools] == ["issue_refund", "issue_refund"]
    # LangChain's run envelope is unwrapped to the real arguments and result
    assert [s.tool_arguments for s in tools] == [
        {"account_id": "A-1042", "amount": 120.5},
        {"account_id": "A-2001", "amount": 9.0},
    ]
    assert tools[0].tool_result == "refunded 120.5 to A-1042"
    assert not [s for s in spans if s.kind is SpanKind.LLM]  # no model in this chain
    res = find_similar(spans, SimilarQuery(tool="issue_refund"))
    assert (res.spans, res.traces, res.scope) == (2, 2, "unknown")
    assert [m["invocation"] for m in res.to_dict()["matches"]] == ["executed", "executed"]
    vals = distinct_argument_values(spans, "issue_refund", "account_id")
    assert sorted(v.value for v in vals) == ["A-1042", "A-2001"]
    narrowed = find_similar(
        spans, SimilarQuery(tool="issue_refund", tool_args=(("account_id", "A-2*"),))
    )
    assert narrowed.spans == 1
    ROWS[(f"lc-{library}", "-")] = {
        "library": dist + " (langchain-core " + metadata.version("langchain-core") + ")",
        "version": metadata.version(dist),
        "mode": "-",
        "kinds": "tool 2, chain/agent wrappers",
        "models": "n/a (no model in this chain)",
        "tokens": "n/a",
        "messages": "n/a",
        "tool calls": "executed, envelope unwrapped to arguments and result",
        "documents": "n/a",
    }


@pytest.mark.parametrize(("library", "dist"), LC_CASES)
def test_real_langchain_chat_model(library: str, dist: str, tmp_path: Path) -> None:
    """langchain-openai ``ChatOpenAI`` bound to ``issue_refund`` against the local server,
    under each real LangChain instrumentation: the model asks, the tool runs (returning
    LangChain's ``ToolMessage``), the model answers; all under one app span."""
    pytest.importorskip("langchain_openai")
    out = tmp_path / f"lc-chat-{library}.jsonl"
    with FakeOpenAI() as api, Collector(out) as col:
        p = subprocess.run(
            [
                sys.executable,
                str(HERE / "produce_langchain.py"),
                library,
                col.endpoint,
                api.base_url,
            ],
            env=dict(os.environ, TRACELOOP_TRACE_CONTENT="true"),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.strip() == "Refund issued."
    spans = [
        s
        for line in out.read_text(encoding="utf-8").splitlines()
        for s in parse_document(json.loads(line), str(out)).spans
    ]
    llm = sorted((s for s in spans if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)
    tools = [s for s in spans if s.kind is SpanKind.TOOL]
    assert (len(llm), len(tools), len({s.trace_id for s in spans})) == (2, 1, 1)
    assert {(s.request_model, s.response_model) for s in llm} == {("gpt-4o-mini", RESPONSE_MODEL)}
    assert [(s.input_tokens, s.output_tokens) for s in llm] == [(42, 17), (42, 17)]
    assert [(m.role, m.content) for m in llm[0].input_messages] == [
        ("system", "You are the refunds agent."),
        ("user", "Please refund account A-1042 for the double charge."),
    ]
    expected_call = ("issue_refund", {"account_id": "A-1042", "amount": 120.5}, "call_refund_1")
    assert _calls(llm[0].output_messages) == [expected_call]
    assert [m.content for m in llm[1].output_messages] == ["Refund issued."]
    (tool,) = tools
    assert tool.tool_arguments == {"account_id": "A-1042", "amount": 120.5}
    # the serialised ToolMessage is unwrapped to its content, and names the call it answers
    assert tool.tool_result == "refunded 120.5 to A-1042"
    assert tool.tool_call_id == "call_refund_1"
    by_tool = find_similar(spans, SimilarQuery(tool="issue_refund"))
    assert (by_tool.spans, by_tool.traces, by_tool.scope) == (1, 1, "unknown")
    assert [m["invocation"] for m in by_tool.to_dict()["matches"]] == ["both"]
    assert find_similar(spans, SimilarQuery(model="gpt-4o-mini")).spans == 2
    assert find_similar(spans, SimilarQuery(model=RESPONSE_MODEL)).spans == 2
    vals = distinct_argument_values(spans, "issue_refund", "account_id")
    assert [(v.value, v.count) for v in vals] == [("A-1042", 1)]
    ROWS[(f"lc-chat-{library}", "-")] = {
        "library": dist
        + " (langchain-openai "
        + metadata.version("langchain-openai")
        + " ChatOpenAI)",
        "version": metadata.version(dist),
        "mode": "-",
        "kinds": "llm 2, tool 1",
        "models": "request + response",
        "tokens": "yes",
        "messages": "spans",
        "tool calls": "requested + executed, one invocation (call id from the ToolMessage)",
        "documents": "n/a",
    }


AGENT_CASES = [
    ("openinference", "openinference-instrumentation-openai-agents"),
    ("otel-v2", "opentelemetry-instrumentation-openai-agents-v2"),
]
# kinds per instrumentation for one agent run (2 model calls, 1 tool run): the OpenInference
# turn/workflow wrappers are chains; the v2 instrumentation's ``unknown`` wrappers are other
AGENT_KINDS = {
    "openinference": {"llm": 2, "tool": 1, "agent": 2, "chain": 3},
    "otel-v2": {"llm": 2, "tool": 1, "agent": 2, "other": 3},
}


@pytest.mark.parametrize(("library", "dist"), AGENT_CASES)
def test_real_agents_sdk_instrumentation(library: str, dist: str, tmp_path: Path) -> None:
    """The OpenAI Agents SDK (chat-completions model against the local server) under each
    real Agents instrumentation: the model asks for ``issue_refund``, the SDK runs it."""
    pytest.importorskip("agents")
    out = tmp_path / f"agents-{library}.jsonl"
    with FakeOpenAI() as api, Collector(out) as col:
        env = dict(
            os.environ,
            OTEL_SEMCONV_STABILITY_OPT_IN="gen_ai_latest_experimental",
            OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="SPAN_ONLY",
        )
        p = subprocess.run(
            [sys.executable, str(HERE / "produce_agents.py"), library, api.base_url, col.endpoint],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.strip() == "Refund issued."
    spans = [
        s
        for line in out.read_text(encoding="utf-8").splitlines()
        for s in parse_document(json.loads(line), str(out)).spans
    ]
    kinds: dict[str, int] = {}
    for s in spans:
        kinds[s.kind.value] = kinds.get(s.kind.value, 0) + 1
    assert kinds == AGENT_KINDS[library], [(s.name, s.kind) for s in spans]
    if library == "otel-v2":  # an ``unknown`` wrapper is other, shown with its raw name
        assert {s.name for s in spans if s.kind is SpanKind.OTHER} == {"unknown"}
    llm = sorted((s for s in spans if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)
    assert [(s.input_tokens, s.output_tokens) for s in llm] == [(42, 17), (42, 17)]
    assert all("gpt-4o-mini" in (s.request_model, s.response_model) for s in llm)
    assert [(m.role, m.content) for m in llm[0].input_messages][-1] == (
        "user",
        "Please refund account A-1042 for the double charge.",
    )
    assert [m.content for m in llm[1].output_messages] == ["Refund issued."]
    # the tool the SDK ran
    (tool,) = [s for s in spans if s.kind is SpanKind.TOOL]
    assert tool.tool_name == "issue_refund"
    assert tool.tool_arguments == {"account_id": "A-1042", "amount": 120.5}
    by_tool = find_similar(spans, SimilarQuery(tool="issue_refund"))
    assert (by_tool.spans, by_tool.traces, by_tool.scope) == (1, 1, "unknown")
    invocation = [m["invocation"] for m in by_tool.to_dict()["matches"]]
    # the model's request (call id) and the SDK's run (no call id) are one call; v2 0.1.0
    # writes the model's reply as a Python repr in a text part, read as literals
    assert _calls(llm[0].output_messages) == [
        ("issue_refund", {"account_id": "A-1042", "amount": 120.5}, "call_refund_1")
    ]
    assert [m.content for m in llm[0].output_messages] == [""]
    assert invocation == ["both"]
    # the model's request alone (without the tool span) answers --arg and records-to-correct
    asked = [s for s in spans if s.kind is not SpanKind.TOOL]
    only = find_similar(
        asked, SimilarQuery(tool="issue_refund", tool_args=(("account_id", "A-1042"),))
    )
    assert [m["invocation"] for m in only.to_dict()["matches"]] == ["requested"]
    vals = distinct_argument_values(asked, "issue_refund", "account_id")
    assert [(v.value, v.count) for v in vals] == [("A-1042", 1)]
    vals = distinct_argument_values(spans, "issue_refund", "account_id")
    assert [(v.value, v.count) for v in vals] == [("A-1042", 1)]
    # the model filter finds both model calls (and, v2, the agent span naming its model)
    by_model = find_similar(spans, SimilarQuery(model="gpt-4o-mini"))
    q = SimilarQuery(model="gpt-4o-mini")
    matched = sorted(s.kind.value for s in spans if q.matches(s))
    assert matched == (["agent", "llm", "llm"] if library == "otel-v2" else ["llm", "llm"])
    assert by_model.spans == len(matched)
    assert find_similar(spans, SimilarQuery(model="gpt-4o")).spans == 0
    ROWS[(f"agents-{library}", "-")] = {
        "library": dist + " (openai-agents " + metadata.version("openai-agents") + ")",
        "version": metadata.version(dist),
        "mode": "-",
        "kinds": ", ".join(f"{k} {n}" for k, n in AGENT_KINDS[library].items()),
        "models": "request model" if library == "otel-v2" else "model (as configured)",
        "tokens": "yes",
        "messages": "spans",
        "tool calls": "requested + executed, one invocation (joined by tool and arguments)"
        if library == "openinference"
        else "requested (a Python repr in a text part, read as literals) + executed, one"
        " invocation (joined by tool and arguments)",
        "documents": "n/a",
    }


def render(rows: list[dict[str, str]]) -> str:
    cols = [
        "library",
        "version",
        "mode",
        "kinds",
        "models",
        "tokens",
        "messages",
        "tool calls",
        "documents",
    ]
    lines = [
        "# Traces conformance: what ircmd reads from real instrumentations",
        "",
        "Generated by `tests/producers/test_openai_producers.py` (each row is a passing test: the",
        "real instrumentation drives the real OpenAI SDK against a local OpenAI-compatible server",
        "and exports traces and log records with the real OTLP exporters; ircmd's reading is",
        "asserted). The same producers over OTLP/gRPC and into `ircmd receive` and Phoenix are",
        "listed under [Transports](#transports).",
        "Rewrite with `IRCMD_UPDATE_CONFORMANCE=1 pytest tests/producers`.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---" for _ in cols) + "|",
    ]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    lines += ["", *render_transports()]
    lines += [
        "",
        "Not covered yet by a producer test: Vercel AI SDK (its `ai.*` attributes are read;",
        "unit-tested only).",
        "",
    ]
    return "\n".join(lines)


def test_conformance_table_is_true() -> None:
    """Runs after the producer tests in this module: the table says what they proved."""
    keys = [(lib, mode) for lib, mode, _ in CASES] + [(f"lc-{lib}", "-") for lib, _ in LC_CASES]
    keys += [(f"lc-chat-{lib}", "-") for lib, _ in LC_CASES]
    keys += [(f"agents-{lib}", "-") for lib, _ in AGENT_CASES]
    if set(ROWS) != set(keys):
        pytest.skip("needs every producer test of this module in the same run")
    text = render([ROWS[k] for k in keys])
    if os.environ.get("IRCMD_UPDATE_CONFORMANCE") == "1":
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text
