"""Pure signal rules: diffing polls, new-until-seen, declaring guesses, silences, lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ircmd.domain.incidents.incident import Incident, Role, Severity, Status
from ircmd.domain.incidents.listing import (
    SortMode,
    filter_incidents,
    order_incidents,
    severity_counts,
)
from ircmd.domain.signals.signals import (
    SeenMark,
    Signal,
    SignalState,
    format_duration,
    guess_declaration,
    merge_poll,
    parse_duration,
    seen_doc,
    seen_mark,
    silence_request,
    sort_signals,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def sig(fp: str = "aaaa1111", **kw: object) -> Signal:
    base: dict[str, object] = {
        "source": "am",
        "fingerprint": fp,
        "labels": {"alertname": f"Alert{fp}", "severity": "warning"},
        "annotations": {"summary": "something is off"},
        "starts_at": NOW - timedelta(minutes=10),
        "ends_at": NOW + timedelta(days=1),
    }
    base.update(kw)
    return Signal.model_validate(base)


# -- merge_poll -----------------------------------------------------------------------------


def test_first_poll_everything_is_new() -> None:
    board, diff = merge_poll([], [sig("a"), sig("b")], NOW)
    assert {s.fingerprint for s in diff.new} == {"a", "b"}
    assert not diff.changed and not diff.resolved
    assert {s.fingerprint for s in board} == {"a", "b"}


def test_repost_with_new_ends_at_is_not_a_change() -> None:
    board, _ = merge_poll([], [sig("a")], NOW)
    again = sig("a", ends_at=NOW + timedelta(days=2), updated_at=NOW)
    board2, diff = merge_poll(board, [again], NOW + timedelta(minutes=1))
    assert not diff
    assert board2[0].ends_at == again.ends_at  # the board keeps the latest copy


def test_state_or_annotation_change_is_changed() -> None:
    board, _ = merge_poll([], [sig("a"), sig("b")], NOW)
    silenced = sig("a", state="suppressed", silenced_by=["s1"])
    reworded = sig("b", annotations={"summary": "worse now"})
    _, diff = merge_poll(board, [silenced, reworded], NOW)
    assert {s.fingerprint for s in diff.changed} == {"a", "b"}
    assert not diff.new and not diff.resolved


def test_missing_alert_resolves_and_stays_for_a_while() -> None:
    board, _ = merge_poll([], [sig("a"), sig("b")], NOW)
    board2, diff = merge_poll(board, [sig("b")], NOW + timedelta(minutes=1))
    assert [s.fingerprint for s in diff.resolved] == ["a"]
    gone = next(s for s in board2 if s.fingerprint == "a")
    assert gone.state == SignalState.RESOLVED
    assert gone.ends_at == NOW + timedelta(minutes=1)
    # still on the board within keep_resolved, not reported twice
    board3, diff3 = merge_poll(board2, [sig("b")], NOW + timedelta(minutes=30))
    assert "a" in {s.fingerprint for s in board3} and not diff3
    # gone after keep_resolved
    board4, _ = merge_poll(board3, [sig("b")], NOW + timedelta(hours=2))
    assert "a" not in {s.fingerprint for s in board4}


def test_ends_at_in_the_past_means_resolved() -> None:
    board, _ = merge_poll([], [sig("a")], NOW)
    ended = sig("a", ends_at=NOW - timedelta(seconds=5))
    board2, diff = merge_poll(board, [ended], NOW)
    assert [s.fingerprint for s in diff.resolved] == ["a"]
    assert board2[0].state == SignalState.RESOLVED
    # an alert we never saw firing, already resolved: nothing to show
    board3, diff3 = merge_poll([], [ended], NOW)
    assert board3 == [] and not diff3


def test_refiring_after_resolve_is_a_change() -> None:
    board, _ = merge_poll([], [sig("a")], NOW)
    board, _ = merge_poll(board, [], NOW + timedelta(minutes=1))
    later = sig("a", starts_at=NOW + timedelta(minutes=5))
    board, diff = merge_poll(board, [later], NOW + timedelta(minutes=6))
    assert [s.fingerprint for s in diff.changed] == ["a"]
    assert board[0].state == SignalState.FIRING


def test_sort_firing_first_then_severity_then_newest() -> None:
    crit = sig("c", labels={"alertname": "C", "severity": "critical"})
    warn_old = sig("w1", starts_at=NOW - timedelta(hours=2))
    warn_new = sig("w2", starts_at=NOW - timedelta(minutes=1))
    silenced = sig("s", state="suppressed", labels={"alertname": "S", "severity": "critical"})
    resolved = sig("r", state="resolved")
    order = [s.fingerprint for s in sort_signals([resolved, warn_old, silenced, warn_new, crit])]
    assert order == ["c", "w2", "w1", "s", "r"]


# -- seen ----------------------------------------------------------------------------------


def test_new_until_seen_then_changed_when_it_changes() -> None:
    s = sig("a")
    assert seen_mark(s, {}) == SeenMark.NEW
    seen = {s.key: seen_doc(s, NOW, "maria")}
    assert seen_mark(s, seen) == SeenMark.SEEN
    assert seen_mark(sig("a", ends_at=NOW + timedelta(hours=1)), seen) == SeenMark.SEEN
    assert seen_mark(sig("a", state="resolved"), seen) == SeenMark.CHANGED
    assert seen_mark(sig("b"), seen) == SeenMark.NEW
    assert seen[s.key]["seen_by"] == "maria"


# -- declaring -----------------------------------------------------------------------------


def test_guess_title_severity_workflow() -> None:
    s = sig(
        "a",
        labels={"alertname": "RefundAmountAnomaly", "severity": "page", "workflow": "refunds"},
        annotations={"summary": "refunds/h 4.1x baseline"},
    )
    g = guess_declaration(s)
    assert g.title == "RefundAmountAnomaly: refunds/h 4.1x baseline"
    assert g.severity == Severity.HIGH
    assert g.workflow_id == "refunds"
    assert g.labels["alertname"] == "RefundAmountAnomaly"
    # with configured workflows only a configured id is taken, from any candidate label
    assert guess_declaration(s, ["other"]).workflow_id is None
    s2 = sig("b", labels={"alertname": "X", "service": "kb-assistant"})
    assert guess_declaration(s2, ["kb-assistant"]).workflow_id == "kb-assistant"
    assert guess_declaration(s2).workflow_id is None  # `service` alone is not a workflow


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("critical", Severity.CRITICAL),
        ("warning", Severity.MEDIUM),
        ("INFO", Severity.LOW),
        ("bogus", Severity.MEDIUM),
    ],
)
def test_guess_severity_from_label(label: str, expected: Severity) -> None:
    assert guess_declaration(sig("a", labels={"severity": label})).severity == expected


def test_guess_title_is_one_line_and_bounded() -> None:
    hostile = "[@click=app.quit]x[/]\x1b]52;c;SGVsbG8=\x07\nline2 " + "y" * 300
    g = guess_declaration(sig("a", labels={"alertname": "A"}, annotations={"summary": hostile}))
    assert "\x1b" not in g.title and "\n" not in g.title and "\x07" not in g.title
    assert len(g.title) <= 120


# -- silences ------------------------------------------------------------------------------


def test_silence_request_matches_every_label_and_names_the_incident() -> None:
    s = sig("a", labels={"alertname": "A", "workflow": "w", "severity": "page"})
    req = silence_request(s, "INC-0007", "maria.ic", NOW, timedelta(hours=4), "Refunds wrong")
    body = req.to_api()
    assert body["createdBy"] == "maria.ic"
    assert "INC-0007" in body["comment"]
    assert body["startsAt"] == "2026-11-28T09:00:00.000000Z"
    assert body["endsAt"] == "2026-11-28T13:00:00.000000Z"
    assert body["matchers"] == [
        {"name": "alertname", "value": "A", "isRegex": False, "isEqual": True},
        {"name": "severity", "value": "page", "isRegex": False, "isEqual": True},
        {"name": "workflow", "value": "w", "isRegex": False, "isEqual": True},
    ]
    with pytest.raises(ValueError):
        silence_request(s, "INC-0007", "m", NOW, timedelta(0))
    with pytest.raises(ValueError):
        silence_request(sig("b", labels={}), "INC-0007", "m", NOW, timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30m", 30), ("4h", 240), ("1d", 1440), ("2h30m", 150), ("45", 45), ("1.5h", 90)],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "4x", "h", "0m", "10 parsecs", "3"[:0] + "5q"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=4)) == "4h"
    assert format_duration(timedelta(days=2)) == "2d"
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    assert format_duration(timedelta(minutes=5)) == "5m"


def test_signal_json_round_trip_keeps_alertmanager_keys() -> None:
    s = sig("a", generator_url="http://prom/graph")
    out = s.to_json()
    assert out["startsAt"].startswith("2026-11-28T08:50")
    assert out["generatorURL"] == "http://prom/graph"
    assert out["state"] == "firing"
    assert Signal.model_validate(out) == s


# -- incidents list (home screen) -------------------------------------------------------------


def inc(n: int, status: str, severity: str, *, minutes: int = 0, **kw: object) -> Incident:
    at = NOW - timedelta(minutes=minutes)
    return Incident.model_validate(
        {
            "id": f"INC-{n:04d}",
            "title": f"incident {n}",
            "status": status,
            "severity": severity,
            "created_at": at,
            "updated_at": at,
            "resolved_at": at if status in ("resolved", "reviewed") else None,
            **kw,
        }
    )


def test_order_open_first_then_recent_by_mode() -> None:
    items = [
        inc(1, "resolved", "critical", minutes=300),
        inc(2, "investigating", "low"),
        inc(3, "detected", "high"),
        inc(4, "reviewed", "low", minutes=10),
        inc(5, "contained", "critical"),
    ]

    def ids(mode: SortMode) -> list[int]:
        return [i.number for i in order_incidents(items, mode)]

    assert ids(SortMode.SEVERITY) == [5, 3, 2, 4, 1]
    assert ids(SortMode.AGE) == [5, 3, 2, 4, 1]
    assert ids(SortMode.STATUS) == [3, 5, 2, 4, 1]
    assert SortMode.SEVERITY.next() == SortMode.AGE
    assert SortMode.STATUS.next() == SortMode.SEVERITY


def test_filter_and_counts() -> None:
    items = [
        inc(1, "resolved", "critical", workflow_id="kb"),
        inc(2, "investigating", "high", workflow_id="refunds", roles={Role.INCIDENT_LEAD: "maria"}),
        inc(3, "detected", "high", title="Refund promises wrong"),
    ]
    assert [i.number for i in filter_incidents(items, "refund")] == [2, 3]
    assert [i.number for i in filter_incidents(items, "MARIA")] == [2]
    assert [i.number for i in filter_incidents(items, "high refund")] == [2, 3]
    assert [i.number for i in filter_incidents(items, "", open_only=True)] == [2, 3]
    assert filter_incidents(items, "nothing-matches") == []
    counts = severity_counts(items)
    assert counts == {
        Severity.LOW: 0,
        Severity.MEDIUM: 0,
        Severity.HIGH: 2,
        Severity.CRITICAL: 0,
    }
    assert Status.RESOLVED not in {i.status for i in filter_incidents(items, open_only=True)}


def test_revision_follows_copies() -> None:
    s = sig("a")
    before = s.revision
    assert s.model_copy(update={"state": SignalState.RESOLVED}).revision != before
    assert s.revision == before
