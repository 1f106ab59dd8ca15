"""Regenerate the README's screenshot: the demo war room at 160×48, time frozen.

    .venv/bin/python -m tests.docs.screenshot      # writes docs/img/war-room.svg

Same demo, clock and settling as the war-room snapshot tests, so it shows what they review.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = (160, 48)


async def _shoot(data_dir: Path, out: Path) -> None:
    from ircmd.demo.seed import seed_demo
    from ircmd.tui.app import IrcmdApp
    from tests.snapshots.settle import settle
    from tests.snapshots.test_warroom_snapshots import FROZEN

    demo = seed_demo(data_dir, now=FROZEN)
    demo.workspace.incidents.clock = lambda: FROZEN
    app = IrcmdApp(demo.workspace, open_incident=demo.incident_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.save_screenshot(out.name, path=str(out.parent))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ircmd-shot-") as tmp:
        os.environ["IRCMD_DATA_DIR"] = tmp
        os.environ["IRCMD_CONFIG"] = str(Path(tmp) / "none.toml")
        os.environ["TZ"] = "UTC"
        out = ROOT / "docs" / "img" / "war-room.svg"
        asyncio.run(_shoot(Path(tmp), out))
        print(out)


if __name__ == "__main__":
    main()
