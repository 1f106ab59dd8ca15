"""GDPR / NIS2 / DORA clocks: stages, month ends, time zones, the CLI and show --json."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ircmd.cli import main
from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.regulatory.art73 import member_state_zone
from ircmd.domain.regulatory.clocks import ClockFlag, add_month, parse_regime, stages


def at(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_gdpr_72h_and_art34_flag() -> None:
    f = ClockFlag(regime="gdpr", aware_at=at("2026-03-28T12:00Z"), data_subjects=True)
    art33, art34 = stages(f)
    assert art33.due_at == at("2026-03-31T12:00Z")  # across the DST change: exact hours
    assert art34.stage == "art34-data-subjects" and art34.due_at is None


def test_nis2_final_report_month_end_in_member_state_zone() -> None:
    f = ClockFlag(regime="nis2", aware_at=at("2026-01-28T10:00Z"), member_state="DE")
    early, notification, final = stages(f)
    assert early.due_at == at("2026-01-29T10:00Z")
    assert notification.due_at == at("2026-01-31T10:00Z")
    assert final.due_at == at("2026-02-28T10:00Z")  # 31 Jan + 1 month, clamped
    # leap year
    assert add_month(at("2028-01-31T10:00Z"), None) == at("2028-02-29T10:00Z")
    # the month is counted on the local calendar: 30 Apr 22:30 UTC is 1 May in Berlin
    berlin = member_state_zone("DE")
    assert add_month(at("2026-04-30T22:30Z"), berlin) == at("2026-05-31T22:30Z")
    assert add_month(at("2026-04-30T22:30Z"), None) == at("2026-05-30T22:30Z")


def test_dora_stages() -> None:
    f = ClockFlag(
        regime="dora",
        aware_at=at("2026-05-01T08:00Z"),
        classified_at=at("2026-05-01T09:00Z"),
        member_state="FR",
    )
    initial, intermediate, final = stages(f)
    assert initial.due_at == at("2026-05-01T13:00Z")  # 4 h after classification
    late = ClockFlag(
        regime="dora", aware_at=at("2026-05-01T08:00Z"), classified_at=at("2026-05-02T07:00Z")
    )
    assert stages(late)[0].due_at == at("2026-05-02T08:00Z")  # capped at 24 h from awareness
    assert intermediate.due_at == at("2026-05-04T13:00Z")
    assert final.due_at == at("2026-06-04T13:00Z")
    with pytest.raises(DomainError, match="unknown regime"):
        parse_regime("hipaa")


def test_cli_regime_and_deadlines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incident", "declare", "--title", "t", "--severity", "high", "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    iid = created["id"]
    aware = datetime.fromisoformat(created["aware_at"].replace("Z", "+00:00"))
    assert (
        main(["incident", "regulatory", iid, "--regime", "gdpr", "--member-state", "DE", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["stages"][0]["stage"] == "art33-supervisory-authority"
    assert at(out["stages"][0]["due_at"]) == aware.astimezone(UTC) + timedelta(hours=72)
    assert main(["incident", "regulatory", iid, "--harm", "health", "--member-state", "DE"]) == 0
    capsys.readouterr()
    assert main(["incident", "show", iid, "--json"]) == 0
    deadlines = json.loads(capsys.readouterr().out)["deadlines"]
    assert {(d["regime"], d["stage"]) for d in deadlines} == {
        ("gdpr", "art33-supervisory-authority"),
        ("art73", "report"),
    }
    assert all(set(d) == {"regime", "stage", "due_at"} for d in deadlines)
    assert main(["incident", "regulatory", iid, "--regime", "gdpr", "--member-state", "XX"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
