"""The receiver on aiohttp: limits, streamed decompression, logs, gRPC, checked spool writes."""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import socket
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ircmd.backends.traces.http_limits import ReceiverLimits
from ircmd.backends.traces.otlp_receiver import OtlpReceiver, read_spool, read_spool_logs
from ircmd.backends.traces.spool import Spool
from ircmd.demo import tracegen
from ircmd.domain.traces.otlp import parse_bytes
from ircmd.domain.traces.spans import Span
from tests.support.waiting import poll_until

PB = "application/x-protobuf"


def _rx(tmp_path: Path, **limits: Any) -> OtlpReceiver:
    rec = OtlpReceiver(
        "127.0.0.1",
        0,
        Spool(tmp_path / "spool"),
        limits=ReceiverLimits(**limits),
    )
    rec.start()
    return rec


def _spans(n: int, seed: int) -> list[Span]:
    spans = parse_bytes(json.dumps(tracegen.big_trace(n, seed=seed)).encode(), "t").spans[:n]
    assert len(spans) == n
    return spans


@pytest.fixture
def rx(tmp_path: Path) -> Iterator[OtlpReceiver]:
    rec = _rx(tmp_path)
    yield rec
    rec.stop()


def _raw(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if b"\r\n\r\n" in out and b"Content-Length" in out:
                    head, _, rest = out.partition(b"\r\n\r\n")
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:") and len(rest) >= int(
                            line.split(b":")[1]
                        ):
                            return out
        except TimeoutError:
            pass
        return out


def test_gzip_bomb_is_413_without_inflating_it(tmp_path: Path) -> None:
    rec = _rx(tmp_path, max_inflated_bytes=1024 * 1024)
    try:
        bomb = gzip.compress(b"\0" * (256 * 1024 * 1024), compresslevel=9)  # ~250 KiB
        t = time.monotonic()
        r = httpx.post(
            rec.url, content=bomb, headers={"Content-Type": PB, "Content-Encoding": "gzip"}
        )
        assert r.status_code == 413 and "inflated body over 1048576" in r.text
        assert time.monotonic() - t < 5
        raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        dbomb = raw_deflate.compress(b"\0" * (64 * 1024 * 1024)) + raw_deflate.flush()
        r = httpx.post(
            rec.url, content=dbomb, headers={"Content-Type": PB, "Content-Encoding": "deflate"}
        )
        assert r.status_code == 413
        assert rec.stats.requests == 0
    finally:
        rec.stop()


def test_deflate_zlib_and_raw_and_chunked_bodies_are_spooled(
    rx: OtlpReceiver, tmp_path: Path
) -> None:
    spans = _spans(6, 3)
    from ircmd.backends.traces.otlp_proto import encode_protobuf

    a, b, c = encode_protobuf(spans[:2]), encode_protobuf(spans[2:4]), encode_protobuf(spans[4:6])
    r1 = httpx.post(
        rx.url,
        content=zlib.compress(a),
        headers={"Content-Type": PB, "Content-Encoding": "deflate"},
    )
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    r2 = httpx.post(
        rx.url,
        content=raw.compress(b) + raw.flush(),
        headers={"Content-Type": PB, "Content-Encoding": "deflate"},
    )

    def gen() -> Iterator[bytes]:
        for i in range(0, len(c), 7):
            yield c[i : i + 7]

    r3 = httpx.post(rx.url, content=gen(), headers={"Content-Type": PB})
    assert (r1.status_code, r2.status_code, r3.status_code) == (200, 200, 200)
    got = {s.span_id for s in read_spool(tmp_path / "spool").spans}
    assert got == {s.span_id for s in spans}


def test_duplicate_conflicting_content_length_is_400_not_200(rx: OtlpReceiver) -> None:
    body = b"{}   "
    req = (
        b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nContent-Length: 5\r\n\r\n" + body
    )
    out = _raw(rx.port, req)
    assert out.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request"), out[:80]
    assert b"Duplicate Content-Length" in out


