"""LangChain (langchain-core) under a real instrumentation, exporting with the real OTLP HTTP
protobuf exporter: ``python produce_langchain.py LIBRARY OTLP_ENDPOINT [BASE_URL]``.

LIBRARY: ``openinference`` (openinference-instrumentation-langchain) or ``openllmetry``
(opentelemetry-instrumentation-langchain). Without BASE_URL a chain runs the
``issue_refund`` tool; with it a langchain-openai ``ChatOpenAI`` bound to that tool talks to
the OpenAI-compatible server there: the model asks for the refund, the tool runs, the model
answers (two chat-model calls, one tool run)."""

from __future__ import annotations

import sys
from typing import Any

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def main() -> int:
    library, endpoint = sys.argv[1:3]
    base_url = sys.argv[3] if len(sys.argv) > 3 else None
    tp = TracerProvider(resource=Resource.create({"service.name": f"refunds-lc-{library}"}))
    tp.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")))
    trace.set_tracer_provider(tp)
    if library == "openinference":
        from openinference.instrumentation.langchain import LangChainInstrumentor

        LangChainInstrumentor().instrument(tracer_provider=tp)
    elif library == "openllmetry":
        from opentelemetry.instrumentation.langchain import LangchainInstrumentor

        LangchainInstrumentor().instrument(tracer_provider=tp)
    else:
        raise SystemExit(f"unknown library {library}")

    from langchain_core.runnables import RunnableLambda
    from langchain_core.tools import tool

    @tool
    def issue_refund(account_id: str, amount: float) -> str:
        """Refund an account."""
        return f"refunded {amount} to {account_id}"

    if base_url is not None:
        from langchain_core.messages import HumanMessage, SystemMessage
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(model="gpt-4o-mini", base_url=base_url, api_key="test-key")
        bound = model.bind_tools([issue_refund])
        messages: list[Any] = [
            SystemMessage("You are the refunds agent."),
            HumanMessage("Please refund account A-1042 for the double charge."),
        ]
        with trace.get_tracer("refunds-app").start_as_current_span("handle refund request"):
            asked = bound.invoke(messages)
            messages.append(asked)
            for call in asked.tool_calls:
                messages.append(issue_refund.invoke(call))
            print(bound.invoke(messages).content)
        tp.shutdown()
        return 0

    chain: Any = RunnableLambda(lambda req: {"account_id": req["account"], "amount": req["amount"]})
    chain = chain | issue_refund
    chain.invoke({"account": "A-1042", "amount": 120.5})
    chain.invoke({"account": "A-2001", "amount": 9.0})
    tp.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
