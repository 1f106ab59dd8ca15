"""OTLP JSON decoding: encodings, every AnyValue type, JSONL, and broken input."""

from __future__ import annotations

import json
from typing import Any

from ircmd.domain.traces.otlp import encode_spans, parse_bytes, parse_document

TID = "5B8EFFF798038103D269B633813FC60C"


def req(*spans: dict[str, Any], service: str = "support") -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
                },
                "scopeSpans": [{"scope": {"name": "test"}, "spans": list(spans)}],
            }
        ]
    }


def sp(span_id: str, parent: str | None = None, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "traceId": TID,
        "spanId": span_id,
        "name": f"s{span_id[-2:]}",
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000001000000000",
    }
    if parent:
        d["parentSpanId"] = parent
    d.update(kw)
    return d


def test_ids_any_case_ints_as_strings_or_numbers_enums_as_names_or_ints() -> None:
    doc = req(
        sp(
            "EEE19B7EC3C1B174",
            kind="SPAN_KIND_SERVER",
            status={"code": "STATUS_CODE_ERROR", "message": "boom"},
            startTimeUnixNano=1700000000000000000,
        ),
        sp("eee19b7ec3c1b175", "EEE19B7EC3C1B174", kind=3, status={"code": 1}),
    )
    r = parse_document(doc, "mem")
    assert not r.problems
    a, b = r.spans
    assert a.trace_id == TID.lower() and a.span_id == "eee19b7ec3c1b174"
    assert (a.otel_kind, a.status_code, a.status_message) == ("SERVER", "ERROR", "boom")
    assert (b.otel_kind, b.status_code, b.parent_id) == ("CLIENT", "OK", "eee19b7ec3c1b174")
    assert a.start_ns == 1700000000000000000 and a.duration_ns == 10**9
    assert a.service == "support" and a.scope == "test"
    assert a.trace_id is b.trace_id  # shared string


def test_every_anyvalue_type_and_unknown_fields_ignored() -> None:
    attrs = [
        {"key": "s", "value": {"stringValue": "x"}},
        {"key": "b", "value": {"boolValue": True}},
        {"key": "i", "value": {"intValue": "9223372036854775807"}},
        {"key": "i2", "value": {"intValue": 5}},
        {"key": "d", "value": {"doubleValue": 2.5}},
        {"key": "dnan", "value": {"doubleValue": "NaN"}},
        {"key": "by", "value": {"bytesValue": "AAEC"}},
        {"key": "arr", "value": {"arrayValue": {"values": [{"intValue": "1"}, {}]}}},
        {
            "key": "kv",
            "value": {"kvlistValue": {"values": [{"key": "k", "value": {"stringValue": "v"}}]}},
        },
        {"key": "empty", "value": {}},
        {"key": "snake", "value": {"int_value": "3"}},
    ]
    doc = req(sp("eee19b7ec3c1b174", attributes=attrs, futureField={"x": 1}, flags=257))
    doc["someNewTopLevel"] = 1
    r = parse_document(doc, "mem")
    assert not r.problems
    a = r.spans[0].attributes
    assert a["s"] == "x" and a["b"] is True and a["i"] == 2**63 - 1 and a["i2"] == 5
    assert a["d"] == 2.5 and a["dnan"] != a["dnan"]
    assert a["by"] == b"\x00\x01\x02"
    assert a["arr"] == [1, None] and a["kv"] == {"k": "v"} and a["empty"] is None
    assert a["snake"] == 3


def test_events_links_and_base64_ids() -> None:
    import base64

    b64_trace = base64.b64encode(bytes.fromhex(TID)).decode()
    doc = req(
        sp(
            "eee19b7ec3c1b174",
            events=[
                {
                    "timeUnixNano": "5",
                    "name": "exception",
                    "attributes": [{"key": "exception.message", "value": {"stringValue": "x"}}],
                }
            ],
            links=[{"traceId": TID, "spanId": "EEE19B7EC3C1B175"}],
        ),
        {**sp("eee19b7ec3c1b176"), "traceId": b64_trace},
    )
    r = parse_document(doc, "mem")
    assert not r.problems
    a, b = r.spans
    assert a.events[0].name == "exception" and a.events[0].time_ns == 5
    assert a.events[0].attributes == {"exception.message": "x"}
    assert a.links[0].span_id == "eee19b7ec3c1b175"
    assert b.trace_id == TID.lower()