def test_concurrency_cap_answers_503_with_retry_after(tmp_path: Path) -> None:
    rec = _rx(tmp_path, max_concurrent_requests=1, body_timeout_s=10.0)
    try:
        slow = socket.create_connection(("127.0.0.1", rec.port))
        slow.sendall(
            b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
            b"Content-Length: 100\r\n\r\nab"
        )
        poll_until(lambda: rec._inflight >= 1, 5, what="the slow request in flight")
        r = httpx.post(rec.url, content=b"", headers={"Content-Type": PB})
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        slow.close()
        poll_until(lambda: not rec._inflight, 5, what="no request in flight")
        assert httpx.post(rec.url, content=b"", headers={"Content-Type": PB}).status_code == 200
        assert rec.health().detail.count("refused") == 1
    finally:
        rec.stop()


def test_slow_body_is_408_and_silent_connection_closed(tmp_path: Path) -> None:
    rec = _rx(tmp_path, body_timeout_s=0.5, header_timeout_s=0.5)
    try:
        t = time.monotonic()
        out = _raw(
            rec.port,
            b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
            b"Content-Length: 100\r\n\r\nab",
        )
        assert out.startswith(b"HTTP/1.1 408") and time.monotonic() - t < 4
        with socket.create_connection(("127.0.0.1", rec.port), timeout=5) as s:
            s.sendall(b"POST /v1/tr")
            assert s.recv(100) == b""  # closed by the server, not held forever
    finally:
        rec.stop()


def test_client_disconnect_is_one_log_line(
    rx: OtlpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ircmd.receiver")
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", rx.port))
        s.sendall(
            b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
            b"Content-Length: 1000\r\n\r\nabc"
        )
        s.close()
    poll_until(lambda: rx.stats.disconnects >= 5, 5, what="five disconnects counted")
    lines = [r for r in caplog.records if r.name == "ircmd.receiver"]
    assert rx.stats.disconnects == 5
    assert not any(r.exc_info for r in caplog.records)
    assert sum("went away" in r.getMessage() for r in lines) == 5
    assert (
        httpx.post(rx.url, content=b"", headers={"Content-Type": PB}, timeout=1).status_code == 200
    )


def test_unusable_body_is_a_log_line_with_the_reason(
    rx: OtlpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ircmd.receiver")
    r = httpx.post(rx.url, content=b"\xff\xff\xff", headers={"Content-Type": PB})
    assert r.status_code == 400
    assert any("refused 400" in m and "ExportTraceServiceRequest" in m for m in caplog.messages)


def test_logs_protobuf_and_json_are_spooled_and_read_back(rx: OtlpReceiver, tmp_path: Path) -> None:
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2

    req = logs_service_pb2.ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    kv = rl.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "refunds"
    lr = rl.scope_logs.add().log_records.add()
    lr.trace_id, lr.span_id, lr.time_unix_nano = bytes(range(1, 17)), bytes(range(1, 9)), 5
    lr.event_name = "gen_ai.client.inference.operation.details"
    lr.body.string_value = "hello"
    r = httpx.post(rx.logs_url, content=req.SerializeToString(), headers={"Content-Type": PB})
    assert r.status_code == 200
    doc = {
        "resourceLogs": [
            {
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "traceId": "ab" * 16,
                                "spanId": "cd" * 8,
                                "timeUnixNano": "7",
                                "attributes": [
                                    {"key": "event.name", "value": {"stringValue": "gen_ai.choice"}}
                                ],
                                "body": {"kvlistValue": {"values": []}},
                            }
                        ]
                    }
                ]
            }
        ]
    }
    r = httpx.post(rx.logs_url, json=doc)
    assert r.status_code == 200
    logs = read_spool_logs(tmp_path / "spool")
    assert [(x.trace_id, x.span_id, x.event_name, x.body) for x in logs] == [
        (bytes(range(1, 17)).hex(), bytes(range(1, 9)).hex(), lr.event_name, "hello"),
        ("ab" * 16, "cd" * 8, "gen_ai.choice", {}),
    ]
    assert logs[0].service == "refunds" and rx.stats.logs == 2
    assert httpx.post(rx.logs_url, json={"resourceSpans": []}).status_code == 400


