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

``Screen._compositor_refresh`` is where a screen's compositor writes a frame to the terminal:
:class:`FrameHoldScreen` skips it while a screen that opens with data still waits for its
first data, then paints the whole screen once (the war room opens in one frame, issue 13).
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


class FrameHoldScreen(Screen[Any]):
    """A screen that paints nothing until :meth:`release_frame` (or ``OPEN_BUDGET``
    seconds after it mounted), then the whole screen in one frame.

    Layout, rendering into the compositor, focus and key handling all run as usual while
    the frame is held (keys typed meanwhile land where they would; ``export_screenshot``
    sees the screen as it is); only the write to the terminal waits. What the terminal
    showed before (the screen beneath) stays until then."""

    OPEN_BUDGET = 0.5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frame_held = True
        self.frames_painted = 0
        """Frames this screen wrote to the terminal as the top screen (tests, benchmarks)."""
        self.layouts_after_first_frame = 0
        """Layout passes (not scroll-only reflows) after the first frame was painted."""

    # Textual runs each class's own handler in the MRO: no super() calls in these two
    def _on_mount(self, _: Any) -> None:
        self.set_timer(self.OPEN_BUDGET, self.release_frame)

    def _on_screen_suspend(self) -> None:
        self.release_frame()  # covered (help, a prompt): nothing is held beneath

    def release_frame(self) -> None:
        """Stop holding: the next refresh paints the whole screen."""
        if not self.frame_held:
            return
        self.frame_held = False
        if self.is_attached:
            self._compositor._dirty_regions.add(self._compositor.size.region)  # in full
            self.refresh()

    def release_when_settled(self, poll: float = 0.01) -> None:
        """Release once nothing on the screen has messages left or a layout pending (what
        the first data caused -- scrollbars, a footer fitted to the width -- is in the one
        frame); ``OPEN_BUDGET`` still bounds the wait."""
        if not self.frame_held:
            return
        if self._layout_required or self._recompose_required or screen_busy(self):
            self.set_timer(poll, self.release_when_settled)
            return
        self.release_frame()

    def _refresh_layout(self, size: Any = None, scroll: bool = False) -> None:
        if self.frames_painted and not (scroll and not self._layout_widgets):
            self.layouts_after_first_frame += 1
        super()._refresh_layout(size, scroll)

    def _compositor_refresh(self) -> None:
        app = self.app
        if self is app.screen and not app.is_inline:
            if self.frame_held:
                return  # the dirty regions wait in the compositor for the release
            self.frames_painted += 1
        super()._compositor_refresh()


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
