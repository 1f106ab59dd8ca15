"""The review form's line parsers count lines as the form shows them: ``\\n`` only."""

from __future__ import annotations

import pytest

from ircmd.domain.evidence.review import parse_actions, parse_controls, parse_list
from ircmd.domain.incidents.incident import DomainError


def test_a_line_separator_inside_an_item_stays_in_the_item() -> None:
    assert parse_list("one\u2028still one\nTwo\r\n") == ["one still one", "Two"]
    actions = parse_actions("Fix prompt\u2029v2 | maria | 2026-12-10\r\nAdd eval")
    assert [a.title for a in actions] == ["Fix prompt v2", "Add eval"]


def test_line_numbers_in_errors_are_the_forms_lines() -> None:
    with pytest.raises(DomainError, match="action line 2"):
        parse_actions("a\u0085b | x\nc | d | not-a-date")
    assert len(parse_controls("+refund-tool: held\u2028well\n")) == 1
