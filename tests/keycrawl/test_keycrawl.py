"""Every binding of every screen, pressed: the app keeps running and shows no error.

The crawl discovers what it presses from the screen itself (``Screen.active_bindings``: the
bindings of the focused widget chain, the screen and the app), so a new screen, pane, modal or
binding joins the crawl without editing this file. A key that opens a modal is followed one
level down (the modal's own bindings are pressed too), then backed out of with ``escape``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen

from ircmd.demo.seed import seed_demo
from ircmd.domain.config import Config
from ircmd.service import Workspace
from ircmd.tui.app import IrcmdApp

# Actions that end the app or the crawl on purpose: pressing them is not a crash.
LEAVING = {"quit", "app.quit", "suspend_process", "command_palette_quit"}
SIZES = (160, 48)


@dataclass
class Crawl:
    pressed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (screen, widget that owns the binding, key): a modal reached from several keys, or
    # Textual's own Input editing keys, are pressed once per run, not once per way in.
    seen: set[tuple[str, str, str]] = field(default_factory=set)


def _record_errors(app: App[Any], crawl: Crawl) -> None:
    real = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("severity") == "error":
            crawl.errors.append(f"{' '.join(crawl.pressed[-3:])} → {message}")
        real(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]


def _keys_of(screen: Screen[Any], crawl: Crawl) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for key, active in screen.active_bindings.items():
        action = active.binding.action
        if action in LEAVING or action.endswith(".quit") or key in {"ctrl+c", "ctrl+q"}:
            continue
        owner = type(active.node).__name__
        if type(active.node).__module__.startswith("textual."):
            mark = ("*", owner, key)  # Textual's own widget: its keys behave alike everywhere
        else:
            mark = (type(screen).__name__, owner, key)
        if mark in crawl.seen:
            continue
        crawl.seen.add(mark)
        keys.append((key, action))
    return sorted(keys)


async def _settle(pilot: Any) -> None:
    # Live panes keep workers running (polling, receivers), so "all workers done" never comes:
    # let the message queue drain and short-lived workers finish instead.
    for _ in range(2):
        await pilot.pause()


async def _back_to(pilot: Any, depth: int) -> None:
    for _ in range(6):
        if len(pilot.app.screen_stack) <= depth:
            return
        await pilot.press("escape")
        await pilot.pause()
    while len(pilot.app.screen_stack) > depth:  # a modal that ignores escape
        pilot.app.pop_screen()
        await pilot.pause()


async def crawl_screen(pilot: Any, crawl: Crawl, *, follow: bool = True) -> None:
    app = pilot.app
    screen = app.screen
    depth = len(app.screen_stack)
    for key, action in _keys_of(screen, crawl):
        if not app.is_running:
            return
        crawl.pressed.append(f"{type(screen).__name__}:{key}({action})")
        await pilot.press(key)
        await _settle(pilot)
        assert app.is_running, f"the app stopped after {crawl.pressed[-1]}"
        if len(app.screen_stack) > depth and follow:
            await crawl_screen(pilot, crawl, follow=False)
        if len(app.screen_stack) != depth or app.screen is not screen:
            await _back_to(pilot, depth)
            if app.screen is not screen:  # the key replaced the screen (e.g. back/home)
                return


def _demo_workspace(tmp_path: Path, read_only: bool) -> tuple[Workspace, str]:
    demo = seed_demo(tmp_path / "demo", read_only=read_only)
    return demo.workspace, demo.incident_id


def _empty_workspace(tmp_path: Path, read_only: bool) -> Workspace:
    ws = Workspace.open(Config(), tmp_path / "empty", actor="tester", read_only=False)
    ws.read_only = read_only
    return ws


def _states() -> Iterator[Any]:
    for read_only in (False, True):
        seat = "read-only" if read_only else "normal"
        yield pytest.param("empty", read_only, id=f"home-empty-{seat}")
        yield pytest.param("demo", read_only, id=f"home-demo-{seat}")
        yield pytest.param("warroom", read_only, id=f"warroom-{seat}")


@pytest.mark.parametrize(("state", "read_only"), list(_states()))
async def test_every_key_of_every_screen(tmp_path: Path, state: str, read_only: bool) -> None:
    if state == "empty":
        ws, incident = _empty_workspace(tmp_path, read_only), None
    else:
        ws, incident = _demo_workspace(tmp_path, read_only)
    app = IrcmdApp(ws, open_incident=incident if state == "warroom" else None)
    crawl = Crawl()
    try:
        async with app.run_test(size=SIZES) as pilot:
            _record_errors(app, crawl)
            await _settle(pilot)
            if state == "warroom":
                # each pane in turn: its own bindings are only active while it has the focus
                for pane_key in ("1", "2", "3", "4"):
                    await pilot.press(pane_key)
                    await pilot.pause()
                    await crawl_screen(pilot, crawl)
                    if not isinstance(app.screen, type(app.screen)):
                        break
            else:
                await crawl_screen(pilot, crawl)
            assert app.is_running, f"the app stopped after {crawl.pressed[-1:]}"
    finally:
        ws.close()
    assert len(crawl.pressed) > 5, f"the crawl pressed almost nothing: {crawl.pressed}"
    assert not crawl.errors, "error toasts:\n" + "\n".join(crawl.errors)
