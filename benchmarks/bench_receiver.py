"""OTLP/HTTP receiver throughput: spans/s acknowledged (decoded + spooled with fsync).

    .venv/bin/python benchmarks/bench_receiver.py [--spans 200000] [--runs 3]

Runs ``ircmd receive`` as its own process (spool in a temp data dir) and posts OTLP
protobuf bodies of 512 spans (the SDK exporter's default batch) from 2 client threads with
keep-alive, plain and gzip; then the official ``opentelemetry-exporter-otlp-proto-http``
exporter through a ``BatchSpanProcessor`` (there the client's SDK is the bottleneck).
Target: ≥ 20,000 spans/s of OTLP protobuf. Medians of --runs.

Side by side in the same run: the stdlib ``ThreadingHTTPServer`` receiver that the aiohttp
one replaced (a copy kept here only, :func:`serve_old`, run as its own process with the same
spool and decode path). Target: new ≥ 0.7× old for protobuf with 2 keep-alive clients.
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from ircmd.backends.traces.otlp_proto import encode_protobuf
from ircmd.demo import tracegen
from ircmd.domain.traces.otlp import parse_document

IRCMD = str(Path(sys.executable).parent / "ircmd")
BATCH = 512


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_receiver(data: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = dict(os.environ, IRCMD_DATA_DIR=str(data))
    env.pop("IRCMD_CONFIG", None)
    proc = subprocess.Popen(
        [IRCMD, "receive", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc, f"http://127.0.0.1:{port}/v1/traces"


def serve_old(port: int, data: Path) -> None:
    """The old receiver's request path (stdlib ThreadingHTTPServer, one thread per
    connection, whole body read by Content-Length), for comparison only."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from ircmd.backends.traces.otlp_proto import response_body
    from ircmd.backends.traces.otlp_receiver import Received
    from ircmd.backends.traces.spool import Spool

    spool = Spool(data / "spool" / "old")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or "0"))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            got = Received("protobuf", body, "old")
            if got.valid:
                spool.append("protobuf", body)
            out = response_body(got.problems.skipped_spans, "", protobuf=True)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    print("ready", flush=True)
    Server(("127.0.0.1", port), Handler).serve_forever()


def start_old(data: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-old", str(port), "--data", str(data)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc, f"http://127.0.0.1:{port}/v1/traces"


def bodies() -> list[bytes]:
    spans = [
        s
        for r in tracegen.requests(400, per_request=50, hostile=False)
        for s in parse_document(r, "bench").spans
    ]
    return [encode_protobuf(spans[i : i + BATCH]) for i in range(0, len(spans) - BATCH, BATCH)]


def post_run(url: str, payloads: list[bytes], total: int, gz: bool) -> float:
    n_req = total // BATCH
    lock = threading.Lock()
    counter = [0]
    headers = {"Content-Type": "application/x-protobuf"}
    if gz:
        headers["Content-Encoding"] = "gzip"
        payloads = [gzip.compress(p, 1) for p in payloads]

    def worker() -> None:
        with httpx.Client(timeout=30) as c:
            while True:
                with lock:
                    i = counter[0]
                    if i >= n_req:
                        return
                    counter[0] += 1
                r = c.post(url, content=payloads[i % len(payloads)], headers=headers)
                r.raise_for_status()

    t = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return n_req * BATCH / (time.perf_counter() - t)


def exporter_run(url: str, total: int) -> float:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "bench"}))
    provider.add_span_processor(
        BatchSpanProcessor(
            OTLPSpanExporter(endpoint=url, timeout=30),
            max_queue_size=total + 1,
            max_export_batch_size=BATCH,
            schedule_delay_millis=50,
        )
    )
    tracer = provider.get_tracer("bench")
    t = time.perf_counter()
    for i in range(total):
        with tracer.start_as_current_span("execute_tool issue_refund") as s:
            s.set_attribute("gen_ai.operation.name", "execute_tool")
            s.set_attribute("gen_ai.tool.name", "issue_refund")
            s.set_attribute("gen_ai.tool.call.arguments", f'{{"account_id": "ACME-{i % 400}"}}')
    provider.force_flush(timeout_millis=120_000)
    rate = total / (time.perf_counter() - t)
    provider.shutdown()
    return rate


def decode_rate(payloads: list[bytes]) -> float:
    """Spans/s turned from protobuf into Span objects (what a live view pays per span)."""
    from ircmd.backends.traces.otlp_proto import parse_protobuf

    n = 0
    t = time.perf_counter()
    for p in payloads[:40]:
        n += len(parse_protobuf(p, "bench")[0])
    return n / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spans", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--serve-old", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve_old is not None:
        serve_old(a.serve_old, Path(a.data))
        return 0
    payloads = bodies()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        oproc, ourl = start_old(Path(tmp))
        proc, url = start_receiver(Path(tmp))
        try:
            for label, gz in (("protobuf, 2 clients", False), ("protobuf+gzip, 2 clients", True)):
                new_r: list[float] = []
                old_r: list[float] = []
                for _ in range(a.runs):  # interleaved so both see the same machine load
                    old_r.append(post_run(ourl, payloads, a.spans, gz))
                    new_r.append(post_run(url, payloads, a.spans, gz))
                rows.append((f"OLD stdlib: {label}", statistics.median(old_r)))
                rows.append((label, statistics.median(new_r)))
            rate = exporter_run(url, min(a.spans, 50_000))
            rows.append(("official SDK exporter (1 proc)", rate))
        finally:
            oproc.terminate()
            oproc.wait(timeout=30)
            proc.terminate()
            out, _ = proc.communicate(timeout=30)
        spooled = sum(p.stat().st_size for p in Path(tmp).rglob("*.otlpspool"))
    print(f"receiver: ircmd receive (own process), spool fsynced per request; batches of {BATCH}")
    print(f"{'client':<40} {'spans/s':>10}")
    for label, rate in rows:
        print(f"{label:<40} {rate:>10,.0f}")
    print(f"{'(decode to Span, 1 thread)':<40} {decode_rate(payloads):>10,.0f}")
    print(f"\nreceiver said: {out.strip()}")
    print(f"spooled {spooled / 1e6:.1f} MB")
    ok = rows[1][1] >= 20_000
    print("target ≥ 20,000 spans/s of OTLP protobuf:", "MET" if ok else "NOT MET")
    ratio = rows[1][1] / rows[0][1]
    print(f"new/old (protobuf, 2 keep-alive clients): {ratio:.2f}× (target ≥ 0.7×)")
    ratio_gz = rows[3][1] / rows[2][1]
    print(f"new/old (protobuf+gzip): {ratio_gz:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
