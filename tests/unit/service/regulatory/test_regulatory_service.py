"""The Art. 73 clock: periods, deadline arithmetic around time zones, DST and month ends,
the header provider, the warning before altering the system, the CLI and the drafts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from tests.evidence_fixtures import open_workspace, seed_incident
from tests.support.configs import NAME, OWNER, support_refunds_toml

from ircmd.cli import main
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import EventKind
from ircmd.domain.regulatory.art73 import (
    HarmCategory,
    RegulatoryFlag,
    ReportStage,
    alteration_warning,
    countdown_label,
    deadline,
    regulatory_deadline,
    reporting_period,
)
from ircmd.service.regulatory.service import change_warning, flag_incident


def flag(aware: datetime, ms: str = "FR", **kw: object) -> RegulatoryFlag:
    data: dict[str, object] = {
        "incident_id": "INC-0001",
        "aware_at": aware,
        "harm": HarmCategory.FUNDAMENTAL_RIGHTS,
        "member_state": ms,
    }
    data.update(kw)
    return RegulatoryFlag.model_validate(data)


def z(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


END = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("kw", "days", "para"),
    [
        ({}, 15, "Art. 73(2)"),
        ({"harm": HarmCategory.HEALTH, "death": True}, 10, "Art. 73(4)"),
        ({"harm": HarmCategory.HEALTH}, 15, "Art. 73(2)"),
        ({"widespread": True}, 2, "Art. 73(3)"),
        ({"harm": HarmCategory.CRITICAL_INFRASTRUCTURE}, 2, "Art. 73(3)"),
        ({"harm": HarmCategory.HEALTH, "death": True, "widespread": True}, 2, "Art. 73(3)"),
        ({"harm": HarmCategory.PROPERTY_OR_ENVIRONMENT}, 15, "Art. 73(2)"),
    ],
)
def test_reporting_period(kw: dict[str, Any], days: int, para: str) -> None:
    d, p, _why = reporting_period(flag(z("2026-06-01T10:00Z"), **kw))
    assert (d, p) == (days, para)


def test_fifteen_days_across_a_month_end() -> None:
    # Paris is UTC+1 in February: the 15th day after 31 Jan ends at 15 Feb 23:59:59.999999 CET
    assert (
        deadline(flag(z("2026-01-31T10:00Z"))) == z("2026-02-16T00:00Z") - timedelta(hours=1) - END
    )


def test_ten_days_after_a_death_in_a_leap_february() -> None:
    f = flag(z("2028-02-20T12:00Z"), "DE", harm=HarmCategory.HEALTH, death=True)
    assert deadline(f) == z("2028-03-01T23:00Z") - END  # 2028 has 29 February
    f = flag(z("2027-02-20T12:00Z"), "DE", harm=HarmCategory.HEALTH, death=True)
    assert deadline(f) == z("2027-03-02T23:00Z") - END


def test_two_days_across_the_year_end() -> None:
    f = flag(z("2026-12-31T18:00Z"), "NL", widespread=True)
    assert deadline(f) == z("2027-01-02T23:00Z") - END


def test_the_day_of_awareness_is_that_of_the_member_state() -> None:
    # 22:30 UTC on 31 March is already 1 April in Paris (CEST) but still 31 March in Dublin.
    aware = z("2026-03-31T22:30Z")
    assert deadline(flag(aware, "FR", widespread=True)) == z("2026-04-03T22:00Z") - END
    assert deadline(flag(aware, "IE", widespread=True)) == z("2026-04-02T23:00Z") - END
    # Cyprus is two hours ahead of Paris
    assert deadline(flag(aware, "CY", widespread=True)) == z("2026-04-03T21:00Z") - END


def test_deadline_across_the_end_of_summer_time() -> None:
    # Berlin leaves CEST (UTC+2) on 25 Oct 2026: the deadline is in CET (UTC+1).
    f = flag(z("2026-10-20T08:00Z"), "DE", harm=HarmCategory.HEALTH, death=True)
    assert deadline(f) == z("2026-10-31T00:00Z") - timedelta(hours=1) - END


def test_awareness_given_with_another_offset() -> None:
    aware = datetime(2026, 5, 10, 1, 0, tzinfo=timezone(timedelta(hours=3)))  # 22:00Z on 9 May
    f = flag(aware)
    assert f.aware_at == z("2026-05-09T22:00Z")
    # 00:00 CEST on 10 May in Paris: day 0 is 10 May, day 15 is 25 May.
    assert deadline(f) == z("2026-05-25T22:00Z") - END


def test_countdown_and_provider() -> None:
    f = flag(z("2026-06-01T10:00Z"), widespread=True)
    due = deadline(f)
    assert countdown_label(f, due - timedelta(days=1, hours=4)) == "Art. 73(3) report due in 1d 04h"
    assert countdown_label(f, due - timedelta(minutes=30)) == "Art. 73(3) report due in 30m"
    assert countdown_label(f, due + timedelta(hours=3, seconds=1)) == (
        "Art. 73(3) report OVERDUE by 3h 00m"
    )
    inc = Incident(id="INC-0001", title="x", created_at=f.aware_at, updated_at=f.aware_at)
    now = due - timedelta(hours=5)
    assert regulatory_deadline(inc, {"INC-0001": f.to_doc()}, now) == (
        "Art. 73(3) report due in 5h 00m",
        due,
    )
    assert regulatory_deadline(inc, {}, now) is None
    done = f.model_copy(update={"reported": ReportStage.COMPLETE})
    assert regulatory_deadline(inc, {"INC-0001": done.to_doc()}, now) is None
    initial = f.model_copy(update={"reported": ReportStage.INITIAL})
    label, _ = regulatory_deadline(inc, {"INC-0001": initial.to_doc()}, now) or ("", now)
    assert label.endswith("(initial sent)")


def test_alteration_warning() -> None:
    f = flag(z("2026-06-01T10:00Z"), "NL")
    w = alteration_warning(f, z("2026-06-02T10:00Z"), "rollback prompt v12 -> v11")
    assert w is not None
    assert w.startswith("rollback prompt v12 -> v11:")
    assert "Art. 73(6)" in w and "NL market surveillance authority" in w
    assert alteration_warning(None, z("2026-06-02T10:00Z")) is None
    done = f.model_copy(update={"reported": ReportStage.COMPLETE})
    assert alteration_warning(done, z("2026-06-02T10:00Z")) is None


def test_member_state_is_validated() -> None:
    with pytest.raises(ValueError, match="unknown EU Member State 'XX'"):
        flag(z("2026-06-01T10:00Z"), "XX")
    assert flag(z("2026-06-01T10:00Z"), "el").member_state == "GR"
    assert flag(z("2026-06-01T10:00Z"), "germany").member_state == "DE"


# -- service and CLI ----------------------------------------------------------------------


def test_flag_records_a_decision_and_the_warning_hook(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws, resolve=False)
    assert change_warning(ws.incidents, iid, "pause") is None
    f = flag_incident(ws.incidents, iid, harm="death", member_state="de", persons_affected=1)
    assert f.death and f.harm == HarmCategory.HEALTH and f.system == "Support refunds assistant"
    ev = ws.incidents.timeline(iid)[-1]
    assert ev.kind == EventKind.DECISION and "Art. 73" in ev.text and "10 days" in ev.text
    assert ev.data["regulatory"]["member_state"] == "DE"
    warning = change_warning(ws.incidents, iid, "pause workflow")
    assert warning is not None and "Art. 73(6)" in warning
    # marking the complete report as sent stops the clock
    flag_incident(ws.incidents, iid, harm="death", member_state="DE", reported="complete")
    assert change_warning(ws.incidents, iid, "pause") is None
    ws.close()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    ws.close()
    (tmp_path / "config.toml").write_text(support_refunds_toml(name=NAME, owner=OWNER))
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "config.toml"))
    return iid


def test_cli_flag_show_and_errors(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    iid = cli_env
    assert main(["incident", "regulatory", iid]) == 1
    assert "not flagged" in capsys.readouterr().err
    assert main(["--read-only", "incident", "regulatory", iid, "--harm", "death",
                 "--member-state", "FR"]) == 1  # fmt: skip
    assert "read-only seat: incident regulatory not run" in capsys.readouterr().err
    assert main(["incident", "regulatory", iid, "--widespread"]) == 2
    assert "--harm and --member-state" in capsys.readouterr().err
    code = main(
        [
            "incident", "regulatory", iid, "--harm", "fundamental-rights", "--member-state", "fr",
            "--aware-at", "2026-01-31T11:00+01:00", "--causal-link-at", "2026-02-01T09:00",
            "--persons", "37", "--provider", "Acme AI", "--json",
        ]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["due_at"] == "2026-02-15T22:59:59.999999Z"
    assert out["days"] == 15 and out["causal_link_at"].startswith("2026-02-01T09:00:00")
    assert main(["incident", "regulatory", iid, "--member-state", "Atlantis"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown EU Member State 'Atlantis'" in err
    assert main(["incident", "regulatory", iid, "--causal-link-at", "yesterday"]) == 2
    assert "not an ISO 8601 time" in capsys.readouterr().err


def test_cli_regulatory_draft_and_aiid(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    iid = cli_env
    assert main(["export", iid, "--regulatory", "--out", str(tmp_path / "art73")]) == 1
    assert "not flagged" in capsys.readouterr().err
    main(["incident", "regulatory", iid, "--harm", "property", "--member-state", "NL"])
    assert main(["export", iid, "--regulatory", "--out", str(tmp_path / "art73.json")]) == 0
    report = json.loads((tmp_path / "art73.json").read_text())
    md = (tmp_path / "art73.md").read_text()
    assert report["report_type"] == "initial"
    assert report["member_state"]["code"] == "NL"
    assert [c["kind"] for c in report["containment"]] == [
        "containment_requested",
        "containment_confirmed",
    ]
    assert report["ai_system"]["name"] == "Support refunds assistant"
    assert report["deadline"]["days"] == 15
    assert md.startswith("# DRAFT") and "## Containment" in md
    capsys.readouterr()
    main(["incident", "show", iid, "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["timeline"][-1]["kind"] == "export"
    assert shown["timeline"][-1]["text"] == "Art. 73 draft report exported: art73.json"
    # a final review with actions makes it a complete report
    code = main(
        [
            "review", "save", iid, "--summary", "Refunds promised wrongly",
            "--root-cause", "prompt_design", "--action", "Add eval | bob | 2026-12-01",
            "--final",
        ]
    )  # fmt: skip
    assert code == 0
    capsys.readouterr()
    main(["export", iid, "--regulatory", "--out", str(tmp_path / "final"), "--json"])
    final = json.loads(capsys.readouterr().out)["report"]
    assert final["report_type"] == "complete"
    assert final["preliminary_root_cause"] == "prompt design"
    assert final["corrective_measures"] == ["Add eval"]
    # never clobbered
    assert main(["export", iid, "--regulatory", "--out", str(tmp_path / "art73")]) == 1
    capsys.readouterr()
    assert main(["export", iid, "--aiid", "--out", str(tmp_path / "aiid.json")]) == 0
    aiid = json.loads((tmp_path / "aiid.json").read_text())
    assert aiid["AllegedDeployerOfAISystem"] == ["Head of Support"]
    assert aiid["AllegedDeveloperOfAISystem"] == ["openai"]
    assert "gpt-4o-2024-08-06" in aiid["implicated_systems"]
    assert aiid["classifications"]["CSETv1"]["AI Harm Level"] == "AI tangible harm event"
    assert aiid["date"] == "2026-11-20"


def test_near_miss_is_a_near_miss_for_aiid(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["incident", "classify", cli_env, "near_miss"])
    assert main(["export", cli_env, "--aiid", "--out", str(tmp_path / "a.json"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert out["classifications"]["CSETv1"]["AI Harm Level"] == "AI tangible harm near-miss"


def test_aware_at_default_is_the_incidents(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws, resolve=False)
    inc = ws.incidents.get(iid)
    f = flag_incident(ws.incidents, iid, harm="rights", member_state="AT")
    assert inc.aware_at is not None and f.aware_at == inc.aware_at.astimezone(UTC)
    ws.close()


def test_a_member_state_with_several_time_zones() -> None:
    aware = z("2026-01-10T23:30Z")
    assert deadline(flag(aware, "PT")) == z("2026-01-26T00:00Z") - END  # Lisbon, UTC+0
    azores = flag(aware, "PT", timezone="Atlantic/Azores")  # UTC-1: still 10 January there
    assert deadline(azores) == z("2026-01-26T01:00Z") - END
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        flag(aware, "PT", timezone="Mars/Olympus")
