"""``ircmd trace …`` and ``ircmd receive`` as a user runs them (subprocesses, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from ircmd.demo import tracegen
from ircmd.domain.traces.otlp import encode_spans, parse_document

IRCMD = str(Path(sys.executable).parent / "ircmd")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    cfg = tmp_path / "config.toml"
    cfg.write_text("", encoding="utf-8")
    e = dict(os.environ)
    e.update(IRCMD_DATA_DIR=str(tmp_path / "data"), IRCMD_CONFIG=str(cfg))
    return e


def ircmd(
    env: dict[str, str], *args: str, check: int | None = 0
) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(
        [IRCMD, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check is not None:
        assert p.returncode == check, p.stderr
    return p


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    reqs = list(tracegen.requests(30, per_request=10))
    a = tmp_path / "a.jsonl"
    a.write_text("\n".join(json.dumps(r) for r in reqs[:2]) + "\n{broken\n", encoding="utf-8")
    b = tmp_path / "b.json"
    b.write_text(json.dumps(reqs[2]), encoding="utf-8")
    return a, b


def expected(reqs: list[dict[str, Any]]) -> dict[str, int]:
    spans = [s for r in reqs for s in parse_document(r, "x").spans]
    return {
        "spans": len(spans),
        "traces": len({s.trace_id for s in spans}),
        "errors": sum(s.is_error for s in spans),
        "input": sum(s.input_tokens or 0 for s in spans),
    }


def test_inspect_json_totals_and_per_file_problems(
    env: dict[str, str], files: tuple[Path, Path]
) -> None:
    a, b = files
    p = ircmd(env, "trace", "inspect", str(a), str(b), "--json")
    out = json.loads(p.stdout)
    want = expected(list(tracegen.requests(30, per_request=10)))
    assert out["spans"] == want["spans"] and out["traces"] == want["traces"] == 30
    assert out["errors"] == want["errors"] > 0
    assert out["tokens"]["input"] == want["input"] and out["tokens"]["output"] > 0
    assert set(out["kinds"]) == {
        "agent",
        "workflow",
        "llm",
        "embedding",
        "retrieval",
        "reranker",
        "tool",
        "guardrail",
        "evaluator",
        "chain",
        "other",
    }
    assert out["kinds"]["tool"] == 30 and out["kinds"]["llm"] == 30
    (prob,) = [x for x in out["problems"] if x["problems"]]
    assert prob["origin"] == str(a) and prob["skipped_lines"] == 1
    assert "line 3" in prob["messages"][0]


def test_inspect_human_output_and_errors_are_one_line(
    env: dict[str, str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    a, _ = files
    p = ircmd(env, "trace", "inspect", str(a))
    assert "traces  20" in p.stdout
    assert p.stderr.count("\n") == 1 and "line 3: not valid JSON" in p.stderr
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\x1b]52;c;SGVsbG8=\x07 not json")
    p = ircmd(env, "trace", "inspect", str(junk), check=1)
    assert "\x1b" not in p.stderr and "junk.json" in p.stderr and "Traceback" not in p.stderr
    p = ircmd(env, "trace", "inspect", check=2)
    assert p.stderr.startswith("ircmd: error:")
    p = ircmd(env, "trace", "find", str(a), check=2)
    assert "Traceback" not in p.stderr


def test_find_with_arg_lists_distinct_values(env: dict[str, str], files: tuple[Path, Path]) -> None:
    a, b = files
    p = ircmd(
        env,
        "trace",
        "find",
        str(a),
        str(b),
        "--tool",
        "issue_refund",
        "--arg",
        "account_id",
        "--json",
    )
    out = json.loads(p.stdout)
    assert out["traces"] == out["spans"] == 20  # every 3rd run calls lookup_order instead
    assert 0 < out["users"] <= 20 and 0 < out["conversations"] <= 20
    assert sum(v["count"] for v in out["values"]) == 20
    assert all(v["value"].startswith("ACME-") and v["trace_ids"] for v in out["values"])
    p = ircmd(env, "trace", "find", str(a), "--model", "gpt-4o", "--json")
    assert json.loads(p.stdout)["traces"] > 0
    p = ircmd(env, "trace", "find", str(a), "--source", "internal-notes", "--json")
    assert json.loads(p.stdout)["traces"] >= 1
    p = ircmd(env, "trace", "find", str(a), "--prompt", "refund-policy", "--json")
    assert json.loads(p.stdout)["traces"] == 20


def test_pin_records_and_csv_through_the_cli(env: dict[str, str], files: tuple[Path, Path]) -> None:
    a, _ = files
    ircmd(env, "incident", "declare", "--title", "Wrong refunds")
    span_id = json.loads(
        ircmd(env, "trace", "find", str(a), "--tool", "issue_refund", "--json").stdout
    )["trace_ids"][0]
    tool_span = next(
        s
        for r in tracegen.requests(30, per_request=10)
        for s in parse_document(r, "x").spans
        if s.trace_id == span_id and s.tool_name
    )
    p = ircmd(
        env, "trace", "pin", "INC-0001", str(a), "--span", tool_span.span_id.upper(), "--json"
    )
    doc = json.loads(p.stdout)
    assert doc["span_id"] == tool_span.span_id and len(doc["sha256"]) == 64
    p = ircmd(env, "trace", "pin", "INC-0001", str(a), "--span", "0" * 16, check=1)
    assert "no span" in p.stderr
    p = ircmd(env, "trace", "pin", "INC-0001", str(a), "--span", "nothex", check=2)
    assert "16 hex digits" in p.stderr
    p = ircmd(
        env,
        "trace",
        "records",
        "INC-0001",
        str(a),
        "--tool",
        "issue_refund",
        "--arg",
        "account_id",
        "--json",
    )
    rc = json.loads(p.stdout)
    value = rc["items"][0]["value"]
    ircmd(env, "trace", "tick", "INC-0001", rc["id"], value)
    csv_text = ircmd(env, "trace", "records-csv", "INC-0001", rc["id"]).stdout
    assert f"{value}," in csv_text and ",yes," in csv_text
    p = ircmd(env, "--read-only", "trace", "tick", "INC-0001", rc["id"], value, check=1)
    assert "read-only" in p.stderr


def test_receive_spools_then_inspect_spool(env: dict[str, str], tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [IRCMD, "receive", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"127.0.0.1:{port}/v1/traces" in line
        spans = parse_document(next(tracegen.requests(5, per_request=10)), "x").spans
        r = httpx.post(f"http://127.0.0.1:{port}/v1/traces", json=encode_spans(spans), timeout=5)
        assert r.status_code == 200
        # a busy port: a second receiver says so in one line and exits 1
        p = ircmd(env, "receive", "--port", str(port), check=1)
        assert "is in use" in p.stderr and p.stderr.count("\n") == 1
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "1 request," in out
    p = ircmd(env, "trace", "inspect", "--spool", "--json")
    assert json.loads(p.stdout)["spans"] == len(spans)


HOSTILE_VALUES = [
    "[@click=app.quit]x[/]",
    "[link=file:///etc/passwd]",
    "unbalanced [/]",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x9b31m",
    "bidi \u202egnp.exe",
]


def test_hostile_argument_values_never_reach_the_terminal_raw(
    env: dict[str, str], tmp_path: Path
) -> None:
    from ircmd.domain.traces.spans import Span

    spans = [
        Span(
            f"{i + 1:032x}",
            f"{i + 1:016x}",
            name=v,
            start_ns=1,
            end_ns=2,
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "issue_refund",
                "gen_ai.tool.call.arguments": json.dumps({"account_id": v}),
            },
        )
        for i, v in enumerate(HOSTILE_VALUES)
    ]
    f = tmp_path / "hostile.json"
    f.write_text(json.dumps(encode_spans(spans)), encoding="utf-8")
    human = ircmd(env, "trace", "find", str(f), "--tool", "issue_refund", "--arg", "account_id")
    raw = ircmd(
        env, "trace", "find", str(f), "--tool", "issue_refund", "--arg", "account_id", "--json"
    )
    for out in (human.stdout, raw.stdout, human.stderr):
        assert not any(c in out for c in "\x1b\x07\x9b\u202e")
    values = {v["value"] for v in json.loads(raw.stdout)["values"]}
    assert values == set(HOSTILE_VALUES)  # the data itself is intact in the JSON
    assert "[@click=app.quit]x[/]" in human.stdout  # markup shown as text


def test_find_like_a_span(env: dict[str, str], files: tuple[Path, Path]) -> None:
    a, b = files
    spans = [s for r in tracegen.requests(30, per_request=10) for s in parse_document(r, "x").spans]
    tool = next(s for s in spans if s.tool_name == "issue_refund")
    p = ircmd(
        env,
        "trace",
        "find",
        str(a),
        str(b),
        "--like",
        tool.span_id,
        "--arg",
        "account_id",
        "--json",
    )
    out = json.loads(p.stdout)
    assert out["query"]["tool"] == "issue_refund" and out["traces"] == 20
    assert sum(v["count"] for v in out["values"]) == 20
    llm = next(s for s in spans if s.model)
    p = ircmd(
        env, "trace", "find", str(a), str(b), "--like", llm.span_id, "--by", "model", "--json"
    )
    assert json.loads(p.stdout)["query"]["model"] == llm.model
    p = ircmd(env, "trace", "find", str(a), "--like", llm.span_id, "--by", "tool", check=1)
    assert "not a tool call" in p.stderr
    ircmd(env, "trace", "find", str(a), "--model", "m", "--by", "tool", check=2)


def test_inspect_counts_a_duplicated_span_once_and_says_so(
    env: dict[str, str], tmp_path: Path
) -> None:
    data = Path(__file__).parent.parent / "data" / "thirdparty" / "jaeger-ui_01.json"
    p = ircmd(env, "trace", "inspect", str(data), "--json")
    out = json.loads(p.stdout)
    assert out["spans"] == 4 and out["traces"] == 1 and out["duplicates"] == 1
    assert out["errors"] == 1  # the copy read last (with the error tag) is the one kept
    p = ircmd(env, "trace", "inspect", str(data))
    assert "duplicates 1" in p.stdout


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        ({"resourceMetrics": []}, "OTLP metrics"),
        ({"resourceLogs": []}, "OTLP logs only"),
        ({"data": [], "total": 0}, "not OTLP: no resourceSpans/resourceLogs"),
    ],
)
def test_inspect_names_what_a_file_without_spans_is(
    env: dict[str, str], tmp_path: Path, doc: dict[str, Any], says: str
) -> None:
    f = tmp_path / "x.json"
    f.write_text(json.dumps(doc))
    p = ircmd(env, "trace", "inspect", str(f), check=1)
    assert says in p.stderr and len(p.stderr.strip().splitlines()) == 1
