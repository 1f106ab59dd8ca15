"""One OpenAI-compatible ``POST {url}/chat/completions`` (vLLM, Ollama, LiteLLM, OpenAI and
most gateways speak it). The token is read from the environment at call time and never
stored or logged. Nothing here executes the tool calls a response asks for."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class ChatReply:
    status_code: int
    body: Any
    """The decoded JSON body, or the text when it is not JSON."""


class ModelEndpointError(Exception):
    """The endpoint could not be reached or did not answer in time."""


async def chat_completion(
    url: str, body: dict[str, Any], token_env: str | None = None, timeout: float = 60.0
) -> ChatReply:
    headers = {"content-type": "application/json"}
    if token_env:
        token = os.environ.get(token_env)
        if not token:
            raise ModelEndpointError(f"environment variable {token_env} is not set")
        headers["authorization"] = f"Bearer {token}"
    target = url.rstrip("/") + "/chat/completions"
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            resp = await client.post(target, content=json.dumps(body), headers=headers)
    except httpx.HTTPError as exc:
        raise ModelEndpointError(f"{target}: {type(exc).__name__}: {exc}") from None
    try:
        decoded: Any = resp.json()
    except ValueError:
        decoded = resp.text[:10_000]
    return ChatReply(resp.status_code, decoded)