def test_official_grpc_exporters_reach_the_spool(tmp_path: Path) -> None:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    from tests.services import free_port

    rec = OtlpReceiver("127.0.0.1", 0, Spool(tmp_path / "spool"), grpc_port=free_port())
    rec.start()
    try:
        provider = TracerProvider(resource=Resource.create({"service.name": "refunds"}))
        exp = OTLPSpanExporter(endpoint=f"127.0.0.1:{rec.grpc_port}", insecure=True, timeout=5)
        provider.add_span_processor(SimpleSpanProcessor(exp))
        with provider.get_tracer("t").start_as_current_span("invoke_agent grpc-agent"):
            pass
        provider.shutdown()
        names = [s.name for s in read_spool(tmp_path / "spool").spans]
        assert names == ["invoke_agent grpc-agent"] and rec.stats.spans == 1
    finally:
        rec.stop()


def _can_mount() -> str | None:
    if os.geteuid() != 0:
        return "needs root to mount a small tmpfs"
    if shutil.which("mount") is None:
        return "no mount(8)"
    return None


def test_full_disk_loses_nothing_acknowledged(tmp_path: Path) -> None:
    why = _can_mount()
    if why:
        if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"full-disk test required: {why}")
        pytest.skip(why)
    mnt = tmp_path / "small"
    mnt.mkdir()
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True, text=True
    )
    if res.returncode:
        if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"cannot mount tmpfs: {res.stderr.strip()}")
        pytest.skip(f"cannot mount tmpfs: {res.stderr.strip()}")
    try:
        from ircmd.backends.traces.otlp_proto import encode_protobuf

        spool = Spool(mnt / "spool", max_bytes=1 << 30, segment_bytes=1 << 30)
        rec = OtlpReceiver("127.0.0.1", 0, spool)
        rec.start()
        acked: set[str] = set()
        refused = 0
        pool = _spans(400, 9)
        try:
            with httpx.Client(timeout=5) as client:
                for i in range(0, 400, 4):
                    batch = pool[i : i + 4]
                    if i == 80:
                        filler = mnt / "filler"
                        with filler.open("wb") as fh:
                            try:
                                while True:
                                    fh.write(b"\0" * 65536)
                                    fh.flush()
                            except OSError:
                                pass
                    r = client.post(
                        rec.url, content=encode_protobuf(batch), headers={"Content-Type": PB}
                    )
                    if r.status_code == 200:
                        acked |= {s.span_id for s in batch}
                    else:
                        assert r.status_code == 503
                        refused += 1
                        health = rec.health()
                        assert health.state == "down"
                        # what the status bar shows first (it cuts the detail at ~40)
                        assert health.detail.startswith(f"{refused} refused (503), spool full")
                    if i == 200:
                        (mnt / "filler").unlink()
            assert refused > 0 and acked
            assert rec.health().state == "ok"
        finally:
            rec.stop()
        spooled = read_spool(mnt / "spool")
        assert not spooled.problem_lines
        got = [s.span_id for s in spooled.spans]
        assert set(got) == acked and len(got) == len(acked)
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_source_health_for_the_status_bar(tmp_path: Path) -> None:
    import asyncio

    from ircmd.backends.traces.otlp_receiver import OtlpReceiverSource, receiver_health

    src = OtlpReceiverSource("rx", port=0, data_dir=tmp_path)
    asyncio.run(src.load())
    try:
        h = src.health()
        assert (h.name, h.state) == ("rx", "ok") and "0 spans" in h.detail
        assert any(x.name == "rx" for x in receiver_health(None))
        assert src.receiver.spool is not None
        src.receiver.spool.last_error = "spool write failed: No space left on device"
        h = src.health()
        assert h.state == "down" and "No space left" in h.detail
    finally:
        asyncio.run(src.close())
    assert not any(x.name == "rx" for x in receiver_health(None))
    off = OtlpReceiverSource("off", port=0, data_dir=tmp_path, enabled=False)
    assert off.health().state == "unknown"


