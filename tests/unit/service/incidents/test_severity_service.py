"""SeverityService: every factor and level change is an event with who and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.severity import Factor
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service import Workspace
from ircmd.service.incidents.severity import SeverityService


@pytest.fixture
def svc(tmp_path: Path) -> SeverityService:
    ws = Workspace.open(Config(), tmp_path, actor="maria")
    ws.incidents.declare("Refunds outside policy", severity="high")
    return SeverityService(ws.incidents)


def kinds(svc: SeverityService) -> list[EventKind]:
    return [e.kind for e in svc.incidents.timeline("INC-0001")]


def test_scoring_records_who_why_and_keeps_declared_level_until_complete(
    svc: SeverityService,
) -> None:
    inc, events = svc.score("INC-0001", "customer_exposure", 2, "customers relied on it")
    assert len(events) == 1
    ev = events[0]
    assert ev.kind == EventKind.SEVERITY_CHANGE and ev.author == "maria"
    assert ev.data["factor"] == "customer_exposure" and ev.data["to"] == 2
    assert "customers saw it and relied on it" in ev.text and "customers relied on it" in ev.text
    assert inc.severity.value == "high"  # 1/8 scored: declared level stands
    assert svc.assessment("INC-0001").scores == {Factor.CUSTOMER_EXPOSURE: 2}
    with pytest.raises(DomainError, match="already 2"):
        svc.score("INC-0001", "customer", 2)


def test_complete_matrix_drives_the_level_and_says_why(svc: SeverityService) -> None:
    for f in Factor:
        inc, events = svc.score("INC-0001", f, 0)
    # the eighth score completes the matrix: computed Low replaces the declared High
    assert inc.severity.value == "low"
    level_event = events[-1]
    assert level_event.data["from"] == "high" and level_event.data["to"] == "low"
    assert "computed from the matrix" in level_event.text
    inc, events = svc.score("INC-0001", "autonomy", 3, "agent issued refunds alone")
    assert inc.severity.value == "critical"
    assert "uncontrolled autonomous action" in events[-1].data["reason"]


def test_override_needs_a_reason_and_sticks_until_auto(svc: SeverityService) -> None:
    with pytest.raises(DomainError, match="needs a reason"):
        svc.override("INC-0001", "critical", "  ")
    inc, _ = svc.override("INC-0001", "critical", "regulator asked")
    assert inc.severity.value == "critical" and "regulator asked" in inc.severity_reason
    for f in Factor:
        inc, _ = svc.score("INC-0001", f, 1)
    assert inc.severity.value == "critical"  # the override holds
    inc, events = svc.follow_matrix("INC-0001")
    assert inc.severity.value == "medium"
    assert "following the matrix" in events[0].text
    with pytest.raises(DomainError, match="already follows"):
        svc.follow_matrix("INC-0001")


def test_follow_matrix_refused_while_incomplete(svc: SeverityService) -> None:
    svc.score("INC-0001", "autonomy", 1)
    with pytest.raises(DomainError, match="missing: blast radius"):
        svc.follow_matrix("INC-0001")


def test_checklist_ticks_are_recorded(svc: SeverityService) -> None:
    _, events = svc.tick("INC-0001", "high.pause")
    assert events[0].kind == EventKind.CHECKLIST
    assert events[0].data == {"item": "high.pause", "level": "high", "done": True}
    assert svc.assessment("INC-0001").ticked("high.pause")
    with pytest.raises(DomainError, match="already done"):
        svc.tick("INC-0001", "high.pause")
    svc.tick("INC-0001", "high.pause", done=False)
    assert not svc.assessment("INC-0001").ticked("high.pause")
    with pytest.raises(DomainError, match="unknown checklist item"):
        svc.tick("INC-0001", "high.panic")


def test_tags_are_validated_and_normalised(svc: SeverityService) -> None:
    inc, ev = svc.tag("INC-0001", "llm06")
    assert inc.tags == ["LLM06"] and ev.kind == EventKind.TAG
    svc.tag("INC-0001", "aml.t0051.000")
    with pytest.raises(DomainError, match="already tagged LLM06 Excessive Agency"):
        svc.tag("INC-0001", "LLM06")
    with pytest.raises(DomainError, match="not an OWASP"):
        svc.tag("INC-0001", "LLM42")
    inc, _ = svc.tag("INC-0001", "LLM06", remove=True)
    assert inc.tags == ["AML.T0051.000"]


def test_chain_stays_valid(svc: SeverityService) -> None:
    svc.score("INC-0001", "blast_radius", 2)
    svc.override("INC-0001", "high", "confirmed by hand")
    svc.tick("INC-0001", "high.comms")
    assert svc.incidents.store.verify() == []
    assert kinds(svc)[-1] == EventKind.CHECKLIST
