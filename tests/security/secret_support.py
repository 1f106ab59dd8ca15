"""Shared pieces of the secret-scrubbing tests: token strategies, an echoing handler and
the check that no piece of a secret (nor its base64) survives anywhere."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import httpx
from hypothesis import strategies as st

# Filler never contains a token character, so a token piece found in output is a leak.
FILLER = " <>{}:,=!?#|()[]"


def _token(seed: int, size: int) -> str:
    """A random-looking token (never a word or a run of zeros found in ordinary output)."""
    raw = hashlib.sha256(f"ircmd-secret-{seed}".encode()).digest()
    return base64.urlsafe_b64encode(raw * 2).decode()[:size]


tokens = st.builds(_token, st.integers(0, 2**64), st.integers(16, 64))
# Padding that puts the echoed secret across the old cut positions (40, 60, 80, 120, 160, 200).
pads = st.integers(min_value=0, max_value=260)

PIECE = 8
"""A leak is any run of this many characters of a secret (or of its base64)."""


def b64_forms(secret: str, user: str = "") -> list[str]:
    """The base64 of ``secret`` and the part of ``base64(user:secret)`` its bytes decide."""
    forms = [base64.b64encode(secret.encode()).decode()]
    if user:
        basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
        forms.append(basic[-(-(len(user) + 1) * 8 // 6) :])
    return forms


def leaks(text: str, secrets: Iterable[str], user: str = "") -> list[str]:
    """Every ``PIECE``-long run of a secret or of its base64 forms that ``text`` contains."""
    found: list[str] = []
    for secret in secrets:
        for form in [secret, *b64_forms(secret, user)]:
            core = form.rstrip("=")
            for i in range(len(core) - PIECE + 1):
                piece = core[i : i + PIECE]
                if piece in text:
                    found.append(piece)
                    break
    return found


def echo_body(pad: int, auth: str) -> str:
    """An error page that echoes the Authorization header three ways, the secret placed
    ``pad`` characters in (so it crosses a cut)."""
    lead = (FILLER * (pad // len(FILLER) + 1))[:pad]
    value = auth.split(" ", 1)[-1]
    return (
        f"{lead}Authorization: {auth} | "
        + json.dumps({"headers": {"authorization": auth}, "you_sent": value})
        + f" {FILLER}"
    )


def echo_handler(pad: int, status: int = 500) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        return httpx.Response(status, text=echo_body(pad, auth))

    return httpx.MockTransport(handle)


def all_text(root: Path) -> str:
    """Every file under ``root`` (or ``root`` itself) as text."""
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in paths)
