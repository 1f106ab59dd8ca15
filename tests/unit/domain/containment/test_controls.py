"""Containment domain: names, rows, drift, plans per severity, time travel, parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support.configs import NAME, PAUSE, REVIEW, control, kb_workflow, support_refunds_toml

from ircmd.domain.containment.controls import (
    ControlRecord,
    ControlRef,
    ControlState,
    Observation,
    RowHealth,
    build_rows,
    controls_at,
    is_drift,
    parse_control_args,
    parse_when,
    plan_containment,
    resolve_control,
)
from ircmd.domain.incidents.incident import DomainError, Severity
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event
from ircmd.domain.incidents.workflow import ControlKind
from ircmd.service.config import parse_config

CONFIG = parse_config(
    support_refunds_toml(
        PAUSE,
        REVIEW,
        control("refund-tool", "disable_tool", tool="issue_refund"),
        control("prompt", "rollback_prompt", prompt="refund-policy"),
        name=NAME,
    )
    + kb_workflow("internal-notes")
)
NOW = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


def test_control_ref_round_trip_and_bad_names() -> None:
    ref = ControlRef.parse(" support-refunds/pause ")
    assert (ref.workflow_id, ref.control_id, str(ref)) == ("support-refunds", "pause", str(ref))
    assert str(ref) == "support-refunds/pause"
    for bad in ("pause", "a/b/c", "/x", "a/", "a b/c", "[@click=app.quit]/x"):
        with pytest.raises(DomainError, match="WORKFLOW/CONTROL"):
            ControlRef.parse(bad)


def test_resolve_control_names_what_is_wrong() -> None:
    _ref, wf, spec = resolve_control(CONFIG, "support-refunds/pause")
    assert spec.critical and wf.id == "support-refunds"
    # A bare control id uses the incident's workflow.
    assert str(resolve_control(CONFIG, "review", "support-refunds")[0]) == "support-refunds/review"
    with pytest.raises(DomainError, match=r"unknown workflow 'nope'.*support-refunds, kb"):
        resolve_control(CONFIG, "nope/pause")
    with pytest.raises(DomainError, match=r"no control 'stop'.*pause, review"):
        resolve_control(CONFIG, "support-refunds/stop")


def rec(ref: str, **kw: object) -> ControlRecord:
    return ControlRecord(ref=ref, **kw)


def test_rows_health_marks_every_kind_of_mismatch() -> None:
    on = Observation(ControlState.ON, "flag on", at=NOW)
    off = Observation(ControlState.OFF, "flag off", at=NOW)
    broken = Observation(ControlState.UNKNOWN, "", error="HTTP 500", at=NOW)
    records = {
        "support-refunds/pause": rec(
            "support-refunds/pause", desired=ControlState.ON, confirmed=ControlState.ON
        ),
        "support-refunds/review": rec("support-refunds/review", desired=ControlState.ON),
        "support-refunds/refund-tool": rec(
            "support-refunds/refund-tool", desired=ControlState.ON, pending=True
        ),
        "support-refunds/prompt": rec(
            "support-refunds/prompt", desired=ControlState.ON, failed="HTTP 401"
        ),
    }
    observed = {
        "support-refunds/pause": on,
        "support-refunds/review": off,  # asked on, backend off: drift
        "support-refunds/refund-tool": off,
        "support-refunds/prompt": off,
        "kb/notes": broken,
    }
    rows = {r.id: r for r in build_rows(CONFIG, records, observed)}
    assert [r.id for r in build_rows(CONFIG, records, observed)][:2] == [
        "support-refunds/pause",
        "support-refunds/review",
    ]
    assert rows["support-refunds/pause"].health == RowHealth.OK
    assert not rows["support-refunds/pause"].mismatch
    assert rows["support-refunds/review"].health == RowHealth.DRIFT
    assert rows["support-refunds/review"].drift and rows["support-refunds/review"].mismatch
    assert rows["support-refunds/refund-tool"].health == RowHealth.PENDING
    assert rows["support-refunds/prompt"].health == RowHealth.FAILED
    assert rows["support-refunds/prompt"].error == "HTTP 401"
    assert rows["kb/notes"].health == RowHealth.UNREAD
    assert rows["kb/notes"].confirmed == ControlState.UNKNOWN
    js = rows["support-refunds/review"].to_json()
    assert (js["id"], js["desired"], js["confirmed"], js["drift"]) == (
        "support-refunds/review",
        "on",
        "off",
        True,
    )


def test_drift_needs_a_successful_read_and_no_request_in_flight() -> None:
    r = rec("a/b", desired=ControlState.OFF)
    assert is_drift(r, Observation(ControlState.ON))
    assert not is_drift(r, Observation(ControlState.OFF))
    assert not is_drift(r, Observation(ControlState.UNKNOWN, error="down"))
    assert not is_drift(r, None)
    assert not is_drift(r.model_copy(update={"pending": True}), Observation(ControlState.ON))


@pytest.mark.parametrize(
    ("severity", "kinds"),
    [
        (Severity.LOW, []),
        (Severity.MEDIUM, [ControlKind.FORCE_HUMAN_REVIEW]),
        (Severity.HIGH, [ControlKind.PAUSE_WORKFLOW, ControlKind.FORCE_HUMAN_REVIEW]),
        (
            Severity.CRITICAL,
            [
                ControlKind.PAUSE_WORKFLOW,
                ControlKind.FORCE_HUMAN_REVIEW,
                ControlKind.DISABLE_TOOL,
            ],
        ),
    ],
)
def test_plan_follows_the_seed_severity_table(severity: Severity, kinds: list[ControlKind]) -> None:
    wf = CONFIG.workflow("support-refunds")
    assert wf is not None
    plan = plan_containment(wf, severity, {})
    assert [s.spec.kind for s in plan.to_engage] == kinds
    # Rollback is a remediation choice, never part of an automatic plan.
    assert all(s.spec.kind != ControlKind.ROLLBACK_PROMPT for s in plan.steps)
    if severity == Severity.CRITICAL:
        assert ControlKind.BLOCK_SOURCE in plan.missing
        assert plan.needs_typed_confirmation  # pause is critical
    if severity == Severity.LOW:
        assert "no containment" in plan.summary()


def test_plan_keeps_controls_already_on_as_no_op_steps() -> None:
    wf = CONFIG.workflow("support-refunds")
    assert wf is not None
    records = {
        "support-refunds/pause": rec(
            "support-refunds/pause", desired=ControlState.ON, confirmed=ControlState.ON
        )
    }
    plan = plan_containment(wf, Severity.HIGH, records)
    assert [str(s.ref) for s in plan.to_engage] == ["support-refunds/review"]
    assert [s.why for s in plan.steps if not s.engage] == ["already on (confirmed)"]
    assert not plan.needs_typed_confirmation
    # A control that failed last time is planned again.
    records["support-refunds/pause"] = records["support-refunds/pause"].model_copy(
        update={"failed": "timeout"}
    )
    assert len(plan_containment(wf, Severity.HIGH, records).to_engage) == 2


def _ev(inc: str, seq: int, kind: EventKind, minutes: int, **data: object) -> TimelineEvent:
    return new_event(
        incident_id=inc,
        prev=None,
        kind=kind,
        at=NOW + timedelta(minutes=minutes),
        author="maria",
        text="",
        data=data,
    ).model_copy(update={"seq": seq})


def test_controls_at_replays_confirmations_failures_and_drift() -> None:
    c = "support-refunds/pause"
    events = [
        _ev("INC-0001", 2, EventKind.CONTAINMENT_REQUESTED, 1, control=c, desired="on"),
        _ev(
            "INC-0001",
            3,
            EventKind.CONTAINMENT_CONFIRMED,
            2,
            control=c,
            desired="on",
            state="on",
            reason="stop",
        ),
        _ev("INC-0001", 4, EventKind.CONTAINMENT_REQUESTED, 10, control=c, desired="off"),
        _ev("INC-0001", 5, EventKind.CONTAINMENT_FAILED, 11, control=c, desired="off", error="500"),
        _ev(
            "INC-0002",
            3,
            EventKind.CONTAINMENT_CONFIRMED,
            20,
            control="kb/notes",
            desired="on",
            state="on",
        ),
        _ev("INC-0001", 6, EventKind.CONTAINMENT_DRIFT, 30, control=c, desired="on", state="off"),
        _ev("INC-0001", 7, EventKind.NOTE, 31),
    ]
    assert controls_at(events, NOW) == {}
    at5 = controls_at(events, NOW + timedelta(minutes=5))
    assert at5[c].state == ControlState.ON and at5[c].active and not at5[c].unconfirmed
    assert at5[c].since == NOW + timedelta(minutes=2) and at5[c].reason == "stop"
    at12 = controls_at(list(reversed(events)), NOW + timedelta(minutes=12))
    assert at12[c].state == ControlState.ON and at12[c].unconfirmed  # release failed
    at25 = controls_at(events, NOW + timedelta(minutes=25))
    assert at25["kb/notes"].active and at25["kb/notes"].incident_id == "INC-0002"
    at40 = controls_at(events, NOW + timedelta(minutes=40))
    assert at40[c].state == ControlState.OFF and at40[c].drift
    assert at40[c].since == NOW + timedelta(minutes=30)


def test_parse_when_accepts_iso_clock_and_relative() -> None:
    now = datetime(2026, 3, 1, 14, 0, 30, tzinfo=UTC)
    assert parse_when("2026-03-01T13:05:00Z", now) == datetime(2026, 3, 1, 13, 5, tzinfo=UTC)
    assert parse_when("2026-03-01T13:05", now) == datetime(2026, 3, 1, 13, 5, tzinfo=UTC)
    assert parse_when("13:05", now) == datetime(2026, 3, 1, 13, 5, tzinfo=UTC)
    assert parse_when("15:00", now) == datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
    assert parse_when("-15m", now) == now - timedelta(minutes=15)
    assert parse_when("2h ago", now) == now - timedelta(hours=2)
    assert parse_when("now", now) == now
    for bad in ("", "yesterday", "25:00", "[@click=app.quit]x[/]"):
        with pytest.raises(DomainError):
            parse_when(bad, now)


def test_parse_control_args() -> None:
    assert parse_control_args("wf/pause --reason refunds wrong") == ("wf/pause", "refunds wrong")
    assert parse_control_args('wf/pause --reason "refunds wrong"') == ("wf/pause", "refunds wrong")
    assert parse_control_args("wf/pause --reason=stop now") == ("wf/pause", "stop now")
    assert parse_control_args("wf/pause") == ("wf/pause", "")
    assert parse_control_args("pause because it's broken") == ("pause", "because it's broken")
    with pytest.raises(DomainError, match="usage: release"):
        parse_control_args("", "release")
    with pytest.raises(DomainError, match="unknown option '--force'"):
        parse_control_args("wf/pause --force")


def test_unreadable_stored_record_is_reset_not_fatal() -> None:
    r = ControlRecord.from_doc("a/b", {"desired": "sideways"})
    assert r.desired == ControlState.OFF and r.failed and "unreadable" in r.failed
