"""Footers that keep still and never cut a key name.

:class:`SteadyFooter`: Textual's :class:`~textual.widgets.Footer` recomposes (unmounts and
mounts one widget per key, restyles them and lays the screen out again) on every
``bindings_updated`` signal, and a screen publishes one on each focus move, screen resume and
``refresh_bindings()`` -- at start-up three or four times in a row with the same keys, which
cost the home screen two extra full repaints before its first steady frame. It compares what
it would show with what it shows and skips the rebuild when they are equal.

:class:`FitFooter` (a steady footer too): keys that do not fit whole are left out, the last
declared first (a screen declares its most important keys first); ``?`` (all keys) stays.
Textual's footer lays its keys out in a row and lets the last ones run off the edge
(``A A▏``); this one measures each key as it will be drawn and drops the ones past the
width, recomposing when the width changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[tuple[Any, ...], ...]
KEEP_ACTIONS = ("app.help", "help")


class SteadyFooter(Footer):
    """:class:`~textual.widgets.Footer`, rebuilt only when its keys change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: Shown | None = None

    def shown_keys(self) -> Shown:
        """What :meth:`compose` builds from: the shown bindings, their state, the palette."""
        return (
            tuple(
                (
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.action,
                    binding.description,
                    binding.group,
                    enabled,
                    tooltip,
                )
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show
            ),
            (self.show_command_palette, self.compact),
        )

    def compose(self) -> ComposeResult:
        # one widget at a time: the keys' groups are ``with`` blocks, which need each child
        # yielded while their block is open
        built = False
        for widget in super().compose():
            built = True
            yield widget
        if built:  # Footer composes nothing until the screen's bindings are ready
            self._shown = self.shown_keys()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        steady = self._shown is not None and self.is_attached and screen is self.screen
        if steady and self.shown_keys() == self._shown:
            return
        super().bindings_changed(screen)


def key_width(key: FooterKey, compact: bool) -> int:
    """Cells the key takes, margins included (Textual's footer CSS)."""
    if "-command-palette" in key.classes:
        return len(key.key_display) + 1 + len(key.description) + 1 + 1 + (0 if compact else 1)
    if compact:
        return len(key.key_display) + (1 + len(key.description) if key.description else 0) + 1
    return len(key.key_display) + 2 + (len(key.description) + 1 if key.description else 0)


def fitting(keys: list[FooterKey], width: int, compact: bool) -> list[FooterKey]:
    """The keys that fit whole in ``width`` cells, in their order; help is kept first."""
    room = width
    kept: set[int] = set()
    order = sorted(
        range(len(keys)),
        key=lambda i: (
            "-command-palette" not in keys[i].classes,
            keys[i].action not in KEEP_ACTIONS,
            i,
        ),
    )
    for i in order:
        need = key_width(keys[i], compact)
        if need <= room:
            kept.add(i)
            room -= need
        elif "-command-palette" not in keys[i].classes:
            room = -1  # no later (less important) key jumps over an earlier one
    return [k for i, k in enumerate(keys) if i in kept]


class FitFooter(SteadyFooter):
    """A steady footer whose keys all fit whole."""

    def compose(self) -> ComposeResult:
        produced: Iterable[Widget] = list(super().compose())
        keys = [w for w in produced if isinstance(w, FooterKey)]
        if len(keys) != len(list(produced)) or not self.size.width:
            yield from produced  # grouped keys (KeyGroup): as Textual draws them
            return
        yield from fitting(keys, self.size.width, self.compact)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != getattr(self, "_fit_width", None):
            self._fit_width = event.size.width
            self.call_after_refresh(self.recompose)
