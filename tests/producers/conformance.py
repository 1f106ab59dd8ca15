"""The transports section of ``docs/traces-conformance.md``: each row names the test that
proves it (``test_producers_receive`` runs its rows from :data:`RECEIVE_RUNS`)."""

from __future__ import annotations

RECEIVE_RUNS = [
    # (library, capture mode, exporter protocol): each exports traces + logs to ircmd receive
    ("otel-v2", "EVENT_ONLY", "http"),
    ("otel-v2", "EVENT_ONLY", "grpc"),
    ("openinference", "-", "grpc"),
]
DISTS = {
    "otel-v2": "opentelemetry-instrumentation-openai-v2",
    "openinference": "openinference-instrumentation-openai",
}
EXPORTERS = {
    "http": "opentelemetry-exporter-otlp-proto-http (OTLP/HTTP protobuf)",
    "grpc": "opentelemetry-exporter-otlp-proto-grpc (OTLP/gRPC)",
}
INTO = {
    "http": "`ircmd receive`: `POST /v1/traces` + `POST /v1/logs`",
    "grpc": "`ircmd receive`: gRPC `TraceService/Export` + `LogsService/Export`",
}


def transport_rows() -> list[dict[str, str]]:
    rows = [
        {
            "producer": "every row above",
            "exporter": EXPORTERS["http"],
            "signals": "traces; logs too where written (otel-v2 EVENT_ONLY, SPAN_AND_EVENT)",
            "into": "a collector writing OTLP JSON lines (file)",
            "read back": "`ircmd trace` on the file; log records joined to their spans",
            "test": "`tests/producers/test_openai_producers.py`",
        }
    ]
    for library, mode, proto in RECEIVE_RUNS:
        rows.append(
            {
                "producer": DISTS[library] + (f" ({mode})" if mode != "-" else ""),
                "exporter": EXPORTERS[proto],
                "signals": "traces + logs"
                + (" (messages only in the log records)" if mode == "EVENT_ONLY" else ""),
                "into": INTO[proto],
                "read back": "`trace find --spool` (tool, model, `--arg`), `trace show --spool`"
                " (messages)",
                "test": "`tests/producers/test_producers_receive.py`",
            }
        )
    rows.append(
        {
            "producer": "OpenAI SDK (otel-v2, OpenInference, OpenLLMetry) and Agents SDK"
            " (both Agents instrumentations)",
            "exporter": EXPORTERS["http"],
            "signals": "traces",
            "into": "Arize Phoenix 20.26.1 (`/v1/traces`)",
            "read back": "the `phoenix` source (REST), field by field against the file",
            "test": "`tests/producers/test_producers_phoenix.py`",
        }
    )
    return rows


def render_transports() -> list[str]:
    cols = ["producer", "exporter", "signals", "into", "read back", "test"]
    lines = [
        "## Transports",
        "",
        "How the spans and log records above reached ircmd in the tests (OTLP/HTTP JSON is",
        "read from files and by the receiver too; it is unit-tested, not driven by a producer).",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---" for _ in cols) + "|",
    ]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in transport_rows()]
    return lines
