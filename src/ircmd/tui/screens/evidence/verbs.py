"""``:export``, ``:eval add``, ``:review`` and ``:regulatory`` for the war room's command line.

The app hands them to every war room (``WarRoomScreen(..., extra_verbs=evidence_verbs())``).
Each factory takes the war room (a :class:`~ircmd.tui.screens.warroom.verbs.Room`) and
returns a ``Verb``; what they run is imported when the verb runs, not at start-up.
"""

from __future__ import annotations

import time

from textual.worker import Worker, WorkerState

from ircmd.domain.incidents.commandline import Command, Verb
from ircmd.tui.screens.warroom.verbs import Room, VerbFactory


def export_verb(room: Room) -> Verb:
    from ircmd.domain.incidents.commandline import Opt, Param, Verb

    def run(cmd: Command) -> None:
        from ircmd.service.evidence.hooks import default_export_path, export_from_room
        from ircmd.tui.screens.output_paths import absolute, output_dir

        ws, iid = room.workspace, room.incident_id
        profile = cmd.opt("profile") or "internal"
        fmt = "tar.gz" if cmd.flag("tar") else ""
        given = cmd.arg("path")
        if given:
            out = str(absolute(given))
        else:
            default = default_export_path(ws, iid, profile, fmt or "dir", ws.incidents.clock())
            out = str(output_dir(ws) / default.name)
        room.run_write(
            lambda: export_from_room(ws, iid, out, profile=profile, fmt=fmt),
            f"exported {out} ({profile})",
        )

    return Verb(
        "export",
        "write the evidence package (manifest, timeline, evidence, report.md)",
        params=(
            Param(
                "path",
                required=False,
                help="directory or .tar.gz (default: the data dir's exports/)",
            ),
        ),
        options=(
            Opt("profile", choices=("internal", "legal", "external"), help="redaction profile"),
            Opt("tar", kind="flag", help="write a .tar.gz"),
        ),
        handler=run,
        mutates=False,
        source="evidence",
    )


class PinnedDigests:
    """Completion candidates for ``:eval add DIGEST``: the incident's pinned spans, read by
    a thread worker (never the store on the UI loop). :meth:`choices` runs on the UI loop
    at each completion: it returns what the last finished read found and starts a new read
    when that one is older than :attr:`FRESH_SECONDS`. The worker's return value is its
    result (``Worker.result``, read here once the worker has finished), so no state is
    shared between threads."""

    FRESH_SECONDS = 2.0

    def __init__(self, room: Room) -> None:
        self.room = room
        self.values: list[str] = []
        self._worker: Worker[list[str]] | None = None
        self._started = 0.0

    def _read(self) -> list[str]:
        from ircmd.domain.evidence.dossier import EVIDENCE, pinned_spans

        docs = self.room.workspace.store.docs(EVIDENCE)
        return [s.digest[:12] for s in pinned_spans(self.room.incident_id, docs, [])]

    def choices(self) -> list[str]:
        worker = self._worker
        if worker is not None and worker.state == WorkerState.SUCCESS:
            self.values = list(worker.result or [])
        stale = time.monotonic() - self._started >= self.FRESH_SECONDS
        if worker is None or (worker.is_finished and stale):
            self._started = time.monotonic()
            self._worker = self.room.app.run_worker(
                self._read,
                name="eval-pinned",
                group="eval-pinned",
                exclusive=True,
                thread=True,
                exit_on_error=False,  # a store failure only means no candidates this time
            )
        return self.values


def eval_verb(room: Room) -> Verb:
    from ircmd.domain.incidents.commandline import Param, Verb

    digests = PinnedDigests(room)
    pinned = digests.choices
    digests.choices()  # start the first read now: candidates are there by the first tab

    def run(cmd: Command) -> None:
        from ircmd.service.evidence.review import add_eval_case

        digest, expected = cmd.arg("digest"), cmd.arg("expected")
        room.run_write(
            lambda: add_eval_case(room.workspace.incidents, room.incident_id, digest, expected),
            f"eval case added from span {digest[:12]}",
        )

    return Verb(
        "eval",
        "eval add DIGEST EXPECTED: an eval case from a pinned span, with the expected behaviour",
        params=(
            Param("action", choices=("add",)),
            Param("digest", choices=pinned, help="pinned span SHA-256 (6+ hex digits)"),
            Param("expected", kind="text", help="what the system should have done"),
        ),
        handler=run,
        source="evidence",
    )


