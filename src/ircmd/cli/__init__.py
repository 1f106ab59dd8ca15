"""The ``ircmd`` command line. Headless commands never import Textual (they start fast);
the TUI is imported only by the commands that open it.

``ircmd --version`` answers before argparse is imported; the parser lives in
:mod:`ircmd.cli.parser` (``ArgParser`` and ``build_parser`` are re-exported here lazily).

Start-up cost is kept low by registering only the module that owns the command being run
(``COMMANDS``); ``--help``, an unknown command and shell completion build the whole parser.
"""

from __future__ import annotations

import os
import sys

from ircmd import __version__

# Not ``typing.TYPE_CHECKING``: importing ``typing`` (and ``collections.abc``, and the error
# module) before ``--version`` answers is a third of that command's own start-up CPU.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from ircmd.cli.parser import ArgParser as ArgParser
    from ircmd.cli.parser import build_parser as build_parser

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
    "task_cmds",
    "update_cmds",
    "handoff_cmds",
    "metrics_cmds",
    "playbook_cmds",
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
    "task": ("task_cmds",),
    "update": ("update_cmds",),
    "handoff": ("handoff_cmds",),
    "metrics": ("metrics_cmds",),
    "playbook": ("playbook_cmds",),
    "replay": ("replay_cmds",),
}


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


def __getattr__(name: str) -> Any:
    if name in ("ArgParser", "build_parser"):
        from ircmd.cli import parser

        return getattr(parser, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"] and "_ARGCOMPLETE" not in os.environ:
        print(f"ircmd {__version__}")  # what argparse's version action prints, sooner
        return 0
    from ircmd.cli.errors import CliError, UsageError, check_argv, fail

    try:
        check_argv(args_list)
        if args_list[:2] == ["incident", "list"]:
            from ircmd.cli import incident_list

            # None: not a case the lean reader serves; the full path answers below.
            lean = incident_list.run(args_list) if incident_list.wanted(args_list) else None
            if lean is not None:
                return lean
        from ircmd.cli.parser import ArgParser, build_parser

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
    except Exception as exc:  # the last resort: one line, naming the type if unexpected
        from ircmd.cli.common import describe_error

        message, code = describe_error(exc)
        return fail(message, code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
