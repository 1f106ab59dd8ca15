"""One real instrumentation of the OpenAI SDK, driven for real, exporting with the real OTLP
HTTP protobuf exporters (OTLP/gRPC with ``PRODUCER_OTLP=grpc``):
``python produce_openai.py LIBRARY BASE_URL OTLP_ENDPOINT``.

LIBRARY: ``otel-v2`` (opentelemetry-instrumentation-openai-v2; message capture from
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``), ``openinference``
(openinference-instrumentation-openai), ``openllmetry`` (opentelemetry-instrumentation-openai).
Each runs in its own process: the instrumentations patch the same SDK."""

from __future__ import annotations

import contextlib
import json
import os
import sys

from opentelemetry import trace
from opentelemetry._logs import set_logger_provider
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "issue_refund",
            "description": "Refund an account",
            "parameters": {
                "type": "object",
                "properties": {"account_id": {"type": "string"}, "amount": {"type": "number"}},
                "required": ["account_id", "amount"],
            },
        },
    }
]
SYSTEM = os.environ.get("PRODUCER_SYSTEM", "You are the refunds agent.")  # a changed prompt
USER = "Please refund account A-1042 for the double charge."


def main() -> int:
    library, base_url, endpoint = sys.argv[1:4]
    resource = Resource.create(
        {"service.name": f"refunds-{library}"}
        | ({"openinference.project.name": p} if (p := os.environ.get("PRODUCER_PROJECT")) else {})
    )
    tp = TracerProvider(resource=resource)
    lp = LoggerProvider(resource=resource)
    if os.environ.get("PRODUCER_OTLP") == "grpc":  # OTLP/gRPC to ENDPOINT (http://host:port)
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import (
            OTLPLogExporter as GrpcLogExporter,
        )
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
            OTLPSpanExporter as GrpcSpanExporter,
        )

        tp.add_span_processor(BatchSpanProcessor(GrpcSpanExporter(endpoint, insecure=True)))
        lp.add_log_record_processor(
            BatchLogRecordProcessor(GrpcLogExporter(endpoint, insecure=True))
        )
    else:
        tp.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces"))
        )
        lp.add_log_record_processor(
            BatchLogRecordProcessor(OTLPLogExporter(endpoint=f"{endpoint}/v1/logs"))
        )
    trace.set_tracer_provider(tp)
    set_logger_provider(lp)
    if library == "otel-v2":
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=tp, logger_provider=lp)  # type: ignore[no-untyped-call]
    elif library == "openinference":
        from openinference.instrumentation.openai import OpenAIInstrumentor as OI

        OI().instrument(tracer_provider=tp)
    elif library == "openllmetry":
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor as TL

        TL().instrument(tracer_provider=tp)
    else:
        raise SystemExit(f"unknown library {library}")

    import openai

    client = openai.OpenAI(base_url=base_url, api_key="test-key", max_retries=0)
    turn = contextlib.ExitStack()  # PRODUCER_SESSION: one turn of a conversation (a root span)
    session, user = os.environ.get("PRODUCER_SESSION"), os.environ.get("PRODUCER_USER", "")
    if session:
        ids = {"gen_ai.conversation.id": session, "session.id": session, "user.id": user}
        tracer = tp.get_tracer("refunds-app")
        turn.enter_context(tracer.start_as_current_span("refunds-turn", attributes=ids))
        if library == "openinference":
            from openinference.instrumentation import using_session, using_user

            turn.enter_context(using_session(session))
            turn.enter_context(using_user(user))
    version = os.environ.get("PRODUCER_PROMPT_VERSION")  # the prompt version this run uses
    if version and library == "openinference":
        from openinference.instrumentation import using_prompt_template

        turn.enter_context(using_prompt_template(template=SYSTEM, version=version))
    messages: list[dict[str, object]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": USER},
    ]
    try:
        first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)  # type: ignore[arg-type]
    except openai.APIStatusError:  # the server refused: a failed run, when one is expected
        if not os.environ.get("PRODUCER_EXPECT_ERROR"):
            raise
        turn.close()
        tp.shutdown()
        lp.shutdown()
        return 0
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    messages.append(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.function.name, "arguments": call.function.arguments},  # type: ignore[union-attr]
                }
            ],
        }
    )
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps({"ok": True})})
    client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)  # type: ignore[arg-type]
    client.embeddings.create(model="text-embedding-3-small", input=["refund policy"])
    turn.close()
    tp.shutdown()
    lp.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
