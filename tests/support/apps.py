"""One way to build the app under test: a TinyDB workspace and :class:`IrcmdApp` on it.

    ws = make_workspace(tmp_path, clock=step_clock)
    app = make_app(ws, open_incident="INC-0001")

Textual is imported only by :func:`make_app`, so CLI tests can use :func:`make_workspace`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ircmd.domain.config import Config
from ircmd.service import IncidentService, Workspace
from ircmd.service.config import parse_config
from ircmd.store.tinydb.store import TinyDBIncidentStore

if TYPE_CHECKING:
    from ircmd.tui.app import IrcmdApp


def make_workspace(
    data: Path,
    *,
    config: Config | str = "",
    actor: str = "tester",
    clock: Callable[[], datetime] | None = None,
    read_only: bool = False,
) -> Workspace:
    """A workspace on a TinyDB store in ``data`` (``config``: a Config or TOML text)."""
    cfg = parse_config(config) if isinstance(config, str) else config
    store = TinyDBIncidentStore(data)
    svc = IncidentService(store=store, config=cfg, actor=actor)
    if clock is not None:
        svc.clock = clock
    return Workspace(config=cfg, data_dir=data, store=store, incidents=svc, read_only=read_only)


def make_app(workspace: Workspace, *, open_incident: str | None = None) -> IrcmdApp:
    """The app on ``workspace`` (it closes the workspace's resources on exit)."""
    from ircmd.tui.app import IrcmdApp

    return IrcmdApp(workspace, open_incident=open_incident)
