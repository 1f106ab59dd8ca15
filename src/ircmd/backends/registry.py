"""Finding backends by kind: the built-in ones, and third parties' via entry points.

A backend package declares, in its ``pyproject.toml``::

    [project.entry-points."ircmd.backends"]
    mykind = "mypackage.module:factory"

and ``factory(config)`` returns an object implementing one of the protocols in
:mod:`ircmd.backends.protocols` (``TraceSource``, ``SignalSource``, ``ContainmentController``).
Built-ins are listed here the same way, as ``"module:attribute"`` strings, imported only
when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

ENTRY_POINT_GROUP = "ircmd.backends"

# kind -> "module:factory"; each capability adds its own line.
BUILTIN: dict[str, str] = {
    "alertmanager": "ircmd.backends.signals.alertmanager:from_config",
    "unleash": "ircmd.backends.controllers.unleash:factory",
    "phoenix-prompts": "ircmd.backends.controllers.phoenix_prompts:factory",
    "local": "ircmd.backends.controllers.local:factory",
    "files": "ircmd.backends.traces.files:from_config",
    "otlp": "ircmd.backends.traces.otlp_receiver:from_config",
    "phoenix": "ircmd.backends.traces.phoenix:from_config",
}


class BackendNotFound(LookupError):
    pass


def available_kinds() -> list[str]:
    kinds = set(BUILTIN)
    kinds.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(kinds)


def load_factory(kind: str) -> Callable[..., Any]:
    target = BUILTIN.get(kind)
    if target is not None:
        module_name, _, attr = target.partition(":")
        factory: Callable[..., Any] = getattr(importlib.import_module(module_name), attr)
        return factory
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == kind:
            loaded: Callable[..., Any] = ep.load()
            return loaded
    known = ", ".join(available_kinds()) or "none"
    raise BackendNotFound(f"no backend of kind {kind!r} (known: {known})")
