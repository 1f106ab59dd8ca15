"""Finding backends by kind: the built-in ones, and third parties' via entry points.

A backend package declares, in its ``pyproject.toml``::

    [project.entry-points."ircmd.backends"]
    mykind = "mypackage.module:factory"

and ``factory(config)`` returns an object implementing one of the protocols in
:mod:`ircmd.backends.protocols` (``TraceSource``, ``SignalSource``, ``ContainmentController``).
The factory also says where its kind goes in the config and which keys it takes::

    factory.config_section = "signal_sources"   # or "trace_sources" / "controllers"
    factory.config_model = MyKeys               # a pydantic model of the kind's own keys

The config then accepts ``kind = "mykind"`` in that section, validates its keys with
``MyKeys`` (``name`` and ``kind`` are added; unknown keys are rejected with file, line and
key like a built-in's), and ``factory`` receives the validated ``MyKeys`` instance.
Built-ins are listed here the same way, as ``"module:attribute"`` strings, imported only
when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ircmd.domain.config import SECTIONS, PluginKind

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


def entry_points(group: str) -> list[Any]:
    from importlib.metadata import entry_points as _entry_points  # scanned only when needed

    return list(_entry_points(group=group))


class PluginError(Exception):
    """An installed plug-in cannot be loaded or does not declare its config."""


def plugin_kinds(wanted: set[str] | None = None) -> list[PluginKind]:
    """The third-party kinds installed (those in ``wanted``, or all), with their config
    schema. A plug-in that fails to load is skipped unless it is ``wanted``."""
    found: list[PluginKind] = []
    for ep in entry_points(ENTRY_POINT_GROUP):
        if ep.name in BUILTIN:
            continue
        needed = wanted is None or ep.name in wanted
        try:
            factory = ep.load()
            section = getattr(factory, "config_section", None)
            model = getattr(factory, "config_model", None)
            if section not in SECTIONS:
                raise PluginError(f"its factory has no config_section (one of {SECTIONS})")
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                raise PluginError("its factory has no config_model (a pydantic model)")
        except Exception as exc:  # ep.load() runs third-party code: reported if wanted
            if needed:
                raise PluginError(
                    f"plug-in kind {ep.name!r} ({ep.value}) cannot be used: {exc}"
                ) from None
            continue
        found.append(PluginKind(kind=ep.name, section=section, model=model))
    return found


def available_kinds() -> list[str]:
    kinds = set(BUILTIN)
    kinds.update(ep.name for ep in entry_points(ENTRY_POINT_GROUP))
    return sorted(kinds)


def load_factory(kind: str) -> Callable[..., Any]:
    target = BUILTIN.get(kind)
    if target is not None:
        module_name, _, attr = target.partition(":")
        factory: Callable[..., Any] = getattr(importlib.import_module(module_name), attr)
        return factory
    for ep in entry_points(ENTRY_POINT_GROUP):
        if ep.name == kind:
            loaded: Callable[..., Any] = ep.load()
            return loaded
    known = ", ".join(available_kinds()) or "none"
    raise BackendNotFound(f"no backend of kind {kind!r} (known: {known})")
