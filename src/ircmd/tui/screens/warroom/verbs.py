"""The war room's core ``:`` verbs, and the :class:`Room` a verb factory is handed.

A pane adds its own verbs with ``verbs()`` (see ``ircmd.tui.screens.warroom.panes.base``).
A verb that belongs to no pane is a :data:`VerbFactory` handed to the war room by the app
(``WarRoomScreen(..., extra_verbs=...)``; the app passes ``evidence_verbs()``)::

    def export_verb(room: Room) -> Verb:
        return Verb("export", "write the evidence package", params=(...),
                    handler=lambda cmd: room.run_write(lambda: ..., "exported"))

``room`` offers ``workspace``, ``incident_id``, ``run_write(fn, done_message)``,
``say(text, error=False)`` and the rest of :class:`Room` (a protocol, so this module never
imports the screen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from textual.app import App

from ircmd.domain.incidents.commandline import Command, Opt, Param, Verb
from ircmd.domain.incidents.incident import Classification, Role, Status
from ircmd.domain.incidents.taxonomy import normalise_tag, tag_suggestions
from ircmd.service.incidents.retry import TypedLine
from ircmd.service.incidents.severity import SeverityService
from ircmd.service.workspace import Workspace


class Room(Protocol):
    """What a verb may use of the war-room screen."""

    workspace: Workspace
    incident_id: str
    severity_service: SeverityService

    @property
    def app(self) -> App[Any]: ...

    def say(self, text: str, *, error: bool = False) -> None: ...

    def run_write(
        self,
        fn: Callable[[], Any],
        done: str,
        after: Callable[[], None] | None = None,
        line: TypedLine | None = None,
    ) -> object: ...

    def change_status(self, target: Status, reason: str, force: bool) -> None: ...

    def open_other(self, incident_id: str) -> None: ...

    def focus_by_name(self, name: str) -> str: ...

    def filter_focused(self, text: str, quiet: bool = False) -> str: ...

    def show_help(self, verb: str = "") -> None: ...

    def incident_tags(self) -> Iterable[str]: ...

    def incident_ids(self) -> list[str]: ...

    def pane_names(self) -> list[str]: ...

    def verb_names(self) -> list[str]: ...

    def action_toggle_maximize(self) -> None: ...

    def action_leave(self, ask: bool = True) -> None: ...

    def quit_app(self, ask: bool = True) -> None: ...

    def allowed_statuses(self) -> list[str]: ...


VerbFactory = Callable[[Room], Verb]


def _classes() -> list[str]:
    return [c.value for c in Classification]


def _roles() -> list[str]:
    return [r.value for r in Role]


def core_verbs(room: Room) -> list[Verb]:
    svc = room.workspace.incidents
    iid = room.incident_id

    def text_event(kind: str) -> Callable[[Command], None]:
        def run(cmd: Command) -> None:
            text = cmd.arg("text")
            audience = cmd.opt("audience") if kind == "comms" else ""
            # One client id per typed line: resubmitting it after an error stores it once.
            line = svc.pending.line(kind, iid, text.strip(), audience)
            if kind == "note":
                room.run_write(lambda: svc.note(iid, text, line=line), "note added", line=line)
            elif kind == "decision":
                room.run_write(
                    lambda: svc.decide(iid, text, line=line), "decision recorded", line=line
                )
            else:
                room.run_write(
                    lambda: svc.comms(iid, text, audience=audience, line=line),
                    "comms recorded",
                    line=line,
                )

        return run

    def status(cmd: Command) -> None:
        room.change_status(Status.parse(cmd.arg("status")), cmd.opt("reason"), cmd.flag("force"))

    def classify(cmd: Command) -> None:
        cls = Classification.parse(cmd.arg("class"))
        room.run_write(lambda: svc.classify(iid, cls, cmd.opt("reason")), f"classified {cls.label}")

    def role(cmd: Command) -> None:
        r = Role.parse(cmd.arg("role"))
        name = cmd.arg("name")
        if name == "me":
            name = svc.actor
        done = f"{r.label}: {name}" if name else f"{r.label} unassigned"
        room.run_write(lambda: svc.assign_role(iid, r, name), done)

    def assign(cmd: Command) -> None:
        r = Role.parse(cmd.opt("role") or "incident_lead")
        name = cmd.arg("name")
        if name == "me":
            name = svc.actor
        room.run_write(lambda: svc.assign_role(iid, r, name), f"{r.label}: {name}")

    def tag(remove: bool) -> Callable[[Command], None]:
        def run(cmd: Command) -> None:
            label = normalise_tag(cmd.arg("label"))  # a bad id keeps the line open to fix
            room.run_write(
                lambda: room.severity_service.tag(iid, label, remove=remove),
                ("untagged " if remove else "tagged ") + label,
            )

        return run

    def open_(cmd: Command) -> None:
        room.open_other(cmd.arg("id"))

    def focus(cmd: Command) -> str:
        return room.focus_by_name(cmd.arg("pane"))

    def filter_(cmd: Command) -> str:
        return room.filter_focused(cmd.arg("text"))

    def help_(cmd: Command) -> None:
        room.show_help(cmd.arg("verb"))

    return [
        Verb(
            "note",
            "add a note to the timeline",
            params=(Param("text", kind="text"),),
            aliases=("n",),
            handler=text_event("note"),
        ),
        Verb(
            "decide",
            "record a decision",
            params=(Param("text", kind="text"),),
            aliases=("decision", "d"),
            handler=text_event("decision"),
        ),
        Verb(
            "comms",
            "record a communication sent",
            params=(Param("text", kind="text"),),
            options=(Opt("audience", help="who it went to"),),
            handler=text_event("comms"),
        ),
        Verb(
            "status",
            "move the incident through its lifecycle",
            params=(Param("status", choices=room.allowed_statuses),),
            options=(
                Opt("reason", kind="text"),
                Opt("force", kind="flag", help="resolve without asking about active controls"),
            ),
            handler=status,
        ),
        Verb(
            "classify",
            "classify the incident",
            params=(Param("class", choices=_classes),),
            options=(Opt("reason", kind="text"),),
            handler=classify,
        ),
        Verb(
            "role",
            "assign a role (no NAME unassigns; 'me' is you)",
            params=(Param("role", choices=_roles), Param("name", kind="text", required=False)),
            handler=role,
        ),
        Verb(
            "assign",
            "make NAME ('me' is you) the incident lead, or --role ROLE",
            params=(Param("name", kind="text"),),
            options=(Opt("role", choices=_roles),),
            handler=assign,
        ),
        Verb(
            "tag",
            "tag with a label, an OWASP LLM id (LLM01…LLM10) or an ATLAS id (AML.T0051)",
            params=(Param("label", choices=tag_suggestions),),
            handler=tag(False),
        ),
        Verb(
            "untag",
            "remove a tag",
            params=(Param("label", choices=lambda: list(room.incident_tags())),),
            handler=tag(True),
        ),
        Verb(
            "open",
            "open another incident's war room",
            params=(Param("id", choices=room.incident_ids),),
            mutates=False,
            handler=open_,
        ),
        Verb(
            "focus",
            "focus a pane by number or name",
            params=(Param("pane", choices=room.pane_names),),
            mutates=False,
            handler=focus,
        ),
        Verb(
            "filter",
            "filter the focused pane (no TEXT clears)",
            params=(Param("text", kind="text", required=False),),
            mutates=False,
            handler=filter_,
        ),
        Verb(
            "max",
            "maximise the focused pane, or restore it",
            mutates=False,
            aliases=("zoom",),
            handler=lambda _cmd: room.action_toggle_maximize(),
        ),
        Verb(
            "help",
            "list every command, or one command's usage",
            params=(Param("verb", required=False, choices=room.verb_names),),
            mutates=False,
            aliases=("h", "?"),
            handler=help_,
        ),
        Verb(
            "keys",
            "show every key of the focused pane and the app",
            mutates=False,
            handler=lambda _cmd: room.app.action_help(),  # type: ignore[attr-defined]
        ),
        Verb(
            "home",
            "back to the incidents list (asks first when this seat can act)",
            mutates=False,
            aliases=("back",),
            handler=lambda _cmd: room.action_leave(),
        ),
        Verb(
            "quit",
            "quit ircmd (asks first when this seat can act; q! never asks)",
            mutates=False,
            aliases=("q", "q!"),
            handler=lambda cmd: room.quit_app(ask=not cmd.line.split()[0].endswith("!")),
        ),
    ]
