"""The ``ircmd`` argument parser: one-line usage errors, options and positionals in any
order, and the sub-commands of the command modules a command line needs."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Any

from ircmd import __version__
from ircmd.cli import MODULES
from ircmd.cli.errors import UsageError


class ArgParser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2) instead of a usage block, and options
    and positionals in any order (``trace pin INC-0001 --span ID a.json b.json``): a parser
    without sub-commands parses intermixed."""

    # argcomplete follows which positional is being typed through the plain parse, which
    # the two passes of intermixed parsing hide from it; shell completion turns this off.
    intermixed = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._has_subcommands = False
        self._intermixing = False

    def add_subparsers(self, **kwargs: Any) -> Any:
        self._has_subcommands = True
        return super().add_subparsers(**kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._has_subcommands or self._intermixing or not self.intermixed:
            return super().parse_known_args(args, namespace)
        # parse_known_intermixed_args calls parse_known_args twice itself (options first,
        # then positionals); the flag sends those inner calls to the plain parser.
        self._intermixing = True
        try:
            return super().parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser(modules: Sequence[str] = MODULES) -> ArgParser:
    """The parser with the sub-commands of ``modules`` (all of them by default)."""
    parser = ArgParser(
        prog="ircmd",
        description="Keyboard-first terminal console for AI incident response.",
    )
    parser.add_argument("--version", action="version", version=f"ircmd {__version__}")
    parser.add_argument(
        "--read-only", action="store_true", help="observer seat: everything visible, no action runs"
    )
    parser.set_defaults(func=_run_tui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgParser)
    for name in modules:
        importlib.import_module(f"ircmd.cli.{name}").register(sub)
    return parser


def _run_tui(ctx: Any, args: argparse.Namespace) -> int:
    from ircmd.cli.tui_cmds import run_tui

    return run_tui(ctx, args)
