"""Every binding of every screen, pressed: the app keeps running and shows no error.

The crawl discovers what it presses from the screen itself (``Screen.active_bindings``: the
bindings of the focused widget chain, the screen and the app), so a new screen, pane, modal or
binding joins the crawl without editing this file. A key that opens a modal is followed one
level down (the modal's own bindings are pressed too), then backed out of with ``escape``.

States: the home screen (empty store, demo store), the war room (each pane), the war room's
trace explorer and post-incident review (pushed the way their keys and verbs push them), the
investigation views (conversation, diff, what changed, where time went) opened by their keys
from the explorer on the demo store and pushed on nothing at all, each in a normal and a
read-only seat. Bounded: Textual's own widget keys are pressed once per
session, each key gets one message-queue drain, and every state has a time budget.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from ircmd.demo.seed import seed_demo
from ircmd.domain.config import Config
from ircmd.service import Workspace
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.evidence.review import ReviewScreen
from ircmd.tui.screens.investigate.changes_view import ChangesScreen
from ircmd.tui.screens.investigate.conversation_view import ConversationScreen
from ircmd.tui.screens.investigate.diff_view import DiffScreen
from ircmd.tui.screens.investigate.icicle_view import IcicleScreen
from ircmd.tui.screens.traces.explorer import TraceScreen
from tests.support.traces import open_trace
from tests.support.waiting import wait_until

# Actions that end the app or the crawl on purpose: pressing them is not a crash.
LEAVING = {"quit", "app.quit", "suspend_process", "command_palette_quit", "leave"}
# Actions that close the screen they are pressed on: pressed last, after everything else.
CLOSING = {"back", "dismiss", "close", "home", "answer", "cancel", "app.pop_screen"}
SIZES = (160, 48)
BUDGET_SECONDS = 300.0
"""Per state, generous for a loaded 2-core machine; the crawl fails rather than drags on."""

# Textual's own widgets behave alike everywhere: their keys are pressed once per session.
_TEXTUAL_SEEN: set[tuple[str, str, str]] = set()


@dataclass
class Crawl:
    pressed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (screen, widget that owns the binding, key): a modal reached from several keys, or
    # Textual's own Input editing keys, are pressed once per run, not once per way in.
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    deadline: float = field(default_factory=lambda: time.monotonic() + BUDGET_SECONDS)


def _record_errors(app: App[Any], crawl: Crawl) -> None:
    real = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("severity") == "error":
            crawl.errors.append(f"{' '.join(crawl.pressed[-3:])} → {message}")
        real(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]


def _keys_of(screen: Screen[Any], crawl: Crawl) -> list[tuple[str, str, tuple[str, str, str]]]:
    """(key, action, mark) still to press on ``screen``; keys that close it come last."""
    keys: list[tuple[str, str, tuple[str, str, str]]] = []
    for key, active in screen.active_bindings.items():
        action = active.binding.action
        if action in LEAVING or action.endswith(".quit") or key in {"ctrl+c", "ctrl+q"}:
            continue
        owner = type(active.node).__name__
        if type(active.node).__module__.startswith("textual."):
            mark = ("*", owner, key)  # Textual's own widget: its keys behave alike everywhere
        else:
            mark = (type(screen).__name__, owner, key)
        if mark in crawl.seen or mark in _TEXTUAL_SEEN:
            continue
        keys.append((key, action, mark))
    return sorted(keys, key=lambda k: (k[1].split("(", 1)[0] in CLOSING, k[0]))


def _mark(crawl: Crawl, mark: tuple[str, str, str]) -> None:
    (_TEXTUAL_SEEN if mark[0] == "*" else crawl.seen).add(mark)


async def _settle(pilot: Any) -> None:
    # Live panes keep workers running (polling, receivers), so "all workers done" never comes:
    # let the message queue drain once; a worker's late error toast is still caught by the
    # next key's drain or the final one.
    await pilot.pause()


async def _back_to(pilot: Any, depth: int) -> None:
    for _ in range(6):
        if len(pilot.app.screen_stack) <= depth:
            return
        if not isinstance(pilot.app.screen, ModalScreen):
            break  # a full screen (esc never leaves the war room): popped below
        await pilot.press("escape")
        await pilot.pause()
    while len(pilot.app.screen_stack) > depth:  # a modal that ignores escape
        pilot.app.pop_screen()
        await pilot.pause()


async def crawl_screen(pilot: Any, crawl: Crawl, *, follow: bool = True) -> None:
    app = pilot.app
    screen = app.screen
    depth = len(app.screen_stack)
    for key, action, mark in _keys_of(screen, crawl):
        if not app.is_running or app.screen is not screen:
            return  # a key closed the screen (e.g. a modal's answer): the rest wait
        _mark(crawl, mark)
        assert time.monotonic() < crawl.deadline, (
            f"over the {BUDGET_SECONDS:g}s budget after {len(crawl.pressed)} keys"
        )
        crawl.pressed.append(f"{type(screen).__name__}:{key}({action})")
        focused = app.focused
        await pilot.press(key)
        await _settle(pilot)
        assert app.is_running, f"the app stopped after {crawl.pressed[-1]}"
        if app.screen is screen and isinstance(app.focused, Input) and app.focused is not focused:
            # the key opened a line (":", "/", a prefill): close it, or the next keys type
            await pilot.press("escape")
            await _settle(pilot)
        if len(app.screen_stack) > depth and follow and isinstance(app.screen, ModalScreen):
            # a modal is followed one level down; a full screen (the war room from the list,
            # the review) has a state of its own below
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
        for state in (
            "empty",
            "demo",
            "warroom",
            "traces",
            "review",
            "investigate-demo",
            "investigate-empty",
        ):
            name = f"home-{state}" if state in ("empty", "demo") else state
            yield pytest.param(state, read_only, id=f"{name}-{seat}")


async def _open(pilot: Any, app: IrcmdApp, screen: Screen[Any]) -> None:
    app.push_screen(screen)
    for _ in range(20):
        await pilot.pause()
        if app.screen is screen and screen.is_mounted:
            break
    await _settle(pilot)


def _empty_views(ws: Workspace, incident: str | None) -> list[Screen[Any]]:
    """The investigation views on nothing: no spans, no conversation, two empty runs."""
    return [
        ConversationScreen(ws, incident, [], "conv-none", "nowhere"),
        DiffScreen(ws, incident, [], [], "nowhere"),
        ChangesScreen(ws, incident, [], "nowhere"),
        IcicleScreen([]),
    ]


def _built(screen: Screen[Any]) -> bool:
    """The view's worker has delivered (the keys then act on what it shows)."""
    if isinstance(screen, ConversationScreen):
        return screen.conversation is not None
    if isinstance(screen, DiffScreen):
        return screen.diff is not None
    if isinstance(screen, ChangesScreen):
        return screen.report is not None
    if isinstance(screen, IcicleScreen):
        return screen.rows is not None
    return True


