"""Replay of a pinned LLM call: the request rebuilt from the span, the verdict from the reply.

The request is the span's input messages (tool calls and tool results kept), its tool
definitions (``gen_ai.tool.definitions``, OpenInference ``llm.tools.N.tool.json_schema``) and
parameters (``gen_ai.request.*``, OpenInference ``llm.invocation_parameters``), optionally with
another system prompt or model. The reply becomes a span of its own so the diff of two runs
compares it with the original; the verdict is ``same``, ``different`` or ``blocked`` (the
endpoint refused: a 4xx answer, or ``finish_reason`` ``content_filter``). A 4xx answer about
the caller rather than the request (a wrong token or URL, a rate limit, an unknown model:
:func:`not_a_refusal`) is a failed replay instead, so a wrong token never passes for a
guardrail."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from ircmd.domain.traces.spans import Span

Verdict = Literal["same", "different", "blocked"]

_PARAMS = {
    "gen_ai.request.temperature": "temperature",
    "gen_ai.request.top_p": "top_p",
    "gen_ai.request.max_tokens": "max_tokens",
    "gen_ai.request.seed": "seed",
    "gen_ai.request.frequency_penalty": "frequency_penalty",
    "gen_ai.request.presence_penalty": "presence_penalty",
}
_OI_PARAMS = ("temperature", "top_p", "max_tokens", "seed", "frequency_penalty", "stop")


def _maybe_json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return None
    return v


def _tools(span: Span) -> list[dict[str, Any]]:
    got = _maybe_json(span.attr("gen_ai.tool.definitions"))
    if isinstance(got, list):
        return [t for t in got if isinstance(t, dict)]
    out: list[dict[str, Any]] = []
    i = 0
    while True:
        schema = _maybe_json(span.attr(f"llm.tools.{i}.tool.json_schema"))
        if not isinstance(schema, dict):
            break
        out.append(schema)
        i += 1
    if out:
        return out
    params = _maybe_json(span.attr("llm.invocation_parameters"))
    if isinstance(params, dict) and isinstance(params.get("tools"), list):
        return list(params["tools"])
    return []


def replay_request(
    span: Span, model: str | None = None, system: str | None = None
) -> dict[str, Any]:
    """The chat completions body that re-sends ``span``'s request (``stream`` off)."""
    messages: list[dict[str, Any]] = []
    for m in span.input_messages:
        msg: dict[str, Any] = {"role": m.role, "content": m.content}
        if m.tool_calls:
            msg["tool_calls"] = [
                {
                    "id": c.id or f"call_{n}",
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for n, c in enumerate(m.tool_calls)
            ]
            if not m.content:
                msg["content"] = None
        if m.role == "tool":
            msg["tool_call_id"] = m.name or ""
        messages.append(msg)
    if system is not None:
        messages = [m for m in messages if m["role"] != "system"]
        messages.insert(0, {"role": "system", "content": system})
    body: dict[str, Any] = {
        "model": model or span.request_model or span.response_model or "",
        "messages": messages,
    }
    tools = _tools(span)
    if tools:
        body["tools"] = tools
    for attr, key in _PARAMS.items():
        v = span.attr(attr)
        if v is not None:
            body[key] = v
    oi = _maybe_json(span.attr("llm.invocation_parameters"))
    if isinstance(oi, dict):
        for key in _OI_PARAMS:
            if key in oi and key not in body:
                body[key] = oi[key]
    body["stream"] = False
    return body


def request_digest(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reply_span(original: Span, body: dict[str, Any], reply: Any) -> Span:
    """The reply as a GenAI span (same ids as the original, so the diff pairs them)."""
    choice: dict[str, Any] = {}
    if isinstance(reply, dict) and isinstance(reply.get("choices"), list) and reply["choices"]:
        choice = reply["choices"][0] if isinstance(reply["choices"][0], dict) else {}
    got = choice.get("message")
    msg: dict[str, Any] = got if isinstance(got, dict) else {}
    parts: list[dict[str, Any]] = []
    if msg.get("content"):
        parts.append({"type": "text", "content": str(msg["content"])})
    for c in msg.get("tool_calls") or []:
        fn = (c.get("function") or {}) if isinstance(c, dict) else {}
        parts.append(
            {
                "type": "tool_call",
                "id": c.get("id") if isinstance(c, dict) else None,
                "name": fn.get("name", ""),
                "arguments": _maybe_json(fn.get("arguments")) or fn.get("arguments"),
            }
        )
    out_msgs = [{"role": "assistant", "parts": parts, "finish_reason": choice.get("finish_reason")}]
    usage = reply.get("usage") if isinstance(reply, dict) else None
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": body.get("model"),
        "gen_ai.input.messages": (
            original.attr("gen_ai.input.messages")
            if body["messages"] == replay_request(original)["messages"]
            else None  # an edited prompt: the messages sent, so the diff shows the edit
        )
        or json.dumps(_genai_messages(body["messages"])),
        "gen_ai.output.messages": json.dumps(out_msgs),
    }
    if isinstance(reply, dict) and reply.get("model"):
        attrs["gen_ai.response.model"] = reply["model"]
    if isinstance(usage, dict):
        attrs["gen_ai.usage.input_tokens"] = usage.get("prompt_tokens")
        attrs["gen_ai.usage.output_tokens"] = usage.get("completion_tokens")
    if original.provider:
        attrs["gen_ai.provider.name"] = original.provider
    return Span(
        original.trace_id,
        original.span_id,
        name=original.name,
        start_ns=original.start_ns,
        end_ns=original.end_ns,
        # a 2xx answer: the original's OK/UNSET (instrumentations differ), UNSET after an error
        status_code="UNSET" if original.status_code == "ERROR" else original.status_code,
        attributes={k: v for k, v in attrs.items() if v is not None},
    )


def _genai_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat completions messages as GenAI ``gen_ai.input.messages`` (text, tool calls, tool
    results)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        parts: list[dict[str, Any]] = []
        if m.get("role") == "tool":
            parts.append(
                {
                    "type": "tool_call_response",
                    "id": m.get("tool_call_id"),
                    "response": m.get("content"),
                }
            )
        elif m.get("content"):
            parts.append({"type": "text", "content": m["content"]})
        for c in m.get("tool_calls") or []:
            fn = c.get("function") or {}
            parts.append(
                {
                    "type": "tool_call",
                    "id": c.get("id"),
                    "name": fn.get("name", ""),
                    "arguments": _maybe_json(fn.get("arguments")) or fn.get("arguments"),
                }
            )
        out.append({"role": m.get("role"), "parts": parts})
    return out


def _output_key(s: Span) -> tuple[str, list[tuple[str, Any]]]:
    text = " ".join(m.content for m in s.output_messages if m.content)
    calls = [(c.name, _maybe_json(c.arguments) or c.arguments) for c in s.requested_tool_calls]
    return " ".join(text.split()), calls


_NOT_A_REFUSAL_STATUS = frozenset({401, 404, 405, 407, 408, 429})
_NOT_A_REFUSAL_ERRORS = frozenset(
    {
        "auth_error",
        "authentication_error",
        "invalid_api_key",
        "no_db_connection",  # LiteLLM without a database, asked with a key it cannot check
        "permission_error",
        "not_found_error",
        "model_not_found",
        "rate_limit_error",
        "rate_limit_exceeded",
        "insufficient_quota",
    }
)


def not_a_refusal(status_code: int, reply: Any) -> bool:
    """True for a 4xx answer about the caller, not the request: 401/404/429 and the like, or
    an error whose ``type``/``code`` says authentication, permission, quota or an unknown model
    (LiteLLM answers a key it cannot check with 400 ``no_db_connection``). A bare 403 stays a
    refusal: some gateways refuse content with it."""
    if not 400 <= status_code < 500:
        return False
    if status_code in _NOT_A_REFUSAL_STATUS:
        return True
    err = reply.get("error") if isinstance(reply, dict) else None
    if isinstance(err, dict):
        kinds = {str(err.get("type") or "").lower(), str(err.get("code") or "").lower()}
        return bool(kinds & _NOT_A_REFUSAL_ERRORS)
    return False


def verdict(status_code: int, reply: Any, original: Span, replayed: Span | None) -> Verdict:
    if 400 <= status_code < 500:
        return "blocked"
    if isinstance(reply, dict):
        choices = reply.get("choices") or []
        first = choices[0] if choices else None
        if isinstance(first, dict) and first.get("finish_reason") == "content_filter":
            return "blocked"
    if replayed is None:
        return "different"
    return "same" if _output_key(original) == _output_key(replayed) else "different"


def output_text(reply: Any) -> str:
    """What the endpoint said: the first choice's text, or the error it gave."""
    if isinstance(reply, dict):
        choices = reply.get("choices") or []
        if choices and isinstance(choices[0], dict):
            msg = choices[0].get("message") or {}
            return str(msg.get("content") or "")
        err = reply.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err)
        return str(err or "")
    return str(reply)
