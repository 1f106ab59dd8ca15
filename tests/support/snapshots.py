"""The type of pytest-textual-snapshot's ``snap_compare`` fixture (the plug-in declares it
as taking a path only), so snapshot tests are type-checked:

    def test_board(snap_compare: SnapCompare, tmp_path: Path) -> None:
        assert snap_compare(app, terminal_size=(120, 30), run_before=settle)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import PurePath
from typing import Any, Protocol

from textual.app import App
from textual.pilot import Pilot


class SnapCompare(Protocol):
    def __call__(
        self,
        app: str | PurePath | App[Any],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
    ) -> bool: ...
