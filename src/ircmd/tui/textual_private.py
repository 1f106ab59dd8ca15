"""The one place ircmd uses private Textual APIs (checked by
``tests/unit/test_textual_private.py``, which fails when Textual changes it).

``Widget._scroll_update(virtual_size)`` recomputes a widget's scrollbars and clamps its
scroll offsets after its virtual size changed, without the layout pass over the whole
screen that assigning ``Widget.virtual_size`` triggers (see ``widgets/virtual.py``).

``Screen._binding_chain`` is the list of (node, bindings) Textual dispatches a key through;
the war room reads it so a pane's own binding wins over the war room's eager keys (see
``screens/warroom/eager_keys.py``).

``MessagePump._message_queue`` and ``_pending_message`` (what a widget has still to handle):
the app holds keys that follow one that may move the focus until every widget on the screen
has handled what that key caused (see ``IrcmdApp._settle``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget


def scroll_update(widget: Widget, virtual_size: Size) -> None:
    widget._scroll_update(virtual_size)


def binding_chain(screen: Screen[Any]) -> list[tuple[DOMNode, BindingsMap]]:
    """``Screen._binding_chain``: the focus chain's bindings, focused widget first, with the
    user's keymap applied and keys an ``Input`` earlier in the chain consumes removed."""
    return screen._binding_chain


def has_pending_messages(node: DOMNode) -> bool:
    """Messages queued for ``node`` (or one peeked at and held back by its pump).

    Not ``Queue._unfinished_tasks``: Textual drops a message another replaces (``Resize``,
    ``Layout``) without ``task_done``, so that count never returns to zero."""
    queue: asyncio.Queue[object] = node._message_queue
    return queue.qsize() > 0 or node._pending_message is not None


def screen_busy(screen: Screen[Any]) -> bool:
    """Whether any widget on ``screen`` (the screen included) has messages to handle."""
    return any(has_pending_messages(node) for node in screen.walk_children(with_self=True))


def app_busy(app: App[Any]) -> bool:
    """Whether the app or any widget on its screen has messages to handle.

    The app counts too: a key no widget's key handler takes bubbles up to the app, whose
    ``_on_key`` runs the focus chain's bindings (``enter`` submitting an ``Input`` runs
    from there). While that key waits in the app's queue, the screen looks idle."""
    return has_pending_messages(app) or screen_busy(app.screen)
