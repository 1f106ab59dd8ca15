"""Files of other tools: Jaeger UI JSON, Zipkin v2 JSON, OTLP logs/metrics, collector dumps,
JSONL line separators, duplicate spans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ircmd.backends.traces.files import FileTraceSource, load_paths
from ircmd.domain.traces.otlp import parse_bytes
from ircmd.domain.traces.tracetree import TraceIndex, dedupe_spans

DATA = Path(__file__).parent.parent / "data" / "thirdparty"
TID = "5b8efff798038103d269b633813fc60c"


def otlp(span_id: str, name: str = "s", **attrs: str) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]
                },
                "scopeSpans": [
                    {
                        "scope": {"name": "t"},
                        "spans": [
                            {
                                "traceId": TID,
                                "spanId": span_id,
                                "name": name,
                                "startTimeUnixNano": "1700000000000000000",
                                "endTimeUnixNano": "1700000001000000000",
                                "attributes": [
                                    {"key": k, "value": {"stringValue": v}}
                                    for k, v in attrs.items()
                                ],
                            }
                        ],
                    }
                ],
            }
        ]
    }


# -- third-party sample files ----------------------------------------------------------


def test_opentelemetry_proto_trace_example() -> None:
    r = parse_bytes((DATA / "otlp-proto-trace.json").read_bytes(), "trace.json")
    assert not r.problems
    (s,) = r.spans
    assert (s.trace_id, s.span_id, s.parent_id) == (TID, "eee19b7ec3c1b174", "eee19b7ec3c1b173")
    assert s.service == "my.service" and s.otel_kind == "SERVER"
    assert s.attr("my.span.attr") == "some value"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("otlp-proto-logs.json", "OTLP logs only"),
        ("otlp-proto-metrics.json", "OTLP metrics"),
    ],
)
def test_opentelemetry_proto_logs_and_metrics_are_named(name: str, says: str) -> None:
    r = parse_bytes((DATA / name).read_bytes(), name)
    assert r.spans == []
    assert r.problems.count == 1
    assert says in r.problems.summary()


def test_real_jaeger_ui_export() -> None:
    r = parse_bytes((DATA / "jaeger-ui_01.json").read_bytes(), "ui_01.json")
    assert not r.problems
    assert len(r.spans) == 5  # span "2" is in the file twice
    spans, dups = dedupe_spans(r.spans)
    tid = "0" * 31 + "1"
    assert dups == {(tid, "0000000000000002"): 1}
    by = {s.span_id[-1]: s for s in spans}
    assert set(by) == {"2", "3", "4", "5"}
    two = by["2"]  # the last copy wins: the one with the error tag
    assert two.name == "some-operation" and two.status_code == "ERROR"
    assert two.service == "service-x" and two.attr("peer.ipv4") == 23456
    assert two.start_ns == 1485467191639875000 and two.duration_ns == 5000
    assert by["3"].parent_id == "0000000000000002" and by["3"].service == "service-y"
    # CHILD_OF in another trace is a link, CHILD_OF in this trace is the parent
    four = by["4"]
    assert four.parent_id == "0000000000000002"
    assert [(lk.trace_id[-2:], lk.span_id[-2:]) for lk in four.links] == [("ff", "ff")]
    assert by["5"].parent_id == "0000000000000004"
    first = r.spans[0]
    assert [e.name for e in first.events] == ["some-event", "log"]
    assert first.events[1].attributes == {"x": "y"}


# -- Jaeger / Zipkin from their documented formats --------------------------------------


def jaeger_doc() -> dict[str, Any]:
    return {
        "data": [
            {
                "traceID": "a" * 32,
                "processes": {
                    "p1": {
                        "serviceName": "support-bot",
                        "tags": [{"key": "host.name", "type": "string", "value": "h1"}],
                    }
                },
                "spans": [
                    {
                        "traceID": "A" * 32,
                        "spanID": "B" * 16,
                        "operationName": "chat gpt-4o",
                        "references": [],
                        "startTime": 1700000000000000,
                        "duration": 2500,
                        "processID": "p1",
                        "tags": [
                            {"key": "span.kind", "type": "string", "value": "client"},
                            {"key": "gen_ai.operation.name", "type": "string", "value": "chat"},
                            {"key": "gen_ai.request.model", "type": "string", "value": "gpt-4o"},
                            {"key": "gen_ai.usage.input_tokens", "type": "int64", "value": 12},
                            {"key": "otel.status_code", "type": "string", "value": "ERROR"},
                            {"key": "otel.status_description", "type": "string", "value": "boom"},
                        ],
                        "logs": [],
                    },
                    {
                        "traceID": "a" * 32,
                        "spanID": "c" * 16,
                        "operationName": "next",
                        "references": [
                            {"refType": "FOLLOWS_FROM", "traceID": "a" * 32, "spanID": "b" * 16}
                        ],
                        "startTime": 1700000000003000,
                        "duration": 10,
                        "processID": "p1",
                        "tags": [{"key": "error", "type": "bool", "value": False}],
                    },
                ],
            }
        ],
        "total": 0,
        "limit": 0,
        "offset": 0,
        "errors": None,
    }


def test_jaeger_api_document() -> None:
    r = parse_bytes(json.dumps(jaeger_doc()), "jaeger.json")
    assert not r.problems
    a, b = r.spans
    assert (a.trace_id, a.span_id) == ("a" * 32, "b" * 16)
    assert a.otel_kind == "CLIENT" and a.service == "support-bot"
    assert a.resource["host.name"] == "h1"
    assert (a.status_code, a.status_message) == ("ERROR", "boom")
    assert a.model == "gpt-4o" and a.input_tokens == 12
    assert a.end_ns - a.start_ns == 2_500_000
    assert b.parent_id == "b" * 16 and b.status_code == "UNSET" and b.links == ()


def test_jaeger_bad_span_is_named_and_the_rest_read() -> None:
    doc = jaeger_doc()
    doc["data"][0]["spans"][0]["spanID"] = "not-hex!"
    r = parse_bytes(json.dumps(doc), "jaeger.json")
    assert len(r.spans) == 1
    assert "Jaeger trace #1 span #1 skipped" in r.problems.summary()


def zipkin_spans() -> list[dict[str, Any]]:
    return [
        {
            "traceId": "463ac35c9f6413ad",
            "id": "a2fb4a1d1a96d312",
            "name": "get /api",
            "kind": "SERVER",
            "timestamp": 1700000000000000,
            "duration": 1200,
            "localEndpoint": {"serviceName": "frontend", "ipv4": "127.0.0.1"},
            "annotations": [{"timestamp": 1700000000000100, "value": "wr"}],
            "tags": {"http.method": "GET", "error": "timeout"},
        },
        {
            "traceId": "463ac35c9f6413ad",
            "id": "b2fb4a1d1a96d312",
            "parentId": "a2fb4a1d1a96d312",
            "name": "chat",
            "kind": "CLIENT",
            "timestamp": 1700000000000200,
            "duration": 900,
            "localEndpoint": {"serviceName": "frontend"},
            "remoteEndpoint": {"serviceName": "openai"},
            "tags": {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"},
        },
    ]


@pytest.mark.parametrize("nested", [False, True])
def test_zipkin_v2_list_and_list_of_traces(nested: bool) -> None:
    doc: Any = [zipkin_spans()] if nested else zipkin_spans()
    r = parse_bytes(json.dumps(doc), "zipkin.json")
    assert not r.problems
    root, chat = r.spans
    assert root.trace_id == "0" * 16 + "463ac35c9f6413ad"
    assert root.parent_id is None and root.otel_kind == "SERVER" and root.service == "frontend"
    assert (root.status_code, root.status_message) == ("ERROR", "timeout")
    assert [(e.name, e.time_ns) for e in root.events] == [("wr", 1700000000000100000)]
    assert root.duration_ns == 1_200_000
    assert chat.parent_id == "a2fb4a1d1a96d312" and chat.otel_kind == "CLIENT"
    assert chat.attr("peer.service") == "openai" and chat.model == "gpt-4o-mini"


# -- not traces: one clear line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        ({"data": [], "total": 0}, "not OTLP: no resourceSpans/resourceLogs"),
        ({"hello": 1}, "not OTLP: no resourceSpans/resourceLogs"),
        ([1, 2], "not OTLP"),
        ({"resourceMetrics": []}, "OTLP metrics"),
        ({"resourceLogs": []}, "OTLP logs only"),
    ],
)
def test_a_document_without_spans_says_what_it_is(doc: Any, says: str) -> None:
    r = parse_bytes(json.dumps(doc), "x.json")
    assert r.spans == [] and r.problems.count == 1
    assert says in r.problems.summary()


def test_collector_dump_mixing_traces_metrics_and_logs_gives_one_metrics_line() -> None:
    lines = []
    for i in range(30):
        lines.append(json.dumps({"resourceMetrics": [{"scopeMetrics": []}]}))
        if i % 3 == 0:
            lines.append(json.dumps(otlp(f"{i:016x}")))
        if i % 5 == 0:
            lines.append(json.dumps({"resourceLogs": [{"scopeLogs": []}]}))
    r = parse_bytes("\n".join(lines) + "\n", "dump.jsonl")
    assert len(r.spans) == 10
    assert r.problems.count == 1
    assert r.problems.messages == ["dump.jsonl: OTLP metrics (not traces): 30 line(s) skipped"]


# -- JSONL: \n only ------------------------------------------------------------------------


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\u0085"])
def test_jsonl_splits_on_newline_only(sep: str, tmp_path: Path) -> None:
    # JSON allows these raw inside strings; str.splitlines() would split the line there
    value = f"before{sep}after"
    lines = [json.dumps(otlp("1" * 16, msg=value), ensure_ascii=False)]
    lines.append(json.dumps(otlp("2" * 16), ensure_ascii=False))
    text = "\n".join(lines) + "\n"
    assert sep in text
    r = parse_bytes(text, "x.jsonl")
    assert not r.problems, r.problems.messages
    assert [s.span_id for s in r.spans] == ["1" * 16, "2" * 16]
    assert r.spans[0].attr("msg") == value
    # a whole file, and lines appended to a watched file, read the same
    f = tmp_path / "t.jsonl"
    f.write_text(text, encoding="utf-8")
    assert [s.attr("msg") for s in load_paths([str(f)]).spans] == [value, None]


@pytest.mark.asyncio
@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\u0085"])
async def test_appended_jsonl_lines_split_on_newline_only(sep: str, tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text(json.dumps(otlp("1" * 16)) + "\n", encoding="utf-8")
    src = FileTraceSource("t", [str(f)])
    assert len((await src.load()).spans) == 1
    with f.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(otlp("3" * 16, msg=f"a{sep}b"), ensure_ascii=False) + "\n")
    got = await src.poll()
    assert not any(got.problems), [p.messages for p in got.problems]
    assert [s.attr("msg") for s in got.spans] == [f"a{sep}b"]


def test_crlf_jsonl_reads() -> None:
    text = json.dumps(otlp("1" * 16)) + "\r\n" + json.dumps(otlp("2" * 16)) + "\r\n"
    r = parse_bytes(text, "x.jsonl")
    assert not r.problems and len(r.spans) == 2


# -- duplicates ------------------------------------------------------------------------------


def test_duplicate_span_ids_are_one_span_with_a_count(tmp_path: Path) -> None:
    one = json.dumps(otlp("1" * 16, name="first"))
    two = json.dumps(otlp("1" * 16, name="again"))
    other = json.dumps(otlp("2" * 16))
    (tmp_path / "a.jsonl").write_text("\n".join([one, two, other]) + "\n")
    (tmp_path / "b.json").write_text(one)
    batch = load_paths([str(tmp_path)])
    assert sorted(s.span_id for s in batch.spans) == ["1" * 16, "2" * 16]
    assert batch.duplicates == {(TID, "1" * 16): 2}
    idx = TraceIndex()
    idx.add(batch.spans)
    assert idx.span_count == 2


# -- traces and logs in one file ----------------------------------------------------------

from ircmd.domain.traces import logs as _logs  # noqa: E402


@pytest.mark.skipif(
    not hasattr(_logs, "attach_logs"), reason="decode_logs_json/attach_logs not merged yet"
)
def test_otlp_proto_trace_and_logs_examples_in_one_jsonl_are_joined() -> None:
    t = json.loads((DATA / "otlp-proto-trace.json").read_text())
    lg = json.loads((DATA / "otlp-proto-logs.json").read_text())
    text = json.dumps(lg) + "\n" + json.dumps(t) + "\n"  # logs before their span: still joined
    r = parse_bytes(text, "mix.jsonl")
    assert not r.problems, r.problems.messages
    (s,) = r.spans
    (ev,) = s.events
    assert ev.attributes["string.attribute"] == "some string"
    assert ev.attributes["int.attribute"] == 10


def test_logs_without_any_span_are_named() -> None:
    lg = (DATA / "otlp-proto-logs.json").read_text()
    r = parse_bytes(json.dumps(json.loads(lg)) + "\n{}\n", "logs.jsonl")
    assert r.spans == [] and "OTLP logs only" in r.problems.summary()
