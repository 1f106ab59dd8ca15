"""Keys that open an input (``:``, ``/``, ``n`` note …) or switch panes run at once.

Textual hands a key to the widget focused when the app reads it, and runs a screen's
ordinary binding only after that widget has bubbled the key up. Keys typed in one burst
(``m`` then ``Support leads told --audience x``) are therefore all queued to the pane
focused before ``m`` ran; by the time they bubble up the command line has the focus, and a
bound key among them (``-`` leaves the war room) ran as a binding instead of being typed.

Priority bindings run when the app reads the key, before the next one is routed, so the
input has the focus for every key after the one that opened it. A priority binding would
also shadow a pane's own key (the span tree's ``n`` next match, the board's ``t`` toggle,
the trace search ``/``): :func:`yields_to_focus` says when the focused widget binds or
types the key itself, and the screen's ``check_action`` then lets the key go to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from textual.actions import parse
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import Screen

from ircmd.tui.textual_private import binding_chain

EAGER_IDS = frozenset(
    {
        "warroom.pane1",
        "warroom.pane2",
        "warroom.pane3",
        "warroom.pane4",
        "warroom.command",
        "warroom.filter",
        "warroom.note",
        "warroom.decision",
        "warroom.status",
        "warroom.severity",
        "warroom.classify",
        "warroom.role",
        "warroom.tag",
        "warroom.comms",
        "warroom.update",
    }
)
EAGER_ACTIONS = frozenset(
    {
        "focus_pane",
        "command_line",
        "filter",
        "prefill",
        "refused",
        # the home screen's keys that open a prompt (screens/incidents.py)
        "declare",
        "declare_signal",
        "attach_signal",
        "ack_signal",
    }
)

# printable keys whose character Textual's ``key_to_character`` does not know (8.2)
_CHARACTERS = {
    "minus": "-",
    "plus": "+",
    "slash": "/",
    "at": "@",
    "backslash": "\\",
    "underscore": "_",
}


def eager(bindings: Iterable[BindingType]) -> list[BindingType]:
    """``bindings`` with those of :data:`EAGER_IDS` made priority bindings."""
    return [
        dataclasses.replace(b, priority=True) if isinstance(b, Binding) and b.id in EAGER_IDS else b
        for b in bindings
    ]


def character(key: str) -> str | None:
    return key_to_character(key) or _CHARACTERS.get(key)


def yields_to_focus(screen: Screen[Any], action: str, parameters: tuple[object, ...]) -> bool:
    """Whether a widget focused inside ``screen`` binds or types the key bound to ``action``
    (so the screen's eager binding must let it through)."""
    if action not in EAGER_ACTIONS or screen.focused is None:
        return False
    chain = binding_chain(screen)
    below: list[tuple[DOMNode, set[str]]] = []
    keys: list[str] = []
    for node, bindings in chain:
        if node is screen:
            keys = [
                key
                for key, found in bindings.key_to_bindings.items()
                for b in found
                if b.priority and parse(b.action)[1:] == (action, parameters)
            ]
            break
        below.append((node, set(bindings.key_to_bindings)))
    for node, bound in below:
        for key in keys:
            if key in bound:
                return True
            check = getattr(node, "check_consume_key", None)
            if callable(check) and check(key, character(key)):
                return True
    return False
