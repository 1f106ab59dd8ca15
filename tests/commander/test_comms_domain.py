"""Audiences, cadence (severity, overdue, regulatory tightening) and the grounded draft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from ircmd.domain.comms.audiences import (
    BUILTIN_AUDIENCES,
    CommsConfig,
    audiences,
    find_audience,
    parse_cadence,
)
from ircmd.domain.comms.cadence import next_due, next_updates
from ircmd.domain.comms.draft import build_draft
from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import DomainError, Incident, Severity, Status
from ircmd.domain.incidents.tasks import create_task, task_board
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def incident(severity: Severity = Severity.HIGH, status: Status = Status.DETECTED) -> Incident:
    return Incident(
        id="INC-0007",
        title="Refund bot promised jane.doe@example.com a refund",
        severity=severity,
        status=status,
        created_at=NOW,
        updated_at=NOW,
        aware_at=NOW,
    )


class Chain:
    def __init__(self) -> None:
        self.events: list[TimelineEvent] = []

    def add(
        self, kind: EventKind, text: str = "", data: dict[str, Any] | None = None, at: Any = NOW
    ) -> TimelineEvent:
        prev = self.events[-1] if self.events else None
        ev = new_event(
            incident_id="INC-0007",
            prev=prev,
            kind=kind,
            at=at,
            author="alice.responder",
            text=text,
            data=data or {},
        )
        self.events.append(ev)
        return ev


def test_builtin_audiences_and_config_changes() -> None:
    assert [a.name for a in BUILTIN_AUDIENCES] == [
        "executives",
        "support",
        "customers",
        "legal",
        "regulators",
    ]
    cfg = Config.model_validate(
        {
            "comms": {
                "audiences": [
                    {"name": "executives", "cadence": {"critical": "15m", "high": "1h"}},
                    {"name": "board", "label": "The board", "cadence": {"critical": 120}},
                ]
            }
        }
    )
    found = audiences(cfg.comms)
    execs = find_audience(found, "executives")
    assert execs.interval(Severity.CRITICAL) == timedelta(minutes=15)
    assert execs.interval(Severity.MEDIUM) is None  # replaced whole
    assert execs.template == "executive"  # unset: kept
    assert find_audience(found, "board").interval(Severity.CRITICAL) == timedelta(hours=2)
    with pytest.raises(DomainError, match="unknown audience 'press'"):
        find_audience(found, "press")
    with pytest.raises(ValidationError):
        CommsConfig.model_validate({"audiences": [{"name": "x", "cadence": {"high": "soon"}}]})
    with pytest.raises(ValidationError, match="twice"):
        CommsConfig.model_validate({"audiences": [{"name": "x"}, {"name": "x"}]})
    assert parse_cadence("4h") == 240 and parse_cadence(30) == 30


def test_cadence_by_severity_overdue_and_restart() -> None:
    execs = find_audience(audiences(None), "executives")
    high = next_due(execs, incident(Severity.HIGH), None, NOW)
    assert high is not None and high.due_at == NOW + timedelta(hours=1) and not high.overdue
    crit = next_due(execs, incident(Severity.CRITICAL), None, NOW)
    assert crit is not None and crit.due_at == NOW + timedelta(minutes=30)
    assert next_due(execs, incident(Severity.LOW), None, NOW) is None  # no cadence for low
    assert next_due(execs, incident(status=Status.RESOLVED), None, NOW) is None
    late = next_due(execs, incident(Severity.HIGH), None, NOW + timedelta(minutes=61))
    assert late is not None and late.overdue
    # an update restarts the clock of its audience only
    chain = Chain()
    chain.add(
        EventKind.COMMUNICATION, "sent", {"audience": "executives"}, NOW + timedelta(minutes=50)
    )
    due = {
        d.audience: d
        for d in next_updates(
            audiences(None), incident(), chain.events, NOW + timedelta(minutes=61)
        )
    }
    assert (
        due["executives"].due_at == NOW + timedelta(minutes=110) and not due["executives"].overdue
    )
    assert due["support"].overdue
    assert "regulators" not in due  # no cadence at high


def test_regulatory_deadline_tightens() -> None:
    execs = find_audience(audiences(None), "executives")
    regs = find_audience(audiences(None), "regulators")
    far = NOW + timedelta(days=10)
    near = NOW + timedelta(hours=6)
    base = next_due(execs, incident(), None, NOW, far)
    tight = next_due(execs, incident(), None, NOW, near)
    assert base is not None and tight is not None
    assert base.due_at == NOW + timedelta(hours=1) and not base.tightened
    assert tight.due_at == NOW + timedelta(minutes=30) and tight.tightened
    # regulators: never after the deadline itself
    r = next_due(regs, incident(Severity.CRITICAL), None, NOW, near)
    assert r is not None and r.due_at == near


def _grounded_chain() -> tuple[Chain, Any]:
    chain = Chain()
    chain.add(EventKind.DECLARED, "Declared", {"severity": "high"})
    chain.add(EventKind.COMMUNICATION, "first", {"audience": "executives"})
    chain.add(EventKind.DECISION, "Pause span 00bbbbbb for user jane")
    chain.add(
        EventKind.CONTAINMENT_CONFIRMED,
        "pause confirmed",
        {"control": "support-refunds/pause", "state": "active"},
    )
    chain.add(
        EventKind.CONTAINMENT_REQUESTED,
        "review requested",
        {"control": "support-refunds/review", "state": "pending"},
    )
    te = create_task(task_board(chain.events), "Call jane.doe@example.com", now=NOW, owner="bob")
    chain.add(te.kind, te.text, te.data)
    return chain, task_board(chain.events)


def test_draft_every_sentence_traced_and_since_last_update() -> None:
    chain, board = _grounded_chain()
    execs = find_audience(audiences(None), "executives")
    draft = build_draft(execs, incident(), chain.events, board, NOW + timedelta(hours=1))
    hashes = {e.hash for e in chain.events}
    assert draft.since_seq == 2
    assert draft.sentences and all(s.sources for s in draft.sentences)
    assert set(draft.sources) <= hashes
    text = draft.text
    assert "Decision: Pause span" in text
    assert "support-refunds/pause" in text  # confirmed
    assert "support-refunds/review" not in text  # only requested: not claimed
    assert "Call jane.doe@example.com (bob)" in text
    # deterministic
    again = build_draft(execs, incident(), chain.events, board, NOW + timedelta(hours=1))
    assert again.to_json() == draft.to_json()
    # the decision's sentence cites the decision event
    decision = next(s for s in draft.sentences if s.text.startswith("Decision"))
    assert decision.sources == (chain.events[2].hash,)


def test_customer_draft_has_nothing_internal() -> None:
    chain, board = _grounded_chain()
    customers = find_audience(audiences(None), "customers")
    draft = build_draft(customers, incident(), chain.events, board, NOW + timedelta(hours=2))
    text = draft.text
    for internal in ("INC-0007", "jane", "bob", "alice", "support-refunds", "00bbbbbb", "T-"):
        assert internal not in text
    assert "Safeguards are in place" in text
    assert all(s.sources for s in draft.sentences)


def test_draft_states_the_impact_of_a_recorded_blast_radius() -> None:
    """A finding recorded by "find similar" (its data as the trace service stores it) is the
    draft's impact sentence, citing that finding; a finding of another kind is not."""
    from ircmd.domain.traces.blast import SimilarQuery, find_similar

    chain, board = _grounded_chain()
    chain.add(EventKind.FINDING, "checked the refund policy page: stale since Tuesday")
    blast = find_similar([], SimilarQuery(tool="issue_refund")).to_dict()
    finding = chain.add(EventKind.FINDING, "find similar (tool issue_refund): 4 traces", blast)
    execs = find_audience(audiences(None), "executives")
    draft = build_draft(execs, incident(), chain.events, board, NOW + timedelta(hours=1))
    impact = [s for s in draft.sentences if s.text.startswith("Impact")]
    assert [s.sources for s in impact] == [(finding.hash,)]
    assert "4 traces" in impact[0].text


