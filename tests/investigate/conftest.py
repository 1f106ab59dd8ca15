"""Real telemetry for the investigation tests: the OpenAI SDK under real instrumentations
against the local OpenAI-compatible server, exported by the real OTLP exporters to the test
collector, written as OTLP JSON lines (see ``tests/producers``)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ircmd.domain.traces.otlp import parse_document
from ircmd.domain.traces.spans import Span

PRODUCERS = Path(__file__).resolve().parents[1] / "producers"


def produce(
    library: str,
    out: Path,
    system: str | None = None,
    amount: float = 120.5,
    session: str | None = None,
    user: str = "",
    prompt_version: str | None = None,
    refuse: bool = False,
) -> Path:
    """One run of the refunds agent under ``library``, as OTLP JSON lines in ``out`` (with
    another system prompt and another refund amount asked for when given)."""
    pytest.importorskip("openai")
    from tests.producers.collector import Collector
    from tests.producers.fake_openai import FakeOpenAI

    with FakeOpenAI(amount=amount, refuse=refuse) as api, Collector(out) as col:
        env = dict(
            os.environ,
            OTEL_SEMCONV_STABILITY_OPT_IN="gen_ai_latest_experimental",
            OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="SPAN_ONLY",
            TRACELOOP_TRACE_CONTENT="true",
        )
        if system is not None:
            env["PRODUCER_SYSTEM"] = system
        if session is not None:
            env.update(PRODUCER_SESSION=session, PRODUCER_USER=user)
        if prompt_version is not None:
            env["PRODUCER_PROMPT_VERSION"] = prompt_version
        if refuse:
            env["PRODUCER_EXPECT_ERROR"] = "1"
        p = subprocess.run(
            [
                sys.executable,
                str(PRODUCERS / "produce_openai.py"),
                library,
                api.base_url,
                col.endpoint,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert p.returncode == 0, p.stderr[-3000:]
    return out


def read_spans(path: Path) -> list[Span]:
    spans: list[Span] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if "resourceSpans" in doc:
            spans.extend(parse_document(doc, str(path)).spans)
    return spans


@pytest.fixture(scope="session")
def refunds_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One OTLP JSONL file per instrumentation (otel-v2, openinference)."""
    d = tmp_path_factory.mktemp("refunds-runs")
    return {lib: produce(lib, d / f"{lib}.jsonl") for lib in ("otel-v2", "openinference")}


@pytest.fixture(scope="session")
def changed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The otel-v2 run again, with a changed system prompt and a changed refund amount."""
    d = tmp_path_factory.mktemp("refunds-changed")
    return produce(
        "otel-v2",
        d / "otel-v2-b.jsonl",
        system="You are the refunds agent. Be generous.",
        amount=999.0,
    )


@pytest.fixture(scope="session")
def conversation_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three turns of conversation ``conv-7`` (user ``u-42``) per instrumentation, plus one
    turn of another conversation, all in one file per instrumentation."""
    d = tmp_path_factory.mktemp("conversations")
    out: dict[str, Path] = {}
    for lib in ("otel-v2", "openinference"):
        path = d / f"{lib}.jsonl"
        for amount in (10.0, 20.0, 30.0):
            produce(lib, path, amount=amount, session="conv-7", user="u-42")
        produce(lib, path, session="conv-8", user="u-43")
        out[lib] = path
    return out


@pytest.fixture(scope="session")
def versioned_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OpenInference traffic: three runs with prompt v6 that succeed, then three with v7
    that the server refuses (the error rate changes with the second version)."""
    path = tmp_path_factory.mktemp("versioned") / "openinference.jsonl"
    for _ in range(3):
        produce("openinference", path, prompt_version="6")
    for _ in range(3):
        produce("openinference", path, prompt_version="7", refuse=True)
    return path


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """``ircmd ARGV`` in this process: (exit code, stdout, stderr)."""
    from ircmd.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def cli_json(argv: Sequence[str]) -> Any:
    code, out, err = run_cli([*argv, "--json"])
    assert code == 0, err
    return json.loads(out)
