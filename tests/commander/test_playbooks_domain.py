"""Playbooks as data: validation (file:line:key), the built-ins, matching, applying once,
and control-bound steps that only a backend's confirmation ticks (pure and loader level)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ircmd.domain.incidents.incident import Classification, DomainError, Incident, Severity
from ircmd.domain.incidents.tasks import TaskState, finish_task, task_board
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event
from ircmd.domain.incidents.workflow import Workflow
from ircmd.domain.playbooks.apply import match_reason, matching, plan_apply
from ircmd.domain.playbooks.model import Playbook
from ircmd.service.playbooks.loader import (
    PlaybookError,
    builtin_playbooks,
    load_playbooks,
    parse_playbook,
)

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)

WORKFLOW = Workflow.model_validate(
    {
        "id": "support-refunds",
        "controls": [
            {"id": "review", "kind": "force_human_review"},
            {"id": "pause", "kind": "pause_workflow"},
        ],
    }
)


def incident(**kw: Any) -> Incident:
    base: dict[str, Any] = {"id": "INC-0001", "title": "x", "created_at": NOW, "updated_at": NOW}
    return Incident(**{**base, **kw})


class Chain:
    def __init__(self) -> None:
        self.events: list[TimelineEvent] = []

    def add(self, kind: EventKind, data: dict[str, Any]) -> TimelineEvent:
        prev = self.events[-1] if self.events else None
        ev = new_event(incident_id="INC-0001", prev=prev, kind=kind, at=NOW, author="a", data=data)
        self.events.append(ev)
        return ev

    def apply(self, pb: Playbook, wf: Workflow | None = WORKFLOW) -> int:
        planned = plan_apply(pb, wf, task_board(self.events), NOW)
        new = [p.event for p in planned if p.event is not None]
        for te in new:
            self.add(te.kind, te.data)
        return len(new)


def test_six_builtin_playbooks_cover_the_seeds_triggers() -> None:
    books = builtin_playbooks()
    assert sorted(books) == [
        "customer-misinformation",
        "hidden-evidence-approval",
        "prompt-injection",
        "sensitive-data-exposure",
        "tool-misuse",
        "workflow-drift",
    ]
    triggers = " | ".join(b.trigger for b in books.values())
    for words in (
        "Customer-facing misinformation",
        "Sensitive data exposure",
        "irreversible actions",
        "Prompt injection",
        "Workflow drift",
        "hid necessary evidence",
    ):
        assert words in triggers
    for book in books.values():
        assert book.containment and any(s.control_bound for s in book.containment), book.name
        assert book.evidence and book.communication and book.triage and book.review
    assert "gdpr" in books["sensitive-data-exposure"].regimes


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('title = "x"\nbogus = 1\n', "mine.toml:2: bogus: unknown key"),
        (
            'title = "x"\n\n[[containment]]\nid = "a"\ntitle = "t"\ncontrol_kind = "nope"\n',
            "mine.toml:6: containment[0].control_kind: Input should be 'pause_workflow'",
        ),
        (
            'title = "x"\n[match]\ntags = ["LLM42"]\n',
            "mine.toml:3: match.tags: 'LLM42' is not an OWASP LLM Top 10 2025 id",
        ),
        (
            'title = "x"\n[[evidence]]\nid = "a"\ntitle = "t"\ndue = "soon"\n',
            "mine.toml:5: evidence[0].due: not a relative due time: 'soon'",
        ),
        (
            'title = "x"\n[[recovery]]\nid = "a"\ntitle = "t"\n[[recovery]]\nid = "a"\n'
            'title = "u"\n',
            "mine.toml: step id 'a' is used twice",
        ),
        ('name = "other"\ntitle = "x"\n', "mine.toml:1: name: 'other' differs from the file"),
        ('title = "x\n', "mine.toml: not valid TOML"),
        (
            'title = "x"\n[[containment]]\nid = "a"\n',
            "mine.toml:2: containment[0].title: Field required",
        ),
    ],
)
def test_bad_playbook_file_is_one_line_naming_file_line_key(
    tmp_path: Path, text: str, needle: str
) -> None:
    (tmp_path / "mine.toml").write_text(text)
    with pytest.raises(PlaybookError) as err:
        load_playbooks(tmp_path)
    message = str(err.value)
    assert needle in message, message
    assert "\n" not in message and str(tmp_path / "mine.toml") in message


def test_config_dir_playbooks_add_to_and_replace_builtins(tmp_path: Path) -> None:
    (tmp_path / "refunds.toml").write_text(
        'title = "Refund answers"\n[match]\nworkflows = ["support-refunds"]\n'
        '[[containment]]\nid = "r"\ntitle = "Force review"\ncontrol = "support-refunds/review"\n'
    )
    (tmp_path / "tool-misuse.toml").write_text('title = "Ours"\n')
    (tmp_path / "notes.txt").write_text("ignored")
    books = load_playbooks(tmp_path)
    assert books["refunds"].containment[0].control == "support-refunds/review"
    assert books["tool-misuse"].title == "Ours" and not books["tool-misuse"].steps()
    assert len(books) == 7
    assert len(load_playbooks(tmp_path / "missing")) == 6


def test_matching_by_workflow_classification_tag_signal_label_and_severity() -> None:
    pb = parse_playbook(
        'name = "p"\ntitle = "P"\nmin_severity = "high"\n[match]\nworkflows = ["wf"]\n'
        'classifications = ["security_event"]\ntags = ["llm01"]\n'
        'signal_labels = { category = "prompt_injection", team = "*" }\n',
        "<t>",
    )
    assert pb.match.tags == ["LLM01"]
    high = {"severity": Severity.HIGH}
    assert match_reason(pb, incident(workflow_id="wf", **high)) == "workflow wf"
    assert match_reason(pb, incident(workflow_id="wf")) is None  # medium < high
    got = match_reason(pb, incident(classification=Classification.SECURITY_EVENT, **high))
    assert got == "classification security_event"
    assert match_reason(pb, incident(tags=["LLM01"], **high)) == "tag LLM01"
    assert match_reason(pb, incident(**high), {"team": "support"}) == "signal label team=support"
    assert match_reason(pb, incident(**high), {"category": "other"}) is None
    assert match_reason(pb, incident(**high)) is None
    never = parse_playbook('name = "n"\ntitle = "N"\n', "<t>")
    assert matching([pb, never], incident(tags=["LLM01"], **high))[0].playbook is pb
    assert not matching([never], incident(tags=["LLM01"], **high))


def test_applying_twice_adds_nothing_and_resolves_controls_by_kind() -> None:
    pb = builtin_playbooks()["tool-misuse"]
    chain = Chain()
    assert chain.apply(pb) == len(pb.steps())
    assert chain.apply(pb) == 0
    board = task_board(chain.events)
    tasks = board.ordered()
    assert [t.step for t in tasks] == [s.id for s in pb.steps()]
    disable, pause = tasks[0], tasks[1]
    # the workflow has no disable_tool control: a plain task saying so, not control-bound
    assert disable.control == "" and "has no disable tool control" in disable.title
    assert (pause.control, pause.confirm) == ("support-refunds/pause", "on")
    with pytest.raises(DomainError, match="not ticked by hand"):
        finish_task(board, pause.id)
    finish_task(board, disable.id)  # an unbound step is ticked as usual


def test_control_bound_task_follows_confirmations_drift_and_release() -> None:
    pb = builtin_playbooks()["customer-misinformation"]
    chain = Chain()
    chain.apply(pb)
    tid = task_board(chain.events).by_step(pb.name, "review")
    assert tid is not None and tid.is_open and tid.control == "support-refunds/review"
    ref = "support-refunds/review"
    # a requested or failed change is not a confirmation
    chain.add(EventKind.CONTAINMENT_REQUESTED, {"control": ref, "desired": "on"})
    chain.add(EventKind.CONTAINMENT_FAILED, {"control": ref, "state": "unknown", "error": "x"})
    assert task_board(chain.events).get(tid.id).is_open
    # a hand-written task_done event does not tick it either
    chain.add(EventKind.TASK_DONE, {"id": tid.id})
    assert task_board(chain.events).get(tid.id).is_open
    confirmed = chain.add(EventKind.CONTAINMENT_CONFIRMED, {"control": ref, "state": "on"})
    task = task_board(chain.events).get(tid.id)
    assert task.state == TaskState.DONE and not task.drift and confirmed.hash in task.sources
    chain.add(EventKind.CONTAINMENT_DRIFT, {"control": ref, "desired": "on", "state": "off"})
    task = task_board(chain.events).get(tid.id)
    assert task.is_open and task.drift and task.to_json()["drift"] is True
    # the drift cleared outside ircmd: the backend shows "on" again, the step is done again
    cleared = chain.add(
        EventKind.CONTAINMENT_DRIFT_CLEARED,
        {"control": ref, "desired": "on", "state": "on", "drifted": "off"},
    )
    task = task_board(chain.events).get(tid.id)
    assert task.state == TaskState.DONE and not task.drift and cleared.hash in task.sources
    chain.add(EventKind.CONTAINMENT_DRIFT, {"control": ref, "desired": "on", "state": "off"})
    chain.add(EventKind.CONTAINMENT_CONFIRMED, {"control": ref, "state": "on"})
    assert not task_board(chain.events).get(tid.id).is_open
    chain.add(EventKind.CONTAINMENT_CONFIRMED, {"control": ref, "state": "off"})  # released
    task = task_board(chain.events).get(tid.id)
    assert task.is_open and not task.drift
    # other controls do not touch it
    chain.add(EventKind.CONTAINMENT_CONFIRMED, {"control": "support-refunds/pause", "state": "on"})
    assert task_board(chain.events).get(tid.id).is_open


def test_a_step_applied_after_the_confirmation_starts_done() -> None:
    chain = Chain()
    chain.add(EventKind.CONTAINMENT_CONFIRMED, {"control": "support-refunds/pause", "state": "on"})
    chain.apply(builtin_playbooks()["hidden-evidence-approval"])
    task = task_board(chain.events).by_step("hidden-evidence-approval", "pause")
    assert task is not None and task.state == TaskState.DONE


def test_roles_become_owners_and_due_is_relative_to_applying() -> None:
    pb = builtin_playbooks()["workflow-drift"]
    planned = plan_apply(pb, WORKFLOW, task_board([]), NOW, {"engineering_owner": "dev.lee"})
    first = planned[0].event
    assert first is not None
    assert first.data["owner"] == "dev.lee"
    assert first.data["due_at"] == "2026-11-28T10:30:00Z"
    assert planned[0].note == "workflow support-refunds has no rollback prompt control"


def test_a_communication_step_is_done_by_the_update_to_its_audience() -> None:
    pb = builtin_playbooks()["customer-misinformation"]
    chain = Chain()
    chain.add(EventKind.COMMUNICATION, {"audience": "support"})  # before: does not count
    chain.apply(pb)
    step = task_board(chain.events).by_step(pb.name, "support-brief")
    assert step is not None and step.is_open and step.link == {"audience": "support"}
    chain.add(EventKind.COMMUNICATION, {"audience": "executives"})
    assert task_board(chain.events).get(step.id).is_open
    sent = chain.add(EventKind.COMMUNICATION, {"audience": "support", "sources": []})
    done = task_board(chain.events).get(step.id)
    assert not done.is_open and sent.hash in done.sources
    customers = task_board(chain.events).by_step(pb.name, "customers")
    assert customers is not None and customers.is_open


def test_an_unfilled_role_owner_reads_as_its_label_and_unfilled() -> None:
    from ircmd.domain.incidents.tasks import owner_label

    pb = builtin_playbooks()["workflow-drift"]
    planned = plan_apply(pb, WORKFLOW, task_board([]), NOW, {})
    first = planned[0].event
    assert first is not None
    assert first.data["owner"] == "engineering_owner"  # the role id is kept: it follows the role
    assert "(owner engineering owner (unfilled))" in first.text
    assert owner_label("engineering_owner", {}) == "engineering owner (unfilled)"
    assert owner_label("engineering_owner", {"engineering_owner": "dev.lee"}) == "dev.lee"
    assert owner_label("bob", {}) == "bob"


def test_a_communication_step_to_an_unconfigured_audience_says_so() -> None:
    """No update can close a step to an audience that is not configured: its task says so
    (the configured ones are planned as before)."""
    pb = Playbook.model_validate(
        {
            "name": "press-plan",
            "title": "Press",
            "communication": [
                {"id": "press", "audience": "press"},
                {"id": "execs", "audience": "executives"},
            ],
        }
    )
    known = ["executives", "support", "customers", "legal", "regulators"]
    press, execs = plan_apply(pb, WORKFLOW, task_board([]), NOW, audiences=known)
    assert press.note == "no audience press is configured: tick it by hand"
    assert press.event is not None and press.event.data["title"] == (
        "Update press [no audience press is configured: tick it by hand]"
    )
    assert execs.note == "" and execs.event is not None
    assert execs.event.data["title"] == "Update executives"
    unchecked = plan_apply(pb, WORKFLOW, task_board([]), NOW)
    assert unchecked[0].note == ""