def test_factor_scores_are_one_sentence_and_kinds_are_not_said_twice() -> None:
    """Eight severity factors scored since the last update read as one sentence citing all
    eight events (not eight sentences); a status change reads "Status a → b", not
    "Status change: Status a → b"; a level change stays its own sentence."""
    chain = Chain()
    chain.add(EventKind.DECLARED, "Declared", {"severity": "low"})
    scored = [
        chain.add(
            EventKind.SEVERITY_CHANGE,
            f"Severity factor {f} – → 2",
            {"factor": f, "from": None, "to": 2, "computed": "medium" if i else "low"},
        )
        for i, f in enumerate(("customer_exposure", "reversibility", "not_a_factor_yet"))
    ]
    level = chain.add(EventKind.SEVERITY_CHANGE, "Severity low → medium: computed", {})
    status = chain.add(EventKind.STATUS_CHANGE, "Status detected → triaged", {"to": "triaged"})
    execs = find_audience(audiences(None), "executives")
    draft = build_draft(execs, incident(), chain.events, task_board(chain.events), None)
    by_text = {s.text: s.sources for s in draft.sentences}
    factors = next(t for t in by_text if t.startswith("Severity factors scored: "))
    assert factors == (
        "Severity factors scored: customer exposure 2, reversibility 2, not a factor yet 2; "
        "computed level medium."
    )
    assert by_text[factors] == tuple(e.hash for e in scored)
    assert by_text["Severity low → medium: computed"] == (level.hash,)
    assert by_text["Status detected → triaged"] == (status.hash,)
    assert not [t for t in by_text if "change: " in t]
