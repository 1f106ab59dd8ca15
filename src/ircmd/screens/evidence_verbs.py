"""``:export``, ``:eval add`` and ``:review`` for the war room's command line.

Register them once per process (the lead does this at merge)::

    from ircmd.screens.evidence_verbs import register_evidence_verbs
    register_evidence_verbs()

Each factory takes the war-room screen (``room``: ``workspace``, ``incident_id``,
``run_write(fn, done)``, ``say(text, error=False)``) and returns a ``Verb``.
"""

from __future__ import annotations

from typing import Any


def export_verb(room: Any) -> Any:
    from ircmd.domain.commandline import Opt, Param, Verb

    def run(cmd: Any) -> None:
        from ircmd.service.evidence_hooks import default_export_path, export_from_room

        ws, iid = room.workspace, room.incident_id
        profile = cmd.opt("profile") or "internal"
        fmt = "tar.gz" if cmd.flag("tar") else ""
        out = cmd.arg("path") or str(
            default_export_path(ws, iid, profile, fmt or "dir", ws.incidents.clock())
        )
        room.run_write(
            lambda: export_from_room(ws, iid, out, profile=profile, fmt=fmt),
            f"exported {out} ({profile})",
        )

    return Verb(
        "export",
        "write the evidence package (manifest, timeline, evidence, report.md)",
        params=(Param("path", required=False, help="directory or .tar.gz (default: data dir)"),),
        options=(
            Opt("profile", choices=("internal", "legal", "external"), help="redaction profile"),
            Opt("tar", kind="flag", help="write a .tar.gz"),
        ),
        handler=run,
        mutates=False,
        source="evidence",
    )


def eval_verb(room: Any) -> Any:
    from ircmd.domain.commandline import Param, Verb

    def pinned() -> list[str]:
        from ircmd.domain.dossier import EVIDENCE, pinned_spans

        try:
            docs = room.workspace.store.docs(EVIDENCE)
            return [s.digest[:12] for s in pinned_spans(room.incident_id, docs, [])]
        except Exception:
            return []

    def run(cmd: Any) -> None:
        from ircmd.service.review import add_eval_case

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


def review_verb(room: Any) -> Any:
    from ircmd.domain.commandline import Verb

    def run(_cmd: Any) -> None:
        from ircmd.screens.review import ReviewScreen

        room.app.push_screen(ReviewScreen(room.workspace, room.incident_id))

    return Verb(
        "review",
        "open the post-incident review",
        handler=run,
        mutates=False,
        source="evidence",
    )


def register_evidence_verbs() -> None:
    from ircmd.screens.verbs import register_global_verb

    for factory in (export_verb, eval_verb, review_verb):
        register_global_verb(factory)
