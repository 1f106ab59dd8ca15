"""Reading playbook files: the built-in ones, then ``<config dir>/playbooks/*.toml``.

A file in the config dir replaces the built-in playbook of the same name. A wrong file is
reported like the config: one line naming ``file:line: key: problem``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ircmd.domain.playbooks.model import Playbook
from ircmd.service.config import ConfigError, _find_line, _format_loc, config_path

MAX_FILE_BYTES = 256 * 1024


class PlaybookError(ConfigError):
    """A playbook file is wrong (one line: file, line, key)."""


def playbooks_dir() -> Path:
    """``<config dir>/playbooks`` (the directory of ``IRCMD_CONFIG`` when it is set)."""
    return config_path().parent / "playbooks"


def parse_playbook(text: str, source: str, expected_name: str | None = None) -> Playbook:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise PlaybookError(f"{source}: not valid TOML: nested too deeply") from None
    if expected_name is not None and "name" not in raw:
        raw["name"] = expected_name
    try:
        pb = Playbook.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err.get("loc", ()))
        key = _format_loc(loc)
        line = _find_line(text, loc)
        where = f"{source}:{line}" if line else source
        msg = "unknown key" if err.get("type") == "extra_forbidden" else err.get("msg", "")
        msg = msg.removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise PlaybookError(f"{where}: {key + ': ' if key else ''}{msg}{more}") from None
    if expected_name is not None and pb.name != expected_name:
        line = _find_line(text, ("name",))
        where = f"{source}:{line}" if line else source
        raise PlaybookError(
            f"{where}: name: {pb.name!r} differs from the file name {expected_name!r}.toml"
        )
    return pb


def builtin_playbooks() -> dict[str, Playbook]:
    found: dict[str, Playbook] = {}
    folder = resources.files("ircmd.service.playbooks") / "builtin"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            name = entry.name.removesuffix(".toml")
            found[name] = parse_playbook(entry.read_text("utf-8"), f"<built-in {entry.name}>", name)
    return found


def load_playbooks(folder: Path | None = None) -> dict[str, Playbook]:
    """Built-in playbooks, replaced or extended by the files in ``folder``."""
    found = builtin_playbooks()
    folder = folder if folder is not None else playbooks_dir()
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix == ".toml")
    except (FileNotFoundError, NotADirectoryError):
        return found
    except OSError as exc:
        raise PlaybookError(f"{folder}: cannot read playbooks: {exc.strerror or exc}") from None
    for path in files:
        name = path.stem
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise PlaybookError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB")
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise PlaybookError(f"{path}: not UTF-8 text") from None
        except OSError as exc:
            raise PlaybookError(f"{path}: cannot read: {exc.strerror or exc}") from None
        found[name] = parse_playbook(text, str(path), name)
    return dict(sorted(found.items()))
