"""Helpers for the containment tests: workspaces in tmp dirs."""

from __future__ import annotations

from pathlib import Path

from ircmd.service import Workspace
from ircmd.service.config import parse_config
from ircmd.service.containment.service import ContainmentService


def workspace(tmp_path: Path, config_text: str, *, read_only: bool = False) -> Workspace:
    config = parse_config(config_text, "<test config>")
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return Workspace.open(config, data, actor="maria.ic", read_only=read_only)


def service(ws: Workspace) -> ContainmentService:
    return ContainmentService.for_workspace(ws)
