"""The CLI's errors and its one-line error output (kept tiny: ``ircmd --version`` imports
only this and argparse)."""

from __future__ import annotations

import os
import sys
from typing import Any


class CliError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 2)


LOADED: list[Any] = []
"""The config this command loaded (a ``Config``): its secrets are read when a line is
written, so no error line or JSON output carries a configured token."""


def secrets() -> list[str]:
    if not LOADED:
        return []
    from ircmd.domain.secrets import configured_secrets

    return [s for config in LOADED for s in configured_secrets(config, os.environ)]


def printable(text: str) -> str:
    """Lone surrogates (undecodable argv bytes) shown as escapes, never an encode error."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def fail(message: str, code: int) -> int:
    from ircmd.domain.secrets import scrub
    from ircmd.domain.text import sanitize

    line = " ".join(sanitize(printable(scrub(message, secrets()))).split())
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
            raise UsageError(f"argument {n} ({printable(arg)}) is not valid UTF-8 text") from None
