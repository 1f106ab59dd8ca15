"""A small OpenAI-compatible HTTP server on 127.0.0.1 (the paid API is the one stand-in):
``POST /v1/chat/completions`` answers with a tool call ``issue_refund(account_id, amount)``,
or with text once the conversation holds the tool's result; ``POST /v1/embeddings``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RESPONSE_MODEL = "gpt-4o-mini-2024-07-18"
EMBED_MODEL = "text-embedding-3-small"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, doc: dict[str, Any], status: int = 200) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        n = int(self.headers.get("content-length") or 0)
        req = json.loads(self.rfile.read(n) or b"{}")
        self.server.requests.append(req)  # type: ignore[attr-defined]
        if self.path.endswith("/embeddings"):
            inputs = req.get("input")
            items = inputs if isinstance(inputs, list) else [inputs]
            self._send(
                {
                    "object": "list",
                    "model": EMBED_MODEL,
                    "data": [
                        {"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                        for i, _ in enumerate(items)
                    ],
                    "usage": {"prompt_tokens": 4, "total_tokens": 4},
                }
            )
            return
        if getattr(self.server, "refuse", False):  # a gateway guardrail's refusal
            self._send(
                {"error": {"message": "blocked by content filter", "code": "content_filter"}},
                status=400,
            )
            return
        msgs = req.get("messages") or []
        amount = getattr(self.server, "amount", 120.5)  # the refund the model asks for
        if any(m.get("role") == "tool" for m in msgs):
            message: dict[str, Any] = {"role": "assistant", "content": "Refund issued."}
            finish = "stop"
        else:
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_refund_1",
                        "type": "function",
                        "function": {
                            "name": "issue_refund",
                            "arguments": json.dumps({"account_id": "A-1042", "amount": amount}),
                        },
                    }
                ],
            }
            finish = "tool_calls"
        self._send(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": RESPONSE_MODEL,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 42, "completion_tokens": 17, "total_tokens": 59},
            }
        )


class FakeOpenAI:
    def __init__(self, amount: float = 120.5, refuse: bool = False) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.amount = amount  # type: ignore[attr-defined]
        self.server.refuse = refuse  # type: ignore[attr-defined]
        self.server.requests = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request bodies received, oldest first."""
        return self.server.requests  # type: ignore[attr-defined,no-any-return]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
