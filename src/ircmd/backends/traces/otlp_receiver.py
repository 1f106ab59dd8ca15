"""The built-in OTLP receiver: ``POST /v1/traces`` and ``POST /v1/logs`` on 127.0.0.1:4318
by default, and (with ``grpc_port``) OTLP/gRPC ``TraceService/Export`` and
``LogsService/Export`` beside it (:mod:`ircmd.backends.traces.grpc_receiver`).

Accepts ``application/x-protobuf`` and ``application/json`` bodies, optionally gzip- or
deflate-compressed; answers with an ``Export…ServiceResponse`` in the request's encoding
(``partial_success`` when some spans were invalid), 400 with a ``google.rpc.Status`` for
bodies that cannot be decoded, 415 for other content types, 413 for bodies over
``max_body_bytes`` or inflating past ``max_inflated_bytes``, 408 for a body slower than
``body_timeout_s``, and 503 + ``Retry-After`` when ``max_concurrent_requests`` are already
being handled or the body could not be spooled (the client retries). Every accepted body is
appended to the spool and fsynced *before* the 200 goes out. Every refusal is one line in the
``ircmd.receiver`` log with its reason; a client that goes away is one line, no traceback.

**Server: aiohttp.** It is already in the dependency tree (textual-serve, behind ``ircmd
serve``), it is maintained, and it gives what the stdlib ``ThreadingHTTPServer`` lacked:
an asyncio server with a real listen backlog (``backlog``), HTTP/1.1 keep-alive with an idle
timeout, chunked request bodies read as a stream (so decompression is streamed with a cap, see
:mod:`~ircmd.backends.traces.http_limits`), strict parsing (a duplicate or conflicting
``Content-Length`` is a 400 from its parser) and no thread per connection. uvicorn would add a
new dependency and an ASGI layer for nothing.

**Where it runs:** its own event loop in one daemon thread of the process that started it
(the TUI or ``ircmd receive``); decoding and the fsync run on a small thread pool so the loop
keeps accepting. A thread, not a process, because the work per request is now bounded in
memory (inflated size cap) and in time (timeouts, concurrency cap): a hostile client can be
refused but can no longer take the console down, and spans reach the TUI without IPC.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import json
import logging
import socket
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from ircmd.backends.protocols import TraceBatch, TraceSourceError
from ircmd.backends.traces.http_limits import InflateError, Inflater, ReceiverLimits, TooLarge
from ircmd.backends.traces.otlp_proto import (
    UndecodableBody,
    count_log_records,
    load_logs_request,
    load_request,
    logs_from_request,
    logs_response_body,
    parse_logs_protobuf,
    parse_protobuf,
    response_body,
    spans_from_request,
    status_body,
    validate_request,
)
from ircmd.backends.traces.spool import Spool, read_segments, segment_paths
from ircmd.domain.config import OtlpSourceConfig
from ircmd.domain.secrets import cut, scrub
from ircmd.domain.traces.logs import LogRecord, decode_logs_json
from ircmd.domain.traces.otlp import Problems, gc_paused, parse_bytes
from ircmd.domain.traces.spans import Span

MAX_BODY = ReceiverLimits().max_body_bytes
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
PATHS = {"/v1/traces": "traces", "/v1/logs": "logs"}

log = logging.getLogger("ircmd.receiver")


def said(text: str, limit: int = 100) -> str:
    """Client-sent or error text as a log line, a status or a status bar quotes it: scrubbed
    of credentials (URL userinfo, ``Authorization`` values, ``Bearer``/``Basic`` tokens)
    *before* it is cut, so a token crossing the cut is never half-kept."""
    return cut(scrub(text), limit)


class ReceiverStats:
    def __init__(self) -> None:
        self.requests = 0
        self.spans = 0
        self.logs = 0
        self.rejected = 0
        self.failed = 0
        self.refused = 0  # 503s: busy or spool unwritable
        self.disconnects = 0
        self.last_error: str | None = None
        self.last_error_at: float | None = None
        self.started_at = time.monotonic()
        self.lock = threading.Lock()

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "spans": self.spans,
            "log_records": self.logs,
            "rejected_spans": self.rejected,
            "failed_requests": self.failed,
            "refused_requests": self.refused,
        }


@dataclass(frozen=True)
class ReceiverHealth:
    """Same fields as ``ircmd.service.hooks.BackendHealth`` (backends may not import
    the service layer): ``state`` is ``ok``, ``down``, ``slow`` or ``unknown``."""

    name: str
    state: str
    detail: str = ""


def decode_body(kind: str, payload: bytes, origin: str) -> tuple[list[Span], Problems]:
    """Spans of one (already decompressed) body; ``UndecodableBody`` if it is not OTLP."""
    if kind == "protobuf":
        return parse_protobuf(payload, origin)
    return _decode_json(payload, origin)


def decode_logs(kind: str, payload: bytes) -> list[LogRecord]:
    if kind == "logs-protobuf":
        return parse_logs_protobuf(payload)
    return logs_json(payload)


def logs_json(payload: bytes) -> list[LogRecord]:
    """The log records of an OTLP JSON logs body, decoded by the one JSON logs decoder
    (``domain.traces.logs.decode_logs_json``, shared with the file and Phoenix readers);
    ``UndecodableBody`` when the body is not JSON or has no ``resourceLogs`` list."""
    try:
        doc = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise UndecodableBody(f"not JSON ({str(exc)[:100]})") from None
    if not isinstance(doc, dict) or not isinstance(
        doc.get("resourceLogs", doc.get("resource_logs")), list
    ):
        raise UndecodableBody("not OTLP logs JSON: no resourceLogs")
    try:
        return decode_logs_json(doc)
    except RecursionError:
        raise UndecodableBody("not OTLP logs JSON (nested too deeply)") from None


def _decode_json(payload: bytes, origin: str) -> tuple[list[Span], Problems]:
    try:
        result = parse_bytes(payload, origin)
    except RecursionError:
        raise UndecodableBody("JSON nested too deeply") from None
    if not result.spans and result.problems and result.problems.skipped_spans == 0:
        raise UndecodableBody(result.problems.messages[0].split(": ", 1)[-1])
    return result.spans, result.problems


class Received:
    """One accepted body: counted at once, turned into spans only when someone asks
    (so the acknowledgement path stays short). ``kind`` is a spool kind: ``protobuf``,
    ``json``, ``logs-protobuf`` or ``logs-json``."""

    __slots__ = ("_request", "_spans", "kind", "logs", "origin", "problems", "valid")

    def __init__(self, kind: str, payload: bytes, origin: str) -> None:
        self.origin = origin
        self.kind = kind
        self._spans: list[Span] | None = None
        self._request: Any = None
        self.logs: list[LogRecord] = []
        if kind == "protobuf":
            self._request = load_request(payload)
            self.valid, self.problems = validate_request(self._request, origin)
        elif kind == "json":
            self._spans, self.problems = _decode_json(payload, origin)
            self.valid = len(self._spans)
        elif kind == "logs-protobuf":
            req = load_logs_request(payload)
            self.valid = count_log_records(req)
            try:
                self.logs = logs_from_request(req)
            except RecursionError:
                raise UndecodableBody("log record nested too deeply") from None
            self._spans, self.problems = [], Problems(origin)
        else:
            self.logs = logs_json(payload)
            self.valid = len(self.logs)
            self._spans, self.problems = [], Problems(origin)

    @classmethod
    def from_request(cls, kind: str, request: Any, origin: str) -> Received:
        """From an already parsed protobuf message (the gRPC path)."""
        self = cls.__new__(cls)
        self.origin, self.kind, self._spans, self._request, self.logs = (
            origin,
            kind,
            None,
            None,
            [],
        )
        if kind == "protobuf":
            self._request = request
            self.valid, self.problems = validate_request(request, origin)
        else:
            self.valid = count_log_records(request)
            self.logs = logs_from_request(request)
            self._spans, self.problems = [], Problems(origin)
        return self

    def spans(self) -> list[Span]:
        if self._spans is None:
            self._spans, _ = spans_from_request(self._request, self.origin)
            self._request = None
        return self._spans


class _Refused(Exception):
    def __init__(self, code: int, message: str, close: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close = close


_RPC = {400: 3, 408: 4, 413: 8, 415: 3, 404: 12, 405: 12, 503: 14}


class OtlpReceiver:
    """The HTTP (and optional gRPC) server, its spool and its counters."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 4318,
        spool: Spool | None = None,
        on_spans: Callable[[Received], None] | None = None,
        origin: str = "receiver",
        *,
        limits: ReceiverLimits | None = None,
        grpc_port: int = 0,
    ) -> None:
        self.host = host
        self.port = port
        self.grpc_port = grpc_port
        self.spool = spool
        self.on_spans = on_spans
        self.origin = origin
        self.limits = limits or ReceiverLimits()
        self.stats = ReceiverStats()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._server: asyncio.AbstractServer | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._inflight = 0
        self._fresh: set[Any] = set()  # connections that have not sent a request head yet
        self._grpc: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1/traces"

    @property
    def logs_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1/logs"

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- lifecycle --------------------------------------------------------------------

    def _bind(self, port: int, what: str) -> socket.socket:
        try:
            infos = socket.getaddrinfo(self.host, port, type=socket.SOCK_STREAM)
            family = infos[0][0] if infos else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, port))
                sock.listen(self.limits.backlog)
            except OSError:
                sock.close()
                raise
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                why = "is in use" if exc.errno == errno.EADDRINUSE else "is not allowed"
                raise TraceSourceError(
                    f"OTLP {what} receiver not started: port {port} on {self.host} {why} "
                    f"(set another port in [[trace_sources]] or with --port)"
                ) from None
            raise TraceSourceError(
                f"OTLP {what} receiver not started: cannot listen on {self.host}:{port} "
                f"({exc.strerror or exc})"
            ) from None
        sock.setblocking(False)
        return sock

    def start(self) -> None:
        """Bind and serve on a background event loop; a busy port is a TraceSourceError."""
        sock = self._bind(self.port, "HTTP")
        self.port = sock.getsockname()[1]
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=8, thread_name_prefix=f"otlp-rx-{self.port}"
        )
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=loop.run_forever, name=f"otlp-receiver-{self.port}", daemon=True
        )
        self._thread.start()
        try:
            fut = asyncio.run_coroutine_threadsafe(self._serve(sock), loop)
            fut.result(timeout=30)
        except BaseException:
            sock.close()
            self.stop()
            raise
        if self.grpc_port:
            from ircmd.backends.traces.grpc_receiver import GrpcReceiver

            try:
                self._grpc = GrpcReceiver(self, self.host, self.grpc_port)
                self._grpc.start()
            except TraceSourceError:
                self._grpc = None
                self.stop()
                raise
            self.grpc_port = self._grpc.port

    async def _serve(self, sock: socket.socket) -> None:
        app = web.Application(client_max_size=self.limits.max_body_bytes)
        app.router.add_post("/v1/traces", self._handle)
        app.router.add_post("/v1/logs", self._handle)
        app.router.add_get("/", self._health)
        app.router.add_get("/healthz", self._health)
        app.router.add_route("*", "/{tail:.*}", self._other)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,
            keepalive_timeout=self.limits.idle_timeout_s,
            auto_decompress=False,
            logger=_ONE_LINE,
        )
        await runner.setup()
        self._runner = runner
        server = runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        header_timeout = self.limits.header_timeout_s

        def factory() -> Any:
            proto = server()
            self._fresh.add(proto)
            loop.call_later(header_timeout, self._header_deadline, proto)
            return proto

        self._server = await loop.create_server(factory, sock=sock, backlog=self.limits.backlog)

    def _header_deadline(self, proto: Any) -> None:
        if proto not in self._fresh:
            return
        self._fresh.discard(proto)
        transport = getattr(proto, "transport", None)
        if transport is None or transport.is_closing():
            return
        log.info(
            "receiver: closed a connection that sent no request head within %ss",
            self.limits.header_timeout_s,
        )
        transport.close()

    def stop(self) -> None:
        if self._grpc is not None:
            self._grpc.stop()
            self._grpc = None
        loop = self._loop
        if loop is not None and loop.is_running():

            async def _shutdown() -> None:
                if self._server is not None:
                    self._server.close()
                if self._runner is not None:
                    await self._runner.cleanup()

            fut = asyncio.run_coroutine_threadsafe(_shutdown(), loop)
            try:
                fut.result(timeout=10)
            except (concurrent.futures.TimeoutError, OSError, RuntimeError):
                log.warning("receiver: shutdown did not finish cleanly")
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if loop is not None and not loop.is_running():
            loop.close()
        self._loop = None
        self._server = None
        self._runner = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self.spool is not None:
            self.spool.close()

    # -- handlers ---------------------------------------------------------------------

    async def _health(self, request: web.Request) -> web.StreamResponse:
        self._fresh.discard(request.protocol)
        return web.Response(body=b"ok\n", content_type="text/plain")

    async def _other(self, request: web.Request) -> web.StreamResponse:
        self._fresh.discard(request.protocol)
        protobuf = request.content_type == PROTOBUF
        if request.path in PATHS:
            return self._error(request, 405, f"use POST {request.path}", protobuf)
        return self._error(
            request,
            404,
            f"unknown path {said(request.path)}; use /v1/traces or /v1/logs",
            protobuf,
            close=request.method == "POST",
        )

    def _error(
        self, request: web.Request, code: int, message: str, protobuf: bool, close: bool = False
    ) -> web.Response:
        message = scrub(message)
        with self.stats.lock:
            self.stats.failed += 1
            if code == 503:
                self.stats.refused += 1
            self.stats.last_error = message
            self.stats.last_error_at = time.time()
        peer = request.remote or "?"
        log.warning(
            "receiver: %s %s from %s refused %d: %s",
            request.method,
            said(request.path),
            peer,
            code,
            message,
        )
        headers = {"Retry-After": str(self.limits.retry_after_s)} if code == 503 else None
        resp = web.Response(
            status=code,
            body=status_body(_RPC.get(code, 2), message, protobuf=protobuf),
            content_type=PROTOBUF if protobuf else JSON,
            headers=headers,
        )
        if close:
            resp.force_close()
        return resp

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self._fresh.discard(request.protocol)
        ctype = request.content_type.lower()
        protobuf = ctype == PROTOBUF
        signal = PATHS[request.path]
        if self._inflight >= self.limits.max_concurrent_requests:
            return self._error(
                request,
                503,
                f"busy: {self.limits.max_concurrent_requests} requests already in progress",
                protobuf,
                close=True,
            )
        self._inflight += 1
        try:
            return await self._handle_body(request, ctype, protobuf, signal)
        except _Refused as exc:
            return self._error(request, exc.code, exc.message, protobuf, close=exc.close)
        except (ConnectionError, asyncio.CancelledError) as exc:
            self._disconnected(request, exc)
            raise
        finally:
            self._inflight -= 1

    def _disconnected(self, request: web.Request, exc: BaseException) -> None:
        with self.stats.lock:
            self.stats.disconnects += 1
        log.info(
            "receiver: client %s went away during %s (%s)",
            request.remote or "?",
            said(request.path),
            type(exc).__name__,
        )

    async def _handle_body(
        self, request: web.Request, ctype: str, protobuf: bool, signal: str
    ) -> web.StreamResponse:
        lim = self.limits
        if ctype not in (PROTOBUF, JSON):
            raise _Refused(415, f"unsupported Content-Type {said(ctype or '(none)')!r}", True)
        length = request.content_length
        if length is not None and length > lim.max_body_bytes:
            raise _Refused(413, f"body of {length} bytes is over {lim.max_body_bytes}", True)
        encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding in ("", "none"):
            encoding = "identity"
        if encoding not in ("identity", "gzip", "deflate"):
            raise _Refused(415, f"unsupported Content-Encoding {said(encoding)!r}", close=True)
        inflater = Inflater(encoding, lim.max_inflated_bytes)
        received = 0
        from aiohttp import ClientPayloadError
        from aiohttp.http_exceptions import HttpProcessingError

        try:
            async with asyncio.timeout(lim.body_timeout_s):
                async for chunk in request.content.iter_any():
                    received += len(chunk)
                    if received > lim.max_body_bytes:
                        raise _Refused(413, f"body over {lim.max_body_bytes} bytes", close=True)
                    inflater.feed(chunk)
        except TimeoutError:
            raise _Refused(
                408, f"body not received within {lim.body_timeout_s}s ({received} bytes)", True
            ) from None
        except TooLarge as exc:
            raise _Refused(413, str(exc), close=True) from None
        except InflateError as exc:
            raise _Refused(400, str(exc), close=True) from None
        except (ClientPayloadError, HttpProcessingError) as exc:
            raise ConnectionResetError(str(exc)) from None
        try:
            body = inflater.finish()
        except TooLarge as exc:
            raise _Refused(413, str(exc)) from None
        except InflateError as exc:
            raise _Refused(400, str(exc)) from None
        kind = ("" if signal == "traces" else "logs-") + ("protobuf" if protobuf else "json")
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        got = await loop.run_in_executor(self._pool, self._accept, kind, body)
        problems = got.problems
        msg = problems.summary() if problems else ""
        if signal == "logs":
            out = logs_response_body(0, msg, protobuf=protobuf)
        else:
            out = response_body(problems.skipped_spans, msg, protobuf=protobuf)
        return web.Response(body=out, content_type=PROTOBUF if protobuf else JSON)

    def _accept(self, kind: str, body: bytes) -> Received:
        """Decode, spool (fsync) and deliver one body; runs on the pool."""
        try:
            got = Received(kind, body, self.origin)
        except UndecodableBody as exc:
            raise _Refused(400, str(exc)) from None
        if got.valid:
            try:
                self.spool_append(kind, body)
            except OSError as exc:
                raise _Refused(
                    503, f"cannot spool the request ({exc.strerror or exc})", close=True
                ) from None
        elif got.problems:
            log.warning(
                "receiver: %s body from %s had nothing usable: %s",
                kind,
                self.origin,
                said(got.problems.summary(), 400),
            )
        self.deliver(got)
        return got

    def received(self, kind: str, request: Any) -> Received:
        """One already parsed protobuf request (the gRPC server's path: it calls this rather
        than importing this module, which starts it)."""
        return Received.from_request(kind, request, self.origin)

    def spool_append(self, kind: str, body: bytes) -> None:
        if self.spool is not None:
            self.spool.append(kind, body)

    def deliver(self, got: Received) -> None:
        with self.stats.lock:
            self.stats.requests += 1
            if got.kind.startswith("logs"):
                self.stats.logs += got.valid
            else:
                self.stats.spans += got.valid
            self.stats.rejected += got.problems.skipped_spans
        if self.on_spans is not None and (got.valid or got.problems):
            self.on_spans(got)

    def health(self, name: str | None = None) -> ReceiverHealth:
        """The receiver's state for a status bar: spool full/unwritable, requests refused,
        the last error."""
        name = name or self.origin
        if not self.running:
            return ReceiverHealth(name, "down", "not listening")
        spool = self.spool
        with self.stats.lock:
            refused, last = self.stats.refused, self.stats.last_error
        if spool is not None and not spool.healthy:
            # the count first: a status bar cuts the detail at ~40 characters
            return ReceiverHealth(name, "down", f"{refused} refused (503), {spool.last_error}")
        detail = f"{self.stats.spans} spans, {self.stats.logs} log records"
        if refused:
            detail += f"; {refused} refused"
        if last:
            detail += f"; last error: {said(last, 120)}"
        return ReceiverHealth(name, "ok", detail)


