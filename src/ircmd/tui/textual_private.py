"""The one place ircmd uses a private Textual API (checked by
``tests/unit/test_textual_private.py``, which fails when Textual changes it).

``Widget._scroll_update(virtual_size)`` recomputes a widget's scrollbars and clamps its
scroll offsets after its virtual size changed, without the layout pass over the whole
screen that assigning ``Widget.virtual_size`` triggers (see ``widgets/virtual.py``).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget


def scroll_update(widget: Widget, virtual_size: Size) -> None:
    widget._scroll_update(virtual_size)
