from __future__ import annotations

import pytest

from ircmd.domain.text import one_line, sanitize

HOSTILE = [
    "[@click=app.quit]x[/]",
    "[link=file:///etc/passwd]y",
    "[/]",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x9b31mred",
    "a\x1b[2Jb",
    "bell\x07",
    "nul\x00",
    "rtl\u202eevil",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_no_control_character_survives(payload: str) -> None:
    out = sanitize(payload)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "\u202e" not in out


def test_markup_is_left_as_text_for_the_display_layer() -> None:
    assert sanitize("[@click=app.quit]x[/]") == "[@click=app.quit]x[/]"


def test_escape_is_made_visible() -> None:
    assert sanitize("\x1b]52;c;SGVsbG8=\x07") == "␛]52;c;SGVsbG8=\\x07"
    assert sanitize("\x9b31m") == "\\x9b31m"


def test_newlines_are_kept_only_when_asked() -> None:
    assert sanitize("a\nb", keep_newlines=True) == "a\nb"
    assert sanitize("a\nb") == "a\\x0ab"
    assert one_line("a\n  b\tc", limit=4) == "a b…"


def test_count_agrees_the_noun() -> None:
    from ircmd.domain.text import count

    assert count(1, "error") == "1 error"
    assert count(0, "error") == "0 errors"
    assert count(1204, "span") == "1,204 spans"
    assert count(2, "analysis", "analyses") == "2 analyses"
