"""The footer is rebuilt when the keys it shows change, and only then."""

from __future__ import annotations

from tests.support.waiting import wait_until
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from ircmd.tui.widgets.footer import SteadyFooter


class KeysScreen(Screen[None]):
    BINDINGS = [
        Binding("x", "act", "Act"),
        Binding("y", "other", "Other"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.can_act = False

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            return True if self.can_act else None  # None: shown, disabled
        return True

    def action_act(self) -> None:
        pass

    def action_other(self) -> None:
        pass


class KeysApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(KeysScreen())


def _keys(app: App[None]) -> list[FooterKey]:
    return [k for k in app.screen.query(FooterKey) if k.action in ("act", "other")]


def _act_disabled(app: App[None]) -> bool | None:
    for key in _keys(app):
        if key.action == "act":
            return key.has_class("-disabled")
    return None


async def test_same_keys_keep_the_footer_as_it_is() -> None:
    app = KeysApp()
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: len(_keys(app)) == 2, what="the footer's two keys")
        before = _keys(app)
        for _ in range(3):
            app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert _keys(app) == before  # the same widgets: nothing was rebuilt


async def test_changed_keys_rebuild_the_footer() -> None:
    app = KeysApp()
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: len(_keys(app)) == 2, what="the footer's two keys")
        assert _act_disabled(app) is True
        screen = app.screen
        assert isinstance(screen, KeysScreen)
        screen.can_act = True
        screen.refresh_bindings()
        await wait_until(pilot, lambda: _act_disabled(app) is False, what="'x' enabled")
        screen.can_act = False
        screen.refresh_bindings()
        await wait_until(pilot, lambda: _act_disabled(app) is True, what="'x' disabled again")