def test_grpc_logs_export_and_unavailable_when_spool_fails(tmp_path: Path) -> None:
    import grpc
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc

    from tests.services import free_port

    rec = OtlpReceiver("127.0.0.1", 0, Spool(tmp_path / "spool"), grpc_port=free_port())
    rec.start()
    try:
        req = logs_service_pb2.ExportLogsServiceRequest()
        lr = req.resource_logs.add().scope_logs.add().log_records.add()
        lr.trace_id, lr.span_id, lr.event_name = b"\x05" * 16, b"\x06" * 8, "gen_ai.choice"
        with grpc.insecure_channel(f"127.0.0.1:{rec.grpc_port}") as ch:
            stub = logs_service_pb2_grpc.LogsServiceStub(ch)  # type: ignore[no-untyped-call]
            stub.Export(req, timeout=5)
            assert [x.event_name for x in read_spool_logs(tmp_path / "spool")] == ["gen_ai.choice"]
            assert rec.spool is not None
            rec.spool.directory = tmp_path / "file"
            (tmp_path / "file").write_text("not a directory")
            rec.spool.close()
            with pytest.raises(grpc.RpcError) as info:
                stub.Export(req, timeout=5)
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
            assert "cannot spool" in (info.value.details() or "")
        assert rec.health().state == "down"
    finally:
        rec.stop()


def test_official_log_exporters_http_and_grpc(tmp_path: Path) -> None:
    from opentelemetry.exporter.otlp.proto.grpc._log_exporter import (
        OTLPLogExporter as GrpcLogExporter,
    )
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource

    from tests.services import free_port

    rec = OtlpReceiver("127.0.0.1", 0, Spool(tmp_path / "spool"), grpc_port=free_port())
    rec.start()
    lg = logging.getLogger("ircmd.test.genai-events")
    handler = None
    try:
        lp = LoggerProvider(resource=Resource.create({"service.name": "refunds"}))
        lp.add_log_record_processor(
            SimpleLogRecordProcessor(OTLPLogExporter(endpoint=rec.logs_url, timeout=5))
        )
        lp.add_log_record_processor(
            SimpleLogRecordProcessor(
                GrpcLogExporter(endpoint=f"127.0.0.1:{rec.grpc_port}", insecure=True, timeout=5)
            )
        )
        handler = LoggingHandler(logger_provider=lp)
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
        lg.propagate = False
        lg.info("user asked for a refund")
        lp.shutdown()
        logs = read_spool_logs(tmp_path / "spool")
        assert [(x.body, x.service) for x in logs] == [("user asked for a refund", "refunds")] * 2
    finally:
        if handler is not None:
            lg.removeHandler(handler)
        rec.stop()


def test_status_bar_shows_only_the_workspaces_own_receivers(tmp_path: Path) -> None:
    """A receiver another workspace of this process started (here: another data dir) is not
    in this workspace's status bar."""
    import asyncio
    from types import SimpleNamespace

    from ircmd.backends.traces.otlp_receiver import OtlpReceiverSource, receiver_health

    mine = OtlpReceiverSource("mine", port=0, data_dir=tmp_path / "a")
    other = OtlpReceiverSource("other", port=0, data_dir=tmp_path / "b")
    asyncio.run(mine.load())
    asyncio.run(other.load())
    try:
        names = {h.name for h in receiver_health(SimpleNamespace(data_dir=tmp_path / "a"))}
        assert names == {"mine"}
        everyone = {h.name for h in receiver_health(None)}
        assert {"mine", "other"} <= everyone
    finally:
        asyncio.run(mine.close())
        asyncio.run(other.close())


def test_every_limit_is_a_config_key_with_its_documented_default() -> None:
    """Each field of ReceiverLimits is a key of ``kind = "otlp"`` with the same default, read
    by ``from_config``, and is in the configuration guide's table with that default."""
    import dataclasses

    from ircmd.domain.config import OtlpSourceConfig

    guide = (Path(__file__).parents[2] / "docs" / "guide" / "configuration.md").read_text()
    defaults = ReceiverLimits()
    cfg = OtlpSourceConfig(name="rx", kind="otlp")
    changed: dict[str, Any] = {}
    for f in dataclasses.fields(ReceiverLimits):
        default = getattr(defaults, f.name)
        assert getattr(cfg, f.name) == default, f.name
        shown = int(default) if float(default).is_integer() else default
        assert f"| `{f.name}` | `{shown}`" in guide, f.name
        changed[f.name] = type(default)(default * 2)
    limits = ReceiverLimits.from_config(OtlpSourceConfig(name="rx", kind="otlp", **changed))
    assert dataclasses.asdict(limits) == changed
