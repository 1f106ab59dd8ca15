"""Which war-room panes show at which terminal size, and the tab strip that names them.

* ``one`` (narrower than 100 columns, e.g. 80×24): one pane at a time; the tab strip names
  all four and marks the one shown; ``1``–``4``/``tab`` switch.
* ``two`` (100–159 columns, e.g. 100×30): the timeline beside one other pane (the last of
  traces/containment/severity focused; traces at first).
* ``four`` (160 columns and more): all four. The panes are laid out timeline and severity
  on the left, traces and containment on the right in the wider column, so the span tree,
  its detail and the board get the room they need (CSS in ``ircmd.tcss``).

Pure: the screen sets the classes this module names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rich.text import Text

Mode = Literal["one", "two", "four"]

ONE_BELOW = 100
FOUR_FROM = 160

MODE_CLASSES = {"one": "-one", "two": "-two", "four": "-wide"}


def layout_mode(width: int) -> Mode:
    if width < ONE_BELOW:
        return "one"
    if width < FOUR_FROM:
        return "two"
    return "four"


def shown_panes(mode: Mode, names: Sequence[str], current: str, side: str) -> set[str]:
    """The panes drawn: ``current`` alone, timeline and ``side``, or all of them."""
    if mode == "one":
        return {current}
    if mode == "two":
        return {names[0], side}
    return set(names)


def tab_strip(names: Sequence[str], titles: Sequence[str], shown: set[str], focused: str) -> Text:
    """`` 1 timeline  2 traces  3 containment  4 severity `` with the shown ones marked."""
    line = Text(no_wrap=True, overflow="ellipsis")
    for n, (name, title) in enumerate(zip(names, titles, strict=True), start=1):
        if name == focused:
            style = "bold reverse"
        elif name in shown:
            style = "bold"
        else:
            style = "dim"
        line.append(f" {n} {title} ", style)
        line.append(" ")
    return line
