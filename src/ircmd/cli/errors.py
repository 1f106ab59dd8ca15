"""The CLI's errors and its one-line error output (kept tiny: ``ircmd --version`` imports
only this and argparse)."""

from __future__ import annotations

import sys


class CliError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 2)


def fail(message: str, code: int) -> int:
    from ircmd.domain.text import sanitize

    line = " ".join(sanitize(message).split())
    if not line.startswith("ircmd"):
        line = f"ircmd: error: {line}"
    print(line, file=sys.stderr)
    return code
