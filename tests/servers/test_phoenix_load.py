"""The Phoenix source's concurrent load and row-cursor polls against the real Phoenix: no
span lost or duplicated however the time is cut, and a span that reaches Phoenix late
(started long before the newest one seen) is still found by a poll."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from tests.functional.test_trace_phoenix import phoenix_url, poll_new_spans, wait_for_spans

from ircmd.backends.traces.otlp_proto import encode_protobuf
from ircmd.backends.traces.phoenix import PhoenixTraceSource
from ircmd.demo import tracegen
from ircmd.domain.traces.otlp import parse_document
from ircmd.domain.traces.spans import Span

pytestmark = pytest.mark.services


def generated(project: str, n: int) -> list[Span]:
    out: list[Span] = []
    seed = uuid.uuid4().int % 1_000_000  # Phoenix keeps span ids unique across projects
    for req in tracegen.requests(max(1, n // 5), per_request=50, hostile=False, seed=seed):
        for rs in req["resourceSpans"]:
            attrs = rs.setdefault("resource", {}).setdefault("attributes", [])
            attrs.append({"key": "openinference.project.name", "value": {"stringValue": project}})
        out.extend(parse_document(req, "test").spans)
        if len(out) >= n:
            break
    return out[:n]


def at(s: Span, start_ns: int, end_ns: int) -> Span:
    """``s`` with other times (events dropped: they would fall outside)."""
    return Span(
        s.trace_id,
        s.span_id,
        s.parent_id,
        s.name,
        start_ns,
        end_ns,
        s.status_code,
        s.status_message,
        s.attributes,
        resource=s.resource,
        scope=s.scope,
        otel_kind=s.otel_kind,
    )


def send(url: str, spans: list[Any]) -> None:
    with httpx.Client(timeout=60) as c:
        for i in range(0, len(spans), 500):
            r = c.post(
                f"{url}/v1/traces",
                content=encode_protobuf(spans[i : i + 500]),
                headers={"Content-Type": "application/x-protobuf"},
            )
            r.raise_for_status()


async def test_concurrent_load_loses_and_duplicates_nothing() -> None:
    url = phoenix_url()
    project = f"ircmd-load-{uuid.uuid4().hex[:8]}"
    spans = generated(project, 1200)
    send(url, spans)
    want = {s.key for s in spans}
    asked: list[httpx.URL] = []

    async def record(request: httpx.Request) -> None:
        asked.append(request.url)

    src = PhoenixTraceSource("phx", url, project)
    src.api.client.event_hooks["request"].append(record)
    try:
        assert len(await wait_for_spans(src, len(spans), timeout=60)) == len(spans)
        for page_limit in (1000, 97, 40):  # one range, many ranges, ranges that overflow
            src.page_limit = page_limit
            asked.clear()
            batch = await src.load()
            keys = [s.key for s in batch.spans]
            assert len(keys) == len(set(keys)), page_limit  # nothing twice
            assert set(keys) == want, page_limit  # nothing lost
            assert not any(batch.problems)
            if page_limit < 1000:  # the time was cut into ranges, each with its bounds
                ranged = [u for u in asked if u.params.get("end_time")]
                assert len(ranged) >= len(spans) // page_limit // 2, (page_limit, len(ranged))
        assert src.api._headers()["Accept-Encoding"] == "identity"  # uncompressed on loopback
        by_key = {s.key: s for s in batch.spans}
        for s in spans[:50]:
            got = by_key[s.key]
            assert (got.name, got.kind, got.parent_id) == (s.name, s.kind, s.parent_id)
    finally:
        await src.close()


async def test_poll_finds_a_span_that_arrives_late() -> None:
    url = phoenix_url()
    project = f"ircmd-late-{uuid.uuid4().hex[:8]}"
    now_ns = time.time_ns()
    spans = generated(project, 10)
    shift = now_ns - max(s.start_ns for s in spans)
    fresh = [at(s, s.start_ns + shift, s.end_ns + shift) for s in spans]
    send(url, fresh[:5])
    src = PhoenixTraceSource("phx", url, project)
    try:
        await wait_for_spans(src, 5, timeout=60)
        assert len((await src.load()).spans) == 5
        assert (await src.poll()).spans == []
        # a long span ends and reaches Phoenix now: it started 10 minutes before the
        # newest span already read (more than any start-time overlap would cover)
        late = [at(s, now_ns - 600 * 10**9, now_ns - 599 * 10**9) for s in fresh[5:]]
        send(url, late)
        got = await poll_new_spans(src, len(late), timeout=30, every=0.2)
        assert sorted(s.key for s in got) == sorted(s.key for s in late)
        assert (await src.poll()).spans == []  # and only once
    finally:
        await src.close()
