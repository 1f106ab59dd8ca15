"""Turning untrusted strings into Rich ``Text`` that is never parsed as markup."""

from __future__ import annotations

from rich.text import Text

from ircmd.domain.text import one_line, sanitize


def safe_text(value: object, style: str = "", *, limit: int | None = None) -> Text:
    """One line of data as literal text: control characters visible, markup inert."""
    return Text(one_line(value, limit), style=style, no_wrap=True, overflow="ellipsis")


def safe_block(value: object, style: str = "") -> Text:
    """Multi-line data as literal text."""
    return Text(sanitize(value, keep_newlines=True), style=style)
