"""Read anything in full: ``enter`` on a signal (home) or a control (board, war room) and
``i`` on an incident (``enter`` opens its war room) open a detail modal with the full text
wrapped, times in UTC and local, every field, ids and links; ``esc`` closes it."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App

from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.containment.board import ContainmentScreen
from ircmd.tui.screens.dialogs.detail import DetailScreen
from ircmd.tui.screens.incidents import IncidentsScreen
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from ircmd.tui.widgets.containment.control_board import ControlBoard
from ircmd.tui.widgets.incidents.incident_table import IncidentTable
from ircmd.tui.widgets.signals.signal_list import SignalList
from tests.functional.am_server import alertmanager, post_alerts, run_id
from tests.functional.containment_support import workspace as containment_workspace
from tests.functional.test_containment_pane import BoardApp
from tests.functional.test_home_screen import real_source, seed, signal_rows, workspace
from tests.support.configs import PAUSE, REVIEW, support_refunds_toml
from tests.support.waiting import wait_until

LONG = "refunds promised beyond the policy cap for enterprise customers; " * 6 + "END-OF-TITLE"


def screen_text(app: App[Any]) -> str:
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def flat(text: str) -> str:
    """The screen's text without its line breaks, borders and padding: a wrapped value reads
    as one string again."""
    return re.sub(r"[\s│┃▎▊▐▌]+", "", text)


async def test_i_on_an_incident_reads_it_in_full_and_enter_still_opens(tmp_path: Path) -> None:
    ws = workspace(tmp_path, None)
    seed(ws)
    inc, _ = ws.incidents.declare(LONG, severity="high")
    ws.incidents.assign_role(inc.id, "comms", "sam.comms")
    app = IrcmdApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#incident-table", IncidentTable)
        await wait_until(pilot, lambda: inc.id in table._ids)
        table.move_cursor(row=table._ids.index(inc.id))
        await pilot.press("i")
        detail = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, DetailScreen) else None
        )
        assert "END-OF-TITLE" in screen_text(app)  # wrapped on screen, not cut
        full = _all_lines(detail)
        assert flat(LONG) in flat(full)
        assert inc.id in full and "high" in full and "UTC" in full and "local" in full
        assert "sam.comms" in full and "role comms" in full and "maria.ic" in full
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: isinstance(app.screen, IncidentsScreen))
        await pilot.press("enter")  # enter still opens the war room
        assert await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))


def _all_lines(screen: DetailScreen) -> str:
    """The detail table rendered at the modal's width, scrolled parts included."""
    console = Console(width=96, record=True, file=io.StringIO())
    console.print(screen.body)
    return console.export_text()


PLAIN_CONFIG = support_refunds_toml(PAUSE, REVIEW)


async def test_enter_on_a_control_reads_it_in_full(tmp_path: Path) -> None:
    ws = containment_workspace(tmp_path, PLAIN_CONFIG)
    inc, _ = ws.incidents.declare("Refunds wrong", workflow_id="support-refunds", severity="high")
    app = BoardApp(ws, inc.id)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await wait_until(
            pilot,
            lambda: (
                b
                if isinstance(app.screen, ContainmentScreen)
                and (b := app.screen.query_one(ControlBoard)).rows_shown
                else None
            ),
        )
        board.focus()
        row = board.selected
        assert row is not None
        await pilot.press("enter")
        detail = await wait_until(
            pilot, lambda: app.screen if isinstance(app.screen, DetailScreen) else None
        )
        full = _all_lines(detail)
        assert row.id in full and row.controller in full
        assert "desired" in full and "confirmed" in full and "checked" in full
        assert "→ incident" in full
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ContainmentScreen))


@pytest.mark.services
async def test_enter_on_a_signal_reads_it_in_full(tmp_path: Path) -> None:
    run = run_id()
    summary = "refunds/h 4.1x baseline across every enterprise tenant; " * 4 + "END-OF-SUMMARY"
    with alertmanager(tmp_path / "am") as url:
        post_alerts(
            url,
            [
                {
                    "labels": {"alertname": "RefundAmountAnomaly", "severity": "page", "run": run},
                    "annotations": {"summary": summary, "runbook": "[@click=app.quit]x[/]"},
                }
            ],
        )
        ws = workspace(tmp_path, [real_source(url, run, interval=0.5)])
        app = IrcmdApp(ws)
        async with app.run_test(size=(100, 30)) as pilot:
            assert await wait_until(pilot, lambda: len(signal_rows(app)) == 1)
            app.screen.query_one(SignalList).focus()
            await pilot.press("enter")
            detail = await wait_until(
                pilot, lambda: app.screen if isinstance(app.screen, DetailScreen) else None
            )
            full = _all_lines(detail)
            assert flat("END-OF-SUMMARY") in flat(full) and flat(summary) in flat(full)
            assert "RefundAmountAnomaly" in full and run in full and "UTC" in full
            assert "[@click=app.quit]x[/]" in full  # literal, not markup
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: isinstance(app.screen, IncidentsScreen))
            assert app.is_running
