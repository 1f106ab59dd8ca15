"""OTLP/gRPC beside the HTTP receiver: ``TraceService/Export`` and ``LogsService/Export``.

Same spool, same guarantees as :mod:`~ircmd.backends.traces.otlp_receiver`: a request is
spooled and fsynced before the reply; a spool that cannot be written is ``UNAVAILABLE`` (the
official exporters retry it); an undecodable or unusable request is ``INVALID_ARGUMENT`` and a
line in the ``ircmd.receiver`` log. Limits: ``max_body_bytes`` is gRPC's
``max_receive_message_length`` (checked by gRPC core on the *decompressed* message, so a
compression bomb is refused with ``RESOURCE_EXHAUSTED``), ``max_concurrent_requests`` is
``maximum_concurrent_rpcs`` (``RESOURCE_EXHAUSTED`` past it), ``idle_timeout_s`` is the
connection idle limit and the connection age, and ``body_timeout_s`` the grace a request
still in flight gets after that (see ``start``). Off unless ``grpc_port`` is set (4317 is
the usual port): a second console on the same machine would otherwise fail to start over a
port nobody asked for.
"""

from __future__ import annotations

import concurrent.futures
import errno
import logging
from typing import TYPE_CHECKING, Any

import grpc
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from ircmd.backends.protocols import TraceSourceError
from ircmd.domain.secrets import cut, scrub

if TYPE_CHECKING:
    from ircmd.backends.traces.otlp_receiver import OtlpReceiver

log = logging.getLogger("ircmd.receiver")


class GrpcReceiver:
    def __init__(self, receiver: OtlpReceiver, host: str, port: int) -> None:
        self.receiver = receiver
        self.host = host
        self.port = port
        self._server: Any = None

    def start(self) -> None:
        lim = self.receiver.limits
        workers = min(16, lim.max_concurrent_requests)
        server = grpc.server(
            concurrent.futures.ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix="otlp-grpc"
            ),
            maximum_concurrent_rpcs=lim.max_concurrent_requests,
            options=[
                ("grpc.max_receive_message_length", lim.max_inflated_bytes),
                ("grpc.max_connection_idle_ms", int(lim.idle_timeout_s * 1000)),
                # The body/deadline bound: a connection is recycled (GOAWAY, which exporters
                # follow by reconnecting) after ``idle_timeout_s``, and a request still not
                # received ``body_timeout_s`` after that is cancelled, so a stalled or slow
                # client holds a request slot for at most idle + body timeout.
                ("grpc.max_connection_age_ms", int(lim.idle_timeout_s * 1000)),
                ("grpc.max_connection_age_grace_ms", int(lim.body_timeout_s * 1000)),
                # Dead peers are found by keepalive pings, answered within the body timeout.
                ("grpc.keepalive_time_ms", int(lim.idle_timeout_s * 1000)),
                ("grpc.keepalive_timeout_ms", int(lim.body_timeout_s * 1000)),
                ("grpc.so_reuseport", 0),
            ],
        )
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(  # type: ignore[no-untyped-call]
            _Traces(self.receiver), server
        )
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(  # type: ignore[no-untyped-call]
            _Logs(self.receiver), server
        )
        try:
            bound = server.add_insecure_port(f"{self.host}:{self.port}")
        except RuntimeError as exc:
            bound = 0
            why = str(exc)
        else:
            why = "is in use or not allowed"
        if not bound:
            server.stop(None)
            raise TraceSourceError(
                f"OTLP gRPC receiver not started: port {self.port} on {self.host} {why} "
                f"(set grpc_port in [[trace_sources]])"
            )
        self.port = bound
        server.start()
        self._server = server

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=2).wait(5)
            self._server = None


def _export(receiver: OtlpReceiver, kind: str, request: Any, context: Any) -> Any:
    try:
        got = receiver.received(kind, request)
    except (RecursionError, ValueError) as exc:
        _refuse(receiver, context, grpc.StatusCode.INVALID_ARGUMENT, f"unusable request: {exc}")
    if got.valid:
        try:
            receiver.spool_append(kind, request.SerializeToString())
        except OSError as exc:
            _refuse(
                receiver,
                context,
                grpc.StatusCode.UNAVAILABLE,
                f"cannot spool the request ({exc.strerror or errno.errorcode.get(exc.errno or 0)})",
            )
    elif got.problems:
        log.warning(
            "receiver: gRPC %s request had nothing usable: %s",
            kind,
            cut(scrub(got.problems.summary()), 400),
        )
    receiver.deliver(got)
    return got


def _refuse(receiver: OtlpReceiver, context: Any, code: Any, message: str) -> None:
    message = scrub(message)
    with receiver.stats.lock:
        receiver.stats.failed += 1
        if code == grpc.StatusCode.UNAVAILABLE:
            receiver.stats.refused += 1
        receiver.stats.last_error = message
    log.warning("receiver: gRPC request from %s refused %s: %s", context.peer(), code.name, message)
    context.abort(code, message)


class _Traces(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, receiver: OtlpReceiver) -> None:
        self.receiver = receiver

    def Export(self, request: Any, context: Any) -> Any:
        got = _export(self.receiver, "protobuf", request, context)
        resp = trace_service_pb2.ExportTraceServiceResponse()
        if got.problems.skipped_spans:
            resp.partial_success.rejected_spans = got.problems.skipped_spans
            resp.partial_success.error_message = got.problems.summary()
        return resp


class _Logs(logs_service_pb2_grpc.LogsServiceServicer):
    def __init__(self, receiver: OtlpReceiver) -> None:
        self.receiver = receiver

    def Export(self, request: Any, context: Any) -> Any:
        _export(self.receiver, "logs-protobuf", request, context)
        return logs_service_pb2.ExportLogsServiceResponse()
