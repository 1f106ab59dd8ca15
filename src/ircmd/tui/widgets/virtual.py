"""Changing a Line-API widget's virtual size without a layout pass over the whole screen.

``Widget.virtual_size`` is a layout reactive: every assignment re-arranges and re-renders
the screen (~20 µs per visible line of every widget, plus every widget's render). For a
tree that grows a row on expand, or a detail pane whose length changes with each span,
that is most of a key's cost. When the scrollbars stay as they are, nothing outside the
widget moves, so only the widget and its scrollbar need a redraw.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget

from ircmd.tui.textual_private import scroll_update


def set_virtual_size(widget: Widget, size: Size) -> None:
    if size == widget.virtual_size:
        return
    if not widget.is_mounted or not widget.container_size:
        widget.virtual_size = size  # first layout: the normal way
        return
    before = (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar)
    widget.set_reactive(Widget.virtual_size, size)
    scroll_update(widget, size)  # scrollbar sizes, scroll offsets clamped
    if (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar) != before:
        widget.refresh(layout=True)  # a scrollbar appeared or went: the layout changes
    widget.refresh()
