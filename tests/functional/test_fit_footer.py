"""The home footer at 80 and 100 columns: every key shown is whole (never ``A A▏``), the
first-declared keys and ``?`` stay."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from ircmd.tui.app import IrcmdApp
from ircmd.tui.widgets.footer import FitFooter
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