def review_verb(room: Room) -> Verb:
    from ircmd.domain.incidents.commandline import Verb

    def run(_cmd: Command) -> None:
        from ircmd.tui.screens.evidence.review import ReviewScreen

        room.app.push_screen(ReviewScreen(room.workspace, room.incident_id))

    return Verb(
        "review",
        "open the post-incident review",
        handler=run,
        mutates=False,
        source="evidence",
    )


HARMS = ("death", "health", "critical-infrastructure", "fundamental-rights", "property-environment")


def regulatory_verb(room: Room) -> Verb:
    from ircmd.domain.incidents.commandline import Opt, Param, Verb

    def run(cmd: Command) -> None:
        from datetime import UTC, datetime

        from ircmd.domain.incidents.incident import DomainError
        from ircmd.service.regulatory.service import flag_incident

        link = cmd.opt("causal-link-at")
        when = None
        if link:
            try:
                when = datetime.fromisoformat(link.replace("Z", "+00:00"))
            except ValueError:
                raise DomainError(f"--causal-link-at: {link!r} is not an ISO 8601 time") from None
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
        persons = cmd.opt("persons").strip().lower()
        if persons and not persons.isdigit() and persons != "suggested":
            raise DomainError(f"--persons: {persons!r} is not a whole number or 'suggested'")
        ms = cmd.arg("member_state")
        said: list[str] = []

        def flag() -> None:
            from ircmd.service.investigate.persons import persons_affected_suggestion

            svc = room.workspace.incidents
            suggestion = persons_affected_suggestion(svc, room.incident_id)
            if persons == "suggested" and suggestion is None:
                raise DomainError(
                    "--persons suggested: no recorded blast radius names a user or a "
                    "conversation (f on a span in the traces pane, then r records one)"
                )
            count = suggestion.count if persons == "suggested" and suggestion else None
            got = flag_incident(
                svc,
                room.incident_id,
                harm=cmd.arg("harm"),
                member_state=ms,
                widespread=cmd.flag("widespread"),
                causal_link_at=when,
                persons_affected=int(persons) if persons.isdigit() else count,
            )
            if suggestion is not None:
                now = "not set" if got.persons_affected is None else got.persons_affected
                said.append(f"persons affected {now}; suggested {suggestion.describe()}")

        def after() -> None:
            if said:  # how many the blast radius counted, beside what is set
                room.say("flagged (EU AI Act Art. 73); " + said[0])

        room.run_write(
            flag, "flagged as a potential serious incident (EU AI Act Art. 73)", after=after
        )

    return Verb(
        "regulatory",
        "flag a potential serious incident (EU AI Act Art. 73): starts the reporting clock",
        params=(
            Param("harm", choices=HARMS),
            Param("member_state", choices=lambda: sorted(_member_states())),
        ),
        options=(
            Opt("widespread", kind="flag", help="a widespread infringement (2 days)"),
            Opt("causal-link-at", help="when a causal link was established (ISO 8601)"),
            Opt(
                "persons",
                choices=("suggested",),
                help="persons affected: a number, or 'suggested' (the blast radius's users)",
            ),
        ),
        handler=run,
        source="evidence",
    )


def _member_states() -> list[str]:
    from ircmd.domain.regulatory.art73 import MEMBER_STATES

    return list(MEMBER_STATES)


def evidence_verbs() -> tuple[VerbFactory, ...]:
    """The evidence feature's verbs, for the app to hand to each war room."""
    return (export_verb, eval_verb, review_verb, regulatory_verb)
