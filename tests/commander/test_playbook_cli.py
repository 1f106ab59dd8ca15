"""``ircmd playbook list|show|match|apply``: the headless contracts, matching on declare,
one-line errors, and a containment step ticked only by a REAL Unleash's confirmation."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import httpx
import pytest

from ircmd.cli import main
from tests.support.configs import REVIEW, support_refunds_toml


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def configure(text: str) -> Path:
    cfg = Path(os.environ["IRCMD_CONFIG"])
    cfg.write_text(text, encoding="utf-8")
    (cfg.parent / "playbooks").mkdir(exist_ok=True)
    return cfg.parent / "playbooks"


def tasks(capsys: pytest.CaptureFixture[str], inc: str) -> dict[str, dict[str, object]]:
    code, out, err = run(capsys, "task", "list", inc, "--json")
    assert code == 0, err
    return {str(t["step"]): t for t in json.loads(out) if t["playbook"]}


def test_list_show_and_apply_twice(capsys: pytest.CaptureFixture[str]) -> None:
    configure(support_refunds_toml(REVIEW))
    code, out, _ = run(capsys, "playbook", "list", "--json")
    listed = {p["name"]: p for p in json.loads(out)}
    assert code == 0 and len(listed) == 6
    assert listed["prompt-injection"]["match"]["tags"][0] == "LLM01"
    assert set(listed["tool-misuse"]) >= {"name", "title", "match", "regimes", "steps"}
    code, out, _ = run(capsys, "playbook", "show", "sensitive-data-exposure")
    assert code == 0
    for words in ("Triage:", "Containment:", "Evidence to preserve:", "Review questions:"):
        assert words in out
    assert "done when the block source control is confirmed on" in out
    assert "GDPR" in out

    code, out, _ = run(
        capsys, "incident", "declare", "--title", "t", "--workflow", "support-refunds"
    )
    inc = out.strip()
    code, out, err = run(capsys, "playbook", "apply", inc, "customer-misinformation", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["playbook"] == "customer-misinformation" and first["existing"] == []
    review = first["added"][0]
    assert (review["step"], review["control"], review["confirm"], review["state"]) == (
        "review",
        "support-refunds/review",
        "on",
        "open",
    )
    code, out, _ = run(capsys, "playbook", "apply", inc, "customer-misinformation", "--json")
    again = json.loads(out)
    assert again["added"] == [] and len(again["existing"]) == len(first["added"])
    code, out, _ = run(capsys, "playbook", "apply", inc, "customer")  # unique prefix
    assert code == 0 and "nothing new" in out
    code, out, _ = run(capsys, "incident", "show", inc, "--json")
    created = [e for e in json.loads(out)["timeline"] if e["kind"] == "task_created"]
    assert sum(1 for e in created if e["data"].get("playbook")) == len(first["added"])

    # hand-ticking the control-bound task is refused with one line; local confirms it
    code, _, err = run(capsys, "task", "done", inc, review["id"])
    assert code == 1 and "not ticked by hand" in err and err.count("\n") == 1
    code, _, err = run(
        capsys, "contain", inc, "support-refunds/review", "--on", "--reason", "humans"
    )
    assert code == 0, err
    assert tasks(capsys, inc)["review"]["state"] == "done"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["playbook", "show", "nope"], "no playbook 'nope'; playbooks: customer-misinformation"),
        (["playbook", "apply", "INC-0009", "tool-misuse"], "no incident INC-0009"),
        (["playbook", "apply", "INC-0001", "[@click=app.quit]x[/]"], "no playbook"),
    ],
)
def test_bad_names_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    run(capsys, "incident", "declare", "--title", "t")
    code, _out, err = run(capsys, *argv)
    assert code == 1 and needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_playbook_file_fails_list_but_not_declare(capsys: pytest.CaptureFixture[str]) -> None:
    folder = configure("")
    (folder / "ours.toml").write_text('title = "Ours"\n\n[match]\nworkflows = 3\n')
    code, _, err = run(capsys, "playbook", "list")
    assert code == 1 and err.count("\n") == 1
    assert f"{folder / 'ours.toml'}:4: match.workflows: Input should be a valid list" in err
    code, out, err = run(capsys, "incident", "declare", "--title", "t")
    assert code == 0, err
    code, out, _ = run(capsys, "incident", "show", out.strip(), "--json")
    notes = [e["text"] for e in json.loads(out)["timeline"] if e["kind"] == "note"]
    assert notes and notes[0].startswith("Playbooks not matched: ") and "ours.toml:4" in notes[0]


def test_declare_applies_matching_playbooks_once(capsys: pytest.CaptureFixture[str]) -> None:
    folder = configure(support_refunds_toml(REVIEW))
    (folder / "refunds.toml").write_text(
        'title = "Refund answers"\n[match]\nworkflows = ["support-refunds"]\n\n'
        '[[containment]]\nid = "review"\ntitle = "Force review"\n'
        'control = "support-refunds/review"\n\n[[evidence]]\nid = "pin"\ntitle = "Pin"\n'
    )
    code, out, _ = run(
        capsys, "incident", "declare", "--title", "t", "--workflow", "support-refunds"
    )
    inc = out.strip()
    got = tasks(capsys, inc)
    assert sorted(got) == ["pin", "review"]
    assert got["review"]["control"] == "support-refunds/review"
    code, out, _ = run(capsys, "playbook", "match", inc, "--json")
    assert json.loads(out) == [{"playbook": "refunds", "reason": "workflow support-refunds"}]
    code, out, _ = run(capsys, "playbook", "match", inc, "--apply")
    assert code == 0 and "nothing new" in out
    assert len(tasks(capsys, inc)) == 2
    # an incident of another workflow matches nothing
    code, out, _ = run(capsys, "incident", "declare", "--title", "other")
    assert tasks(capsys, out.strip()) == {}
    code, out, _ = run(capsys, "playbook", "match", out.strip())
    assert "no playbook matches" in out


def test_read_only_seat_cannot_apply(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "incident", "declare", "--title", "t")
    code, _, err = run(capsys, "--read-only", "playbook", "apply", "1", "tool-misuse")
    assert code == 1 and "read-only" in err


@pytest.mark.services
def test_containment_step_done_only_when_real_unleash_confirms(
    capsys: pytest.CaptureFixture[str], unleash_admin: tuple[str, str]
) -> None:
    url, token = unleash_admin
    wf = "pb-" + uuid.uuid4().hex[:8]
    configure(
        f"""
