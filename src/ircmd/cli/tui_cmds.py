"""Commands that open the TUI: ``ircmd`` (local store), ``ircmd demo``, ``ircmd open ID``."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ircmd.cli.common import Context, incident_arg
from ircmd.domain.incidents.incident import normalise_incident_id

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


def register(sub: Any) -> None:
    d = sub.add_parser("demo", help="open ircmd on a seeded demo incident in a throw-away store")
    d.add_argument("--keep", metavar="DIR", help="seed DIR instead of a temporary folder")
    d.add_argument("--read-only", action="store_true", dest="read_only_sub")
    d.set_defaults(func=run_demo)
    o = sub.add_parser("open", help="open the TUI in one incident's war room")
    incident_arg(o, "id")
    o.add_argument("--read-only", action="store_true", dest="read_only_sub")
    o.set_defaults(func=run_open)


def _run_app(workspace: Workspace, open_incident: str | None = None) -> int:
    from ircmd.tui.app import IrcmdApp  # Textual is imported only here

    app = IrcmdApp(workspace, open_incident=open_incident)
    app.run()
    return int(app.return_code or 0)


def run_tui(ctx: Context, args: argparse.Namespace) -> int:
    return _run_app(ctx.workspace)


def run_open(ctx: Context, args: argparse.Namespace) -> int:
    incident_id = normalise_incident_id(args.id)
    ctx.service.get(incident_id)  # a clean error before the screen opens
    return _run_app(ctx.workspace, open_incident=incident_id)


def run_demo(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.demo.seed import seed_demo

    if args.keep:
        path = Path(args.keep).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return _run_demo(seed_demo(path, read_only=ctx.read_only, keep=True))
    with tempfile.TemporaryDirectory(prefix="ircmd-demo-") as tmp:
        _remove_on_signals(Path(tmp))
        return _run_demo(seed_demo(Path(tmp), read_only=ctx.read_only))


def _remove_on_signals(folder: Path) -> None:
    """A closed terminal (SIGHUP) or a ``kill`` (SIGTERM) removes the throw-away store too,
    then ends the process as that signal would have."""
    import os
    import shutil
    import signal

    def handler(signum: int, _frame: object) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def _run_demo(demo: Any) -> int:
    try:
        return _run_app(demo.workspace)
    finally:
        demo.workspace.close()
