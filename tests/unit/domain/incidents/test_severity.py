"""The severity rule: floors from the seed, reasons in words, uncertainty, stored form."""

from __future__ import annotations

import pytest

from ircmd.domain.incidents.incident import DomainError, Severity
from ircmd.domain.incidents.severity import (
    FACTORS,
    IMMEDIATE_RESPONSE,
    Factor,
    SeverityAssessment,
    assess,
    checklist_item,
    meaning,
)

F = Factor


def test_every_factor_has_four_one_line_meanings() -> None:
    assert set(FACTORS) == set(Factor)
    for spec in FACTORS.values():
        assert len(spec.meanings) == 4
        assert all(m and "\n" not in m for m in spec.meanings)


def test_nothing_scored_is_low_and_says_why() -> None:
    v = assess({})
    assert v.level == Severity.LOW
    assert "internal-only" in v.why


@pytest.mark.parametrize(
    ("scores", "level", "why"),
    [
        ({F.DATA_SENSITIVITY: 2, F.CUSTOMER_EXPOSURE: 2}, Severity.HIGH, "sensitive data exposed"),
        ({F.AUTONOMY: 3}, Severity.CRITICAL, "uncontrolled autonomous action"),
        ({F.REGULATORY: 3}, Severity.CRITICAL, "regulated high-risk system"),
        ({F.BLAST_RADIUS: 3, F.CUSTOMER_EXPOSURE: 2}, Severity.CRITICAL, "broad harm"),
        ({F.DATA_SENSITIVITY: 3, F.CUSTOMER_EXPOSURE: 2}, Severity.CRITICAL, "regulated data"),
        ({F.CUSTOMER_EXPOSURE: 2, F.REVERSIBILITY: 2}, Severity.HIGH, "hard to undo"),
        ({F.RECURRENCE: 2, F.BLAST_RADIUS: 1}, Severity.HIGH, "repeated failure"),
        ({F.REGULATORY: 2}, Severity.HIGH, "regulatory reporting"),
        ({F.CUSTOMER_EXPOSURE: 1}, Severity.MEDIUM, "customers could see it"),
        ({F.BLAST_RADIUS: 2}, Severity.MEDIUM, "blast radius"),
        ({F.BLAST_RADIUS: 1, F.REVERSIBILITY: 1}, Severity.LOW, "internal-only"),
    ],
)
def test_floors(scores: dict[Factor, int], level: Severity, why: str) -> None:
    v = assess(scores)
    assert v.level == level
    assert why in v.why


def test_sum_of_many_moderate_factors_reaches_high() -> None:
    scores = dict.fromkeys(Factor, 1)
    assert assess(scores).level == Severity.MEDIUM  # total 8
    scores.update({F.BLAST_RADIUS: 3, F.REVERSIBILITY: 3, F.UNCERTAINTY: 3})  # total 14
    v = assess(scores)
    assert v.level == Severity.HIGH
    assert v.reasons == ("many factors together (total 14/24)",)


def test_uncertainty_raises_one_level_but_not_above_high() -> None:
    assert assess({F.UNCERTAINTY: 3}).level == Severity.HIGH  # 3 alone is Medium, raised
    v = assess({F.UNCERTAINTY: 3, F.CUSTOMER_EXPOSURE: 1})
    assert v.level == Severity.HIGH
    assert v.reasons[0].startswith("raised one level")
    high = assess({F.UNCERTAINTY: 3, F.REGULATORY: 2})
    assert high.level == Severity.HIGH  # not raised to Critical by uncertainty alone


def test_only_the_decisive_level_reasons_are_reported() -> None:
    v = assess({F.AUTONOMY: 3, F.CUSTOMER_EXPOSURE: 1})
    assert v.level == Severity.CRITICAL
    assert "customers could see it" not in v.why


@pytest.mark.parametrize("bad", [-1, 4, True, "2"])
def test_scores_out_of_range_are_refused(bad: object) -> None:
    with pytest.raises(DomainError, match="0, 1, 2 or 3"):
        assess({F.AUTONOMY: bad})  # type: ignore[dict-item]


def test_factor_parse_accepts_aliases_and_names_the_choices() -> None:
    assert Factor.parse("blast") == F.BLAST_RADIUS
    assert Factor.parse("customer-exposure") == F.CUSTOMER_EXPOSURE
    with pytest.raises(DomainError, match="blast_radius"):
        Factor.parse("vibes")


def test_meaning_and_checklists_follow_the_seed() -> None:
    assert meaning(F.AUTONOMY, 3).startswith("AI acted on its own")
    high = [text for _, text in IMMEDIATE_RESPONSE[Severity.HIGH]]
    assert "Pause the affected workflow" in high
    assert any("communication" in t for t in high)
    assert checklist_item("critical.isolate")[0] == Severity.CRITICAL
    with pytest.raises(DomainError):
        checklist_item("high.nope")


def test_applied_level_waits_for_a_complete_matrix_unless_overridden() -> None:
    partial = SeverityAssessment(scores={F.CUSTOMER_EXPOSURE: 2})
    assert not partial.complete
    assert partial.applied_level(Severity.HIGH) == Severity.HIGH
    full = SeverityAssessment(scores=dict.fromkeys(Factor, 0))
    assert full.applied_level(Severity.HIGH) == Severity.LOW
    pinned = full.model_copy(update={"override_level": Severity.CRITICAL})
    assert pinned.applied_level(Severity.LOW) == Severity.CRITICAL


def test_assessment_round_trips_through_a_doc() -> None:
    a = SeverityAssessment(scores={F.AUTONOMY: 2}, override_level=Severity.HIGH)
    b = SeverityAssessment.from_doc(a.to_doc())
    assert b == a
    assert SeverityAssessment.from_doc(None) == SeverityAssessment()
