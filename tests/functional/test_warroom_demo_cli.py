"""The demo incident is war-room ready, and ``ircmd open`` refuses an unknown id cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ircmd.cli import main
from ircmd.demo.seed import seed_demo
from ircmd.domain.incidents.incident import Role
from ircmd.service.incidents.severity import SeverityService


def test_demo_incident_has_matrix_checklist_roles_and_tags(tmp_path: Path) -> None:
    demo = seed_demo(tmp_path)
    svc = demo.service
    inc = svc.get(demo.incident_id)
    assessment = SeverityService(svc).assessment(inc.id)
    assert assessment.complete
    assert assessment.verdict.level == inc.severity  # the matrix agrees with the declared High
    assert sum(1 for t in assessment.checklist.values() if t.done) == 3
    assert {Role.INCIDENT_LEAD, Role.SCRIBE, Role.COMMS} <= set(inc.roles)
    assert {"LLM06", "LLM09"} <= set(inc.tags)
    assert svc.store.verify() == []


def test_open_unknown_incident_is_one_line_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path))
    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("IRCMD_CONFIG", str(config))
    assert main(["open", "INC-0042"]) == 1
    err = capsys.readouterr().err.strip()
    assert "INC-0042" in err and "\n" not in err
    assert main(["open", "not-an-id"]) in (1, 2)