async def _until_built(pilot: Any, screen: Screen[Any]) -> None:
    await wait_until(pilot, lambda: _built(screen), 20, what=f"{type(screen).__name__}'s data")


async def _press_for(pilot: Any, key: str, kind: type[Screen[Any]]) -> Screen[Any]:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind), 20, what=f"{key} opens")
    screen = pilot.app.screen
    assert isinstance(screen, kind), f"{key} did not open {kind.__name__}"
    await _until_built(pilot, screen)
    return screen


async def _crawl_investigate_views(pilot: Any, crawl: Crawl) -> None:
    """From the explorer on the demo's traces: c, I, C and D (twice, on two traces), each
    view crawled, then back to the explorer."""
    from ircmd.tui.screens.warroom.panes.traces import TracePane

    app = pilot.app
    explorer = app.screen
    depth = len(app.screen_stack)
    pane = explorer.query_one(TracePane)
    await wait_until(
        pilot,
        lambda: pane.view is not None and not pane.loading and len(pane.summaries) >= 2,
        30,
        what="the demo traces",
    )
    assert pane.view is not None and len(pane.summaries) >= 2, "the demo traces did not load"
    # a span with a conversation: the demo's traces name one on their root
    pane.span_tree.focus()
    await pilot.pause()
    for key, kind in (("c", ConversationScreen), ("I", IcicleScreen), ("C", ChangesScreen)):
        crawl.pressed.append(f"TraceScreen:{key}")
        await _press_for(pilot, key, kind)
        await crawl_screen(pilot, crawl)
        await _back_to(pilot, depth)
        assert app.screen is explorer, f"not back in the explorer after {key}"
    first, second = pane.summaries[0].trace_id, pane.summaries[1].trace_id
    await open_trace(pilot, pane, first)
    await pilot.press("D")
    await open_trace(pilot, pane, second)
    crawl.pressed.append("TraceScreen:D D")
    await _press_for(pilot, "D", DiffScreen)
    await crawl_screen(pilot, crawl)
    await _back_to(pilot, depth)


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
                room = app.screen
                for pane_key in ("1", "2", "3", "4"):
                    await pilot.press(pane_key)
                    await pilot.pause()
                    await crawl_screen(pilot, crawl)
                    if app.screen is not room:
                        break
            elif state == "traces":
                await _open(pilot, app, TraceScreen(ws, None, incident))
                await crawl_screen(pilot, crawl)
            elif state == "investigate-demo":
                await _open(pilot, app, TraceScreen(ws, None, incident))
                await _crawl_investigate_views(pilot, crawl)
            elif state == "investigate-empty":
                depth = len(app.screen_stack)
                for view in _empty_views(ws, incident):
                    await _open(pilot, app, view)
                    await _until_built(pilot, view)
                    await crawl_screen(pilot, crawl)
                    await _back_to(pilot, depth)
            elif state == "review":
                assert incident is not None
                await _open(pilot, app, ReviewScreen(ws, incident))
                await crawl_screen(pilot, crawl)
            else:
                await crawl_screen(pilot, crawl)
            await _settle(pilot)
            assert app.is_running, f"the app stopped after {crawl.pressed[-1:]}"
    finally:
        ws.close()
    assert len(crawl.pressed) > 2, f"the crawl pressed almost nothing: {crawl.pressed}"
    if state.startswith("investigate"):
        views = ("ConversationScreen", "DiffScreen", "ChangesScreen", "IcicleScreen")
        reached = {p.split(":", 1)[0] for p in crawl.pressed}
        assert set(views) <= reached, f"views not crawled: {set(views) - reached}"
    assert not crawl.errors, "error toasts:\n" + "\n".join(crawl.errors)
