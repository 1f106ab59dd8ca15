"""ircmd's one private Textual API (``ircmd.tui.textual_private``): fails when Textual
renames it, changes its signature, or stops clamping the scroll offset with it."""

from __future__ import annotations

import inspect

from textual.app import ComposeResult
from textual.geometry import Size
from textual.widget import Widget

from ircmd.tui.textual_private import scroll_update


def test_scroll_update_still_has_the_signature_we_call() -> None:
    fn = getattr(Widget, "_scroll_update", None)
    assert callable(fn), "Textual removed Widget._scroll_update: rewrite textual_private"
    params = list(inspect.signature(fn).parameters)
    assert params == ["self", "virtual_size"]


async def test_scroll_update_clamps_the_offset_to_the_new_virtual_size() -> None:
    from textual.app import App
    from textual.scroll_view import ScrollView

    class Tall(ScrollView):
        pass

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Tall()

    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(Tall)
        view.virtual_size = Size(40, 100)
        await pilot.pause()
        view.scroll_to(y=90, animate=False, immediate=True)
        assert view.scroll_y > 0
        view.set_reactive(Widget.virtual_size, Size(40, 5))
        scroll_update(view, Size(40, 5))
        assert view.scroll_y == 0
        assert view.max_scroll_y == 0


async def test_binding_chain_lists_the_focused_widget_first() -> None:
    from textual.app import App
    from textual.widgets import Input

    from ircmd.tui.textual_private import binding_chain

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="i")

    app = One()
    async with app.run_test() as pilot:
        await pilot.pause()
        chain = binding_chain(app.screen)
        assert chain[0][0] is app.query_one("#i")
        assert any(node is app.screen for node, _ in chain)


async def test_screen_busy_sees_a_message_queued_for_a_widget() -> None:
    """``screen_busy`` reads each widget's message queue: a message posted and not yet
    handled makes the screen busy; once handled it is not."""
    from textual.app import App
    from textual.message import Message
    from textual.widgets import Static

    from ircmd.tui.textual_private import screen_busy

    class Ping(Message):
        pass

    class Slow(Static):
        handled = 0

        def on_ping(self, _: Ping) -> None:
            self.handled += 1

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Slow()

    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(Slow)
        assert not screen_busy(app.screen)
        widget.post_message(Ping())
        assert screen_busy(app.screen)
        await pilot.pause()
        assert widget.handled == 1
        assert not screen_busy(app.screen)


async def test_app_busy_sees_a_message_queued_for_the_app() -> None:
    """A key no widget takes bubbles up to the app, whose bindings run it (``enter``
    submitting an ``Input``): while it waits in the app's queue the screen looks idle, and
    ``app_busy`` must not. (A key released then went to the old focus: the key-burst
    story lost a note.)"""
    from textual.app import App
    from textual.message import Message
    from textual.widgets import Static

    from ircmd.tui.textual_private import app_busy, screen_busy

    class Ping(Message):
        pass

    class One(App[None]):
        pings = 0

        def compose(self) -> ComposeResult:
            yield Static("x")

        def on_ping(self, _: Ping) -> None:
            self.pings += 1

    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert not app_busy(app)
        app.post_message(Ping())
        assert app_busy(app)
        assert not screen_busy(app.screen)
        await pilot.pause()
        assert app.pings == 1
        assert not app_busy(app)


def test_frame_hold_overrides_what_textual_still_calls() -> None:
    """``FrameHoldScreen`` overrides ``Screen._compositor_refresh`` (the write of a frame)
    and ``_refresh_layout`` and reads ``_layout_required``/``_recompose_required`` and the
    compositor's dirty regions: fail loudly when Textual renames or reshapes them."""
    from textual._compositor import Compositor
    from textual.screen import Screen

    assert list(inspect.signature(Screen._compositor_refresh).parameters) == ["self"]
    assert list(inspect.signature(Screen._refresh_layout).parameters) == [
        "self",
        "size",
        "scroll",
    ]
    screen: Screen[None] = Screen()
    assert screen._layout_required is False
    assert screen._recompose_required is False
    assert isinstance(screen._compositor, Compositor)
    assert isinstance(screen._compositor._dirty_regions, set)
    assert callable(getattr(Screen, "_on_screen_suspend", None))


async def test_frame_hold_paints_nothing_until_released_then_once() -> None:
    """Held: Textual lays out and renders into the compositor, but no frame is written;
    released: one frame with everything. Keys typed while held reach the focused widget."""
    from textual.app import App
    from textual.widgets import Input, Static

    from ircmd.tui.textual_private import FrameHoldScreen

    class Held(FrameHoldScreen):
        OPEN_BUDGET = 30.0

        def compose(self) -> ComposeResult:
            yield Static("first", id="s")
            yield Input(id="i")

    class One(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Held())

    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, Held)
        screen.query_one("#s", Static).update("with data")
        await pilot.press("a", "b")
        await pilot.pause()
        assert screen.frame_held and screen.frames_painted == 0
        assert screen.query_one("#i", Input).value == "ab"
        screen.release_when_settled()
        for _ in range(200):
            if screen.frames_painted:
                break
            await pilot.pause(0.01)
        assert not screen.frame_held
        assert screen.frames_painted >= 1
        assert screen.layouts_after_first_frame == 0


async def test_frame_hold_lets_go_after_its_budget() -> None:
    from textual.app import App

    from ircmd.tui.textual_private import FrameHoldScreen

    class Held(FrameHoldScreen):
        OPEN_BUDGET = 0.05

    class One(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Held())

    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        for _ in range(300):
            if app.screen.frames_painted if isinstance(app.screen, Held) else False:
                break
            await pilot.pause(0.01)
        assert isinstance(app.screen, Held)
        assert not app.screen.frame_held and app.screen.frames_painted >= 1