def test_jsonl_with_a_broken_line_keeps_the_rest_and_names_the_line() -> None:
    lines = [
        json.dumps(req(sp("eee19b7ec3c1b174"))),
        '{"resourceSpans": [',
        json.dumps(req(sp("eee19b7ec3c1b175", "eee19b7ec3c1b174"))),
        "",
    ]
    r = parse_bytes("\n".join(lines).encode(), "batch.jsonl")
    assert [s.span_id for s in r.spans] == ["eee19b7ec3c1b174", "eee19b7ec3c1b175"]
    assert r.problems.skipped_lines == 1
    assert r.problems.messages[0].startswith("batch.jsonl: line 2: not valid JSON")


def test_bad_spans_are_skipped_and_counted() -> None:
    doc = req(
        sp("eee19b7ec3c1b174"),
        {**sp("eee19b7ec3c1b175"), "traceId": "zz"},
        {**sp("eee19b7ec3c1b176"), "startTimeUnixNano": "yesterday"},
        "not a span",  # type: ignore[arg-type]
        {"name": "no ids"},
    )
    r = parse_bytes(json.dumps(doc), "bad.json")
    assert [s.span_id for s in r.spans] == ["eee19b7ec3c1b174"]
    assert r.problems.skipped_spans == 4
    assert "bad.json: span #2 skipped: traceId 'zz' is not 32 hex digits" in r.problems.messages
    assert "skipped 4 span(s)" in r.problems.summary()


def test_garbage_files_never_raise() -> None:
    for data in [b"", b"   ", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'"str"', b"{", b"null"]:
        r = parse_bytes(data, "junk.json")
        assert r.spans == []
        assert r.problems, data
    r = parse_bytes(b"{", "junk.json")
    assert r.problems.messages[0].startswith("junk.json: not valid JSON at line 1")


def test_array_of_requests_and_round_trip_through_encoder() -> None:
    doc = [req(sp("eee19b7ec3c1b174")), req(sp("eee19b7ec3c1b175", "eee19b7ec3c1b174"))]
    r = parse_bytes(json.dumps(doc), "arr.json")
    assert len(r.spans) == 2 and not r.problems
    back = parse_document(encode_spans(r.spans), "again")
    assert [s.canonical_json() for s in back.spans] == [s.canonical_json() for s in r.spans]


def test_streamed_document_equals_the_full_parse() -> None:
    import pytest

    from ircmd.demo import tracegen
    from ircmd.domain.traces.otlp import Decoder
    from ircmd.domain.traces.otlp_stream import Unstreamable, stream_request

    doc = next(tracegen.requests(30, per_request=100))
    # odd but valid: resource after its scopeSpans, scope after its spans, unknown keys
    rs = doc["resourceSpans"][0]
    doc["resourceSpans"][0] = {
        "schemaUrl": "x",
        "scopeSpans": [{"spans": rs["scopeSpans"][0]["spans"], "scope": {"name": "late"}}],
        "resource": rs["resource"],
        "extra": [{"a": [1, {"b": None}]}],
    }
    doc["zzz"] = {"nested": [1, 2, {"x": "}]"}]}
    text = json.dumps(doc, indent=1)
    streamed = stream_request(text, Decoder("s"))
    full = parse_document(json.loads(text), "s").spans
    assert [s.canonical_json() for s in streamed] == [s.canonical_json() for s in full]
    assert streamed[0].service == "support-refunds" and streamed[0].scope == "late"
    for bad in ['{"resourceSpans": 5}', '{"resourceSpans": [', "{} {}", "[1]"]:
        with pytest.raises(Unstreamable):
            stream_request(bad, Decoder("s"))


def test_bad_span_in_a_streamed_document_is_counted_once() -> None:
    doc = req(sp("eee19b7ec3c1b174"), {**sp("eee19b7ec3c1b175"), "spanId": "nothex"})
    r = parse_bytes(json.dumps(doc).encode(), "s.json")
    assert len(r.spans) == 1 and r.problems.skipped_spans == 1 and r.problems.count == 1
    r = parse_bytes(b'{"resourceSpans": [}', "x")
    assert r.problems.messages[0].startswith("x: not valid JSON")
