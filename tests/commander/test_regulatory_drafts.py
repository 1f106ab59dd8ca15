"""``ircmd export INC --regulatory --regime gdpr|nis2|dora``: per-regime draft templates
built from the incident (deadlines, the current stage, what is known, what to complete)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ircmd.cli import main
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.regulatory.clocks import ClockFlag, stages
from ircmd.domain.regulatory.drafts import (
    TO_COMPLETE,
    current_stage,
    draft_notification,
    draft_notification_markdown,
)

AWARE = datetime(2026, 1, 30, 22, 0, tzinfo=UTC)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_nis2_draft_stage_moves_on_and_marks_late() -> None:
    flag = ClockFlag(regime="nis2", aware_at=AWARE, member_state="DE")
    found = stages(flag)
    now = current_stage(found, AWARE)
    assert now is not None and now.stage == "early-warning"
    later = datetime(2026, 2, 1, 0, 0, tzinfo=UTC)  # 26 h on: early warning is late
    inc = Incident(id="INC-0007", title="Injected", created_at=AWARE, updated_at=AWARE)
    draft = draft_notification(
        flag, found, inc, description="d", containment=[], known={}, now=later
    )
    assert draft["stage"] == "notification"
    assert [s["late"] for s in draft["stages"]] == [True, False, False]
    # the final report is one calendar month after the notification, in Berlin time
    assert draft["stages"][2]["due_at"] == "2026-03-02T22:00:00Z"
    assert draft["recipient"] == "CSIRT or competent authority of Germany"
    assert all(f["answer"] == TO_COMPLETE for f in draft["fields"])
    md = draft_notification_markdown(draft)
    assert md.startswith("# DRAFT — Significant incident notification (NIS2 Art. 23)")
    assert "early-warning: 2026-01-31T22:00:00Z" in md and "— LATE" in md
    assert "Art. 23(4)(a): suspected unlawful or malicious act?" in md


def test_export_each_regime_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "incident", "declare", "--title", "Notes leaked in replies")
    inc = out.strip()
    code, _, err = run(capsys, "export", inc, "--regulatory", "--regime", "gdpr", "--out", "x")
    assert code == 1 and "has no gdpr clock" in err and "--regime gdpr" in err
    for regime in ("gdpr", "nis2", "dora"):
        code, _, err = run(
            capsys, "incident", "regulatory", inc, "--regime", regime, "--member-state", "FR"
        )
        assert code == 0, err
        target = tmp_path / regime
        code, out, err = run(
            capsys,
            "export",
            inc,
            "--regulatory",
            "--regime",
            regime,
            "--out",
            str(target),
            "--json",
        )
        assert code == 0, err
        got = json.loads(out)
        report = json.loads(Path(got["json"]).read_text())
        assert report["regime"] == regime and report["status"] == "draft"
        assert report["incident_id"] == inc and report["member_state"]["code"] == "FR"
        md = Path(got["markdown"]).read_text()
        assert md.startswith("# DRAFT — ") and "check it with counsel" in md
    assert json.loads((tmp_path / "dora.json").read_text())["stage"] == "initial"
    code, out, _ = run(capsys, "incident", "show", inc, "--json")
    exports = [e for e in json.loads(out)["timeline"] if e["kind"] == "export"]
    assert [e["data"]["what"] for e in exports] == [
        "gdpr draft notification",
        "nis2 draft notification",
        "dora draft notification",
    ]
    code, _, err = run(capsys, "export", inc, "--regime", "gdpr", "--out", str(tmp_path / "y"))
    assert code == 2 and "--regime goes with --regulatory" in err
    code, _, err = run(
        capsys, "export", inc, "--regulatory", "--regime", "hipaa", "--out", str(tmp_path / "z")
    )
    assert code == 1 and "unknown regime 'hipaa'" in err and err.count("\n") == 1
    code, _, err = run(
        capsys, "export", inc, "--regulatory", "--regime", "gdpr", "--out", str(tmp_path / "gdpr")
    )
    assert code == 1 and "already exists" in err


def test_the_header_deadline_includes_the_other_regimes(tmp_path: Path) -> None:
    from datetime import timedelta

    from ircmd.domain.config import Config
    from ircmd.service import hooks
    from ircmd.service.regulatory.clocks import flag_clock
    from ircmd.service.workspace import Workspace

    ws = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ws.incidents.declare("Injected")
    aware = inc.aware_at or inc.created_at
    assert hooks.next_deadline(ws, inc, aware)[0] is None
    flag_clock(ws.incidents, inc.id, "gdpr", member_state="DE")
    flag_clock(ws.incidents, inc.id, "nis2", member_state="DE")
    nearest, problems = hooks.next_deadline(ws, inc, aware)
    assert problems == [] and nearest is not None
    assert (nearest.label, nearest.due) == ("nis2 early-warning", aware + timedelta(hours=24))
    later, _ = hooks.next_deadline(ws, inc, aware + timedelta(hours=25))
    assert later is not None and later.label in (
        "nis2 notification",
        "gdpr art33-supervisory-authority",
    )
    assert later.due == aware + timedelta(hours=72)
    # all passed: the last stage of each stays on the header, overdue
    gone, _ = hooks.next_deadline(ws, inc, aware + timedelta(days=60))
    assert gone is not None and gone.due < aware + timedelta(days=60)
    ws.close()
