"""The receiver decodes OTLP JSON logs with the one shared decoder
(``domain.traces.logs.decode_logs_json``): same records for any document, and a body that
is not a logs document is ``UndecodableBody`` (a 400), never another exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ircmd.backends.traces.otlp_proto import UndecodableBody
from ircmd.backends.traces.otlp_receiver import Received, logs_json
from ircmd.domain.traces.logs import decode_logs_json

SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
KEYS = st.sampled_from(
    [
        "resourceLogs", "resource_logs", "resource", "attributes", "scopeLogs", "scope_logs",
        "logRecords", "log_records", "traceId", "spanId", "eventName", "timeUnixNano",
        "observedTimeUnixNano", "body", "key", "value", "stringValue", "intValue", "x",
    ]
)  # fmt: skip
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=40,
)


def decoded(body: bytes) -> list[Any] | str:
    try:
        return logs_json(body)
    except UndecodableBody:
        return "undecodable"


@seed(31)
@settings(max_examples=300, deadline=None, derandomize=True)
@given(DOCS, st.booleans())
def test_receiver_and_shared_decoder_agree(doc: Any, wrap: bool) -> None:
    if wrap:
        doc = {"resourceLogs": doc if isinstance(doc, list) else [doc]}
    got = decoded(json.dumps(doc).encode())
    if isinstance(doc, dict) and isinstance(doc.get("resourceLogs"), list):
        assert got == decode_logs_json(doc)
    elif not isinstance(doc, dict):
        assert got == "undecodable"


def test_a_record_in_snake_case_with_its_name_in_attributes() -> None:
    doc = {
        "resource_logs": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "refunds"}}]
                },
                "scope_logs": [
                    {
                        "log_records": [
                            {
                                "trace_id": "0102030405060708090a0b0c0d0e0f10",
                                "span_id": "0102030405060708",
                                "time_unix_nano": "1700000000000000000",
                                "attributes": [
                                    {"key": "event.name", "value": {"stringValue": "gen_ai.choice"}}
                                ],
                                "body": {"stringValue": "refund approved"},
                            }
                        ]
                    }
                ],
            }
        ]
    }  # fmt: skip
    body = json.dumps(doc).encode()
    (rec,) = Received("logs-json", body, "f").logs
    assert (rec.service, rec.event_name, rec.body) == (
        "refunds",
        "gen_ai.choice",
        "refund approved",
    )
    assert rec.span_id == "0102030405060708" and rec.time_ns == 1_700_000_000_000_000_000


def test_not_a_logs_document_is_undecodable() -> None:
    for body in (b"", b"[]", b'{"resourceSpans": []}', b"{" * 100_000, b"\xff"):
        assert decoded(body) == "undecodable"
