"""Phoenix trace source: against a real Phoenix server, plus injected faults."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

from ircmd.backends.traces.phoenix import (
    PhoenixClient,
    PhoenixError,
    PhoenixTraceSource,
    flatten,
    span_from_phoenix,
)
from ircmd.domain.traces.spans import Span, SpanKind
from tests.services import require_service
from tests.support.waiting import apoll_until


def phoenix_url() -> str:
    return require_service("phoenix").rstrip("/")


HOSTILE = "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07"


def ingest(url: str, project: str, runs: int, *, fail_every: int = 3, memory: Any = None) -> None:
    """Send ``runs`` support-refund traces (4 spans each) with the official exporter (and
    to the in-memory exporter ``memory`` too, when given)."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": "refunds", "openinference.project.name": project})
    )
    provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{url}/v1/traces", timeout=10))
    )
    if memory is not None:
        provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("ircmd-tests")
    for n in range(runs):
        with tracer.start_as_current_span("support-refunds") as root:
            root.set_attribute("openinference.span.kind", "AGENT")
            root.set_attribute("session.id", f"conv-{n}")
            root.set_attribute("user.id", f"user-{n % 2}")
            with tracer.start_as_current_span("llm") as llm:
                llm.set_attribute("openinference.span.kind", "LLM")
                llm.set_attribute("llm.model_name", "gpt-4o")
                llm.set_attribute("llm.token_count.prompt", 100 + n)
                llm.set_attribute("llm.input_messages.0.message.role", "user")
                llm.set_attribute("llm.input_messages.0.message.content", HOSTILE)
            with tracer.start_as_current_span("issue_refund") as tool:
                tool.set_attribute("gen_ai.operation.name", "execute_tool")
                tool.set_attribute("gen_ai.tool.name", "issue_refund")
                tool.set_attribute("gen_ai.tool.call.arguments", f'{{"account_id": "A-{n}"}}')
                if n % fail_every == 0:
                    tool.set_status(Status(StatusCode.ERROR, "account locked"))
            with tracer.start_as_current_span("kb search") as ret:
                ret.set_attribute("openinference.span.kind", "RETRIEVER")
                ret.set_attribute("retrieval.documents.0.document.id", f"doc-{n}")
                ret.set_attribute("retrieval.documents.0.document.score", 0.5)
                ret.set_attribute(
                    "retrieval.documents.0.document.metadata",
                    json.dumps({"source": "kb", "id": f"doc-{n}"}),
                )
                ret.set_attribute("metadata", json.dumps({"source": "kb"}))
    provider.shutdown()


async def wait_for_spans(src: PhoenixTraceSource, n: int, timeout: float = 20) -> list[Span]:
    """At least ``n`` spans of the source's project, once Phoenix has ingested them (it
    writes asynchronously, and creates the project so: 404 at first)."""

    async def enough() -> list[Span] | None:
        try:
            spans = (await src.fetch_spans()).spans
        except PhoenixError:
            return None
        return spans if len(spans) >= n else None

    what = f"{n} spans in Phoenix project {src.project!r}"
    return await apoll_until(enough, timeout, what=what, every=0.3)


async def poll_new_spans(
    src: PhoenixTraceSource, n: int, timeout: float, every: float
) -> list[Span]:
    """The spans ``poll()`` returns until there are ``n`` (Phoenix ingests asynchronously)."""
    new: list[Span] = []

    async def enough() -> bool:
        new.extend((await src.poll()).spans)
        return len(new) >= n

    await apoll_until(enough, timeout, what=f"{n} new spans polled", every=every)
    return new


