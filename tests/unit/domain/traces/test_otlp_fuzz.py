"""The decoder never raises, whatever the JSON (property-based)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ircmd.domain.traces.otlp import parse_bytes, parse_document

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "resourceSpans",
                    "scopeSpans",
                    "spans",
                    "traceId",
                    "spanId",
                    "attributes",
                    "key",
                    "value",
                    "stringValue",
                    "intValue",
                    "arrayValue",
                    "kvlistValue",
                    "values",
                    "status",
                    "code",
                    "kind",
                    "events",
                    "links",
                    "startTimeUnixNano",
                    "bytesValue",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_document_is_decoded_or_reported(doc: object) -> None:
    r = parse_document(doc, "fuzz")
    for s in r.spans:
        s.kind, s.input_messages, s.documents, s.tool_arguments, s.canonical_json()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_never_raise(data: bytes) -> None:
    r = parse_bytes(data, "fuzz")
    assert r.spans == [] or r.problems.count >= 0


def test_fuzzed_span_fields_are_reported_with_counts() -> None:
    doc = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "a" * 32,
                                "spanId": "b" * 16,
                                "startTimeUnixNano": {"x": 1},
                            },
                            {
                                "traceId": "a" * 32,
                                "spanId": "c" * 16,
                                "status": {"code": "STATUS_CODE_WHAT"},
                            },
                        ]
                    }
                ]
            }
        ]
    }
    r = parse_bytes(json.dumps(doc), "f")
    assert [s.span_id for s in r.spans] == ["c" * 16]
    assert r.spans[0].status_code == "UNSET"
    assert r.problems.skipped_spans == 1


def test_absurdly_deep_json_is_a_problem_not_a_crash() -> None:
    deep_span = (
        b'{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":' + b"[" * 100_000 + b"]}]}]}]}"
    )
    for data in (b"[" * 100_000, deep_span, b'{"a": 1}\n' + b"[" * 100_000):
        r = parse_bytes(data, "deep.json")
        assert r.spans == []
        assert any("nested too deeply" in m for m in r.problems.messages), r.problems.messages