[controllers.flags]
kind = "unleash"
url = "{url}"
token_env = "IRCMD_TEST_UNLEASH_TOKEN"

[[workflows]]
id = "{wf}"

[[workflows.controls]]
id = "review"
kind = "force_human_review"
controller = "flags"
"""
    )
    code, out, err = run(capsys, "incident", "declare", "--title", "Bad answers", "--workflow", wf)
    inc = out.strip()
    code, out, err = run(capsys, "playbook", "apply", inc, "customer-misinformation", "--json")
    assert code == 0, err
    review = json.loads(out)["added"][0]
    assert (review["control"], review["state"]) == (f"{wf}/review", "open")

    code, _, err = run(capsys, "contain", inc, f"{wf}/review", "--on", "--reason", "humans")
    assert code == 0, err
    after = tasks(capsys, inc)["review"]
    assert (after["state"], after["drift"]) == ("done", False)

    # someone turns the flag off in Unleash: the reconcile records drift, the step reopens
    httpx.post(
        f"{url}/api/admin/projects/default/features/{wf}.review/environments/development/off",
        headers={"Authorization": token},
        timeout=5,
    ).raise_for_status()
    from ircmd.service import Workspace
    from ircmd.service.config import data_dir, load_config
    from ircmd.service.containment.service import ContainmentService

    ws = Workspace.open(load_config(), data_dir(), actor="watcher")
    svc = ContainmentService.for_workspace(ws)
    rows = {r.id: r for r in svc.reconcile(inc)}
    assert rows[f"{wf}/review"].drift
    svc.close()
    ws.close()
    drifted = tasks(capsys, inc)["review"]
    assert (drifted["state"], drifted["drift"]) == ("open", True)
    code, out, _ = run(capsys, "task", "list", inc)
    assert token not in out

    # contained again through ircmd and confirmed by Unleash: done again
    code, _, err = run(capsys, "contain", inc, f"{wf}/review", "--on", "--reason", "again")
    assert code == 0, err
    assert tasks(capsys, inc)["review"]["state"] == "done"


def test_hostile_playbook_text_cannot_drive_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = configure("")
    (folder / "evil.toml").write_text(
        'title = "evil \\u001b]52;c;aGk=\\u0007 [@click=app.quit]x[/]"\n'
        'triage = ["q \\u001b[31mred"]\n'
        '[[evidence]]\nid = "a"\ntitle = "t \\u001b[2J"\n'
    )
    run(capsys, "incident", "declare", "--title", "t")
    for argv in (
        ("playbook", "show", "evil"),
        ("playbook", "list"),
        ("playbook", "apply", "1", "evil"),
        ("task", "list", "1"),
    ):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out, argv


def test_declared_from_a_signal_applies_the_playbook_of_its_label(tmp_path: Path) -> None:
    from ircmd.domain.config import Config
    from ircmd.service.incidents.tasks import TaskService
    from ircmd.service.workspace import Workspace

    ws = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ws.incidents.declare(
        "Injected instructions in KB answers",
        signal={"summary": "guardrail hits", "labels": {"category": "prompt_injection"}},
    )
    from_pb = [t for t in TaskService(ws.incidents).tasks(inc.id) if t.playbook]
    assert {t.playbook for t in from_pb} == {"prompt-injection"}
    created = [e for e in ws.incidents.timeline(inc.id) if e.data.get("playbook")]
    assert "matched signal label category=prompt_injection" in created[0].text
    # a read-only seat never applies anything on its own
    ro = Workspace.open(Config(), tmp_path / "data", actor="obs", read_only=True)
    assert ro.incidents.on_declared == []
    ro.close()
    ws.close()


def test_apply_checks_communication_audiences_against_the_config(tmp_path: Path) -> None:
    from ircmd.domain.config import Config
    from ircmd.service.playbooks.service import PlaybookService
    from ircmd.service.workspace import Workspace

    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "press-plan.toml").write_text(
        'title = "Press"\n\n[[communication]]\nid = "press"\naudience = "press"\n\n'
        '[[communication]]\nid = "board"\naudience = "board"\n',
        encoding="utf-8",
    )
    config = Config.model_validate({"comms": {"audiences": [{"name": "board"}]}})
    ws = Workspace.open(config, tmp_path / "data", actor="ana")
    inc, _ = ws.incidents.declare("t", severity="high")
    result = PlaybookService(ws.incidents, folder).apply(inc.id, "press-plan")
    assert result.notes == ["press: no audience press is configured: tick it by hand"]
    assert [t.title for t in result.added] == [
        "Update press [no audience press is configured: tick it by hand]",
        "Update board",
    ]
    ws.close()
