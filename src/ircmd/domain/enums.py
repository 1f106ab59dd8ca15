"""Parsing of the domain's string enums from what people type, in one place.

``parse_enum(Severity, "High", "severity")`` normalises the text (case, surrounding blanks,
``-`` and spaces as ``_``), applies the enum's aliases and raises ``error`` with the one
message every enum uses: ``unknown severity 'x'; use one of: low, medium, ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def enum_key(value: str) -> str:
    """The lookup form of typed text: ``" Near-Miss "`` -> ``"near_miss"``."""
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def parse_enum(
    enum_cls: type[E],
    value: str,
    what: str,
    *,
    aliases: Mapping[str, str] | None = None,
    allowed: str | None = None,
    error: type[Exception] = ValueError,
) -> E:
    """The member of ``enum_cls`` that ``value`` names, or ``error`` saying what is allowed.

    ``allowed`` replaces the default list of values in the message (e.g. ``"on or off"``).
    """
    key = enum_key(value)
    if aliases:
        key = aliases.get(key, key)
    try:
        return enum_cls(key)
    except ValueError:
        hint = allowed if allowed is not None else "one of: " + ", ".join(m.value for m in enum_cls)
        raise error(f"unknown {what} {value!r}; use {hint}") from None
