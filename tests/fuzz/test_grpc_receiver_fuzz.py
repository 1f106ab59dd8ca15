"""Bounded fuzz of the OTLP/gRPC receiver (Hypothesis, capped examples, fixed seed, plus a
fixed corpus), and its body/deadline bound.

Raw bytes go to ``TraceService/Export`` and ``LogsService/Export`` through a real gRPC
channel. After every attack the receiver answers a valid export within 1 s and the process
RSS stays under a bound; no traceback reaches the receiver's log; at the end the spool holds
exactly the spans of every OK export. A request whose message never arrives is cancelled by
the server within idle + body timeout, not held forever.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from ircmd.backends.traces.http_limits import ReceiverLimits
from ircmd.backends.traces.otlp_proto import UndecodableBody, encode_protobuf
from ircmd.backends.traces.otlp_receiver import OtlpReceiver, Received, read_spool, spool_dir
from ircmd.backends.traces.spool import Spool
from ircmd.demo import tracegen
from ircmd.domain.traces.otlp import parse_bytes
from tests.fuzz.test_receiver_fuzz import RSS_BOUND, _Capture, _nested_anyvalue, _rss
from tests.services import free_port

TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
LOGS = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
LIMITS = ReceiverLimits(
    max_body_bytes=4 * 1024 * 1024,
    max_inflated_bytes=4 * 1024 * 1024,
    max_concurrent_requests=32,
    header_timeout_s=2.0,
    body_timeout_s=1.0,
    idle_timeout_s=2.0,
)
OK_OR_REFUSED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INTERNAL}
"""INTERNAL is gRPC's own answer to a message that does not deserialize (before our code)."""


def _raw(b: bytes) -> bytes:
    return b


class Harness:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.rec = OtlpReceiver(
            "127.0.0.1", 0, Spool(spool_dir(data, "receiver")), limits=LIMITS, grpc_port=free_port()
        )
        self.rec.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.rec.grpc_port}")
        self.traces = self.channel.unary_unary(
            TRACES, request_serializer=_raw, response_deserializer=_raw
        )
        self.logs = self.channel.unary_unary(
            LOGS, request_serializer=_raw, response_deserializer=_raw
        )
        self.acked_spans = 0
        self.valid = encode_protobuf(
            parse_bytes(json.dumps(tracegen.big_trace(3, seed=5)).encode(), "f").spans[:3]
        )

    def send(self, method: str, body: bytes, **kw: object) -> grpc.StatusCode:
        call = self.traces if method == TRACES else self.logs
        try:
            call(body, timeout=10, **kw)
        except grpc.RpcError as exc:
            return exc.code()
        if method == TRACES:
            with contextlib.suppress(UndecodableBody):
                self.acked_spans += Received("protobuf", body, "f").valid
        return grpc.StatusCode.OK

    def check(self) -> None:
        t = time.monotonic()
        assert self.send(TRACES, self.valid) == grpc.StatusCode.OK
        assert time.monotonic() - t < 1.0
        assert _rss() < RSS_BOUND, f"RSS {_rss() / 1e6:.0f} MB"


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    cap = _Capture()
    for name in ("ircmd.receiver", "grpc"):
        logging.getLogger(name).addHandler(cap)
    logging.getLogger("ircmd.receiver").setLevel(logging.INFO)
    h = Harness(tmp_path_factory.mktemp("grpcfuzz") / "data")
    yield h
    h.channel.close()
    h.rec.stop()
    for name in ("ircmd.receiver", "grpc"):
        logging.getLogger(name).removeHandler(cap)
    ours = [r for r in cap.records if r.name.startswith("ircmd") and r.exc_info]
    assert not ours, "traceback in the receiver's log"
    batch = read_spool(spool_dir(h.data, "receiver"))
    assert len(batch.spans) + sum(batch.duplicates.values()) == h.acked_spans


FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@seed(21)
@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([TRACES, LOGS]))
def test_random_messages(harness: Harness, body: bytes, method: str) -> None:
    assert harness.send(method, body) in OK_OR_REFUSED
    harness.check()


@seed(22)
@FUZZ
@given(st.integers(min_value=0, max_value=10_000))
def test_truncated_messages(harness: Harness, cut: int) -> None:
    body = harness.valid[: cut % (len(harness.valid) + 1)]
    assert harness.send(TRACES, body) in OK_OR_REFUSED
    harness.check()


def test_corpus_deep_nesting_huge_attributes_and_a_compression_bomb(harness: Harness) -> None:
    for depth in (10, 90, 200, 2000):
        try:
            body = _nested_anyvalue(depth)
        except Exception:  # the Python protobuf may refuse to build it; fine
            continue
        assert harness.send(TRACES, body) in OK_OR_REFUSED
        harness.check()
    # over the inflated cap once decompressed: refused by gRPC core, memory stays bounded
    bomb = b"\x0a" + b"\x00" * (LIMITS.max_inflated_bytes * 4)
    assert len(gzip.compress(bomb)) < LIMITS.max_inflated_bytes
    got = harness.send(TRACES, bomb, compression=grpc.Compression.Gzip)
    assert got == grpc.StatusCode.RESOURCE_EXHAUSTED
    harness.check()


def test_a_request_whose_message_never_arrives_is_cancelled(harness: Harness) -> None:
    """A client-streaming call on the unary method whose first message never comes: the
    server cancels it within idle + body timeout (connection age + grace)."""
    stall = threading.Event()

    def never() -> Iterator[bytes]:
        stall.wait(30)
        yield harness.valid

    channel = grpc.insecure_channel(f"127.0.0.1:{harness.rec.grpc_port}")
    try:
        call = channel.stream_unary(TRACES, request_serializer=_raw, response_deserializer=_raw)
        t = time.monotonic()
        with pytest.raises(grpc.RpcError) as ended:
            call(never(), timeout=30)
        took = time.monotonic() - t
    finally:
        stall.set()
        channel.close()
    assert ended.value.code() != grpc.StatusCode.DEADLINE_EXCEEDED
    assert took < LIMITS.idle_timeout_s + LIMITS.body_timeout_s + 3, f"held {took:.1f} s"
    harness.check()
