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
width, recomposing when the width changes. Before it drops a key it tries the compact style
(one blank between keys), and the ``^p palette`` hint goes before any key does (ctrl+p works
without it, and ``?`` lists it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


def _order(keys: list[FooterKey], first: Sequence[str]) -> list[int]:
    """Who gets room first: help, then the ``first`` actions (in that order), then the keys
    as declared, the palette hint last."""
    rank = {action: n for n, action in enumerate(first)}
    return sorted(
        range(len(keys)),
        key=lambda i: (
            keys[i].action not in KEEP_ACTIONS,
            "-command-palette" in keys[i].classes,
            rank.get(keys[i].action, len(rank)),
            i,
        ),
    )


def fitting(
    keys: list[FooterKey], width: int, compact: bool, first: Sequence[str] = ()
) -> list[FooterKey]:
    """The keys that fit whole in ``width`` cells, in their order; help is kept first, then
    the ``first`` actions, and the palette hint only when every key fits."""
    room = width
    kept: set[int] = set()
    for i in _order(keys, first):
        need = key_width(keys[i], compact)
        if need <= room:
            kept.add(i)
            room -= need
        elif "-command-palette" not in keys[i].classes:
            room = -1  # no later (less important) key jumps over an earlier one
    return [k for i, k in enumerate(keys) if i in kept]


def _keys_only(keys: list[FooterKey]) -> int:
    return sum("-command-palette" not in k.classes for k in keys)


def fit_style(
    keys: list[FooterKey], width: int, compact: bool, first: Sequence[str] = ()
) -> tuple[bool, list[FooterKey]]:
    """The style (compact or not) and the keys to show: the roomy style when it loses no key
    the compact one would show, else compact."""
    shown = fitting(keys, width, compact, first)
    if compact:
        return True, shown
    tight = fitting(keys, width, True, first)
    if _keys_only(tight) > _keys_only(shown):
        return True, tight
    return False, shown


class FitFooter(SteadyFooter):
    """A steady footer whose keys all fit whole (compact when that shows more of them).

    ``first``: actions that keep their place before the others when room is short (a screen
    whose focused widget declares its structural keys first names its main tasks here), or a
    function giving them for the current focus (read at each rebuild: a focus move that
    changes the keys rebuilds the footer)."""

    def __init__(
        self,
        *args: Any,
        first: Sequence[str] | Callable[[], Sequence[str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.first = first
        self._asked_compact = self.compact
        self._fit_width: int | None = None
        self._fitting = False

    def watch_compact(self, compact: bool) -> None:
        if not self._fitting:
            self._asked_compact = compact  # set by the screen: the style it wants at least

    def compose(self) -> ComposeResult:
        produced: Iterable[Widget] = list(super().compose())
        keys = [w for w in produced if isinstance(w, FooterKey)]
        # before its first layout the footer has no size: it will span the screen (every
        # screen docks it full width), so it fits the app's width now rather than composing
        # again after the first Resize (a second layout pass after the first frame)
        width = self.size.width or self.app.size.width
        if len(keys) != len(list(produced)) or not width:
            yield from produced  # grouped keys (KeyGroup): as Textual draws them
            return
        self._fit_width = width
        first = self.first() if callable(self.first) else self.first
        compact, shown = fit_style(keys, width, self._asked_compact, first)
        if compact != self.compact:
            self._fitting = True
            try:
                # before the keys mount: each key takes the footer's style when it binds
                self.compact = compact
            finally:
                self._fitting = False
            self._shown = self.shown_keys()  # what is shown includes the style
        yield from shown

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fit_width:
            self._fit_width = event.size.width
            self.call_after_refresh(self.recompose)
