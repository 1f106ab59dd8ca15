"""The investigation keys are discoverable: each has a ``:`` verb (with trace-id completion)
in the war room, a line in ``?`` under "investigate", and the most used ones in the footer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen

from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.investigate.changes_view import ChangesScreen
from ircmd.tui.screens.investigate.conversation_view import ConversationScreen
from ircmd.tui.screens.investigate.diff_view import DiffScreen
from ircmd.tui.screens.investigate.icicle_view import IcicleScreen
from ircmd.tui.screens.warroom.help import HelpScreen, binding_rows
from ircmd.tui.screens.warroom.panes.traces import TracePane
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from tests.support.waiting import wait_until
from tests.trace_ui_samples import refund_trace, write_otlp

A, B = "a" * 32, "b" * 32


def _config(tmp_path: Path) -> Path:
    runs = write_otlp(tmp_path / "runs.json", refund_trace(A) + refund_trace(B, account="ACC-9"))
    return runs


def is_screen(app: IrcmdApp, kind: type[Screen[Any]]) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, kind)


async def _room(pilot: Any, app: IrcmdApp) -> tuple[WarRoomScreen, TracePane]:
    await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
    room = app.screen
    assert isinstance(room, WarRoomScreen)
    pane = room.query_one(TracePane)
    await wait_until(pilot, lambda: len(pane.summaries) == 2, what="both runs loaded")
    await pilot.press("2")
    await pilot.pause()
    return room, pane


def _footer_keys(screen: Any) -> list[str]:
    return [
        f"{b.binding.key} {b.binding.description}"
        for b in screen.active_bindings.values()
        if b.binding.show and b.enabled
    ]


def _workspace(tmp_path: Path) -> Any:
    from ircmd.service import Workspace
    from ircmd.service.config import parse_config

    runs = _config(tmp_path)
    config = parse_config(
        f'[[trace_sources]]\nname = "runs"\nkind = "files"\npaths = [{json.dumps(str(runs))}]\n',
        "<test>",
    )
    ws = Workspace.open(config, tmp_path / "data", actor="tester")
    ws.incidents.declare("Refund to the wrong account", severity="high")
    return ws


async def test_verbs_open_each_view_and_complete_trace_ids(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    app = IrcmdApp(ws, open_incident="INC-0001")
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            room, _pane = await _room(pilot, app)
            assert {"conversation", "diff", "changes", "icicle"} <= set(room.verb_names())
            got = room.registry.complete("diff a", read_only=False)
            assert A in str(got), got
            views: list[tuple[str, type[Screen[None]]]] = [
                (f"diff {A[:6]} {B[:6]}", DiffScreen),
                (f"conversation {A[:8]}", ConversationScreen),
                (f"icicle {B}", IcicleScreen),
                ("changes", ChangesScreen),
            ]
            for line, screen in views:
                await pilot.press("colon", *line, "enter")
                await wait_until(pilot, is_screen(app, screen), what=line)
                await pilot.press("escape")
                await wait_until(pilot, lambda: app.screen is room, what=f"back from {line}")
            await pilot.press("colon", *"diff zz", "enter")
            feedback = room.query_one("#cmd-feedback")
            await wait_until(pilot, lambda: "not loaded" in str(feedback.render()))
            await pilot.press("escape", "2")
            await pilot.pause()
            rows = binding_rows(room)
            investigate = {(k, d) for where, k, d in rows if where == "traces · investigate"}
            assert {("c", "Conversation"), ("D", "Diff runs"), ("I", "Where time went")} <= (
                investigate
            ), [r for r in rows if "global" not in r[0]]
            assert ("C", "What changed") in investigate
            footer = _footer_keys(room)
            assert "c Conversation" in footer and "D Diff runs" not in footer, footer
            # in the war room, c on the traces pane is the conversation (not classify)
            await pilot.press("c")
            await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen))
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is room)
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
    finally:
        ws.close()


def test_icicle_header_fits_80_columns_and_keeps_the_hint_when_wide() -> None:
    from ircmd.tui.screens.investigate.icicle_view import HINT, icicle_header

    narrow = icicle_header("a" * 32, 1234, 12_345_678_901, 80)
    assert narrow.cell_len <= 80 and HINT not in narrow.plain
    assert "1,234 spans" in narrow.plain or "1234 spans" in narrow.plain
    wide = icicle_header("a" * 32, 1, 5_000_000, 160)
    assert HINT in wide.plain and "1 span ·" in wide.plain
    assert icicle_header("a" * 32, 5, 1, 30).cell_len <= 30
