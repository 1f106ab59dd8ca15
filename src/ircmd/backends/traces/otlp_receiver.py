"""The built-in OTLP/HTTP trace receiver: ``POST /v1/traces`` on 127.0.0.1:4318 by default.

Accepts ``application/x-protobuf`` and ``application/json`` bodies, optionally
gzip-compressed; answers with an ``ExportTraceServiceResponse`` in the request's encoding
(``partial_success`` when some spans were invalid), 400 with a ``google.rpc.Status`` for
bodies that cannot be decoded, 415 for other content types, 413 for oversized bodies and
503 when the body could not be spooled (the client retries). Every accepted body is
appended to the spool and fsynced *before* the 200 goes out.

The HTTP server runs in its own threads (stdlib ``ThreadingHTTPServer``), so it keeps
answering while the TUI or the CLI is busy; received spans are queued for ``poll``.
"""

from __future__ import annotations

import errno
import gzip
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ircmd.backends.protocols import TraceBatch, TraceSourceError
from ircmd.backends.traces.otlp_proto import (
    UndecodableBody,
    load_request,
    parse_protobuf,
    response_body,
    spans_from_request,
    status_body,
    validate_request,
)
from ircmd.backends.traces.spool import Spool, read_segments, segment_paths
from ircmd.domain.config import OtlpSourceConfig
from ircmd.domain.traces.otlp import Problems, gc_paused, parse_bytes
from ircmd.domain.traces.spans import Span

MAX_BODY = 64 * 1024 * 1024
PROTOBUF = "application/x-protobuf"
JSON = "application/json"


class ReceiverStats:
    def __init__(self) -> None:
        self.requests = 0
        self.spans = 0
        self.rejected = 0
        self.failed = 0
        self.started_at = time.monotonic()
        self.lock = threading.Lock()

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "spans": self.spans,
            "rejected_spans": self.rejected,
            "failed_requests": self.failed,
        }


def decode_body(kind: str, payload: bytes, origin: str) -> tuple[list[Span], Problems]:
    """Spans of one (already decompressed) body; ``UndecodableBody`` if it is not OTLP."""
    if kind == "protobuf":
        return parse_protobuf(payload, origin)
    return _decode_json(payload, origin)


def _decode_json(payload: bytes, origin: str) -> tuple[list[Span], Problems]:
    result = parse_bytes(payload, origin)
    if not result.spans and result.problems and result.problems.skipped_spans == 0:
        raise UndecodableBody(result.problems.messages[0].split(": ", 1)[-1])
    return result.spans, result.problems


