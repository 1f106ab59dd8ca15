"""The built-in OTLP/HTTP receiver, driven by the official OpenTelemetry exporter."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

from ircmd.backends.protocols import TraceSourceError
from ircmd.backends.traces.otlp_receiver import (
    OtlpReceiver,
    OtlpReceiverSource,
    Received,
    read_spool,
)
from ircmd.backends.traces.spool import Spool
from ircmd.demo import tracegen
from ircmd.domain.traces.otlp import Problems, encode_spans
from ircmd.domain.traces.spans import Span, SpanKind

Received3 = tuple[OtlpReceiver, list[Span], list[Problems]]
"""The receiver, the spans it handed over, and the problems it met."""


@pytest.fixture
def received(tmp_path: Path) -> Iterator[Received3]:
    got: list[Span] = []
    problems: list[Problems] = []

    def on(received: Received) -> None:
        got.extend(received.spans())
        if received.problems:
            problems.append(received.problems)

    rec = OtlpReceiver("127.0.0.1", 0, Spool(tmp_path / "spool"), on)
    rec.start()
    yield rec, got, problems
    rec.stop()


def _provider(url: str, compression: Compression = Compression.NoCompression) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": "refunds"}))
    exporter = OTLPSpanExporter(endpoint=url, compression=compression, timeout=5)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_official_exporter_spans_arrive_normalised_and_spooled(
    received: Received3, compression: Compression
) -> None:
    rec, got, problems = received
    provider = _provider(rec.url, compression)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("invoke_agent refund-agent") as root:
        root.set_attribute("gen_ai.operation.name", "invoke_agent")
        root.set_attribute("gen_ai.conversation.id", "conv-1")
        with tracer.start_as_current_span("execute_tool issue_refund") as tool:
            tool.set_attribute("gen_ai.operation.name", "execute_tool")
            tool.set_attribute("gen_ai.tool.name", "issue_refund")
            tool.set_attribute("gen_ai.tool.call.arguments", '{"account_id": "A-1"}')
            tool.set_attribute("hostile", "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07")
            tool.set_attribute("list", [1, 2, 3])
            tool.set_status(Status(StatusCode.ERROR, "locked"))
    provider.shutdown()
    assert not problems
    by_name = {s.name: s for s in got}
    t = by_name["execute_tool issue_refund"]
    a = by_name["invoke_agent refund-agent"]
    assert t.kind is SpanKind.TOOL and a.kind is SpanKind.AGENT
    assert t.parent_id == a.span_id and t.trace_id == a.trace_id
    assert t.is_error and t.status_message == "locked"
    assert t.tool_arguments == {"account_id": "A-1"}
    assert t.attr("hostile") == "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07"
    assert t.attr("list") == [1, 2, 3]
    assert t.service == "refunds"
    # everything acknowledged is in the spool
    assert rec.spool is not None
    spooled = read_spool(rec.spool.directory)
    assert sorted(s.canonical_json() for s in spooled.spans) == sorted(
        s.canonical_json() for s in got
    )
    assert rec.stats.spans == 2


def _post(url: str, body: bytes, ctype: str, **headers: str) -> httpx.Response:
    return httpx.post(url, content=body, headers={"Content-Type": ctype, **headers}, timeout=5)


def test_json_body_and_partial_success(received: Received3) -> None:
    rec, got, _ = received
    req = next(tracegen.requests(2, convention="openinference", per_request=10))
    spans = req["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans.append({**spans[0], "traceId": "not-hex"})
    r = _post(
        rec.url,
        gzip.compress(json.dumps(req).encode()),
        "application/json",
        **{"Content-Encoding": "gzip"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["partialSuccess"]["rejectedSpans"] == "1"
    assert "not 32 hex digits" in body["partialSuccess"]["errorMessage"]
    assert len(got) == len(spans) - 1


def test_protobuf_partial_success_response(received: Received3) -> None:
    rec, got, _ = received
    msg = trace_service_pb2.ExportTraceServiceRequest()
    ss = msg.resource_spans.add().scope_spans.add()
    ok = ss.spans.add()
    ok.trace_id, ok.span_id, ok.name = b"\x01" * 16, b"\x02" * 8, "ok"
    bad = ss.spans.add()
    bad.trace_id, bad.span_id, bad.name = b"\x01" * 3, b"\x02" * 8, "bad"
    r = _post(rec.url, msg.SerializeToString(), "application/x-protobuf")
    assert r.status_code == 200
    resp = trace_service_pb2.ExportTraceServiceResponse()
    resp.ParseFromString(r.content)
    assert resp.partial_success.rejected_spans == 1
    assert [s.name for s in got] == ["ok"]


@pytest.mark.parametrize(
    ("body", "ctype", "headers", "status"),
    [
        (b"\xff\xff\xff garbage", "application/x-protobuf", {}, 400),
        (b"{not json", "application/json", {}, 400),
        (b"[1, 2]", "application/json", {}, 400),
        (b"not gzip", "application/json", {"Content-Encoding": "gzip"}, 400),
        (b"{}", "text/plain", {}, 415),
    ],
)
def test_undecodable_bodies_get_4xx_and_are_not_spooled(
    received: Received3, body: bytes, ctype: str, headers: dict[str, str], status: int
) -> None:
    rec, got, _ = received
    r = _post(rec.url, body, ctype, **headers)
    assert r.status_code == status
    assert got == [] and rec.spool is not None
    assert read_spool(rec.spool.directory).spans == []
    if ctype == "application/json" and status == 400:
        assert r.json()["message"]
    assert rec.stats.failed == 1


def test_wrong_path_and_method(received: Received3) -> None:
    rec, _, _ = received
    base = rec.url.rsplit("/v1/traces", 1)[0]
    assert httpx.post(base + "/v1/metrics", content=b"", timeout=5).status_code == 404
    assert httpx.get(rec.url, timeout=5).status_code == 405


def test_busy_port_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(TraceSourceError, match=f"port {port} on 127.0.0.1 is in use"):
            OtlpReceiver("127.0.0.1", port).start()
        src = OtlpReceiverSource("rx", port=port, data_dir=tmp_path)
        import asyncio

        batch = asyncio.run(src.load())
        assert any("is in use" in w for w in batch.warnings)
        assert "is in use" in src.describe()


async def test_source_reloads_spool_after_restart_and_polls_new(tmp_path: Path) -> None:
    src = OtlpReceiverSource("rx", port=0, data_dir=tmp_path)
    assert (await src.load()).spans == []
    url = src.receiver.url
    provider = _provider(url)
    with provider.get_tracer("t").start_as_current_span("one"):
        pass
    provider.shutdown()
    polled = await src.poll()
    assert [s.name for s in polled.spans] == ["one"]
    assert (await src.poll()).spans == []
    await src.close()
    # a new process: what was acknowledged comes back from the spool
    again = OtlpReceiverSource("rx", port=0, data_dir=tmp_path)
    batch = await again.load()
    assert [s.name for s in batch.spans] == ["one"]
    await again.close()


def test_disabled_receiver_only_reads_the_spool(tmp_path: Path) -> None:
    import asyncio

    src = OtlpReceiverSource("rx", port=0, data_dir=tmp_path, enabled=False)
    asyncio.run(src.load())
    assert not src.receiver.running
    assert "off" in src.describe()


def test_unwritable_spool_answers_503_so_the_client_retries(tmp_path: Path) -> None:
    blocker = tmp_path / "spool"
    blocker.write_text("a file where the spool directory should be")
    rec = OtlpReceiver("127.0.0.1", 0, Spool(blocker / "rx"))
    rec.start()
    try:
        spans = [Span("1" * 32, "2" * 16, name="x", start_ns=1, end_ns=2)]
        r = _post(rec.url, json.dumps(encode_spans(spans)).encode(), "application/json")
        assert r.status_code == 503 and "cannot spool" in r.json()["message"]
    finally:
        rec.stop()


def test_oversized_body_is_413(tmp_path: Path) -> None:
    from ircmd.backends.traces.http_limits import ReceiverLimits

    rec = OtlpReceiver(
        "127.0.0.1", 0, Spool(tmp_path / "spool"), limits=ReceiverLimits(max_body_bytes=1000)
    )
    rec.start()
    try:
        r = _post(rec.url, b"x" * 5000, "application/x-protobuf")
        assert r.status_code == 413 and rec.stats.requests == 0
        assert "over 1000" in r.text
    finally:
        rec.stop()


def test_kill_minus_9_loses_nothing_acknowledged(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from tests.services import free_port

    port = free_port()
    env = dict(os.environ, IRCMD_DATA_DIR=str(tmp_path / "data"))
    ircmd = str(Path(sys.executable).parent / "ircmd")
    proc = subprocess.Popen(
        [ircmd, "receive", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        provider = _provider(f"http://127.0.0.1:{port}/v1/traces")
        tracer = provider.get_tracer("t")
        for i in range(25):
            with tracer.start_as_current_span(f"span-{i}"):
                pass
        provider.shutdown()  # every export returned 200
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    batch = read_spool(tmp_path / "data" / "spool")
    assert sorted(s.name for s in batch.spans) == sorted(f"span-{i}" for i in range(25))
    assert not any(batch.problems)


def test_source_reloads_only_the_newest_spool_segments_when_capped(tmp_path: Path) -> None:
    import asyncio

    spool = Spool(tmp_path / "spool" / "rx", segment_bytes=1)  # one record per segment
    for i in range(5):
        s = Span(f"{i + 1:032x}", f"{i + 1:016x}", name=f"batch-{i}", start_ns=1, end_ns=2)
        spool.append("json", json.dumps(encode_spans([s])).encode())
    spool.close()
    src = OtlpReceiverSource("rx", port=0, data_dir=tmp_path, enabled=False, max_spans=2)
    batch = asyncio.run(src.load())
    assert [s.name for s in batch.spans] == ["batch-3", "batch-4"]
    assert "3 older spool segment(s) not loaded" in batch.warnings[0]
    assert len(read_spool(tmp_path / "spool").spans) == 5
