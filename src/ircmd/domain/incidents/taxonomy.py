"""Tags with a meaning: OWASP Top 10 for LLM Applications 2025 and MITRE ATLAS techniques.

A tag is free text (``refunds``, ``vendor:acme``), except that a tag that *looks like* a
framework id must be a real one: ``LLM01``…``LLM10`` (OWASP LLM Top 10, 2025 edition, written
``LLM06`` or ``LLM06:2025``) and ``AML.T0051`` / ``AML.T0051.000`` (MITRE ATLAS technique or
sub-technique). :func:`normalise_tag` returns the canonical spelling or raises
:class:`DomainError` naming what was wrong.
"""

from __future__ import annotations

import re

from ircmd.domain.incidents.incident import DomainError

OWASP_LLM_2025: dict[str, str] = {
    "LLM01": "Prompt Injection",
    "LLM02": "Sensitive Information Disclosure",
    "LLM03": "Supply Chain",
    "LLM04": "Data and Model Poisoning",
    "LLM05": "Improper Output Handling",
    "LLM06": "Excessive Agency",
    "LLM07": "System Prompt Leakage",
    "LLM08": "Vector and Embedding Weaknesses",
    "LLM09": "Misinformation",
    "LLM10": "Unbounded Consumption",
}

_OWASP_RE = re.compile(r"^LLM(\d{1,2})(?::2025)?$", re.IGNORECASE)
_OWASP_LIKE = re.compile(r"^LLM\d", re.IGNORECASE)
_ATLAS_RE = re.compile(r"^AML\.T(\d{4})(?:\.(\d{3}))?$", re.IGNORECASE)
_ATLAS_LIKE = re.compile(r"^AML[.\-]?T", re.IGNORECASE)
_MAX_TAG = 64


def normalise_tag(label: str) -> str:
    """Canonical tag text; framework ids are validated and upper-cased."""
    text = label.strip()
    if not text:
        raise DomainError("a tag needs a label")
    if any(ch.isspace() for ch in text):
        raise DomainError(f"a tag is one word (use - or _): {text!r}")
    if len(text) > _MAX_TAG:
        raise DomainError(f"a tag is at most {_MAX_TAG} characters")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in text):
        raise DomainError("a tag cannot contain control characters")
    m = _OWASP_RE.match(text)
    if m:
        key = f"LLM{int(m.group(1)):02d}"
        if key not in OWASP_LLM_2025:
            raise DomainError(f"{text!r} is not an OWASP LLM Top 10 2025 id; use LLM01…LLM10")
        return key
    if _OWASP_LIKE.match(text):
        raise DomainError(f"{text!r} is not an OWASP LLM Top 10 2025 id; use LLM01…LLM10")
    m = _ATLAS_RE.match(text)
    if m:
        return "AML.T" + m.group(1) + (f".{m.group(2)}" if m.group(2) else "")
    if _ATLAS_LIKE.match(text):
        raise DomainError(
            f"{text!r} is not a MITRE ATLAS technique id; expected AML.T0000 or AML.T0000.000"
        )
    return text


def describe_tag(tag: str) -> str:
    """``LLM06`` -> ``LLM06 Excessive Agency``; other tags unchanged."""
    name = OWASP_LLM_2025.get(tag)
    return f"{tag} {name}" if name else tag


def tag_suggestions() -> list[str]:
    """Completion candidates for ``tag``: the OWASP ids."""
    return list(OWASP_LLM_2025)
