from __future__ import annotations

import itertools

import pytest

from ircmd.domain.incidents.incident import (
    ALLOWED_TRANSITIONS,
    Classification,
    DomainError,
    Role,
    Severity,
    Status,
    check_transition,
    format_age,
    normalise_incident_id,
    parse_incident_id,
)


def test_the_happy_path_of_the_seed_loop_is_allowed() -> None:
    path = [
        Status.DETECTED,
        Status.TRIAGED,
        Status.CONTAINED,
        Status.INVESTIGATING,
        Status.REMEDIATING,
        Status.RESOLVED,
        Status.REVIEWED,
    ]
    for current, new in itertools.pairwise(path):
        check_transition(current, new)


def test_a_disallowed_transition_names_the_allowed_ones() -> None:
    with pytest.raises(DomainError) as err:
        check_transition(Status.DETECTED, Status.REVIEWED)
    msg = str(err.value)
    assert "cannot move from detected to reviewed" in msg
    for allowed in ALLOWED_TRANSITIONS[Status.DETECTED]:
        assert allowed.value in msg


def test_reviewed_is_final_and_same_status_is_refused() -> None:
    with pytest.raises(DomainError, match="final"):
        check_transition(Status.REVIEWED, Status.INVESTIGATING)
    with pytest.raises(DomainError, match="already triaged"):
        check_transition(Status.TRIAGED, Status.TRIAGED)


def test_a_resolved_incident_can_be_reopened_for_investigation() -> None:
    check_transition(Status.RESOLVED, Status.INVESTIGATING)


def test_every_status_can_reach_reviewed() -> None:
    for start in Status:
        seen = {start}
        frontier = [start]
        while frontier:
            s = frontier.pop()
            for n in ALLOWED_TRANSITIONS[s]:
                if n not in seen:
                    seen.add(n)
                    frontier.append(n)
        assert Status.REVIEWED in seen


@pytest.mark.parametrize(
    "raw,expected", [("INC-0042", 42), ("inc-7", 7), ("12", 12), ("INC12", 12)]
)
def test_incident_ids_parse(raw: str, expected: int) -> None:
    assert parse_incident_id(raw) == expected


def test_incident_id_normalises_and_rejects_garbage() -> None:
    assert normalise_incident_id("inc-3") == "INC-0003"
    with pytest.raises(DomainError, match="not an incident id"):
        parse_incident_id("PROB-1")


def test_enum_parsers_say_what_is_allowed() -> None:
    assert Severity.parse(" HIGH ") is Severity.HIGH
    assert Classification.parse("near miss") is Classification.NEAR_MISS
    assert Role.parse("ic") is Role.INCIDENT_LEAD
    with pytest.raises(DomainError, match="low, medium, high, critical"):
        Severity.parse("sev1")
    with pytest.raises(DomainError, match="quality_issue"):
        Classification.parse("oops")


def test_severity_ranks_in_order() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "seconds,text",
    [(5, "5s"), (125, "2m"), (3600 * 3 + 300, "3h05m"), (86400 * 2 + 3600 * 4, "2d04h")],
)
def test_format_age(seconds: float, text: str) -> None:
    assert format_age(seconds) == text
