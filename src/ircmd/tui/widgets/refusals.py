"""A refused key says why instead of doing nothing.

Textual tries a key's bindings in order and moves on when ``check_action`` refuses one
(``False``: hidden, ``None``: greyed out). :func:`with_refusals` appends, for each binding
named, a hidden binding on the same key that runs ``refused(<binding id>)``; a screen mixing in
:class:`Refusals` answers it with one line from :meth:`Refusals.refusal`. A key whose action ran
never reaches its refusal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.binding import Binding, BindingType


def with_refusals(bindings: Iterable[BindingType], ids: Iterable[str]) -> list[BindingType]:
    wanted = set(ids)
    out = list(bindings)
    for binding in list(out):
        if isinstance(binding, Binding) and binding.id in wanted:
            refused = f"refused({binding.id!r})"
            out.append(Binding(binding.key, refused, show=False, priority=binding.priority))
    return out


class Refusals:
    """Mixin for a Screen whose ``BINDINGS`` went through :func:`with_refusals`."""

    def refusal(self, action: str, description: str) -> str:
        """Why ``action`` cannot run now (override per screen)."""
        if getattr(getattr(self, "app", None), "read_only", False):
            return f"{description}: not in a read-only seat"
        return f"{description}: nothing to act on here"

    def action_refused(self, binding_id: str) -> None:
        me: Any = self
        for binding in type(me).BINDINGS:
            if isinstance(binding, Binding) and binding.id == binding_id:
                action = binding.action.split("(", 1)[0]
                me.tell(self.refusal(action, binding.description or action))
                return

    def tell(self, text: str) -> None:
        me: Any = self
        me.notify(text, severity="warning", markup=False, timeout=4)
