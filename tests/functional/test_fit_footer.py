"""The home footer at 80 and 100 columns: every key shown is whole (never ``A A▏``), the
first-declared keys and ``?`` stay."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from ircmd.tui.app import IrcmdApp
from ircmd.tui.widgets.footer import FitFooter, fit_style, fitting
from tests.functional.test_home_screen import seed, workspace
from tests.support.waiting import wait_until


@pytest.mark.parametrize("width", [80, 100, 160])
async def test_home_footer_keys_are_whole(tmp_path: Path, width: int) -> None:
    ws = workspace(tmp_path, None)
    seed(ws)
    app = IrcmdApp(ws)
    async with app.run_test(size=(width, 24)) as pilot:
        footer = await wait_until(
            pilot, lambda: f if (f := app.screen.query_one(FitFooter)).query(FooterKey) else None
        )
        await pilot.pause()
        keys = list(footer.query(FooterKey))
        shown = [k.key_display for k in keys]
        assert "?" in shown and "⏎" in shown and "n" in shown, shown
        for key in keys:
            region = key.region
            assert region.width > 0 and region.right <= width, (key.description, region)
            assert footer.region.contains_region(region), (key.description, region)


def _key(display: str, description: str, action: str, palette: bool = False) -> FooterKey:
    return FooterKey(
        display, display, description, action, classes="-command-palette" if palette else ""
    )


def test_fit_keeps_help_then_first_actions_and_drops_the_palette_before_a_key() -> None:
    keys = [
        _key("space", "Expand/collapse", "toggle_node"),
        _key("L", "Expand all", "expand_all"),
        _key("/", "Search", "search"),
        _key("p", "Pin evidence", "pin"),
        _key("?", "Keys", "app.help"),
        _key("^p", "palette", "command_palette", palette=True),
    ]
    shown = [k.key_display for k in fitting(keys, 40, False, first=("search", "pin"))]
    assert shown == ["/", "p", "?"], shown  # help, then the named tasks; no palette
    assert [k.key_display for k in fitting(keys, 200, False)] == [k.key_display for k in keys]
    # compact only when it shows more keys than the roomy style
    assert fit_style(keys, 200, False)[0] is False
    compact, tight = fit_style(keys, 67, False)
    assert compact and len(tight) > len(fitting(keys, 67, False)), tight


@pytest.mark.parametrize("width", [80, 100])
async def test_trace_explorer_footer_keeps_search_pin_and_help(tmp_path: Path, width: int) -> None:
    from ircmd.backends.traces.files import FileTraceSource
    from ircmd.tui.trace_app import TraceViewApp
    from tests.trace_ui_samples import refund_trace, write_otlp

    ws = workspace(tmp_path, None)
    path = write_otlp(tmp_path / "t.json", refund_trace())
    app = TraceViewApp(ws, [FileTraceSource("files", [str(path)])])
    async with app.run_test(size=(width, 24)) as pilot:

        def pinned_shown() -> FitFooter | None:
            footer = app.screen.query_one(FitFooter)
            return footer if "p" in [k.key_display for k in footer.query(FooterKey)] else None

        footer = await wait_until(pilot, pinned_shown)
        await pilot.pause()
        keys = list(footer.query(FooterKey))
        shown = [k.key_display for k in keys]
        assert {"/", "p", "?"} <= set(shown), shown
        for key in keys:
            assert key.region.width > 0 and key.region.right <= width, (key.description, key.region)


async def test_home_footer_keeps_the_signal_keys_when_the_signals_list_has_focus(
    tmp_path: Path,
) -> None:
    from tests.snapshots.test_home_snapshot import _signals_loaded, demo_app

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _signals_loaded(pilot)
        footer = app.screen.query_one(FitFooter)
        assert "o" in [k.key_display for k in footer.query(FooterKey)]  # the incidents' keys
        app.screen.query_one("#signal-list").focus()

        def signal_keys() -> list[str] | None:
            shown = [k.key_display for k in footer.query(FooterKey)]
            return shown if {"D", "A", "S", "?"} <= set(shown) else None

        shown = await wait_until(pilot, signal_keys)
        assert "o" not in shown, shown  # the incidents' open-only gave up its room
