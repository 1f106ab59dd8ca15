"""Making untrusted text safe to show in a terminal.

Text from traces, alerts, backends and users is data: C0 and C1 control characters
(ESC, OSC and CSI introducers, BEL, DEL...) are replaced by visible escapes so that no
escape sequence reaches the terminal. Markup is handled by the display layer, which only
ever renders such text literally.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_WITH_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    if code == 0x1B:
        return "␛"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def sanitize(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character made visible.

    With ``keep_newlines`` newlines and tabs survive (for multi-line detail panes);
    otherwise they become visible too, so one value stays on one line.
    """
    s = text if isinstance(text, str) else str(text)
    if keep_newlines:
        return _CONTROL.sub(_visible, s.replace("\t", "    ")) if s else s
    return _CONTROL_WITH_NEWLINES.sub(_visible, s) if s else s


def one_line(text: object, limit: int | None = None) -> str:
    """Sanitised, whitespace folded to single spaces, optionally cut with an ellipsis."""
    s = " ".join(sanitize(text, keep_newlines=True).split())
    if limit is not None and len(s) > limit:
        return s[: max(0, limit - 1)] + "…"
    return s


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``1,204 spans``: the number with its noun agreed."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def newline_lines(text: str) -> list[str]:
    """``text`` split on ``\n`` only, a CRLF's ``\r`` dropped. ``str.splitlines`` also splits
    on U+2028, U+2029, U+0085 and other characters that JSON keeps raw inside strings and
    that a form's text area shows within one line, so its line numbers would not be the
    user's."""
    return [line.removesuffix("\r") for line in text.split("\n")]
