"""A task that came from the severity checklist ticks (and reopens) the checklist item;
tasks are in the evidence package (``tasks.json``) and its report (``## Tasks``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ircmd.cli import main
from ircmd.domain.config import Config
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service.incidents.severity import SeverityService
from ircmd.service.incidents.tasks import TaskService
from ircmd.service.workspace import Workspace


def test_task_done_ticks_the_checklist_item_and_reopen_unticks(tmp_path: Path) -> None:
    ws = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ws.incidents.declare("Refunds", severity="low")
    tasks, severity = TaskService(ws.incidents), SeverityService(ws.incidents)
    first = tasks.board(inc.id).get("T-1")
    assert first.checklist_item and not severity.assessment(inc.id).ticked(first.checklist_item)

    task, ev = tasks.done(inc.id, "T-1")
    assert ev.kind == EventKind.CHECKLIST and ev.data["done"] is True
    assert not task.is_open
    assert severity.assessment(inc.id).ticked(first.checklist_item)

    task, ev = tasks.reopen(inc.id, "T-1")
    assert ev.kind == EventKind.CHECKLIST and ev.data["done"] is False
    assert task.is_open and not severity.assessment(inc.id).ticked(first.checklist_item)
    # a typed task still records task_done
    added, _ = tasks.add(inc.id, "Call legal")
    _, ev = tasks.done(inc.id, added.id)
    assert ev.kind == EventKind.TASK_DONE
    ws.close()


def test_tasks_in_the_export_and_its_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["incident", "declare", "--title", "t", "--severity", "low"]) == 0
    assert main(["task", "add", "1", "Rotate", "the", "key", "--owner", "bob|ops"]) == 0
    assert main(["task", "done", "1", "T-1"]) == 0
    capsys.readouterr()
    out = tmp_path / "pkg"
    assert main(["export", "1", "--out", str(out)]) == 0
    tasks = json.loads((out / "tasks.json").read_text())
    assert [t["id"] for t in tasks] == ["T-1", "T-2", "T-3", "T-4"]
    assert tasks[0]["state"] == "done" and tasks[3]["owner"] == "bob|ops"
    report = (out / "report.md").read_text()
    section = report.split("## Tasks", 1)[1].split("\n## ", 1)[0]
    assert "| T-4 | Rotate the key | bob¦ops | — | open | — |" in section
    assert "| T-1 | Log the issue |" in section and "| done |" in section
    code = main(["verify-bundle", str(out)])
    assert code == 0
