"""``ircmd task …`` and the ``tasks`` of ``incident show --json``: the headless contracts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ircmd.cli import main
from tests.support.configs import PAUSE, support_refunds_toml


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def declare(capsys: pytest.CaptureFixture[str], severity: str = "low") -> str:
    code, out, _ = run(capsys, "incident", "declare", "--title", "t", "--severity", severity)
    assert code == 0
    return out.strip()


def test_add_list_assign_done_reopen(capsys: pytest.CaptureFixture[str]) -> None:
    inc = declare(capsys)  # low: three checklist tasks T-1..T-3
    code, out, _ = run(capsys, "task", "add", inc, "Rotate", "the", "key", "--owner", "ana")
    assert (code, out.strip()) == (0, "T-4")
    code, out, _ = run(capsys, "task", "add", inc, "Old", "--due", "2020-01-01T00:00Z", "--json")
    added = json.loads(out)
    assert added["id"] == "T-5" and added["overdue"] is True
    assert added["event"]["kind"] == "task_created"

    assert run(capsys, "task", "assign", inc, "T-4", "bob")[0] == 0
    assert run(capsys, "task", "done", inc, "t4")[0] == 0
    code, out, _ = run(capsys, "task", "list", inc, "--json")
    tasks = {t["id"]: t for t in json.loads(out)}
    assert tasks["T-4"]["owner"] == "bob" and tasks["T-4"]["state"] == "done"
    assert tasks["T-1"]["title"] == "Log the issue"

    code, out, _ = run(capsys, "incident", "show", inc, "--json")
    shown = json.loads(out)["tasks"]
    assert [t["id"] for t in shown] == ["T-1", "T-2", "T-3", "T-4", "T-5"]
    assert set(shown[0]) >= {"id", "title", "owner", "due_at", "state", "control"}
    assert shown[4]["due_at"] == "2020-01-01T00:00:00Z"

    code, out, _ = run(
        capsys, "task", "add", inc, "Check", "it", "--span", "00bbbbbb", "--finding", "7", "--json"
    )
    assert json.loads(out)["link"] == {"span": "00bbbbbb", "finding": "7"}
    code, out, _ = run(capsys, "task", "list", inc)
    assert "Check it  span 00bbbbbb  finding 7" in out

    assert run(capsys, "task", "reopen", inc, "T-4")[0] == 0
    code, out, _ = run(capsys, "task", "list", inc, "--open")
    assert "T-4" in out and "[!] T-5" in out  # overdue marked


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    inc = declare(capsys)
    code, _, err = run(capsys, "task", "done", inc, "T-9")
    assert code == 1 and err.count("\n") == 1 and "no task T-9" in err
    code, _, err = run(capsys, "task", "add", inc, "x", "--due", "soonish")
    assert code == 1 and "not a due time" in err
    code, _, err = run(capsys, "task", "done", "INC-0042", "T-1")
    assert code == 1 and "no incident" in err
    assert run(capsys, "task", "done", inc, "T-1")[0] == 0
    code, _, err = run(capsys, "task", "done", inc, "T-1")
    assert code == 1 and "already done" in err


def test_control_must_be_configured(capsys: pytest.CaptureFixture[str], _ircmd_home: Path) -> None:
    (_ircmd_home / "config.toml").write_text(support_refunds_toml(PAUSE), encoding="utf-8")
    inc = declare(capsys)
    code, out, _ = run(
        capsys, "task", "add", inc, "Pause", "--control", "support-refunds/pause", "--json"
    )
    assert code == 0 and json.loads(out)["control"] == "support-refunds/pause"
    code, _, err = run(capsys, "task", "add", inc, "x", "--control", "support-refunds/nope")
    assert code == 1 and "has no control 'nope'" in err


def test_read_only_seat_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    inc = declare(capsys)
    code, _, err = run(capsys, "--read-only", "task", "add", inc, "x")
    assert code == 1 and "read-only" in err


def test_a_role_owner_reads_unfilled_until_the_role_is_filled(
    capsys: pytest.CaptureFixture[str], _ircmd_home: Path
) -> None:
    inc = declare(capsys)
    code, out, err = run(capsys, "playbook", "apply", inc, "workflow-drift", "--json")
    assert code == 0, err
    owned = [t for t in json.loads(out)["added"] if t["owner"] == "engineering_owner"]
    assert owned, out
    tid = owned[0]["id"]
    code, out, _ = run(capsys, "task", "list", inc)
    line = next(ln for ln in out.splitlines() if f" {tid} " in ln)
    assert "engineering owner (unfilled)" in line and "engineering_owner" not in line
    assert run(capsys, "incident", "role", inc, "engineering_owner", "dev.lee")[0] == 0
    code, out, _ = run(capsys, "task", "list", inc)
    line = next(ln for ln in out.splitlines() if f" {tid} " in ln)
    assert " dev.lee " in line and "unfilled" not in line
    code, out, _ = run(capsys, "task", "list", inc, "--json")
    assert {t["id"]: t for t in json.loads(out)}[tid]["owner"] == "engineering_owner"
