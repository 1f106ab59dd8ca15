"""Which playbooks fit an incident, and the tasks applying one adds (pure).

Applying is idempotent: a step already on the task board (same playbook, same step id)
adds nothing, so applying twice — or on declare and again by hand — records no new task.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.tasks import Task, TaskBoard, TaskEvent, create_task
from ircmd.domain.incidents.workflow import Workflow
from ircmd.domain.playbooks.model import CommsStep, Playbook, PlaybookStep


@dataclass(frozen=True)
class Match:
    playbook: Playbook
    reason: str
    """What matched, for the timeline: ``tag LLM01``, ``workflow support-refunds``…"""


def match_reason(
    playbook: Playbook, incident: Incident, signal_labels: Mapping[str, str] | None = None
) -> str | None:
    """Why ``playbook`` fits ``incident`` (None: it does not)."""
    m = playbook.match
    floor = playbook.min_severity
    if floor is not None and incident.severity.rank < floor.rank:
        return None
    if incident.workflow_id and incident.workflow_id in m.workflows:
        return f"workflow {incident.workflow_id}"
    if incident.classification is not None and incident.classification in m.classifications:
        return f"classification {incident.classification.value}"
    tags = {t.upper() for t in incident.tags}
    for tag in m.tags:
        if tag.upper() in tags:
            return f"tag {tag}"
    labels = signal_labels or {}
    for key, want in m.signal_labels.items():
        got = labels.get(key)
        if got is not None and (want == "*" or got == want):
            return f"signal label {key}={got}"
    return None


def matching(
    playbooks: Iterable[Playbook],
    incident: Incident,
    signal_labels: Mapping[str, str] | None = None,
) -> list[Match]:
    found = []
    for pb in playbooks:
        reason = match_reason(pb, incident, signal_labels)
        if reason is not None:
            found.append(Match(pb, reason))
    return found


def resolve_step_control(step: PlaybookStep, workflow: Workflow | None) -> tuple[str, str]:
    """(``WORKFLOW/CONTROL``, note) for a containment step; ("", why not) when the
    incident's workflow offers no such control."""
    if step.control:
        return step.control, ""
    if step.control_kind is None:
        return "", ""
    if workflow is None:
        return "", f"no workflow to find a {step.control_kind.label} control on"
    for spec in workflow.controls:
        if spec.kind == step.control_kind:
            return f"{workflow.id}/{spec.id}", ""
    return "", f"workflow {workflow.id} has no {step.control_kind.label} control"


@dataclass(frozen=True)
class PlannedStep:
    step: PlaybookStep | CommsStep
    section: str
    event: TaskEvent | None
    """None: the step is on the board already."""
    note: str = ""


def plan_apply(
    playbook: Playbook,
    workflow: Workflow | None,
    board: TaskBoard,
    now: datetime,
    roles: Mapping[str, str] | None = None,
    audiences: Collection[str] | None = None,
) -> list[PlannedStep]:
    """The task each step of ``playbook`` adds to ``board`` (in order, ids consecutive).
    ``audiences``: the configured audience names (None: not checked); a communication step
    to another one gets a task saying so, as no update can close it."""
    roles = roles or {}
    out: list[PlannedStep] = []
    work = TaskBoard(dict(board.tasks), board.last_number, dict(board.control_states))
    sections: Sequence[tuple[str, Sequence[PlaybookStep | CommsStep]]] = (
        ("containment", playbook.containment),
        ("evidence", playbook.evidence),
        ("recovery", playbook.recovery),
        ("communication", playbook.communication),
    )
    for section, steps in sections:
        for step in steps:
            if work.by_step(playbook.name, step.id) is not None:
                out.append(PlannedStep(step, section, None))
                continue
            control, note, confirm, title, owner = "", "", "", "", ""
            link: dict[str, str] = {}
            if isinstance(step, CommsStep):
                link = {"audience": step.audience}
                title = f"Update {step.audience}" + (f" ({step.template})" if step.template else "")
                if audiences is not None and step.audience not in audiences:
                    note = f"no audience {step.audience} is configured: tick it by hand"
                    title = f"{title} [{note}]"
            else:
                title = step.title
                owner = roles.get(step.owner, step.owner)
                control, note = resolve_step_control(step, workflow)
                confirm = step.state if control else ""
                if note:
                    title = f"{title} [{note}]"
            ev = create_task(
                work,
                title,
                now=now,
                owner=owner,
                due=step.due,
                control=control,
                link=link,
                playbook=playbook.name,
                step=step.id,
                confirm=confirm,
            )
            out.append(PlannedStep(step, section, ev, note))
            work.last_number += 1
            work.tasks[str(ev.data["id"])] = _placeholder(ev, playbook.name, step.id)
    return out


def _placeholder(ev: TaskEvent, playbook: str, step: str) -> Task:
    return Task(id=str(ev.data["id"]), title=str(ev.data["title"]), playbook=playbook, step=step)
