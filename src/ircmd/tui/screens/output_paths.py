"""Where files the TUI writes go (the records CSV, ``:export``), always as an absolute path.

A path typed in a prompt is taken from the directory ircmd was started in, as a shell would,
and the message names the absolute path written. Without a path the file goes under the data
dir's ``exports/``, except in the throw-away demo store: that folder is removed when the demo
quits, so its files go to the directory the demo was started in instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from ircmd.service import Workspace

KEPT_CONFIG = "config.toml"
"""What ``ircmd demo --keep DIR`` writes beside a kept store (``ircmd.demo.seed``)."""


def throwaway(workspace: Workspace) -> bool:
    """The demo's temporary store (removed at quit), not a ``--keep DIR`` one."""
    return bool(workspace.demo) and not (workspace.data_dir / KEPT_CONFIG).is_file()


def output_dir(workspace: Workspace) -> Path:
    """The folder a written file goes to when no path is given."""
    if throwaway(workspace):
        return Path.cwd()
    return Path(os.path.abspath(workspace.data_dir)) / "exports"


def absolute(path: str | Path) -> Path:
    """``path`` (``~`` expanded) as an absolute path, relative ones from the current dir."""
    return Path(os.path.abspath(Path(path).expanduser()))
