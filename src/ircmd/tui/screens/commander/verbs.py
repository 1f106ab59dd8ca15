"""``:task`` and ``:tasks`` for the war room's command line (handed over by the app)."""

from __future__ import annotations

from ircmd.domain.incidents.commandline import Command, Opt, Param, Verb
from ircmd.tui.screens.warroom.verbs import Room, VerbFactory


def task_verb(room: Room) -> Verb:
    def run(cmd: Command) -> None:
        from ircmd.domain.incidents.incident import DomainError
        from ircmd.service.incidents.tasks import TaskService

        svc = TaskService(room.workspace.incidents)
        iid = room.incident_id
        action, rest = cmd.arg("action"), cmd.arg("rest").strip()
        if action == "add":
            if not rest:
                raise DomainError(
                    "task add TITLE [--owner NAME] [--due +2h] [--control WF/C]"
                    " [--span ID] [--finding ID]"
                )
            owner, due, control = cmd.opt("owner"), cmd.opt("due"), cmd.opt("control")
            link = {k: v for k in ("span", "finding") if (v := cmd.opt(k))}
            room.run_write(
                lambda: svc.add(iid, rest, owner=owner, due=due, control=control, link=link),
                f"task added: {rest}",
            )
            return
        words = rest.split(None, 1)
        if not words:
            raise DomainError(f"task {action} T-N" + (" NAME" if action == "assign" else ""))
        tid = words[0]
        if action == "done":
            room.run_write(lambda: svc.done(iid, tid), f"{tid} done")
        elif action == "reopen":
            room.run_write(lambda: svc.reopen(iid, tid), f"{tid} reopened")
        else:
            if len(words) < 2:
                raise DomainError("task assign T-N NAME")
            name = words[1]
            room.run_write(lambda: svc.assign(iid, tid, name), f"{tid} assigned to {name}")

    return Verb(
        "task",
        "task add TITLE | done T-N | reopen T-N | assign T-N NAME",
        params=(
            Param("action", choices=("add", "done", "reopen", "assign")),
            Param("rest", kind="text", required=False, help="title, or T-N [NAME]"),
        ),
        options=(
            Opt("owner", help="who does it"),
            Opt("due", help="+30m, +2h, +1d or ISO-8601"),
            Opt("control", help="WORKFLOW/CONTROL"),
            Opt("span", help="a span id the task is about"),
            Opt("finding", help="a finding the task is about"),
        ),
        handler=run,
        source="commander",
    )


def tasks_verb(room: Room) -> Verb:
    def run(_cmd: Command) -> None:
        from ircmd.tui.screens.commander.tasks import TasksScreen

        room.app.push_screen(
            TasksScreen(room.workspace, room.incident_id, read_only=room.workspace.read_only)
        )

    return Verb(
        "tasks",
        "open the incident's tasks (a add, o assign, space tick)",
        handler=run,
        mutates=False,
        source="commander",
    )


def _audiences(room: Room) -> list[str]:
    from ircmd.domain.comms.audiences import audiences

    return [a.name for a in audiences(room.workspace.config.comms)]


def update_verb(room: Room) -> Verb:
    def run(cmd: Command) -> str:
        from ircmd.tui.screens.commander.update import UpdateScreen

        audience = cmd.arg("audience")

        def closed(sent: bool | None) -> None:
            # the feedback row says what became of it (not the completion hint it showed)
            room.say(f"update to {audience} sent" if sent else f"update to {audience} not sent")

        room.app.push_screen(UpdateScreen(room.workspace, room.incident_id, audience), closed)
        return f"drafting the update to {audience}"

    return Verb(
        "update",
        "update AUDIENCE: the grounded draft of a stakeholder update, editable, then send",
        params=(Param("audience", choices=lambda: _audiences(room)),),
        handler=run,
        source="commander",
    )


def handoff_verb(room: Room) -> Verb:
    def run(cmd: Command) -> None:
        from ircmd.service.comms.handoff import HandoffService

        svc = HandoffService(room.workspace.incidents)
        iid, target = room.incident_id, cmd.arg("to")
        if target == "accept":
            role = cmd.opt("as") or "incident_lead"
            room.run_write(lambda: svc.accept(iid, role), f"handoff accepted as {role}")
        else:
            room.run_write(lambda: svc.offer(iid, target), f"handoff offered to {target}")

    return Verb(
        "handoff",
        "handoff NAME: offer the incident to the next shift; handoff accept [--as ROLE]",
        params=(Param("to", help="who takes over, or accept"),),
        options=(Opt("as", help="role when accepting (default: incident lead)"),),
        handler=run,
        source="commander",
    )


def playbook_verb(room: Room) -> Verb:
    names: list[str] = []

    def load_names() -> None:
        """The playbook names for completion, read off the UI thread (a broken file: none;
        applying says why)."""
        from ircmd.service.playbooks.loader import PlaybookError, load_playbooks

        try:
            names[:] = list(load_playbooks())
        except PlaybookError:  # completion only: the apply reports the file's problem
            names.clear()

    room.app.run_worker(load_names, thread=True, group="playbook-names", exit_on_error=False)

    def run(cmd: Command) -> None:
        from ircmd.service.playbooks.service import PlaybookService

        svc = PlaybookService(room.workspace.incidents)
        iid, name = room.incident_id, cmd.arg("name")

        def apply() -> object:
            result = svc.apply(iid, name, reason="applied in the war room")
            return result

        room.run_write(apply, f"playbook {name} applied (its steps are tasks; :tasks)")

    return Verb(
        "playbook",
        "playbook NAME: add the playbook's steps as tasks (containment done when confirmed)",
        params=(
            Param("name", choices=lambda: list(names), help="a playbook (ircmd playbook list)"),
        ),
        handler=run,
        source="commander",
    )


def commander_verbs() -> tuple[VerbFactory, ...]:
    return (task_verb, tasks_verb, update_verb, handoff_verb, playbook_verb)
