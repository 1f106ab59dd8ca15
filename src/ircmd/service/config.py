"""Where ircmd keeps things, and reading its TOML config with errors that name file/line/key."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir
from pydantic import ValidationError

from ircmd.domain.config import BUILTIN_KINDS, SECTIONS, Config, config_model

APP_NAME = "ircmd"


class ConfigError(Exception):
    """The config file is wrong; the message is one line naming file, line and key."""


def data_dir() -> Path:
    env = os.environ.get("IRCMD_DATA_DIR")
    return Path(env).expanduser() if env else Path(user_data_dir(APP_NAME))


def config_path() -> Path:
    env = os.environ.get("IRCMD_CONFIG")
    return Path(env).expanduser() if env else Path(user_config_dir(APP_NAME)) / "config.toml"


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best effort: the line where the innermost named key of ``loc`` is written."""
    lines = text.split("\n")
    names = [p for p in loc if isinstance(p, str)]
    # Find the table header first, then the key below it.
    start = 0
    for name in names[:-1]:
        pat = re.compile(r"^\s*\[\[?\s*[\w.\"-]*" + re.escape(name) + r"[\w.\"-]*\s*\]\]?")
        index = [i for i, ln in enumerate(lines) if pat.match(ln)]
        ints = [p for p in loc if isinstance(p, int)]
        if index:
            n = ints[0] if ints and len(index) > ints[0] else 0
            start = index[n]
    if names:
        key = re.compile(r"^\s*\"?" + re.escape(names[-1]) + r"\"?\s*=")
        for i in range(start, len(lines)):
            if key.match(lines[i]):
                return i + 1
        header = re.compile(r"^\s*\[\[?\s*[\w.\"-]*" + re.escape(names[-1]))
        for i in range(start, len(lines)):
            if header.match(lines[i]):
                return i + 1
    return start + 1 if start else None


def _format_loc(loc: tuple[Any, ...], tags: frozenset[str] = frozenset()) -> str:
    out = ""
    for i, part in enumerate(loc):
        prev = loc[i - 1] if i else None
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in tags and (isinstance(prev, int) or (i == 2 and loc[0] == "controllers")):
            continue  # discriminator tags pydantic adds to the location
        else:
            out += ("." if out else "") + str(part)
    return out


def _foreign_kinds(raw: dict[str, Any]) -> set[str]:
    """The ``kind``s the file names that no built-in backend has."""
    kinds: set[str] = set()
    for section in SECTIONS:
        tables = raw.get(section)
        if isinstance(tables, dict):
            tables = list(tables.values())
        if not isinstance(tables, list):
            continue
        for table in tables:
            kind = table.get("kind") if isinstance(table, dict) else None
            if isinstance(kind, str) and kind not in BUILTIN_KINDS[section]:
                kinds.add(kind)
    return kinds


def _model_for(raw: dict[str, Any], source: str) -> type[Config]:
    """:class:`Config`, extended by the installed plug-ins when the file names a kind that
    is not built in (entry points are scanned only then: a plain config starts fast)."""
    if not _foreign_kinds(raw):
        return Config
    from ircmd.backends.registry import PluginError, plugin_kinds

    try:
        return config_model(plugin_kinds(_foreign_kinds(raw)))
    except PluginError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def parse_config(text: str, source: str = "<config>") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{source}: not valid TOML: nested too deeply") from None
    model = _model_for(raw, source)
    try:
        return model.model_validate(raw)
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err.get("loc", ()))
        tags = frozenset({*(k for ks in BUILTIN_KINDS.values() for k in ks), "builtin"})
        tags |= _foreign_kinds(raw)
        key = _format_loc(loc, tags)
        line = _find_line(text, loc)
        where = f"{source}:{line}" if line else source
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        elif err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            ctx = err.get("ctx", {})
            field = str(ctx.get("discriminator", "kind")).strip("'")
            loc = (*loc, field)
            key = _format_loc(loc, tags)
            line = _find_line(text, loc)
            where = f"{source}:{line}" if line else source
            tag = ctx.get("tag")
            expected = str(ctx.get("expected_tags", "")).replace("'", "")
            msg = (
                f"{tag!r} is not one of: {expected}"
                if tag is not None
                else f"missing; use one of: {expected}"
            )
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        if key:
            raise ConfigError(f"{where}: {key}: {msg}{more}") from None
        raise ConfigError(f"{where}: {msg}{more}") from None


def load_config(path: Path | None = None) -> Config:
    """The config file, or the defaults when there is none (and ``IRCMD_CONFIG`` is unset)."""
    explicit = path is not None or "IRCMD_CONFIG" in os.environ
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{path}: config file not found") from None
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    return parse_config(text, str(path))
