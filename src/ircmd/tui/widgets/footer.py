"""A footer that never cuts a key name: keys that do not fit whole are left out, the last
declared first (a screen declares its most important keys first); ``?`` (all keys) stays.

Textual's :class:`~textual.widgets.Footer` lays its keys out in a row and lets the last ones
run off the edge (``A A▏``); this one measures each key as it will be drawn and drops the
ones past the width, recomposing when the width changes."""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KEEP_ACTIONS = ("app.help", "help")


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


class FitFooter(Footer):
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
