"""A footer that rebuilds only when the keys it shows change.

Textual's :class:`~textual.widgets.Footer` recomposes (unmounts and mounts one widget per
key, restyles them and lays the screen out again) on every ``bindings_updated`` signal, and
a screen publishes one on each focus move, screen resume and ``refresh_bindings()`` -- at
start-up three or four times in a row with the same keys, which cost the home screen two
extra full repaints before its first steady frame. This one compares what it would show
with what it shows and skips the rebuild when they are equal.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[Any, ...], ...]


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
