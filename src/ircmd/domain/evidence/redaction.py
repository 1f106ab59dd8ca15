"""Redacting an evidence export for its audience (never the store: only copies are redacted).

Three profiles (``[redaction.profiles.<name>]`` in the config may change the pattern types):

- ``internal``: secrets from the config/env only (values of the variables named by any
  ``token_env`` / ``dsn_env``); those never appear in any profile.
- ``legal``: keeps message contents, redacts secrets: API keys, bearer tokens, payment
  card numbers (Luhn-checked) and the config/env secrets.
- ``external``: everything above plus emails, phone numbers, IP addresses and the custom
  ``[redaction].patterns``; message contents, tool arguments and notes are replaced whole.

Each redaction leaves a typed placeholder, ``[REDACTED:email]``, and is counted per type.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ircmd.domain.enums import parse_enum
from ircmd.domain.secrets import scrub, secret_forms


class Profile(StrEnum):
    INTERNAL = "internal"
    LEGAL = "legal"
    EXTERNAL = "external"

    @classmethod
    def parse(cls, value: str) -> Profile:
        return parse_enum(cls, value, "export profile")


# Placeholder types. ``secret`` is a value of a configured token/DSN variable.
SECRET = "secret"
EMAIL = "email"
PHONE = "phone"
PAYMENT_CARD = "payment_card"
API_KEY = "api_key"
BEARER_TOKEN = "bearer_token"
IP_ADDRESS = "ip_address"
MESSAGE_CONTENT = "message_content"
TOOL_ARGUMENTS = "tool_arguments"
NOTE = "note"

BUILTIN_TYPES = (EMAIL, PHONE, PAYMENT_CARD, API_KEY, BEARER_TOKEN, IP_ADDRESS)

DEFAULT_PROFILE_TYPES: dict[Profile, tuple[str, ...]] = {
    Profile.INTERNAL: (),
    Profile.LEGAL: (API_KEY, BEARER_TOKEN, PAYMENT_CARD),
    Profile.EXTERNAL: (*BUILTIN_TYPES, "custom"),
}
DEFAULT_PROFILE_CONTENT: dict[Profile, bool] = {
    Profile.INTERNAL: False,
    Profile.LEGAL: False,
    Profile.EXTERNAL: True,
}

MIN_SECRET_LENGTH = 6
"""Shorter configured secret values are not searched for (they would match everywhere)."""


def placeholder(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a digit string (payment card numbers pass it)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_B = r"(?<![A-Za-z0-9_])"  # not inside a word or a hex digest
_E = r"(?![A-Za-z0-9_])"

_EMAIL = re.compile(_B + r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}" + _E)
_CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w.+-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w-])"
    r"|(?<![\w.+-])\+\d{8,15}(?![\w-])"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{8,})")
_API_KEYS = [
    re.compile(r"\bsk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    re.compile(r"\b(?:pk|rk|sk)_(?:live|test)_[A-Za-z0-9]{16,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    re.compile(r"\b(?:user|project|default|\*):[A-Za-z0-9._-]+\.[0-9a-f]{32,}"),  # Unleash
]
# ``api_key=...``, ``"password": "..."``: the value after a secret-sounding name.
_KEYVALUE = re.compile(
    r"(?i)\b((?:api[_-]?key|apikey|secret|token|passwd|password|access[_-]?key|client[_-]?secret)"
    r"[\"']?\s*[:=]\s*[\"']?)([^\s\"',;}]{8,})"
)
_IP_CANDIDATE = re.compile(
    r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])"
)
_HEX_ONLY = re.compile(r"^[0-9a-fA-F-]+$")

# Keys whose (hex-only) values are identifiers and digests, never personal data.
STRUCTURAL_KEYS = frozenset(
    {
        "hash",
        "prev_hash",
        "digest",
        "sha256",
        "span_digest",
        "trace_id",
        "span_id",
        "parent_span_id",
        "parent_id",
        "traceid",
        "spanid",
        "parentspanid",
    }
)

# Keys whose whole value is message content or tool arguments (external profile).
_CONTENT_KEY = re.compile(
    r"(?ix)^(?:"
    r"gen_ai\.(?:input|output)\.messages|gen_ai\.system_instructions|"
    r"gen_ai\.prompt(?:\.\d+(?:\..*)?)?|gen_ai\.completion(?:\.\d+(?:\..*)?)?|"
    r"gen_ai\.retrieval\.documents.*|gen_ai\.retrieval\.query\.text|reranker\.query|"
    r"input\.value|output\.value|llm\.(?:input|output)_messages.*|"
    r"llm\.prompts.*|llm\.prompt_template\.(?:template|variables)|"
    r"retrieval\.documents\..*\.document\.content|reranker\..*documents.*content|"
    r"messages|input_messages|output_messages|prompt|completion|content|"
    r"documents|retrieved_documents|system_prompt|output_text|input_text|bad_output|"
    r"message\.content.*|.*\.message\.content.*"
    r")$"
)
_TOOL_KEY = re.compile(
    r"(?ix)^(?:"
    r"gen_ai\.tool\.call\.(?:arguments|result)|tool\.parameters|tool_call\.function\.arguments|"
    r".*tool_calls\..*function\.arguments|arguments|tool_arguments|tool_args|tool_result|"
    r"tool_input|tool_output"
    r")$"
)


def content_kind(key: str) -> str | None:
    """``message_content`` / ``tool_arguments`` when ``key`` names content, else None."""
    if _TOOL_KEY.match(key):
        return TOOL_ARGUMENTS
    if _CONTENT_KEY.match(key):
        return MESSAGE_CONTENT
    return None


def _is_ip(candidate: str) -> bool:
    if candidate.count(":") < 2 and candidate.count(".") != 3:
        return False
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


@dataclass
class Redactor:
    """Redacts strings and JSON-like values; ``counts`` accumulates per placeholder type."""

    types: frozenset[str]
    content: bool = False
    secrets: tuple[str, ...] = ()
    custom: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def for_profile(
        cls,
        profile: Profile,
        *,
        secrets: Iterable[str] = (),
        custom_patterns: Mapping[str, str] | None = None,
        types: Iterable[str] | None = None,
        content: bool | None = None,
    ) -> Redactor:
        chosen = set(DEFAULT_PROFILE_TYPES[profile] if types is None else types)
        custom: dict[str, re.Pattern[str]] = {}
        for name, pattern in (custom_patterns or {}).items():
            if "custom" in chosen or name in chosen:
                try:
                    custom[name] = re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"[redaction].patterns.{name}: bad regex: {exc}") from None
        # Longest first, so a secret that contains another is replaced whole.
        # Each value in every form it can leave in (percent-encoded, base64 at any alignment,
        # its DSN/URL password), so a Basic header built from it is caught too.
        forms: set[str] = set()
        for s in secrets:
            if s and len(s) >= MIN_SECRET_LENGTH:
                forms |= {f for f in secret_forms(s) if len(f) >= MIN_SECRET_LENGTH}
        values = sorted(forms, key=len, reverse=True)
        return cls(
            types=frozenset(chosen),
            content=DEFAULT_PROFILE_CONTENT[profile] if content is None else content,
            secrets=tuple(values),
            custom=custom,
        )

    # -- strings -------------------------------------------------------------------------
    def _sub(
        self, pattern: re.Pattern[str], kind: str, text: str, check: Callable[[str], bool]
    ) -> str:
        def repl(m: re.Match[str]) -> str:
            if not check(m.group(0)):
                return m.group(0)
            self.counts[kind] += 1
            return placeholder(kind)

        return pattern.sub(repl, text)

    def text(self, value: str) -> str:
        """``value`` with every secret and enabled pattern replaced by its placeholder."""
        if not value:
            return value
        out = value
        for secret in self.secrets:
            if secret in out:
                self.counts[SECRET] += out.count(secret)
                out = out.replace(secret, placeholder(SECRET))
        t = self.types
        if BEARER_TOKEN in t:

            def bearer(m: re.Match[str]) -> str:
                if m.group(3).startswith("[REDACTED"):
                    return m.group(0)
                self.counts[BEARER_TOKEN] += 1
                return f"{m.group(1)}{m.group(2)}{placeholder(BEARER_TOKEN)}"

            out = _BEARER.sub(bearer, out)
        if API_KEY in t:
            for pattern in _API_KEYS:
                out = self._sub(pattern, API_KEY, out, lambda _s: True)

            def keyvalue(m: re.Match[str]) -> str:
                if m.group(2).startswith("[REDACTED"):
                    return m.group(0)
                self.counts[API_KEY] += 1
                return m.group(1) + placeholder(API_KEY)

            out = _KEYVALUE.sub(keyvalue, out)
        for name, pattern in self.custom.items():
            out = self._sub(pattern, name, out, lambda _s: True)
        if EMAIL in t:
            out = self._sub(_EMAIL, EMAIL, out, lambda _s: True)
        if PAYMENT_CARD in t:
            out = self._sub(_CARD, PAYMENT_CARD, out, lambda s: luhn_ok(re.sub(r"[ -]", "", s)))
        if IP_ADDRESS in t:
            out = self._sub(_IP_CANDIDATE, IP_ADDRESS, out, _is_ip)
        if PHONE in t:
            out = self._sub(_PHONE, PHONE, out, _phone_ok)
        # Last, whatever the profile: URL userinfo, Authorization headers, Bearer/Basic
        # credentials the typed patterns above left (those keep their own placeholder).
        mark = placeholder(SECRET)
        scrubbed = scrub(out, mask=mark)
        if scrubbed != out:
            self.counts[SECRET] += scrubbed.count(mark) - out.count(mark)
            out = scrubbed
        return out

    # -- structures ------------------------------------------------------------------------
    def value(self, value: Any, key: str = "") -> Any:
        """A redacted copy of a JSON-like value. ``key`` is the name it is stored under."""
        if key:
            k = key.lower()
            if self.content:
                kind = content_kind(k)
                if kind is not None and value not in (None, "", [], {}):
                    self.counts[kind] += 1
                    return placeholder(kind)
            if k in STRUCTURAL_KEYS and isinstance(value, str) and _HEX_ONLY.match(value):
                return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            # OTLP attribute form: {"key": "gen_ai.prompt", "value": {...}}
            if self.content and isinstance(value.get("key"), str) and "value" in value:
                kind = content_kind(value["key"].lower())
                if kind is not None:
                    self.counts[kind] += 1
                    return {**value, "value": {"stringValue": placeholder(kind)}}
            return {k2: self.value(v, str(k2)) for k2, v in value.items()}
        if isinstance(value, list | tuple):
            if _is_pairs(value):  # attributes as [[key, value], ...]
                return [[k, self.value(v, k)] for k, v in value]
            return [self.value(v, key if _indexed(key) else "") for v in value]
        return value

    def note(self, text: str) -> str:
        """A free-text note: replaced whole under a content-redacting profile."""
        if self.content and text:
            self.counts[NOTE] += 1
            return placeholder(NOTE)
        return self.text(text)

    def summary(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


def _is_pairs(value: list[Any] | tuple[Any, ...]) -> bool:
    return bool(value) and all(
        isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str)
        for item in value
    )


def _indexed(key: str) -> bool:
    """List items inherit the key of a content list (``messages: [...]``)."""
    return bool(key) and content_kind(key.lower()) is not None


def _phone_ok(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 8 <= len(digits) <= 15:
        return False
    # Dates (2026-11-28, 28.11.2026), alone or followed by a time, are not phone numbers.
    c = candidate.strip()
    if re.match(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:$|[ T])", c):
        return False
    if re.match(r"\d{1,2}[-./]\d{1,2}[-./]\d{4}(?:$|[ T])", c):
        return False
    return (
        candidate.startswith("+") or any(sep in candidate for sep in " .-()") or len(digits) >= 10
    )