class _OneLine(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server logger with tracebacks folded into one line (a reset is routine)."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        exc = kwargs.pop("exc_info", None)
        if exc:
            info = exc if isinstance(exc, BaseException) else None
            if info is None:
                import sys

                info = sys.exc_info()[1]
            msg = f"{msg} ({type(info).__name__}: {info})" if info else msg
        kwargs.pop("stack_info", None)
        if self.isEnabledFor(level):
            text = str(msg) % args if args else str(msg)
            self.logger.log(level, "receiver: %s", said(text, 400), **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        kwargs["exc_info"] = True
        self.log(logging.ERROR, msg, *args, **kwargs)


_ONE_LINE = _OneLine(log, {})


def read_spool(directory: Path, max_spans: int | None = None) -> TraceBatch:
    """Every span spooled under ``directory``, with problems for torn or bad records.

    With ``max_spans``, only the newest whole segments holding about that many spans are
    read (a warning says how many older segments were left on disk)."""
    if max_spans is None:
        return _read_records(directory, None)
    segs = segment_paths(directory)
    chosen: list[Path] = []
    parts: list[TraceBatch] = []
    total = 0
    for seg in reversed(segs):
        part = _read_records(directory, [seg])
        parts.append(part)
        chosen.append(seg)
        total += len(part.spans)
        if total >= max_spans:
            break
    batch = TraceBatch()
    for part in reversed(parts):
        batch.extend(part)
    left = len(segs) - len(chosen)
    if left:
        batch.warnings.append(
            f"{directory}: showing the newest {total} spooled spans; {left} older spool "
            f"segment(s) not loaded (ircmd trace inspect --spool reads them all)"
        )
    return batch


def _read_records(directory: Path, segments: list[Path] | None) -> TraceBatch:
    batch = TraceBatch()
    origin_problems: dict[Path, Problems] = {}
    logs: list[LogRecord] = []
    for rec in read_segments(directory, segments):
        if isinstance(rec, str):
            p = Problems(rec.split(": ", 1)[0])
            p.add(rec.split(": ", 1)[1])
            batch.problems.append(p)
            continue
        probs = origin_problems.get(rec.segment)
        if probs is None:
            probs = origin_problems[rec.segment] = Problems(str(rec.segment))
            batch.problems.append(probs)
        try:
            if rec.kind.startswith("logs"):
                logs.extend(decode_logs(rec.kind, rec.payload))
                continue
            spans, p = decode_body(rec.kind, rec.payload, str(rec.segment))
        except UndecodableBody as exc:
            probs.add(f"record at byte {rec.offset}: {exc}")
            continue
        batch.spans.extend(spans)
        if p:
            probs.count += p.count
            probs.skipped_spans += p.skipped_spans
            probs.messages.extend(p.messages[: max(0, 20 - len(probs.messages))])
    if logs:
        batch.spans = attach(batch.spans, logs)
    return batch


def read_spool_logs(directory: Path) -> list[LogRecord]:
    """Every log record spooled under ``directory`` (undecodable records skipped)."""
    out: list[LogRecord] = []
    for rec in read_segments(directory):
        if isinstance(rec, str) or not rec.kind.startswith("logs"):
            continue
        try:
            out.extend(decode_logs(rec.kind, rec.payload))
        except UndecodableBody:
            continue
    return out


def attach(spans: list[Span], logs: list[LogRecord]) -> list[Span]:
    """Join log records to their spans with ``ircmd.domain.traces.logs.attach_logs`` (the
    span model's one join; it adds the records to the spans in place)."""
    from ircmd.domain.traces.logs import attach_logs

    if logs:
        attach_logs(spans, logs)
    return spans


def spool_dir(data_dir: Path, source_name: str = "receiver") -> Path:
    return data_dir / "spool" / source_name


class OtlpReceiverSource:
    """The receiver as a :class:`TraceSource`: ``load`` reloads the spool and starts
    listening; ``poll`` returns what arrived since."""

    kind = "otlp"

    def __init__(
        self,
        name: str,
        *,
        host: str = "127.0.0.1",
        port: int = 4318,
        enabled: bool = True,
        data_dir: Path | None = None,
        spool_max_bytes: int = 512 * 1024 * 1024,
        spool_max_age_days: float = 30.0,
        max_spans: int = 200_000,
        limits: ReceiverLimits | None = None,
        grpc_port: int = 0,
    ) -> None:
        self.name = name
        self.enabled = enabled
        self.max_spans = max_spans
        self.spool_directory = spool_dir(data_dir, name) if data_dir is not None else None
        spool = (
            Spool(
                self.spool_directory,
                max_bytes=spool_max_bytes,
                max_age_s=spool_max_age_days * 86400.0,
            )
            if self.spool_directory is not None
            else None
        )
        self.receiver = OtlpReceiver(
            host, port, spool, self._received, origin=name, limits=limits, grpc_port=grpc_port
        )
        self._lock = threading.Lock()
        self._pending: list[Received] = []
        self.warning: str | None = None

    def _received(self, got: Received) -> None:
        with self._lock:
            self._pending.append(got)

    def describe(self) -> str:
        if not self.enabled:
            return f"{self.name}: OTLP receiver off"
        if self.warning:
            return f"{self.name}: {self.warning}"
        if self.receiver.running:
            return (
                f"{self.name}: receiving on {self.receiver.url} ({self.receiver.stats.spans} spans)"
            )
        return f"{self.name}: OTLP receiver not started"

    def start(self) -> None:
        if self.enabled and not self.receiver.running:
            _LIVE.add(self)
            try:
                self.receiver.start()
                self.warning = None
            except TraceSourceError as exc:
                self.warning = str(exc)

    async def load(self) -> TraceBatch:
        import asyncio

        batch = TraceBatch()
        if self.spool_directory is not None:
            if self.receiver.spool is not None:
                self.receiver.spool.retain()
            batch = await asyncio.to_thread(read_spool, self.spool_directory, self.max_spans)
        self.start()
        if self.warning:
            batch.warnings.append(self.warning)
        return batch

    async def poll(self) -> TraceBatch:
        with self._lock:
            pending, self._pending = self._pending, []
        batch = TraceBatch()
        logs: list[LogRecord] = []
        with gc_paused():
            for got in pending:
                batch.spans.extend(got.spans())
                logs.extend(got.logs)
                if got.problems:
                    batch.problems.append(got.problems)
        if logs:
            batch.spans = attach(batch.spans, logs)
        return batch

    def health(self) -> ReceiverHealth:
        """``BackendHealth``-shaped state for the status bar (see ``OtlpReceiver.health``)."""
        if not self.enabled:
            return ReceiverHealth(self.name, "unknown", "receiver off")
        if self.warning:
            return ReceiverHealth(self.name, "down", self.warning)
        return self.receiver.health(self.name)

    async def close(self) -> None:
        self.receiver.stop()
        _LIVE.discard(self)


_LIVE: weakref.WeakSet[OtlpReceiverSource] = weakref.WeakSet()


def receiver_health(workspace: object = None) -> list[ReceiverHealth]:
    """A health provider (``ircmd.service.hooks`` shape) for the status bar: every receiver
    source this process started for ``workspace`` (its spool under the workspace's data
    dir), as of now (no I/O). A receiver another workspace of the same process started (a
    test, an embedding program) is not this one's."""
    data_dir = getattr(workspace, "data_dir", None)
    root = Path(data_dir).resolve() if data_dir is not None else None
    return [
        src.health()
        for src in list(_LIVE)
        if root is None
        or (src.spool_directory is not None and src.spool_directory.resolve().is_relative_to(root))
    ]


def from_config(
    config: OtlpSourceConfig, *, data_dir: Path | None = None, **_: object
) -> OtlpReceiverSource:
    return OtlpReceiverSource(
        config.name,
        host=config.host,
        port=config.port,
        enabled=config.enabled,
        data_dir=data_dir,
        spool_max_bytes=config.spool_max_bytes,
        spool_max_age_days=config.spool_max_age_days,
        limits=ReceiverLimits.from_config(config),
        grpc_port=config.grpc_port,
    )
