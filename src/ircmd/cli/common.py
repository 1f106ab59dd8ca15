"""What every command shares: config, store and service, JSON output, error lines."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from ircmd.cli.context import Context
from ircmd.cli.errors import CliError, UsageError, fail, printable, secrets

__all__ = ["CliError", "Context", "UsageError", "fail"]

# Only what every command needs is imported at start; config, services and the store are
# imported when a command first asks for them (``ircmd --version`` stays cheap).


def describe_error(exc: BaseException) -> tuple[str, int]:
    """One line for an expected failure; unexpected ones still get one line."""
    from ircmd.domain.incidents.incident import DomainError
    from ircmd.service.admin.store_admin import StoreError
    from ircmd.service.config import ConfigError

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


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def print_json(value: Any) -> None:
    """JSON on stdout; C1 controls and bidi overrides (which JSON leaves raw) are escaped
    too, so data cannot drive the terminal even when the output is not piped."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    from ircmd.domain.secrets import scrub

    text = printable(scrub(text, secrets()))
    sys.stdout.write(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n")


def writable(ctx: Context, what: str) -> None:
    """Refuse a command that writes to the store on a read-only seat."""
    if ctx.read_only:
        raise CliError(f"read-only seat: {what} not run (it would write to the store)")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def completes(action: argparse.Action, completer: str) -> argparse.Action:
    """Name the shell-completion function (in ``cli.completion``) for an argument;
    argcomplete reads the action's ``completer`` attribute."""

    def complete(**kwargs: Any) -> list[str]:
        from ircmd.cli import completion

        result: list[str] = getattr(completion, completer)(**kwargs)
        return result

    action.completer = complete  # type: ignore[attr-defined]
    return action


def incident_arg(parser: argparse.ArgumentParser, dest: str, **kwargs: Any) -> argparse.Action:
    """A positional incident id, completed from the store."""
    return completes(parser.add_argument(dest, **kwargs), "incident_ids")
