"""OTLP log records that belong to spans: the GenAI events some instrumentations write as logs.

With message capture set to ``EVENT_ONLY`` (or ``SPAN_AND_EVENT``), the official OpenTelemetry
GenAI instrumentation writes the messages of a model call as OTLP **log records**
(``gen_ai.client.inference.operation.details``; older ones ``gen_ai.user.message``,
``gen_ai.choice`` …) that carry the trace and span id of the span they belong to.

:class:`LogRecord` is the one shape every reader produces (OTLP JSON files, the receiver's
protobuf and JSON bodies, gRPC); joining records to their spans is done here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One OTLP log record, reduced to what joining it to a span needs."""

    trace_id: str  # lower-case hex, "" when the record has none
    span_id: str  # lower-case hex, "" when the record has none
    time_ns: int
    event_name: str  # OTLP ``eventName``, else the ``event.name`` attribute, else ""
    attributes: Mapping[str, Any]
    body: Any  # the decoded AnyValue body (str, dict, list, …) or None
    service: str = ""  # resource ``service.name``