class Received:
    """One accepted body: counted at once, turned into spans only when someone asks
    (so the acknowledgement path stays short)."""

    __slots__ = ("_request", "_spans", "origin", "problems", "valid")

    def __init__(self, kind: str, payload: bytes, origin: str) -> None:
        self.origin = origin
        self._spans: list[Span] | None = None
        self._request: Any = None
        if kind == "protobuf":
            self._request = load_request(payload)
            self.valid, self.problems = validate_request(self._request, origin)
        else:
            self._spans, self.problems = _decode_json(payload, origin)
            self.valid = len(self._spans)

    def spans(self) -> list[Span]:
        if self._spans is None:
            self._spans, _ = spans_from_request(self._request, self.origin)
            self._request = None
        return self._spans


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None  # no stderr noise; stats are kept instead

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code: int, message: str, protobuf: bool) -> None:
        with self.server.receiver.stats.lock:
            self.server.receiver.stats.failed += 1
        # google.rpc.Code: INVALID_ARGUMENT 3, UNAVAILABLE 14, UNIMPLEMENTED 12
        rpc = {400: 3, 413: 3, 415: 3, 404: 12, 405: 12, 503: 14}.get(code, 2)
        self._send(
            code, status_body(rpc, message, protobuf=protobuf), PROTOBUF if protobuf else JSON
        )

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] in ("/", "/healthz"):
            self._send(200, b"ok\n", "text/plain")
            return
        self._error(
            405 if self.path.startswith("/v1/traces") else 404, "use POST /v1/traces", False
        )

    def do_POST(self) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        protobuf = ctype == PROTOBUF
        if self.path.split("?", 1)[0] != "/v1/traces":
            self._drain()
            self._error(404, f"unknown path {self.path[:100]}; use /v1/traces", protobuf)
            return
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._error(400, "bad Content-Length", protobuf)
            return
        if length > MAX_BODY:
            self.close_connection = True
            self._error(413, f"body over {MAX_BODY} bytes", protobuf)
            return
        body = self.rfile.read(length)
        if ctype not in (PROTOBUF, JSON):
            self._error(415, f"unsupported Content-Type {ctype or '(none)'!r}", protobuf)
            return
        encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        try:
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding not in ("identity", ""):
                self._error(415, f"unsupported Content-Encoding {encoding!r}", protobuf)
                return
        except (OSError, EOFError, zlib.error) as exc:
            self._error(400, f"body is not valid {encoding}: {exc}", protobuf)
            return
        if len(body) > MAX_BODY:
            self._error(413, f"decompressed body over {MAX_BODY} bytes", protobuf)
            return
        rec = self.server.receiver
        kind = "protobuf" if protobuf else "json"
        try:
            got = Received(kind, body, rec.origin)
        except UndecodableBody as exc:
            self._error(400, str(exc), protobuf)
            return
        problems = got.problems
        if got.valid:
            try:
                rec.spool_append(kind, body)
            except OSError as exc:
                self._error(503, f"cannot spool the request ({exc.strerror or exc})", protobuf)
                return
        rec.deliver(got)
        msg = problems.summary() if problems else ""
        self._send(
            200,
            response_body(problems.skipped_spans, msg, protobuf=protobuf),
            PROTOBUF if protobuf else JSON,
        )

    def _drain(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = 0
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    receiver: OtlpReceiver


class OtlpReceiver:
    """The HTTP server, its spool and its counters."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 4318,
        spool: Spool | None = None,
        on_spans: Callable[[Received], None] | None = None,
        origin: str = "receiver",
    ) -> None:
        self.host = host
        self.port = port
        self.spool = spool
        self.on_spans = on_spans
        self.origin = origin
        self.stats = ReceiverStats()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1/traces"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        """Bind and serve in a background thread; a busy port is a TraceSourceError."""
        try:
            server = _Server((self.host, self.port), _Handler)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                why = "is in use" if exc.errno == errno.EADDRINUSE else "is not allowed"
                raise TraceSourceError(
                    f"OTLP receiver not started: port {self.port} on {self.host} {why} "
                    f"(set another port in [[trace_sources]] or with --port)"
                ) from exc
            raise TraceSourceError(
                f"OTLP receiver not started: cannot listen on {self.host}:{self.port} "
                f"({exc.strerror or exc})"
            ) from exc
        server.receiver = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"otlp-receiver-{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.spool is not None:
            self.spool.close()

    def spool_append(self, kind: str, body: bytes) -> None:
        if self.spool is not None:
            self.spool.append(kind, body)

    def deliver(self, got: Received) -> None:
        with self.stats.lock:
            self.stats.requests += 1
            self.stats.spans += got.valid
            self.stats.rejected += got.problems.skipped_spans
        if self.on_spans is not None and (got.valid or got.problems):
            self.on_spans(got)


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
            spans, p = decode_body(rec.kind, rec.payload, str(rec.segment))
        except UndecodableBody as exc:
            probs.add(f"record at byte {rec.offset}: {exc}")
            continue
        batch.spans.extend(spans)
        if p:
            probs.count += p.count
            probs.skipped_spans += p.skipped_spans
            probs.messages.extend(p.messages[: max(0, 20 - len(probs.messages))])
    return batch


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
        self.receiver = OtlpReceiver(host, port, spool, self._received, origin=name)
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
        with gc_paused():
            for got in pending:
                batch.spans.extend(got.spans())
                if got.problems:
                    batch.problems.append(got.problems)
        return batch

    async def close(self) -> None:
        self.receiver.stop()


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
    )
