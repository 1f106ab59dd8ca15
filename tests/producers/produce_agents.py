"""The OpenAI Agents SDK under a real instrumentation, driven for real against an
OpenAI-compatible server, exporting with the real OTLP HTTP protobuf exporter:
``python produce_agents.py LIBRARY BASE_URL OTLP_ENDPOINT``.

LIBRARY: ``openinference`` (openinference-instrumentation-openai-agents) or ``otel-v2``
(opentelemetry-instrumentation-openai-agents-v2). One agent run: the model asks for
``issue_refund``, the SDK runs the tool, the model answers. The SDK's own exporter to the
OpenAI platform is removed first (nothing leaves 127.0.0.1)."""

from __future__ import annotations

import os
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

SYSTEM = "You are the refunds agent."
USER = "Please refund account A-1042 for the double charge."


def main() -> int:
    library, base_url, endpoint = sys.argv[1:4]
    from agents import (
        Agent,
        OpenAIChatCompletionsModel,
        Runner,
        function_tool,
        set_trace_processors,
    )
    from openai import AsyncOpenAI

    set_trace_processors([])  # no export to the OpenAI platform
    attrs = {"service.name": f"refunds-agents-{library}"}
    if project := os.environ.get("PRODUCER_PROJECT"):  # the Phoenix project
        attrs["openinference.project.name"] = project
    tp = TracerProvider(resource=Resource.create(attrs))
    tp.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")))
    trace.set_tracer_provider(tp)
    if library == "openinference":
        from openinference.instrumentation.openai_agents import OpenAIAgentsInstrumentor

        OpenAIAgentsInstrumentor().instrument(tracer_provider=tp)
    elif library == "otel-v2":
        from opentelemetry.instrumentation.openai_agents import OpenAIAgentsInstrumentor as V2

        V2().instrument(tracer_provider=tp)
    else:
        raise SystemExit(f"unknown library {library}")

    @function_tool
    def issue_refund(account_id: str, amount: float) -> str:
        """Refund an account."""
        return f"refunded {amount} to {account_id}"

    client = AsyncOpenAI(base_url=base_url, api_key="test-key", max_retries=0)
    agent = Agent(
        name="refunds",
        instructions=SYSTEM,
        model=OpenAIChatCompletionsModel(model="gpt-4o-mini", openai_client=client),
        tools=[issue_refund],
    )
    result = Runner.run_sync(agent, USER)
    print(result.final_output)
    tp.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
