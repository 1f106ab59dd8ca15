"""Real instrumentation traces in the real Phoenix: each producer's export goes both to a
file and (the very same protobuf body) to Phoenix at ``IRCMD_TEST_PHOENIX_URL``; the spans
read back through ircmd's ``phoenix`` source must derive what the file gives, field by
field (the service is the one known exception: Phoenix's REST API returns no resource)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openai")
pytest.importorskip("opentelemetry.instrumentation.openai_v2")
pytest.importorskip("openinference.instrumentation.openai")

from ircmd.backends.traces.phoenix import PhoenixTraceSource
from ircmd.domain.traces.otlp import parse_document
from ircmd.domain.traces.spans import Span
from tests.functional.test_trace_phoenix import phoenix_url, wait_for_spans
from tests.producers.collector import Collector
from tests.producers.fake_openai import FakeOpenAI

HERE = Path(__file__).resolve().parent


def _fields(s: Span) -> dict[str, Any]:
    def msgs(ms: Any) -> list[Any]:
        return [
            (
                m.role,
                m.content,
                [(c.id, c.name, json.loads(c.arguments or "{}")) for c in m.tool_calls],
            )
            for m in ms
        ]

    return {
        "name": s.name,
        "parent": s.parent_id,
        "kind": s.kind.value,
        "operation": s.operation,
        "request_model": s.request_model,
        "response_model": s.response_model,
        "provider": s.provider,
        "tokens": (s.input_tokens, s.output_tokens),
        "input": msgs(s.input_messages),
        "output": msgs(s.output_messages),
        "requested": [(c.id, c.name) for c in s.requested_tool_calls],
        "tool": (s.tool_name, s.tool_arguments, s.tool_result),
        "status": (s.status_code, s.status_message),
    }


@pytest.mark.services
@pytest.mark.parametrize(
    ("script", "library", "n_spans"),
    [
        ("produce_openai.py", "otel-v2", 3),
        ("produce_openai.py", "openinference", 3),
        ("produce_openai.py", "openllmetry", 3),
        ("produce_agents.py", "openinference", 8),
        ("produce_agents.py", "otel-v2", 8),
    ],
)
async def test_phoenix_gives_what_the_file_gives(
    script: str, library: str, n_spans: int, tmp_path: Path
) -> None:
    if script == "produce_agents.py":
        pytest.importorskip("agents")
    url = phoenix_url()
    project = f"ircmd-prod-{library}-{uuid.uuid4().hex[:6]}"
    out = tmp_path / "spans.jsonl"
    with FakeOpenAI() as api, Collector(out, forward=url) as col:
        p = subprocess.run(
            [sys.executable, str(HERE / script), library, api.base_url, col.endpoint],
            env=dict(
                os.environ,
                OTEL_SEMCONV_STABILITY_OPT_IN="gen_ai_latest_experimental",
                OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="SPAN_ONLY",
                TRACELOOP_TRACE_CONTENT="true",
                PRODUCER_PROJECT=project,
            ),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert p.returncode == 0, p.stderr[-3000:]
    from_file = {
        s.key: s
        for line in out.read_text(encoding="utf-8").splitlines()
        if "resourceSpans" in (doc := json.loads(line))
        for s in parse_document(doc, str(out)).spans
    }
    assert len(from_file) == n_spans
    src = PhoenixTraceSource("phx", url, project)
    try:
        await wait_for_spans(src, len(from_file))
        batch = await src.load()
    finally:
        await src.close()
    from_phoenix = {s.key: s for s in batch.spans}
    assert set(from_phoenix) == set(from_file)
    for key, f in from_file.items():
        px = from_phoenix[key]
        assert _fields(px) == _fields(f), (library, f.name)
        # Phoenix stores times to the microsecond
        assert abs(px.start_ns - f.start_ns) <= 1000 and abs(px.end_ns - f.end_ns) <= 1000
    # what Phoenix cannot give is said, not invented
    assert {s.service for s in from_phoenix.values()} == {"unknown"}
    assert len({s.service for s in from_file.values()} - {"unknown"}) == 1
