"""How the war room looks at 80×24, 100×30, 160×48 and 200×60 (time frozen, demo incident).

Review changes by opening the SVGs (snapshot_report.html), never by blind regeneration.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ircmd.demo.seed import seed_demo
from ircmd.tui.app import IrcmdApp
from tests.snapshots.settle import settle

FROZEN = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture
def demo_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., IrcmdApp]:
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TZ", "UTC")

    def make(read_only: bool = False) -> IrcmdApp:
        demo = seed_demo(tmp_path, now=FROZEN, read_only=read_only)
        demo.workspace.incidents.clock = lambda: FROZEN
        return IrcmdApp(demo.workspace, open_incident=demo.incident_id)

    return make


async def _settle(pilot: Any) -> None:
    await settle(pilot)


def test_war_room_80x24(snap_compare: Any, demo_app: Callable[..., IrcmdApp]) -> None:
    """One pane at a time under a tab strip; the incident's title in the header."""
    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=_settle)


def test_war_room_80x24_traces_tab(snap_compare: Any, demo_app: Callable[..., IrcmdApp]) -> None:
    async def run_before(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("2")
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=run_before)


def test_war_room_160x48(snap_compare: Any, demo_app: Callable[..., IrcmdApp]) -> None:
    assert snap_compare(demo_app(), terminal_size=(160, 48), run_before=_settle)


def test_war_room_100x30(snap_compare: Any, demo_app: Callable[..., IrcmdApp]) -> None:
    assert snap_compare(demo_app(), terminal_size=(100, 30), run_before=_settle)


def test_war_room_200x60(snap_compare: Any, demo_app: Callable[..., IrcmdApp]) -> None:
    assert snap_compare(demo_app(), terminal_size=(200, 60), run_before=_settle)


def test_war_room_command_error_100x30(
    snap_compare: Any, demo_app: Callable[..., IrcmdApp]
) -> None:
    async def run_before(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("colon", *list("severity hihg --reason x"), "enter")
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=(100, 30), run_before=run_before)


def test_war_room_severity_maximised_read_only_100x30(
    snap_compare: Any, demo_app: Callable[..., IrcmdApp]
) -> None:
    async def run_before(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("4", "z")
        await _settle(pilot)

    assert snap_compare(demo_app(read_only=True), terminal_size=(100, 30), run_before=run_before)
