"""An OTLP/HTTP protobuf sink on 127.0.0.1 for the tests: what the real exporters send to
``/v1/traces`` and ``/v1/logs`` is written as OTLP JSON lines (hex ids), the way a
collector's file exporter writes them."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


def _hex_ids(doc: Any) -> Any:
    if isinstance(doc, dict):
        out = {}
        for k, v in doc.items():
            if k in ("traceId", "spanId", "parentSpanId") and isinstance(v, str):
                import base64

                out[k] = base64.b64decode(v).hex()
            else:
                out[k] = _hex_ids(v)
        return out
    if isinstance(doc, list):
        return [_hex_ids(x) for x in doc]
    return doc


class Collector:
    def __init__(self, out: Path, forward: str | None = None) -> None:
        """``forward``: also POST every trace export, as received, to ``{forward}/v1/traces``
        (a real Phoenix), so the file and the backend hold the very same spans."""
        self.out = out
        self.lock = threading.Lock()
        self.posts = {"traces": 0, "logs": 0}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                n = int(self.headers.get("content-length") or 0)
                data = self.rfile.read(n)
                if self.path == "/v1/traces":
                    msg: Any = ExportTraceServiceRequest()
                    kind = "traces"
                elif self.path == "/v1/logs":
                    msg = ExportLogsServiceRequest()
                    kind = "logs"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                msg.ParseFromString(data)
                if forward and kind == "traces":
                    import urllib.request

                    req = urllib.request.Request(
                        f"{forward}/v1/traces",
                        data=data,
                        headers={"content-type": "application/x-protobuf"},
                    )
                    with urllib.request.urlopen(req, timeout=30) as r:
                        assert r.status == 200, r.status
                doc = _hex_ids(MessageToDict(msg))
                with owner.lock, owner.out.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(doc) + "\n")
                    owner.posts[kind] += 1
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Collector:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
