"""Form fields whose border title is never cut: each is given its titles longest first and
shows the longest that fits its width whole (``Action items: title | owner | YYYY-MM-DD``
at 160 columns, ``title | owner | YYYY-MM-DD`` at 80), so a narrow terminal keeps the
field's format hint instead of cutting it to ``Action items: title | owner | …``.

    area = TitledTextArea(("Action items: title | owner | YYYY-MM-DD", "Actions: ..."), id=...)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.widgets import Input, TextArea

TITLE_MARGIN = 6
"""Cells of a bordered field's top row that are not title: the corners, one border cell
either side of the title and a blank either side (a field 37 cells wide, border included,
shows a title of 31 cells)."""


def longest_fitting(texts: Sequence[str], room: int) -> str:
    """The first (longest) of ``texts`` that is at most ``room`` cells; the last when none is."""
    return next((t for t in texts if cell_len(t) <= room), texts[-1])


def fit_title(titles: Sequence[str], width: int) -> str:
    """The first (longest) of ``titles`` that fits whole in a border ``width`` cells wide
    (the field's outer width); the last when none does (Textual then cuts it with ``…``)."""
    return longest_fitting(titles, width - TITLE_MARGIN)


class TitledTextArea(TextArea):
    """A :class:`TextArea` with a border title chosen by width."""

    def __init__(self, titles: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.titles = tuple(titles)
        self.border_title = self.titles[0]

    def on_resize(self, _event: events.Resize) -> None:
        self.border_title = fit_title(self.titles, self.outer_size.width)


class TitledInput(Input):
    """An :class:`Input` with a border title chosen by width."""

    def __init__(self, titles: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.titles = tuple(titles)
        self.border_title = self.titles[0]

    def on_resize(self, _event: events.Resize) -> None:
        self.border_title = fit_title(self.titles, self.outer_size.width)
