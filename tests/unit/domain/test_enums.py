"""One parser for the domain's string enums: normalising, aliases, the shared error message."""

from __future__ import annotations

import pytest

from ircmd.domain.containment.controls import ControlState
from ircmd.domain.enums import enum_key, parse_enum
from ircmd.domain.evidence.redaction import Profile
from ircmd.domain.evidence.review import RootCause
from ircmd.domain.incidents.incident import Classification, DomainError, Role, Severity
from ircmd.domain.incidents.severity import Factor
from ircmd.domain.regulatory.art73 import HarmCategory


def test_typed_text_is_normalised_and_aliases_apply() -> None:
    assert enum_key("  Near-Miss ") == "near_miss"
    assert Severity.parse(" HIGH ") is Severity.HIGH
    assert Classification.parse("near miss") is Classification.NEAR_MISS
    assert Role.parse("IC") is Role.INCIDENT_LEAD
    assert Factor.parse("blast") is Factor.BLAST_RADIUS
    assert ControlState.parse("engaged") is ControlState.ON
    assert RootCause.parse("model-behavior") is RootCause.MODEL_BEHAVIOUR
    assert Profile.parse("Legal") is Profile.LEGAL
    assert HarmCategory.parse("death") == (HarmCategory.HEALTH, True)
    assert HarmCategory.parse("rights") == (HarmCategory.FUNDAMENTAL_RIGHTS, False)


def test_unknown_values_name_what_is_allowed() -> None:
    with pytest.raises(DomainError, match=r"^unknown severity 'urgent'; use one of: low, medium"):
        Severity.parse("urgent")
    with pytest.raises(DomainError, match=r"^unknown control state 'maybe'; use on or off$"):
        ControlState.parse("maybe")
    with pytest.raises(DomainError, match=r"unknown harm category 'x'; use one of: death, health"):
        HarmCategory.parse("x")
    with pytest.raises(ValueError, match=r"^unknown export profile 'public'; use one of: inter"):
        Profile.parse("public")
    with pytest.raises(KeyError, match="unknown role"):
        parse_enum(Role, "boss", "role", error=KeyError)
