"""Real producers end to end through ``ircmd receive``: the real OpenAI SDK under real
instrumentations exports with the real OTLP exporters (HTTP protobuf traces + logs, and
OTLP/gRPC traces + logs) to a running ``ircmd receive`` process; once it is stopped,
``ircmd trace find --spool`` / ``trace show --spool`` answer from what it spooled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openai")
pytest.importorskip("opentelemetry.instrumentation.openai_v2")
pytest.importorskip("openinference.instrumentation.openai")
pytest.importorskip("opentelemetry.exporter.otlp.proto.grpc.trace_exporter")

from tests.producers.conformance import RECEIVE_RUNS, render_transports
from tests.producers.fake_openai import RESPONSE_MODEL, FakeOpenAI
from tests.services import free_port

HERE = Path(__file__).resolve().parent
IRCMD = str(Path(sys.executable).parent / "ircmd")


def _ircmd(env: dict[str, str], *args: str) -> Any:
    p = subprocess.run([IRCMD, *args], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, (args, p.stdout[-2000:], p.stderr[-2000:])
    return json.loads(p.stdout)


def test_producers_through_ircmd_receive_http_and_grpc(tmp_path: Path) -> None:
    port, grpc_port = free_port(), free_port()
    cfg = tmp_path / "ircmd.toml"
    cfg.write_text(
        f'[[trace_sources]]\nname = "receiver"\nkind = "otlp"\nport = {port}\n'
        f"grpc_port = {grpc_port}\n",
        encoding="utf-8",
    )
    env = dict(os.environ, IRCMD_DATA_DIR=str(tmp_path / "data"), IRCMD_CONFIG=str(cfg))
    rx = subprocess.Popen(
        [IRCMD, "receive"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert rx.stdout is not None
        first = rx.stdout.readline()
        assert "receiving OTLP" in first, first + (
            rx.stderr.read() if rx.poll() is not None and rx.stderr else ""
        )
        # the official GenAI instrumentation with messages ONLY in log records, over HTTP
        # protobuf and over gRPC; OpenInference over gRPC (the docs' transports table)
        for library, mode, proto in RECEIVE_RUNS:
            endpoint = f"http://127.0.0.1:{port if proto == 'http' else grpc_port}"
            with FakeOpenAI() as api:
                p = subprocess.run(
                    [
                        sys.executable,
                        str(HERE / "produce_openai.py"),
                        library,
                        api.base_url,
                        endpoint,
                    ],
                    env=dict(
                        env,
                        OTEL_SEMCONV_STABILITY_OPT_IN="gen_ai_latest_experimental",
                        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=mode,
                        PRODUCER_OTLP=proto,
                    ),
                    capture_output=True,
                    text=True,
                    timeout=180,
                )
            # the exporters were answered (an export error is logged to stderr)
            assert p.returncode == 0, p.stderr[-3000:]
            assert "Failed to export" not in p.stderr, p.stderr[-3000:]
    finally:
        rx.send_signal(signal.SIGTERM)
        out, err = rx.communicate(timeout=30)
    assert "stopped:" in out and "0 rejected, 0 failed" in out, (out, err)

    found = _ircmd(env, "trace", "find", "--spool", "--tool", "issue_refund", "--json")
    n = len(RECEIVE_RUNS)
    assert found["spans"] == n and found["traces"] == n, found
    assert [m["invocation"] for m in found["matches"]] == ["requested"] * n
    by_model = _ircmd(env, "trace", "find", "--spool", "--model", "gpt-4o-mini", "--json")
    assert by_model["spans"] == 2 * n  # two chat calls per producer
    dated = _ircmd(env, "trace", "find", "--spool", "--model", RESPONSE_MODEL, "--json")
    assert dated["spans"] == 2 * n
    args = _ircmd(
        env, "trace", "find", "--spool", "--tool", "issue_refund", "--arg", "account_id", "--json"
    )
    assert json.dumps(args).count("A-1042") >= 1

    # every trace shows its messages; for the EVENT_ONLY ones (HTTP and gRPC) they exist only
    # in the log records, which the receiver spooled and ``trace show`` joined to their spans
    for match in found["matches"]:
        shown = _ircmd(env, "trace", "show", match["trace_id"], "--spool", "--json")
        spans = shown["spans"] if isinstance(shown, dict) else shown
        (first,) = [s for s in spans if s["kind"] == "llm"]  # no app span: a trace per call
        assert [(m["role"], m["content"]) for m in first["messages"]["input"]] == [
            ("system", "You are the refunds agent."),
            ("user", "Please refund account A-1042 for the double charge."),
        ]
        calls = [c for m in first["messages"]["output"] for c in m["tool_calls"]]
        assert [(c["name"], c["id"]) for c in calls] == [("issue_refund", "call_refund_1")]
    # the docs' transports table says what this test proved
    doc = (HERE.parents[1] / "docs" / "traces-conformance.md").read_text(encoding="utf-8")
    assert "\n".join(render_transports()) in doc
