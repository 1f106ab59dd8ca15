"""Response metrics from hand-computed incidents, and the ``ircmd metrics`` contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ircmd.cli import main
from ircmd.domain.incidents.incident import Classification, DomainError, Incident, Severity
from ircmd.domain.incidents.metrics import metrics, milestones
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event

T0 = datetime(2026, 11, 1, 8, tzinfo=UTC)


def chain(iid: str, steps: list[tuple[int, EventKind, dict[str, Any]]]) -> list[TimelineEvent]:
    out: list[TimelineEvent] = []
    for minutes, kind, data in steps:
        out.append(
            new_event(
                incident_id=iid,
                prev=out[-1] if out else None,
                kind=kind,
                at=T0 + timedelta(minutes=minutes),
                author="a",
                data=data,
            )
        )
    return out


def inc(iid: str, severity: str, workflow: str | None = None) -> Incident:
    return Incident(
        id=iid,
        title="t",
        severity=Severity(severity),
        workflow_id=workflow,
        created_at=T0,
        updated_at=T0,
    )


def test_milestones_and_stats_by_hand() -> None:
    a = chain(
        "INC-0001",
        [
            (0, EventKind.SIGNAL, {}),
            (5, EventKind.DECLARED, {"severity": "high"}),
            (10, EventKind.ROLE_CHANGE, {"role": "incident_lead", "to": "ana"}),
            (30, EventKind.CONTAINMENT_CONFIRMED, {"control": "wf/pause"}),
            (60, EventKind.STATUS_CHANGE, {"from": "detected", "to": "resolved"}),
        ],
    )
    b = chain(
        "INC-0002",
        [
            (0, EventKind.DECLARED, {"severity": "high"}),
            (20, EventKind.STATUS_CHANGE, {"from": "detected", "to": "triaged"}),
            (50, EventKind.CONTAINMENT_CONFIRMED, {"control": "wf/pause"}),
            (80, EventKind.STATUS_CHANGE, {"from": "triaged", "to": "resolved"}),
            (90, EventKind.STATUS_CHANGE, {"from": "resolved", "to": "investigating"}),
        ],
    )
    c = chain("INC-0003", [(0, EventKind.DECLARED, {"severity": "low"})])
    ma = milestones(inc("INC-0001", "high"), a)
    assert ma.detected == T0 and ma.seconds("acknowledged") == 600
    mb = milestones(inc("INC-0002", "high"), b)
    assert mb.resolved is None  # reopened
    rows = [
        (inc("INC-0001", "high", "wf"), ma, 1, 0),
        (inc("INC-0002", "high", "wf"), mb, 0, 2),
        (inc("INC-0003", "low"), milestones(inc("INC-0003", "low"), c), 0, 0),
    ]
    out = metrics(rows)
    assert out["count"] == 3
    # acknowledge: 10 min and 20 min -> mean 15 min, median 15 min
    assert out["time_to_acknowledge"] == {"count": 2, "mean_s": 900.0, "median_s": 900.0}
    # contain: 30 and 50 min
    assert out["time_to_contain"] == {"count": 2, "mean_s": 2400.0, "median_s": 2400.0}
    assert out["time_to_resolve"] == {"count": 1, "mean_s": 3600.0, "median_s": 3600.0}
    assert (out["overdue_updates"], out["overdue_tasks"]) == (1, 2)
    grouped = metrics(rows, by="severity")
    assert grouped["groups"]["high"]["count"] == 2 and grouped["groups"]["low"]["count"] == 1
    assert metrics(rows, by="workflow")["groups"]["(none)"]["count"] == 1
    assert metrics(rows, since=T0 + timedelta(minutes=1))["count"] == 0
    with pytest.raises(DomainError, match="cannot group by"):
        metrics(rows, by="colour")


def test_reviewed_milestone_and_grouping_by_classification() -> None:
    """Moving a resolved incident to reviewed sets ``reviewed`` and keeps ``resolved``
    (it is not a reopening); incidents group by classification, "(none)" when unset."""
    events = chain(
        "INC-0001",
        [
            (0, EventKind.DECLARED, {"severity": "high"}),
            (60, EventKind.STATUS_CHANGE, {"from": "detected", "to": "resolved"}),
            (200, EventKind.STATUS_CHANGE, {"from": "resolved", "to": "reviewed"}),
        ],
    )
    m = milestones(inc("INC-0001", "high"), events)
    assert m.seconds("resolved") == 3600 and m.seconds("reviewed") == 200 * 60
    classified = inc("INC-0001", "high").model_copy(
        update={"classification": Classification.AI_INCIDENT}
    )
    rows = [(classified, m, 0, 0), (inc("INC-0002", "low"), m, 0, 0)]
    groups = metrics(rows, by="classification")["groups"]
    assert {k: g["count"] for k, g in groups.items()} == {"ai_incident": 1, "(none)": 1}
    assert groups["ai_incident"]["time_to_resolve"]["median_s"] == 3600.0


def test_cli_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incident", "declare", "--title", "t", "--severity", "high"]) == 0
    iid = capsys.readouterr().out.strip()
    assert main(["incident", "status", iid, "triaged"]) == 0
    capsys.readouterr()
    assert main(["metrics", "--by", "severity", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 1 and out["groups"]["high"]["time_to_acknowledge"]["count"] == 1
    assert set(out) >= {
        "count",
        "time_to_acknowledge",
        "time_to_contain",
        "time_to_resolve",
        "overdue_updates",
        "overdue_tasks",
    }
    assert main(["metrics", "--since", "yesterday"]) == 2
    assert "ISO-8601" in capsys.readouterr().err
    assert main(["metrics", "--since", "2099-01-01"]) == 0
    assert "all: 0 incidents" in capsys.readouterr().out


def test_summary_line_for_the_incidents_screen() -> None:
    from ircmd.service.comms.metrics import summary_line

    a = chain(
        "INC-0001",
        [
            (0, EventKind.DECLARED, {"severity": "high"}),
            (12, EventKind.STATUS_CHANGE, {"from": "detected", "to": "triaged"}),
            (45, EventKind.CONTAINMENT_CONFIRMED, {"control": "wf/pause"}),
        ],
    )
    rows = [(inc("INC-0001", "high"), milestones(inc("INC-0001", "high"), a), 2, 1)]
    line = summary_line(metrics(rows))
    assert line == "median ack 12m · contain 45m · resolve — · overdue: 2 updates, 1 tasks"
    assert len(line) <= 78
    assert summary_line(metrics([])) == ""


def test_overdue_updates_are_counted_as_the_header_counts_them(tmp_path: Path) -> None:
    """Near a regulatory deadline the cadence is halved for the metrics' overdue count too:
    40 min after declaring a high incident, executives and support (1 h, halved) are late."""
    from ircmd.domain.config import Config
    from ircmd.domain.incidents.timeline import utc
    from ircmd.service.comms.metrics import response_metrics
    from ircmd.service.regulatory.clocks import flag_clock
    from ircmd.service.workspace import Workspace

    ws = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ws.incidents.declare("Emails leaked", severity="high")
    aware = utc(inc.aware_at or inc.created_at)
    later = aware + timedelta(minutes=40)
    assert response_metrics(ws.incidents, later)["overdue_updates"] == 0
    # the breach was known 50 h before the incident was declared: 22 h left of GDPR's 72
    flag_clock(
        ws.incidents, inc.id, "gdpr", member_state="DE", aware_at=aware - timedelta(hours=50)
    )
    assert response_metrics(ws.incidents, later)["overdue_updates"] == 2
    ws.close()
