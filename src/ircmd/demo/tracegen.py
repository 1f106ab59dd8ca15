"""Realistic synthetic traces of a support-refunds assistant, as OTLP JSON.

Used by tests, benchmarks (``benchmarks/gen_traces.py``) and demos. Two conventions:
``"genai"`` (OpenTelemetry GenAI semantic conventions) and ``"openinference"``; ``"mixed"``
alternates per trace. Each trace is a workflow run for one conversation and user: an
agent retrieves policy documents, calls the model with a versioned prompt, calls the
``issue_refund`` / ``lookup_order`` tools and answers. Some runs go wrong (an error on the
tool, a retrieval from ``internal-notes``), and with ``hostile=True`` some strings carry
markup and terminal escape sequences, as real user input can.

Deterministic for a given seed; stdlib only.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any, Literal

Convention = Literal["genai", "openinference", "mixed"]

HOSTILE = (
    "[@click=app.quit]x[/]",
    "[link=file:///etc/passwd]click me[/link]",
    "unbalanced [/] closing tag",
    "\x1b]52;c;SGVsbG8=\x07 clipboard write",
    "\x9b31m red via CSI",
    "\x1b[2J\x1b[H clear screen",
    "bidi \u202egnp.exe",
)

MODELS = ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4")
PROMPT_VERSIONS = ("6", "7", "8")
SOURCES = ("kb-policies", "kb-faq", "internal-notes")
BASE_NS = 1_764_300_000_000_000_000  # 2025-11-28T03:20:00Z


def _kv(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        v: dict[str, Any] = {"boolValue": value}
    elif isinstance(value, int):
        v = {"intValue": str(value)}
    elif isinstance(value, float):
        v = {"doubleValue": value}
    else:
        v = {"stringValue": str(value)}
    return {"key": key, "value": v}


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def trace(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def span(self) -> str:
        return f"{self.rng.getrandbits(64) or 1:016x}"


class _Builder:
    def __init__(self, convention: Literal["genai", "openinference"], rng: random.Random):
        self.c = convention
        self.rng = rng
        self.ids = _Ids(rng)
        self.spans: list[dict[str, Any]] = []

    def span(
        self,
        trace_id: str,
        parent: str | None,
        name: str,
        start: int,
        end: int,
        attrs: dict[str, Any],
        error: str | None = None,
        kind: int = 1,
    ) -> str:
        sid = self.ids.span()
        d: dict[str, Any] = {
            "traceId": trace_id,
            "spanId": sid,
            "name": name,
            "kind": kind,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(end),
            "attributes": [_kv(k, v) for k, v in attrs.items()],
            "status": {"code": 2, "message": error} if error else {},
        }
        if parent:
            d["parentSpanId"] = parent
        self.spans.append(d)
        return sid


def _messages_genai(role: str, text: str) -> str:
    return json.dumps([{"role": role, "parts": [{"type": "text", "content": text}]}])


def _trace(
    b: _Builder,
    n: int,
    start: int,
    hostile: bool,
    steps: int = 1,
) -> int:
    """Append one support-refunds run; returns its end time."""
    rng = b.rng
    gen = b.c == "genai"
    tid = b.ids.trace()
    conv = f"conv-{n // 3:05d}"
    user = f"user-{(n * 7) % 97:03d}"
    account = f"ACME-{rng.randint(1000, 1099)}"
    model = MODELS[n % len(MODELS)]
    pversion = PROMPT_VERSIONS[(n // 5) % len(PROMPT_VERSIONS)]
    source = SOURCES[2] if n % 11 == 0 else SOURCES[n % 2]
    question = rng.choice(HOSTILE) if hostile and n % 4 == 1 else f"Refund order {n}?"
    t = start
    ms = 1_000_000

    root_attrs: dict[str, Any] = (
        {
            "gen_ai.operation.name": "invoke_workflow",
            "gen_ai.workflow.name": "support-refunds",
            "gen_ai.conversation.id": conv,
            "user.id": user,
        }
        if gen
        else {
            "openinference.span.kind": "CHAIN",
            "session.id": conv,
            "user.id": user,
            "input.value": question,
        }
    )
    total = steps * 900 * ms + 50 * ms
    root = b.span(tid, None, "support-refunds", t, t + total, root_attrs, kind=2)
    agent_attrs = (
        {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "refund-agent"}
        if gen
        else {"openinference.span.kind": "AGENT", "agent.name": "refund-agent"}
    )
    agent = b.span(tid, root, "refund-agent", t + ms, t + total - ms, agent_attrs)
    t += 2 * ms
    for step in range(steps):
        docs = [(f"{source}/doc-{rng.randint(1, 40)}", round(rng.random(), 3)) for _ in range(3)]
        doc_text = rng.choice(HOSTILE) if hostile and n % 7 == 3 else "Refunds within 30 days."
        if gen:
            r_attrs: dict[str, Any] = {
                "gen_ai.operation.name": "retrieval",
                "gen_ai.data_source.id": source,
                "gen_ai.retrieval.query.text": question,
                "gen_ai.retrieval.documents": json.dumps(
                    [{"id": d, "score": s, "content": doc_text} for d, s in docs]
                ),
            }
        else:
            r_attrs = {"openinference.span.kind": "RETRIEVER", "input.value": question}
            for i, (d, s) in enumerate(docs):
                r_attrs[f"retrieval.documents.{i}.document.id"] = d
                r_attrs[f"retrieval.documents.{i}.document.score"] = s
                r_attrs[f"retrieval.documents.{i}.document.content"] = doc_text
                r_attrs[f"retrieval.documents.{i}.document.metadata"] = json.dumps(
                    {"source": source}
                )
        b.span(tid, agent, f"retrieve {source}", t, t + 80 * ms, r_attrs, kind=3)
        t += 90 * ms
        tin, tout = rng.randint(300, 2500), rng.randint(20, 400)
        answer = f"I will refund {account}." if n % 9 else rng.choice(HOSTILE)
        if gen:
            l_attrs: dict[str, Any] = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": model,
                "gen_ai.usage.input_tokens": tin,
                "gen_ai.usage.output_tokens": tout,
                "gen_ai.prompt.name": "refund-policy",
                "gen_ai.prompt.version": pversion,
                "gen_ai.input.messages": _messages_genai("user", question),
                "gen_ai.output.messages": _messages_genai("assistant", answer),
            }
        else:
            l_attrs = {
                "openinference.span.kind": "LLM",
                "llm.provider": "openai",
                "llm.model_name": model,
                "llm.token_count.prompt": tin,
                "llm.token_count.completion": tout,
                "prompt.id": "refund-policy",
                "llm.prompt_template.version": pversion,
                "llm.input_messages.0.message.role": "system",
                "llm.input_messages.0.message.content": "You are a refunds assistant.",
                "llm.input_messages.1.message.role": "user",
                "llm.input_messages.1.message.content": question,
                "llm.output_messages.0.message.role": "assistant",
                "llm.output_messages.0.message.content": answer,
            }
        b.span(tid, agent, f"chat {model}", t, t + 400 * ms, l_attrs, kind=3)
        t += 410 * ms
        tool = "issue_refund" if n % 3 else "lookup_order"
        args = json.dumps({"account_id": account, "order_id": f"ord-{n}", "amount": 20 + n % 80})
        failed = n % 13 == 5
        result = "error: account locked" if failed else json.dumps({"refunded": True})
        if gen:
            t_attrs: dict[str, Any] = {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": tool,
                "gen_ai.tool.call.id": f"call_{n}_{step}",
                "gen_ai.tool.call.arguments": args,
                "gen_ai.tool.call.result": result,
            }
        else:
            t_attrs = {
                "openinference.span.kind": "TOOL",
                "tool.name": tool,
                "input.value": args,
                "output.value": result,
            }
        b.span(
            tid,
            agent,
            f"execute_tool {tool}",
            t,
            t + 300 * ms,
            t_attrs,
            error="account locked" if failed else None,
        )
        t += 310 * ms
        if not gen and step == steps - 1:
            b.span(
                tid,
                agent,
                "output guard",
                t,
                t + 30 * ms,
                {"openinference.span.kind": "GUARDRAIL", "output.value": "pass"},
            )
        t += 90 * ms
    return start + total


def requests(
    n_traces: int = 20,
    *,
    convention: Convention = "mixed",
    seed: int = 7,
    hostile: bool = True,
    steps: int = 1,
    per_request: int = 50,
    service: str = "support-refunds",
) -> Iterator[dict[str, Any]]:
    """``ExportTraceServiceRequest`` JSON objects holding ``n_traces`` runs (batched)."""
    rng = random.Random(seed)
    t = BASE_NS
    batch: list[dict[str, Any]] = []
    for n in range(n_traces):
        conv: Literal["genai", "openinference"] = (
            convention if convention != "mixed" else ("genai" if n % 2 == 0 else "openinference")
        )
        b = _Builder(conv, rng)
        _trace(b, n, t, hostile, steps)
        t += 2_000_000_000 + rng.randint(0, 10**9)
        batch.extend(b.spans)
        if (n + 1) % per_request == 0:
            yield _wrap(batch, service)
            batch = []
    if batch:
        yield _wrap(batch, service)


def _wrap(spans: list[dict[str, Any]], service: str) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        _kv("service.name", service),
                        _kv("openinference.project.name", "support"),
                    ]
                },
                "scopeSpans": [{"scope": {"name": "ircmd.demo.tracegen"}, "spans": spans}],
            }
        ]
    }


def big_trace(n_spans: int, *, seed: int = 11, fanout: int = 1000) -> dict[str, Any]:
    """One ``ExportTraceServiceRequest`` holding ONE trace of about ``n_spans`` spans:
    a long agent session whose turns (``fanout`` children each) hold llm/tool/retrieval
    steps, for the open-a-huge-trace benchmarks."""
    rng = random.Random(seed)
    b = _Builder("genai", rng)
    tid = b.ids.trace()
    ms = 1_000_000
    t = BASE_NS
    turns = max(1, -(-(n_spans - 1) // (fanout + 1)))
    total = turns * (fanout + 1) * 3 * ms
    root = b.span(
        tid,
        None,
        "support session",
        t,
        t + total,
        {
            "gen_ai.operation.name": "invoke_workflow",
            "gen_ai.conversation.id": "conv-big",
            "user.id": "user-big",
        },
    )
    kinds = ("chat", "execute_tool", "retrieval")
    left = n_spans - 1
    for turn in range(turns):
        if left <= 0:
            break
        turn_start = t + turn * (fanout + 1) * 3 * ms
        agent = b.span(
            tid,
            root,
            f"turn {turn}",
            turn_start,
            turn_start + (fanout + 1) * 3 * ms,
            {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "refund-agent"},
        )
        left -= 1
        for i in range(min(fanout, left)):
            op = kinds[i % 3]
            s = turn_start + (i + 1) * 3 * ms
            attrs: dict[str, Any] = {"gen_ai.operation.name": op}
            if op == "chat":
                attrs.update(
                    {
                        "gen_ai.request.model": MODELS[i % 3],
                        "gen_ai.provider.name": "openai",
                        "gen_ai.usage.input_tokens": rng.randint(100, 3000),
                        "gen_ai.usage.output_tokens": rng.randint(10, 500),
                        "gen_ai.prompt.name": "refund-policy",
                        "gen_ai.prompt.version": PROMPT_VERSIONS[i % 3],
                    }
                )
            elif op == "execute_tool":
                attrs.update(
                    {
                        "gen_ai.tool.name": "issue_refund",
                        "gen_ai.tool.call.arguments": json.dumps(
                            {"account_id": f"ACME-{rng.randint(1000, 1400)}", "amount": i % 90}
                        ),
                        "gen_ai.tool.call.result": '{"refunded": true}',
                    }
                )
            else:
                attrs.update(
                    {
                        "gen_ai.data_source.id": SOURCES[i % 3],
                        "gen_ai.retrieval.query.text": f"refund policy for order {i}",
                    }
                )
            b.span(
                tid,
                agent,
                f"{op} {i}",
                s,
                s + 2 * ms,
                attrs,
                error="tool failed" if op == "execute_tool" and i % 97 == 0 else None,
            )
            left -= 1
    return _wrap(b.spans, "support-refunds")
