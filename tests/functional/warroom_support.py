"""Shared set-up for the war-room tests: a private store with one declared incident."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ircmd.domain.config import Config
from ircmd.service import Workspace

FROZEN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def make_workspace(
    data_dir: Path, *, read_only: bool = False, keymap: dict[str, str] | None = None
) -> Workspace:
    config = Config.model_validate({"ui": {"keymap": keymap or {}}})
    ws = Workspace.open(config, data_dir, actor="tester", read_only=False)
    if not ws.store.list_incidents():
        ws.incidents.declare("Refund bot over-promising", severity="high")
    ws.read_only = read_only
    return ws