@pytest.mark.services
async def test_real_phoenix_spans_pagination_filters_and_poll() -> None:
    url = phoenix_url()
    project = f"ircmd-{uuid.uuid4().hex[:8]}"
    ingest(url, project, 4)
    src = PhoenixTraceSource("phx", url, project, page_limit=5)  # forces cursor paging
    try:
        spans = await wait_for_spans(src, 16)
        assert len(spans) == 16
        batch = await src.load()
        assert len(batch.spans) == 16 and not any(batch.problems)
        assert {s.key for s in batch.spans} == {s.key for s in spans}
        src.page_limit = 2  # newest, oldest, then 4 time slices concurrently
        assert {s.key for s in (await src.load()).spans} == {s.key for s in spans}
        src.page_limit = 5
        batch = await src.load()
        kinds = sorted(s.kind.value for s in batch.spans)
        assert kinds == ["agent"] * 4 + ["llm"] * 4 + ["retrieval"] * 4 + ["tool"] * 4
        llm = next(s for s in batch.spans if s.kind is SpanKind.LLM)
        assert llm.model == "gpt-4o" and llm.input_messages[0].content == HOSTILE
        tool = next(s for s in batch.spans if s.kind is SpanKind.TOOL)
        assert tool.tool_name == "issue_refund" and "account_id" in tool.tool_arguments
        roots = [s for s in batch.spans if s.parent_id is None]
        assert {s.conversation_id for s in roots} == {f"conv-{n}" for n in range(4)}

        errors = await src.fetch_spans(status_codes=["ERROR"])
        assert len(errors.spans) == 2 and all(s.is_error for s in errors.spans)
        tools = await src.fetch_spans(span_kinds=["LLM"])
        assert {s.kind for s in tools.spans} == {SpanKind.LLM} and len(tools.spans) == 4
        one = roots[0].trace_id
        in_trace = await src.fetch_spans(trace_ids=[one])
        assert {s.trace_id for s in in_trace.spans} == {one} and len(in_trace.spans) == 4

        names = [p["name"] for p in await src.api.projects()]
        assert project in names
        traces = await src.api.traces(project, include_spans=True)
        assert len(traces) == 4 and all(len(t["spans"]) == 4 for t in traces)

        assert (await src.poll()).spans == []
        ingest(url, project, 1)
        assert len(await poll_new_spans(src, 4, timeout=20, every=0.3)) == 4
    finally:
        await src.close()


@pytest.mark.services
async def test_real_phoenix_unknown_project_is_one_clear_line() -> None:
    url = phoenix_url()
    src = PhoenixTraceSource("phx", url, "no-such-project-ircmd")
    batch = await src.load()
    assert batch.spans == []
    (warning,) = batch.warnings
    assert "no-such-project-ircmd" in warning and "\n" not in warning
    await src.close()


# -- faults (mock transport) ----------------------------------------------------------------


def _source(handler: Callable[[httpx.Request], Any], **kw: Any) -> PhoenixTraceSource:
    return PhoenixTraceSource(
        "phx", "http://phoenix.test", "p", transport=httpx.MockTransport(handler), **kw
    )


async def test_timeout_is_reported_not_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    src = _source(handler, timeout=0.5)
    batch = await src.load()
    assert batch.spans == [] and "no answer within 0.5 s" in batch.warnings[0]
    assert "no answer" in src.describe()


async def test_401_names_the_env_var_never_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHX_TOKEN_TEST", "s3cret-token")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(401, json={"detail": "bad token s3cret-token"})

    src = _source(handler, token_env="PHX_TOKEN_TEST")
    batch = await src.load()
    assert seen and set(seen) == {"Bearer s3cret-token"}  # newest and oldest pages at once
    assert "401 not authorised" in batch.warnings[0] and "$PHX_TOKEN_TEST" in batch.warnings[0]
    assert "s3cret" not in batch.warnings[0] and "s3cret" not in src.describe()


@pytest.mark.parametrize(
    ("response", "expect"),
    [
        (httpx.Response(503, text="down"), "server answered 503"),
        (httpx.Response(200, text="<html>proxy</html>"), "answer is not JSON"),
        (httpx.Response(200, json=[1, 2]), "no 'data'"),
        (httpx.Response(200, json={"data": "nope", "next_cursor": None}), "not a list"),
    ],
)
async def test_server_errors_and_garbage(response: httpx.Response, expect: str) -> None:
    src = _source(lambda request: response)
    with pytest.raises(PhoenixError, match=expect):
        await src.fetch_spans()
    assert expect in (await src.load()).warnings[0]


async def test_malformed_spans_are_skipped_and_counted() -> None:
    good = {
        "name": "ok",
        "context": {"trace_id": "A" * 32, "span_id": "b" * 16},
        "span_kind": "LLM",
        "start_time": "2025-01-01T00:00:00Z",
        "end_time": "2025-01-01T00:00:01.5+00:00",
        "status_code": "OK",
        "attributes": {"llm": {"model_name": "m"}, "x": [{"a": 1}, {"a": 2}]},
    }
    bad = [{"name": "no context"}, {**good, "context": {"trace_id": "zz", "span_id": "b" * 16}}]
    body = {"data": [good, *bad], "next_cursor": None}
    src = _source(lambda request: httpx.Response(200, json=body))
    batch = await src.load()
    (s,) = batch.spans
    assert s.trace_id == "a" * 32 and s.duration_ns == 1_500_000_000
    assert s.kind is SpanKind.LLM and s.model == "m"
    assert s.attr("x.1.a") == 2
    assert batch.problems[0].skipped_spans == 2


