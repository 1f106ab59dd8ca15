"""What every command shares: config, store and service, JSON output, error lines."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.secrets import configured_secrets, scrub
from ircmd.domain.text import sanitize
from ircmd.service import IncidentService, Workspace
from ircmd.service.config import ConfigError, data_dir, load_config
from ircmd.store import IncidentStore, StoreError


class CliError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 2)


_LOADED: list[Config] = []
"""The config this command loaded: its secrets are read when a line is written."""


def _secrets() -> list[str]:
    return [s for config in _LOADED for s in configured_secrets(config, os.environ)]


def _printable(text: str) -> str:
    """Lone surrogates (undecodable argv bytes) shown as escapes, never an encode error."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def fail(message: str, code: int) -> int:
    line = " ".join(sanitize(_printable(scrub(message, _secrets()))).split())
    if not line.startswith("ircmd"):
        line = f"ircmd: error: {line}"
    print(line, file=sys.stderr)
    return code


def check_argv(argv: list[str]) -> None:
    """Arguments that were not valid UTF-8 (decoded with surrogateescape) are a usage
    error naming the argument, before anything runs."""
    for n, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = _printable(arg)
            raise UsageError(f"argument {n} ({shown}) is not valid UTF-8 text") from None


def describe_error(exc: BaseException) -> tuple[str, int]:
    """One line for an expected failure; unexpected ones still get one line."""
    if isinstance(exc, ConfigError | StoreError | DomainError):
        return str(exc), 1
    if isinstance(exc, OverflowError):
        return f"a date or number is out of range ({exc})", 1
    if isinstance(exc, UnicodeError):
        return f"text is not valid UTF-8 ({exc.__class__.__name__}: {exc})", 1
    if isinstance(exc, RecursionError):
        return "input nested too deeply", 1
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}", 1
    return f"unexpected {type(exc).__name__}: {exc}", 1


@dataclass
class Context:
    args: argparse.Namespace
    _config: Config | None = None
    _workspace: Workspace | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config()
            _LOADED[:] = [self._config]
        return self._config

    @property
    def data_dir(self) -> Path:
        return data_dir()

    @property
    def read_only(self) -> bool:
        return bool(
            getattr(self.args, "read_only", False) or getattr(self.args, "read_only_sub", False)
        )

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace.open(
                self.config,
                self.data_dir,
                actor=getattr(self.args, "author", None),
                read_only=self.read_only,
            )
        return self._workspace

    @property
    def store(self) -> IncidentStore:
        return self.workspace.store

    @property
    def service(self) -> IncidentService:
        return self.workspace.incidents

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def print_json(value: Any) -> None:
    """JSON on stdout; C1 controls and bidi overrides (which JSON leaves raw) are escaped
    too, so data cannot drive the terminal even when the output is not piped."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    text = _printable(scrub(text, _secrets()))
    sys.stdout.write(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
