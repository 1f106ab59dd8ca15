"""The ``ircmd`` command line. Headless commands never import Textual (they start fast);
the TUI is imported only by the commands that open it.

Start-up cost is kept low by registering only the module that owns the command being run
(``COMMANDS``); ``--help``, an unknown command and shell completion build the whole parser.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from ircmd import __version__
from ircmd.cli.errors import CliError, UsageError, check_argv, fail

# Which module registers each top-level command. A new command adds its name here; its
# module's ``register(sub)`` adds the sub-parser. ``MODULES`` keeps the order of ``--help``.
MODULES = (
    "tui_cmds",
    "incident",
    "store_cmds",
    "serve",
    "signals",
    "evidence",
    "review_cmds",
    "containment",
    "traces",
    "trace_view",
    "trace_show",
    "trace_diff_cmds",
    "trace_conversation_cmds",
    "replay_cmds",
    "trace_changes_cmds",
    "trace_profile_cmds",
    "completion",
)
COMMANDS: dict[str, tuple[str, ...]] = {
    "demo": ("tui_cmds",),
    "open": ("tui_cmds",),
    "incident": ("incident",),
    "verify": ("store_cmds",),
    "store": ("store_cmds",),
    "serve": ("serve",),
    "signals": ("signals",),
    "export": ("evidence",),
    "verify-bundle": ("evidence",),
    "evals": ("review_cmds",),
    "review": ("review_cmds",),
    "controls": ("containment",),
    "contain": ("containment",),
    "trace": (
        "traces",
        "trace_view",
        "trace_show",
        "trace_diff_cmds",
        "trace_conversation_cmds",
        "trace_changes_cmds",
        "trace_profile_cmds",
    ),
    "receive": ("traces",),
    "completion": ("completion",),
    "replay": ("replay_cmds",),
}


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


def _command_of(args: Sequence[str]) -> str | None:
    """The top-level command word (the top-level options take no value)."""
    for word in args:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def _modules_for(args: Sequence[str]) -> Sequence[str]:
    """The command modules a command line needs: its own for a known command, none for
    ``ircmd``/``--version`` (which open the TUI or print), all for help or a typo."""
    command = _command_of(args)
    if command is None:
        return MODULES if any(a in ("-h", "--help") for a in args) else ()
    return COMMANDS.get(command, MODULES)


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


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        check_argv(args_list)
        if "_ARGCOMPLETE" in os.environ:
            from ircmd.cli.completion import autocomplete

            ArgParser.intermixed = False
            autocomplete(build_parser())  # exits when it has answered
        parser = build_parser(_modules_for(args_list))
        args = parser.parse_args(args_list)
        from ircmd.cli.common import Context

        ctx = Context(args=args)
        try:
            code = args.func(ctx, args)
        finally:
            ctx.close()
        return int(code or 0)
    except UsageError as exc:
        return fail(str(exc), 2)
    except CliError as exc:
        return fail(str(exc), exc.code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        from ircmd.cli.common import describe_error

        message, code = describe_error(exc)
        return fail(message, code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
