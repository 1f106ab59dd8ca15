from __future__ import annotations

import pytest

from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.taxonomy import OWASP_LLM_2025, describe_tag, normalise_tag


def test_owasp_2025_names() -> None:
    assert OWASP_LLM_2025["LLM01"] == "Prompt Injection"
    assert OWASP_LLM_2025["LLM07"] == "System Prompt Leakage"
    assert OWASP_LLM_2025["LLM08"] == "Vector and Embedding Weaknesses"
    assert OWASP_LLM_2025["LLM10"] == "Unbounded Consumption"
    assert len(OWASP_LLM_2025) == 10


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("llm06", "LLM06"),
        ("LLM6", "LLM06"),
        ("LLM09:2025", "LLM09"),
        ("aml.t0051", "AML.T0051"),
        ("AML.T0051.000", "AML.T0051.000"),
        ("refunds", "refunds"),
    ],
)
def test_normalise(raw: str, clean: str) -> None:
    assert normalise_tag(raw) == clean


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("LLM11", "LLM01…LLM10"),
        ("LLM00", "LLM01…LLM10"),
        ("AML.T51", "AML.T0000"),
        ("AML-T0051", "AML.T0000"),
        ("two words", "one word"),
        ("", "needs a label"),
        ("x\x1b]52;c;SGVsbG8=\x07", "control"),
    ],
)
def test_bad_tags_are_refused_with_a_reason(raw: str, why: str) -> None:
    with pytest.raises(DomainError, match=why):
        normalise_tag(raw)


def test_describe() -> None:
    assert describe_tag("LLM06") == "LLM06 Excessive Agency"
    assert describe_tag("refunds") == "refunds"