async def test_cursor_is_followed_and_filters_are_sent() -> None:
    calls: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        cursor = request.url.params.get("cursor")
        nxt = None if cursor == "c2" else ("c2" if cursor == "c1" else "c1")
        return httpx.Response(200, json={"data": [], "next_cursor": nxt})

    client = PhoenixClient("http://phoenix.test", transport=httpx.MockTransport(handler))
    src = _source(handler)
    src.api = client
    await src.fetch_spans(status_codes=["ERROR"], span_kinds=["TOOL", "LLM"], trace_ids=["t1"])
    assert [c.params.get("cursor") for c in calls] == [None, "c1", "c2"]
    assert calls[0].params.get_list("span_kind") == ["TOOL", "LLM"]
    assert calls[0].params.get("status_code") == "ERROR"
    assert calls[0].params.get("trace_id") == "t1"
    assert calls[0].path == "/v1/projects/p/spans"


def test_flatten_nested_attributes() -> None:
    assert flatten({"a": {"b": 1, "c": [{"d": 2}], "e": [1, 2]}, "f": {}}) == {
        "a.b": 1,
        "a.c.0.d": 2,
        "a.e": [1, 2],
        "f": {},
    }


async def test_lookback_and_max_spans_bound_a_load() -> None:
    seen: list[httpx.URL] = []
    span = {
        "name": "s",
        "context": {"trace_id": "a" * 32, "span_id": "b" * 16},
        "span_kind": "LLM",
        "start_time": "2025-01-01T00:00:00Z",
        "end_time": "2025-01-01T00:00:01Z",
        "status_code": "OK",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        n = len(seen)
        data = [
            {**span, "context": {"trace_id": "a" * 32, "span_id": f"{n:02d}{i:014x}"}}
            for i in range(3)
        ]
        return httpx.Response(200, json={"data": data, "next_cursor": f"c{n}"})

    src = _source(handler, max_spans=5, lookback_hours=2)
    batch = await src.load()
    # the newest page and the oldest span; all at one instant, so the newest page's cursor
    # is followed; no more once max_spans is reached, and no more kept
    assert len(seen) == 3 and len(batch.spans) == 5
    assert [u.params.get("limit") for u in seen] == ["1000", "1", "1000"]
    assert seen[0].params.get("start_time")
    await src.close()


def test_config_keys_build_the_source() -> None:
    from ircmd.backends.registry import load_factory
    from ircmd.domain.config import PhoenixSourceConfig

    cfg = PhoenixSourceConfig(
        name="phx",
        kind="phoenix",
        url="http://x:6006/",
        project="support",
        token_env="PHOENIX_API_KEY",
        max_spans=10,
        lookback_hours=1.5,
    )
    src = load_factory("phoenix")(cfg)
    assert (src.project, src.max_spans, src.lookback_hours) == ("support", 10, 1.5)
    assert src.api.url == "http://x:6006" and src.api.token_env == "PHOENIX_API_KEY"


def test_flatten_keeps_json_string_attributes_whole() -> None:
    # Phoenix returns document metadata and invocation parameters parsed; they must come
    # back as the JSON strings the instrumentation wrote, not as dotted keys
    got = flatten(
        {
            "retrieval": {
                "documents": [{"document": {"id": "d1", "metadata": {"source": "kb", "id": "x"}}}]
            },
            "llm": {"invocation_parameters": {"model": "gpt-4o-mini"}},
            "metadata": {"tenant": "t"},
        }
    )
    assert got == {
        "retrieval.documents.0.document.id": "d1",
        "retrieval.documents.0.document.metadata": '{"source":"kb","id":"x"}',
        "llm.invocation_parameters": '{"model":"gpt-4o-mini"}',
        "metadata": '{"tenant":"t"}',
    }


def test_service_is_unknown_not_the_project() -> None:
    src = PhoenixTraceSource("px", "http://127.0.0.1:9", project="support")
    s = span_from_phoenix(
        {
            "name": "x",
            "context": {"trace_id": "a" * 32, "span_id": "b" * 16},
            "start_time": "2026-01-01T00:00:00Z",
            "end_time": "2026-01-01T00:00:01Z",
            "attributes": {},
        },
        "support",
        "px",
        src._resource,
    )
    assert s.service == "unknown" and s.resource["phoenix.project"] == "support"


@pytest.mark.services
async def test_idle_polls_back_off_and_use_the_row_cursor() -> None:
    url = phoenix_url()
    project = f"ircmd-{uuid.uuid4().hex[:8]}"
    ingest(url, project, 2)
    asked: list[httpx.URL] = []

    async def record(request: httpx.Request) -> None:
        asked.append(request.url)

    src = PhoenixTraceSource("phx", url, project)
    src.api.client.event_hooks["request"].append(record)
    try:
        await wait_for_spans(src, 8)
        assert src.health()[0] == "ok"
        assert len((await src.load()).spans) == 8
        asked.clear()
        # a tight loop of polls for 2 s while nothing is new: back-off 0.5 s, 1 s, …
        end = time.monotonic() + 2.0
        calls = 0
        while time.monotonic() < end:
            assert (await src.poll()).spans == []
            calls += 1
            await asyncio.sleep(0.01)  # the behaviour under test: polls asked 2 s long
        assert calls > 50 and 1 <= len(asked) <= 4, len(asked)
        # the row cursor: the newest row in insertion order, one row once idle
        assert all(u.params.get("sort") == "id" for u in asked)
        assert [u.params.get("limit") for u in asked][1:] == ["1"] * (len(asked) - 1)
        ingest(url, project, 1)
        assert len(await poll_new_spans(src, 4, timeout=30, every=0.05)) == 4
    finally:
        await src.close()


async def test_health_is_down_while_phoenix_is_down() -> None:
    src = PhoenixTraceSource("phx", "http://127.0.0.1:9", "p", timeout=2)
    try:
        assert src.health()[0] == "unknown"
        batch = await src.poll()
        state, detail = src.health()
        assert state == "down" and "cannot connect" in detail
        assert batch.warnings and "Phoenix" in batch.warnings[0]
        await src.poll()  # no back-off while down: every poll tries again
        assert src.requests == 2
    finally:
        await src.close()


@pytest.mark.services
async def test_phoenix_gives_what_the_file_gives_field_by_field(tmp_path: Any) -> None:
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from ircmd.backends.traces.files import load_paths

    url = phoenix_url()
    project = f"ircmd-{uuid.uuid4().hex[:8]}"
    memory = InMemorySpanExporter()
    ingest(url, project, 3, memory=memory)
    f = tmp_path / "same.json"
    f.write_text(json.dumps(MessageToDict(encode_spans(memory.get_finished_spans()))))
    from_file = {s.key: s for s in load_paths([str(f)]).spans}
    src = PhoenixTraceSource("phx", url, project)
    try:
        await wait_for_spans(src, len(from_file))
        from_px = {s.key: s for s in (await src.load()).spans}
    finally:
        await src.close()
    assert set(from_px) == set(from_file) and len(from_file) == 12

    def derived(s: Any) -> dict[str, Any]:
        return {
            "name": s.name,
            "parent": s.parent_id,
            "kind": s.kind,
            "model": s.model,
            "tokens": (s.input_tokens, s.output_tokens),
            "status": s.status_code,
            "tool": (s.tool_name, s.tool_arguments),
            "input": [(m.role, m.content) for m in s.input_messages],
            "output": [(m.role, m.content) for m in s.output_messages],
            "docs": [(d.id, d.score) for d in s.documents],
            "source": s.retrieval_source,
            "conversation": s.conversation_id,
            "user": s.user_id,
        }

    for key, fs in from_file.items():
        assert derived(from_px[key]) == derived(fs), fs.name
        px = from_px[key]  # Phoenix keeps microseconds (and may round the last one)
        assert abs(px.start_ns - fs.start_ns) <= 1000 and abs(px.end_ns - fs.end_ns) <= 1000
    ret = next(s for s in from_px.values() if s.name == "kb search")
    assert ret.attr("retrieval.documents.0.document.metadata") == json.dumps(
        {"source": "kb", "id": ret.documents[0].id}
    ).replace(" ", "")
    assert from_px[key].service == "unknown" and fs.service == "refunds"


def test_flatten_regroups_json_strings_phoenix_returns_already_split() -> None:
    # what Phoenix 20.26.1 really answers for a retriever span (seen in the test above)
    got = flatten(
        {
            "retrieval.documents.0.document.metadata.source": "kb",
            "retrieval.documents.0.document.metadata.id": "doc-2",
            "retrieval.documents.0.document.id": "doc-2",
            "metadata.source": "kb",
            "metadata.tags.a": 1,
        }
    )
    assert got == {
        "retrieval.documents.0.document.metadata": '{"source":"kb","id":"doc-2"}',
        "retrieval.documents.0.document.id": "doc-2",
        "metadata": '{"source":"kb","tags":{"a":1}}',
    }
